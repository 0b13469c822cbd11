//! Rate limits: sign-in attempts, texted codes, a household's reports. The rule (a
//! sliding window, optionally with a growing delay past the limit) is pure; the
//! counts live in the store, checked and counted in one transaction, so they hold
//! across several server processes and restarts.

use sha2::{Digest, Sha256};

/// How many attempts a key may make in a window, and what happens past it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LimitPolicy {
    pub max: usize,
    pub window_ms: i64,
    /// Past the limit, wait 1 s, 2 s, 4 s … (at most a minute) after the latest
    /// counted attempt instead of the rest of the window: a guesser gets one try a
    /// minute, the real user, who knows the password, waits seconds, not 15 minutes.
    pub progressive: bool,
}

/// The longest progressive wait.
const MAX_PROGRESSIVE_WAIT_MS: i64 = 60_000;

/// Attempt times kept per key beyond the limit (enough for the progressive steps).
const KEPT_BEYOND_LIMIT: usize = 8;

impl LimitPolicy {
    pub const fn fixed(max: usize, window_ms: i64) -> LimitPolicy {
        LimitPolicy {
            max,
            window_ms,
            progressive: false,
        }
    }

    pub const fn progressive(max: usize, window_ms: i64) -> LimitPolicy {
        LimitPolicy {
            max,
            window_ms,
            progressive: true,
        }
    }

    /// Decides one attempt against the key's recent attempt times (oldest first):
    /// Ok and the attempt recorded in `times`, or Err(whole seconds to wait) and
    /// `times` left as it was, so refused attempts never extend anyone's wait.
    pub fn decide(&self, times: &mut Vec<i64>, now: i64) -> Result<(), u64> {
        times.retain(|t| now - t < self.window_ms);
        if times.len() >= self.max {
            let wait = if self.progressive {
                let over = (times.len() - self.max).min(6) as u32;
                let last = times.last().copied().unwrap_or(now);
                last + (1000i64 << over).min(MAX_PROGRESSIVE_WAIT_MS) - now
            } else {
                times.first().copied().unwrap_or(now) + self.window_ms - now
            };
            if wait > 0 {
                return Err((wait.max(1000) as u64).div_ceil(1000));
            }
        }
        times.push(now);
        if times.len() > self.max + KEPT_BEYOND_LIMIT {
            times.remove(0);
        }
        Ok(())
    }
}

/// The stored key of `what` (a login name, a phone, an account) under `scope`: a fixed
/// 32-character digest, so names of any length cost the same few bytes.
pub fn limit_key(scope: &str, what: &str) -> String {
    let d = Sha256::digest(format!("{scope}\n{what}").as_bytes());
    hex::encode(&d[..16])
}

/// Attempt times as stored (`"t1,t2,…"`); unreadable entries are dropped.
pub fn parse_times(s: &str) -> Vec<i64> {
    s.split(',').filter_map(|t| t.parse().ok()).collect()
}

pub fn format_times(times: &[i64]) -> String {
    times.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// The limits in force (defaults below; a deployment may change the household ones).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Staff sign-in: 5 wrong passwords per login name in 15 minutes, then a growing delay.
    pub login: LimitPolicy,
    /// Texted codes: 5 per phone and client address in 15 minutes, so one address
    /// cannot use up the codes of someone else's phone.
    pub code_per_phone: LimitPolicy,
    /// 30 per phone in an hour from all addresses together (no phone is flooded with
    /// texts; one address reaches at most 20 of them, the phone's owner has the rest).
    pub code_per_phone_all: LimitPolicy,
    /// 30 per client address in 10 minutes (many village phones share a carrier address).
    pub code_per_client: LimitPolicy,
    /// 600 a minute from the whole service (what a flood can cost at most).
    pub code_overall: LimitPolicy,
    /// A household account's reports a day (its own join its open case; each counts).
    pub household_reports: LimitPolicy,
    /// Of those, filed for others (代为申报).
    pub household_proxy: LimitPolicy,
    /// 督办 notes a staff account sends a day.
    pub supervision: LimitPolicy,
}

const MINUTE: i64 = 60 * 1000;
const DAY: i64 = 24 * 60 * MINUTE;

/// A household reports its own hardship a few times at most; 20 a day is far above any
/// real family and far below a flood (one account once sent 400 in a second).
pub const HOUSEHOLD_REPORTS_PER_DAY: usize = 20;
/// 代为申报 by a household account (for a neighbour without a phone): 3 a day. Cadres file
/// for many households with their own accounts, which these limits do not touch.
pub const HOUSEHOLD_PROXY_REPORTS_PER_DAY: usize = 3;
/// 督办 notes per staff account a day: a county's whole late list on a bad morning, far
/// below what would bury the villages' digests and case histories.
pub const SUPERVISION_NOTES_PER_DAY: usize = 300;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            login: LimitPolicy::progressive(5, 15 * MINUTE),
            code_per_phone: LimitPolicy::fixed(5, 15 * MINUTE),
            code_per_phone_all: LimitPolicy::fixed(30, 60 * MINUTE),
            code_per_client: LimitPolicy::fixed(30, 10 * MINUTE),
            code_overall: LimitPolicy::fixed(600, MINUTE),
            household_reports: LimitPolicy::fixed(HOUSEHOLD_REPORTS_PER_DAY, DAY),
            household_proxy: LimitPolicy::fixed(HOUSEHOLD_PROXY_REPORTS_PER_DAY, DAY),
            supervision: LimitPolicy::fixed(SUPERVISION_NOTES_PER_DAY, DAY),
        }
    }
}

impl Limits {
    /// A day's household quotas (for pilots that need other figures).
    pub fn with_household_quotas(mut self, reports: Option<usize>, proxy: Option<usize>) -> Limits {
        if let Some(n) = reports {
            self.household_reports.max = n;
        }
        if let Some(n) = proxy {
            self.household_proxy.max = n;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_window_refuses_until_the_oldest_attempt_leaves_it() {
        let p = LimitPolicy::fixed(3, 60_000);
        let mut t = Vec::new();
        for at in [0, 1_000, 2_000] {
            assert_eq!(p.decide(&mut t, at), Ok(()));
        }
        assert_eq!(p.decide(&mut t, 3_000), Err(57));
        assert_eq!(t.len(), 3, "a refused attempt is not recorded");
        assert_eq!(p.decide(&mut t, 60_000), Ok(()));
    }

    #[test]
    fn a_progressive_limit_delays_instead_of_locking() {
        let p = LimitPolicy::progressive(5, 15 * 60_000);
        let mut t = Vec::new();
        for at in 0..5 {
            assert_eq!(p.decide(&mut t, at), Ok(()));
        }
        assert_eq!(p.decide(&mut t, 500), Err(1));
        assert_eq!(p.decide(&mut t, 1_004), Ok(()), "a second after the last counted try");
        assert_eq!(p.decide(&mut t, 2_000), Err(2));
        // Hammering while refused does not push the wait further out.
        for at in 2_001..2_100 {
            let _ = p.decide(&mut t, at);
        }
        assert_eq!(p.decide(&mut t, 3_004), Ok(()));
        // The wait never exceeds a minute.
        let mut long = (0..20).collect::<Vec<i64>>();
        assert!(p.decide(&mut long, 20).unwrap_err() <= 60);
    }

    #[test]
    fn keys_are_short_whatever_the_name() {
        let long = "名".repeat(300_000);
        assert_eq!(limit_key("login", &long).len(), 32);
        assert_ne!(limit_key("login", "a"), limit_key("code", "a"));
        assert_eq!(parse_times(&format_times(&[1, 22, 333])), [1, 22, 333]);
    }
}
