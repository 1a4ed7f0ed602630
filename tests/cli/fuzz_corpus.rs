//! The fuzz corpus as an ordinary test: every committed input of every
//! target in `fuzz/corpus/` goes through the same function the nightly fuzz
//! target calls (`fuzz/src/lib.rs`), on stable, in CI. An input that once
//! crashed caio stays in the corpus, so the crash stays fixed.
//!
//! Memory per input is bounded by the size cap checked here (every parser
//! budgets what it builds from its input); time by the same budgets, so
//! nothing here measures it.

#[path = "../../fuzz/src/lib.rs"]
mod targets;

use crate::common::repo;
use std::path::Path;

/// Every file of every target's corpus runs to completion, without a panic.
#[test]
fn every_fuzz_corpus_input_is_handled_without_a_panic() {
    let mut total = 0;
    for target in targets::TARGETS {
        let dir = repo().join("fuzz/corpus").join(target.name);
        let inputs = corpus(&dir);
        assert!(
            !inputs.is_empty(),
            "the `{}` target has no corpus in {}",
            target.name,
            dir.display()
        );
        for path in inputs {
            let data = std::fs::read(&path).expect("read a corpus file");
            assert!(
                data.len() <= target.max_len,
                "{} is {} bytes, over the `{}` target's {}-byte cap",
                path.display(),
                data.len(),
                target.name,
                target.max_len
            );
            let outcome = std::panic::catch_unwind(|| (target.run)(&data));
            assert!(
                outcome.is_ok(),
                "the `{}` target panicked on {}",
                target.name,
                path.display()
            );
            total += 1;
        }
    }
    eprintln!("replayed {total} corpus inputs");
}

/// The files of one corpus directory, sorted.
fn corpus(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.expect("read a corpus entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}
