//! Hostile input on both backends: SQL-looking text in every place a query is built
//! from the request, characters databases choke on, malformed and oversized bodies,
//! numbers that overflow. Each is refused with a reason or stored verbatim; nothing
//! is half-written and the server keeps answering.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use common::pushed;
use serde_json::{Value, json};
use zaofaxian_server::store::{CaseFilter, Scope, Store};
use zaofaxian_shared::wire::RecordStatus;
use zaofaxian_shared::{RecordId, Role};

const VILLAGE: &str = "530402001001";
const COUNTY: &str = "530402000000";
const SQL: &str = "x' OR '1'='1'; DROP TABLE cases;--";

/// A report with a fresh id and the next device sequence number.
fn report(name: &str) -> Value {
    static SEQ: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(1);
    let seq = SEQ.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    json!({ "id": RecordId::new().to_string(), "seq": seq, "kind": "report",
            "body": { "village": VILLAGE, "household_name": name, "hardship": "illness",
                      "happened_on": "2025-10-30", "description": name } })
}

async fn push_one(app: &TestApp, token: &str, record: Value) -> (u16, Value) {
    app.post(
        token,
        "/api/v1/sync/push",
        &json!({ "device_id": "p", "records": [record] }),
    )
    .await
}

async fn case_count(app: &TestApp) -> usize {
    let scope = Scope::Within(COUNTY.parse().unwrap());
    app.db.store.cases(&CaseFilter::scope(scope)).await.unwrap().len()
}

/// Raw body with a content type, for what `reqwest::json` would never send.
async fn raw(app: &TestApp, token: &str, path: &str, content_type: &str, body: Vec<u8>) -> (u16, Value) {
    let r = app
        .http
        .post(app.url(path))
        .bearer_auth(token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn sql_looking_text_in_queries_paths_and_sign_ins_changes_nothing() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let county = app.staff("county", Role::County, COUNTY).await;
        let (s, v) = push_one(&app, &household, report(SQL)).await;
        assert_eq!((s, pushed(&v).status), (200, RecordStatus::Stored), "{v}");
        let q = |s: &str| {
            s.replace('\'', "%27")
                .replace(' ', "%20")
                .replace(';', "%3B")
                .replace('=', "%3D")
        };

        // Query strings and paths.
        let (s, _) = app.get(&county, &format!("/api/v1/queue?division={}", q(SQL))).await;
        assert_eq!(s, 400, "{name}: a division must be a code");
        let (s, v) = app.get(&county, &format!("/api/v1/queue?stage={}", q(SQL))).await;
        assert!(s == 400 || (s == 200 && v["count"] == 0), "{name}: {s} {v}");
        let (s, _) = app.get(&county, &format!("/api/v1/cases/{}", q(SQL))).await;
        assert_eq!(s, 404, "{name}");
        let (s, _) = app
            .get(&household, &format!("/api/v1/sync/pull?cursor={}", q(SQL)))
            .await;
        assert_eq!(s, 400, "{name}");
        for path in ["stage", "channel", "category"] {
            let r = app
                .http
                .get(app.url(&format!("/console/board?{path}={}", q(SQL))))
                .header("cookie", format!("zfx_session={county}"))
                .send()
                .await
                .unwrap();
            // Refused, or treated as a filter that matches nothing: never a server error.
            let s = r.status().as_u16();
            assert!(s == 400 || s == 200, "{name}: board ?{path}= {s}");
        }

        // Sign-ins.
        let (s, _) = app
            .post(
                "",
                "/api/v1/auth/login",
                &json!({ "login": "county' --", "password": SQL }),
            )
            .await;
        assert_eq!(s, 401, "{name}");
        let (s, _) = app.post("", "/api/v1/auth/otp", &json!({ "phone": SQL })).await;
        assert_eq!(s, 400, "{name}");
        let r = app
            .http
            .post(app.url("/console/login"))
            .form(&[("login", "county' OR '1'='1"), ("password", SQL)])
            .send()
            .await
            .unwrap();
        assert!(
            r.headers().get("set-cookie").is_none_or(
                |c| !c.to_str().unwrap().contains("zfx_session=") || c.to_str().unwrap().contains("zfx_session=;")
            ),
            "{name}: no session for a SQL password"
        );

        // Everything is still there, and the text came back exactly as sent.
        assert_eq!(case_count(&app).await, 1, "{name}");
        let (_, pulled) = app.get(&household, "/api/v1/sync/pull").await;
        assert_eq!(pulled["cases"][0]["report"]["household_name"], SQL, "{name}");
    }
}

#[tokio::test]
async fn rare_characters_are_kept_and_control_characters_refused() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        // 生僻字 outside the Basic Multilingual Plane (4-byte UTF-8) are real names.
        let rare = "𪨶𠀀 蔺𬌗";
        let (s, v) = push_one(&app, &household, report(rare)).await;
        assert_eq!((s, pushed(&v).status), (200, RecordStatus::Stored), "{name}: {v}");
        // A NUL byte (PostgreSQL cannot store one in text) and other control characters.
        for bad in ["张\u{0}三", "李\u{1b}[2J四", "王\u{202e}五"] {
            let (s, v) = push_one(&app, &household, report(bad)).await;
            assert_eq!(s, 200, "{name}: {bad:?} {v}");
            assert_eq!(pushed(&v).status, RecordStatus::Rejected, "{name}: {bad:?} {v}");
            assert_eq!(
                pushed(&v).error.unwrap().field.unwrap_or_default(),
                "household_name",
                "{name}: {v}"
            );
        }
        assert_eq!(case_count(&app).await, 1, "{name}");
        let (_, pulled) = app.get(&household, "/api/v1/sync/pull").await;
        assert_eq!(pulled["cases"][0]["report"]["household_name"], rare, "{name}");
    }
}

