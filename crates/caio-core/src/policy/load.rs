//! Reading policy files: shape, rule checks, condition compilation, tests
//! blocks, and ids unique across all the files of one set.

use super::condition::{self, Condition};
use super::{EFFECTS, Effect, Policy, PolicySet};
use crate::diagnostic::{FileReport, Problem, Severity};
use crate::principal::{self, Principal};
use crate::request::{self, Request};
use crate::shape::{self, Field, ListShape, NumShape, Pattern, Shape, StrShape};
use crate::source::{self, Document};
use crate::yaml::{Node, Span};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every diagnostic code of policy files, with what it means. Codes are
/// stable: scripts may match on them.
pub const CODES: &[(&str, &str)] = &[
    (
        "policy::unreadable",
        "the path does not exist or cannot be read",
    ),
    (
        "policy::not-regular-file",
        "the path is a FIFO, socket or device, not a regular file",
    ),
    (
        "policy::no-files",
        "a directory holds no *.yaml or *.yml file",
    ),
    (
        "policy::too-large",
        "the file is larger than the 1 MiB limit",
    ),
    ("policy::not-utf8", "the file is not UTF-8 text"),
    ("policy::empty", "the file holds no YAML document"),
    ("policy::yaml-syntax", "the file is not well-formed YAML"),
    (
        "policy::resource-limit",
        "nesting, node count or alias expansion over the budget",
    ),
    (
        "policy::unknown-key",
        "a key the format does not define (with a suggestion)",
    ),
    (
        "policy::missing-key",
        "a required key is absent (`match` for require, `weight` for prefer)",
    ),
    ("policy::wrong-type", "a value has the wrong type"),
    (
        "policy::invalid-value",
        "a value outside its allowed set (with a suggestion)",
    ),
    (
        "policy::duplicate-key",
        "a key appears twice in one mapping",
    ),
    ("policy::empty-list", "a list that needs entries is empty"),
    ("policy::out-of-range", "a number outside its range"),
    ("policy::invalid-id", "a policy id that breaks its pattern"),
    (
        "policy::duplicate-id",
        "two rules with the same id in one set",
    ),
    (
        "policy::misplaced-key",
        "`weight` on a rule that is not `prefer`",
    ),
    (
        "policy::unknown-path",
        "an attribute that does not exist (with a suggestion)",
    ),
    (
        "policy::unknown-operator",
        "an operator that does not exist (with a suggestion)",
    ),
    (
        "policy::type-mismatch",
        "an operator or operand that does not fit the attribute's type",
    ),
    (
        "policy::empty-condition",
        "a condition, `any` or `all` with nothing in it",
    ),
    (
        "policy::unknown-policy",
        "a test expects a rule id the file does not define",
    ),
];

/// How policy files are named in diagnostics.
pub const FORMAT: source::DocumentKind = source::DocumentKind {
    prefix: "policy",
    noun: "policy set",
    empty_help: "start from the example in `caio policy validate --help` or policies/README.md",
};

pub(crate) static POLICY_ID: Pattern = Pattern {
    regex: "^[a-z][a-z0-9-]*$",
    values: None,
    check: is_policy_id,
    code: "invalid-id",
    describe: "a policy id: a lowercase letter, then a-z, 0-9 and '-'",
};

