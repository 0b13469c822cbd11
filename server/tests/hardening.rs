//! Hardening against hostile clients (issue: a careful outsider against the running
//! server): no code sign-in without a real sender, console pages that are never
//! cached or framed, sign-in names that cannot grow the process.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use common::pushed;
use serde_json::json;
use std::sync::Arc;
use zaofaxian_server::auth::NoSender;
use zaofaxian_server::state::AppState;
use zaofaxian_server::store::Store;
use zaofaxian_shared::wire::RecordStatus;
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
            zaofaxian_server::photo_files::PhotoFiles::folder(&tempfile::tempdir().unwrap().keep()).unwrap(),
        );
        let base = common::serve_state(state).await;
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
    let cookie = app.console_cookie("county", "password-123").await;
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
    let name = "名".repeat(300_000);
    for _ in 0..3 {
        let (status, body) = app
            .post("", "/api/v1/auth/login", &json!({ "login": name, "password": "x" }))
            .await;
        assert_eq!((status, body["code"].as_str()), (401, Some("bad_credentials")));
    }
    // An ordinary wrong name is still counted and limited after five tries.
    for _ in 0..5 {
        app.post("", "/api/v1/auth/login", &json!({ "login": "nobody", "password": "x" }))
            .await;
    }
    let (status, body) = app
        .post("", "/api/v1/auth/login", &json!({ "login": "nobody", "password": "x" }))
        .await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")));
}

/// One household account once stored 400 reports for another village in a second,
/// each starting a legal deadline. Now: bound to its first village, one open case of
/// its own (later reports join it), 3 proxy filings and 20 reports a day, refused in words.
#[tokio::test]
async fn two_first_reports_at_once_bind_one_village() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let token = app.household("13812340000").await;
        let push = |village: &'static str, seq: i64| {
            let body = json!({ "device_id": "race", "records": [{
                "id": zaofaxian_shared::RecordId::new().to_string(), "seq": seq, "kind": "report",
                "body": { "village": village, "household_name": "王秀英", "hardship": "illness",
                          "happened_on": "2025-11-01" } }] });
            let (app, token) = (&app, token.clone());
            async move {
                let (status, v) = app.post(&token, "/api/v1/sync/push", &body).await;
                assert_eq!(status, 200, "{v}");
                pushed(&v)
            }
        };
        let (a, b) = tokio::join!(push("530402001001", 1), push("530402002001", 2));
        let stored = [&a, &b].iter().filter(|r| r.status == RecordStatus::Stored).count();
        assert_eq!(stored, 1, "{name}: one village only: {a:?} {b:?}");
        let refused = if a.status == RecordStatus::Stored { &b } else { &a };
        assert_eq!(
            refused.error.as_ref().unwrap().code,
            "wrong_village",
            "{name}: {refused:?}"
        );
    }
}

#[tokio::test]
async fn a_household_account_cannot_flood_a_village() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let token = app.household("13812345678").await;
        let mut seq = 0;
        let mut send = |village: &'static str, on_behalf: bool, who: String| {
            seq += 1;
            let body = json!({ "device_id": "flood", "records": [{
                "id": zaofaxian_shared::RecordId::new().to_string(), "seq": seq, "kind": "report",
                "body": { "village": village, "household_name": who, "hardship": "illness",
                          "happened_on": "2025-11-01", "on_behalf": on_behalf } }] });
            let (app, token) = (&app, token.clone());
            async move {
                let (status, v) = app.post(&token, "/api/v1/sync/push", &body).await;
                assert_eq!(status, 200, "{v}");
                pushed(&v)
            }
        };
        let first = send("530402001001", false, "王秀英".into()).await;
        assert_eq!(first.status, RecordStatus::Stored, "{name}: {first:?}");
        let case = first.case_id.unwrap();
        // A second hardship of the same household joins its open case.
        let second = send("530402001001", false, "王秀英".into()).await;
        assert_eq!(
            (second.status, second.case_id.as_deref()),
            (RecordStatus::Stored, Some(case.as_str()))
        );
        // Another village: refused, with the reason.
        let other = send("530402002001", false, "李四".into()).await;
        assert_eq!(other.error.as_ref().unwrap().code, "wrong_village", "{other:?}");
        // Filing for neighbours: three a day.
        for i in 0..3 {
            let r = send("530402001001", true, format!("邻居{i}")).await;
            assert_eq!(r.status, RecordStatus::Stored, "{r:?}");
            assert_ne!(r.case_id.as_deref(), Some(case.as_str()));
        }
        let fourth = send("530402001001", true, "邻居3".into()).await;
        let error = fourth.error.unwrap();
        assert_eq!(error.code, "rate_limited", "{error:?}");
        assert!(error.message.zh.contains("小时后再试"), "{error:?}");
        // A flood of self-reports: 20 reports a day in all, the rest refused.
        let mut refused = 0;
        for _ in 0..30 {
            let r = send("530402001001", false, "王秀英".into()).await;
            refused += usize::from(r.status == RecordStatus::Rejected);
        }
        assert_eq!(refused, 15, "{name}");
        let cadre = app.staff("cadre", Role::VillageCadre, "530402001001").await;
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(
            q["items"].as_array().unwrap().len(),
            4,
            "{name}: one own case and three filed for others"
        );
        let (_, v) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        let added = v["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entry"]["event"] == "hardship_added")
            .count();
        assert_eq!(added, 16, "{name}");
        // The deadline is the first report's: joining starts no new period.
        assert_eq!(v["case"]["state"]["deadline"]["due"], "2025-11-10");
        // A cadre's step prepared before the joins is not stale for them.
        let (status, body) = app
            .post(
                &cadre,
                &format!("/api/v1/cases/{case}/events"),
                &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true } }),
            )
            .await;
        assert_eq!(status, 200, "{name}: {body}");
    }
}

