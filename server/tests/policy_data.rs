//! Policy data loaded at run time, on both backends: a year of holidays uploaded in
//! the console puts every provisional deadline right (with history entries), a bad
//! file changes nothing and names its lines, a loaded year can be replaced, another
//! process and the `deadline` command see the store's data, thresholds set from the
//! command line assess the visits that waited for them, and the header warns ahead.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use serde_json::{Value, json};
use zaofaxian_server::policy_data;
use zaofaxian_server::store::Store;
use zaofaxian_shared::Role;

const VILLAGE: &str = "530402001001";
const COUNTY: &str = "530402000000";
const TEST_2027: &str = include_str!("data/TEST_ONLY_not_published_holidays_2027.csv");
const TEST_2027_REVISED: &str = include_str!("data/TEST_ONLY_not_published_holidays_2027_revised.csv");

async fn report(app: &TestApp, phone: &str, national_id: &str) -> String {
    let happened = app.state.clock.today().pred_opt().unwrap().to_string();
    let household = app.household(phone).await;
    let body = json!({
        "village": VILLAGE, "household_name": "王秀英", "national_id": national_id, "phone": phone,
        "hardship": "illness", "happened_on": happened, "amount": 1_200_000, "description": "住院手术" });
    app.report(&household, phone, body).await
}

async fn case(app: &TestApp, token: &str, id: &str) -> Value {
    let (s, v) = app.get(token, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, 200, "{v}");
    v
}

/// Signs a staff member into the console; returns the cookie and a form token.
async fn console(app: &TestApp, login: &str) -> (String, String) {
    let cookie = app.console_cookie(login, "password-123").await;
    let page = app.console_page(&cookie, "/console/policy").await;
    let csrf = common::form_token(&page).unwrap_or_default();
    (cookie, csrf)
}

