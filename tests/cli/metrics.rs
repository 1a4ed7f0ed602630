//! `caio metrics` (SPEC §14): the state in the Prometheus text format,
//! checked by the real `promtool check metrics` (Debian's `prometheus`
//! package; `.ci/run` installs it, and with `CI=true` a missing promtool
//! fails the test), and `--out` written atomically for the textfile
//! collector.

use crate::common::{TestEnv, run};
use crate::outcome::{registry_home, request, route};
use std::path::Path;

/// `promtool`, or `None` outside CI when it is not installed.
fn promtool() -> Option<std::path::PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("promtool"))
            .find(|p| p.is_file())
    });
    crate::common::component(found, "promtool on PATH", "Debian package `prometheus`")
}

/// `promtool check metrics < text`: (exit code, what it said).
fn check(promtool: &Path, text: &str) -> (i32, String) {
    use std::io::Write;
    let mut child = std::process::Command::new(promtool)
        .args(["check", "metrics"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run promtool");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

/// The value of the sample `line_start` (name and labels as printed).
fn value(text: &str, line_start: &str) -> f64 {
    text.lines()
        .find_map(|l| l.strip_prefix(line_start)?.strip_prefix(' '))
        .unwrap_or_else(|| panic!("no sample `{line_start}` in:\n{text}"))
        .parse()
        .unwrap()
}

#[test]
fn metrics_pass_promtool_and_count_what_happened() {
    let Some(promtool) = promtool() else {
        return;
    };
    let env = TestEnv::new();
    registry_home(&env);
    // A fresh home prints what little there is, and passes too.
    let (code, empty, stderr) = run(env.caio().arg("metrics"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(check(&promtool, &empty), (0, String::new()), "{empty}");

    let chat = request(&env, "chat-balanced", None);
    let first = route(&env, &chat);
    let second = route(&env, &chat);
    route(&env, &request(&env, "no-route-restricted-us", None));
    for (d, args) in [
        (
            &first,
            vec![
                "--status",
                "ok",
                "--latency-ms",
                "1800",
                "--output-tokens",
                "1000",
            ],
        ),
        (&second, vec!["--status", "error"]),
    ] {
        let (code, _, stderr) = run(env
            .caio()
            .args(["trace", "outcome", d["decision_id"].as_str().unwrap()])
            .args(args));
        assert_eq!(code, 0, "{stderr}");
    }
    let (code, _, stderr) = run(env.caio().args(["trace", "checkpoint"]));
    assert_eq!(code, 0, "{stderr}");
    // A vendor key trusted and a license installed.
    let vendor = env.scratch().join("vendor");
    for args in [
        vec!["license", "keygen", "--out", vendor.to_str().unwrap()],
        vec![
            "license",
            "trust",
            vendor.join("vendor.pub").to_str().unwrap(),
        ],
    ] {
        let (code, _, stderr) = run(env.caio().args(&args));
        assert_eq!(code, 0, "{stderr}");
    }
    let (code, license, stderr) = run(env.caio().args([
        "license",
        "issue",
        "--key",
        vendor.join("vendor.key").to_str().unwrap(),
        "--customer",
        "Acme \"West\"",
        "--features",
        "route",
        "--expires",
        "2099-01-01",
    ]));
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run(env.caio().args(["license", "install", license.trim()]));
    assert_eq!(code, 0, "{stderr}");

    let (code, text, stderr) = run(env.caio().arg("metrics"));
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(check(&promtool, &text), (0, String::new()), "{text}");
    let service = first["service_id"].as_str().unwrap();
    let s = |name: &str, labels: &str| value(&text, &format!("{name}{{{labels}}}"));
    assert_eq!(s("caio_decisions_total", "outcome=\"routed\""), 2.0);
    assert_eq!(s("caio_decisions_total", "outcome=\"no_route\""), 1.0);
    assert_eq!(s("caio_decisions_total", "outcome=\"refused\""), 0.0);
    assert_eq!(s("caio_outcomes_reported_total", "result=\"success\""), 1.0);
    assert_eq!(s("caio_outcomes_reported_total", "result=\"failure\""), 1.0);
    let calls = |result: &str| {
        s(
            "caio_service_requests_total",
            &format!("service=\"{service}\",result=\"{result}\""),
        )
    };
    assert_eq!((calls("success"), calls("failure")), (1.0, 1.0));
    assert_eq!(
        s(
            "caio_service_latency_seconds",
            &format!("service=\"{service}\",quantile=\"0.95\"")
        ),
        1.8
    );
    assert_eq!(
        s(
            "caio_service_guarantee_violations_total",
            &format!("service=\"{service}\"")
        ),
        1.0,
        "1800 ms is above the p99 of 1500 ms"
    );
    assert_eq!(
        s(
            "caio_service_circuit_state",
            &format!("service=\"{service}\",state=\"closed\"")
        ),
        1.0
    );
    // 1000 output tokens at 0.0006 per 1k.
    let spend = s(
        "caio_service_spend_total",
        &format!("service=\"{service}\",currency=\"USD\""),
    );
    assert!((spend - 0.0006).abs() < 1e-12, "{spend}");
    assert_eq!(value(&text, "caio_decision_candidates_count"), 3.0);
    assert_eq!(value(&text, "caio_trace_records"), 5.0);
    assert_eq!(value(&text, "caio_trace_unsigned_records"), 0.0);
    assert!(value(&text, "caio_trace_checkpoint_age_seconds") < 600.0);
    // Valid through 2099-01-01: it expires at the end of that day.
    let expiry: jiff::Timestamp = "2099-01-02T00:00:00Z".parse().unwrap();
    let license_line = text
        .lines()
        .find(|l| l.starts_with("caio_license_expiry_timestamp_seconds{"))
        .expect("a license expiry");
    assert!(
        license_line.contains("customer=\"Acme \\\"West\\\"\""),
        "the label value is escaped: {license_line}"
    );
    assert!(
        license_line.ends_with(&format!(" {}", expiry.as_second())),
        "{license_line}"
    );

    // --out: the same families, written atomically for the textfile
    // collector; no temporary file left behind; readable by a collector.
    let dir = env.scratch().join("textfile");
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("caio.prom");
    std::fs::write(&out, "stale").unwrap();
    let (code, stdout, stderr) = run(env.caio().args(["metrics", "--out"]).arg(&out));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.is_empty());
    let written = std::fs::read_to_string(&out).unwrap();
    let families = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("# TYPE"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(families(&written), families(&text));
    assert_eq!(check(&promtool, &written), (0, String::new()));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["caio.prom"]);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&out).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o644);
    }
    // A directory that does not exist: exit 1, nothing written.
    let missing = dir.join("missing").join("caio.prom");
    let (code, _, stderr) = run(env.caio().args(["metrics", "--out"]).arg(&missing));
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot write"), "{stderr}");
    assert!(!missing.parent().unwrap().exists());
}

/// `metrics` has one format, Prometheus text: `--format json` is a usage
/// error (exit 2, reported as JSON on stderr), not text printed anyway.
#[test]
fn metrics_refuse_format_json() {
    let env = TestEnv::new();
    let refused = env.run(["--format", "json", "metrics"]);
    assert_eq!(refused.code(2).stdout, "", "{refused}");
    let error = refused.json_err();
    assert_eq!(error["code"], "caio::usage", "{error:#}");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("Prometheus text format"),
        "{error:#}"
    );
}
