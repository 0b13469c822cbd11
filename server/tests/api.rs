//! The API on a real socket, against SQLite and PostgreSQL: reports in, nothing
//! lost or doubled, deadlines right, every area sealed off from the others.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use serde_json::{Value, json};
use zaofaxian_shared::wire::{PushAnswer, RecordResult, RecordStatus};
use zaofaxian_shared::{RecordId, Role};

const VILLAGE: &str = "530402001001"; // 荷花社区, 玉兴街道, 红塔区, 玉溪
const NEIGHBOUR_VILLAGE: &str = "530402001002";
const TOWNSHIP: &str = "530402001000";
const OTHER_TOWNSHIP: &str = "530402002000";
const COUNTY: &str = "530402000000";

fn report(id: RecordId, seq: i64, village: &str) -> Value {
    json!({
        "id": id.to_string(), "seq": seq, "kind": "report",
        "body": {
            "village": village, "household_name": "王秀英", "phone": "13812345678",
            "national_id": "11010519491231002X", "hardship": "illness",
            "happened_on": "2025-09-20", "amount": 1_200_000, "description": "住院手术"
        }
    })
}

fn event(id: RecordId, seq: i64, case_id: &str, version: u64, event: Value) -> Value {
    json!({ "id": id.to_string(), "seq": seq, "kind": "case_event",
            "body": { "case_id": case_id, "expected_version": version, "event": event,
                      "location": { "lat": 24.354, "lon": 102.543, "accuracy_m": 8.0 } } })
}

async fn push(app: &TestApp, token: &str, device: &str, records: Vec<Value>) -> Vec<RecordResult> {
    let (status, body) = app
        .post(
            token,
            "/api/v1/sync/push",
            &json!({ "device_id": device, "records": records }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value::<PushAnswer>(body).unwrap().results
}

/// 内蒙古 三(一): the village verifies a self-report within 5 working days. Reported
/// 2025-09-30, the eight National Day holidays skipped: due 2025-10-14.
#[tokio::test]
async fn self_report_is_queued_with_its_holiday_spanning_deadline_then_verified() {
    for app in common::apps("2025-09-30").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let id = RecordId::new();
        let r = push(&app, &household, "phone-1", vec![report(id, 1, VILLAGE)]).await;
        assert_eq!(r[0].status, RecordStatus::Stored, "{name}: {r:?}");
        let case_id = r[0].case_id.clone().unwrap();
        assert_eq!(case_id, id.to_string(), "the case takes the client's id");

        // A retry after a lost answer: the same answer, nothing stored twice.
        let again = push(&app, &household, "phone-1", vec![report(id, 1, VILLAGE)]).await;
        assert_eq!(again[0].status, RecordStatus::Replayed);
        assert_eq!(again[0].case_id.as_deref(), Some(case_id.as_str()));

        app.set_today("2025-10-09");
        // Staff sessions last a working day: sign in on the day of the visit.
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let (status, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(status, 200, "{q}");
        assert_eq!(q["count"], 1, "{name}: {q}");
        let item = &q["items"][0];
        assert_eq!(item["due"], "2025-10-14");
        assert_eq!(item["days_left"], 4);
        assert_eq!(item["stage_label"], "待入户核实");
        assert_eq!(item["national_id"], "110105********002X", "masked in lists");
        assert_eq!(item["overdue"], false);

        // The cadre records the visit, with GPS, through the REST endpoint.
        let body = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true },
                           "location": { "lat": 24.354, "lon": 102.543 } });
        let (status, v) = app
            .post(&cadre, &format!("/api/v1/cases/{case_id}/events"), &body)
            .await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["version"], 1);
        // The same step from a stale screen: 409.
        let (status, v) = app
            .post(&cadre, &format!("/api/v1/cases/{case_id}/events"), &body)
            .await;
        assert_eq!((status, v["code"].as_str()), (409, Some("stale_version")));
        // A step the case's stage does not allow: 409 (the request may be right later),
        // with the reason in both languages.
        let close = json!({ "expected_version": 1, "event": { "event": "close_notice" } });
        let (status, v) = app
            .post(&cadre, &format!("/api/v1/cases/{case_id}/events"), &close)
            .await;
        assert_eq!((status, v["code"].as_str()), (409, Some("wrong_stage")), "{v}");
        assert!(v["message"]["zh"].as_str().unwrap().contains("待签署申请"));

        // The household sees its case and the hash-chained history with the visit's place.
        let (status, d) = app.get(&household, &format!("/api/v1/cases/{case_id}")).await;
        assert_eq!(status, 200);
        assert_eq!(d["case"]["state"]["stage"]["stage"], "awaiting_application");
        assert_eq!(d["chain_intact"], true);
        let history = d["history"].as_array().unwrap();
        assert_eq!(history.len(), 2, "{name}");
        assert_eq!(history[1]["entry"]["location"]["lat"], 24.354);
        assert_eq!(history[1]["actor_role"], "village_cadre");
    }
}

