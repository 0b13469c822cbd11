//! Decisions a household can trust (issue: the seeds' rules where harm is done):
//! a collapse of income is seen, and "no risk" is the visiting cadre's finding, shown
//! to the reviewer beside the assessment when the two differ.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use serde_json::{Value, json};
use zaofaxian_shared::{RecordId, Role};

const VILLAGE: &str = "530402001001";

/// 004 二(一), 000 三(一), 002 二(一)3 "收入大幅缩减": wages stopped recently, so the
/// 12-month worksheet is still above the line; the monthly income now shows the collapse.
#[tokio::test]
async fn a_collapse_the_cadre_did_not_see_is_shown_to_the_reviewer() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let record = json!({ "id": RecordId::new().to_string(), "seq": 1, "kind": "report", "body": {
            "village": VILLAGE, "household_name": "王秀英", "hardship": "job_loss", "happened_on": "2025-09-01" } });
        let (_, v) = app
            .post(
                &household,
                "/api/v1/sync/push",
                &json!({ "device_id": "p1", "records": [record] }),
            )
            .await;
        let case = v["results"][0]["case_id"]
            .as_str()
            .unwrap_or_else(|| panic!("{v}"))
            .to_string();
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let checks: Vec<Value> = zaofaxian_shared::Policy::embedded()
            .profile_for(VILLAGE.parse().unwrap())
            .unwrap()
            .exclusions
            .iter()
            .map(|r| json!({ "rule_id": r.id, "applies": false }))
            .collect();
        // One worker, 1,500 a month over the last 12 months (18,000 > 8,700), now 500 a month.
        let visit = json!({
            "visited_on": "2025-11-03", "village": VILLAGE,
            "members": [ { "name": "王秀英", "birth_date": "1980-12-31", "labour": "full", "health": "healthy" } ],
            "worksheet": { "collected_on": "2025-11-03", "household_size": 1,
                           "wages": [ { "member": "王秀英", "local_days": 0, "local_daily_wage": 0, "away_months": 12,
                                        "away_monthly_wage": 150000, "in_kind": 0 } ] },
            "guarantees": { "food_and_clothing": true, "compulsory_education": true, "basic_medical": true,
                            "housing_safe": true, "drinking_water": true },
            "exclusion_checks": checks,
            "current_monthly_income": 50000,
            "authorization": { "kind": "fingerprint", "signer": "王秀英", "note": "按手印" }
        });
        // The cadre records "no risk".
        let (status, body) = app
            .post(
                &cadre,
                &format!("/api/v1/cases/{case}/events"),
                &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": false }, "visit": visit }),
            )
            .await;
        assert_eq!(status, 200, "{name}: {body}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        let entry = &d["history"].as_array().unwrap().last().unwrap()["entry"];
        assert_eq!(entry["assessment"]["eligible"], true, "{name}: {entry}");
        assert_eq!(entry["assessment"]["category"], "sudden_severe_hardship");
        assert_eq!(
            entry["event"]["at_risk"], false,
            "the cadre's finding is kept as it was"
        );
        // The reviewer sees both, and that they differ.
        app.staff("county", Role::County, "530402000000").await;
        let cookie = app.console_cookie("county", "password-123").await;
        let page = app.console_page(&cookie, &format!("/console/cases/{case}")).await;
        assert!(
            page.contains("核实干部结论：") && page.contains("未发现风险"),
            "{name}: {page}"
        );
        assert!(page.contains("干部结论与系统测算不一致"), "{name}");
        assert!(page.contains("收入骤减后每月家庭收入：500.00"), "{name}");
        assert!(page.contains("收入骤减：按现在每月收入推算"), "{name}");
    }
}
