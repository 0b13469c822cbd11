//! Decisions a household can trust (issue: the seeds' rules where harm is done):
//! a collapse of income is seen, and "no risk" is the visiting cadre's finding, shown
//! to the reviewer beside the assessment when the two differ.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use serde_json::{Value, json};
use zaofaxian_shared::Role;

const VILLAGE: &str = "530402001001";

/// 004 二(一), 000 三(一), 002 二(一)3 "收入大幅缩减": wages stopped recently, so the
/// 12-month worksheet is still above the line; the monthly income now shows the collapse.
#[tokio::test]
async fn a_collapse_the_cadre_did_not_see_is_shown_to_the_reviewer() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let body = json!({
            "village": VILLAGE, "household_name": "王秀英", "hardship": "job_loss", "happened_on": "2025-09-01" });
        let case = app.report(&household, "p1", body).await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let checks = common::exclusions_all_clear(VILLAGE);
        // One worker, 1,500 a month over the last 12 months (18,000 > 8,700), now 500 a month.
        let visit = json!({
            "visited_on": "2025-11-03", "village": VILLAGE,
            "members": [ { "name": "王秀英", "birth_date": "1980-12-31", "labour": "full", "health": "healthy" } ],
            "worksheet": { "collected_on": "2025-11-03", "wages": [ { "member": "王秀英", "local_days": 0, "local_daily_wage": 0, "away_months": 12,
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
                &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": false },
                         "visit": visit, "note": "家中有稳定务工收入" }),
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
        // Everything the visit recorded is in front of the reviewer, the village by name.
        assert!(page.contains("脱贫户：<strong>否</strong>"), "{name}: {page}");
        assert!(page.contains("住房安全有保障（已保障）"), "{name}");
        assert!(page.contains("排除情形逐项核对（0项存在）"), "{name}");
        assert!(
            page.contains("有家庭成员或户主的父母、配偶、子女为国家公职人员的"),
            "{name}: the rule's words, not its id"
        );
        assert!(!page.contains(">yx-1<"), "{name}");
        assert!(page.contains("荷花社区居民委员会 (530402001001)"), "{name}");
    }
}

/// The notice for risk elimination was headed "拟纳入监测对象": villagers were told a
/// household was being added while it was being taken off. It is its own document now,
/// with the category (not a stage) and the helpline.
#[tokio::test]
async fn the_elimination_notice_says_what_it_is() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let body = json!({
            "village": VILLAGE, "household_name": "王秀英", "national_id": "11010519491231002X",
            "hardship": "illness", "happened_on": "2025-10-01" });
        let case = app.report(&household, "p1", body).await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let township = app.staff("township", Role::Township, "530402001000").await;
        let county = app.staff("county", Role::County, "530402000000").await;
        app.post(
            &cadre,
            &format!("/api/v1/cases/{case}/events"),
            &json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true } }),
        )
        .await;
        let steps: Vec<(&str, &String, Value)> = vec![
            ("2025-11-03", &cadre, json!({ "event": "sign_application" })),
            (
                "2025-11-03",
                &cadre,
                json!({ "event": "record_appraisal", "approved": true }),
            ),
            ("2025-11-11", &cadre, json!({ "event": "close_notice" })),
            (
                "2025-11-11",
                &township,
                json!({ "event": "township_review", "decision": "approve" }),
            ),
            (
                "2025-11-12",
                &county,
                json!({ "event": "county_determination", "decision": "approve", "department_checks_done": true }),
            ),
            ("2025-11-20", &cadre, json!({ "event": "record_assistance" })),
            (
                "2025-12-02",
                &cadre,
                json!({ "event": "start_elimination", "consent": true }),
            ),
            (
                "2025-12-02",
                &cadre,
                json!({ "event": "record_appraisal", "approved": true }),
            ),
        ];
        for (version, (day, who, event)) in (1..).zip(steps) {
            app.set_today(day);
            // Staff sign in again after 12 hours: re-use the login endpoint.
            let login = match who.as_str() {
                t if t == cadre.as_str() => "cadre",
                t if t == township.as_str() => "township",
                _ => "county",
            };
            let token = app.sign_in(login).await;
            let path = format!("/api/v1/cases/{case}/events");
            let mut body = json!({ "expected_version": version, "event": event });
            if event["event"] == "start_elimination" {
                // The home check the four criteria are judged from: 1,500 a month all year.
                body["visit"] = common::home_check(VILLAGE, day, "full", 150_000);
            }
            if event["event"] == "county_determination" {
                // No visit was assessed: the county must settle the category itself.
                let (st, v) = app.post(&token, &path, &body).await;
                assert_eq!(
                    (st, v["code"].as_str()),
                    (422, Some("category_required")),
                    "{name}: {v}"
                );
                body["category"] = json!("marginal_at_risk");
            }
            let (st, v) = app.post(&token, &path, &body).await;
            assert_eq!(st, 200, "{name}: {day}: {v}");
        }
        let cookie = app.console_cookie("cadre", "password-123").await;
        let page = app.console_page(&cookie, "/console/notice?notice=elimination").await;
        assert!(
            page.contains("拟标注风险消除名单公示") && page.contains("王秀英"),
            "{name}: {page}"
        );
        assert!(!page.contains("拟纳入名单公示"), "{name}");
        assert!(page.contains("110105********002X"));
        assert!(
            page.contains("边缘易致贫户"),
            "{name}: the category the county set, not a stage"
        );
        assert!(page.contains("12317"), "the helpline is printed");
        let inclusion = app.console_page(&cookie, "/console/notice").await;
        assert!(
            inclusion.contains("拟纳入名单公示") && !inclusion.contains("王秀英"),
            "{name}: {inclusion}"
        );
    }
}

