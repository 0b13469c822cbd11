//! The real SMS sender against a local stand-in for the provider that checks every
//! request's TC3 signature with the shared key, as the provider does: a household
//! gets its code by text and signs in with it; a wrong key is refused and the
//! household is told the text failed.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::sms_stand_in::{self, CODE_TEMPLATE, KEY, sender};
use serde_json::{Value, json};
use std::sync::Arc;
use zaofaxian_server::sms::TencentSms;
use zaofaxian_server::state::AppState;
use zaofaxian_shared::ManualClock;

async fn server(codes: TencentSms) -> (String, reqwest::Client) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = common::sqlite().await;
    let clock = Arc::new(ManualClock::at_date("2026-12-01".parse().unwrap()));
    let state = AppState::new(
        db.store.clone(),
        clock,
        Arc::new(codes),
        zaofaxian_server::photo_files::PhotoFiles::folder(&tempfile::tempdir().unwrap().keep()).unwrap(),
    );
    let base = common::serve_state(state).await;
    // Keep the database alive for the test's length.
    std::mem::forget(db);
    (base, reqwest::Client::new())
}

#[tokio::test]
async fn a_household_gets_its_code_by_text_and_signs_in() {
    let (provider, texts) = sms_stand_in::start().await;
    let (base, http) = server(sender(&provider, KEY)).await;
    let r = http
        .post(format!("{base}/api/v1/auth/otp"))
        .json(&json!({ "phone": "13812345678" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let sent = texts.lock().unwrap().last().cloned().unwrap();
    let (phone, code) = (sent.phone, sent.params[0].clone());
    assert_eq!(
        (phone.as_str(), sent.template.as_str()),
        ("+8613812345678", CODE_TEMPLATE)
    );
    assert_eq!(code.len(), 6);
    let r = http
        .post(format!("{base}/api/v1/auth/otp/verify"))
        .json(&json!({ "phone": "13812345678", "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn a_refused_text_is_said_and_the_code_is_not_kept() {
    let (provider, texts) = sms_stand_in::start().await;
    let (base, http) = server(sender(&provider, "a-wrong-key")).await;
    let r = http
        .post(format!("{base}/api/v1/auth/otp"))
        .json(&json!({ "phone": "13812345678" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 502);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], "sms_failed");
    assert!(body["message"]["zh"].as_str().unwrap().contains("短信发送失败"));
    assert!(
        texts.lock().unwrap().is_empty(),
        "the stand-in refused the bad signature"
    );
    // No code was kept to be guessed.
    let r = http
        .post(format!("{base}/api/v1/auth/otp/verify"))
        .json(&json!({ "phone": "13812345678", "code": "000000" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