/// A household the register knows is bound to its registered village from its first
/// report: naming another village there is refused (before, the first report's
/// village was believed, whatever the register said).
#[tokio::test]
async fn a_registered_household_is_bound_to_its_registered_village() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let entry = zaofaxian_server::store::Household {
            national_id: "11010519491231002X".into(),
            name: "王秀英".into(),
            village: "530402001001".parse().unwrap(),
            group: "一组".into(),
            location: None,
        };
        app.db.store.upsert_households(&[entry], "530402", 0).await.unwrap();
        let token = app.household("13812345678").await;
        let report = |village: &str| {
            json!({ "device_id": "p", "records": [{
                "id": zaofaxian_shared::RecordId::new().to_string(), "seq": 1, "kind": "report",
                "body": { "village": village, "household_name": "王秀英", "national_id": "11010519491231002X",
                          "hardship": "illness", "happened_on": "2025-11-01" } }] })
        };
        let (_, v) = app.post(&token, "/api/v1/sync/push", &report("530402002001")).await;
        let refused = pushed(&v);
        let error = refused.error.expect("refused");
        assert_eq!(error.code, "wrong_village", "{name}: {error:?}");
        assert!(
            error.message.zh.contains("530402001001"),
            "{name}: names the registered village"
        );
        let (_, v) = app.post(&token, "/api/v1/sync/push", &report("530402001001")).await;
        assert_eq!(pushed(&v).status, RecordStatus::Stored, "{name}: {v}");
    }
}

/// Texted codes cost money and allow guessing: per phone, per client address (not
/// behind a local proxy, where all clients look alike) and in all.
#[tokio::test]
async fn code_requests_are_limited_per_phone_and_in_all() {
    use zaofaxian_server::limits::LimitPolicy;
    let db = common::sqlite().await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let clock = Arc::new(ManualClock::at_date("2026-12-01".parse().unwrap()));
    let codes = Arc::new(common::MemorySender::default());
    let mut state = AppState::new(
        db.store.clone(),
        clock.clone(),
        codes,
        zaofaxian_server::photo_files::PhotoFiles::folder(&tempfile::tempdir().unwrap().keep()).unwrap(),
    );
    state.limits.code_overall = LimitPolicy::fixed(8, 60_000);
    let base = common::serve_state(state).await;
    let http = reqwest::Client::new();
    let ask = |phone: String| {
        let (http, base) = (http.clone(), base.clone());
        async move {
            let r = http
                .post(format!("{base}/api/v1/auth/otp"))
                .json(&json!({ "phone": phone }))
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.json::<serde_json::Value>().await.unwrap())
        }
    };
    // One phone: five codes in 15 minutes, then the wait in minutes.
    for _ in 0..5 {
        assert_eq!(ask("13812345678".into()).await.0, 202);
    }
    let (status, body) = ask("13812345678".into()).await;
    assert_eq!(status, 429);
    assert!(body["message"]["zh"].as_str().unwrap().contains("分钟后再试"), "{body}");
    // Other phones: the overall limit (8 a minute here) holds whatever the phone.
    let mut ok = 0;
    for i in 0..10 {
        ok += usize::from(ask(format!("1390000000{i}")).await.0 == 202);
    }
    assert_eq!(ok, 3, "5 + 3 = the overall 8");
    // A minute later codes flow again.
    clock.advance(chrono::Duration::seconds(61));
    assert_eq!(ask("13900000009".into()).await.0, 202);
    // Clients are told apart by address, except behind a local proxy.
    use zaofaxian_server::auth::client_key;
    assert_eq!(
        client_key("10.1.2.3:5000".parse().unwrap()).as_deref(),
        Some("10.1.2.3")
    );
    assert_eq!(client_key("127.0.0.1:5000".parse().unwrap()), None);
}

