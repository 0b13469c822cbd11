//! End-to-end tests live in tests/tests; this library holds what they share: a
//! loopback proxy that breaks connections on purpose, and the server as a process
//! that can be killed.

pub mod fault_proxy;
pub mod server_process;
