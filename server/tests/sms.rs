//! The real SMS sender against a local stand-in for the provider that checks every
//! request's TC3 signature with the shared key, as the provider does: a household
//! gets its code by text and signs in with it; a wrong key is refused and the
//! household is told the text failed.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use axum::http::HeaderMap;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use zaofaxian_server::sms::{SignInput, TencentSms, tc3_authorization};
use zaofaxian_server::state::AppState;
use zaofaxian_shared::ManualClock;

const KEY: &str = "stand-in-secret-key";

/// A stand-in provider: verifies the signature and the request, keeps the codes sent.
async fn stand_in(texts: Arc<Mutex<Vec<(String, String)>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let texts = texts.clone();
            async move {
                let h = |k: &str| headers.get(k).and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                let expected = tc3_authorization(&SignInput {
                    secret_id: "AKID-stand-in",
                    secret_key: KEY,
                    service: "sms",
                    host: &h("host"),
                    timestamp: h("x-tc-timestamp").parse().unwrap_or(0),
                    payload: &body,
                });
                if h("authorization") != expected || h("x-tc-action") != "SendSms" || h("x-tc-version") != "2021-01-11" {
                    return axum::Json(json!({ "Response": { "Error": {
                        "Code": "AuthFailure.SignatureFailure", "Message": "The provided credentials could not be validated." },
                        "RequestId": "r1" } }));
                }
                let req: Value = serde_json::from_str(&body).unwrap();
                assert_eq!((req["SmsSdkAppId"].as_str(), req["SignName"].as_str(), req["TemplateId"].as_str()), (Some("1400000000"), Some("早发现"), Some("123456")));
                let phone = req["PhoneNumberSet"][0].as_str().unwrap().to_string();
                let code = req["TemplateParamSet"][0].as_str().unwrap().to_string();
                texts.lock().unwrap().push((phone.clone(), code));
                axum::Json(json!({ "Response": { "SendStatusSet": [ {
                    "SerialNo": "2028:1", "PhoneNumber": phone, "Fee": 1, "SessionContext": "",
                    "Code": "Ok", "Message": "send success", "IsoCode": "CN" } ], "RequestId": "r2" } }))
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}")
}

fn sender(endpoint: &str, key: &str) -> TencentSms {
    let settings = [
        ("ZAOFAXIAN_SMS_ENDPOINT", endpoint),
        ("ZAOFAXIAN_SMS_SECRET_ID", "AKID-stand-in"),
        ("ZAOFAXIAN_SMS_SECRET_KEY", key),
        ("ZAOFAXIAN_SMS_APP_ID", "1400000000"),
        ("ZAOFAXIAN_SMS_SIGN", "早发现"),
        ("ZAOFAXIAN_SMS_TEMPLATE", "123456"),
    ];
    TencentSms::from_env(|k| settings.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())).unwrap()
}

async fn server(codes: TencentSms) -> (String, reqwest::Client) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = common::sqlite().await;
    let clock = Arc::new(ManualClock::at_date("2026-12-01".parse().unwrap()));
    let state = AppState::new(
        db.store.clone(),
        clock,
        Arc::new(codes),
        tempfile::tempdir().unwrap().keep(),
    );
    let base = common::serve_state(state).await;
    // Keep the database alive for the test's length.
    std::mem::forget(db);
    (base, reqwest::Client::new())
}

#[tokio::test]
async fn a_household_gets_its_code_by_text_and_signs_in() {
    let texts = Arc::new(Mutex::new(Vec::new()));
    let provider = stand_in(texts.clone()).await;
    let (base, http) = server(sender(&provider, KEY)).await;
    let r = http
        .post(format!("{base}/api/v1/auth/otp"))
        .json(&json!({ "phone": "13812345678" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 202);
    let (phone, code) = texts.lock().unwrap().last().cloned().unwrap();
    assert_eq!(phone, "+8613812345678");
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
    let texts = Arc::new(Mutex::new(Vec::new()));
    let provider = stand_in(texts.clone()).await;
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