/// Anyone could use up a victim phone's code requests. A phone's limit is now kept per
/// client address: a stranger on the network uses up only their own share, the owner
/// still gets a code, and the stranger's address meets its own limit (over real TCP from
/// a non-loopback address).
#[tokio::test]
async fn a_stranger_cannot_use_up_someone_elses_codes() {
    use zaofaxian_server::limits::LimitPolicy;
    let db = common::sqlite().await;
    let clock = Arc::new(ManualClock::at_date("2026-12-01".parse().unwrap()));
    let codes = Arc::new(common::MemorySender::default());
    let mut state = AppState::new(
        db.store.clone(),
        clock.clone(),
        codes.clone(),
        zaofaxian_server::photo_files::PhotoFiles::folder(&tempfile::tempdir().unwrap().keep()).unwrap(),
    );
    state.limits.code_per_client = LimitPolicy::fixed(8, 10 * 60_000);
    state.limits.code_per_phone_all = LimitPolicy::fixed(7, 60 * 60_000);
    let port = common::serve_state_everywhere(state).await;
    let lan = common::lan_address();
    let http = reqwest::Client::new();
    let ask = |host: String, phone: &'static str| {
        let http = http.clone();
        async move {
            let r = http
                .post(format!("http://{host}:{port}/api/v1/auth/otp"))
                .json(&json!({ "phone": phone }))
                .send()
                .await
                .unwrap();
            r.status().as_u16()
        }
    };
    let (stranger, owner) = (lan.to_string(), "127.0.0.1".to_string());
    let victim = "13812345678";
    for _ in 0..4 {
        assert_eq!(ask(stranger.clone(), victim).await, 202);
    }
    // The owner asks for a code; the stranger's next request does not void it.
    assert_eq!(ask(owner.clone(), victim).await, 202, "the owner gets a code");
    let owners_code = codes.last_code(victim);
    assert_eq!(ask(stranger.clone(), victim).await, 202);
    assert_eq!(
        ask(stranger.clone(), victim).await,
        429,
        "the stranger's share is used up"
    );
    let r = http
        .post(format!("http://127.0.0.1:{port}/api/v1/auth/otp/verify"))
        .json(&json!({ "phone": victim, "code": owners_code }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "the owner signs in with the code sent to them");
    // The stranger's address: 8 here in all (5 refused above did not count), then refused.
    let others = ["13900000001", "13900000002", "13900000003", "13900000004"];
    let mut sent = 0;
    for phone in others {
        sent += usize::from(ask(stranger.clone(), phone).await == 202);
    }
    assert_eq!(sent, 3, "5 + 3 = the address's 8");
    assert_eq!(
        ask(owner.clone(), "13900000004").await,
        202,
        "loopback is not limited per address"
    );
    // A phone's texts from all addresses together are capped too (30 an hour; 7 here):
    // the stranger's 5 and the owner's count.
    assert_eq!(ask(owner.clone(), victim).await, 202);
    assert_eq!(ask(owner, victim).await, 429, "5 + 2 = the phone's 7");
    assert_eq!(
        codes.0.lock().unwrap().len(),
        5 + 1 + 3 + 1 + 1,
        "every accepted request texted"
    );
}

/// One code per asking client: a new code replaces only that client's earlier one,
/// each keeps its own expiry, and a code from before this change still works.
#[test]
fn a_phone_holds_one_code_per_client() {
    use zaofaxian_server::auth::{any_code_matches, code_hash as hash, with_code};
    let phone = "13812345678";
    let (a, until) = with_code(None, "local", &hash(phone, "111111"), 1_000, 0);
    assert_eq!(until, 1_000);
    let (b, until) = with_code(Some(&a), "10.0.0.9", &hash(phone, "222222"), 2_000, 500);
    assert_eq!(until, 2_000);
    assert!(
        any_code_matches(&b, phone, "111111", until, 900),
        "the owner's code survives"
    );
    assert!(any_code_matches(&b, phone, "222222", until, 900));
    assert!(
        !any_code_matches(&b, phone, "111111", until, 1_000),
        "each code keeps its expiry"
    );
    let (c, until) = with_code(Some(&b), "local", &hash(phone, "333333"), 3_000, 900);
    assert!(
        !any_code_matches(&c, phone, "111111", until, 950),
        "the same client's old code is replaced"
    );
    assert!(any_code_matches(&c, phone, "333333", until, 950));
    assert!(!any_code_matches(&c, phone, "999999", until, 950));
    let old_style = hash(phone, "444444");
    assert!(any_code_matches(&old_style, phone, "444444", 1_000, 900));
    assert!(!any_code_matches(&old_style, phone, "444444", 1_000, 1_000));
}

