//! The staff console in a real browser (headless Chromium through ChromeDriver)
//! against a real server: a self-report walked through village verification,
//! appraisal, the printed notice, township review and county determination; the
//! exported XLSX reopened; who may do what checked on the pages.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;
use std::process::{Child, Command, Stdio};
use zaofaxian_shared::{RecordId, Role};

const VILLAGE: &str = "530402001001";
const TOWNSHIP: &str = "530402001000";
const OTHER_TOWNSHIP: &str = "530402002000";
const COUNTY: &str = "530402000000";
const FULL_ID: &str = "11010519491231002X";

struct Browser {
    driver: Child,
    client: Client,
}

impl Browser {
    async fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (scripts/test.sh installs chromium-driver)");
        let dir = tempfile::tempdir().unwrap().keep();
        let caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                // The closed network refuses Chromium's background connections: turn them off.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         "--window-size=1200,900", format!("--user-data-dir={}", dir.display())]
            }
        });
        let caps: fantoccini::wd::Capabilities = caps.as_object().unwrap().clone();
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let mut last = None;
        for _ in 0..50 {
            match ClientBuilder::new(connector.clone())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => return Browser { driver, client },
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        }
        panic!("no browser session: {last:?}");
    }

    async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }

    async fn sign_in(&self, app: &TestApp, login: &str) {
        let c = &self.client;
        c.goto(&app.url("/console/login")).await.unwrap();
        let form = c.form(Locator::Css("form")).await.unwrap();
        form.set_by_name("login", login).await.unwrap();
        form.set_by_name("password", "password-123").await.unwrap();
        self.navigating(form.submit()).await;
        let text = self.text().await;
        assert!(text.contains("待办看板"), "{login} did not reach the board: {text}");
    }

    async fn sign_out(&self) {
        let button = self.client.find(Locator::Css("header button")).await.unwrap();
        self.navigating(button.click()).await;
    }

    /// Runs an action that loads a new page and waits until the old one is gone, so
    /// what is read next is the answer, not the page the form was on.
    async fn navigating<T, E: std::fmt::Debug>(&self, action: impl std::future::Future<Output = Result<T, E>>) {
        let old = self.client.find(Locator::Css("html")).await.unwrap();
        action.await.unwrap();
        for _ in 0..200 {
            if old.tag_name().await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the page did not change");
    }

    async fn goto(&self, app: &TestApp, path: &str) {
        self.client.goto(&app.url(path)).await.unwrap();
    }

    async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    }

    /// Fills and submits the form of one step on a case page; returns the page text after.
    async fn step(&self, event: &str, fields: &[(&str, &str)], checks: &[&str]) -> String {
        let sel = format!("form.action:has(input[name=event][value={event}])");
        let form = match self.client.form(Locator::Css(&sel)).await {
            Ok(f) => f,
            Err(e) => panic!("no form for {event}: {e}\n{}", self.text().await),
        };
        for (k, v) in fields {
            form.set_by_name(k, v).await.unwrap();
        }
        for c in checks {
            self.client
                .find(Locator::Css(&format!("{sel} input[name={c}]")))
                .await
                .unwrap()
                .click()
                .await
                .unwrap();
        }
        let button = self
            .client
            .find(Locator::Css(&format!("{sel} button[type=submit]")))
            .await
            .unwrap();
        self.navigating(button.click()).await;
        self.text().await
    }

    async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/screenshots");
        let dir = std::env::var("CARGO_TARGET_DIR")
            .map(|d| std::path::PathBuf::from(d).join("screenshots"))
            .unwrap_or(dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
    }
}