fn is_policy_id(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

static TEXT: Shape = Shape::Str(StrShape::ANY);
static ANY: Shape = Shape::Any;
static API: Shape = Shape::Str(StrShape {
    one_of: &["caio/v1"],
    pattern: None,
});
static KIND: Shape = Shape::Str(StrShape {
    one_of: &["PolicySet"],
    pattern: None,
});
static ID: Shape = Shape::Str(StrShape {
    one_of: &[],
    pattern: Some(&POLICY_ID),
});
static EFFECT: Shape = Shape::Str(StrShape {
    one_of: EFFECTS,
    pattern: None,
});
static WEIGHT: Shape = Shape::Num(NumShape::UNIT);
static IDS: Shape = Shape::List(ListShape {
    item: &TEXT,
    min_items: 0,
});
static OUTCOME: Shape = Shape::Str(StrShape {
    one_of: &["allowed", "denied"],
    pattern: None,
});

static POLICY: Shape = Shape::Object(&[
    Field::required("id", &ID, "the rule's id, unique in the set"),
    Field::optional("description", &TEXT, "what the rule is for"),
    Field::required("effect", &EFFECT, "deny, require or prefer"),
    Field::optional("when", &ANY, "when the rule applies (absent: always)"),
    Field::optional("match", &ANY, "the condition on the service"),
    Field::optional("message", &TEXT, "shown with every rejection"),
    Field::optional(
        "weight",
        &WEIGHT,
        "prefer only: bonus added to t, in [0, 1]",
    ),
]);

static EXPECT: Shape = Shape::Object(&[
    Field::optional("outcome", &OUTCOME, "allowed or denied"),
    Field::optional(
        "denied_by",
        &IDS,
        "exactly the rules that reject the service",
    ),
    Field::optional("preferred_by", &IDS, "exactly the prefer rules that apply"),
]);

static TEST: Shape = Shape::Object(&[
    Field::required("name", &TEXT, "what the test checks"),
    Field::required("request", &ANY, "a route request (defaults apply)"),
    Field::optional(
        "principal",
        &ANY,
        "name, tenant, roles, trust (default: anonymous)",
    ),
    Field::required(
        "service",
        &TEXT,
        "a contract file, relative to this policy file",
    ),
    Field::required("expect", &EXPECT, "outcome, denied_by and/or preferred_by"),
]);

static POLICIES: Shape = Shape::List(ListShape {
    item: &POLICY,
    min_items: 0,
});
static TESTS: Shape = Shape::List(ListShape {
    item: &TEST,
    min_items: 0,
});

/// The structure of a policy file.
pub(crate) static POLICY_SET: Shape = Shape::Object(&[
    Field::required("apiVersion", &API, "caio/v1"),
    Field::required("kind", &KIND, "PolicySet"),
    Field::required("policies", &POLICIES, "the rules"),
    Field::optional("tests", &TESTS, "checks run by `caio policy test`"),
]);

/// What a test expects.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Expect {
    pub(crate) denied: Option<bool>,
    pub(crate) denied_by: Option<Vec<String>>,
    pub(crate) preferred_by: Option<Vec<String>>,
}

/// One entry of a file's `tests:`.
#[derive(Debug, Clone)]
pub(crate) struct PolicyTest {
    pub(crate) name: String,
    /// Where the test's `name` is: what reports point at.
    pub(crate) span: Span,
    pub(crate) request: Request,
    pub(crate) principal: Option<Principal>,
    /// The contract file, resolved against the policy file's directory.
    pub(crate) service: PathBuf,
    pub(crate) expect: Expect,
}

/// One policy file, read and checked.
#[derive(Debug, Clone)]
pub struct PolicyFile {
    /// The file's problems.
    pub report: FileReport,
    /// Its rules in file order; empty when the file is invalid.
    pub policies: Vec<Policy>,
    pub(crate) tests: Vec<PolicyTest>,
}

impl AsRef<FileReport> for PolicyFile {
    fn as_ref(&self) -> &FileReport {
        &self.report
    }
}

/// Every file of one set.
pub type PolicyRun = crate::diagnostic::FileRun<PolicyFile>;

impl PolicyRun {
    /// The set of all the files' rules, when every file is valid.
    pub fn set(&self) -> Option<PolicySet> {
        self.all_valid().then(|| {
            PolicySet::new(
                self.files
                    .iter()
                    .flat_map(|f| f.policies.iter().cloned())
                    .collect(),
            )
        })
    }
}

