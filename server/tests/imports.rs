//! Finding households early from uploads, on SQLite and PostgreSQL: the register,
//! a department's screening list (XLSX) matched by ID number, and a disaster area
//! (GeoJSON); matches become verification tasks in their villages, other rows are
//! listed with their line and reason.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use reqwest::multipart::{Form, Part};
use zaofaxian_server::store::Store;
use zaofaxian_shared::Role;

const VILLAGE: &str = "530402001001";
const TOWNSHIP: &str = "530402001000";
const COUNTY: &str = "530402000000";

/// Signs in on the console; returns the cookie and the page's form token.
async fn console(app: &TestApp, login: &str) -> (String, String) {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = client
        .post(app.url("/console/login"))
        .form(&[("login", login), ("password", "password-123")])
        .send()
        .await
        .unwrap();
    let cookie = r.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = app.console_page(&cookie, "/console/imports").await;
    let csrf = common::form_token(&page).unwrap_or_default();
    (cookie, csrf)
}

async fn upload(
    app: &TestApp,
    who: &(String, String),
    kind: &str,
    source: &str,
    name: &str,
    bytes: Vec<u8>,
) -> (u16, String) {
    let form = Form::new()
        .text("csrf", who.1.clone())
        .text("kind", kind.to_string())
        .text("source", source.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    let r = app
        .http
        .post(app.url("/console/imports"))
        .header("cookie", &who.0)
        .multipart(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

fn xlsx(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write_string(r as u32, c as u16, *v).unwrap();
        }
    }
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn screening_lists_and_disaster_areas_become_verification_tasks() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        app.staff("county", Role::County, COUNTY).await;
        app.staff("township", Role::Township, TOWNSHIP).await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let county = console(&app, "county").await;
        assert_eq!(county.1.len(), 32, "{name}: the county sees the upload forms");

        // The register: two households with homes, one without, one bad ID number.
        let register = "身份证号,户主姓名,村代码,村民小组,纬度,经度\n\
            11010519491231002X,王秀英,530402001001,3组,24.354,102.543\n\
            530402198001011233,李建国,530402001001,1组,24.454,102.543\n\
            530402195005050017,张老三,530402001002,,,\n\
            110105194912310021,坏号,530402001001,,,\n";
        let (s, page) = upload(&app, &county, "register", "", "农户.csv", register.as_bytes().to_vec()).await;
        assert_eq!(s, 200, "{name}: {page}");
        assert!(
            page.contains("已导入 <strong>3") && page.contains("未导入 <strong>1"),
            "{name}: {page}"
        );
        assert!(page.contains("<td>5</td><td>身份证号有误"), "{name}: {page}");

        // 县医保局's list: one match, one stranger, one bad line.
        let list = xlsx(&[
            &["身份证号", "姓名", "预警事项", "个人自付金额"],
            &["11010519491231002X", "王秀英", "高额医疗自付", "35000"],
            &["44030519900101123X", "外县人", "高额医疗自付", "28000"],
            &["12345", "错号", "", ""],
        ]);
        let (s, page) = upload(&app, &county, "screening", "县医保局", "医保.xlsx", list.clone()).await;
        assert_eq!(s, 200, "{name}: {page}");
        assert!(
            page.contains("新派发核实 <strong>1") && page.contains("未匹配 <strong>1"),
            "{name}: {page}"
        );
        assert!(
            page.contains("440305********123X 未在辖区农户信息中找到"),
            "{name}: masked: {page}"
        );
        assert!(page.contains("<td>4</td><td>身份证号有误"), "{name}: {page}");
        // The same list again opens nothing twice.
        let (_, page) = upload(&app, &county, "screening", "县医保局", "医保.xlsx", list).await;
        assert!(
            page.contains("新派发核实 <strong>0") && page.contains("已有在办案件"),
            "{name}: {page}"
        );

        // The village sees the clue with its verification deadline, channel and finding.
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(q["count"], 1, "{name}: {q}");
        assert_eq!(q["items"][0]["channel"], "department_screening");
        assert_eq!(q["items"][0]["due"], "2025-11-10", "5 working days");
        let id = q["items"][0]["case_id"].as_str().unwrap().to_string();
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{id}")).await;
        assert!(
            d["history"][0]["entry"]["note"]
                .as_str()
                .unwrap()
                .contains("个人自付金额：35000"),
            "{d}"
        );

        // A flood area covering 王秀英's home but not 李建国's: she already has a case,
        // so nothing new; a second area over 李建国 opens his.
        let area = |lat: f64| {
            format!(
                r#"{{"type":"Polygon","coordinates":[[[102.5,{a}],[102.6,{a}],[102.6,{b}],[102.5,{b}],[102.5,{a}]]]}}"#,
                a = lat - 0.02,
                b = lat + 0.02
            )
        };
        let (s, page) = upload(
            &app,
            &county,
            "disaster",
            "11月3日山洪",
            "area.geojson",
            area(24.354).into_bytes(),
        )
        .await;
        assert_eq!(s, 200, "{name}: {page}");
        assert!(
            page.contains("区域内新派发核实 <strong>0") && page.contains("区域内已有在办 <strong>1"),
            "{name}: {page}"
        );
        assert!(
            page.contains("无位置信息的农户（未能判断） <strong>1"),
            "{name}: {page}"
        );
        let (_, page) = upload(
            &app,
            &county,
            "disaster",
            "11月3日山洪",
            "area.geojson",
            area(24.454).into_bytes(),
        )
        .await;
        assert!(
            page.contains("区域内新派发核实 <strong>1") && page.contains("李建国"),
            "{name}: {page}"
        );
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(q["count"], 2, "{name}");

        // The same household twice in one list: one case, the second row says so.
        let twice = "身份证号,姓名\n530402195005050017,张老三\n530402195005050017,张老三\n";
        let (s, page) = upload(
            &app,
            &county,
            "screening",
            "县民政局",
            "低收入.csv",
            twice.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(s, 200, "{name}: {page}");
        assert!(
            page.contains("新派发核实 <strong>1") && page.contains("<td>3</td><td>张老三"),
            "{name}: {page}"
        );

        // Not GeoJSON: refused in words, nothing opened.
        let (s, page) = upload(&app, &county, "disaster", "x", "a.geojson", b"{}".to_vec()).await;
        assert_eq!(s, 422);
        assert!(page.contains("不是有效的GeoJSON面"), "{page}");

        // A 6 KB spreadsheet with cells at A1 and XFD1048576 (once enough to make the
        // server allocate 550 GB and abort) is refused in words; the server goes on.
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "身份证号").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let bomb = book.save_to_buffer().unwrap();
        let (s, page) = upload(&app, &county, "register", "", "炸弹.xlsx", bomb).await;
        assert_eq!(s, 422, "{name}: {page}");
        assert!(page.contains("表格超过256列"), "{name}: {page}");
        // A source name with a right-to-left override is refused before anything is read.
        let (s, _) = upload(&app, &county, "screening", "医保\u{202e}局", "a.csv", b"x".to_vec()).await;
        assert_eq!(s, 422, "{name}");
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(q["count"], 2, "{name}: still answering, nothing opened");

        // A township imports its register but cannot dispatch screening; a forged form is refused.
        let township = console(&app, "township").await;
        let (s, _) = upload(&app, &township, "screening", "x", "a.csv", b"sfz\n".to_vec()).await;
        assert_eq!(s, 403, "{name}");
        let (s, _) = upload(
            &app,
            &(county.0.clone(), "0".repeat(32)),
            "register",
            "",
            "a.csv",
            register.as_bytes().to_vec(),
        )
        .await;
        assert_eq!(s, 403, "{name}: no form token, no import");
    }
}

