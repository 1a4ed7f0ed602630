//! caio: route requests to AI services by contract, with proofs.
//!
//! The binary's library: the command line ([`cli`]: argument definitions and
//! rendering), the use cases it calls ([`app`]), the HTTP gateway to
//! providers ([`gateway`]) and the one writer of stdout and stderr ([`ui`]).
//! The engine is `caio-core`; state is `caio-store`.

pub mod app;
pub mod cli;
pub mod error;
pub mod gateway;
pub mod ui;

pub use error::{Error, Exit};
