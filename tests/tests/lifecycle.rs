//! Whole lifecycles for ten households of one village, driven through the app core
//! (household and cadre phones) and the real server, on a clock the test moves
//! across the 2025 National Day holiday and New Year 2026.
//!
//! The expected dates below are counted by hand from the State Council's published
//! schedules (2025: 10-01…10-08 off, 09-28 Sun and 10-11 Sat worked; 2026: 01-01…01-03
//! off, 01-04 Sun worked), not by the calendar code under test.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use serde_json::{Value, json};
use std::sync::Mutex;
use zaofaxian_mobile::local_store::LocalStore;
use zaofaxian_mobile::status::status_view;
use zaofaxian_mobile::sync::{SyncEngine, new_sign_in_attempt};
use zaofaxian_server::store::Store;
use zaofaxian_shared::lifecycle::{CaseState, ClosedReason, DeadlineKind, Stage};
use zaofaxian_shared::wire::RecordKind;
use zaofaxian_shared::{Calendar, Lang, Role};

const VILLAGE: &str = "530402001001";
const TOWNSHIP: &str = "530402001000";
const COUNTY: &str = "530402000000";

/// A phone with its own local store, signed in through the sync engine as the app does.
struct Phone {
    store: Mutex<LocalStore>,
    engine: SyncEngine,
    _dir: tempfile::TempDir,
}

impl Phone {
    fn new(app: &common::TestApp) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        Phone {
            store: Mutex::new(LocalStore::open(&dir.path().join("phone.sqlite")).unwrap()),
            engine: SyncEngine::new(app.base.clone()),
            _dir: dir,
        }
    }

    async fn household(app: &common::TestApp, number: &str) -> Phone {
        let p = Phone::new(app);
        p.sign_in_by_code(app, number).await;
        p
    }

    async fn sign_in_by_code(&self, app: &common::TestApp, number: &str) {
        self.engine.request_code(number).await.unwrap();
        let session = self
            .engine
            .verify_code(number, &app.codes.last_code(number), &new_sign_in_attempt())
            .await
            .unwrap();
        self.store.lock().unwrap().set_session(&session).unwrap();
    }

    async fn cadre(app: &common::TestApp) -> Phone {
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let p = Phone::new(app);
        let session = p.engine.staff_login("cadre", "password-123").await.unwrap();
        p.store.lock().unwrap().set_session(&session).unwrap();
        p
    }

    fn enqueue(&self, kind: RecordKind, body: Value) -> String {
        self.store.lock().unwrap().enqueue(kind, &body).unwrap().to_string()
    }

    /// One sync pass that must go through without a failure; returns (stored, rejected).
    async fn sync(&self) -> (usize, usize) {
        let r = self.engine.sync(&self.store, i64::MAX / 2, 0, |_| {}).await.unwrap();
        assert_eq!(r.failure, None, "{r:?}");
        (r.stored, r.rejected)
    }

    /// The phone's copy of a case, as the last pull left it.
    fn case(&self, id: &str) -> CaseState {
        let cases = self.store.lock().unwrap().cases().unwrap();
        cases.into_iter().find(|c| c.id == id).unwrap().state
    }

    /// Why the server refused a record, as the outbox keeps it.
    fn rejection(&self, record: &str) -> String {
        let r = self.store.lock().unwrap().record(record).unwrap().unwrap();
        assert_eq!(r.status, "rejected");
        r.last_error.unwrap()
    }
}

/// The staff's session tokens of the day.
struct Desks {
    cadre: String,
    township: String,
    county: String,
}

/// Moves the clock to `date` (noon) and signs the staff in again, as they would each
/// morning.
async fn new_day(app: &common::TestApp, cadre: &Phone, date: &str) -> Desks {
    app.set_today(date);
    let session = cadre.engine.staff_login("cadre", "password-123").await.unwrap();
    cadre.store.lock().unwrap().set_session(&session).unwrap();
    let township = cadre.engine.staff_login("township", "password-123").await.unwrap();
    let county = cadre.engine.staff_login("county", "password-123").await.unwrap();
    Desks {
        cadre: session.token,
        township: township.token,
        county: county.token,
    }
}