async fn upload(app: &TestApp, cookie: &str, csrf: &str, text: &str, source: &str) -> (u16, String) {
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf.to_string())
        .text("source", source.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(text.as_bytes().to_vec()).file_name("holidays.csv"),
        );
    let r = app
        .http
        .post(app.url("/console/policy/calendar"))
        .header("cookie", cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

/// Runs the command line as an officer would (it starts its own runtime, so off the
/// test's): exit code and everything it printed.
async fn cli(args: &[&str]) -> (u8, String) {
    let mut all = vec!["zaofaxian-server".to_string()];
    all.extend(args.iter().map(|a| a.to_string()));
    tokio::task::spawn_blocking(move || {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = zaofaxian_server::cli::run(all, &mut out, &mut err);
        (code, String::from_utf8(out).unwrap() + &String::from_utf8(err).unwrap())
    })
    .await
    .unwrap()
}

async fn deadline_cli(url: &str) -> String {
    let (code, text) = cli(&[
        "deadline",
        "--from",
        "2026-12-28",
        "--working-days",
        "5",
        "--database-url",
        url,
    ])
    .await;
    assert_eq!(code, 0, "{text}");
    text
}

#[tokio::test]
async fn a_loaded_year_puts_every_provisional_deadline_right() {
    for app in common::apps("2026-12-28").await {
        let name = app.db.name;
        let a = report(&app, "13812345678", "11010519491231002X").await;
        let b = report(&app, "13912345678", "530402198001010011").await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let county = app.staff("county", Role::County, COUNTY).await;
        app.staff("admin", Role::Admin, "530000000000").await;

        // Warned ahead: from 1 November the missing 2027 schedule is said in /health and
        // in the header of county and admin accounts (not a village cadre's).
        let (_, health) = app.get("", "/health").await;
        assert_eq!(health["calendar_missing"], 2027, "{name}: {health}");
        assert!(health["warning"]["zh"].as_str().unwrap().contains("import-calendar"));
        let (county_cookie, _) = console(&app, "county").await;
        let (cadre_cookie, _) = console(&app, "cadre").await;
        assert!(
            app.console_page(&county_cookie, "/console/board")
                .await
                .contains("尚未导入2027年节假日安排")
        );
        assert!(
            !app.console_page(&cadre_cookie, "/console/board")
                .await
                .contains("尚未导入2027年节假日安排")
        );
        let _ = county;

        // Until then: provisional, weekends only, on the API, the board, the case page and the export.
        let v = case(&app, &cadre, &a).await;
        assert_eq!(v["case"]["state"]["deadline"]["due"], "2027-01-04", "{name}");
        assert_eq!(v["case"]["state"]["deadline"]["provisional"], 2027);
        assert!(
            app.console_page(&cadre_cookie, "/console/board")
                .await
                .contains("（暂定）")
        );
        assert!(
            app.console_page(&cadre_cookie, &format!("/console/cases/{a}"))
                .await
                .contains("2027年节假日安排尚未导入")
        );
        assert!(
            app.console_page(&cadre_cookie, "/console/export/cases.csv")
                .await
                .contains("2027-01-04（暂定）")
        );
        assert!(deadline_cli(&app.db.url).await.contains("暂定 / provisional"));

        // Steps that start a period go on and record that their date is provisional: a
        // third household is verified, signs, and its appraisal posts the notice.
        let c = report(&app, "13712345678", "110105195001010039").await;
        for (version, event) in [
            (0, json!({ "event": "record_verification", "at_risk": true })),
            (1, json!({ "event": "sign_application" })),
            (2, json!({ "event": "record_appraisal", "approved": true })),
        ] {
            let (status, body) = app
                .post(
                    &cadre,
                    &format!("/api/v1/cases/{c}/events"),
                    &json!({ "expected_version": version, "event": event }),
                )
                .await;
            assert_eq!(status, 200, "{name}: {body}");
        }
        let v = case(&app, &cadre, &c).await;
        let posted = &v["history"].as_array().unwrap().last().unwrap()["entry"];
        assert_eq!(posted["deadline"]["kind"], "notice_end", "{posted}");
        assert_eq!(
            (
                posted["deadline"]["due"].as_str(),
                posted["deadline"]["provisional"].as_i64()
            ),
            (Some("2027-01-04"), Some(2027))
        );
        assert!(
            app.console_page(&cadre_cookie, "/console/notice")
                .await
                .contains("2027-01-04（暂定）")
        );

        // A bad file: every bad line named, nothing changed.
        let (cookie, csrf) = console(&app, "admin").await;
        let version = app.db.store.reference_version().await.unwrap();
        let (status, page) = upload(
            &app,
            &cookie,
            &csrf,
            "date,kind,name,year\n2027-02-30,holiday,x,2027\n2027-01-01,holiday,元旦,2027\n2027-01-05,workday,x,2027\n",
            "TEST ONLY",
        )
        .await;
        assert_eq!(status, 422, "{name}");
        assert!(
            page.contains("第2行") && page.contains("第4行") && !page.contains("第3行"),
            "{page}"
        );
        assert_eq!(app.db.store.reference_version().await.unwrap(), version);
        assert_eq!(case(&app, &cadre, &a).await["case"]["state"]["version"], 0);

        // A stale form token is refused.
        let (status, _) = upload(&app, &cookie, "not-the-token", TEST_2027, "TEST ONLY").await;
        assert_eq!(status, 403);
        // A village cadre may not load data.
        let (status, _) = upload(&app, &cadre_cookie, &csrf, TEST_2027, "TEST ONLY").await;
        assert_eq!(status, 403);

        // A second server process on the same database, running before the schedule loads.
        let other = zaofaxian_server::state::AppState::new(
            app.db.store.clone(),
            app.clock.clone(),
            app.codes.clone(),
            app.photos.clone(),
        );
        other.load_reference().await.unwrap();
        assert!(!other.reference().calendar.years().contains(&2027));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let other_base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(zaofaxian_server::http::serve_on(
            listener,
            zaofaxian_server::http::app(other.clone()),
        ));

        // The (test-only) 2027 schedule: 01-01, 01-04, 01-05 off. Both cases move, in history.
        let (status, page) = upload(&app, &cookie, &csrf, TEST_2027, "TEST ONLY 测试用").await;
        assert_eq!(status, 200, "{name}: {page}");
        assert!(page.contains("2027年：导入前 无数据，导入后 4天"), "{page}");
        assert!(page.contains("重新计算期限：3件案件变更，其中0件已超期"), "{page}");
        let v = case(&app, &cadre, &c).await;
        assert_eq!(v["case"]["state"]["notice"], json!(["2026-12-28", "2027-01-07"]), "{v}");
        let v = case(&app, &cadre, &a).await;
        let deadline = &v["case"]["state"]["deadline"];
        assert_eq!(
            (deadline["due"].as_str(), deadline.get("provisional")),
            (Some("2027-01-07"), None),
            "{v}"
        );
        let entry = &v["history"].as_array().unwrap().last().unwrap()["entry"];
        assert_eq!(entry["event"], "deadline_recounted");
        assert_eq!(
            (entry["old_due"].as_str(), entry["new_due"].as_str()),
            (Some("2027-01-04"), Some("2027-01-07"))
        );
        assert_eq!(entry["old_provisional"], 2027);
        assert_eq!(v["chain_intact"], true);
        let (_, health) = app.get("", "/health").await;
        assert_eq!(health.get("calendar_missing"), None, "{health}");
        assert!(
            !app.console_page(&county_cookie, "/console/board")
                .await
                .contains("尚未导入2027年节假日安排")
        );
        assert!(deadline_cli(&app.db.url).await.ends_with("2027-01-07\n"));

        // A step prepared on a phone before the recount is not stale for it.
        let (status, body) = app
            .post(
                &cadre,
                &format!("/api/v1/cases/{a}/events"),
                &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true } }),
            )
            .await;
        assert_eq!(status, 200, "{name}: {body}");

        // Replacing the year (a corrected notice): what changed is listed; case B moves again
        // (01-07 → 01-05) and is overdue on 2027-01-08; so does case C's notice.
        app.set_today("2027-01-08");
        let done = policy_data::import_calendar(
            app.db.store.as_ref(),
            &app.state.reference,
            TEST_2027_REVISED,
            "TEST ONLY revised",
            "admin",
            "2027-01-08".parse().unwrap(),
            app.state.now_ms(),
        )
        .await
        .unwrap();
        let change = &done.changes[0];
        assert_eq!((change.before, change.after), (Some(4), 2));
        assert_eq!((change.added.len(), change.removed.len()), (1, 3));
        // Case B's verification and case C's notice both end 01-05 now, before 01-08.
        assert_eq!((done.recount.changed, done.recount.overdue), (2, 2), "{name}");
        // Eleven days on, the cadre signs in again (staff sessions last 12 hours).
        let cadre = app.sign_in("cadre").await;
        let v = case(&app, &cadre, &b).await;
        // 12-29, 12-30, 12-31, (01-01 off), 01-04, 01-05.
        assert_eq!(v["case"]["state"]["deadline"]["due"], "2027-01-05");
        assert!(deadline_cli(&app.db.url).await.ends_with("2027-01-05\n"));

        // The other process works with it from its next signed-in request on (every
        // request reads the data's version with the session epoch), not after a poll.
        assert!(!other.reference().calendar.years().contains(&2027));
        let r = app
            .http
            .get(format!("{other_base}/api/v1/me"))
            .bearer_auth(&cadre)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}");
        assert_eq!(
            other
                .reference()
                .calendar
                .add_working_days("2026-12-28".parse().unwrap(), 5),
            Ok("2027-01-05".parse().unwrap())
        );
        assert!(
            !other.reference.refresh(app.db.store.as_ref()).await.unwrap(),
            "nothing new"
        );
    }
}