#[tokio::test]
async fn overdue_cases_come_first() {
    for app in common::apps("2025-11-03").await {
        let household = app.household("13900001111").await;
        push(&app, &household, "p1", vec![report(RecordId::new(), 1, VILLAGE)]).await; // due 11-10
        app.set_today("2025-11-12");
        // A household of the neighbouring village (a household reports for its own village only).
        let neighbour = app.household("13900002222").await;
        push(
            &app,
            &neighbour,
            "p2",
            vec![report(RecordId::new(), 1, NEIGHBOUR_VILLAGE)],
        )
        .await; // due 11-19
        let cadre = app.staff("cadre", Role::VillageCadre, TOWNSHIP).await;
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        let items = q["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(
            (items[0]["overdue"].as_bool(), items[0]["days_left"].as_i64()),
            (Some(true), Some(-2))
        );
        assert_eq!(
            (items[1]["overdue"].as_bool(), items[1]["days_left"].as_i64()),
            (Some(false), Some(5))
        );
        let (_, only) = app
            .get(&cadre, &format!("/api/v1/queue?division={NEIGHBOUR_VILLAGE}"))
            .await;
        assert_eq!(only["count"], 1);
    }
}

#[tokio::test]
async fn another_village_sees_nothing_of_this_one() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let other_household = app.household("13700000000").await;
        let own = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let other = app.staff("neighbour", Role::VillageCadre, NEIGHBOUR_VILLAGE).await;
        let other_tw = app.staff("other-township", Role::Township, OTHER_TOWNSHIP).await;
        let county = app.staff("county", Role::County, COUNTY).await;
        let admin = app.staff("admin", Role::Admin, COUNTY).await;
        let r = push(&app, &household, "p1", vec![report(RecordId::new(), 1, VILLAGE)]).await;
        let case_id = r[0].case_id.clone().unwrap();
        let case_path = format!("/api/v1/cases/{case_id}");
        let events_path = format!("{case_path}/events");
        let step = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true } });

        for (who, token) in [
            ("neighbour", &other),
            ("other township", &other_tw),
            ("other household", &other_household),
            ("admin", &admin),
        ] {
            let (s, _) = app.get(token, &case_path).await;
            assert!(s == 404 || s == 403, "{name} {who}: GET case {s}");
            let (s, _) = app.post(token, &events_path, &step).await;
            assert!(s == 404 || s == 403, "{name} {who}: POST event {s}");
            let (s, body) = app.get(token, "/api/v1/sync/pull").await;
            if s == 200 {
                assert_eq!(
                    body["cases"].as_array().unwrap().len(),
                    0,
                    "{name} {who}: pull leaked {body}"
                );
            } else {
                assert_eq!(s, 403, "{name} {who}");
            }
            let pushed = push(
                &app,
                token,
                "x1",
                vec![event(
                    RecordId::new(),
                    1,
                    &case_id,
                    0,
                    json!({ "event": "record_verification", "at_risk": true }),
                )],
            )
            .await;
            assert_eq!(pushed[0].status, RecordStatus::Rejected, "{name} {who}");
        }
        let (s, _) = app.get(&other, &format!("/api/v1/queue?division={VILLAGE}")).await;
        assert_eq!(s, 403, "{name}: a cadre cannot ask for another village's queue");
        let (s, _) = app.get(&household, "/api/v1/queue").await;
        assert_eq!(s, 403, "{name}: households have no queue");
        // A cadre files only inside their own village.
        let filed = push(&app, &other, "x2", vec![report(RecordId::new(), 1, VILLAGE)]).await;
        assert_eq!(filed[0].error.as_ref().unwrap().code, "forbidden");
        // The own village, the county above it and the household itself do see it.
        for token in [&own, &county, &household] {
            assert_eq!(app.get(token, &case_path).await.0, 200, "{name}");
        }
        let (_, pulled) = app.get(&own, "/api/v1/sync/pull").await;
        assert_eq!(pulled["cases"].as_array().unwrap().len(), 1);
        // A village cadre cannot determine (the core's role rule, through the API).
        let determine = json!({ "expected_version": 0, "event": { "event": "county_determination", "decision": "approve", "department_checks_done": true } });
        let (s, v) = app.post(&own, &events_path, &determine).await;
        assert_eq!((s, v["code"].as_str()), (403, Some("forbidden")), "{name}");
    }
}

