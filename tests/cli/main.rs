//! End-to-end tests of the `caio` binary: one test binary, one harness.

// A test fails by panicking: its helpers unwrap what must be there, and
// say on stderr (captured by the test runner) what they skip or measure.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod audit;
mod common;
mod contract;
mod control;
mod docs;
mod execute;
mod explain;
mod fuzz_corpus;
mod global;
mod help;
mod hostile;
mod html;
mod identity;
mod invariants;
mod license;
mod license_lifecycle;
mod metrics;
mod outcome;
mod pg_server;
mod policy;
mod postgres;
mod principal;
mod properties;
mod providers;
mod registry;
mod reports;
mod retention;
mod route;
mod slo;
mod soak;
mod trace;
mod tutorials;
mod upgrade;
