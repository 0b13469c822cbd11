//! The server's own entry point, built inside this crate so that the fault tests can
//! start it as a separate process (`CARGO_BIN_EXE_…`) and kill it with SIGKILL.
//!
//! `ZAOFAXIAN_TEST_NOW` (RFC 3339, e.g. `2025-09-30T09:00:00+08:00`) starts its clock
//! at that instant, running on from there: the reminder tests start processes on the
//! working morning they need.

use chrono::{DateTime, Utc};
use std::sync::Arc;
use std::time::Instant;
use zaofaxian_shared::Clock;

/// A clock that starts at a chosen instant and runs at the real pace.
#[derive(Debug)]
struct StartedAt {
    at: DateTime<Utc>,
    since: Instant,
}

impl Clock for StartedAt {
    fn now(&self) -> DateTime<Utc> {
        self.at + chrono::TimeDelta::from_std(self.since.elapsed()).unwrap_or_default()
    }
}

fn main() -> std::process::ExitCode {
    match std::env::var("ZAOFAXIAN_TEST_NOW") {
        Ok(at) => {
            let Ok(at) = DateTime::parse_from_rfc3339(&at) else {
                eprintln!("ZAOFAXIAN_TEST_NOW is no RFC 3339 time: {at}");
                return std::process::ExitCode::from(2);
            };
            let clock = StartedAt {
                at: at.with_timezone(&Utc),
                since: Instant::now(),
            };
            zaofaxian_server::cli::main_on(std::env::args_os(), Arc::new(clock))
        }
        Err(_) => zaofaxian_server::cli::main_with(std::env::args_os()),
    }
}
