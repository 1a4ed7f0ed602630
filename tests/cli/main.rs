//! End-to-end tests of the `caio` binary.
