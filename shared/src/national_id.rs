//! Resident identity number (居民身份证号码, GB 11643-1999).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A validated 18-character resident ID. The 6-digit region is not required to
/// exist today: codes of merged or renamed counties stay valid on old cards.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct NationalId(String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    Male,
    Female,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NationalIdError {
    #[error("身份证号码应为18位 / an ID number has 18 characters")]
    Length,
    #[error("身份证号码前17位应为数字，末位为数字或X / 17 digits then a digit or X")]
    Characters,
    #[error("身份证号码中的出生日期无效 / the birth date in the ID number is not a real date")]
    BirthDate,
    #[error("身份证号码校验位错误 / the ID number's check character is wrong")]
    Checksum,
}

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// The ISO 7064 MOD 11-2 check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(d, w)| u32::from(d - b'0') * w).sum();
    CHECK_CHARS[(sum % 11) as usize] as char
}

impl NationalId {
    pub fn parse(input: &str) -> Result<Self, NationalIdError> {
        // People type a lowercase x and stray spaces; normalise those, nothing else.
        let s: String = input.trim().to_ascii_uppercase();
        let b = s.as_bytes();
        if b.len() != 18 {
            return Err(NationalIdError::Length);
        }
        if !b[..17].iter().all(u8::is_ascii_digit) || !(b[17].is_ascii_digit() || b[17] == b'X') {
            return Err(NationalIdError::Characters);
        }
        let id = NationalId(s);
        id.birth_date_checked().ok_or(NationalIdError::BirthDate)?;
        if check_char(&id.0.as_bytes()[..17]) != id.0.as_bytes()[17] as char {
            return Err(NationalIdError::Checksum);
        }
        Ok(id)
    }

    fn birth_date_checked(&self) -> Option<NaiveDate> {
        let y = self.0[6..10].parse().ok()?;
        let m = self.0[10..12].parse().ok()?;
        let d = self.0[12..14].parse().ok()?;
        NaiveDate::from_ymd_opt(y, m, d).filter(|date| *date >= NaiveDate::from_ymd_opt(1880, 1, 1).unwrap_or(*date))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 6-digit region code of registration (may no longer exist).
    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    pub fn birth_date(&self) -> NaiveDate {
        // Checked in `parse`, so a valid id always has a date.
        self.birth_date_checked().unwrap_or_default()
    }

    /// The 17th digit: odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    /// Full years of age on `on`.
    pub fn age_on(&self, on: NaiveDate) -> u32 {
        on.years_since(self.birth_date()).unwrap_or(0)
    }

    /// A stored ID number's masked form (see [`NationalId::masked`]) for screens and
    /// files; `None` when it does not parse.
    pub fn mask(text: &str) -> Option<String> {
        NationalId::parse(text).ok().map(|id| id.masked())
    }

    /// The form shown anywhere public (notices, lists): first 6 and last 4 kept,
    /// e.g. `530402********1234`. The birth date is hidden.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }
}

impl fmt::Display for NationalId {
    /// Displays masked: printing the full number must be a deliberate `as_str()`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl FromStr for NationalId {
    type Err = NationalIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for NationalId {
    type Error = NationalIdError;
    /// On the wire only the canonical form (upper-case X, no spaces): what people type
    /// goes through `parse`.
    fn try_from(s: String) -> Result<Self, Self::Error> {
        let id = Self::parse(&s)?;
        if id.as_str() == s {
            Ok(id)
        } else {
            Err(NationalIdError::Characters)
        }
    }
}

impl From<NationalId> for String {
    fn from(id: NationalId) -> String {
        id.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The worked example of GB 11643-1999 annex: 11010519491231002X.
    #[test]
    fn standard_example_is_valid_with_x_check() {
        let id = NationalId::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(id.birth_date(), NaiveDate::from_ymd_opt(1949, 12, 31).unwrap());
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.region_code(), "110105");
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(
            NationalId::mask("11010519491231002x").as_deref(),
            Some("110105********002X")
        );
        assert_eq!(
            NationalId::mask("110105194912310021"),
            None,
            "a bad check character shows nothing"
        );
        assert_eq!(id.to_string(), "110105********002X");
    }

    #[test]
    fn derives_sex_and_age() {
        // 17 digits chosen for the test; the check character is computed.
        let first = "53040219800229001";
        let full = format!("{first}{}", check_char(first.as_bytes()));
        let id = NationalId::parse(&full).unwrap();
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(id.age_on(NaiveDate::from_ymd_opt(2021, 2, 28).unwrap()), 40);
        assert_eq!(id.age_on(NaiveDate::from_ymd_opt(2021, 3, 1).unwrap()), 41);
    }

    #[test]
    fn rejects_bad_numbers_with_the_reason() {
        assert_eq!(NationalId::parse("1101051949123100"), Err(NationalIdError::Length));
        assert_eq!(
            NationalId::parse("11010519491231002Y"),
            Err(NationalIdError::Characters)
        );
        assert_eq!(NationalId::parse("110105194912310021"), Err(NationalIdError::Checksum));
        // 1949-02-30 does not exist.
        let first = "11010519490230002";
        let full = format!("{first}{}", check_char(first.as_bytes()));
        assert_eq!(NationalId::parse(&full), Err(NationalIdError::BirthDate));
    }

    #[test]
    fn serde_round_trip_validates() {
        let id: NationalId = serde_json::from_str("\"11010519491231002X\"").unwrap();
        assert_eq!(serde_json::to_string(&id).unwrap(), "\"11010519491231002X\"");
        assert!(serde_json::from_str::<NationalId>("\"110105194912310021\"").is_err());
    }
}
