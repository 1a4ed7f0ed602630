//! Audit queries (SPEC §9): `trace list` filters and `trace stats`, driven
//! by the audit index, checked against a brute-force reading of every
//! exported record (the index is an optimisation, never another answer).

use crate::common::{TestEnv, run, run_json};
use caio::app;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};

const REQUESTS: [&str; 6] = [
    "chat-balanced",
    "chat-eu-confidential-pii",
    "chat-restricted-hr",
    "embedding-eu-multilingual",
    "chain-rag-latency-bound",
    "no-route-restricted-us",
];

fn ok(env: &TestEnv, args: &[&str]) -> String {
    let (code, stdout, stderr) = run(env.caio().args(args));
    assert_eq!(code, 0, "caio {args:?}: {stderr}");
    stdout
}

/// Routes `name` as `token`'s principal through the library at `at`.
fn route_at(env: &TestEnv, name: &str, token: Option<&str>, at: jiff::Timestamp) {
    let text = std::fs::read_to_string(
        crate::common::repo().join(format!("fixtures/requests/{name}.json")),
    )
    .unwrap();
    let mut value: Value = serde_json::from_str(&text).unwrap();
    if let Some(token) = token {
        value["auth"] = json!({ "token": token });
    }
    let home = caio_store::home::Home { path: env.home() };
    let store = caio_store::Store::open_existing(&home, std::time::Duration::from_secs(5)).unwrap();
    let mut router = caio_store::router::Router::registry(store, home)
        .unwrap()
        .at(at);
    let request = caio_core::request::parse("r.json", &value.to_string()).unwrap();
    let routed = router.route(&request).unwrap();
    app::route::trace(&mut router, &[(&request, &routed)], false, None, at).unwrap();
}

/// What a decision record says, read the slow way.
#[derive(Debug, Default)]
struct Facts {
    at: String,
    terms: BTreeSet<(String, String)>,
}

/// Every live decision's facts by seq, from `trace export` alone; an
/// outcome adds its `executed` term to its decision.
fn brute_force(env: &TestEnv) -> BTreeMap<i64, Facts> {
    let mut out: BTreeMap<i64, Facts> = BTreeMap::new();
    for line in ok(env, &["trace", "export"]).lines() {
        let l: Value = serde_json::from_str(line).unwrap();
        if l["type"] != "record" {
            continue;
        }
        let r = &l["record"];
        let seq = l["seq"].as_i64().unwrap();
        if r["kind"] == "outcome" {
            let how = if r["status"] == "ok" { "ok" } else { "failed" };
            out.get_mut(&r["decision"]["seq"].as_i64().unwrap())
                .unwrap()
                .terms
                .insert(("executed".into(), how.into()));
            continue;
        }
        let mut f = Facts {
            at: r["at"].as_str().unwrap().to_string(),
            ..Facts::default()
        };
        let mut add = |k: &str, v: &Value| {
            if let Some(v) = v.as_str() {
                f.terms.insert((k.to_string(), v.to_string()));
            }
        };
        add("outcome", &r["outcome"]);
        add("principal", &r["decision"]["principal"]);
        add("tenant", &r["identity"]["principal"]["tenant"]);
        add("capability", &r["request"]["capability"]);
        for step in r["request"]["chain"].as_array().into_iter().flatten() {
            add("capability", &step["capability"]);
        }
        for c in r["decision"]["chosen"].as_array().unwrap() {
            add("service", &c["service_id"]);
        }
        for step in r["decision"]["steps"].as_array().unwrap() {
            for stage in step["rejected_by_stage"].as_object().unwrap().keys() {
                add("stage", &json!(stage));
            }
            for rule in step["rejected_by_rule"].as_object().unwrap().keys() {
                add("rule", &json!(rule));
            }
        }
        out.insert(seq, f);
    }
    out
}

