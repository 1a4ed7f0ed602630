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
mod global;
mod hostile;
mod html;
mod identity;
mod invariants;
mod license;
mod metrics;
mod outcome;
mod policy;
mod principal;
mod properties;
mod registry;
mod reports;
mod retention;
mod route;
mod slo;
mod trace;
