//! The server's own entry point, built inside this crate so that the fault tests can
//! start it as a separate process (`CARGO_BIN_EXE_…`) and kill it with SIGKILL.
//!
//! `ZAOFAXIAN_TEST_NOW` starts its clock at another instant, running on from there:
//! RFC 3339 (`2025-09-30T09:00:00+08:00`: the reminder tests start processes on the
//! working morning they need) or `+<n>d`, n days from now (a deadline long past; a
//! restart counts from the real time again, so that clock never goes back).

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
            let days_on = at
                .strip_prefix('+')
                .and_then(|d| d.strip_suffix('d'))
                .and_then(|d| d.parse::<i64>().ok());
            let at = match days_on {
                Some(days) => Utc::now() + chrono::TimeDelta::days(days),
                None => match DateTime::parse_from_rfc3339(&at) {
                    Ok(t) => t.with_timezone(&Utc),
                    Err(_) => {
                        eprintln!("ZAOFAXIAN_TEST_NOW is neither RFC 3339 nor +<n>d: {at}");
                        return std::process::ExitCode::from(2);
                    }
                },
            };
            let clock = StartedAt {
                at,
                since: Instant::now(),
            };
            zaofaxian_server::cli::main_on(std::env::args_os(), Arc::new(clock))
        }
        Err(_) => zaofaxian_server::cli::main_with(std::env::args_os()),
    }
}
