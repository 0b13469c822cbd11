//! What each fuzz target does with an input, and what must hold for every input:
//! no panic (no overflow, no index out of bounds, no runaway allocation), and the
//! invariants below. Shared by the cargo fuzz targets and the stable replay test.

use zaofaxian_server::import::{MAX_COLUMNS, inside, parse_area, parse_register, parse_screening, read_table};
use zaofaxian_shared::eligibility::assess;
use zaofaxian_shared::income::Worksheet;
use zaofaxian_shared::photo::{MAX_PIXELS, MAX_SIDE, claimed_dimensions, decode_upright, perceptual_hash};
use zaofaxian_shared::sync::{RecordOp, decode_push};
use zaofaxian_shared::text::has_hidden_characters;
use zaofaxian_shared::{DivisionCode, Fen, GeoPoint, Policy};

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
        // A body that cannot be read is that record's refusal, never a panic.
        let Ok(op) = record.op() else { continue };
        match &op {
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
    // The head count is the visit's members: a lone member, a family, the most allowed.
    for size in [1, 3, zaofaxian_shared::income::MAX_HOUSEHOLD_SIZE] {
        let Ok(t) = sheet.compute(size) else {
            return;
        };
        assert_eq!(t.a_total, t.a1_production + t.a2_wages + t.a3_property + t.a4_transfers);
        assert_eq!(t.c_net, t.a_total - t.b_total);
        assert_eq!(t.household_size, size);
        // D is C shared out, rounded: at most half a fen per member away.
        let spread = t.d_per_capita.as_fen() * i64::from(size) - t.c_net.as_fen();
        assert!(spread.abs() <= i64::from(size), "{t:?}");
        if let Some(bp) = t.transfer_share_bp {
            assert!(bp <= 10_000, "{t:?}");
        }
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

/// What counties and departments upload. The first byte says what the rest is: `x` an
/// XLSX, `g` a GeoJSON area, anything else a CSV. Every table is read as a register
/// and as a screening list.
pub fn imports(data: &[u8]) {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    if kind == b'g' {
        if let Ok(text) = std::str::from_utf8(rest)
            && let Ok(area) = parse_area(text)
        {
            assert!(!area.0.is_empty());
            let _ = inside(&area, &GeoPoint::new(24.354, 102.543).expect("a real point"));
        }
        return;
    }
    let file = if kind == b'x' { "upload.xlsx" } else { "upload.csv" };
    let Ok(table) = read_table(rest, file) else {
        return;
    };
    if kind == b'x' {
        assert!(table.iter().all(|row| row.len() <= MAX_COLUMNS as usize));
    }
    // Problems name a data line (the header is line 1); no line is used twice.
    let data_lines = 2..=table.len();
    let area: DivisionCode = "530402000000".parse().expect("a county code");
    if let Ok((households, problems)) = parse_register(&table, area) {
        assert!(households.len() + problems.len() < table.len());
        assert!(problems.iter().all(|p| data_lines.contains(&p.line)));
        for h in &households {
            assert!(area.contains(h.village), "{h:?}");
            assert!(!has_hidden_characters(&h.name, false) && !has_hidden_characters(&h.group, false));
        }
    }
    if let Ok((rows, problems)) = parse_screening(&table) {
        let mut lines: Vec<_> = rows
            .iter()
            .map(|r| r.line)
            .chain(problems.iter().map(|p| p.line))
            .collect();
        lines.sort_unstable();
        let used = lines.len();
        lines.dedup();
        assert_eq!(lines.len(), used, "a line used twice");
        assert!(lines.iter().all(|l| data_lines.contains(l)));
        assert!(rows.iter().all(|r| !has_hidden_characters(&r.detail, true)));
    }
}
