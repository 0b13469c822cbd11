//! The API description as an integrator meets it, checked by standard tools against
//! the real server binary on each backend: `openapi-spec-validator` accepts the
//! document served at `/api/v1/openapi.json`, and `schemathesis` (all its default
//! checks: no server error, documented status codes, content types, headers and
//! response bodies, schema-valid requests accepted, schema-violating ones refused,
//! authentication, stateful sequences) finds nothing, signed in as a village cadre
//! and as a household. A real case, reported by the household, is the `{id}` of every
//! case operation, so the steps reach the lifecycle's rules instead of a 404. Sign-out
//! ends the session the run uses, so it has a run (and a session) of its own, last.
//!
//! The tools come from PyPI (`scripts/openapi-tools.sh`, which the test command runs)
//! through `ZAOFAXIAN_SCHEMATHESIS` and `ZAOFAXIAN_OPENAPI_VALIDATOR`; without them the
//! test says so and passes, unless `ZAOFAXIAN_REQUIRE_OPENAPI_TOOLS` is set (as in the
//! test command). A failure prints the tool's report, with the `curl` that reproduces it.
//! `tests/openapi/schemathesis_hooks.py` teaches schemathesis the document's one custom
//! format (`cn-resident-id`, an ID number with a real date and check character).

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use zaofaxian_e2e::server_process::{ServerProcess, last_code};
use zaofaxian_shared::report::{Hardship, HardshipReport};
use zaofaxian_shared::wire::{
    CaseDetail, CodeRequest, CodeSignIn, LoginRequest, OutgoingRecord, PushAnswer, PushRequest, RecordKind,
    SessionAnswer,
};

/// Test cases per operation and phase (the figure the tools were first tried with).
const EXAMPLES: &str = "25";
/// A fixed seed: a run in CI is repeatable; try others with
/// `ZAOFAXIAN_SCHEMATHESIS_SEED`.
const SEED: &str = "20261201";

fn seed() -> String {
    std::env::var("ZAOFAXIAN_SCHEMATHESIS_SEED").unwrap_or_else(|_| SEED.into())
}

fn tools() -> Option<(PathBuf, PathBuf)> {
    let get = |var: &str| std::env::var(var).ok().map(PathBuf::from).filter(|p| p.is_file());
    let found = get("ZAOFAXIAN_OPENAPI_VALIDATOR").zip(get("ZAOFAXIAN_SCHEMATHESIS"));
    if found.is_none() {
        assert!(
            std::env::var("ZAOFAXIAN_REQUIRE_OPENAPI_TOOLS").is_err(),
            "ZAOFAXIAN_REQUIRE_OPENAPI_TOOLS is set but the tools are missing (scripts/openapi-tools.sh)"
        );
        eprintln!(
            "OpenAPI tools not installed: run scripts/openapi-tools.sh DIR and eval its output to test with them"
        );
    }
    found
}

/// Runs a tool; panics with everything it printed unless it succeeded.
fn run(what: &str, cmd: &mut Command) {
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{what} failed:\n{text}");
    let last = text.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or_default();
    println!("{what}: {last}");
}

async fn staff_token(http: &reqwest::Client, base: &str) -> String {
    let body = LoginRequest {
        login: "cadre".into(),
        password: "password-123".into(),
    };
    let r = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap();
    r.json::<SessionAnswer>().await.unwrap().token
}

