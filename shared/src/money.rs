//! Money in fen (分). Never floats: 0.1 + 0.2 must stay 0.30 yuan.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub};
use std::str::FromStr;

/// An amount of money in fen (1 yuan = 100 fen). May be negative (a loss).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Fen(pub i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("金额格式不正确：{0:?}（例如 1234.50）/ not an amount of yuan: {0:?} (e.g. 1234.50)")]
    Format(String),
    #[error("金额超出范围 / amount out of range")]
    Overflow,
}

impl Fen {
    pub const ZERO: Fen = Fen(0);

    pub const fn yuan(yuan: i64) -> Fen {
        Fen(yuan * 100)
    }

    pub fn as_fen(self) -> i64 {
        self.0
    }

    /// Multiply by a whole count (e.g. days worked × daily wage).
    pub fn times(self, n: i64) -> Fen {
        Fen(self.0 * n)
    }

    /// Divide and round half away from zero to the nearest fen.
    /// Used for per-capita income and 1/15 depreciation.
    pub fn div_round(self, divisor: i64) -> Fen {
        assert!(divisor > 0, "divisor must be positive");
        let q = self.0 / divisor;
        let r = self.0 % divisor;
        if 2 * r.abs() >= divisor {
            Fen(q + self.0.signum())
        } else {
            Fen(q)
        }
    }

    /// `self / total` in basis points (1/10000), rounded down; None when total is not positive.
    pub fn share_bp(self, total: Fen) -> Option<u32> {
        if total.0 <= 0 || self.0 < 0 {
            return None;
        }
        Some(((self.0 as i128 * 10_000) / total.0 as i128) as u32)
    }
}

impl Add for Fen {
    type Output = Fen;
    fn add(self, o: Fen) -> Fen {
        Fen(self.0 + o.0)
    }
}
impl AddAssign for Fen {
    fn add_assign(&mut self, o: Fen) {
        self.0 += o.0;
    }
}
impl Sub for Fen {
    type Output = Fen;
    fn sub(self, o: Fen) -> Fen {
        Fen(self.0 - o.0)
    }
}
impl Neg for Fen {
    type Output = Fen;
    fn neg(self) -> Fen {
        Fen(-self.0)
    }
}
impl Sum for Fen {
    fn sum<I: Iterator<Item = Fen>>(iter: I) -> Fen {
        iter.fold(Fen::ZERO, Add::add)
    }
}

impl fmt::Display for Fen {
    /// Yuan with two decimals, e.g. `6000.00`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl FromStr for Fen {
    type Err = MoneyError;
    /// Parses yuan such as `6000`, `6000.5` or `-12.34`; ASCII digits only, at most two decimals.
    fn from_str(s: &str) -> Result<Fen, MoneyError> {
        let bad = || MoneyError::Format(s.to_string());
        let t = s.trim();
        let (neg, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
        if whole.is_empty() || !whole.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if t.ends_with('.') || frac.len() > 2 || !frac.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let whole: i64 = whole.parse().map_err(|_| MoneyError::Overflow)?;
        let mut frac_fen: i64 = if frac.is_empty() {
            0
        } else {
            frac.parse().map_err(|_| bad())?
        };
        if frac.len() == 1 {
            frac_fen *= 10;
        }
        let fen = whole
            .checked_mul(100)
            .and_then(|w| w.checked_add(frac_fen))
            .ok_or(MoneyError::Overflow)?;
        Ok(Fen(if neg { -fen } else { fen }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_yuan() {
        assert_eq!("6000".parse::<Fen>(), Ok(Fen(600_000)));
        assert_eq!("0.1".parse::<Fen>(), Ok(Fen(10)));
        assert_eq!("-12.34".parse::<Fen>(), Ok(Fen(-1234)));
        assert_eq!(Fen(10) + Fen(20), "0.30".parse().unwrap());
        assert_eq!(Fen(-1234).to_string(), "-12.34");
        assert_eq!(Fen(5).to_string(), "0.05");
        for bad in ["", "abc", "1.234", "1,000", "1.", ".5", "--1", "1e3"] {
            assert!(bad.parse::<Fen>().is_err(), "{bad:?} should be rejected");
        }
    }

    #[test]
    fn division_rounds_half_away_from_zero() {
        assert_eq!(Fen(15).div_round(10), Fen(2));
        assert_eq!(Fen(14).div_round(10), Fen(1));
        assert_eq!(Fen(-15).div_round(10), Fen(-2));
        assert_eq!(Fen::yuan(1500).div_round(15), Fen::yuan(100));
    }

    #[test]
    fn share_in_basis_points() {
        assert_eq!(Fen(40).share_bp(Fen(100)), Some(4000));
        assert_eq!(Fen(1).share_bp(Fen::ZERO), None);
    }
}