/// 整户消亡 and 清退 took one click with no reason: now a reason (API and console) and an
/// explicit confirmation (console), in a section apart from the daily steps.
#[tokio::test]
async fn ending_a_case_for_good_needs_a_reason_and_a_confirmation() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let body = json!({
            "village": VILLAGE, "household_name": "王秀英", "hardship": "disaster", "happened_on": "2025-11-01" });
        let case = app.report(&household, "p1", body).await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let path = format!("/api/v1/cases/{case}/events");
        let (s, v) = app
            .post(
                &cadre,
                &path,
                &json!({ "expected_version": 0, "event": { "event": "household_dissolved" } }),
            )
            .await;
        assert_eq!(
            (s, v["code"].as_str(), v["field"].as_str()),
            (422, Some("reason_required"), Some("note")),
            "{name}: {v}"
        );
        // The console: apart from the daily steps, refused without the tick.
        let cookie = app.console_cookie("cadre", "password-123").await;
        let page = app.console_page(&cookie, &format!("/console/cases/{case}")).await;
        assert!(page.contains("不可撤销的办理事项（清退、整户消亡）"), "{name}");
        let csrf = common::form_token(&page).unwrap();
        let post = |fields: Vec<(&'static str, String)>| {
            let (cookie, url) = (cookie.clone(), app.url(&format!("/console/cases/{case}")));
            let http = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            async move {
                http.post(url)
                    .header("cookie", cookie)
                    .form(&fields)
                    .send()
                    .await
                    .unwrap()
            }
        };
        let base = vec![
            ("csrf", csrf.clone()),
            ("event", "household_dissolved".to_string()),
            ("version", "0".to_string()),
        ];
        let mut no_tick = base.clone();
        no_tick.push(("note", "山体滑坡，全家搬离".into()));
        let r = post(no_tick.clone()).await;
        assert_eq!(r.status(), 422);
        assert!(r.text().await.unwrap().contains("请勾选确认"), "{name}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(
            d["case"]["state"]["stage"]["stage"], "awaiting_verification",
            "{name}: nothing happened"
        );
        let mut ticked = no_tick;
        ticked.push(("confirm", "yes".into()));
        let r = post(ticked).await;
        assert_eq!(r.status(), 303, "{name}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(
            d["case"]["state"]["stage"]["reason"], "household_dissolved",
            "{name}: {d}"
        );
        let last = &d["history"].as_array().unwrap().last().unwrap()["entry"];
        assert_eq!(last["note"], "山体滑坡，全家搬离");

        // The report was never verified: the county undoes the dissolution, with its
        // reason, and the case is back at home verification with its deadline.
        let county = app.staff("county", Role::County, "530402000000").await;
        let path = format!("/api/v1/cases/{case}/events");
        let undo = |note: &str| json!({ "expected_version": 1, "event": { "event": "reinstate" }, "note": note });
        let (st, v) = app.post(&county, &path, &undo("误")).await;
        assert_eq!((st, v["code"].as_str()), (422, Some("reason_required")), "{name}: {v}");
        let (st, v) = app.post(&cadre, &path, &undo("滑坡未经核实，农户仍在村居住")).await;
        assert_eq!(st, 403, "{name}: only the county: {v}");
        let (st, v) = app.post(&county, &path, &undo("滑坡未经核实，农户仍在村居住")).await;
        assert_eq!(st, 200, "{name}: {v}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(
            d["case"]["state"]["stage"]["stage"], "awaiting_verification",
            "{name}: {d}"
        );
        assert!(d["case"]["state"]["deadline"]["due"].is_string(), "{name}: {d}");
        assert!(d["chain_intact"] == true, "{name}");
    }
}