#[tokio::test]
async fn concurrent_duplicate_pushes_store_one_case() {
    for app in common::apps("2025-11-03").await {
        let household = app.household("13812345678").await;
        let id = RecordId::new();
        let mut tasks = Vec::new();
        for _ in 0..12 {
            let http = app.http.clone();
            let url = app.url("/api/v1/sync/push");
            let token = household.clone();
            let body = json!({ "device_id": "dup", "records": [report(id, 1, VILLAGE)] });
            tasks.push(tokio::spawn(async move {
                let r = http.post(url).bearer_auth(token).json(&body).send().await.unwrap();
                assert_eq!(r.status(), 200);
                r.json::<PushAnswer>().await.unwrap().results[0].status
            }));
        }
        let mut statuses = Vec::new();
        for t in tasks {
            statuses.push(t.await.unwrap());
        }
        assert_eq!(
            statuses.iter().filter(|s| **s == RecordStatus::Stored).count(),
            1,
            "{}: {statuses:?}",
            app.db.name
        );
        assert_eq!(statuses.iter().filter(|s| **s == RecordStatus::Replayed).count(), 11);
        let (_, pulled) = app.get(&household, "/api/v1/sync/pull").await;
        assert_eq!(pulled["cases"].as_array().unwrap().len(), 1);
    }
}

#[tokio::test]
async fn bad_input_is_refused_with_a_code_and_nothing_written() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let url = app.url("/api/v1/sync/push");
        // Malformed JSON.
        let r = app
            .http
            .post(&url)
            .bearer_auth(&household)
            .header("content-type", "application/json")
            .body("{\"device_id\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "bad_json");
        // A field of the wrong type names the field.
        let (s, v) = app
            .post(
                &household,
                "/api/v1/sync/push",
                &json!({ "device_id": "p", "records": "none" }),
            )
            .await;
        assert_eq!((s, v["code"].as_str()), (400, Some("invalid_field")), "{v}");
        assert!(v["field"].as_str().unwrap().contains("records"), "{v}");
        // An oversized body: 413 with a JSON reason.
        let big = json!({ "device_id": "p", "records": [], "pad": "x".repeat(2 * 1024 * 1024) });
        let (s, v) = app.post(&household, "/api/v1/sync/push", &big).await;
        assert_eq!((s, v["code"].as_str()), (413, Some("too_large")), "{name}");
        // Bad device id, future date, unknown village, SQL-looking text: each refused or stored safely.
        let (s, v) = app
            .post(
                &household,
                "/api/v1/sync/push",
                &json!({ "device_id": "a b", "records": [] }),
            )
            .await;
        assert_eq!((s, v["field"].as_str()), (400, Some("device_id")));
        let mut future = report(RecordId::new(), 1, VILLAGE);
        future["body"]["happened_on"] = json!("2025-12-01");
        let mut unknown = report(RecordId::new(), 2, "530402009999");
        unknown["body"]["village"] = json!("530402009999");
        let mut sql = report(RecordId::new(), 3, VILLAGE);
        sql["body"]["household_name"] = json!("Robert'); DROP TABLE cases;--");
        let r = push(&app, &household, "p", vec![future, unknown, sql]).await;
        assert_eq!(r[0].error.as_ref().unwrap().field.as_deref(), Some("happened_on"));
        assert_eq!(r[1].error.as_ref().unwrap().code, "unknown_village");
        assert_eq!(r[2].status, RecordStatus::Stored, "{name}: stored as text, harmlessly");
        let (_, pulled) = app.get(&household, "/api/v1/sync/pull").await;
        let cases = pulled["cases"].as_array().unwrap();
        assert_eq!(cases.len(), 1, "{name}: only the valid report was written");
        assert_eq!(cases[0]["report"]["household_name"], "Robert'); DROP TABLE cases;--");
        // No token, a bad token.
        let r = app.http.get(app.url("/api/v1/sync/pull")).send().await.unwrap();
        assert_eq!(r.status(), 401);
        let (s, v) = app.get("not-a-token", "/api/v1/queue").await;
        assert_eq!((s, v["code"].as_str()), (401, Some("unauthenticated")));
    }
}

