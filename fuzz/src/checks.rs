//! What each fuzz target does with an input, and what must hold for every input:
//! no panic (no overflow, no index out of bounds, no runaway allocation), and the
//! invariants below. Shared by the cargo fuzz targets and the stable replay test.

use zaofaxian_shared::eligibility::assess;
use zaofaxian_shared::income::Worksheet;
use zaofaxian_shared::photo::{MAX_PIXELS, MAX_SIDE, claimed_dimensions, decode_upright, perceptual_hash};
use zaofaxian_shared::sync::{RecordOp, decode_push};
use zaofaxian_shared::{Fen, Policy};

fn today() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2025, 11, 3).expect("a real date")
}

/// A sync push as the server receives it: decoded, checked, and every record taken
/// through the checks that run before anything is stored.
pub fn sync_push(data: &[u8]) {
    let Ok(body) = decode_push(data) else {
        return;
    };
    assert!(body.records.len() <= zaofaxian_shared::sync::MAX_RECORDS);
    for record in &body.records {
        match &record.op {
            RecordOp::Report(r) => {
                let _ = r.validate(today());
            }
            RecordOp::CaseEvent(ev) => {
                if let Some(visit) = &ev.request.visit
                    && visit.validate(today()).is_ok()
                    && let Ok(facts) = visit.facts()
                {
                    let _ = assess(Policy::embedded(), &facts);
                }
            }
        }
    }
}

/// The income worksheet (附件2) as a phone sends it, and amounts typed as text.
pub fn income_worksheet(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data)
        && let Ok(fen) = text.parse::<Fen>()
    {
        // What is printed reads back as the same amount.
        assert_eq!(fen.to_string().parse::<Fen>(), Ok(fen), "{text:?}");
    }
    let Ok(sheet) = serde_json::from_slice::<Worksheet>(data) else {
        return;
    };
    let Ok(t) = sheet.compute() else {
        return;
    };
    assert_eq!(t.a_total, t.a1_production + t.a2_wages + t.a3_property + t.a4_transfers);
    assert_eq!(t.c_net, t.a_total - t.b_total);
    assert!(t.household_size >= 1);
    // D is C shared out, rounded: at most half a fen per member away.
    let spread = t.d_per_capita.as_fen() * i64::from(t.household_size) - t.c_net.as_fen();
    assert!(spread.abs() <= i64::from(t.household_size), "{t:?}");
    if let Some(bp) = t.transfer_share_bp {
        assert!(bp <= 10_000, "{t:?}");
    }
}

/// The photo decoder path: the size a file claims, bounded decoding, the hash.
pub fn photo_decode(data: &[u8]) {
    let claimed = claimed_dimensions(data);
    let Ok(img) = decode_upright(data) else {
        return;
    };
    assert!(claimed.is_ok(), "decoded although the size could not be read");
    let (w, h) = (img.width(), img.height());
    assert!(w <= MAX_SIDE && h <= MAX_SIDE && u64::from(w) * u64::from(h) <= MAX_PIXELS);
    assert_eq!(perceptual_hash(&img).len(), 16);
}
