//! `caio policy test`: runs the `tests:` blocks of policy files. A test
//! evaluates the rules of its own file for one request, principal and
//! service, and compares the rules that fired with what it expects.

use super::load::{PolicyFile, PolicyTest};
use super::paths::{Context, Facts};
use super::{PolicySet, PolicyVerdict};
use crate::contract::ValidationRun;
use crate::lifecycle::ServiceStatus;
use crate::principal::Principal;
use crate::routing::score;
use crate::yaml::LineIndex;
use serde::Serialize;
use std::path::Path;

/// The code of a test whose rules did not fire as it expects (or that
/// could not run), and what it means: reports in CI formats file a failed
/// test under it, beside the codes of policy files.
pub const TEST_FAILED: (&str, &str) = (
    "policy::test-failed",
    "a policy test's rules did not fire as it expects, or its service is not a valid contract",
);

/// The result of one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The policy file the test is in, as given.
    pub file: String,
    /// The test's `name`.
    pub name: String,
    /// 1-based line and column of the test's `name` in its file.
    pub line: usize,
    /// See `line`; columns count characters.
    pub column: usize,
    /// Whether the rules fired as expected.
    pub passed: bool,
    /// The rules that rejected the service.
    pub(crate) denied_by: Vec<String>,
    /// The prefer rules that applied.
    pub(crate) preferred_by: Vec<String>,
    /// What differed from the expectation, or why the test could not run.
    pub failures: Vec<String>,
}

/// Reads the contract a test names (the edge does the reading).
pub(crate) type LoadContract<'a> = dyn FnMut(&Path) -> ValidationRun + 'a;

/// Runs every test of one file against that file's rules.
pub fn run_file(file: &PolicyFile, load: &mut LoadContract<'_>) -> Vec<TestResult> {
    let set = PolicySet::new(file.policies.clone());
    let index = LineIndex::new(&file.report.text);
    file.tests
        .iter()
        .map(|t| {
            let (line, column) = index.line_col(t.span.offset);
            run_test(&file.report.path, (line, column), &set, t, load)
        })
        .collect()
}

fn run_test(
    path: &str,
    (line, column): (usize, usize),
    set: &PolicySet,
    test: &PolicyTest,
    load: &mut LoadContract<'_>,
) -> TestResult {
    let mut result = TestResult {
        file: path.to_string(),
        name: test.name.clone(),
        line,
        column,
        passed: false,
        denied_by: Vec::new(),
        preferred_by: Vec::new(),
        failures: Vec::new(),
    };
    let run = load(&test.service);
    let Some(contract) = run.files.first().and_then(|f| f.contract.clone()) else {
        let why = run
            .files
            .first()
            .and_then(|f| f.report.problems.first())
            .map_or_else(|| "no contract".to_string(), |p| p.message.clone());
        result.failures.push(format!(
            "service `{}` is not a valid contract: {why}",
            test.service.display()
        ));
        return result;
    };
    let request = &test.request;
    let step = request.steps().into_iter().next();
    let capability = step
        .as_ref()
        .map(|s| s.capability.clone())
        .or_else(|| contract.capabilities.first().map(|c| c.kind.clone()))
        .unwrap_or_default();
    let input = step.map_or_else(|| request.input.clone(), |s| s.input);
    let offered = contract
        .capabilities
        .iter()
        .position(|c| c.kind == capability);
    let principal = test.principal.clone().unwrap_or_else(Principal::anonymous);
    let ctx = Context {
        request,
        capability: &capability,
        step: 0,
        input: &input,
        principal: &principal,
        anonymous: test.principal.is_none(),
        service: (&contract).into(),
        facts: Facts::of(&contract),
        compiled: None,
        offered_at: offered,
        status: ServiceStatus::Active,
        estimate: score::estimate(&contract, &input),
    };
    let verdict: PolicyVerdict = set.evaluate(&ctx);
    let mut denied_by: Vec<String> = verdict
        .rejections
        .iter()
        .map(|r| r.rule.to_string())
        .collect();
    denied_by.sort();
    denied_by.dedup();
    let mut preferred_by = verdict.preferred_by.clone();
    preferred_by.sort();
    let expect = &test.expect;
    if let Some(denied) = expect.denied
        && denied == denied_by.is_empty()
    {
        result.failures.push(format!(
            "expected outcome {}, got {}{}",
            outcome(denied),
            outcome(!denied_by.is_empty()),
            explain(&verdict)
        ));
    }
    if let Some(want) = &expect.denied_by
        && *want != denied_by
    {
        result.failures.push(format!(
            "expected denied_by [{}], got [{}]{}",
            want.join(", "),
            denied_by.join(", "),
            explain(&verdict)
        ));
    }
    if let Some(want) = &expect.preferred_by
        && *want != preferred_by
    {
        result.failures.push(format!(
            "expected preferred_by [{}], got [{}]",
            want.join(", "),
            preferred_by.join(", ")
        ));
    }
    result.passed = result.failures.is_empty();
    result.denied_by = denied_by;
    result.preferred_by = preferred_by;
    result
}

fn outcome(denied: bool) -> &'static str {
    if denied { "denied" } else { "allowed" }
}

fn explain(verdict: &PolicyVerdict) -> String {
    if verdict.rejections.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = verdict
        .rejections
        .iter()
        .map(|r| format!("{}: {}", r.rule, r.message))
        .collect();
    format!(" ({})", parts.join("; "))
}
