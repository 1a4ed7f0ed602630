//! The committed man pages and completions match the clap definitions.

use crate::common::{TestEnv, repo, run};
use std::collections::BTreeSet;
use std::path::Path;

fn listing(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn man_pages_and_completions_are_up_to_date() {
    let env = TestEnv::new();
    let out = env.scratch();
    let (code, _, stderr) = run(env.caio().args(["generate-docs", "--out-dir"]).arg(&out));
    assert_eq!(code, 0, "{stderr}");
    let regenerate = "run `cargo run -- generate-docs` and commit man/ and completions/";
    for dir in ["man", "completions"] {
        let fresh = listing(&out.join(dir));
        let committed = listing(&repo().join(dir));
        assert_eq!(fresh, committed, "{dir}/ lists other files: {regenerate}");
        for name in &fresh {
            let a = std::fs::read(out.join(dir).join(name)).unwrap();
            let b = std::fs::read(repo().join(dir).join(name)).unwrap();
            assert!(a == b, "{dir}/{name} is stale: {regenerate}");
        }
    }
}

#[test]
fn man_page_documents_exit_codes_and_environment() {
    let page = std::fs::read_to_string(repo().join("man/caio.1")).unwrap();
    assert!(page.contains(".SH \"EXIT STATUS\""));
    for (exit, _) in caio::Exit::ALL {
        assert!(page.contains(&format!("\\fB{}\\fR", exit.code())));
    }
    assert!(page.contains("CAIO_HOME"));
    // One page per visible command.
    for page in [
        "caio-init.1",
        "caio-contract-validate.1",
        "caio-contract-new.1",
    ] {
        assert!(repo().join("man").join(page).is_file(), "{page}");
    }
}

#[test]
fn readme_documents_every_diagnostic_code_and_both_commands() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    for (code, _) in caio_core::contract::validate::CODES {
        assert!(readme.contains(&format!("`{code}`")), "README lacks {code}");
    }
    assert!(readme.contains("cargo test --workspace"));
    let ci = std::fs::read_to_string(repo().join(".ci/run")).unwrap();
    assert!(
        ci.contains("cargo test --workspace --locked"),
        ".ci/run must run the README's tests"
    );
}