/// 鹤庆 二(三): "核查情况属实的…将核实认定的附件1、2加盖乡镇公章后于每月5日前上报县扶贫开发
/// 领导小组。如若当月未有新增对象，则实行零报告". The report lists what the township verified
/// in the month (before the county decides), with the verified risk and the measures the
/// township plans, full ID numbers (it goes to the county office) and 鹤庆县's own name;
/// opened without a month it is the one due next (November's on 3 December, by the 5th;
/// December's from the 6th, a zero report so far).
#[tokio::test]
async fn heqings_monthly_report_lists_what_the_township_verified() {
    const HEQING_VILLAGE: &str = "532932101001";
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let body = json!({
            "village": HEQING_VILLAGE, "household_name": "杨桂香", "national_id": "11010519491231002X",
            "hardship": "illness", "happened_on": "2025-10-20" });
        let case = app.report(&household, "p1", body).await;
        app.staff("cadre", Role::VillageCadre, HEQING_VILLAGE).await;
        app.staff("township", Role::Township, "532932101000").await;
        app.staff("county", Role::County, "532932000000").await;
        let steps = [
            (
                "2025-11-03",
                "cadre",
                json!({ "event": "record_verification", "at_risk": true }),
                None,
            ),
            ("2025-11-03", "cadre", json!({ "event": "sign_application" }), None),
            (
                "2025-11-03",
                "cadre",
                json!({ "event": "record_appraisal", "approved": true }),
                None,
            ),
            ("2025-11-11", "cadre", json!({ "event": "close_notice" }), None),
            (
                "2025-11-12",
                "township",
                json!({ "event": "township_review", "decision": "approve" }),
                Some("拟落实医疗救助和临时救助"),
            ),
        ];
        for (version, (day, login, event, note)) in (0..).zip(steps) {
            app.set_today(day);
            let token = app.sign_in(login).await;
            let body = json!({ "expected_version": version, "event": event, "note": note });
            let (st, v) = app.post(&token, &format!("/api/v1/cases/{case}/events"), &body).await;
            assert_eq!(st, 200, "{name}: {event}: {v}");
        }
        let sheets = ["返贫预警情况统计表", "致贫预警情况统计表", "预警解除登记表"];
        app.set_today("2025-12-03");
        let cookie = app.console_cookie("county", "password-123").await;
        let path = "/console/export/monthly.xlsx?division=532932000000";
        let due = app.sheets(&cookie, path, &sheets).await;
        let new = &due[1];
        assert!(new[0][0].starts_with("鹤庆县致贫预警"), "{name}: {:?}", new[0]);
        assert!(
            new[1][0].contains("报告月份：2025年11月") && new[1][0].contains("应于2025-12-05前上报"),
            "{name}: {:?}",
            new[1]
        );
        assert_eq!(new.len(), 5, "{name}: one household: {new:?}");
        let row = &new[4];
        assert_eq!(
            (row[2].as_str(), row[3].as_str(), row[6].as_str(), row[8].as_str()),
            ("杨桂香", "11010519491231002X", "拟落实医疗救助和临时救助", "2025-11-12"),
            "{name}"
        );
        assert!(!row[5].is_empty(), "{name}: the risk as verified: {row:?}");
        // From the 6th, December's report: nothing verified yet, a zero report.
        app.set_today("2025-12-06");
        let cookie = app.console_cookie("county", "password-123").await;
        let next = app.sheets(&cookie, path, &sheets).await;
        assert!(next[1][1][0].contains("报告月份：2025年12月"), "{name}: {:?}", next[1]);
        assert_eq!(next[1][4][0], "本月无新增，零报告", "{name}");
    }
}