/// A township could re-import another township's households: the row moved, was
/// renamed and lost its location. Now such a row is refused and the entry stays.
#[tokio::test]
async fn a_township_cannot_move_another_townships_household() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        app.staff("t1", Role::Township, "530402001000").await;
        app.staff("t2", Role::Township, "530402002000").await;
        let t1 = console(&app, "t1").await;
        let t2 = console(&app, "t2").await;
        let mine =
            "身份证号,户主姓名,村代码,村民小组,纬度,经度\n11010519491231002X,王秀英,530402001001,3组,24.354,102.543\n";
        let (s, _) = upload(&app, &t1, "register", "", "a.csv", mine.as_bytes().to_vec()).await;
        assert_eq!(s, 200, "{name}");
        let theirs =
            "身份证号,户主姓名,村代码\n110105195001010039,李四,530402002001\n11010519491231002X,冒名,530402002001\n";
        let (s, page) = upload(&app, &t2, "register", "", "b.csv", theirs.as_bytes().to_vec()).await;
        assert_eq!(s, 200, "{name}");
        assert!(
            page.contains("<td>3</td><td>110105********002X 已登记在其他乡镇或县"),
            "{name}: {page}"
        );
        let kept = app.db.store.household("11010519491231002X").await.unwrap().unwrap();
        assert_eq!(
            (kept.name.as_str(), kept.village.to_string().as_str()),
            ("王秀英", "530402001001")
        );
        assert!(kept.location.is_some(), "{name}: the location is kept");
        assert!(
            app.db.store.household("110105195001010039").await.unwrap().is_some(),
            "its own row is imported"
        );
    }
}
