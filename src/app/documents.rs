//! Reading the user's documents and handing them to the core: contracts,
//! policy sets (with their tests) and principal files.

use caio_core::contract::{self, ValidationRun};
use caio_core::policy::load::{self, PolicyFile, PolicyRun};
use caio_core::policy::testing::{self, TestResult};
use caio_store::files;
use std::path::{Path, PathBuf};

/// Validates the contract files and directories, together (duplicate ids
/// across files are found). `progress(done, total)` after each file.
pub fn validate_contracts(
    paths: &[PathBuf],
    progress: &mut dyn FnMut(usize, usize),
) -> ValidationRun {
    contract::validate_documents(
        files::documents(&contract::validate::FORMAT, paths),
        progress,
    )
}

/// [`validate_contracts`], where the path `-` is one contract read from
/// standard input, named `stdin_name` in diagnostics.
pub fn validate_contracts_or_stdin(
    paths: &[PathBuf],
    stdin_name: &str,
    progress: &mut dyn FnMut(usize, usize),
) -> ValidationRun {
    contract::validate_documents(
        files::documents_or_stdin(&contract::validate::FORMAT, paths, stdin_name),
        progress,
    )
}

/// Reads policy files and directories as one set.
pub fn load_policies(paths: &[PathBuf]) -> PolicyRun {
    load::load_documents(files::documents(&load::FORMAT, paths))
}

/// [`load_policies`], where the path `-` is one policy file read from
/// standard input, named `stdin_name` in diagnostics (its tests' contract
/// paths resolve against that name's directory).
pub fn load_policies_or_stdin(paths: &[PathBuf], stdin_name: &str) -> PolicyRun {
    load::load_documents(files::documents_or_stdin(&load::FORMAT, paths, stdin_name))
}

/// Runs a policy file's tests; the contracts they name are read from disk.
pub fn run_policy_tests(file: &PolicyFile) -> Vec<TestResult> {
    testing::run_file(file, &mut |path: &Path| {
        validate_contracts(&[path.to_path_buf()], &mut |_, _| {})
    })
}