async fn household_token(http: &reqwest::Client, base: &str, log: &Path) -> String {
    let phone: zaofaxian_shared::PhoneNumber = "13900000001".parse().unwrap();
    let r = http
        .post(format!("{base}/api/v1/auth/otp"))
        .json(&CodeRequest { phone: phone.clone() })
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let mut code = None;
    for _ in 0..50 {
        code = last_code(log, &phone.masked());
        if code.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let sign_in = CodeSignIn {
        phone,
        code: code.unwrap(),
        attempt: None,
    };
    let r = http
        .post(format!("{base}/api/v1/auth/otp/verify"))
        .json(&sign_in)
        .send()
        .await
        .unwrap();
    r.json::<SessionAnswer>().await.unwrap().token
}

/// The household reports a hardship through the sync push, as the app does; answers
/// the new case's id.
async fn reported_case(http: &reqwest::Client, base: &str, token: &str, device: &str) -> String {
    let report = HardshipReport {
        village: "530402001001".parse().unwrap(),
        household_name: "王秀英".into(),
        hardship: Hardship::Illness,
        happened_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
        phone: None,
        national_id: None,
        amount: None,
        description: "户主突发脑梗住院".into(),
        group: "3组".into(),
        on_behalf: false,
        photos: Vec::new(),
        voice_note: None,
        location: None,
    };
    let push = PushRequest {
        device_id: device.into(),
        records: vec![OutgoingRecord {
            id: zaofaxian_shared::RecordId::new().to_string(),
            seq: 1,
            kind: RecordKind::Report,
            body: serde_json::to_value(&report).unwrap(),
        }],
    };
    let r = http
        .post(format!("{base}/api/v1/sync/push"))
        .bearer_auth(token)
        .json(&push)
        .send()
        .await
        .unwrap();
    let answer: PushAnswer = r.json().await.unwrap();
    let result = &answer.results[0];
    result
        .case_id
        .clone()
        .unwrap_or_else(|| panic!("the report was refused: {result:?}"))
}

/// How many steps the case's history holds after its report.
async fn steps_taken(http: &reqwest::Client, base: &str, token: &str, case: &str) -> usize {
    let r = http
        .get(format!("{base}/api/v1/cases/{case}"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let detail: CaseDetail = r.json().await.unwrap();
    detail.history.len() - 1
}

/// Schemathesis' settings: the known case as every `{id}`. Every check and operation
/// keeps its defaults: the two date rules of a home visit that JSON Schema cannot state
/// are taught to the tool by `tests/openapi/schemathesis_hooks.py`.
fn config(dir: &Path, case_id: &str) -> PathBuf {
    let file = dir.join("schemathesis.toml");
    let text = format!("[parameters]\n\"path.id\" = \"{case_id}\"\n");
    std::fs::write(&file, text).unwrap();
    file
}

fn schemathesis(exe: &Path, dir: &Path, base: &str, token: &str, paths: &[&str]) -> Command {
    let mut cmd = Command::new(exe);
    // Its cache (and the failures it would replay) stays in the test's own folder.
    cmd.current_dir(dir);
    cmd.args(["--config-file", &dir.join("schemathesis.toml").to_string_lossy()]);
    cmd.args(["run", &format!("{base}/api/v1/openapi.json")])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", EXAMPLES, "--seed", &seed(), "--workers", "1"])
        .args(["--no-color", "--generation-database", "none"])
        .args(paths)
        .env("NO_COLOR", "1")
        // The generator of the document's `cn-resident-id` format.
        .env("SCHEMATHESIS_HOOKS", "schemathesis_hooks")
        .env("PYTHONPATH", concat!(env!("CARGO_MANIFEST_DIR"), "/openapi"));
    cmd
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn standard_tools_accept_the_document_and_find_nothing_wrong_with_the_server() {
    let Some((validator, st)) = tools() else { return };
    let _ = rustls::crypto::ring::default_provider().install_default();
    for db in common::backends().await {
        common::divisions_and_cadre(&db, "530402001001").await;
        let work = tempfile::tempdir().unwrap();
        let (photo_dir, log) = (work.path().join("photos"), work.path().join("server.log"));
        let exe = Path::new(env!("CARGO_BIN_EXE_zaofaxian-server-under-test"));
        let mut server = ServerProcess::new(exe, &db.url, &photo_dir, &log).unwrap();
        server.start().unwrap();
        let base = format!("http://{}", server.addr);
        let http = reqwest::Client::new();

        let doc = http.get(format!("{base}/api/v1/openapi.json")).send().await.unwrap();
        let doc_file = work.path().join("openapi.json");
        std::fs::write(&doc_file, doc.bytes().await.unwrap()).unwrap();
        run(
            &format!("{}: openapi-spec-validator", db.name),
            Command::new(&validator).arg(&doc_file),
        );

        let household = household_token(&http, &base, &log).await;
        let sessions = [
            ("cadre", staff_token(&http, &base).await),
            ("household", household.clone()),
        ];
        for (who, token) in &sessions {
            // Each run starts from a case of its own, fresh at home verification.
            let case = reported_case(&http, &base, &household, &format!("for-{who}")).await;
            config(work.path(), &case);
            run(
                &format!("{}: schemathesis as {who}", db.name),
                &mut schemathesis(
                    &st,
                    work.path(),
                    &base,
                    token,
                    &["--exclude-path", "/api/v1/auth/logout"],
                ),
            );
            let steps = steps_taken(&http, &base, &household, &case).await;
            println!("{}: {who}'s run took {steps} step(s) on its case", db.name);
            if *who == "cadre" {
                assert!(steps > 0, "{}: the run never got past the case's first stage", db.name);
            }
        }
        // Sign-out last, with a session of its own.
        let token = staff_token(&http, &base).await;
        run(
            &format!("{}: schemathesis, sign-out", db.name),
            &mut schemathesis(
                &st,
                work.path(),
                &base,
                &token,
                &["--include-path", "/api/v1/auth/logout"],
            ),
        );
        server.kill();
    }
}
