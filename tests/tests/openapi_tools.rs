//! The API description as an integrator meets it, checked by standard tools against
//! the real server binary on each backend: `openapi-spec-validator` accepts the
//! document served at `/api/v1/openapi.json`, and `schemathesis` (all its default
//! checks: no server error, documented status codes, content types, headers and
//! response bodies, schema-valid requests accepted, schema-violating ones refused,
//! authentication, stateful sequences) finds nothing, signed in as a village cadre
//! and as a household. Sign-out ends the session the run uses, so it has a run (and a
//! session) of its own, last.
//!
//! The tools come from PyPI (`scripts/openapi-tools.sh`, which the test command runs)
//! through `ZAOFAXIAN_SCHEMATHESIS` and `ZAOFAXIAN_OPENAPI_VALIDATOR`; without them the
//! test says so and passes, unless `ZAOFAXIAN_REQUIRE_OPENAPI_TOOLS` is set (as in the
//! test command). A failure prints the tool's report, with the `curl` that reproduces it.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use zaofaxian_e2e::server_process::{ServerProcess, last_code};
use zaofaxian_shared::wire::{CodeRequest, CodeSignIn, LoginRequest, SessionAnswer};

/// Test cases per operation and phase (the figure the tools were first tried with).
const EXAMPLES: &str = "25";
/// A fixed seed: a run in CI is repeatable; try others by hand with `--seed`.
const SEED: &str = "20261201";

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

fn schemathesis(exe: &Path, dir: &Path, base: &str, token: &str, paths: &[&str]) -> Command {
    let mut cmd = Command::new(exe);
    // Its cache (and the failures it would replay) stays in the test's own folder.
    cmd.current_dir(dir);
    cmd.args(["run", &format!("{base}/api/v1/openapi.json")])
        .args(["-H", &format!("Authorization: Bearer {token}")])
        .args(["--max-examples", EXAMPLES, "--seed", SEED, "--workers", "1"])
        .args(["--no-color", "--generation-database", "none"])
        .args(paths)
        .env("NO_COLOR", "1");
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
        let sessions = [("cadre", staff_token(&http, &base).await), ("household", household)];
        for (who, token) in &sessions {
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
