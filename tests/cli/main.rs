//! End-to-end tests of the `caio` binary: one test binary, one harness.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)] // a test stops on a broken setup

mod common;
mod contract;
mod docs;
mod execute;
mod fuzz_corpus;
mod global;
mod hostile;
mod invariants;
mod license;
mod policy;
mod principal;
mod properties;
mod registry;
mod route;
mod soak;
mod trace;