/// Simultaneous wrong passwords get exactly the five checks the limit allows; past it
/// the real user waits seconds, not 15 minutes.
#[tokio::test]
async fn concurrent_wrong_passwords_get_five_checks_and_the_owner_gets_in_soon() {
    for app in common::apps("2026-12-01").await {
        app.staff("cadre", Role::VillageCadre, "530402001001").await;
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..40 {
            let (http, url) = (app.http.clone(), app.url("/api/v1/auth/login"));
            set.spawn(async move {
                let r = http
                    .post(url)
                    .json(&json!({ "login": "cadre", "password": "guess" }))
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), ())
            });
        }
        let answers = set.join_all().await;
        let checked = answers.iter().filter(|(s, _)| *s == 401).count();
        let limited = answers.iter().filter(|(s, _)| *s == 429).count();
        assert_eq!((checked, limited), (5, 35), "{}", app.db.name);
        let (status, _) = app
            .post(
                "",
                "/api/v1/auth/login",
                &json!({ "login": "cadre", "password": "password-123" }),
            )
            .await;
        assert_eq!(status, 429, "right after the burst even the owner waits");
        app.clock.advance(chrono::Duration::seconds(2));
        let (status, _) = app
            .post(
                "",
                "/api/v1/auth/login",
                &json!({ "login": "cadre", "password": "password-123" }),
            )
            .await;
        assert_eq!(status, 200, "{}: the owner is in after seconds", app.db.name);
    }
}

/// A department records assistance only: it reads cases with ID and phone numbers
/// masked (API case, history and pull), while the county still sees them whole.
#[tokio::test]
async fn a_department_reads_cases_masked() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let body = json!({ "device_id": "p1", "records": [{
            "id": zaofaxian_shared::RecordId::new().to_string(), "seq": 1, "kind": "report",
            "body": { "village": "530402001001", "household_name": "王秀英", "national_id": "11010519491231002X",
                      "phone": "13812345678", "hardship": "illness", "happened_on": "2025-11-01" } }] });
        let (_, v) = app.post(&household, "/api/v1/sync/push", &body).await;
        let case = pushed(&v).case_id.unwrap();
        let department = app.staff("medical", Role::Department, "530402000000").await;
        let county = app.staff("county", Role::County, "530402000000").await;
        let (status, v) = app.get(&department, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(status, 200, "{name}");
        assert_eq!(v["case"]["report"]["national_id"], "110105********002X", "{name}");
        assert!(
            !v.to_string().contains("11010519491231002X") && !v.to_string().contains("13812345678"),
            "{v}"
        );
        let (_, pulled) = app.get(&department, "/api/v1/sync/pull").await;
        assert!(!pulled.to_string().contains("11010519491231002X"), "{pulled}");
        assert_eq!(pulled["cases"].as_array().unwrap().len(), 1);
        let (_, v) = app.get(&county, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(v["case"]["report"]["national_id"], "11010519491231002X");
    }
}

/// Idempotency keys were global: another account could replay a record id to learn
/// its case, or squat a device's sequence numbers. Both are per account now.
#[tokio::test]
async fn record_ids_and_device_numbers_belong_to_their_account() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let a = app.household("13812345678").await;
        let b = app.household("13912345678").await;
        let id = zaofaxian_shared::RecordId::new().to_string();
        let record = |id: &str, who: &str| {
            json!({ "device_id": "phone-1", "records": [{ "id": id, "seq": 1, "kind": "report",
            "body": { "village": "530402001001", "household_name": who, "hardship": "illness", "happened_on": "2025-11-01" } }] })
        };
        let (_, first) = app.post(&a, "/api/v1/sync/push", &record(&id, "王秀英")).await;
        assert_eq!(pushed(&first).status, RecordStatus::Stored, "{name}: {first}");
        let (_, stolen) = app.post(&b, "/api/v1/sync/push", &record(&id, "李四")).await;
        assert_eq!(
            pushed(&stolen).error.unwrap().code,
            "record_id_taken",
            "{name}: {stolen}"
        );
        assert!(pushed(&stolen).case_id.is_none());
        // The same device id and sequence number from another account is its own.
        let fresh = zaofaxian_shared::RecordId::new().to_string();
        let (_, own) = app.post(&b, "/api/v1/sync/push", &record(&fresh, "李四")).await;
        assert_eq!(pushed(&own).status, RecordStatus::Stored, "{name}: {own}");
        // The first account's replay still gets its answer.
        let (_, again) = app.post(&a, "/api/v1/sync/push", &record(&id, "王秀英")).await;
        assert_eq!(pushed(&again).status, RecordStatus::Replayed);
    }
}

