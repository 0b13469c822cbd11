//! The hash chain over a case's history. Each entry's hash covers the previous
//! hash and every field of the entry, so editing, deleting or reordering any
//! entry breaks every hash after it.

use sha2::{Digest, Sha256};

/// The `prev_hash` of a case's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One step of a case's history, as stored and as the API shows it.
pub use zaofaxian_shared::wire::HistoryEntry as AuditEntry;

/// The hash of an entry given its predecessor's hash.
pub fn entry_hash(
    prev_hash: &str,
    case_id: &str,
    seq: i64,
    at: i64,
    actor: &str,
    role: &str,
    entry_json: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [
        prev_hash,
        case_id,
        &seq.to_string(),
        &at.to_string(),
        actor,
        role,
        entry_json,
    ] {
        // Length-prefix each field so no two different entries share a byte stream.
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Checks a case's entries in order. Returns the sequence number of the first
/// entry that does not fit the chain.
pub fn verify_chain(entries: &[AuditEntry]) -> Result<(), i64> {
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected_seq = i as i64 + 1;
        let json = serde_json::to_string(&e.entry).map_err(|_| e.seq)?;
        let ok = e.seq == expected_seq
            && e.prev_hash == prev
            && e.hash == entry_hash(&prev, &e.case_id, e.seq, e.at, &e.actor_account, &e.actor_role, &json);
        if !ok {
            return Err(e.seq);
        }
        prev = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let entry = serde_json::json!({ "event": format!("step {seq}") });
                let json = serde_json::to_string(&entry).unwrap();
                let hash = entry_hash(&prev, "c1", seq, 1000 + seq, "a1", "village_cadre", &json);
                let e = AuditEntry {
                    case_id: "c1".into(),
                    seq,
                    at: 1000 + seq,
                    actor_account: "a1".into(),
                    actor_role: "village_cadre".into(),
                    entry,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    #[test]
    fn an_intact_chain_verifies_and_any_edit_is_found() {
        let c = chain(4);
        assert_eq!(verify_chain(&c), Ok(()));
        let mut edited = c.clone();
        edited[1].entry = serde_json::json!({ "event": "something else" });
        assert_eq!(verify_chain(&edited), Err(2));
        let mut actor = c.clone();
        actor[2].actor_account = "someone".into();
        assert_eq!(verify_chain(&actor), Err(3));
        let mut removed = c.clone();
        removed.remove(1);
        assert_eq!(verify_chain(&removed), Err(3));
        let mut swapped = c;
        swapped.swap(0, 1);
        assert_eq!(verify_chain(&swapped), Err(2));
    }
}