/// The server's view of a case: its state and whether its history chain is intact.
async fn server_case(app: &common::TestApp, token: &str, id: &str) -> (CaseState, Value) {
    let (s, v) = app.get(token, &format!("/api/v1/cases/{id}")).await;
    assert_eq!(s, 200, "{v}");
    (serde_json::from_value(v["case"]["state"].clone()).unwrap(), v)
}

/// Takes one step over the API at the case's current version; returns the status and answer.
async fn step(app: &common::TestApp, token: &str, id: &str, event: Value) -> (u16, Value) {
    let (state, _) = server_case(app, token, id).await;
    let mut body = json!({ "expected_version": state.version, "event": event });
    body["note"] = reason_for(&event);
    // The county settles the category it determines (the assessed one where a visit had one).
    if event["event"] == "county_determination" && state.category.is_none() {
        body["category"] = json!("marginal_at_risk");
    }
    app.post(token, &format!("/api/v1/cases/{id}/events"), &body).await
}

/// A step that must succeed; returns the stage it reached.
async fn ok(app: &common::TestApp, token: &str, id: &str, event: Value) -> Stage {
    let (s, v) = step(app, token, id, event.clone()).await;
    assert_eq!(s, 200, "{} {event}: {v}", app.db.name);
    serde_json::from_value::<CaseState>(v["state"].clone()).unwrap().stage
}

/// A step on the cadre's phone: queued in the outbox and synced.
fn phone_step(cadre: &Phone, id: &str, version: u64, event: Value) {
    let note = reason_for(&event);
    let _ = cadre.enqueue(
        RecordKind::CaseEvent,
        json!({ "case_id": id, "expected_version": version, "event": event, "note": note }),
    );
}

/// The note a step carries: the reason a refusal gives the household (内蒙古 四(一)7),
/// the measure and its responsible person of an assistance step, none for others.
fn reason_for(event: &Value) -> Value {
    let refuses = serde_json::from_value::<zaofaxian_shared::Event>(event.clone()).is_ok_and(|e| e.is_refusal());
    if refuses {
        json!("经核实家庭收入稳定，不符合纳入条件")
    } else if event["event"] == "record_assistance" {
        json!(MEASURE)
    } else {
        Value::Null
    }
}

const MEASURE: &str = "落实医疗救助，帮扶责任人李明（13900003333）";

fn number(n: usize) -> String {
    format!("1381234{n:04}")
}

fn due(state: &CaseState) -> Option<(DeadlineKind, String)> {
    state.deadline.map(|d| (d.kind, d.due.to_string()))
}

fn verified(at_risk: bool) -> Value {
    json!({ "event": "record_verification", "at_risk": at_risk })
}

fn appraisal(approved: bool) -> Value {
    json!({ "event": "record_appraisal", "approved": approved })
}

fn township_approves() -> Value {
    json!({ "event": "township_review", "decision": "approve" })
}

/// The county's joint review, every department check done.
fn determined() -> Value {
    json!({ "event": "county_determination", "decision": "approve", "department_checks_done": true })
}

/// The start of risk elimination with its home check on `on`: one worker earning 1,500
/// a month all year, above the line.
async fn eliminate(app: &common::TestApp, token: &str, id: &str, on: &str) -> (u16, Value) {
    let (state, _) = server_case(app, token, id).await;
    let body = json!({ "expected_version": state.version,
                       "event": { "event": "start_elimination", "consent": true },
                       "visit": common::home_check(VILLAGE, on, "full", 150_000) });
    app.post(token, &format!("/api/v1/cases/{id}/events"), &body).await
}

