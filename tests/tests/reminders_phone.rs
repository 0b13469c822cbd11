//! A cadre's phone brings the reminders home with each sync: the step due today, then,
//! once it is a working day late and the township sent a 督办 note, the note too; a
//! household's phone asks for none.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use serde_json::json;
use std::sync::Mutex;
use zaofaxian_mobile::local_store::LocalStore;
use zaofaxian_mobile::sync::SyncEngine;
use zaofaxian_mobile::ui_reminders::{badge, line};
use zaofaxian_shared::reminders::Urgency;
use zaofaxian_shared::{Lang, Role};

const VILLAGE: &str = "530402001001";

#[tokio::test]
async fn the_cadres_phone_lists_what_is_due_and_the_notes_from_above() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let dir = tempfile::tempdir().unwrap();
        let engine = SyncEngine::new(app.base.clone());
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        app.staff("township", Role::Township, "530402001000").await;
        let household = app.household("13812345678").await;
        let body = json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness",
                           "happened_on": "2025-11-01" });
        let case = app.report(&household, "p1", body).await;

        // Monday 3 November + 5 working days: due Monday 10 November.
        app.set_today("2025-11-10");
        let phone = Mutex::new(LocalStore::open(&dir.path().join("cadre.sqlite")).unwrap());
        let session = engine.staff_login("cadre", "password-123").await.unwrap();
        phone.lock().unwrap().set_session(&session).unwrap();
        let r = engine.sync(&phone, 0, 0, |_| {}).await.unwrap();
        assert_eq!(r.failure, None, "{name}");
        let listed = phone.lock().unwrap().reminders().unwrap();
        assert_eq!(listed.due.len(), 1, "{name}: {listed:?}");
        assert_eq!(line(&listed.due[0], Lang::Zh), "王秀英 · 入户核实期限 · 今天到期");

        // Tuesday: a working day late; the township sends a 督办 note.
        app.set_today("2025-11-11");
        let township = app.sign_in("township").await;
        let (s, v) = app
            .post(
                &township,
                &format!("/api/v1/cases/{case}/supervise"),
                &json!({ "note": "请今日核实" }),
            )
            .await;
        assert_eq!(s, 204, "{name}: {v}");
        let session = engine.staff_login("cadre", "password-123").await.unwrap();
        phone.lock().unwrap().set_session(&session).unwrap();
        engine.sync(&phone, 0, 0, |_| {}).await.unwrap();
        let listed = phone.lock().unwrap().reminders().unwrap();
        assert_eq!(listed.due[0].urgency, Urgency::Overdue, "{name}");
        assert_eq!(listed.supervision.len(), 1, "{name}");
        assert_eq!(listed.supervision[0].note, "请今日核实");
        assert_eq!(badge(&listed), 2, "{name}: the 待办 tab's number");

        // A household's phone has no reminder list to fetch.
        let home = Mutex::new(LocalStore::open(&dir.path().join("household.sqlite")).unwrap());
        engine.request_code("13812345678").await.unwrap();
        let code = app.codes.last_code("13812345678");
        let s = engine
            .verify_code("13812345678", &code, &zaofaxian_mobile::sync::new_sign_in_attempt())
            .await
            .unwrap();
        home.lock().unwrap().set_session(&s).unwrap();
        engine.sync(&home, 0, 0, |_| {}).await.unwrap();
        assert_eq!(home.lock().unwrap().reminders().unwrap(), Default::default(), "{name}");
    }
}
