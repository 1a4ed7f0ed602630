//! `--format github`: GitHub Actions workflow commands, one line per
//! finding (`::error file=…,line=…,col=…,title=CODE::message`), which the
//! runner turns into annotations on the pull request's diff.

use super::{Finding, Report};
use caio_core::diagnostic::Severity;
use std::fmt::Write;

/// Every finding as a workflow command line, in order.
pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for finding in report.findings() {
        let _ = writeln!(out, "{}", command(finding));
    }
    out
}

/// One finding as a workflow command.
fn command(finding: &Finding) -> String {
    let d = &finding.diagnostic;
    let name = match d.severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
    };
    let mut properties = Vec::new();
    if let Some(file) = &finding.file {
        properties.push(format!("file={}", property(file)));
    }
    if let Some(line) = d.line {
        properties.push(format!("line={line}"));
    }
    if let Some(column) = d.column {
        properties.push(format!("col={column}"));
    }
    properties.push(format!("title={}", property(&d.code)));
    let mut message = d.message.clone();
    if let Some(help) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    format!("::{name} {}::{}", properties.join(","), data(&message))
}

/// A message, escaped as the runner unescapes it: `%`, CR and LF.
/// Control characters that came from a file are shown, not passed on.
pub fn data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c if c.is_control() && c != '\t' => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    out
}

/// A property value: escaped like data, and `:` and `,` too.
pub fn property(text: &str) -> String {
    data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;
    use caio_core::diagnostic::JsonDiagnostic;

    #[test]
    fn messages_and_properties_are_escaped_per_the_runner_rules() {
        assert_eq!(data("100% sure\r\nnext"), "100%25 sure%0D%0Anext");
        assert_eq!(property("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(data("\u{1b}[31m"), "\\u{1b}[31m");
    }

    #[test]
    fn one_line_per_finding_with_file_line_column_and_code() {
        let finding = Finding {
            file: Some("dir,x/a:b.yaml".into()),
            diagnostic: JsonDiagnostic {
                severity: Severity::Warning,
                code: "contract::insecure-url".into(),
                message: "plain http\nto an external service".into(),
                line: Some(3),
                column: Some(7),
                help: Some("use https".into()),
            },
        };
        assert_eq!(
            command(&finding),
            "::warning file=dir%2Cx/a%3Ab.yaml,line=3,col=7,title=contract%3A%3Ainsecure-url::plain http%0Ato an external service%0Ahelp: use https"
        );
    }
}
