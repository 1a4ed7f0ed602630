//! Help and docs as a user meets them: global flags under their own
//! heading, usage lines that do not show `--home` when `CAIO_HOME` names
//! the home, `-q` the same in every command, completion of the ids a home
//! holds, man pages with EXAMPLES from the README, and counts that agree
//! with their nouns.

use crate::common::{TestEnv, repo};
use std::process::Command;

/// The lines of `--help` under `heading`, up to the next heading.
fn section<'a>(help: &'a str, heading: &str) -> Vec<&'a str> {
    help.lines()
        .skip_while(|l| *l != heading)
        .skip(1)
        .take_while(|l| l.is_empty() || l.starts_with(' '))
        .collect()
}

#[test]
fn global_flags_are_listed_under_their_own_heading() {
    let env = TestEnv::new();
    for args in [
        &["registry", "show", "--help"][..],
        &["license", "issue", "--help"],
        &["route", "-h"],
    ] {
        let run = env.run(args);
        run.code(0);
        let options = section(&run.stdout, "Options:").join("\n");
        let global = section(&run.stdout, "Global options:").join("\n");
        for flag in ["--home", "--format", "--color", "--quiet", "--verbose"] {
            assert!(
                global.contains(flag) && !options.contains(flag),
                "{flag} of {args:?}:\n{run}"
            );
        }
    }
}

/// With `CAIO_HOME` set, a usage error's usage line reads as with no home
/// named: `--home` is not shown as if it were required.
#[test]
fn usage_lines_do_not_show_home_when_caio_home_names_it() {
    let env = TestEnv::new();
    let run = env.run(["license", "keygen", "--bogus"]);
    run.code(2);
    assert!(
        run.stderr
            .contains("Usage: caio license keygen [OPTIONS]\n"),
        "{run}"
    );
    let run = env.run(["route"]);
    run.code(2);
    assert!(
        run.stderr.contains("Usage: caio route <REQUEST>\n"),
        "{run}"
    );
    assert!(!run.stderr.contains("--home"), "{run}");

    // CAIO_HOME still names the home, and --home wins over it.
    env.run(["init"]).code(0);
    assert!(env.home().join("caio.db").is_file());
    let other = env.scratch().join("other-home");
    env.cmd()
        .arg("--home")
        .arg(&other)
        .arg("init")
        .run()
        .code(0);
    assert!(other.join("caio.db").is_file());
    // An empty CAIO_HOME counts as unset.
    let run = env
        .cmd()
        .env("CAIO_HOME", "")
        .args(["license", "status"])
        .run();
    run.code(0);
}