/// A client that shows redirects instead of following them (to see where a page sends).
fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn self_report(app: &TestApp, name: &str, id: &str) -> String {
    let household = app.household("13812345678").await;
    let rid = RecordId::new();
    let record = json!({ "id": rid.to_string(), "seq": 1, "kind": "report", "body": {
        "village": VILLAGE, "household_name": name, "national_id": id, "phone": "13812345678",
        "hardship": "illness", "happened_on": "2025-09-20", "amount": 1_200_000, "description": "住院手术" } });
    let (s, v) = app
        .post(
            &household,
            "/api/v1/sync/push",
            &json!({ "device_id": "p1", "records": [record] }),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    rid.to_string()
}

#[tokio::test]
async fn a_self_report_walks_to_determination_through_the_console() {
    let app = TestApp::start(common::sqlite().await, "2025-11-03").await;
    let case = self_report(&app, "王秀英", FULL_ID).await;
    for (login, role, division) in [
        ("cadre", Role::VillageCadre, VILLAGE),
        ("township", Role::Township, TOWNSHIP),
        ("county", Role::County, COUNTY),
    ] {
        app.staff(login, role, division).await;
    }
    let b = Browser::start().await;

    // The village's board: the case, its masked ID and the verification deadline.
    b.sign_in(&app, "cadre").await;
    let board = b.text().await;
    assert!(
        board.contains("王秀英") && board.contains("110105********002X"),
        "{board}"
    );
    assert!(!board.contains(FULL_ID), "the board masks ID numbers");
    assert!(
        board.contains("待入户核实") && board.contains("入户核实期限"),
        "{board}"
    );
    b.screenshot("console-board.png").await;
    // The same board on a phone-sized window.
    b.client.set_window_size(390, 844).await.unwrap();
    b.screenshot("console-board-phone.png").await;
    b.client.set_window_size(1200, 900).await.unwrap();

    let link = b.client.find(Locator::LinkText("王秀英")).await.unwrap();
    b.navigating(link.click()).await;
    let page = b.text().await;
    assert!(page.contains("办理过程") && page.contains("提交申报"), "{page}");
    // A cadre is offered the village's steps only.
    assert!(
        page.contains("办理：入户核实") && !page.contains("县级联审确定"),
        "{page}"
    );
    let page = b
        .step(
            "record_verification",
            &[("at_risk", "true"), ("note", "入户核实属实")],
            &[],
        )
        .await;
    assert!(page.contains("已办理：入户核实"), "{page}");
    b.step("sign_application", &[("note", "户主签字")], &[]).await;
    // The appraisal needs its record: refused without attendees, in words.
    let page = b
        .step(
            "record_appraisal",
            &[
                ("approved", "true"),
                ("attendees", "村两委5人、村民代表12人"),
                ("opinions", "一致同意纳入"),
            ],
            &[],
        )
        .await;
    assert!(
        page.contains("已办理：村级民主评议") && page.contains("公示中"),
        "{page}"
    );
    assert!(
        page.contains("参会人员：村两委5人"),
        "the timeline keeps the record: {page}"
    );
    b.screenshot("console-case.png").await;

    // The printed notice: names and masked ID numbers, posting and end dates.
    b.goto(&app, &format!("/console/notice?division={VILLAGE}")).await;
    let notice = b.text().await;
    assert!(
        notice.contains("拟纳入名单公示") && notice.contains("王秀英"),
        "{notice}"
    );
    assert!(
        notice.contains("110105********002X") && !notice.contains(FULL_ID),
        "{notice}"
    );
    assert!(
        notice.contains("2025-11-03") && notice.contains("2025-11-10"),
        "5 working days from 11-03: {notice}"
    );
    b.screenshot("console-notice.png").await;

    // Closing the notice early is refused with the reason; after the end date it works.
    b.goto(&app, &format!("/console/cases/{case}")).await;
    let page = b.step("close_notice", &[], &[]).await;
    assert!(page.contains("公示期至2025-11-10结束"), "{page}");
    app.set_today("2025-11-11");
    // Staff sessions last a working day: a new day, a new sign-in.
    b.goto(&app, &format!("/console/cases/{case}")).await;
    assert!(
        b.text().await.contains("工作人员登录"),
        "an expired session is sent to sign in"
    );
    b.sign_in(&app, "cadre").await;
    b.goto(&app, &format!("/console/cases/{case}")).await;
    let page = b.step("close_notice", &[], &[]).await;
    assert!(page.contains("待乡镇审核"), "{page}");
    b.sign_out().await;

    b.sign_in(&app, "township").await;
    b.goto(&app, &format!("/console/cases/{case}")).await;
    let page = b
        .step("township_review", &[("decision", "approve"), ("note", "材料齐全")], &[])
        .await;
    assert!(page.contains("待县级联审确定"), "{page}");
    b.sign_out().await;

    b.sign_in(&app, "county").await;
    b.goto(&app, &format!("/console/cases/{case}")).await;
    // Without every department's check the county cannot determine.
    let page = b
        .step("county_determination", &[("decision", "approve")], &["check_hukou"])
        .await;
    assert!(page.contains("部门联审比对"), "{page}");
    // 004 三(六): the nine items, every one.
    let all: Vec<String> = zaofaxian_shared::joint_review::JOINT_CHECKS
        .iter()
        .map(|c| format!("check_{}", c.key))
        .collect();
    let all: Vec<&str> = all.iter().map(String::as_str).collect();
    assert!(page.contains("家庭成员关系") && page.contains("外出务工"), "{page}");
    let page = b.step("county_determination", &[("decision", "approve")], &all).await;
    assert!(
        page.contains("已办理：县级联审确定") && page.contains("监测帮扶中"),
        "{page}"
    );
    assert!(page.contains("记录完整"), "the hash chain verifies: {page}");

    // The export reopens with the right rows (the session cookie, fetched as a browser would).
    let cookie = b.client.get_named_cookie("zfx_session").await.unwrap();
    let session = cookie.value().to_string();
    let rows = app
        .sheets(
            &format!("zfx_session={session}"),
            &format!("/console/export/cases.xlsx?division={COUNTY}"),
            &["案件清单"],
        )
        .await
        .remove(0);
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][1], "户主");
    assert_eq!(
        (
            rows[1][0].as_str(),
            rows[1][1].as_str(),
            rows[1][2].as_str(),
            rows[1][4].as_str()
        ),
        (case.as_str(), "王秀英", "110105********002X", "监测帮扶中")
    );

    // The monthly report (鹤庆's sheets): verified by the township in November, so listed
    // as 致贫预警 (not formerly poor), with the full ID (it goes to the county office) and
    // the county's own name; 红塔区's policy sets no report day, and the sheet says so.
    // October had nothing new: a zero report.
    let monthly = |month: &'static str| {
        let (app, session) = (&app, session.clone());
        async move {
            let path = format!("/console/export/monthly.xlsx?division={COUNTY}&month={month}");
            app.sheets(
                &format!("zfx_session={session}"),
                &path,
                &["返贫预警情况统计表", "致贫预警情况统计表", "预警解除登记表"],
            )
            .await
        }
    };
    let nov = monthly("2025-11").await;
    assert!(nov[1][1][0].contains("本地区政策未规定月报报送日"), "{:?}", nov[1]);
    assert!(
        nov[1][0][0].starts_with("红塔区") && !nov[1][0][0].contains("鹤庆"),
        "{:?}",
        nov[1]
    );
    assert_eq!(nov[1].len(), 5, "title, meta, blank, header, one row: {:?}", nov[1]);
    assert_eq!(nov[1][3][5..7], ["风险原因".to_string(), "拟实施帮扶措施".to_string()]);
    assert_eq!(
        (nov[1][4][2].as_str(), nov[1][4][3].as_str(), nov[1][4][8].as_str()),
        ("王秀英", "11010519491231002X", "2025-11-11")
    );
    assert_eq!(nov[0].len(), 4, "no 返贫 rows: {:?}", nov[0]);
    let oct = monthly("2025-10").await;
    assert_eq!(oct[0][4][0], "本月无新增，零报告");
    assert_eq!(oct[1][4][0], "本月无新增，零报告");
    b.sign_out().await;

    // One elimination, the way out: an assistance measure recorded in the console, the
    // phone's home check in December (not the month of identification), the appraisal,
    // and the notice that says what it is (issue 14, point 6).
    b.sign_in(&app, "cadre").await;
    b.goto(&app, &format!("/console/cases/{case}")).await;
    let page = b
        .step(
            "record_assistance",
            &[("responsible", "李村长"), ("note", "申请临时救助")],
            &[],
        )
        .await;
    assert!(page.contains("已办理：落实帮扶措施"), "{page}");
    assert!(
        page.contains("风险消除须入户核查"),
        "no tick boxes stand in for the check: {page}"
    );
    app.set_today("2025-12-02");
    let token = app.sign_in("cadre").await;
    let (_, d) = app.get(&token, &format!("/api/v1/cases/{case}")).await;
    let check = json!({ "expected_version": d["case"]["state"]["version"],
                        "event": { "event": "start_elimination", "consent": true },
                        "visit": common::home_check(VILLAGE, "2025-12-02", "full", 150_000) });
    let (st, v) = app.post(&token, &format!("/api/v1/cases/{case}/events"), &check).await;
    assert_eq!(st, 200, "{v}");
    b.sign_in(&app, "cadre").await;
    b.goto(&app, &format!("/console/cases/{case}")).await;
    let page = b
        .step(
            "record_appraisal",
            &[
                ("approved", "true"),
                ("attendees", "村两委5人、村民代表11人"),
                ("opinions", "同意标注风险消除"),
            ],
            &[],
        )
        .await;
    assert!(page.contains("公示中"), "{page}");
    b.goto(&app, &format!("/console/notice?notice=elimination&division={VILLAGE}"))
        .await;
    let notice = b.text().await;
    assert!(
        notice.contains("拟标注风险消除名单公示") && !notice.contains("拟纳入名单公示"),
        "{notice}"
    );
    assert!(
        notice.contains("王秀英") && notice.contains("110105********002X") && notice.contains("12317"),
        "{notice}"
    );
    b.screenshot("console-elimination-notice.png").await;

    // One refused household: "no risk" needs the reason the household is told (内蒙古
    // 四(一)7), and the case then shows it, as the household's own view does.
    let neighbour = app.household("13812345679").await;
    let report =
        json!({ "village": VILLAGE, "household_name": "李强", "hardship": "job_loss", "happened_on": "2025-11-20" });
    let refused = app.report(&neighbour, "p2", report).await;
    b.goto(&app, &format!("/console/cases/{refused}")).await;
    let page = b.step("record_verification", &[("at_risk", "false")], &[]).await;
    assert!(page.contains("须写明原因"), "{page}");
    let page = b
        .step(
            "record_verification",
            &[("at_risk", "false"), ("note", "已在县城稳定就业，月收入4000元")],
            &[],
        )
        .await;
    assert!(
        page.contains("原因（已反馈农户）：") && page.contains("已在县城稳定就业，月收入4000元"),
        "{page}"
    );
    let (_, mine) = app.get(&neighbour, &format!("/api/v1/cases/{refused}")).await;
    assert_eq!(
        mine["case"]["state"]["reason"], "已在县城稳定就业，月收入4000元",
        "{mine}"
    );
    b.stop().await;
}

