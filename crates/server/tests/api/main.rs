//! The gateway's API, tested over real HTTP on the shared test stack: one test binary, so the
//! harness and the dependencies are linked once rather than once a file. (`tests/leaks.rs`
//! stays its own binary: it installs a process-wide log subscriber. `tests/browser` drives
//! Chromium and stays apart too.)

#[path = "../common/mod.rs"]
mod common;

mod database_down;
mod faults;
mod hostile;
mod journey;
mod lifecycle;
mod metrics;
mod operator;
mod privacy;
mod redirects;
mod rotation;
mod sdk;
mod signed_redirect;
mod trust;
mod webhooks;
mod wire;