/// Reads documents as one set.
pub fn load_documents(documents: impl Iterator<Item = Document>) -> PolicyRun {
    let mut checked: Vec<(PolicyFile, Vec<(String, Span)>)> = Vec::new();
    for document in documents {
        let label = document.label.clone();
        let dir = document
            .path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let (text, node) = document.parse(&FORMAT);
        checked.push(match node {
            Ok(node) => check(label, text, &node, &dir),
            Err(problem) => (
                PolicyFile {
                    report: FileReport::new(label, text, vec![problem]),
                    policies: Vec::new(),
                    tests: Vec::new(),
                },
                Vec::new(),
            ),
        });
    }
    check_duplicate_ids(&mut checked);
    PolicyRun {
        files: checked.into_iter().map(|(f, _)| f).collect(),
    }
}

/// Reads one policy text (tests resolve contract paths against `dir`).
pub fn load_text(label: &str, text: &str, dir: &Path) -> PolicyFile {
    match source::parse(&FORMAT, text) {
        Ok(node) => check(label.to_string(), text.to_string(), &node, dir).0,
        Err(problem) => PolicyFile {
            report: FileReport::new(label.to_string(), text.to_string(), vec![problem]),
            policies: Vec::new(),
            tests: Vec::new(),
        },
    }
}

/// Reads a set stored by caio (its canonical JSON form).
pub fn from_stored(text: &str) -> Result<PolicySet, String> {
    const LABEL: &str = "stored policy set";
    // Canonical JSON is one plain line: read on serde_json's tree, checked
    // the same way; the YAML reader only when it is not (and for wording).
    let file = match crate::yaml::plain_json(text) {
        Some(node) => check(LABEL.to_string(), text.to_string(), &node, Path::new(".")).0,
        None => load_text(LABEL, text, Path::new(".")),
    };
    if file.report.is_valid() {
        Ok(PolicySet::new(file.policies))
    } else {
        Err(file
            .report
            .problems
            .first()
            .map_or_else(|| "invalid".to_string(), |p| p.message.clone()))
    }
}

fn check(
    label: String,
    text: String,
    node: &Node,
    dir: &Path,
) -> (PolicyFile, Vec<(String, Span)>) {
    let mut problems = Vec::new();
    shape::check("policy", node, &POLICY_SET, "", &mut problems);
    let structural = problems.is_empty();
    let mut policies = Vec::new();
    let mut ids: Vec<(String, Span)> = Vec::new();
    if let Some(items) = node.get("policies").and_then(Node::as_seq) {
        for (i, item) in items.iter().enumerate() {
            if let Some(id) = item
                .get("id")
                .and_then(|n| n.as_str().map(|s| (s.to_string(), n.span)))
            {
                ids.push(id);
            }
            if let Some(p) = check_policy(item, i, &mut problems) {
                policies.push(p);
            }
        }
    }
    // Duplicates inside the file.
    let mut first: BTreeMap<&str, Span> = BTreeMap::new();
    for (id, span) in &ids {
        if first.contains_key(id.as_str()) {
            problems.push(duplicate(id, *span));
        } else {
            first.insert(id, *span);
        }
    }
    let known: Vec<&str> = ids.iter().map(|(id, _)| id.as_str()).collect();
    let mut tests = Vec::new();
    if let Some(items) = node.get("tests").and_then(Node::as_seq) {
        for item in items {
            if let Some(t) = check_test(item, dir, &known, &mut problems) {
                tests.push(t);
            }
        }
    }
    let ok = structural && problems.iter().all(|p| p.severity != Severity::Error);
    let report = FileReport::new(label, text, problems);
    (
        PolicyFile {
            report,
            policies: if ok { policies } else { Vec::new() },
            tests: if ok { tests } else { Vec::new() },
        },
        ids,
    )
}

