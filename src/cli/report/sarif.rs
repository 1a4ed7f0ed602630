//! `--format sarif`: a SARIF 2.1.0 log with one run, the tool `caio` with
//! one rule per diagnostic code (what it means, a link to its
//! documentation), and one result per finding with its physical location
//! (a URI relative to the working directory, line and column) and its
//! severity as `level`. Accepted by code-scanning uploads such as
//! `github/codeql-action/upload-sarif`.

use super::{Finding, Report, Rule};
use caio_core::diagnostic::Severity;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The SARIF schema the log declares (OASIS, 2.1.0 with errata 01).
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// The base id that result URIs are relative to: the working directory.
const SRCROOT: &str = "%SRCROOT%";

/// A SARIF log: what `--format sarif` prints.
#[derive(Debug, Serialize)]
pub struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    original_uri_base_ids: BTreeMap<&'static str, ArtifactLocation>,
    invocations: [Invocation; 1],
    column_kind: &'static str,
    results: Vec<ResultObject>,
    properties: Counts,
}

#[derive(Debug, Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    information_uri: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: String,
    short_description: Text,
    full_description: Text,
    help: Help,
    help_uri: String,
}

#[derive(Debug, Serialize)]
struct Text {
    text: String,
}

#[derive(Debug, Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Invocation {
    execution_successful: bool,
    exit_code: u8,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResultObject {
    rule_id: String,
    rule_index: usize,
    level: &'static str,
    message: Text,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    locations: Vec<Location>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
}

/// Errors and warnings counted apart, in the run's property bag.
#[derive(Debug, Serialize)]
struct Counts {
    errors: usize,
    warnings: usize,
    cases: usize,
    failed: usize,
    strict: bool,
}

/// The log of a report. `cwd`, the working directory, is what relative
/// URIs resolve against (`originalUriBaseIds`).
pub fn log(report: &Report, cwd: Option<&Path>) -> Log {
    let rules = report.all_rules();
    let results = report
        .findings()
        .map(|f| result(f, &rules))
        .collect::<Vec<_>>();
    let mut bases = BTreeMap::new();
    if let Some(cwd) = cwd.filter(|c| c.is_absolute()) {
        let mut uri = file_uri(cwd);
        if !uri.ends_with('/') {
            uri.push('/');
        }
        bases.insert(
            SRCROOT,
            ArtifactLocation {
                uri,
                uri_base_id: None,
            },
        );
    }
    let failed = report.failed();
    Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "caio",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    information_uri: super::DOCS_URL,
                    rules: rules.iter().map(descriptor).collect(),
                },
            },
            original_uri_base_ids: bases,
            invocations: [Invocation {
                execution_successful: true,
                exit_code: if failed == 0 { 0 } else { 1 },
            }],
            column_kind: "unicodeCodePoints",
            results,
            properties: Counts {
                errors: report.errors(),
                warnings: report.warnings(),
                cases: report.cases.len(),
                failed,
                strict: report.strict,
            },
        }],
    }
}

fn descriptor(rule: &Rule) -> ReportingDescriptor {
    let uri = rule.help_uri();
    ReportingDescriptor {
        id: rule.code.clone(),
        short_description: Text {
            text: rule.meaning.clone(),
        },
        full_description: Text {
            text: format!("{}: {}.", rule.code, rule.meaning),
        },
        help: Help {
            text: format!("{}. Documented at {uri}", capitalised(&rule.meaning)),
            markdown: format!(
                "{}. See [the documentation of `{}`]({uri}).",
                capitalised(&rule.meaning),
                rule.code
            ),
        },
        help_uri: uri,
    }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

fn result(finding: &Finding, rules: &[Rule]) -> ResultObject {
    let d = &finding.diagnostic;
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    ResultObject {
        rule_id: d.code.clone(),
        rule_index: rules.iter().position(|r| r.code == d.code).unwrap_or(0),
        level: match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        },
        message: Text { text },
        locations: finding
            .file
            .as_deref()
            .map(|file| Location {
                physical_location: PhysicalLocation {
                    artifact_location: artifact(file),
                    region: d.line.map(|start_line| Region {
                        start_line,
                        start_column: d.column,
                    }),
                },
            })
            .into_iter()
            .collect(),
    }
}

/// A relative path is a URI reference against the working directory; an
/// absolute one (outside it) is a `file:` URI.
fn artifact(file: &str) -> ArtifactLocation {
    let path = Path::new(file);
    if path.is_absolute() {
        ArtifactLocation {
            uri: file_uri(path),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode(file),
            uri_base_id: Some(SRCROOT),
        }
    }
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", encode(&path.to_string_lossy()))
}

/// Percent-encodes a path for a URI: everything but unreserved characters
/// and `/` (RFC 3986), byte by byte.
pub fn encode(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(encode("contracts/a b.yaml"), "contracts/a%20b.yaml");
        assert_eq!(encode("<stdin>"), "%3Cstdin%3E");
        assert_eq!(encode("é"), "%C3%A9");
        assert_eq!(artifact("/tmp/x y").uri, "file:///tmp/x%20y");
        assert_eq!(artifact("a.yaml").uri_base_id, Some(SRCROOT));
    }
}