/// Households read their own case's history without staff notes or staff accounts;
/// overlong notes are refused.
#[tokio::test]
async fn households_do_not_read_staff_notes_and_notes_are_bounded() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let body = json!({ "device_id": "p1", "records": [{ "id": zaofaxian_shared::RecordId::new().to_string(), "seq": 1,
            "kind": "report", "body": { "village": "530402001001", "household_name": "王秀英", "hardship": "illness",
            "happened_on": "2025-11-01" } }] });
        let (_, v) = app.post(&household, "/api/v1/sync/push", &body).await;
        let case = pushed(&v).case_id.unwrap();
        let cadre = app.staff("cadre", Role::VillageCadre, "530402001001").await;
        let path = format!("/api/v1/cases/{case}/events");
        let long = "字".repeat(2_001);
        let (status, v) = app
            .post(&cadre, &path, &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true }, "note": long }))
            .await;
        assert_eq!((status, v["field"].as_str()), (400, Some("note")), "{name}: {v}");
        let (status, _) = app
            .post(&cadre, &path, &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true }, "note": "邻居张三反映其子在外务工" }))
            .await;
        assert_eq!(status, 200);
        let (_, mine) = app.get(&household, &format!("/api/v1/cases/{case}")).await;
        assert!(!mine.to_string().contains("张三"), "{name}: {mine}");
        let last = mine["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["actor_account"], "");
        assert_eq!(last["entry"]["event"]["event"], "record_verification");
        let (_, staff_view) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        assert!(staff_view.to_string().contains("张三"));
    }
}

/// Sign-in from another site's form is refused (login CSRF); over HTTPS the cookie is
/// Secure; any session can be signed out and its token stops working.
#[tokio::test]
async fn sign_in_and_out_hold_up() {
    let app = TestApp::start(common::sqlite().await, "2026-12-01").await;
    app.staff("cadre", Role::VillageCadre, "530402001001").await;
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let form = [("login", "cadre"), ("password", "password-123")];
    let r = client
        .post(app.url("/console/login"))
        .header("origin", "https://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    assert!(r.headers().get("set-cookie").is_none());
    let r = client
        .post(app.url("/console/login"))
        .header("x-forwarded-proto", "https")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303);
    let cookie = r.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    // A household signs out: the token no longer works.
    let household = app.household("13812345678").await;
    assert_eq!(app.get(&household, "/api/v1/me").await.0, 200);
    let r = app
        .http
        .post(app.url("/api/v1/auth/logout"))
        .bearer_auth(&household)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert_eq!(app.get(&household, "/api/v1/me").await.0, 401);
    // Expired sessions are purged at the next sign-in.
    app.clock.advance(chrono::Duration::days(31));
    let purged = app.db.store.purge_sessions(app.state.now_ms()).await.unwrap();
    assert!(purged >= 1, "{purged}");
}

/// The SQLite file and the photo folder were world-readable: now this service's only.
#[cfg(unix)]
#[tokio::test]
async fn the_database_and_photos_are_private_to_the_service() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let url = format!("sqlite://{}", data.join("zaofaxian.sqlite").display());
    let store = zaofaxian_server::store::SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("zaofaxian.sqlite")), 0o600);
    let photos = data.join("photos").join("ab");
    zaofaxian_server::photos::private_dir(&photos).unwrap();
    assert_eq!(mode(&photos), 0o700);
    // A photo folder an older release left open is closed when the server starts.
    let old = dir.path().join("old-photos");
    std::fs::create_dir(&old).unwrap();
    zaofaxian_server::photos::restrict(&old, 0o755).unwrap();
    assert!(zaofaxian_server::photos::tighten(&old).unwrap());
    assert_eq!(mode(&old), 0o700);
    assert!(!zaofaxian_server::photos::tighten(&old).unwrap(), "once is enough");
}
