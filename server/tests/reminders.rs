//! Deadlines that reach people, on both backends with a moved clock, against a local
//! stand-in for the SMS provider: one digest per account on working mornings (across
//! the 2025 National Day holiday and its make-up Saturday), never at night, never
//! twice (two server processes and a restart), muted on request while the in-app
//! list stays; a late step on the township's 超期督办 list after exactly one working
//! day, its 督办 note in the cadre's list, digest and the case's history; the
//! township's monthly report; and the household's texts at the stages that concern it.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::sms_stand_in::{self, KEY, Outbox, notice_body, sender};
use serde_json::json;
use std::sync::Arc;
use zaofaxian_server::state::AppState;
use zaofaxian_server::store::Store;
use zaofaxian_shared::Role;
use zaofaxian_shared::lifecycle::DeadlineKind;
use zaofaxian_shared::reminders::{Level, Urgency};
use zaofaxian_shared::wire::Reminders;

const VILLAGE: &str = "530402001001";
const CADRE_PHONE: &str = "13900001111";
const TOWNSHIP_PHONE: &str = "13900002222";
const OTHER_VILLAGE_PHONE: &str = "13900004444";
const HEQING_PHONE: &str = "13900005555";
const HOUSEHOLD_PHONE: &str = "13812345678";

/// Sets the server's clock to `date` at `hour`:00 China time.
fn at(app: &common::TestApp, date: &str, hour: u32) {
    let t = date
        .parse::<chrono::NaiveDate>()
        .unwrap()
        .and_hms_opt(hour, 0, 0)
        .unwrap()
        .and_local_timezone(zaofaxian_shared::clock::china_offset())
        .single()
        .unwrap();
    app.clock.set(t.with_timezone(&chrono::Utc));
}

/// Texts the stand-in received for `phone` (11 digits).
fn texts_to(sent: &Outbox, phone: &str) -> Vec<String> {
    let to = format!("+86{phone}");
    sent.lock()
        .unwrap()
        .iter()
        .filter(|s| s.phone == to)
        .map(|s| notice_body(s).expect("notices go by the notice templates"))
        .collect()
}

/// Posts a console form of `page` (its token added) and answers the page shown.
async fn console_post(app: &common::TestApp, cookie: &str, page: &str, fields: &[(&str, &str)]) -> String {
    let csrf = common::form_token(page).unwrap();
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let r = app
        .http
        .post(app.url("/console/reminders"))
        .header("cookie", cookie)
        .form(&form)
        .send()
        .await
        .unwrap();
    r.text().await.unwrap()
}

async fn version(app: &common::TestApp, token: &str, case: &str) -> u64 {
    let (_, d) = app.get(token, &format!("/api/v1/cases/{case}")).await;
    d["case"]["state"]["version"].as_u64().unwrap()
}

async fn reminders(app: &common::TestApp, login: &str) -> Reminders {
    let token = app.sign_in(login).await;
    let (s, v) = app.get(&token, "/api/v1/reminders").await;
    assert_eq!(s, 200, "{v}");
    serde_json::from_value(v).unwrap()
}

/// A server process's reminder rounds: the test's state with the stand-in as sender.
fn process(app: &common::TestApp, provider: &str) -> AppState {
    let mut state = app.state.clone();
    state.texts = Arc::new(sender(provider, KEY));
    state
}