#[tokio::test]
async fn logins_are_throttled_and_codes_expire() {
    for app in common::apps("2025-11-03").await {
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let login = |pw: &'static str| {
            let http = app.http.clone();
            let url = app.url("/api/v1/auth/login");
            async move {
                http.post(url)
                    .json(&json!({ "login": "cadre", "password": pw }))
                    .send()
                    .await
                    .unwrap()
            }
        };
        for _ in 0..5 {
            assert_eq!(login("wrong-password").await.status(), 401);
        }
        let locked = login("password-123").await;
        assert_eq!(locked.status(), 429, "even the right password waits out the lock");
        assert!(locked.headers().get("retry-after").is_some());
        // One-time codes: a wrong code fails, an expired one fails.
        let r = app
            .http
            .post(app.url("/api/v1/auth/otp"))
            .json(&json!({ "phone": "13812345678" }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        let wrong = app
            .http
            .post(app.url("/api/v1/auth/otp/verify"))
            .json(&json!({ "phone": "13812345678", "code": "000000x" }))
            .send()
            .await
            .unwrap();
        assert_eq!(wrong.status(), 401);
        let code = app.codes.last_code("13812345678");
        app.clock.advance(chrono::Duration::minutes(6));
        let late = app
            .http
            .post(app.url("/api/v1/auth/otp/verify"))
            .json(&json!({ "phone": "13812345678", "code": code }))
            .send()
            .await
            .unwrap();
        assert_eq!(late.status(), 401);
        let bad_phone = app
            .http
            .post(app.url("/api/v1/auth/otp"))
            .json(&json!({ "phone": "12345" }))
            .send()
            .await
            .unwrap();
        assert_eq!(bad_phone.status(), 400);
    }
}

/// Every later stage's deadline is on the board too: the notice's last day (云南
/// "公示5个工作日") and the township's review (7 working days in 鹤庆).
#[tokio::test]
async fn notice_and_township_deadlines_show_on_the_board() {
    for app in common::apps("2025-11-03").await {
        let heqing_village = "532932101001"; // 东升社区, 云鹤镇, 鹤庆县
        let cadre = app.staff("hq-cadre", Role::VillageCadre, heqing_village).await;
        let r = push(&app, &cadre, "c1", vec![report(RecordId::new(), 1, heqing_village)]).await;
        assert_eq!(r[0].status, RecordStatus::Stored, "{r:?}");
        let case_id = r[0].case_id.clone().unwrap();
        let path = format!("/api/v1/cases/{case_id}/events");
        for (v, e) in [
            (0, json!({ "event": "record_verification", "at_risk": true })),
            (1, json!({ "event": "sign_application" })),
            (2, json!({ "event": "record_appraisal", "approved": true })),
        ] {
            let (s, body) = app
                .post(&cadre, &path, &json!({ "expected_version": v, "event": e }))
                .await;
            assert_eq!(s, 200, "{body}");
        }
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(
            (q["items"][0]["deadline"].as_str(), q["items"][0]["due"].as_str()),
            (Some("公示截止"), Some("2025-11-10"))
        );
        app.set_today("2025-11-11");
        let cadre = app.staff("hq-cadre-2", Role::VillageCadre, heqing_village).await;
        let (s, body) = app
            .post(
                &cadre,
                &path,
                &json!({ "expected_version": 3, "event": { "event": "close_notice" } }),
            )
            .await;
        assert_eq!(s, 200, "{body}");
        let (_, q) = app.get(&cadre, "/api/v1/queue?lang=en").await;
        assert_eq!(
            (q["items"][0]["deadline"].as_str(), q["items"][0]["due"].as_str()),
            (Some("township review due"), Some("2025-11-20"))
        );
    }
}

/// The OpenAPI document is served, and every path and method it lists is routed
/// (an undocumented 404 from the fallback would mean a stale document).
#[tokio::test]
async fn the_openapi_document_matches_the_routes() {
    let app = TestApp::start(common::sqlite().await, "2025-11-03").await;
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 15);
    for (path, methods) in paths {
        let concrete = path
            .replace("{id}", "01a20a1d-d757-77b4-92a3-3e2c3a898567")
            .replace("{sha}", &"a".repeat(64));
        for method in methods.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let r = app.http.request(m, app.url(&concrete)).send().await.unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap_or(Value::Null);
            // Unauthenticated calls answer 401 or a validation error, never the router's "not found".
            assert!(
                !(status == 404 && body["code"] == "not_found") && status != 405,
                "{method} {path}: {status} {body}"
            );
        }
    }
}

