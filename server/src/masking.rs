//! Who sees full ID numbers and phone numbers. The household itself and the staff who
//! verify and decide on a case (village, work team, township, county) must; a
//! department, whose only step is recording assistance, sees them masked, as boards
//! and exports show them to everyone.

use crate::audit::AuditEntry;
use crate::store::CaseRecord;
use serde_json::Value;
use zaofaxian_shared::{NationalId, PhoneNumber, Role};

pub fn sees_full_identity(role: Role) -> bool {
    matches!(
        role,
        Role::Household | Role::VillageCadre | Role::WorkTeam | Role::Township | Role::County
    )
}

/// Masks every `national_id` and `phone` string inside `v` (reports, visits, members).
pub fn mask_value(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                match (k.as_str(), &*x) {
                    ("national_id", Value::String(s)) => {
                        *x = Value::String(NationalId::parse(s).map_or_else(|_| "********".into(), |id| id.masked()));
                    }
                    ("phone", Value::String(s)) => {
                        *x = Value::String(PhoneNumber::parse(s).map_or_else(|_| "********".into(), |p| p.masked()));
                    }
                    _ => mask_value(x),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(mask_value),
        _ => {}
    }
}

/// A case as `role` may read it.
pub fn case_for(role: Role, mut case: CaseRecord) -> CaseRecord {
    if !sees_full_identity(role) {
        mask_value(&mut case.report);
    }
    case
}

/// A case's history as `role` may read it. A household sees what happened to its case
/// and when, not staff notes (who objected, what an investigation found) or which
/// staff account acted; the hashes stay, so the chain can still be shown intact.
pub fn history_for(role: Role, mut history: Vec<AuditEntry>) -> Vec<AuditEntry> {
    if !sees_full_identity(role) {
        history.iter_mut().for_each(|e| mask_value(&mut e.entry));
    }
    if role == Role::Household {
        for e in &mut history {
            if e.actor_role != "household" {
                e.actor_account = String::new();
                if let Some(entry) = e.entry.as_object_mut() {
                    entry.remove("note");
                }
            }
        }
    }
    history
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_phones_are_masked_at_any_depth() {
        let mut v = serde_json::json!({
            "national_id": "11010519491231002X", "phone": "13812345678",
            "visit": { "members": [ { "name": "王秀英", "national_id": "11010519491231002X" } ] },
            "note": "11010519491231002X is not a field", "amount": 5
        });
        mask_value(&mut v);
        assert_eq!(v["national_id"], "110105********002X");
        assert_eq!(v["visit"]["members"][0]["national_id"], "110105********002X");
        assert_ne!(v["phone"], "13812345678");
        assert_eq!(v["amount"], 5);
        assert!(!sees_full_identity(Role::Department));
        assert!(sees_full_identity(Role::County));
    }
}