/// Takes each step as the named staff account, on its day, at the case's version.
async fn walk(app: &common::TestApp, case: &str, steps: &[(&str, &str, Value)]) {
    for (day, login, event) in steps {
        app.set_today(day);
        let token = app.sign_in(login).await;
        let (_, d) = app.get(&token, &format!("/api/v1/cases/{case}")).await;
        let mut body = json!({ "expected_version": d["case"]["state"]["version"], "event": event });
        if event["event"] == "county_determination" {
            body["category"] = json!("marginal_at_risk");
        }
        let (st, v) = app.post(&token, &format!("/api/v1/cases/{case}/events"), &body).await;
        assert_eq!(st, 200, "{}: {day} {event}: {v}", app.db.name);
    }
}

/// A household 王秀英 reported in October, verified, appraised, reviewed and determined:
/// monitored from 12 November 2025 (staff cadre, township and county exist).
async fn monitored_case(app: &common::TestApp) -> String {
    let household = app.household("13812345678").await;
    let body =
        json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness", "happened_on": "2025-10-01" });
    let case = app.report(&household, "p1", body).await;
    app.staff("cadre", Role::VillageCadre, VILLAGE).await;
    app.staff("township", Role::Township, "530402001000").await;
    app.staff("county", Role::County, "530402000000").await;
    walk(
        app,
        &case,
        &[
            (
                "2025-11-03",
                "cadre",
                json!({ "event": "record_verification", "at_risk": true }),
            ),
            ("2025-11-03", "cadre", json!({ "event": "sign_application" })),
            (
                "2025-11-03",
                "cadre",
                json!({ "event": "record_appraisal", "approved": true }),
            ),
            ("2025-11-11", "cadre", json!({ "event": "close_notice" })),
            (
                "2025-11-11",
                "township",
                json!({ "event": "township_review", "decision": "approve" }),
            ),
            (
                "2025-11-12",
                "county",
                json!({ "event": "county_determination", "decision": "approve", "department_checks_done": true }),
            ),
        ],
    )
    .await;
    case
}

/// 002 四(二)1 "以下4项指标全部达标" (income "稳定超出当年度监测底线"), 004 五(一) "对无劳动
/// 能力的，持续落实社会保障措施，长期跟踪监测": risk elimination is judged from the home
/// check's figures, never from tick boxes, and a household without labour stays monitored
/// in Yunnan as in 内蒙古.
#[tokio::test]
async fn elimination_rests_on_the_home_checks_figures() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let case = monitored_case(&app).await;
        app.set_today("2025-12-02");
        let cadre = app.sign_in("cadre").await;
        let path = format!("/api/v1/cases/{case}/events");
        let start = |visit: Option<Value>| {
            let mut b = json!({ "expected_version": 6, "event": { "event": "start_elimination", "consent": true } });
            if let Some(v) = visit {
                b["visit"] = v;
            }
            b
        };
        let refusal = |(st, v): (u16, Value)| (st, v["code"].as_str().unwrap_or_default().to_string(), v);

        // Ticks alone (the old request) are no evidence.
        let (st, code, v) = refusal(app.post(&cadre, &path, &start(None)).await);
        assert_eq!((st, code.as_str()), (422, "home_check_required"), "{name}: {v}");
        // No assistance measure recorded yet: criterion (1).
        let good = common::home_check(VILLAGE, "2025-12-02", "full", 150_000);
        let (st, code, v) = refusal(app.post(&cadre, &path, &start(Some(good.clone()))).await);
        assert_eq!((st, code.as_str()), (422, "criteria"), "{name}: {v}");
        assert!(
            v["message"]["zh"].as_str().unwrap().contains("未登记针对性帮扶措施"),
            "{name}: {v}"
        );
        walk(
            &app,
            &case,
            &[("2025-12-02", "cadre", json!({ "event": "record_assistance" }))],
        )
        .await;
        let start = |visit: Value| json!({ "expected_version": 7, "event": { "event": "start_elimination", "consent": true }, "visit": visit });
        // 600 a month: 7,200 a year, under the 2025 line of 8,700.
        let poor = common::home_check(VILLAGE, "2025-12-02", "full", 60_000);
        let (st, code, v) = refusal(app.post(&cadre, &path, &start(poor)).await);
        assert_eq!((st, code.as_str()), (422, "criteria"), "{name}: {v}");
        assert!(
            v["message"]["zh"]
                .as_str()
                .unwrap()
                .contains("人均纯收入7200.00元未超出2025年监测底线8700.00元"),
            "{name}: {v}"
        );
        // Income above the line, but no one in the household can work.
        let no_labour = common::home_check(VILLAGE, "2025-12-02", "none", 150_000);
        let (st, code, v) = refusal(app.post(&cadre, &path, &start(no_labour)).await);
        assert_eq!((st, code.as_str()), (422, "no_labour"), "{name}: {v}");
        // Every criterion met: the way out starts, with the check kept in the history.
        let (st, v) = app.post(&cadre, &path, &start(good)).await;
        assert_eq!(st, 200, "{name}: {v}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        let entry = &d["history"].as_array().unwrap().last().unwrap()["entry"];
        assert_eq!(entry["assessment"]["per_capita"], json!(1_800_000), "{name}: {entry}");
        assert_eq!(entry["event"]["event"], "start_elimination");
    }
}