#[tokio::test]
async fn malformed_nested_and_overflowing_bodies_are_refused_cleanly() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let push = "/api/v1/sync/push";
        // Nested 100,000 deep: a parser that recursed would overflow the stack.
        let deep = format!(
            "{{\"device_id\":\"p\",\"records\":{}{}}}",
            "[".repeat(100_000),
            "]".repeat(100_000)
        );
        let (s, v) = raw(&app, &household, push, "application/json", deep.into_bytes()).await;
        assert_eq!(s, 400, "{name}: {v}");
        assert!(
            matches!(v["code"].as_str(), Some("bad_json" | "invalid_field")),
            "{name}: {v}"
        );
        // Not UTF-8, not JSON at all, the wrong content type, nothing.
        let mut bad_utf8 = br#"{"records":[],"device_id":""#.to_vec();
        bad_utf8.extend([0xff, 0xfe, b'"', b'}']);
        let (s, _) = raw(&app, &household, push, "application/json", bad_utf8).await;
        assert_eq!(s, 400, "{name}");
        let (s, _) = raw(&app, &household, push, "application/json", b"\x00\x01\x02".to_vec()).await;
        assert_eq!(s, 400, "{name}");
        let (s, _) = raw(&app, &household, push, "text/plain", b"{}".to_vec()).await;
        assert_eq!(s, 415, "{name}");
        let (s, _) = raw(&app, &household, push, "application/json", Vec::new()).await;
        assert_eq!(s, 400, "{name}");
        // Numbers out of range.
        let mut r = report("赵六");
        r["seq"] = json!(1e300);
        let (s, _) = push_one(&app, &household, r).await;
        assert_eq!(s, 400, "{name}: a float sequence number");
        // Inside a record: that record is refused, naming the field (the others would go on).
        let mut r = report("赵六");
        r["body"]["amount"] = json!(u64::MAX);
        let (s, v) = push_one(&app, &household, r).await;
        let refused = pushed(&v);
        assert_eq!(s, 200, "{name}: {v}");
        assert_eq!(refused.status, RecordStatus::Rejected, "{name}: an amount beyond i64");
        assert_eq!(refused.error.unwrap().field.as_deref(), Some("body.amount"), "{name}");
        let event = json!({ "id": RecordId::new().to_string(), "seq": 2, "kind": "case_event",
            "body": { "case_id": "x", "expected_version": -1, "event": { "event": "sign_application" } } });
        let (_, v) = push_one(&app, &household, event).await;
        let refused = pushed(&v);
        assert_eq!(refused.status, RecordStatus::Rejected, "{name}: a negative version");
        assert_eq!(
            refused.error.unwrap().field.as_deref(),
            Some("body.expected_version"),
            "{name}"
        );
        // Two hundred and one records in one push.
        let many: Vec<Value> = (0..201).map(|_| report("钱七")).collect();
        let (s, v) = app
            .post(&household, push, &json!({ "device_id": "p", "records": many }))
            .await;
        assert_eq!((s, v["code"].as_str()), (400, Some("too_many_records")), "{name}");
        // A ten-megabyte login is cut off before it is read.
        let (s, _) = raw(
            &app,
            "",
            "/api/v1/auth/login",
            "application/json",
            format!("{{\"login\":\"{}\"}}", "a".repeat(10 << 20)).into_bytes(),
        )
        .await;
        assert_eq!(s, 413, "{name}");

        assert_eq!(case_count(&app).await, 0, "{name}: nothing was written");
        let (s, _) = app.get(&household, "/api/v1/me").await;
        assert_eq!(s, 200, "{name}: the server still answers");
    }
}

/// Amounts that would overflow when summed (a typo of many zeros, or an attack) are
/// refused by field, not added up into nonsense or a crash.
#[tokio::test]
async fn a_worksheet_with_absurd_amounts_is_refused_by_field() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let (_, v) = push_one(&app, &household, report("孙八")).await;
        let case_id = pushed(&v).case_id.unwrap();
        let visit: Value =
            serde_json::from_str(include_str!("../../fuzz/seeds/sync_push/report_and_visit.json")).unwrap();
        let mut visit = visit["records"][1]["body"]["visit"].clone();
        let line =
            json!({ "name": "玉米", "sold_amount": i64::MAX / 2, "self_consumed_value": i64::MAX / 2, "cost": 0 });
        visit["worksheet"]["crops"] = json!([line, line]);
        let body = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true },
                           "visit": visit });
        let (s, v) = app
            .post(&cadre, &format!("/api/v1/cases/{case_id}/events"), &body)
            .await;
        assert_eq!(s, 422, "{name}: {v}");
        assert_eq!(v["field"], "visit.worksheet.crops[0].sold_amount", "{name}: {v}");
        let (s, v) = app.get(&cadre, &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!((s, v["case"]["state"]["version"].as_u64()), (200, Some(0)), "{name}");
    }
}