/// Who may do what, on the console's own pages (a browser is not needed to send a form).
#[tokio::test]
async fn console_pages_keep_to_each_role_and_area() {
    let app = TestApp::start(common::sqlite().await, "2025-11-03").await;
    let case = self_report(&app, "李建国", "530402198001011233").await;
    let login = |login: &'static str| {
        let app = &app;
        async move {
            let r = no_redirects()
                .post(app.url("/console/login"))
                .form(&[("login", login), ("password", "password-123")])
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 303, "{login}");
            let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
            assert!(
                cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
                "{cookie}"
            );
            cookie.split(';').next().unwrap().to_string()
        }
    };
    app.staff("cadre", Role::VillageCadre, VILLAGE).await;
    app.staff("other-township", Role::Township, OTHER_TOWNSHIP).await;
    let get = |cookie: String, path: String| {
        let app = &app;
        async move {
            let r = app
                .http
                .get(app.url(&path))
                .header("cookie", cookie)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    // No session: sent to sign in.
    let r = no_redirects().get(app.url("/console/board")).send().await.unwrap();
    assert_eq!(
        (r.status().as_u16(), r.headers()["location"].to_str().unwrap()),
        (303, "/console/login")
    );
    // A household's app token does not open the console.
    let household = app.household("13812345678").await;
    let (s, _) = get(format!("zfx_session={household}"), "/console/board".into()).await;
    assert_eq!(s, 200, "the login page");

    let other = login("other-township").await;
    let (s, body) = get(other.clone(), format!("/console/cases/{case}")).await;
    assert_eq!(s, 404, "another township's case does not exist for it: {body}");
    let (s, _) = get(other.clone(), format!("/console/board?division={VILLAGE}")).await;
    assert_eq!(s, 403);
    let (s, _) = get(other.clone(), format!("/console/export/cases.csv?division={VILLAGE}")).await;
    assert_eq!(s, 403);

    // A village cadre is not offered the county's step, and a forged one is refused.
    let cadre = login("cadre").await;
    let (s, page) = get(cadre.clone(), format!("/console/cases/{case}")).await;
    assert_eq!(s, 200);
    assert!(!page.contains("value=\"county_determination\""));
    let csrf = common::form_token(&page).unwrap();
    let post = |cookie: String, form: Vec<(&'static str, String)>| {
        let app = &app;
        let case = case.clone();
        async move {
            let r = app
                .http
                .post(app.url(&format!("/console/cases/{case}")))
                .header("cookie", cookie)
                .form(&form)
                .send()
                .await
                .unwrap();
            (r.status().as_u16(), r.text().await.unwrap())
        }
    };
    let forged = vec![
        ("csrf", csrf.clone()),
        ("event", "county_determination".to_string()),
        ("version", "0".to_string()),
        ("decision", "approve".to_string()),
    ];
    let (s, body) = post(cadre.clone(), forged).await;
    assert_eq!(s, 403, "{body}");
    assert!(body.contains("村干部无权执行此操作"), "{body}");
    // English on request: the switch sets a cookie, pages follow it.
    let r = no_redirects()
        .get(app.url("/console/lang/en"))
        .header("cookie", cadre.clone())
        .send()
        .await
        .unwrap();
    assert!(r.headers()["set-cookie"].to_str().unwrap().starts_with("zfx_lang=en"));
    let (_, en) = get(format!("{cadre}; zfx_lang=en"), format!("/console/cases/{case}")).await;
    assert!(
        en.contains("Stage: ") && en.contains("awaiting home verification") && en.contains("Record: home verification"),
        "{en}"
    );
    let (_, zh) = get(cadre.clone(), "/console/board".into()).await;
    assert!(
        zh.contains("待办看板") && zh.contains("English"),
        "Chinese unless asked"
    );

    // Another township cannot act on this case either: it does not exist for it.
    let (_, other_page) = get(other.clone(), "/console/board".into()).await;
    let other_csrf = common::form_token(&other_page).unwrap();
    let forged = vec![
        ("csrf", other_csrf),
        ("event", "township_review".to_string()),
        ("version", "0".to_string()),
        ("decision", "approve".to_string()),
    ];
    let (s, _) = post(other.clone(), forged).await;
    assert_eq!(s, 404, "another township's case");

    // Without the form token nothing happens, even for an allowed step.
    let no_token = vec![
        ("csrf", "0".repeat(32)),
        ("event", "record_verification".to_string()),
        ("version", "0".to_string()),
        ("at_risk", "true".to_string()),
    ];
    let (s, _) = post(cadre.clone(), no_token).await;
    assert_eq!(s, 403);
    let (_, page) = get(cadre.clone(), format!("/console/cases/{case}")).await;
    assert!(page.contains("待入户核实"), "nothing changed");
    // Signing out ends the session on the server too.
    let (s, _) = {
        let r = no_redirects()
            .post(app.url("/console/logout"))
            .header("cookie", cadre.clone())
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), ())
    };
    assert_eq!(s, 303);
    let token = cadre.trim_start_matches("zfx_session=");
    let (s, _) = app.get(token, "/api/v1/me").await;
    assert_eq!(s, 401, "the token no longer works anywhere");
}

