//! Hardening against hostile clients (issue: a careful outsider against the running
//! server): no code sign-in without a real sender, console pages that are never
//! cached or framed, sign-in names that cannot grow the process.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use serde_json::json;
use std::sync::Arc;
use zaofaxian_server::auth::NoSender;
use zaofaxian_server::state::AppState;
use zaofaxian_shared::{ManualClock, Role};

/// Without a configured SMS sender a household is told so in words (no code goes to
/// the log); staff still sign in.
#[tokio::test]
async fn no_sms_sender_means_no_code_sign_in_but_staff_still_work() {
    for db in common::backends().await {
        let _ = rustls::crypto::ring::default_provider().install_default();
        zaofaxian_server::accounts::create_staff(
            db.store.as_ref(),
            "cadre",
            "张三",
            Role::VillageCadre,
            "530402001001".parse().unwrap(),
            "password-123",
        )
        .await
        .unwrap();
        let clock = Arc::new(ManualClock::at_date("2026-12-01".parse().unwrap()));
        let state = AppState::new(
            db.store.clone(),
            clock,
            Arc::new(NoSender),
            tempfile::tempdir().unwrap().keep(),
        );
        state.load_reference().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(zaofaxian_server::http::serve_on(
            listener,
            zaofaxian_server::http::app(state),
        ));
        let http = reqwest::Client::new();
        let r = http
            .post(format!("{base}/api/v1/auth/otp"))
            .json(&json!({ "phone": "13812345678" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 503, "{}", db.name);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["code"], "sms_not_configured");
        assert!(body["message"]["zh"].as_str().unwrap().contains("短信未配置"));
        let r = http
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({ "login": "cadre", "password": "password-123" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}

/// Console pages and exports carry personal data: no caching, no framing, no scripts.
#[tokio::test]
async fn console_pages_are_never_cached_or_framed() {
    let app = TestApp::start(common::sqlite().await, "2026-12-01").await;
    app.staff("county", Role::County, "530402000000").await;
    let cookie = {
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(app.url("/console/login"))
            .form(&[("login", "county"), ("password", "password-123")])
            .send()
            .await
            .unwrap();
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    };
    for path in [
        "/console/login",
        "/console/board",
        "/console/export/cases.csv",
        "/console/notice",
    ] {
        let r = app
            .http
            .get(app.url(path))
            .header("cookie", &cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers();
        assert_eq!(h["cache-control"], "no-store", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'none'"),
            "{path}: {csp}"
        );
        assert!(!csp.contains("script-src"), "no scripts are allowed: {csp}");
    }
    // No page relies on an inline script the policy would block.
    let notice = app.console_page(&cookie, "/console/notice").await;
    assert!(!notice.contains("onclick") && !notice.contains("<script"), "{notice}");
}

/// 200 sign-ins with 1 MB names once kept 340 MB in the limiter: now a name that long is
/// refused without a look-up and nothing of it is kept.
#[tokio::test]
async fn huge_sign_in_names_are_refused_and_not_kept() {
    let app = TestApp::start(common::sqlite().await, "2026-12-01").await;
    let before = app.state.login_limiter.tracked();
    let name = "名".repeat(300_000);
    for _ in 0..3 {
        let (status, body) = app
            .post("", "/api/v1/auth/login", &json!({ "login": name, "password": "x" }))
            .await;
        assert_eq!((status, body["code"].as_str()), (401, Some("bad_credentials")));
    }
    assert_eq!(app.state.login_limiter.tracked(), before);
    // An ordinary wrong name is still counted and limited after five tries.
    for _ in 0..5 {
        app.post("", "/api/v1/auth/login", &json!({ "login": "nobody", "password": "x" }))
            .await;
    }
    let (status, body) = app
        .post("", "/api/v1/auth/login", &json!({ "login": "nobody", "password": "x" }))
        .await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")));
    assert_eq!(app.state.login_limiter.tracked(), before + 1);
}