/// Late December 2026: five working days run into 2027, which has no holiday data
/// yet. The report is kept with a provisional date (weekends only), marked as such.
#[tokio::test]
async fn a_report_is_never_turned_away_for_missing_calendar_data() {
    for app in common::apps("2026-12-28").await {
        let household = app.household("13812345678").await;
        let r = push(&app, &household, "p1", vec![report(RecordId::new(), 1, VILLAGE)]).await;
        assert_eq!(r[0].status, RecordStatus::Stored, "{}: {r:?}", app.db.name);
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        let item = &q["items"][0];
        assert_eq!(item["due"], "2027-01-04");
        assert_eq!(item["provisional"], true);
        assert_eq!(item["deadline"], "入户核实期限");
        assert!(
            item["provisional_note"]
                .as_str()
                .unwrap()
                .contains("2027年节假日安排尚未导入"),
            "{item}"
        );
        assert_eq!(item["days_left"], 5);
    }
}

/// The cadre's home-visit record travels with the verification; the server checks
/// it, assesses it again under its own policy and keeps both in the history.
#[tokio::test]
async fn a_home_visit_is_checked_and_assessed_again_on_the_server() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let id = RecordId::new();
        let r = push(&app, &household, "phone-1", vec![report(id, 1, VILLAGE)]).await;
        let case_id = r[0].case_id.clone().unwrap();
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let profile = zaofaxian_shared::Policy::embedded()
            .profile_for(VILLAGE.parse().unwrap())
            .unwrap();
        let checks: Vec<Value> = profile
            .exclusions
            .iter()
            .map(|r| json!({ "rule_id": r.id, "applies": false }))
            .collect();
        let mut visit = json!({
            "visited_on": "2025-11-03", "village": VILLAGE, "group": "3组",
            "members": [
                { "name": "王秀英", "birth_date": "1949-12-31", "labour": "none", "health": "serious" },
                { "name": "李建国", "birth_date": "1948-02-01", "labour": "partial", "health": "healthy" }
            ],
            "worksheet": { "collected_on": "2025-11-03", "transfers": [ { "item": "Pension", "amount": 360000 } ] },
            "guarantees": { "food_and_clothing": true, "compulsory_education": true, "basic_medical": true,
                            "housing_safe": true, "drinking_water": true },
            "exclusion_checks": checks,
            "location": { "lat": 24.354, "lon": 102.543, "accuracy_m": 6.0 },
            "photos": ["ab".repeat(32)],
            "authorization": { "kind": "fingerprint", "signer": "王秀英", "note": "不识字，按手印，组长见证" }
        });
        let path = format!("/api/v1/cases/{case_id}/events");
        let step = |visit: &Value| {
            json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true },
                    "visit": visit })
        };

        // A visit without members: refused, the field named, nothing written.
        let mut empty = visit.clone();
        empty["members"] = json!([]);
        let (status, v) = app.post(&cadre, &path, &step(&empty)).await;
        assert_eq!(
            (status, v["field"].as_str()),
            (422, Some("visit.members")),
            "{name}: {v}"
        );
        // A visit recorded for another village's household: it conflicts with the case.
        visit["village"] = json!(NEIGHBOUR_VILLAGE);
        let (status, v) = app.post(&cadre, &path, &step(&visit)).await;
        assert_eq!(
            (status, v["field"].as_str()),
            (409, Some("visit.village")),
            "{name}: {v}"
        );
        visit["village"] = json!(VILLAGE);

        let (status, v) = app.post(&cadre, &path, &step(&visit)).await;
        assert_eq!(status, 200, "{name}: {v}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case_id}")).await;
        let entry = &d["history"][1]["entry"];
        assert_eq!(entry["visit"]["group"], "3组");
        assert_eq!(entry["visit"]["authorization"]["kind"], "fingerprint");
        // 1800 yuan a head is under 玉溪's 2025 line: eligible, with the reasons and flags.
        assert_eq!(entry["assessment"]["eligible"], true, "{name}: {entry}");
        let flags: Vec<&str> = entry["assessment"]["flags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["flag"].as_str().unwrap())
            .collect();
        assert!(
            flags.contains(&"low_labour") && flags.contains(&"serious_illness"),
            "{flags:?}"
        );
        // The category goes on the case: the board shows it and filters by it.
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(q["items"][0]["category"], "marginal_at_risk", "{name}: {q}");
        let board = |category: &'static str| {
            let (app, cadre) = (&app, cadre.clone());
            async move {
                app.http
                    .get(app.url(&format!("/console/board?category={category}")))
                    .header("cookie", format!("zfx_session={cadre}"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap()
            }
        };
        let marginal = board("marginal_at_risk").await;
        assert!(
            marginal.contains("王秀英") && marginal.contains("边缘易致贫户"),
            "{name}: {marginal}"
        );
        assert!(!board("unstable_formerly_poor").await.contains("王秀英"), "{name}");
        // The case page shows the visit: members, the worksheet line by line, the conclusion.
        let page = app
            .console_page(&format!("zfx_session={cadre}"), &format!("/console/cases/{case_id}"))
            .await;
        assert!(page.contains("李建国") && page.contains("按手印"), "{name}: {page}");
        assert!(
            page.contains("<td>A4</td><td>转移性收入</td><td style=\"text-align:right\">3600.00</td>"),
            "{name}: {page}"
        );
        assert!(
            page.contains("<td>D</td><td>家庭人均纯收入</td><td style=\"text-align:right\">1800.00</td>"),
            "{name}"
        );
        assert!(page.contains("测算结论：建议纳入监测"), "{name}");
        // The housing photo is listed and counted as not yet uploaded.
        assert_eq!(entry["photos"][0], "ab".repeat(32));
        assert_eq!(d["case"]["photos_missing"], 1, "{name}: {}", d["case"]);
    }
}

