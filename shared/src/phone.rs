//! Mainland mobile numbers.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// An 11-digit mainland mobile number `1[3-9]xxxxxxxxx`, stored without +86.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PhoneNumber(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("手机号码应为1开头的11位数字 / a mobile number is 11 digits starting with 1[3-9]")]
pub struct PhoneError;

impl PhoneNumber {
    pub fn parse(input: &str) -> Result<Self, PhoneError> {
        let compact: String = input.chars().filter(|c| !matches!(c, ' ' | '-' | '(' | ')')).collect();
        let digits = compact
            .strip_prefix("+86")
            .or_else(|| compact.strip_prefix("0086"))
            .unwrap_or(&compact);
        let b = digits.as_bytes();
        let ok = b.len() == 11 && b.iter().all(u8::is_ascii_digit) && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]);
        if ok {
            Ok(PhoneNumber(digits.to_string()))
        } else {
            Err(PhoneError)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Public form: `138****5678`.
    pub fn masked(&self) -> String {
        format!("{}****{}", &self.0[..3], &self.0[7..])
    }
}

impl fmt::Display for PhoneNumber {
    /// Displays masked, like [`crate::NationalId`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

impl FromStr for PhoneNumber {
    type Err = PhoneError;
    fn from_str(s: &str) -> Result<Self, PhoneError> {
        Self::parse(s)
    }
}

impl TryFrom<String> for PhoneNumber {
    type Error = PhoneError;
    /// On the wire only the canonical form (11 digits): what people type goes through
    /// `parse`, which also takes spaces, dashes and +86.
    fn try_from(s: String) -> Result<Self, PhoneError> {
        let phone = Self::parse(&s)?;
        if phone.as_str() == s {
            Ok(phone)
        } else {
            Err(PhoneError)
        }
    }
}

impl From<PhoneNumber> for String {
    fn from(p: PhoneNumber) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_common_spellings() {
        for s in [
            "13812345678",
            "+86 138 1234 5678",
            "0086-138-1234-5678",
            "(138)1234-5678",
        ] {
            assert_eq!(PhoneNumber::parse(s).unwrap().as_str(), "13812345678", "{s}");
        }
        assert_eq!(PhoneNumber::parse("13812345678").unwrap().masked(), "138****5678");
    }

    #[test]
    fn rejects_landlines_and_short_numbers() {
        for s in [
            "12812345678",
            "1381234567",
            "138123456789",
            "0871-5523871",
            "1381234567a",
            "",
        ] {
            assert_eq!(PhoneNumber::parse(s), Err(PhoneError), "{s}");
        }
    }
}