#[tokio::test]
async fn reminders_reach_the_people_who_must_act_once_a_working_day() {
    for app in common::apps("2025-09-25").await {
        let name = app.db.name;
        let store = app.db.store.clone();
        let (provider, sent) = sms_stand_in::start().await;
        let (one, two) = (process(&app, &provider), process(&app, &provider));
        for (login, role, division, phone) in [
            ("cadre", Role::VillageCadre, VILLAGE, Some(CADRE_PHONE)),
            ("team", Role::WorkTeam, VILLAGE, None),
            ("township", Role::Township, "530402001000", Some(TOWNSHIP_PHONE)),
            ("other", Role::VillageCadre, "530402001002", Some(OTHER_VILLAGE_PHONE)),
            ("heqing", Role::Township, "532932101000", Some(HEQING_PHONE)),
            ("heqing-county", Role::County, "532932000000", None),
            ("county", Role::County, "530402000000", None),
        ] {
            app.staff(login, role, division).await;
            let id = store.account_by_login(login).await.unwrap().unwrap().id;
            store.set_staff_phone(&id, phone).await.unwrap();
        }
        let household = app.household(HOUSEHOLD_PHONE).await;
        let body = json!({ "village": VILLAGE, "household_name": "王秀英", "national_id": "11010519491231002X",
                           "hardship": "illness", "happened_on": "2025-09-20" });
        let case = app.report(&household, "p1", body).await;
        let (_, d) = app
            .get(&app.sign_in("cadre").await, &format!("/api/v1/cases/{case}"))
            .await;
        // Reported Thursday 25 September: five working days are 26, 28 (the make-up
        // Sunday), 29, 30 September and, after the holiday, 9 October.
        assert_eq!(d["case"]["state"]["deadline"]["due"], "2025-10-09", "{name}");

        // Monday 29 September: nothing due yet for the village; the township in 鹤庆 has
        // its September report due in two working days (5 October is in the holiday).
        at(&app, "2025-09-29", 9);
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert!(texts_to(&sent, CADRE_PHONE).is_empty(), "{name}");
        assert_eq!(
            texts_to(&sent, HEQING_PHONE),
            ["9月防返贫监测月报10月9日到期，请按时上报。"],
            "{name}"
        );

        // Tuesday 30 September, 07:00: too early. At 09:00 two processes make their
        // rounds at once, and one of them restarts and makes another: one text each.
        at(&app, "2025-09-30", 7);
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert!(texts_to(&sent, CADRE_PHONE).is_empty(), "{name}: not before 08:00");
        at(&app, "2025-09-30", 9);
        let (a, b) = tokio::join!(
            zaofaxian_server::reminders::round(&one),
            zaofaxian_server::reminders::round(&two)
        );
        let (made_a, made_b) = (a.unwrap().0, b.unwrap().0);
        assert_eq!(made_a + made_b, 1, "{name}: one digest between two processes");
        let restarted = process(&app, &provider);
        zaofaxian_server::reminders::round(&restarted).await.unwrap();
        assert_eq!(
            texts_to(&sent, CADRE_PHONE),
            [
                "您有1户事项今天或下个工作日到期、0户已超期，含王秀英家。上级督办0条，下级超期0户。请在早发现应用中查看处理。"
            ],
            "{name}"
        );
        assert!(
            texts_to(&sent, OTHER_VILLAGE_PHONE).is_empty(),
            "{name}: another village's cadre"
        );
        assert!(
            texts_to(&sent, TOWNSHIP_PHONE).is_empty(),
            "{name}: not the township's step"
        );
        // The work-team member has no phone but sees it in the app.
        let team = reminders(&app, "team").await;
        assert_eq!(team.due.len(), 1, "{name}");
        assert_eq!(
            (team.due[0].deadline, team.due[0].urgency, team.due[0].days_left),
            (DeadlineKind::Verification, Urgency::DueSoon, 1)
        );
        assert_eq!(team.due[0].national_id.as_deref(), Some("110105********002X"));

        // The holiday: no digests, whatever the hour.
        for day in ["2025-10-01", "2025-10-04", "2025-10-08"] {
            at(&app, day, 9);
            zaofaxian_server::reminders::round(&one).await.unwrap();
        }
        assert_eq!(texts_to(&sent, CADRE_PHONE).len(), 1, "{name}: nothing on holidays");

        // Thursday 9 October, due today: not late yet, nothing on the township's list.
        at(&app, "2025-10-09", 9);
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert_eq!(
            texts_to(&sent, CADRE_PHONE).last().map(String::as_str),
            Some(
                "您有1户事项今天或下个工作日到期、0户已超期，含王秀英家。上级督办0条，下级超期0户。请在早发现应用中查看处理。"
            ),
            "{name}"
        );
        assert_eq!(
            texts_to(&sent, HEQING_PHONE).last().map(String::as_str),
            Some("9月防返贫监测月报今天到期，请按时上报。"),
            "{name}"
        );
        assert!(reminders(&app, "township").await.escalated.is_empty(), "{name}");
        let township = app.sign_in("township").await;
        let (s, v) = app
            .post(
                &township,
                &format!("/api/v1/cases/{case}/supervise"),
                &json!({ "note": "请尽快核实" }),
            )
            .await;
        assert_eq!((s, v["code"].as_str()), (409, Some("not_escalated")), "{name}");

        // 鹤庆: September's report is now past due and not marked: the county's board
        // says so until the township marks it from its page.
        at(&app, "2025-10-10", 9);
        let county = app.console_cookie("heqing-county", "password-123").await;
        let missing = "云鹤镇 2025年9月防返贫监测月报未上报（2025-10-09到期）";
        assert!(
            app.console_page(&county, "/console/board").await.contains(missing),
            "{name}"
        );
        let heqing = app.console_cookie("heqing", "password-123").await;
        let page = app.console_page(&heqing, "/console/reminders").await;
        assert!(
            page.contains("value=\"2025-09\"") && page.contains("value=\"2025-10\""),
            "{name}: {page}"
        );
        let done = console_post(&app, &heqing, &page, &[("action", "file_report"), ("month", "2025-09")]).await;
        assert!(done.contains("9月月报已标记为已上报"), "{name}");
        assert!(
            !app.console_page(&county, "/console/board").await.contains(missing),
            "{name}"
        );
        // October's is marked early: no reminder for it on 3 November.
        let done = console_post(&app, &heqing, &page, &[("action", "file_report"), ("month", "2025-10")]).await;
        assert!(done.contains("10月月报已标记为已上报"), "{name}");
        let heqing_texts = texts_to(&sent, HEQING_PHONE).len();

        // Friday 10 October: one working day late. On the township's 超期督办 list with
        // who was to act; the county does not supervise a village step.
        at(&app, "2025-10-10", 9);
        let above = reminders(&app, "township").await;
        assert_eq!(above.escalated.len(), 1, "{name}: {above:?}");
        let e = &above.escalated[0];
        assert_eq!(
            (e.level, e.working_days_late, e.case_id.as_str()),
            (Level::Village, 1, case.as_str())
        );
        assert_eq!(e.responsible, ["cadre", "team"], "{name}");
        assert!(reminders(&app, "county").await.escalated.is_empty(), "{name}");
        let cadre = app.sign_in("cadre").await;
        let (s, _) = app
            .post(
                &cadre,
                &format!("/api/v1/cases/{case}/supervise"),
                &json!({ "note": "自己督办自己" }),
            )
            .await;
        assert_eq!(s, 409, "{name}: the village does not supervise itself");
        let township = app.sign_in("township").await;
        let (s, v) = app
            .post(
                &township,
                &format!("/api/v1/cases/{case}/supervise"),
                &json!({ "note": "\u{7}" }),
            )
            .await;
        assert_eq!((s, v["field"].as_str()), (400, Some("note")), "{name}");
        // The township's console: the board counts it, the page lists it, the note goes
        // from its form.
        let cookie = app.console_cookie("township", "password-123").await;
        let board = app.console_page(&cookie, "/console/board").await;
        assert!(board.contains("超期督办 <strong>1</strong>"), "{name}: {board}");
        assert!(board.contains("，督办 1"), "{name}: the village's card");
        let page = app.console_page(&cookie, "/console/reminders").await;
        assert!(
            page.contains("王秀英") && page.contains("cadre、team") && page.contains("1个工作日"),
            "{name}"
        );
        let fields = [
            ("action", "supervise"),
            ("case_id", case.as_str()),
            ("note", "已超期，请今日完成入户核实"),
        ];
        let done = console_post(&app, &cookie, &page, &fields).await;
        assert!(done.contains("督办意见已发送"), "{name}");
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert_eq!(
            texts_to(&sent, TOWNSHIP_PHONE).last().map(String::as_str),
            Some("上级督办0条，下级超期1户，请在早发现应用中查看处理。"),
            "{name}"
        );
        let mine = reminders(&app, "cadre").await;
        assert_eq!(mine.supervision.len(), 1, "{name}");
        assert_eq!(
            (mine.supervision[0].note.as_str(), mine.supervision[0].from.as_str()),
            ("已超期，请今日完成入户核实", "township")
        );
        assert_eq!(mine.due[0].urgency, Urgency::Overdue);
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        let last = d["history"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["entry"]["event"], "supervised", "{name}: in the history");
        assert_eq!(last["entry"]["note"], "已超期，请今日完成入户核实");

        // Saturday 11 October is a make-up working day: the digest names the late case
        // and the 督办 note. Sunday: nothing.
        at(&app, "2025-10-11", 9);
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert_eq!(
            texts_to(&sent, CADRE_PHONE).last().map(String::as_str),
            Some(
                "您有0户事项今天或下个工作日到期、1户已超期，含王秀英家。上级督办1条，下级超期0户。请在早发现应用中查看处理。"
            ),
            "{name}"
        );
        let before_sunday = texts_to(&sent, CADRE_PHONE).len();
        at(&app, "2025-10-12", 9);
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert_eq!(texts_to(&sent, CADRE_PHONE).len(), before_sunday, "{name}");

        // The cadre mutes the texts: Monday brings none, the list stays.
        at(&app, "2025-10-13", 9);
        let cadre = app.sign_in("cadre").await;
        let r = app
            .http
            .put(app.url("/api/v1/reminders/texts"))
            .bearer_auth(&cadre)
            .json(&json!({ "muted": true }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert_eq!(texts_to(&sent, CADRE_PHONE).len(), before_sunday, "{name}: muted");
        let mine = reminders(&app, "cadre").await;
        assert!(mine.texts_muted && mine.due.len() == 1, "{name}");
        // Households have no reminder list.
        let (s, _) = app.get(&household, "/api/v1/reminders").await;
        assert_eq!(s, 403, "{name}");

        // The household's own texts: the visit done (sent at once, in daytime)…
        let (s, v) = app
            .post(
                &cadre,
                &format!("/api/v1/cases/{case}/events"),
                &json!({ "expected_version": version(&app, &cadre, &case).await,
                         "event": { "event": "record_verification", "at_risk": true } }),
            )
            .await;
        assert_eq!(s, 200, "{name}: {v}");
        zaofaxian_server::reminders::round(&one).await.unwrap();
        let told = texts_to(&sent, HOUSEHOLD_PHONE);
        assert_eq!(told.len(), 1, "{name}: {told:?}");
        assert!(
            told[0].contains("入户核实完毕") && told[0].contains("12317"),
            "{}",
            told[0]
        );
        // …nothing for the signing or the appraisal; the notice with its last day, but a
        // step recorded at 22:00 waits for the morning.
        for event in [
            json!({ "event": "sign_application" }),
            json!({ "event": "record_appraisal", "approved": true }),
        ] {
            at(&app, "2025-10-13", 22);
            let cadre = app.sign_in("cadre").await;
            let body = json!({ "expected_version": version(&app, &cadre, &case).await, "event": event });
            let (s, v) = app.post(&cadre, &format!("/api/v1/cases/{case}/events"), &body).await;
            assert_eq!(s, 200, "{name}: {v}");
        }
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert_eq!(texts_to(&sent, HOUSEHOLD_PHONE).len(), 1, "{name}: not at night");
        at(&app, "2025-10-14", 8);
        zaofaxian_server::reminders::round(&one).await.unwrap();
        let told = texts_to(&sent, HOUSEHOLD_PHONE);
        assert_eq!(told.len(), 2, "{name}: {told:?}");
        assert!(
            told[1].contains("正在村里公示") && told[1].contains("公示结束"),
            "{}",
            told[1]
        );
        assert!(!told.iter().any(|t| t.contains("110105")), "no ID numbers in a text");

        // 3 November, two working days before October's report: it is marked, so no text.
        at(&app, "2025-11-03", 9);
        zaofaxian_server::reminders::round(&one).await.unwrap();
        assert_eq!(texts_to(&sent, HEQING_PHONE).len(), heqing_texts, "{name}");
        assert_eq!(reminders(&app, "heqing").await.report_due, None, "{name}");

        // Everything sent is on record, once.
        let record = store.texts_since(0).await.unwrap();
        let sent_count = sent.lock().unwrap().len();
        assert_eq!(
            record.iter().filter(|t| t.sent_at.is_some()).count(),
            sent_count,
            "{name}"
        );
        assert!(record.iter().all(|t| t.error.is_none()), "{name}: {record:?}");
    }
}

/// 督办 has a daily rate per account: past it the answer is 429 with the wait, and
/// nothing more is written into the case's history.
#[tokio::test]
async fn supervision_notes_have_a_daily_limit() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        app.staff("township", Role::Township, "530402001000").await;
        let household = app.household(HOUSEHOLD_PHONE).await;
        let body = json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness",
                           "happened_on": "2025-11-01" });
        let case = app.report(&household, "p1", body).await;
        // Due Monday 10 November: on Tuesday a working day late.
        app.set_today("2025-11-11");
        let mut state = app.state.clone();
        state.limits.supervision = zaofaxian_server::limits::LimitPolicy::fixed(2, 24 * 3600 * 1000);
        let base = common::serve_state(state).await;
        let township = app.sign_in("township").await;
        let mut answers = Vec::new();
        for note in ["请今日核实", "请尽快核实", "第三次督办"] {
            let r = app
                .http
                .post(format!("{base}/api/v1/cases/{case}/supervise"))
                .bearer_auth(&township)
                .json(&json!({ "note": note }))
                .send()
                .await
                .unwrap();
            answers.push(r.status().as_u16());
        }
        assert_eq!(answers, [204, 204, 429], "{name}");
        let (_, d) = app.get(&township, &format!("/api/v1/cases/{case}")).await;
        let supervised = d["history"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entry"]["event"] == "supervised")
            .count();
        assert_eq!(supervised, 2, "{name}");
    }
}
