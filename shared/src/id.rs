//! Record identifiers: UUIDv7, so ids made offline on a phone sort by creation time
//! and never collide with ids made elsewhere.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

/// Read from JSON only as a version-7 UUID (a push with another id is malformed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "Uuid", into = "Uuid")]
pub struct RecordId(Uuid);

impl TryFrom<Uuid> for RecordId {
    type Error = RecordIdError;
    fn try_from(u: Uuid) -> Result<Self, RecordIdError> {
        RecordId::from_uuid(u)
    }
}

impl From<RecordId> for Uuid {
    fn from(r: RecordId) -> Uuid {
        r.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("记录编号应为UUIDv7 / a record id must be a UUIDv7")]
pub struct RecordIdError;

impl RecordId {
    /// A fresh id from the current time.
    pub fn new() -> Self {
        RecordId(Uuid::now_v7())
    }

    /// Accepts only version-7 UUIDs: a client sending v4 ids would break time ordering.
    pub fn from_uuid(u: Uuid) -> Result<Self, RecordIdError> {
        if u.get_version_num() == 7 {
            Ok(RecordId(u))
        } else {
            Err(RecordIdError)
        }
    }

    pub fn as_uuid(&self) -> Uuid {
        self.0
    }

    /// Milliseconds since the Unix epoch at creation, from the id itself.
    pub fn unix_millis(&self) -> Option<u64> {
        self.0.get_timestamp().map(|t| {
            let (s, n) = t.to_unix();
            s * 1000 + u64::from(n) / 1_000_000
        })
    }
}

impl Default for RecordId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl FromStr for RecordId {
    type Err = RecordIdError;
    fn from_str(s: &str) -> Result<Self, RecordIdError> {
        Uuid::parse_str(s).map_err(|_| RecordIdError).and_then(Self::from_uuid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_v7_and_ordered() {
        let a = RecordId::new();
        let b = RecordId::new();
        assert!(a < b);
        assert!(a.unix_millis().unwrap() > 1_700_000_000_000);
        assert_eq!(a.to_string().parse::<RecordId>(), Ok(a));
        assert!(
            "67e55044-10b1-426f-9247-bb680e5fe0c8".parse::<RecordId>().is_err(),
            "v4 rejected"
        );
    }

    #[test]
    fn json_takes_only_version_7() {
        let v7 = RecordId::new();
        let back: RecordId = serde_json::from_value(serde_json::to_value(v7).unwrap()).unwrap();
        assert_eq!(back, v7);
        let v4 = serde_json::json!("5f0c4a4e-8a43-4f5e-9c2b-3c1d2e4f5a6b");
        assert!(serde_json::from_value::<RecordId>(v4).is_err());
    }
}