/// An administrator loads next year's holiday schedule the way an officer would, in
/// the browser: the warning, the file chosen in the upload form, the summary after.
#[tokio::test]
async fn an_administrator_uploads_next_years_schedule_in_the_browser() {
    let app = TestApp::start(common::sqlite().await, "2026-12-28").await;
    let case = self_report(&app, "王秀英", FULL_ID).await;
    app.staff("admin", Role::Admin, "530000000000").await;
    let file = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
    std::fs::write(
        file.path(),
        include_str!("data/TEST_ONLY_not_published_holidays_2027.csv"),
    )
    .unwrap();

    let b = Browser::start().await;
    b.goto(&app, "/console/login").await;
    let form = b.client.form(Locator::Css("form")).await.unwrap();
    form.set_by_name("login", "admin").await.unwrap();
    form.set_by_name("password", "password-123").await.unwrap();
    b.navigating(form.submit()).await;
    b.goto(&app, "/console/policy").await;
    let text = b.text().await;
    assert!(text.contains("尚未导入2027年节假日安排"), "{text}");
    assert!(text.contains("2026") && text.contains("随程序发布"), "{text}");
    let sel = "form[action='/console/policy/calendar']";
    b.client
        .find(Locator::Css(&format!("{sel} input[name=source]")))
        .await
        .unwrap()
        .send_keys("TEST ONLY 测试用")
        .await
        .unwrap();
    b.client
        .find(Locator::Css(&format!("{sel} input[type=file]")))
        .await
        .unwrap()
        .send_keys(&file.path().display().to_string())
        .await
        .unwrap();
    let button = b.client.find(Locator::Css(&format!("{sel} button"))).await.unwrap();
    b.navigating(button.click()).await;
    let text = b.text().await;
    b.screenshot("policy_upload.png").await;
    assert!(text.contains("已导入"), "{text}");
    assert!(text.contains("2027年：导入前 无数据"), "{text}");
    assert!(text.contains("重新计算期限：1件案件变更"), "{text}");
    assert!(
        !text.contains("尚未导入2027年节假日安排"),
        "the warning is gone: {text}"
    );
    assert!(text.contains("TEST ONLY 测试用"), "the source is listed: {text}");
    b.stop().await;
    let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
    let (_, v) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
    assert_eq!(v["case"]["state"]["deadline"]["due"], "2027-01-07", "{v}");
}
