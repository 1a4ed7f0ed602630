//! The README's day-one tutorials, run: every `$ command` of each
//! `### Day one: …` section is executed in order by one shell (so `export`
//! and files carry over), in a fresh directory holding the repository's
//! `contracts/`, `policies/` and `fixtures/`, and its output (stdout and
//! stderr, as a terminal shows them) must match the lines the README shows
//! under it. In those lines `…` matches anything on its line, and a line
//! that is only `…` matches any number of lines; `[exit N]` is the exit
//! status (0 when not shown); a command shown without output prints
//! nothing.

use crate::common::repo;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

struct Step {
    /// The README line of the command.
    line: usize,
    command: String,
    expected: Vec<String>,
    exit: i32,
}

struct Tutorial {
    name: String,
    steps: Vec<Step>,
}

fn tutorials(readme: &str) -> Vec<Tutorial> {
    let mut out: Vec<Tutorial> = Vec::new();
    let mut in_console = false;
    let mut lines = readme.lines().enumerate();
    while let Some((i, line)) = lines.next() {
        if let Some(name) = line.strip_prefix("### Day one: ") {
            out.push(Tutorial {
                name: name.to_string(),
                steps: Vec::new(),
            });
            continue;
        }
        if line.starts_with("## ") || (line.starts_with("### ") && !line.contains("Day one")) {
            // Past the tutorials.
            if !out.is_empty() && !line.starts_with("### ") {
                break;
            }
        }
        let Some(tutorial) = out.last_mut() else {
            continue;
        };
        if line.starts_with("```") {
            in_console = line == "```console";
            continue;
        }
        if !in_console {
            continue;
        }
        if let Some(command) = line.strip_prefix("$ ") {
            let mut command = command.to_string();
            while command.ends_with('\\') {
                let (_, next) = lines.next().expect("a continued command goes on");
                command.push('\n');
                command.push_str(next);
            }
            tutorial.steps.push(Step {
                line: i + 1,
                command,
                expected: Vec::new(),
                exit: 0,
            });
            continue;
        }
        let step = tutorial
            .steps
            .last_mut()
            .expect("output lines follow a command");
        match line
            .strip_prefix("[exit ")
            .and_then(|rest| rest.strip_suffix(']'))
        {
            Some(code) => step.exit = code.parse().expect("[exit N]"),
            None => step.expected.push(line.to_string()),
        }
    }
    out
}

/// A pattern for the lines a README shows: `…` matches anything on its
/// line, a lone `…` any number of lines.
fn pattern(expected: &[String]) -> regex::Regex {
    let mut p = String::from("^");
    for line in expected {
        if line.trim() == "…" {
            p.push_str(r"(?:[^\n]*\n)*?");
        } else {
            let parts: Vec<String> = line.trim_end().split('…').map(regex::escape).collect();
            p.push_str(&parts.join(r"[^\n]*"));
            p.push('\n');
        }
    }
    p.push('$');
    regex::Regex::new(&p).expect("a pattern")
}

/// Runs one tutorial; returns what did not match.
fn run(tutorial: &Tutorial, dir: &Path) -> Vec<String> {
    let mut script = String::from("set -u\n");
    for (i, step) in tutorial.steps.iter().enumerate() {
        writeln!(
            script,
            "printf '@@@step {i}\\n'\n{{\n{}\n}} 2>&1\nprintf '\\n@@@exit {i} %d\\n' $?",
            step.command
        )
        .unwrap();
    }
    let bin = assert_cmd::cargo::cargo_bin("caio");
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    for name in ["contracts", "policies", "fixtures"] {
        std::os::unix::fs::symlink(repo().join(name), dir.join(name)).unwrap();
    }
    let out = Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .env_clear()
        .env(
            "PATH",
            format!(
                "{}:/usr/local/bin:/usr/bin:/bin",
                bin.parent().unwrap().display()
            ),
        )
        .env("HOME", &home)
        .env("LANG", "C.UTF-8")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "80")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut problems = Vec::new();
    for (i, step) in tutorial.steps.iter().enumerate() {
        let start = format!("@@@step {i}\n");
        let end = format!("\n@@@exit {i} ");
        let (Some(a), Some(b)) = (stdout.find(&start), stdout.find(&end)) else {
            problems.push(format!(
                "README line {}: `{}` did not run to its end:\n{stdout}{}",
                step.line,
                step.command,
                String::from_utf8_lossy(&out.stderr)
            ));
            break;
        };
        let output = &stdout[a + start.len()..b];
        let code: i32 = stdout[b + end.len()..]
            .lines()
            .next()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or(-1);
        let actual: String = output
            .lines()
            .map(|l| format!("{}\n", l.trim_end()))
            .collect::<String>()
            .trim_end_matches('\n')
            .to_string();
        let actual = if actual.is_empty() {
            actual
        } else {
            format!("{actual}\n")
        };
        if code != step.exit || !pattern(&step.expected).is_match(&actual) {
            problems.push(format!(
                "README line {}: `{}`\n--- expected (exit {})\n{}\n--- got (exit {code})\n{actual}",
                step.line,
                step.command,
                step.exit,
                step.expected.join("\n")
            ));
        }
    }
    problems
}

#[test]
fn the_readme_day_one_tutorials_run_as_shown() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let tutorials = tutorials(&readme);
    let names: Vec<&str> = tutorials.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["Operator", "CI author", "Sales ops"]);
    let mut problems = Vec::new();
    for tutorial in &tutorials {
        assert!(tutorial.steps.len() >= 8, "{}: too short", tutorial.name);
        let dir = tempfile::Builder::new()
            .prefix("caio-tutorial-")
            .tempdir()
            .unwrap();
        for problem in run(tutorial, dir.path()) {
            problems.push(format!("# {}\n{problem}", tutorial.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// The harness itself: `…` and `[exit N]` mean what the module says, and a
/// wrong line fails.
#[test]
fn the_tutorial_harness_matches_wildcards_and_exit_codes() {
    let lines = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let p = pattern(&lines(&["a …", "…", "z"]));
    assert!(p.is_match("a b c\nz\n"));
    assert!(p.is_match("a \nx\ny\nz\n"));
    assert!(!p.is_match("a b\ny\n"));
    assert!(pattern(&[]).is_match(""));
    assert!(!pattern(&[]).is_match("out\n"));
    let readme =
        "### Day one: T\n```console\n$ true\n$ false\n[exit 1]\n$ echo a\na\n```\n## Next\n";
    let t = tutorials(readme);
    assert_eq!(t.len(), 1);
    assert_eq!(t[0].steps.len(), 3);
    let dir = tempfile::tempdir().unwrap();
    assert!(run(&t[0], dir.path()).is_empty());
    let wrong = "### Day one: T\n```console\n$ echo b\na\n```\n";
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(run(&tutorials(wrong)[0], dir.path()).len(), 1);
}
