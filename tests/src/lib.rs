//! End-to-end tests live in tests/tests; this library holds what they share: a
//! loopback proxy that breaks connections on purpose, the server as a process that
//! can be killed, and a phone's browser (headless Chromium).

pub mod browser;
pub mod fault_proxy;
pub mod server_process;
pub mod visits;