/// `-q` keeps results and problems and drops everything else, whatever the
/// command.
#[test]
fn quiet_means_the_same_in_every_command() {
    let env = TestEnv::new();
    let q = |args: &[&str]| env.cmd().arg("-q").args(args).run();

    // Results stay on stdout; status lines go.
    let add = q(&["registry", "add", "contracts/"]);
    add.code(0);
    assert!(
        add.stdout.contains("mistral-large-eu") && add.stderr.is_empty(),
        "{add}"
    );
    let keygen = q(&["license", "keygen"]);
    keygen.code(0);
    assert!(
        keygen.stdout.contains("key id") && keygen.stderr.is_empty(),
        "{keygen}"
    );
    let issue = q(&[
        "license",
        "issue",
        "--customer",
        "Acme",
        "--features",
        "route",
        "--expires",
        "30d",
    ]);
    issue.code(0);
    assert!(
        issue.stdout.starts_with("caio-lic-v1.") && issue.stderr.is_empty(),
        "{issue}"
    );

    // A route: the decision stays; the summary line and the hints go.
    let request = env.scratch().join("chat.json");
    std::fs::write(&request, r#"{"capability": "chat"}"#).unwrap();
    let full = env.cmd().arg("route").arg(&request).arg("--explain").run();
    let quiet = env
        .cmd()
        .arg("-q")
        .arg("route")
        .arg(&request)
        .arg("--explain")
        .run();
    full.code(0);
    quiet.code(0);
    assert!(
        full.stdout.contains("services eligible") && full.stdout.contains("hint: "),
        "{full}"
    );
    assert!(
        quiet.stdout.starts_with("routed chat → ")
            && quiet.stdout.contains("SCORE")
            && !quiet.stdout.contains("services eligible")
            && !quiet.stdout.contains("hint: "),
        "{quiet}"
    );

    // Problems stay: a warning is not silenced by -q (here: a licence in
    // its grace period), nor a file's warning.
    let expired = env
        .cmd()
        .args([
            "--format",
            "json",
            "license",
            "issue",
            "--customer",
            "Acme",
            "--features",
            "route",
        ])
        .args(["--not-before", "2020-01-01", "--expires", &days_ago(3)])
        .run()
        .json();
    env.cmd()
        .args(["license", "trust"])
        .arg(env.home().join("keys/vendor.pub"))
        .run()
        .code(0);
    let verify = q(&["license", "verify", expired["license"].as_str().unwrap()]);
    verify.code(0);
    assert!(
        verify.stderr.contains("warning: license ") && verify.stderr.contains("in grace until"),
        "{verify}"
    );
    let validate = q(&[
        "contract",
        "validate",
        "fixtures/contracts/warning/insecure-url.yaml",
    ]);
    assert!(
        validate.stdout.is_empty() && validate.stderr.contains("insecure-url"),
        "{validate}"
    );

    // The help says what it means.
    let help = env.run(["--help"]);
    assert!(
        help.stdout.contains("Quiet, the same in every command"),
        "{help}"
    );
}

fn days_ago(n: i64) -> String {
    use jiff::ToSpan;
    jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date()
        .checked_sub(n.days())
        .unwrap()
        .to_string()
}

/// The committed bash script completes subcommands from the binary and
/// service ids, principal names, decision ids and license ids from the home.
#[test]
fn completion_offers_the_ids_a_home_holds() {
    let env = TestEnv::new();
    env.run(["registry", "add", "contracts/"]).code(0);
    env.run(["principal", "add", "alice", "--trust", "high"])
        .code(0);
    let request = env.scratch().join("chat.json");
    std::fs::write(&request, r#"{"capability": "chat"}"#).unwrap();
    env.cmd().arg("route").arg(&request).run().code(0);
    let decision = env
        .cmd()
        .args(["--format", "json", "trace", "list"])
        .run()
        .json()["records"][0]["decision_id"]
        .as_str()
        .unwrap()
        .to_string();
    env.run(["license", "keygen"]).code(0);
    let license = env
        .cmd()
        .args([
            "--format",
            "json",
            "license",
            "issue",
            "--customer",
            "Acme",
            "--features",
            "route",
        ])
        .args(["--expires", "30d"])
        .run()
        .json()["claims"]["id"]
        .as_str()
        .unwrap()
        .to_string();

    let bin = assert_cmd::cargo::cargo_bin("caio");
    let script = format!(
        r#"source {script}
comp() {{
    COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 )); COMP_TYPE=9
    _clap_complete_caio caio "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
    printf '%s\n' "${{COMPREPLY[@]}}"; echo ---
}}
comp caio reg
comp caio registry show mis
comp caio principal revoke al
comp caio trace show {prefix}
comp caio license revoke {license_prefix}
comp caio --home {elsewhere} registry show mis
"#,
        script = repo().join("completions/caio.bash").display(),
        prefix = &decision[..6],
        license_prefix = &license[..6],
        elsewhere = env.scratch().join("elsewhere").display(),
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .env_clear()
        .env(
            "PATH",
            format!("{}:/usr/bin:/bin", bin.parent().unwrap().display()),
        )
        .env("HOME", env.scratch())
        .env("CAIO_HOME", env.home())
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Vec<Vec<&str>> = stdout
        .split("---\n")
        .map(|block| block.lines().filter(|l| !l.is_empty()).collect())
        .collect();
    assert_eq!(answers[0], ["registry"], "{stdout}");
    assert_eq!(
        answers[1],
        ["mistral-embed-eu", "mistral-large-eu"],
        "{stdout}"
    );
    assert_eq!(answers[2], ["alice"], "{stdout}");
    assert_eq!(answers[3], [decision.as_str()], "{stdout}");
    assert_eq!(answers[4], [license.as_str()], "{stdout}");
    // Another home (--home on the line being completed) holds no services.
    assert!(answers[5].is_empty(), "{stdout}");
    // Every shell's script asks caio itself.
    for name in ["caio.bash", "_caio", "caio.fish", "caio.elv", "_caio.ps1"] {
        let text = std::fs::read_to_string(repo().join("completions").join(name)).unwrap();
        assert!(text.contains("CAIO_COMPLETE"), "{name}");
    }
}

/// Each man page shows the README's examples of its command; caio.1 shows
/// the README's tour.
#[test]
fn man_pages_show_the_readmes_examples() {
    let page = |name: &str| std::fs::read_to_string(repo().join("man").join(name)).unwrap();
    let examples = caio::cli::docs::readme_examples();
    assert!(examples.len() > 40, "{examples:?}");
    let top = page("caio.1");
    assert!(top.contains(".SH EXAMPLES"));
    for e in &examples {
        let roff = e.command.replace('\\', "\\\\").replace('-', "\\-");
        let name = if e.words.is_empty() {
            "caio.1".to_string()
        } else {
            format!("caio-{}.1", e.words.join("-"))
        };
        assert!(
            page(&name).contains(&format!("\\fB{roff}\\fR")),
            "{name} lacks `{}`",
            e.command
        );
        if e.section == "Tour" {
            assert!(
                top.contains(&format!("\\fB{roff}\\fR")),
                "caio.1 lacks `{}`",
                e.command
            );
        }
    }
    for name in [
        "caio-registry-add.1",
        "caio-route.1",
        "caio-license-issue.1",
    ] {
        assert!(page(name).contains(".SH EXAMPLES"), "{name}");
    }
}

/// "1 tests" read wrong: counts agree with their nouns.
#[test]
fn counts_agree_with_their_nouns() {
    let env = TestEnv::new();
    let contract = repo().join("contracts/openai-gpt-4o.yaml");
    let file = env.scratch().join("one.yaml");
    std::fs::write(
        &file,
        format!(
            "apiVersion: caio/v1
kind: PolicySet
policies:
  - id: no-pii-to-external
    effect: deny
    when:  {{ request.data.contains_pii: true }}
    match: {{ service.privacy.hosting: {{ in: [external] }} }}
tests:
  - name: pii to an external service is denied
    request: {{ capability: chat, data: {{ contains_pii: true }} }}
    service: {}
    expect: {{ outcome: denied }}
",
            contract.display()
        ),
    )
    .unwrap();
    let run = env.cmd().args(["policy", "test"]).arg(&file).run();
    run.code(0);
    assert!(run.stdout.contains("1 test: 1 passed, 0 failed"), "{run}");
    let run = env.cmd().args(["policy", "validate"]).arg(&file).run();
    assert!(
        run.stdout
            .contains("1 file checked: 1 valid, 0 invalid; 1 rule ("),
        "{run}"
    );
    let run = env.run(["registry", "add", "contracts/openai-gpt-4o.yaml"]);
    assert!(run.stderr.contains("1 of 1 contract stored"), "{run}");
}
