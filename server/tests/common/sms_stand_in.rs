//! A local stand-in for the SMS provider (Tencent Cloud SendSms): checks each request's
//! TC3 signature with the shared key, as the provider does, and records what it was
//! asked to send.

use axum::http::HeaderMap;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use zaofaxian_server::sms::{SignInput, TencentSms, tc3_authorization};

pub const KEY: &str = "stand-in-secret-key";
pub const CODE_TEMPLATE: &str = "123456";
pub const NOTICE_TEMPLATE: &str = "654321";

/// One message the stand-in accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// As the provider gets it: +86…
    pub phone: String,
    pub template: String,
    pub params: Vec<String>,
}

pub type Outbox = Arc<Mutex<Vec<Sent>>>;

/// Starts the stand-in; returns its address and what it received.
pub async fn start() -> (String, Outbox) {
    let sent: Outbox = Arc::default();
    let kept = sent.clone();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = axum::Router::new().route(
        "/",
        axum::routing::post(move |headers: HeaderMap, body: String| {
            let sent = kept.clone();
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
                assert_eq!((req["SmsSdkAppId"].as_str(), req["SignName"].as_str()), (Some("1400000000"), Some("早发现")));
                let phone = req["PhoneNumberSet"][0].as_str().unwrap().to_string();
                sent.lock().unwrap().push(Sent {
                    phone: phone.clone(),
                    template: req["TemplateId"].as_str().unwrap().to_string(),
                    params: serde_json::from_value(req["TemplateParamSet"].clone()).unwrap(),
                });
                axum::Json(json!({ "Response": { "SendStatusSet": [ {
                    "SerialNo": "2028:1", "PhoneNumber": phone, "Fee": 1, "SessionContext": "",
                    "Code": "Ok", "Message": "send success", "IsoCode": "CN" } ], "RequestId": "r2" } }))
            }
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), sent)
}

/// The real sender pointed at the stand-in, signing with `key`.
pub fn sender(endpoint: &str, key: &str) -> TencentSms {
    let settings = [
        ("ZAOFAXIAN_SMS_ENDPOINT", endpoint),
        ("ZAOFAXIAN_SMS_SECRET_ID", "AKID-stand-in"),
        ("ZAOFAXIAN_SMS_SECRET_KEY", key),
        ("ZAOFAXIAN_SMS_APP_ID", "1400000000"),
        ("ZAOFAXIAN_SMS_SIGN", "早发现"),
        ("ZAOFAXIAN_SMS_TEMPLATE", CODE_TEMPLATE),
        ("ZAOFAXIAN_SMS_NOTICE_TEMPLATE", NOTICE_TEMPLATE),
    ];
    TencentSms::from_env(|k| settings.iter().find(|(n, _)| *n == k).map(|(_, v)| v.to_string())).unwrap()
}