#[tokio::test]
async fn ten_households_through_verification_notice_review_assistance_and_elimination_across_holidays() {
    let cal = Calendar::national();
    for app in common::apps("2025-09-26").await {
        let name = app.db.name;
        app.staff("township", Role::Township, TOWNSHIP).await;
        app.staff("county", Role::County, COUNTY).await;
        let cadre = Phone::cadre(&app).await;

        // Friday 2025-09-26: five households report from their phones; on Tuesday 09-30, five more.
        let mut homes = Vec::new();
        for n in 0..10 {
            if n == 5 {
                app.set_today("2025-09-30");
            }
            let phone = Phone::household(&app, &number(n)).await;
            let _ = phone.enqueue(
                RecordKind::Report,
                json!({ "village": VILLAGE, "household_name": format!("农户{n}"), "hardship": "illness",
                        "happened_on": "2025-09-20", "description": "户主住院，医疗支出大" }),
            );
            assert_eq!(phone.sync().await, (1, 0), "{name}");
            let id = phone.store.lock().unwrap().cases().unwrap()[0].id.clone();
            homes.push((phone, id));
        }
        let id = |n: usize| homes[n].1.clone();

        // Five working days across the holiday: 09-26 → 10-10, 09-30 → 10-14.
        for (n, (phone, case)) in homes.iter().enumerate() {
            let want = if n < 5 { "2025-10-10" } else { "2025-10-14" };
            assert_eq!(
                due(&phone.case(case)),
                Some((DeadlineKind::Verification, want.into())),
                "{name} household {n}"
            );
        }
        // The household's own screen on 09-30 counts working days, not calendar days.
        let view = status_view(&homes[0].0.case(&id(0)), cal, "2025-09-30".parse().unwrap(), Lang::Zh);
        assert_eq!(
            view.deadline.as_deref(),
            Some("入户核实期限：2025-10-10（还有2个工作日）"),
            "{name}"
        );

        // The cadre's phone pulls the village's ten cases, most urgent first on the queue.
        // Staff sessions last a working day: the cadre's phone says so instead of "up to date".
        let mut last = None;
        let r = cadre
            .engine
            .sync(&cadre.store, i64::MAX / 2, 0, |s| last = Some(s))
            .await
            .unwrap();
        assert_eq!(r.failure.map(|t| t.zh), Some("登录已过期，请重新登录".into()), "{name}");
        assert_eq!(
            last,
            Some(zaofaxian_mobile::sync::SyncState::SignedOut { pending: 0 }),
            "{name}: the screens offer a sign-in, not a retry"
        );
        let mut t = new_day(&app, &cadre, "2025-09-30").await;
        cadre.sync().await;
        assert_eq!(cadre.store.lock().unwrap().cases().unwrap().len(), 10, "{name}");
        let (_, q) = app.get(&t.cadre, "/api/v1/queue").await;
        let dues: Vec<&str> = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["due"].as_str().unwrap())
            .collect();
        assert_eq!(dues[..5], ["2025-10-10"; 5], "{name}");
        assert_eq!(dues[5..], ["2025-10-14"; 5], "{name}");

        // Thursday 10-09, the first working day after the holiday: visits recorded on the
        // cadre's phone. Household 4 is found not at risk; household 9 withdraws its report.
        t = new_day(&app, &cadre, "2025-10-09").await;
        for n in 0..4 {
            phone_step(&cadre, &id(n), 0, verified(true));
        }
        phone_step(&cadre, &id(4), 0, verified(false));
        assert_eq!(cadre.sync().await, (5, 0), "{name}");
        let _ = homes[9].0.enqueue(
            RecordKind::CaseEvent,
            json!({ "case_id": id(9), "expected_version": 0, "event": { "event": "withdraw" } }),
        );
        assert_eq!(homes[9].0.sync().await, (1, 0), "{name}");
        assert_eq!(homes[9].0.case(&id(9)).stage, Stage::Closed(ClosedReason::Withdrawn));
        assert_eq!(
            server_case(&app, &t.county, &id(4)).await.0.stage,
            Stage::Closed(ClosedReason::NotAtRisk)
        );
        // A household cannot take the cadre's step; the refusal stays visible on its phone.
        let refused = homes[5].0.enqueue(
            RecordKind::CaseEvent,
            json!({ "case_id": id(5), "expected_version": 0, "event": verified(true) }),
        );
        assert_eq!(homes[5].0.sync().await, (0, 1), "{name}");
        let why = homes[5].0.rejection(&refused);
        assert!(why.contains("无权"), "{name}: {why}");

        // 10-10: applications signed, the appraisal meets; household 3 is not approved.
        t = new_day(&app, &cadre, "2025-10-10").await;
        for n in 0..4 {
            ok(&app, &t.cadre, &id(n), json!({ "event": "sign_application" })).await;
        }
        for n in 0..3 {
            assert_eq!(ok(&app, &t.cadre, &id(n), appraisal(true)).await, Stage::InNotice);
        }
        assert_eq!(
            ok(&app, &t.cadre, &id(3), appraisal(false)).await,
            Stage::Closed(ClosedReason::Rejected)
        );
        // Notice from 10-10 for five working days: 10-11 (Sat, worked), 13, 14, 15, 16.
        let (s0, _) = server_case(&app, &t.county, &id(0)).await;
        assert_eq!(
            (s0.notice.map(|(a, b)| (a.to_string(), b.to_string())), due(&s0)),
            (
                Some(("2025-10-10".into(), "2025-10-16".into())),
                Some((DeadlineKind::NoticeEnd, "2025-10-16".into()))
            ),
            "{name}"
        );

        // 10-15: household 5's verification (due 10-14) was missed and shows overdue first.
        t = new_day(&app, &cadre, "2025-10-15").await;
        let (_, q) = app.get(&t.cadre, "/api/v1/queue").await;
        let first = &q["items"][0];
        assert_eq!(
            (
                first["case_id"].as_str(),
                first["overdue"].as_bool(),
                first["days_left"].as_i64()
            ),
            (Some(id(5).as_str()), Some(true), Some(-1)),
            "{name}: {first}"
        );
        let (_, board) = app.get(&t.county, &format!("/api/v1/queue?division={VILLAGE}")).await;
        let overdue = board["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["overdue"] == true)
            .count();
        assert_eq!(overdue, 4, "{name}: households 5–8 are late");
        // Late visits are still recorded (5 not at risk; 6–8 at risk).
        phone_step(&cadre, &id(5), 0, verified(false));
        for n in 6..9 {
            phone_step(&cadre, &id(n), 0, verified(true));
        }
        assert_eq!(cadre.sync().await, (4, 0), "{name}");
        // Objections during the notice: household 1's is upheld, household 2's is not.
        for n in [1, 2] {
            ok(&app, &t.cadre, &id(n), json!({ "event": "raise_objection" })).await;
        }
        assert_eq!(
            ok(
                &app,
                &t.township,
                &id(1),
                json!({ "event": "resolve_objection", "upheld": true })
            )
            .await,
            Stage::Closed(ClosedReason::Rejected)
        );

        // 10-16, the notice's last day: it cannot be closed; household 2's objection is open.
        t = new_day(&app, &cadre, "2025-10-16").await;
        let (s, v) = step(&app, &t.cadre, &id(0), json!({ "event": "close_notice" })).await;
        assert_eq!((s, v["code"].as_str()), (409, Some("notice_running")), "{name}: {v}");
        for n in 6..9 {
            ok(&app, &t.cadre, &id(n), json!({ "event": "sign_application" })).await;
            ok(&app, &t.cadre, &id(n), appraisal(true)).await;
        }

        // 10-17: household 0's notice closes; household 2 waits for its investigation.
        t = new_day(&app, &cadre, "2025-10-17").await;
        let (s, v) = step(&app, &t.cadre, &id(2), json!({ "event": "close_notice" })).await;
        assert_eq!((s, v["code"].as_str()), (409, Some("objections_open")), "{name}: {v}");
        ok(
            &app,
            &t.cadre,
            &id(2),
            json!({ "event": "resolve_objection", "upheld": false }),
        )
        .await;
        for n in [0, 2] {
            assert_eq!(
                ok(&app, &t.cadre, &id(n), json!({ "event": "close_notice" })).await,
                Stage::AwaitingTownshipReview
            );
        }
        // Township review: seven working days from 10-17 → 10-28.
        assert_eq!(
            due(&server_case(&app, &t.county, &id(0)).await.0),
            Some((DeadlineKind::TownshipReview, "2025-10-28".into())),
            "{name}"
        );

        // 10-20 township approves, 10-22 the county determines: monitored from 10-22.
        t = new_day(&app, &cadre, "2025-10-20").await;
        for n in [0, 2] {
            ok(&app, &t.township, &id(n), township_approves()).await;
        }
        t = new_day(&app, &cadre, "2025-10-22").await;
        for n in [0, 2] {
            assert_eq!(ok(&app, &t.county, &id(n), determined()).await, Stage::Monitored);
        }
        ok(&app, &t.cadre, &id(0), json!({ "event": "record_assistance" })).await;
        // Risk elimination is refused in the month of identification…
        let (s, v) = eliminate(&app, &t.cadre, &id(0), "2025-10-22").await;
        assert_eq!((s, v["code"].as_str()), (409, Some("same_month")), "{name}: {v}");

        // The second batch's notice (from 10-16) ends 10-23; the village closes it on 10-24, and
        // the township's seven working days run to 11-04. The township is late: on 11-05 its
        // board shows them overdue, then it approves and the county determines.
        t = new_day(&app, &cadre, "2025-10-24").await;
        for n in 6..9 {
            ok(&app, &t.cadre, &id(n), json!({ "event": "close_notice" })).await;
            assert_eq!(
                due(&server_case(&app, &t.county, &id(n)).await.0),
                Some((DeadlineKind::TownshipReview, "2025-11-04".into())),
                "{name}"
            );
        }
        t = new_day(&app, &cadre, "2025-11-05").await;
        let (_, q) = app.get(&t.township, "/api/v1/queue").await;
        let late: Vec<&str> = q["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["overdue"] == true)
            .map(|i| i["case_id"].as_str().unwrap())
            .collect();
        assert_eq!(late.len(), 3, "{name}: {q}");
        for n in 6..9 {
            ok(&app, &t.township, &id(n), township_approves()).await;
            assert_eq!(ok(&app, &t.county, &id(n), determined()).await, Stage::Monitored);
        }

        // …and taken on 12-29 after a home check, appraised and posted across New Year:
        // 12-30, 12-31, 01-04 (Sun, worked), 01-05, 01-06.
        t = new_day(&app, &cadre, "2025-12-29").await;
        let (s, v) = eliminate(&app, &t.cadre, &id(0), "2025-12-29").await;
        assert_eq!(s, 200, "{name}: {v}");
        let state: CaseState = serde_json::from_value(v["state"].clone()).unwrap();
        assert_eq!(state.stage, Stage::AwaitingAppraisal, "{name}");
        assert_eq!(ok(&app, &t.cadre, &id(0), appraisal(true)).await, Stage::InNotice);
        let (s0, _) = server_case(&app, &t.county, &id(0)).await;
        assert_eq!(due(&s0), Some((DeadlineKind::NoticeEnd, "2026-01-06".into())), "{name}");
        t = new_day(&app, &cadre, "2026-01-06").await;
        let (s, _) = step(&app, &t.cadre, &id(0), json!({ "event": "close_notice" })).await;
        assert_eq!(s, 409, "{name}: still the notice's last day");
        t = new_day(&app, &cadre, "2026-01-07").await;
        ok(&app, &t.cadre, &id(0), json!({ "event": "close_notice" })).await;
        // 01-07 + 7 working days: 01-08, 09, 12, 13, 14, 15, 16.
        assert_eq!(
            due(&server_case(&app, &t.county, &id(0)).await.0),
            Some((DeadlineKind::TownshipReview, "2026-01-16".into())),
            "{name}"
        );
        t = new_day(&app, &cadre, "2026-01-08").await;
        ok(&app, &t.township, &id(0), township_approves()).await;
        t = new_day(&app, &cadre, "2026-01-09").await;
        assert_eq!(ok(&app, &t.county, &id(0), determined()).await, Stage::RiskEliminated);

        // Where everyone ended, as the server and each household's phone see it.
        let want = [
            Stage::RiskEliminated,
            Stage::Closed(ClosedReason::Rejected),
            Stage::Monitored,
            Stage::Closed(ClosedReason::Rejected),
            Stage::Closed(ClosedReason::NotAtRisk),
            Stage::Closed(ClosedReason::NotAtRisk),
            Stage::Monitored,
            Stage::Monitored,
            Stage::Monitored,
            Stage::Closed(ClosedReason::Withdrawn),
        ];
        for (n, (phone, case)) in homes.iter().enumerate() {
            let (state, detail) = server_case(&app, &t.county, case).await;
            assert_eq!(state.stage, want[n], "{name} household {n}");
            assert_eq!(detail["chain_intact"], true, "{name} household {n}");
            // Household sessions last 30 days: the phone asks for a new code, then syncs.
            let r = phone.engine.sync(&phone.store, i64::MAX / 2, 0, |_| {}).await.unwrap();
            assert_eq!(r.failure.map(|t| t.en), Some("signed out: sign in again".into()));
            phone.sign_in_by_code(&app, &number(n)).await;
            phone.sync().await;
            assert_eq!(phone.case(case).stage, want[n], "{name} household {n} on its phone");
        }
        let (s0, detail) = server_case(&app, &t.county, &id(0)).await;
        assert_eq!(
            (
                s0.identified_on.map(|d| d.to_string()),
                s0.eliminated_on.map(|d| d.to_string())
            ),
            (Some("2025-10-22".into()), Some("2026-01-09".into())),
            "{name}"
        );
        assert_eq!(s0.assistance_measures, 1);
        // Every step is traced: report, verification, application, appraisal, close, township,
        // county, assistance, elimination start, appraisal, close, township, county.
        assert_eq!(detail["history"].as_array().unwrap().len(), 13, "{name}: {detail}");
        let view = status_view(&s0, cal, "2026-01-09".parse().unwrap(), Lang::Zh);
        assert_eq!(view.stage, "已风险消除", "{name}");
        // Household 0 was told of each stage that concerns it, on its own phone, in order
        // (the texts are recorded with the steps; no sender runs in this test).
        let mut told: Vec<_> = app
            .db
            .store
            .texts_since(0)
            .await
            .unwrap()
            .into_iter()
            .filter(|t| t.case_id.as_deref() == Some(id(0).as_str()))
            .collect();
        told.sort_by_key(|t| t.key.rsplit(':').next().and_then(|v| v.parse::<u64>().ok()));
        let said: Vec<&str> = told.iter().map(|t| t.body.as_str()).collect();
        let expected = [
            "入户核实完毕",
            "正在村里公示",
            "已纳入防返贫监测",
            "帮扶措施已登记",
            "正在村里公示",
            "返贫风险已消除",
        ];
        assert_eq!(said.len(), expected.len(), "{name}: {said:#?}");
        for (t, want) in said.iter().zip(expected) {
            assert!(
                t.contains(want) && t.ends_with("咨询电话12317。"),
                "{name}: {t} lacks {want}"
            );
        }
        assert!(told.iter().all(|t| t.phone == number(0)), "{name}: {told:?}");
        // Nothing of this village is left overdue.
        let (_, q) = app.get(&t.county, &format!("/api/v1/queue?division={VILLAGE}")).await;
        assert!(
            q["items"].as_array().unwrap().iter().all(|i| i["overdue"] == false),
            "{name}: {q}"
        );
    }
}