/// The console offers no tick boxes for elimination: it says the home check is recorded
/// on the phone.
#[tokio::test]
async fn the_console_sends_elimination_to_the_home_check() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let case = monitored_case(&app).await;
        let cookie = app.console_cookie("cadre", "password-123").await;
        let page = app.console_page(&cookie, &format!("/console/cases/{case}")).await;
        assert!(page.contains("风险消除须入户核查"), "{name}: {page}");
        assert!(!page.contains("income_stable_above_threshold"), "{name}");
        assert!(
            !page.contains("办理：启动风险消除") && !page.contains("办理：风险消除"),
            "{name}"
        );
    }
}

/// 玉溪 三(三)9 "死亡人员、服刑人员…的人员": a son in prison is left out of the household; the
/// household itself is assessed (not refused), and the reviewer sees who was left out.
#[tokio::test]
async fn a_person_an_exclusion_names_is_left_out_and_the_household_kept() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let body = json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness", "happened_on": "2025-10-01" });
        let case = app.report(&household, "p1", body).await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        // 500 a month: 6,000 a year for one person, under the line of 8,700.
        let mut visit = common::home_check(VILLAGE, "2025-11-03", "full", 50_000);
        let check = visit["exclusion_checks"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|c| c["rule_id"] == "yx-9")
            .unwrap();
        check["applies"] = json!(true);
        check["persons"] = json!(["李强"]);
        let step = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true }, "visit": visit });
        let (status, v) = app.post(&cadre, &format!("/api/v1/cases/{case}/events"), &step).await;
        assert_eq!(status, 200, "{name}: {v}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        let a = &d["history"].as_array().unwrap().last().unwrap()["entry"]["assessment"];
        assert_eq!(
            (a["eligible"].clone(), a["excluded_by"].clone()),
            (json!(true), json!([])),
            "{name}: {a}"
        );
        app.staff("county", Role::County, "530402000000").await;
        let cookie = app.console_cookie("county", "password-123").await;
        let page = app.console_page(&cookie, &format!("/console/cases/{case}")).await;
        assert!(page.contains("不计入本户：李强"), "{name}: {page}");
    }
}

