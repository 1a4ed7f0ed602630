//! `--format junit` and `verify-invariants --junit`: a JUnit XML report
//! with one testsuite and one testcase per file, policy test or invariant,
//! as test-report tools (CI test tabs, `junitparser`) read it. A case fails
//! on an error, or under `--strict` on a warning; its findings are the
//! failure's text. Errors and warnings are counted apart in the suite's
//! properties (`caio.errors`, `caio.warnings`): JUnit's own `errors`
//! attribute means tests that could not run.

use super::{Case, Finding, Report};
use caio_core::diagnostic::Severity;
use std::fmt::Write;

/// The report as a JUnit XML document.
pub fn render(report: &Report) -> String {
    let tests = report.cases.len();
    let failures = report.failed();
    let time = report
        .cases
        .iter()
        .filter_map(|c| c.duration_ms)
        .fold(0.0, |a, b| a + b)
        / 1000.0;
    let name = attr(report.command);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{time:.3}\">"
    );
    let _ = writeln!(
        out,
        "  <testsuite name=\"{name}\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"{time:.3}\">"
    );
    out.push_str("    <properties>\n");
    for (key, value) in [
        ("caio.errors", report.errors().to_string()),
        ("caio.warnings", report.warnings().to_string()),
        ("caio.strict", report.strict.to_string()),
    ] {
        let _ = writeln!(
            out,
            "      <property name=\"{key}\" value=\"{}\"/>",
            attr(&value)
        );
    }
    out.push_str("    </properties>\n");
    for case in &report.cases {
        testcase(&mut out, case, report.strict);
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

fn testcase(out: &mut String, case: &Case, strict: bool) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"",
        attr(&case.name),
        attr(&case.group)
    );
    if let Some(file) = &case.file {
        let _ = write!(out, " file=\"{}\"", attr(file));
    }
    if let Some(line) = case.findings.first().and_then(|f| f.diagnostic.line) {
        let _ = write!(out, " line=\"{line}\"");
    }
    let _ = write!(
        out,
        " time=\"{:.3}\"",
        case.duration_ms.unwrap_or(0.0) / 1000.0
    );
    let details: Vec<String> = case.findings.iter().map(detail).collect();
    if !case.fails(strict) && details.is_empty() && case.output.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    if case.fails(strict) {
        let first = case
            .findings
            .iter()
            .find(|f| f.diagnostic.severity == Severity::Error || strict);
        let message = first.map_or_else(String::new, |f| f.diagnostic.message.clone());
        let kind = first.map_or("", |f| f.diagnostic.code.as_str());
        let _ = writeln!(
            out,
            "      <failure message=\"{}\" type=\"{}\">{}</failure>",
            attr(&message),
            attr(kind),
            text(&details.join("\n"))
        );
    }
    let mut output = case.output.clone();
    if !case.fails(strict) {
        // Warnings of a passing case are kept with it.
        output.extend(details);
    }
    if !output.is_empty() {
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            text(&output.join("\n"))
        );
    }
    out.push_str("    </testcase>\n");
}

/// `file:line:col: error[code]: message` and the help on the next line.
fn detail(finding: &Finding) -> String {
    let d = &finding.diagnostic;
    let mut at = finding.file.clone().unwrap_or_default();
    if let (Some(line), Some(column)) = (d.line, d.column) {
        let _ = write!(at, ":{line}:{column}");
    }
    let severity = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut s = if at.is_empty() {
        format!("{severity}[{}]: {}", d.code, d.message)
    } else {
        format!("{at}: {severity}[{}]: {}", d.code, d.message)
    };
    if let Some(help) = &d.help {
        let _ = write!(s, "\n  help: {help}");
    }
    s
}

/// Text content: `&`, `<` and `>` escaped; characters XML 1.0 cannot hold
/// (most control characters) shown as `\u{…}`.
fn text(s: &str) -> String {
    escape(s, false)
}

/// An attribute value: like text, and quotes and line breaks too (a
/// parser would fold a raw newline into a space).
fn attr(s: &str) -> String {
    escape(s, true)
}

fn escape(s: &str, attribute: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attribute => out.push_str("&quot;"),
            '\n' if attribute => out.push_str("&#10;"),
            '\t' if attribute => out.push_str("&#9;"),
            '\r' => out.push_str("&#13;"),
            '\n' | '\t' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                out.extend(c.escape_unicode())
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_special_and_control_characters_are_escaped() {
        assert_eq!(text("a < b && c > d\n"), "a &lt; b &amp;&amp; c &gt; d\n");
        assert_eq!(attr("say \"hi\"\nnow"), "say &quot;hi&quot;&#10;now");
        assert_eq!(text("\u{1b}[0m\u{0}"), "\\u{1b}[0m\\u{0}");
    }
}
