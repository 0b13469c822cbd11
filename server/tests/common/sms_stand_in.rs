//! A local stand-in for the SMS provider (Tencent Cloud SendSms): checks each request's
//! TC3 signature with the shared key, as the provider does, and records what it was
//! asked to send.

use axum::http::HeaderMap;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use zaofaxian_server::sms::{SignInput, TencentSms, tc3_authorization};
use zaofaxian_shared::text_messages::{MAX_VARIABLE_CHARS, TextKind, TextMessage};

pub const KEY: &str = "stand-in-secret-key";
pub const CODE_TEMPLATE: &str = "123456";

/// The notice templates' ids the stand-in's sender is given: 3001, 3002 … in
/// `TextKind::ALL` order.
pub fn notice_templates() -> String {
    TextKind::ALL
        .iter()
        .enumerate()
        .map(|(i, k)| format!("{}={}", k.name(), 3001 + i))
        .collect::<Vec<_>>()
        .join(",")
}

/// What a notice the stand-in received reads as (its template filled in), or `None`
/// for a code or an unknown template.
pub fn notice_body(s: &Sent) -> Option<String> {
    let i: usize = s.template.parse::<usize>().ok()?.checked_sub(3001)?;
    let kind = *TextKind::ALL.get(i)?;
    assert_eq!(s.params.len(), kind.variables(), "{kind:?}: {:?}", s.params);
    assert!(
        s.params
            .iter()
            .all(|p| !p.is_empty() && p.chars().count() <= MAX_VARIABLE_CHARS),
        "a provider takes at most {MAX_VARIABLE_CHARS} characters in a variable: {:?}",
        s.params
    );
    Some(
        TextMessage {
            kind,
            params: s.params.clone(),
        }
        .body(),
    )
}

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

/// The server's settings for the real sender pointed at the stand-in, signing with
/// `key` (as environment variables: a server process takes them as they are).
pub fn settings(endpoint: &str, key: &str) -> [(&'static str, String); 8] {
    [
        ("ZAOFAXIAN_SMS", "tencent".into()),
        ("ZAOFAXIAN_SMS_ENDPOINT", endpoint.into()),
        ("ZAOFAXIAN_SMS_SECRET_ID", "AKID-stand-in".into()),
        ("ZAOFAXIAN_SMS_SECRET_KEY", key.into()),
        ("ZAOFAXIAN_SMS_APP_ID", "1400000000".into()),
        ("ZAOFAXIAN_SMS_SIGN", "早发现".into()),
        ("ZAOFAXIAN_SMS_TEMPLATE", CODE_TEMPLATE.into()),
        ("ZAOFAXIAN_SMS_NOTICE_TEMPLATES", notice_templates()),
    ]
}

/// The real sender pointed at the stand-in, signing with `key`.
pub fn sender(endpoint: &str, key: &str) -> TencentSms {
    let settings = settings(endpoint, key);
    TencentSms::from_env(|k| settings.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())).unwrap()
}
