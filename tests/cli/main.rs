//! End-to-end tests of the `caio` binary: one test binary, one harness.

mod common;
mod contract;
mod docs;
mod execute;
mod global;
mod invariants;
mod license;
mod policy;
mod principal;
mod properties;
mod registry;
mod route;
mod trace;