fn duplicate(id: &str, span: Span) -> Problem {
    Problem::error(
        "policy::duplicate-id".into(),
        span,
        format!("policy id `{id}` is defined more than once in this set"),
    )
    .label("second definition")
    .help("rule ids name rejections in decisions and traces; give each rule its own id")
}

fn check_policy(item: &Node, i: usize, out: &mut Vec<Problem>) -> Option<Policy> {
    let at = format!("policies[{i}]");
    let id = item.get("id")?.as_str()?.to_string();
    let effect = match item.get("effect")?.as_str()? {
        "deny" => Effect::Deny,
        "require" => Effect::Require,
        "prefer" => Effect::Prefer,
        _ => return None,
    };
    let when = item
        .get("when")
        .map(|n| condition::compile(n, &format!("{at}.when"), out));
    let matches = item
        .get("match")
        .map(|n| condition::compile(n, &format!("{at}.match"), out));
    let anchor = item.key_node("effect").map_or(item.span, |k| k.span);
    if effect == Effect::Require && matches.is_none() {
        out.push(
            Problem::error(
                "policy::missing-key".into(),
                anchor,
                format!("require rule `{id}` has no `match`"),
            )
            .label("require needs a match")
            .help("add `match:` with the condition a service must meet"),
        );
    }
    let weight = item.get("weight").and_then(Node::as_f64);
    match (effect, weight) {
        (Effect::Prefer, None) => out.push(
            Problem::error(
                "policy::missing-key".into(),
                anchor,
                format!("prefer rule `{id}` has no `weight`"),
            )
            .label("prefer needs a weight")
            .help("add `weight:` in [0, 1]: the bonus added to the preference term t"),
        ),
        (Effect::Deny | Effect::Require, Some(_)) => {
            let span = item.key_node("weight").map_or(item.span, |k| k.span);
            out.push(
                Problem::error(
                    "policy::misplaced-key".into(),
                    span,
                    format!(
                        "`weight` has no effect on a {} rule",
                        EFFECTS[effect as usize]
                    ),
                )
                .label("only prefer rules have a weight")
                .help("remove `weight`, or make the rule `effect: prefer`"),
            );
        }
        _ => {}
    }
    Some(Policy {
        id,
        effect,
        when: flatten(when)?,
        matches: flatten(matches)?,
        message: item
            .get("message")
            .and_then(|n| n.as_str().map(str::to_string)),
        weight: weight.unwrap_or(0.0),
        source: item.to_json(),
    })
}

/// `None` (absent) stays `Some(None)`; a condition that failed to compile
/// makes the whole rule `None`.
fn flatten(c: Option<Option<Condition>>) -> Option<Option<Condition>> {
    match c {
        None => Some(None),
        Some(None) => None,
        Some(Some(c)) => Some(Some(c)),
    }
}

fn check_test(
    item: &Node,
    dir: &Path,
    known: &[&str],
    out: &mut Vec<Problem>,
) -> Option<PolicyTest> {
    let name_node = item.get("name")?;
    let name = name_node.as_str()?.to_string();
    let request = match request::from_node(item.get("request")?, true) {
        Ok(r) => Some(r),
        Err(problems) => {
            out.extend(problems);
            None
        }
    };
    let principal = match item.get("principal") {
        None => Some(None),
        Some(node) => match principal::from_node("policy", node) {
            Ok(p) => Some(Some(p)),
            Err(problems) => {
                out.extend(problems);
                None
            }
        },
    };
    let service = dir.join(item.get("service")?.as_str()?);
    let expect = item.get("expect")?;
    let ids = |key: &str, out: &mut Vec<Problem>| -> Option<Vec<String>> {
        let items = expect.get(key)?.as_seq()?;
        let mut ids = Vec::new();
        for n in items {
            let id = n.as_str()?;
            if !known.contains(&id) {
                let mut p = Problem::error(
                    "policy::unknown-policy".into(),
                    n.span,
                    format!("test `{name}` expects rule `{id}`, which this file does not define"),
                );
                p = match shape::did_you_mean(id, known) {
                    Some(s) => p.label(format!("did you mean `{s}`?")),
                    None => p.label("unknown rule"),
                };
                out.push(p.help("tests check the rules of their own file; name one of them"));
            }
            ids.push(id.to_string());
        }
        ids.sort();
        Some(ids)
    };
    let expect = Expect {
        denied: expect
            .get("outcome")
            .and_then(Node::as_str)
            .map(|o| o == "denied"),
        denied_by: ids("denied_by", out),
        preferred_by: ids("preferred_by", out),
    };
    Some(PolicyTest {
        name,
        span: name_node.span,
        request: request?,
        principal: principal?,
        service,
        expect,
    })
}

