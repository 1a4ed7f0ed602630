//! Use cases: what a command does, combining the pure core with the store
//! and the gateway. The command line calls these and renders what they
//! return; tests call them directly.

pub mod documents;
pub mod execute;
pub mod license_gate;
pub mod metrics;
pub mod outcome;
pub mod retention;
pub mod route;
pub mod slo;
pub mod store;
pub mod trace;
pub mod vendor_keys;
