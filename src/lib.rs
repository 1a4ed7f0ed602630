//! caio: route requests to AI services by contract, with proofs.
//!
//! The library holds everything; `src/main.rs` only parses the command line,
//! calls [`cli::Cli::run`] and turns the outcome into an exit code.
#![forbid(unsafe_code)]

pub mod canonical;
pub mod cli;
pub mod contract;
pub mod diagnostic;
pub mod error;
pub mod gateway;
pub mod home;
pub mod invariants;
pub mod license;
pub mod policy;
pub mod principal;
pub mod registry;
pub mod request;
pub mod router;
pub mod routing;
pub mod secret_file;
pub mod shape;
pub mod source;
pub mod store;
pub mod trace;
pub mod ui;
pub mod yaml;

pub use error::{Error, Exit};