/// A home visit of 2026 in Yunnan (no published 2026 line in the shipped data) waits
/// for its threshold; `admin set-threshold` assesses it, leaving the cadre's finding.
#[tokio::test]
async fn a_threshold_set_later_assesses_the_visits_that_waited() {
    for app in common::apps("2026-03-02").await {
        let name = app.db.name;
        let a = report(&app, "13812345678", "11010519491231002X").await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let checks = common::exclusions_all_clear(VILLAGE);
        let visit = json!({
            "visited_on": "2026-03-02", "village": VILLAGE, "group": "3组",
            "members": [ { "name": "王秀英", "birth_date": "1949-12-31", "labour": "none", "health": "serious" } ],
            "worksheet": { "collected_on": "2026-03-02", "transfers": [ { "item": "Pension", "amount": 360000 } ] },
            "guarantees": { "food_and_clothing": true, "compulsory_education": true, "basic_medical": true,
                            "housing_safe": true, "drinking_water": true },
            "exclusion_checks": checks,
            "location": { "lat": 24.354, "lon": 102.543, "accuracy_m": 6.0 },
            "photos": [],
            "authorization": { "kind": "fingerprint", "signer": "王秀英", "note": "按手印" }
        });
        let (status, body) = app
            .post(
                &cadre,
                &format!("/api/v1/cases/{a}/events"),
                &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true }, "visit": visit }),
            )
            .await;
        assert_eq!(status, 200, "{name}: {body}");
        let v = case(&app, &cadre, &a).await;
        assert_eq!(v["case"]["state"]["assessment_pending_year"], 2026, "{name}: {v}");
        assert_eq!(v["case"]["state"].get("category"), None);

        // A prefecture below its province is refused; so is a village.
        let url = app.db.url.clone();
        let set = |region: &'static str, yuan: &'static str| {
            let url = url.clone();
            async move {
                let args = [
                    "admin",
                    "set-threshold",
                    "--region",
                    region,
                    "--year",
                    "2026",
                    "--yuan",
                    yuan,
                ];
                let mut all: Vec<&str> = args.to_vec();
                all.extend_from_slice(&["--source", "TEST ONLY 测试用", "--database-url", &url]);
                cli(&all).await
            }
        };
        let (code, text) = set("530000000000", "9000").await;
        assert_eq!(code, 0, "{text}");
        assert!(text.contains("补评估入户记录1件"), "{text}");
        let (code, text) = set("530400000000", "8000").await;
        assert_eq!(code, 1);
        assert!(text.contains("低于云南省"), "{text}");
        let (code, text) = set(VILLAGE, "9500").await;
        assert_eq!(code, 1);
        assert!(text.contains("不是省、州（市）或县级区划"), "{text}");

        // The running server follows the other process's change on its next poll.
        assert!(app.state.reference.refresh(app.db.store.as_ref()).await.unwrap());
        let v = case(&app, &cadre, &a).await;
        let state = &v["case"]["state"];
        assert_eq!(state.get("assessment_pending_year"), None, "{v}");
        // 3,600 yuan of pension for one person is below the 9,000 line: 边缘易致贫户.
        assert_eq!(state["category"], "marginal_at_risk");
        let history = v["history"].as_array().unwrap();
        let last = &history.last().unwrap()["entry"];
        assert_eq!(last["event"], "reassessed");
        assert_eq!(last["assessment"]["threshold"], 900_000);
        assert!(
            last["assessment"]["reasons"]
                .to_string()
                .contains("2026年认定标准9000.00元"),
            "{last}"
        );
        // The cadre's own recorded step is still there, as it was.
        let verification = history
            .iter()
            .find(|e| e["entry"]["event"]["event"] == "record_verification")
            .unwrap();
        assert_eq!(verification["entry"]["event"]["at_risk"], true);
        assert!(verification["entry"]["assessment"]["error"].is_object());
        assert_eq!(v["chain_intact"], true);

        // The console form: an admin outside the region is refused, inside it sets the line.
        app.staff("admin", Role::Admin, "530400000000").await;
        let (cookie, csrf) = console(&app, "admin").await;
        let post = |region: &'static str, yuan: &'static str| {
            let (cookie, csrf) = (cookie.clone(), csrf.clone());
            let app = &app;
            async move {
                let r = app
                    .http
                    .post(app.url("/console/policy/threshold"))
                    .header("cookie", cookie)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("region", region),
                        ("year", "2026"),
                        ("yuan", yuan),
                        ("source", "TEST ONLY"),
                    ])
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.text().await.unwrap())
            }
        };
        let (status, page) = post("530000000000", "9100").await;
        assert_eq!(status, 422);
        assert!(page.contains("不在您的管理范围内"), "{page}");
        let (status, page) = post("530400000000", "9200").await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("已设定"), "{page}");
        let r = app.state.reference();
        assert_eq!(
            r.policy.threshold(VILLAGE.parse().unwrap(), 2026),
            Ok(zaofaxian_shared::Fen::yuan(9200))
        );
    }
}
