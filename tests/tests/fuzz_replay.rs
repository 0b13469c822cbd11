//! The fuzz targets' bodies (fuzz/src/checks.rs) on stable: every seed, and every
//! input that once made a target fail (fuzz/regressions/), must pass. The long runs
//! are `scripts/fuzz.sh`, on nightly.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::path::Path;

/// Every file under fuzz/seeds/<target> and fuzz/regressions/<target>.
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    let mut out = Vec::new();
    for kind in ["seeds", "regressions"] {
        let Ok(dir) = std::fs::read_dir(root.join(kind).join(target)) else {
            continue;
        };
        for e in dir {
            let path = e.unwrap().path();
            if path.is_file() && path.file_name().is_some_and(|n| n != ".gitkeep") {
                out.push((path.display().to_string(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

fn replay(target: &str, check: fn(&[u8])) -> usize {
    let all = inputs(target);
    assert!(!all.is_empty(), "no seeds for {target}");
    for (path, data) in &all {
        if std::panic::catch_unwind(|| check(data)).is_err() {
            panic!("{target}: {path} fails again");
        }
    }
    all.len()
}

#[test]
fn sync_push_inputs_pass_and_the_seed_is_a_real_push() {
    replay("sync_push", checks::sync_push);
    // A seed the decoder refuses would leave the fuzzer starting from nothing.
    let seed = std::fs::read("../fuzz/seeds/sync_push/report_and_visit.json").unwrap();
    let body = zaofaxian_shared::sync::decode_push(&seed).unwrap();
    assert_eq!(body.records.len(), 3);
}

#[test]
fn income_worksheet_inputs_pass_and_the_seed_computes() {
    replay("income_worksheet", checks::income_worksheet);
    let seed = std::fs::read("../fuzz/seeds/income_worksheet/annex2_sample.json").unwrap();
    let sheet: zaofaxian_shared::income::Worksheet = serde_json::from_slice(&seed).unwrap();
    assert!(sheet.compute(2).is_ok());
}

#[test]
fn photo_decode_inputs_pass_and_the_seeds_decode() {
    replay("photo_decode", checks::photo_decode);
    for (seed, decodes) in [
        ("small.jpg", true),
        ("rotated_exif.jpg", true),
        ("small.png", true),
        ("bomb_header.png", false),
    ] {
        let data = std::fs::read(format!("../fuzz/seeds/photo_decode/{seed}")).unwrap();
        assert_eq!(
            zaofaxian_shared::photo::decode_upright(&data).is_ok(),
            decodes,
            "{seed}"
        );
    }
    // The EXIF seed is stored 64×48 and turned upright to 48×64.
    let data = std::fs::read("../fuzz/seeds/photo_decode/rotated_exif.jpg").unwrap();
    let img = zaofaxian_shared::photo::decode_upright(&data).unwrap();
    assert_eq!((img.width(), img.height()), (48, 64));
}

#[test]
fn imports_inputs_pass_and_the_seeds_read_as_meant() {
    use zaofaxian_server::import::{parse_area, parse_screening, read_table};
    replay("imports", checks::imports);
    let seed = |name: &str| std::fs::read(format!("../fuzz/seeds/imports/{name}")).unwrap()[1..].to_vec();
    let table = read_table(&seed("screening.xlsx"), "x.xlsx").unwrap();
    let (rows, problems) = parse_screening(&table).unwrap();
    assert_eq!((rows.len(), problems.len()), (1, 1));
    let table = read_table(&seed("register.csv"), "x.csv").unwrap();
    assert_eq!(table.len(), 3);
    assert!(read_table(&seed("far_apart.xlsx"), "x.xlsx").is_err());
    assert!(parse_area(std::str::from_utf8(&seed("area.geojson")).unwrap()).is_ok());
}
