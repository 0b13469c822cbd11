//! End-to-end tests live in tests/tests; this library holds what they share: a
//! loopback proxy that breaks connections on purpose, the server as a process that
//! can be killed, a phone's browser (headless Chromium), sample photos and visits.

pub mod browser;
pub mod fault_proxy;
pub mod photos;
pub mod server_process;
pub mod visits;