#[test]
fn filters_and_stats_agree_with_reading_every_record() {
    let env = TestEnv::new();
    ok(&env, &["registry", "add", "contracts"]);
    ok(&env, &["policy", "apply", "policies"]);
    let mut tokens = Vec::new();
    for (name, tenant, roles, trust) in [
        ("ana", "acme", "analyst", "high"),
        ("bo", "globex", "engineer", "medium"),
        ("hr", "acme", "hr", "high"),
    ] {
        let token = ok(
            &env,
            &[
                "principal",
                "add",
                name,
                "--tenant",
                tenant,
                "--roles",
                roles,
                "--trust",
                trust,
            ],
        );
        tokens.push(token.trim().to_string());
    }
    // Twelve days, a decision every few hours, a different request and
    // caller each time (and now and then an anonymous or refused one).
    let start: jiff::Timestamp = "2026-03-01T00:00:00Z".parse().unwrap();
    for i in 0..48i64 {
        let at = start + jiff::SignedDuration::from_hours(i * 6);
        let token = match i % 5 {
            0 => None,
            4 => Some("caio_UNKNOWNtokenUNKNOWNtokenUNKNOWNtoken123"),
            n => Some(tokens[(n as usize - 1) % tokens.len()].as_str()),
        };
        route_at(&env, REQUESTS[i as usize % REQUESTS.len()], token, at);
    }
    // Outcomes for a few routed decisions.
    let routed: Vec<i64> = {
        let (_, doc) = run_json(env.caio().args([
            "--format",
            "json",
            "trace",
            "list",
            "--outcome",
            "routed",
            "--limit",
            "8",
        ]));
        doc["records"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| !r["services"].as_str().unwrap().contains(','))
            .map(|r| r["seq"].as_i64().unwrap())
            .collect()
    };
    assert!(routed.len() >= 3, "{routed:?}");
    for (i, seq) in routed.iter().take(3).enumerate() {
        let status: &[&str] = if i == 1 {
            &["--status", "error"]
        } else {
            &["--status", "ok", "--latency-ms", "120"]
        };
        ok(
            &env,
            &[&["trace", "outcome", &seq.to_string()][..], status].concat(),
        );
    }

    let facts = brute_force(&env);
    let values = |kind: &str| -> BTreeSet<String> {
        facts
            .values()
            .flat_map(|f| f.terms.iter())
            .filter(|(k, _)| k == kind)
            .map(|(_, v)| v.clone())
            .collect()
    };
    let rules = values("rule");
    assert!(
        rules.contains("eu-residency") && rules.len() >= 4,
        "{rules:?}"
    );

    // Filters, alone and combined, with and without a time window.
    let mut filters: Vec<Vec<(&str, String)>> = Vec::new();
    for kind in [
        "service",
        "principal",
        "tenant",
        "capability",
        "stage",
        "rule",
        "outcome",
        "executed",
    ] {
        for v in values(kind) {
            filters.push(vec![(kind, v)]);
        }
    }
    for rule in &rules {
        for tenant in values("tenant") {
            filters.push(vec![("rule", rule.clone()), ("tenant", tenant)]);
        }
    }
    filters.push(vec![("rule", "no-such-rule".into())]);
    let windows = [
        (None, None),
        (Some("2026-03-05"), None),
        (Some("2026-03-05T06:00:00Z"), Some("2026-03-09")),
    ];
    let mut checked = 0;
    for terms in &filters {
        for (since, until) in windows {
            let expected: Vec<i64> = facts
                .iter()
                .rev()
                .filter(|(_, f)| {
                    terms
                        .iter()
                        .all(|(k, v)| f.terms.contains(&(k.to_string(), v.clone())))
                        && since.is_none_or(|s| f.at.as_str() >= day(s).as_str())
                        && until.is_none_or(|u| f.at.as_str() < day(u).as_str())
                })
                .map(|(seq, _)| *seq)
                .collect();
            let mut args = vec!["--format", "json", "trace", "list", "--limit", "1000"];
            let flags: Vec<String> = terms.iter().map(|(k, _)| format!("--{k}")).collect();
            for ((_, v), flag) in terms.iter().zip(&flags) {
                args.extend([flag.as_str(), v.as_str()]);
            }
            if let Some(s) = since {
                args.extend(["--since", s]);
            }
            if let Some(u) = until {
                args.extend(["--until", u]);
            }
            let (code, doc) = run_json(env.caio().args(&args));
            assert_eq!(code, 0, "{args:?}: {doc:#}");
            let got: Vec<i64> = doc["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["seq"].as_i64().unwrap())
                .collect();
            assert_eq!(got, expected, "trace list {args:?}");
            checked += 1;
        }
    }
    assert!(checked > 60, "{checked}");

    // Stats: every kind, overall and for one tenant in a window.
    for by in [
        "service",
        "capability",
        "principal",
        "tenant",
        "stage",
        "rule",
        "outcome",
        "executed",
    ] {
        for scoped in [false, true] {
            let mut expected: BTreeMap<String, u64> = BTreeMap::new();
            for f in facts.values() {
                if scoped
                    && !(f.terms.contains(&("tenant".into(), "acme".into()))
                        && f.at.as_str() >= "2026-03-04T00:00:00Z")
                {
                    continue;
                }
                for (k, v) in &f.terms {
                    if k == by {
                        *expected.entry(v.clone()).or_default() += 1;
                    }
                }
            }
            let mut args = vec!["--format", "json", "trace", "stats", "--by", by];
            if scoped {
                args.extend(["--tenant", "acme", "--since", "2026-03-04"]);
            }
            let (code, doc) = run_json(env.caio().args(&args));
            assert_eq!(code, 0);
            let got: BTreeMap<String, u64> = doc["counts"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["value"].as_str().unwrap().to_string(),
                        c["decisions"].as_u64().unwrap(),
                    )
                })
                .collect();
            assert_eq!(got, expected, "trace stats {args:?}");
        }
    }

    // The question of the issue, in one command, for people.
    let answer = env.run([
        "trace",
        "list",
        "--rule",
        "eu-residency",
        "--tenant",
        "acme",
        "--since",
        "2026-03-06",
        "--until",
        "2026-03-13",
    ]);
    assert_eq!(answer.code, 0);
    let rows = answer.stdout.lines().count() - 1;
    let expected = facts
        .values()
        .filter(|f| {
            f.terms.contains(&("rule".into(), "eu-residency".into()))
                && f.terms.contains(&("tenant".into(), "acme".into()))
                && f.at.as_str() >= "2026-03-06T00:00:00Z"
                && f.at.as_str() < "2026-03-13T00:00:00Z"
        })
        .count();
    assert_eq!(rows, expected, "{answer}");
    assert!(rows > 0, "{answer}");
    insta::assert_snapshot!("audit_answer", answer);
}

/// A date or time as the filters take it, as records write times.
fn day(s: &str) -> String {
    if s.len() == 10 {
        format!("{s}T00:00:00Z")
    } else {
        s.to_string()
    }
}
