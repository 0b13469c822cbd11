//! A phone counts deadlines and previews assessments with the data the county loaded,
//! not only what was shipped: a threshold set and a holiday year loaded on the server
//! reach the cadre's and the household's phones on their next sync (and only then).

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use std::sync::Mutex;
use zaofaxian_mobile::local_store::LocalStore;
use zaofaxian_mobile::status::status_view;
use zaofaxian_mobile::sync::SyncEngine;
use zaofaxian_server::policy_data;
use zaofaxian_shared::lifecycle::CaseState;
use zaofaxian_shared::policy::Threshold;
use zaofaxian_shared::{Fen, Lang, Role};

const VILLAGE: &str = "530402001001";
const TEST_2027: &str = include_str!("../../server/tests/data/TEST_ONLY_not_published_holidays_2027.csv");

#[tokio::test]
async fn loaded_thresholds_and_holidays_reach_the_phones() {
    for app in common::apps("2026-12-28").await {
        let name = app.db.name;
        let village = VILLAGE.parse().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let engine = SyncEngine::new(app.base.clone());
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let cadre = Mutex::new(LocalStore::open(&dir.path().join("cadre.sqlite")).unwrap());
        let session = engine.staff_login("cadre", "password-123").await.unwrap();
        cadre.lock().unwrap().set_session(&session).unwrap();

        // A household reports late in December: its deadline runs into 2027.
        let household = app.household("13812345678").await;
        let record = serde_json::json!({ "id": zaofaxian_shared::RecordId::new().to_string(), "seq": 1, "kind": "report", "body": {
            "village": VILLAGE, "household_name": "王秀英", "national_id": "11010519491231002X", "phone": "13812345678",
            "hardship": "illness", "happened_on": "2026-12-27", "amount": 1_200_000, "description": "住院手术" } });
        let (s, v) = app
            .post(
                &household,
                "/api/v1/sync/push",
                &serde_json::json!({ "device_id": "p1", "records": [record] }),
            )
            .await;
        assert_eq!(s, 200, "{v}");

        // First sync: the shipped data as the server holds it; no 2026 line for Yunnan.
        let r = engine.sync(&cadre, 0, 0, |_| {}).await.unwrap();
        assert!(r.reference_updated, "{name}: {r:?}");
        let in_force = cadre.lock().unwrap().in_force();
        assert!(in_force.policy.threshold(village, 2026).is_err());
        assert!(!in_force.calendar.years().contains(&2027));
        let state: CaseState = cadre.lock().unwrap().cases().unwrap()[0].state.clone();
        let view = status_view(&state, &in_force.calendar, "2026-12-28".parse().unwrap(), Lang::Zh);
        assert!(view.deadline.unwrap().contains("2027-01-04（暂定）"), "{name}");

        // Nothing changed: the phone is told so without a body.
        let r = engine.sync(&cadre, 0, 0, |_| {}).await.unwrap();
        assert!(!r.reference_updated, "{name}");

        // The county loads the line and the year; the next sync brings both.
        let t = Threshold::checked("530000000000".parse().unwrap(), 2026, 9000, "TEST ONLY").unwrap();
        policy_data::set_threshold(
            app.db.store.as_ref(),
            &app.state.reference,
            t,
            "admin",
            app.state.now_ms(),
        )
        .await
        .unwrap();
        policy_data::import_calendar(
            app.db.store.as_ref(),
            &app.state.reference,
            TEST_2027,
            "TEST ONLY",
            "admin",
            "2026-12-28".parse().unwrap(),
            app.state.now_ms(),
        )
        .await
        .unwrap();
        let r = engine.sync(&cadre, 0, 0, |_| {}).await.unwrap();
        assert!(r.reference_updated, "{name}");
        let in_force = cadre.lock().unwrap().in_force();
        assert_eq!(in_force.policy.threshold(village, 2026), Ok(Fen::yuan(9000)));
        let state: CaseState = cadre.lock().unwrap().cases().unwrap()[0].state.clone();
        let view = status_view(&state, &in_force.calendar, "2026-12-28".parse().unwrap(), Lang::Zh);
        // The server counted it again (12-29, 12-30, 12-31, 01-06, 01-07) and the phone agrees.
        assert_eq!(
            view.deadline.as_deref(),
            Some("入户核实期限：2027-01-07（还有5个工作日）"),
            "{name}"
        );
        assert_eq!(view.provisional, None);
        // A phone that lost its copy starts again from the shipped data, never from nothing.
        let fresh = LocalStore::open(&dir.path().join("fresh.sqlite")).unwrap();
        assert!(fresh.in_force().policy.threshold(village, 2025).is_ok());
    }
}
