//! The `deadline` command as a county officer runs it: the real binary.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_zaofaxian-server"))
        .args(args)
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn national_day_2025_deadline_prints_the_iso_date_last() {
    let (code, stdout, stderr) = run(&["deadline", "--from", "2025-09-30", "--working-days", "5"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(stdout.lines().last(), Some("2025-10-14"));
    assert!(stdout.contains("2025-10-01 国庆节、中秋节"), "{stdout}");
    assert!(
        !stdout.contains("2025-10-11"),
        "the make-up Saturday is a working day: {stdout}"
    );
}

#[test]
fn spring_festival_2026() {
    let (code, stdout, _) = run(&["deadline", "--from", "2026-02-13", "--working-days", "2"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().last(), Some("2026-02-24"));
}

#[test]
fn calendar_days_mode_moves_off_the_holiday() {
    let (code, stdout, _) = run(&["deadline", "--from", "2025-09-28", "--days", "5"]);
    assert_eq!(code, 0);
    assert_eq!(stdout.lines().last(), Some("2025-10-09"));
}

/// A year without data is counted with weekends only and said to be provisional,
/// never presented as final.
#[test]
fn a_year_without_data_gives_a_provisional_date_and_says_why() {
    let (code, stdout, _) = run(&["deadline", "--from", "2027-03-01", "--working-days", "5"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("暂定 / provisional") && stdout.contains("2027年节假日安排尚未导入"),
        "{stdout}"
    );
    assert_eq!(stdout.lines().last(), Some("2027-03-08"));
}

#[test]
fn bad_arguments_are_explained() {
    let (code, _, stderr) = run(&["deadline", "--from", "2025-13-01", "--working-days", "5"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("--from"), "{stderr}");
    let (code, _, stderr) = run(&["deadline", "--from", "2025-10-01"]);
    assert_ne!(code, 0);
    assert!(stderr.contains("--working-days"), "{stderr}");
}

#[test]
fn a_regional_overlay_applies_only_with_its_region() {
    let dir = std::env::temp_dir().join(format!("zfx-overlay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("dali.csv");
    std::fs::write(
        &file,
        "region_code,date,kind,name\n532900000000,2025-04-10,holiday,三月街\n532900000000,2025-04-11,holiday,三月街\n",
    )
    .unwrap();
    let f = file.to_str().unwrap();
    let (_, inside, _) = run(&[
        "deadline",
        "--from",
        "2025-04-09",
        "--working-days",
        "2",
        "--region",
        "532932100201",
        "--overlay",
        f,
    ]);
    let (_, outside, _) = run(&[
        "deadline",
        "--from",
        "2025-04-09",
        "--working-days",
        "2",
        "--region",
        "530402001001",
        "--overlay",
        f,
    ]);
    assert_eq!(inside.lines().last(), Some("2025-04-15"));
    assert!(inside.contains("三月街"));
    assert_eq!(outside.lines().last(), Some("2025-04-11"));
    std::fs::remove_dir_all(dir).ok();
}

/// The admin CLI on a fresh SQLite file: import the sample divisions with progress,
/// create a cadre with the password on standard input, refuse a duplicate.
#[test]
fn admin_imports_divisions_and_creates_staff() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("admin.sqlite").display());
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/data/yunnan_sample_divisions.csv");
    let (code, stdout, stderr) = run(&["admin", "--database-url", &db, "import-divisions", csv]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("imported 1035 divisions"), "{stdout}");
    assert!(stderr.contains("importing: 200/1035"), "progress is shown: {stderr}");

    let create = |login: &str, password: &str| {
        let mut child = Command::new(env!("CARGO_BIN_EXE_zaofaxian-server"))
            .args([
                "admin",
                "--database-url",
                &db,
                "create-staff",
                "--login",
                login,
                "--name",
                "李干部",
            ])
            .args(["--role", "village_cadre", "--division", "530402001001"])
            .env_remove("ZAOFAXIAN_PASSWORD")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, stdout, stderr) = create("li01", "a-long-password");
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("li01"), "{stdout}");
    let (code, _, stderr) = create("li01", "a-long-password");
    assert_ne!(code, 0);
    assert!(stderr.contains("login already exists"), "{stderr}");
    let (code, _, stderr) = create("li02", "short");
    assert_ne!(code, 0);
    assert!(stderr.contains("at least 8 characters"), "{stderr}");
    let (code, _, stderr) = run(&[
        "admin",
        "--database-url",
        &db,
        "create-staff",
        "--login",
        "x",
        "--name",
        "x",
        "--role",
        "mayor",
        "--division",
        "530402001001",
    ]);
    assert_ne!(code, 0);
    assert!(stderr.contains("unknown role"), "{stderr}");
}
