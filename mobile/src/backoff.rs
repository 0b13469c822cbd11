//! When to try again after a failed send: exponential, capped, with jitter so a
//! village's phones do not all retry in the same second when the signal returns.

/// Delay in milliseconds before attempt `attempts + 1`. `jitter` in 0..1000 spreads
/// retries by up to ±25%.
pub fn retry_delay_ms(attempts: i64, jitter: u32) -> i64 {
    const BASE_MS: i64 = 2_000;
    const CAP_MS: i64 = 30 * 60 * 1000;
    let exp = BASE_MS.saturating_mul(1i64 << attempts.clamp(0, 20));
    let capped = exp.min(CAP_MS);
    let spread = capped / 4;
    capped - spread + (spread * 2 * i64::from(jitter.min(1000))) / 1000
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_then_caps_within_the_jitter_band() {
        assert_eq!(retry_delay_ms(0, 500), 2_000);
        assert_eq!(retry_delay_ms(1, 500), 4_000);
        assert_eq!(retry_delay_ms(3, 500), 16_000);
        assert_eq!(retry_delay_ms(50, 500), 30 * 60 * 1000);
        assert_eq!(retry_delay_ms(0, 0), 1_500);
        assert_eq!(retry_delay_ms(0, 1000), 2_500);
        for a in 0..30 {
            assert!(retry_delay_ms(a, 1000) >= retry_delay_ms(a, 0));
            assert!(retry_delay_ms(a + 1, 0) >= retry_delay_ms(a, 0));
        }
    }
}
