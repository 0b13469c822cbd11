//! 12-digit statistical division codes (统计用区划代码): province (2) prefecture (2)
//! county (2) township (3) village (3). A level's code ends in zeros below it.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum DivisionLevel {
    Province,
    Prefecture,
    County,
    Township,
    Village,
}

impl DivisionLevel {
    /// How many leading digits identify a division of this level.
    pub const fn prefix_len(self) -> usize {
        match self {
            DivisionLevel::Province => 2,
            DivisionLevel::Prefecture => 4,
            DivisionLevel::County => 6,
            DivisionLevel::Township => 9,
            DivisionLevel::Village => 12,
        }
    }

    pub const fn parent(self) -> Option<DivisionLevel> {
        match self {
            DivisionLevel::Province => None,
            DivisionLevel::Prefecture => Some(DivisionLevel::Province),
            DivisionLevel::County => Some(DivisionLevel::Prefecture),
            DivisionLevel::Township => Some(DivisionLevel::County),
            DivisionLevel::Village => Some(DivisionLevel::Township),
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            DivisionLevel::Province => "省",
            DivisionLevel::Prefecture => "市(州)",
            DivisionLevel::County => "县(市、区)",
            DivisionLevel::Township => "乡(镇)",
            DivisionLevel::Village => "村(社区)",
        }
    }
}

impl FromStr for DivisionLevel {
    type Err = DivisionError;
    fn from_str(s: &str) -> Result<Self, DivisionError> {
        Ok(match s {
            "province" => DivisionLevel::Province,
            "prefecture" => DivisionLevel::Prefecture,
            "county" => DivisionLevel::County,
            "township" => DivisionLevel::Township,
            "village" => DivisionLevel::Village,
            _ => return Err(DivisionError::Level(s.to_string())),
        })
    }
}

/// A valid 12-digit division code; its level is derived from the trailing zeros.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DivisionCode(u64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DivisionError {
    #[error("区划代码应为12位数字：{0:?} / a division code is 12 digits: {0:?}")]
    Format(String),
    #[error("区划代码层级不完整：{0} / the code skips a level: {0}")]
    Gap(String),
    #[error("未知的区划层级：{0:?} / unknown division level: {0:?}")]
    Level(String),
}

const ALL_LEVELS: [DivisionLevel; 5] = [
    DivisionLevel::Province,
    DivisionLevel::Prefecture,
    DivisionLevel::County,
    DivisionLevel::Township,
    DivisionLevel::Village,
];

impl DivisionCode {
    pub fn parse(s: &str) -> Result<Self, DivisionError> {
        let s = s.trim();
        if s.len() != 12 || !s.bytes().all(|b| b.is_ascii_digit()) || s.starts_with("00") {
            return Err(DivisionError::Format(s.to_string()));
        }
        let code = DivisionCode(s.parse().map_err(|_| DivisionError::Format(s.to_string()))?);
        // Every segment above the level must be non-zero: 530000001000 skips two levels.
        let level = code.level();
        let text = code.to_string();
        let mut start = 0;
        for l in ALL_LEVELS {
            let end = l.prefix_len();
            if l > level {
                break;
            }
            if text[start..end].bytes().all(|b| b == b'0') {
                return Err(DivisionError::Gap(text));
            }
            start = end;
        }
        Ok(code)
    }

    pub fn level(self) -> DivisionLevel {
        let text = self.to_string();
        ALL_LEVELS
            .into_iter()
            .find(|l| text[l.prefix_len()..].bytes().all(|b| b == b'0'))
            .unwrap_or(DivisionLevel::Village)
    }

    /// The code of the enclosing division at `level`, if `level` is above this one.
    pub fn ancestor(self, level: DivisionLevel) -> Option<DivisionCode> {
        if level > self.level() {
            return None;
        }
        let text = self.to_string();
        let keep = level.prefix_len();
        let padded = format!("{}{}", &text[..keep], "0".repeat(12 - keep));
        padded.parse().ok().map(DivisionCode)
    }

    pub fn parent(self) -> Option<DivisionCode> {
        self.level().parent().and_then(|l| self.ancestor(l))
    }

    /// All enclosing divisions from the province down, excluding self.
    pub fn ancestors(self) -> Vec<DivisionCode> {
        ALL_LEVELS
            .into_iter()
            .filter(|l| *l < self.level())
            .filter_map(|l| self.ancestor(l))
            .collect()
    }

    /// True when `other` is this division or lies inside it: the basis of area scoping.
    pub fn contains(self, other: DivisionCode) -> bool {
        other.ancestor(self.level()) == Some(self)
    }

    /// Leading digits that every code inside this division shares (for SQL `LIKE 'prefix%'`).
    pub fn prefix(self) -> String {
        self.to_string()[..self.level().prefix_len()].to_string()
    }
}

impl fmt::Display for DivisionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:012}", self.0)
    }
}

impl FromStr for DivisionCode {
    type Err = DivisionError;
    fn from_str(s: &str) -> Result<Self, DivisionError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DivisionCode {
    type Error = DivisionError;
    /// On the wire only the canonical form: what people type goes through `parse`.
    fn try_from(s: String) -> Result<Self, DivisionError> {
        let code = Self::parse(&s)?;
        if code.to_string() == s {
            Ok(code)
        } else {
            Err(DivisionError::Format(s))
        }
    }
}

impl From<DivisionCode> for String {
    fn from(c: DivisionCode) -> String {
        c.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        s.parse().unwrap()
    }

    #[test]
    fn levels_and_parents_of_a_hongta_village() {
        let village = code("530402001001"); // 荷花社区居民委员会
        assert_eq!(village.level(), DivisionLevel::Village);
        assert_eq!(village.parent(), Some(code("530402001000")));
        assert_eq!(
            village.ancestors(),
            vec![
                code("530000000000"),
                code("530400000000"),
                code("530402000000"),
                code("530402001000")
            ]
        );
        assert_eq!(code("530402001000").level(), DivisionLevel::Township);
        assert_eq!(code("530402000000").level(), DivisionLevel::County);
        assert_eq!(code("530400000000").level(), DivisionLevel::Prefecture);
        assert_eq!(code("530000000000").level(), DivisionLevel::Province);
        assert_eq!(code("530000000000").parent(), None);
    }

    #[test]
    fn containment_scopes_areas() {
        let township = code("530402001000");
        assert!(township.contains(code("530402001001")));
        assert!(township.contains(township));
        assert!(!township.contains(code("530402002001")));
        assert!(!code("530402001001").contains(township));
        assert_eq!(township.prefix(), "530402001");
    }

    #[test]
    fn rejects_malformed_codes() {
        for bad in [
            "53040200100",
            "5304020010011",
            "53040200100a",
            "000000000000",
            "530000001000",
        ] {
            assert!(DivisionCode::parse(bad).is_err(), "{bad}");
        }
    }
}