/// The queue a page at a time: pages follow the queue's order without gap or repeat
/// (cases on rounds are filed on different days, so dates and ties both occur), the
/// count covers every page, and a cursor that is not one is refused.
#[tokio::test]
async fn the_queue_comes_a_page_at_a_time_in_its_order() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        for (n, day) in ["2025-11-03", "2025-11-03", "2025-11-04", "2025-11-05", "2025-11-05"]
            .iter()
            .enumerate()
        {
            app.set_today(day);
            let cadre = app.sign_in("cadre").await;
            let body = json!({ "village": VILLAGE, "household_name": format!("户{n}"), "hardship": "illness",
                               "happened_on": "2025-11-01" });
            app.report(&cadre, &format!("d{n}"), body).await;
        }
        // One more in a neighbouring village: the county's queue holds six.
        app.staff("neighbour", Role::VillageCadre, NEIGHBOUR_VILLAGE).await;
        let neighbour = app.sign_in("neighbour").await;
        let body = json!({ "village": NEIGHBOUR_VILLAGE, "household_name": "邻户", "hardship": "illness",
                           "happened_on": "2025-11-01" });
        app.report(&neighbour, "n1", body).await;
        let county = app.staff("county", Role::County, "530402000000").await;
        let cadre = app.sign_in("cadre").await;
        // A village's queue (a range of codes) and a county's (its own index), page by page.
        for (who, token, total) in [("village", &cadre, 5), ("county", &county, 6)] {
            let (_, whole) = app.get(token, "/api/v1/queue").await;
            let whole: zaofaxian_shared::wire::QueueAnswer = serde_json::from_value(whole).unwrap();
            assert_eq!(
                (whole.count, whole.items.len(), whole.next.as_deref()),
                (total, total, None),
                "{name} {who}"
            );
            let mut paged = Vec::new();
            let mut after: Option<String> = None;
            for _ in 0..total {
                let path = match &after {
                    Some(a) => format!("/api/v1/queue?limit=2&after={a}"),
                    None => "/api/v1/queue?limit=2".to_string(),
                };
                let (s, v) = app.get(token, &path).await;
                assert_eq!(s, 200, "{name}: {v}");
                let page: zaofaxian_shared::wire::QueueAnswer = serde_json::from_value(v).unwrap();
                assert_eq!(page.count, total, "{name} {who}: the count covers every page");
                paged.extend(page.items.into_iter().map(|i| i.case_id));
                after = page.next;
                if after.is_none() {
                    break;
                }
            }
            let due: Vec<Option<String>> = whole.items.iter().map(|i| i.due.clone()).collect();
            let mut sorted = due.clone();
            sorted.sort_by_key(|d| (d.is_none(), d.clone()));
            assert_eq!(due, sorted, "{name} {who}: earliest due first");
            let order: Vec<String> = whole.items.into_iter().map(|i| i.case_id).collect();
            assert_eq!(paged, order, "{name} {who}: pages of 2 make the whole queue");
        }
        let (s, v) = app.get(&cadre, "/api/v1/queue?after=tomorrow").await;
        assert_eq!((s, v["code"].as_str()), (400, Some("bad_cursor")), "{name}");
    }
}
