"""Reads caio's JUnit reports with junitparser, as test-report tools do,
and prints what it read as one JSON object per report."""

import json
import sys

from junitparser import Error, Failure, JUnitXml, Skipped


def summary(path):
    xml = JUnitXml.fromfile(path)
    suites = list(xml) if hasattr(xml, "__iter__") and not hasattr(xml, "classname") else [xml]
    out = []
    for suite in suites:
        cases = []
        for case in suite:
            kinds = [type(r).__name__.lower() for r in case.result]
            failure = next((r for r in case.result if isinstance(r, (Failure, Error))), None)
            cases.append({
                "name": case.name,
                "classname": case.classname,
                "file": case._elem.get("file"),
                "results": kinds,
                "passed": case.is_passed,
                "message": failure.message if failure is not None else None,
                "type": failure.type if failure is not None else None,
                "text": failure.text if failure is not None else None,
                "system_out": case.system_out,
            })
        out.append({
            "name": suite.name,
            "tests": suite.tests,
            "failures": suite.failures,
            "errors": suite.errors,
            "skipped": suite.skipped,
            "properties": {p.name: p.value for p in suite.properties()},
            "cases": cases,
        })
    return {"suites": out}


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(json.dumps(summary(path)))