fn check_duplicate_ids(files: &mut [(PolicyFile, Vec<(String, Span)>)]) {
    let mut owner: BTreeMap<String, usize> = BTreeMap::new();
    let mut found: Vec<(usize, Problem)> = Vec::new();
    for (i, (_, ids)) in files.iter().enumerate() {
        for (id, span) in ids {
            match owner.get(id) {
                Some(&j) if j != i => found.push((
                    i,
                    duplicate(id, *span).help(format!(
                        "`{id}` is already defined in {}; rule ids must be unique across the set's files",
                        files[j].0.report.path
                    )),
                )),
                Some(_) => {}
                None => {
                    owner.insert(id.clone(), i);
                }
            }
        }
    }
    for (i, problem) in found {
        let file = &mut files[i].0;
        let mut problems = std::mem::take(&mut file.report.problems);
        problems.push(problem);
        let text = (*file.report.text).clone();
        file.report = FileReport::new(file.report.path.clone(), text, problems);
        file.policies.clear();
        file.tests.clear();
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    /// Rules of every effect, with the shapes of condition the shipped
    /// policies use.
    const SET: &str = r#"apiVersion: caio/v1
kind: PolicySet
policies:
  - id: no-pii-external
    description: Requests with personal data never go to external services.
    effect: deny
    when: { request.data.contains_pii: true }
    match: { service.privacy.hosting: { in: [external] } }
    message: "PII may not leave — use an on-prem service"
  - id: eu-residency
    effect: require
    when: { principal.tenant: { in: [acme, globex] } }
    match: { service.privacy.regions: { subset_of: [eu] } }
    message: "EU tenants stay in the EU"
  - id: prefer-internal
    effect: prefer
    weight: 0.3
    match: { service.privacy.hosting: { in: [internal, on_prem] } }
  - id: prefer-eu
    effect: prefer
    weight: 0.25
    when: { principal.tenant: { in: [acme, globex] } }
    match: { service.tags: { contains: eu } }
"#;

    /// A stored set reads the same on serde_json's tree as through the YAML
    /// reader, and back to the set it was stored from.
    #[test]
    fn a_stored_set_reads_back_the_same_on_either_reader() {
        let file = load_text("set.yaml", SET, Path::new("."));
        assert!(file.report.is_valid(), "{:?}", file.report.problems);
        let policies = file.policies;
        assert_eq!(policies.len(), 4);
        let set = PolicySet::new(policies);
        let (_, stored) = set.canonical().unwrap();
        assert!(crate::yaml::plain_json(&stored).is_some(), "one plain line");
        let fast = from_stored(&stored).unwrap();
        let yaml = PolicySet::new(load_text("stored", &stored, Path::new(".")).policies);
        let debug = |s: &PolicySet| format!("{:?}", s.policies());
        assert_eq!(debug(&fast), debug(&yaml));
        assert_eq!(debug(&fast), debug(&set));
        assert_eq!(fast.canonical().unwrap(), set.canonical().unwrap());
        // Not a set: refused with a reason, on either reader.
        assert!(from_stored("{\"policies\":7}").is_err());
        assert!(from_stored("policies: 7\n").is_err());
    }
}
