//! A household's own case says whom to call and what help was decided (issue 16):
//! the cadre who last came, with the work phone they gave, and each assistance
//! measure as recorded. Staff reading the same case get none of it.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use serde_json::{Value, json};
use zaofaxian_server::store::Store;
use zaofaxian_shared::Role;
use zaofaxian_shared::wire::{HouseholdFacing, PullAnswer};

const VILLAGE: &str = "530402001001";

async fn pulled(app: &common::TestApp, token: &str) -> PullAnswer {
    let (status, body) = app.get(token, "/api/v1/sync/pull").await;
    assert_eq!(status, 200, "{body}");
    serde_json::from_value(body).unwrap()
}

async fn facing(app: &common::TestApp, token: &str) -> HouseholdFacing {
    let mut answer = pulled(app, token).await;
    assert_eq!(answer.cases.len(), 1);
    answer.cases.remove(0).household.expect("the household's own view")
}

#[tokio::test]
async fn the_household_learns_whom_to_call_and_the_help_decided() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let store = app.db.store.clone();
        let household = app.household("13812345678").await;
        let body = json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness",
                           "happened_on": "2025-10-01" });
        let case = app.report(&household, "p1", body).await;
        // Nobody has come yet: no cadre in the village, nobody to name.
        assert_eq!(facing(&app, &household).await.contact, None, "{name}");
        // Two cadres; the one who gave a phone is named first.
        app.staff("zhang", Role::VillageCadre, VILLAGE).await;
        app.staff("li", Role::VillageCadre, VILLAGE).await;
        let li_id = store.account_by_login("li").await.unwrap().unwrap().id;
        store.set_staff_phone(&li_id, Some("13900001111")).await.unwrap();
        let c = facing(&app, &household).await.contact.unwrap();
        assert_eq!(
            (c.name.as_str(), c.phone.as_deref()),
            ("li", Some("13900001111")),
            "{name}"
        );
        // The work-team member who visits becomes the one to call (no phone given).
        let team = app.staff("wang", Role::WorkTeam, VILLAGE).await;
        let path = format!("/api/v1/cases/{case}/events");
        let (s, v) = app
            .post(
                &team,
                &path,
                &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true } }),
            )
            .await;
        assert_eq!(s, 200, "{name}: {v}");
        let c = facing(&app, &household).await.contact.unwrap();
        assert_eq!((c.name.as_str(), c.phone), ("wang", None), "{name}");
        // Wang leaves (account disabled): the household is sent back to the village's cadre.
        let wang_id = store.account_by_login("wang").await.unwrap().unwrap().id;
        store.set_disabled(&wang_id, Some(1)).await.unwrap();
        let c = facing(&app, &household).await.contact.unwrap();
        assert_eq!(c.name, "li", "{name}: nobody who has left is named");
        store.set_disabled(&wang_id, None).await.unwrap();

        // Through to monitoring, then a measure with its responsible person. Staff
        // sessions last 12 hours, so each step signs in on its day.
        app.staff("township", Role::Township, "530402001000").await;
        app.staff("county", Role::County, "530402000000").await;
        let steps: Vec<(&str, &str, Value, Option<&str>)> = vec![
            ("2025-11-03", "li", json!({ "event": "sign_application" }), None),
            (
                "2025-11-03",
                "li",
                json!({ "event": "record_appraisal", "approved": true }),
                None,
            ),
            ("2025-11-11", "li", json!({ "event": "close_notice" }), None),
            (
                "2025-11-11",
                "township",
                json!({ "event": "township_review", "decision": "approve" }),
                None,
            ),
            (
                "2025-11-12",
                "county",
                json!({ "event": "county_determination", "decision": "approve", "department_checks_done": true }),
                None,
            ),
            (
                "2025-11-20",
                "county",
                json!({ "event": "record_assistance" }),
                Some("健康帮扶，责任人：李村长"),
            ),
        ];
        for (version, (day, login, event, note)) in (1..).zip(steps) {
            app.set_today(day);
            let mut body = json!({ "expected_version": version, "event": event, "note": note });
            if event["event"] == "county_determination" {
                body["category"] = json!("marginal_at_risk");
            }
            let token = app.sign_in(login).await;
            let (s, v) = app.post(&token, &path, &body).await;
            assert_eq!(s, 200, "{name}: {day}: {v}");
        }
        let seen = facing(&app, &household).await;
        assert_eq!(seen.assistance.len(), 1, "{name}: {seen:?}");
        assert_eq!(seen.assistance[0].text, "健康帮扶，责任人：李村长");
        assert_eq!(seen.assistance[0].on.to_string(), "2025-11-20");
        assert_eq!(
            seen.contact.unwrap().name,
            "li",
            "{name}: the cadre who took the latest village step"
        );
        // Staff read the case without the household's view.
        let staff = pulled(&app, &app.sign_in("li").await).await;
        assert!(staff.cases.iter().all(|c| c.household.is_none()), "{name}");
        // Another household sees nothing of it.
        let other = app.household("13912345678").await;
        assert!(pulled(&app, &other).await.cases.is_empty(), "{name}");
    }
}
