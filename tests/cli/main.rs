//! End-to-end tests of the `caio` binary: one test binary, one harness.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)] // a test stops on a broken setup

mod common;
mod contract;
mod docs;
mod execute;
mod global;
mod hostile;
mod invariants;
mod license;
mod policy;
mod principal;
mod properties;
mod providers;
mod registry;
mod route;
mod trace;