/// 玉溪 三(二) "…的脱贫户全部纳入监测" and 内蒙古 四(一)6 "剔除": what the visit found is
/// enforced on the API, not only advised on the phone.
#[tokio::test]
async fn the_visits_finding_binds_the_api() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let report = json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness", "happened_on": "2025-10-01" });
        let case = app.report(&household, "p1", report).await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        app.staff("township", Role::Township, "530402001000").await;
        app.staff("county", Role::County, "530402000000").await;
        // A formerly poor household on 300 a month: under the 4,000 poverty line.
        let mut visit = common::home_check(VILLAGE, "2025-11-03", "full", 30_000);
        visit["formerly_poor"] = json!(true);
        let path = format!("/api/v1/cases/{case}/events");
        let no_risk = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": false },
                              "visit": visit, "note": "干部认为无风险" });
        let (st, v) = app.post(&cadre, &path, &no_risk).await;
        assert_eq!(
            (st, v["code"].as_str()),
            (422, Some("mandatory_inclusion")),
            "{name}: {v}"
        );
        let mut at_risk = no_risk.clone();
        at_risk["event"]["at_risk"] = json!(true);
        let (st, v) = app.post(&cadre, &path, &at_risk).await;
        assert_eq!(st, 200, "{name}: {v}");
        walk(
            &app,
            &case,
            &[("2025-11-03", "cadre", json!({ "event": "sign_application" }))],
        )
        .await;
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        let refuse = json!({ "expected_version": d["case"]["state"]["version"],
                             "event": { "event": "record_appraisal", "approved": false }, "note": "评议未通过" });
        let (st, v) = app.post(&cadre, &path, &refuse).await;
        assert_eq!(
            (st, v["code"].as_str()),
            (422, Some("mandatory_inclusion")),
            "{name}: {v}"
        );

        // A public servant in the family (玉溪 1, no override): the county cannot approve.
        let neighbour = app.household("13812345679").await;
        let report =
            json!({ "village": VILLAGE, "household_name": "李强", "hardship": "illness", "happened_on": "2025-10-01" });
        let other = app.report(&neighbour, "p2", report).await;
        let mut visit = common::home_check(VILLAGE, "2025-11-03", "full", 30_000);
        for c in visit["exclusion_checks"].as_array_mut().unwrap() {
            if c["rule_id"] == "yx-1" {
                c["applies"] = json!(true);
            }
        }
        let step = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true }, "visit": visit });
        let (st, v) = app.post(&cadre, &format!("/api/v1/cases/{other}/events"), &step).await;
        assert_eq!(st, 200, "{name}: {v}");
        walk(
            &app,
            &other,
            &[
                ("2025-11-03", "cadre", json!({ "event": "sign_application" })),
                (
                    "2025-11-03",
                    "cadre",
                    json!({ "event": "record_appraisal", "approved": true }),
                ),
                ("2025-11-11", "cadre", json!({ "event": "close_notice" })),
                (
                    "2025-11-11",
                    "township",
                    json!({ "event": "township_review", "decision": "approve" }),
                ),
            ],
        )
        .await;
        let county = app.sign_in("county").await;
        let approve = json!({ "expected_version": 5, "category": "marginal_at_risk",
            "event": { "event": "county_determination", "decision": "approve", "department_checks_done": true } });
        let (st, v) = app
            .post(&county, &format!("/api/v1/cases/{other}/events"), &approve)
            .await;
        assert_eq!((st, v["code"].as_str()), (409, Some("excluded")), "{name}: {v}");
        assert!(v["message"]["zh"].as_str().unwrap().contains("yx-1"), "{name}: {v}");
    }
}

/// 003 一(一)4 "采集更新……家庭自然增加及自然减少人口信息": after the verification's visit
/// recorded the household, a birth and a death change who it is, on the case and on
/// the reviewer's page; a name that is not a member is refused.
#[tokio::test]
async fn a_population_change_changes_the_household() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let report = json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness", "happened_on": "2025-10-01" });
        let case = app.report(&household, "p1", report).await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let visit = common::home_check(VILLAGE, "2025-11-03", "full", 50_000);
        let path = format!("/api/v1/cases/{case}/events");
        let step = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true }, "visit": visit });
        let (st, v) = app.post(&cadre, &path, &step).await;
        assert_eq!(st, 200, "{name}: {v}");
        let baby = json!({ "name": "李小宝", "birth_date": "2025-10-20", "labour": "none", "health": "healthy" });
        let wrong = json!({ "expected_version": 1, "note": "出生",
                            "event": { "event": "population_change", "added": [baby], "removed": ["张三"] } });
        let (st, v) = app.post(&cadre, &path, &wrong).await;
        assert_eq!((st, v["code"].as_str()), (409, Some("not_a_member")), "{name}: {v}");
        let born = json!({ "expected_version": 1, "note": "新生儿出生",
                           "event": { "event": "population_change", "added": [baby] } });
        let (st, v) = app.post(&cadre, &path, &born).await;
        assert_eq!(st, 200, "{name}: {v}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(
            d["case"]["state"]["members"],
            json!(["王秀英", "李小宝"]),
            "{name}: {d}"
        );
        app.staff("county", Role::County, "530402000000").await;
        let cookie = app.console_cookie("county", "password-123").await;
        let page = app.console_page(&cookie, &format!("/console/cases/{case}")).await;
        assert!(page.contains("家庭成员（2）：王秀英、李小宝"), "{name}: {page}");
    }
}
