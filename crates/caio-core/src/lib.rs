//! The pure engine of caio (SPEC §13): service contracts and their
//! validation, requests, policies, the routing pipeline and master equation,
//! chains, the control signal, canonical JSON and hashing, the trace record
//! format and the licence format.
//!
//! Nothing here touches the file system, the network, a clock or an unseeded
//! random generator: documents come in as text, time and randomness as
//! arguments. The store (`caio-store`) and the binary (`caio`) do the I/O.
#![warn(missing_docs)]
// Tests may unwrap: a panic is how a test fails. The library build (no
// `cfg(test)`) still denies unwrap and expect everywhere else.
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::expect_used))]

pub mod attempt;
pub mod canonical;
pub mod circuit;
pub mod contract;
pub mod diagnostic;
pub mod health;
pub mod license;
pub mod lifecycle;
pub mod metrics;
pub mod policy;
pub mod principal;
pub mod provider;
pub mod request;
pub mod routing;
pub mod shape;
pub mod slo;
pub mod source;
pub mod time;
pub mod trace;
pub mod yaml;
