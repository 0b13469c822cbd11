//! The field app as a web app in headless Chromium at phone size (390×844, touch,
//! an Android user agent) against the real server binary: a household signs in by
//! code, takes a photo through the file input with the GPS granted (CDP override),
//! goes offline (CDP, and the server is killed), reports, reloads the page — the
//! service worker starts the app and the report still waits in the outbox on OPFS —
//! then comes back online: exactly one case on the server, its photo byte-identical
//! to the one the app kept, the location on the case and the deadline on the
//! village's queue.
//!
//! Needs the built app (`scripts/build-web.sh`, which the test command runs) in
//! `ZAOFAXIAN_WEB_APP_DIR`; without it the test says so and passes, unless
//! `ZAOFAXIAN_REQUIRE_WEB_APP` is set (as in the test command).

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use zaofaxian_e2e::server_process::{ServerProcess, last_code};
use zaofaxian_server::store::{CaseFilter, Scope, Store};
use zaofaxian_shared::Role;
use zaofaxian_shared::wire::{LoginRequest, QueueAnswer, SessionAnswer};

const VILLAGE: &str = "530402001001";
const PHONE: &str = "13900000001";
const MASKED: &str = "139****0001";
const AT: (f64, f64, f64) = (24.35412, 102.5431, 12.0);
/// The sync line while records wait: before a pass, or after one that found no signal.
const WAITING: [&str; 2] = ["等待上传：2条", "2条将自动重试"];

/// A Chrome DevTools command through ChromeDriver (`goog/cdp/execute`).
#[derive(Debug)]
struct Cdp(&'static str, Value);

impl WebDriverCompatibleCommand for Cdp {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/goog/cdp/execute", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.0, "params": self.1 });
        (http::Method::POST, Some(body.to_string()))
    }
}

struct Phone {
    driver: Child,
    client: Client,
}

impl Phone {
    async fn start() -> Phone {
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
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", dir.display())],
                "mobileEmulation": {
                    "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0, "touch": true },
                    "userAgent": "Mozilla/5.0 (Linux; Android 14; Redmi Note 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
                }
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
                Ok(client) => return Phone { driver, client },
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        panic!("no browser session: {last:?}");
    }

    async fn cdp(&self, cmd: &'static str, params: Value) {
        self.client
            .issue_cmd(Cdp(cmd, params))
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    }

    async fn offline(&self, offline: bool) {
        let conditions = json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 });
        self.cdp("Network.enable", json!({})).await;
        self.cdp("Network.emulateNetworkConditions", conditions).await;
    }

    async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits (up to `secs`) until the page shows `what`.
    async fn wait_for(&self, what: &str, secs: u64) -> String {
        self.wait_for_any(&[what], secs).await
    }

    async fn wait_for_any(&self, what: &[&str], secs: u64) -> String {
        let mut text = String::new();
        for _ in 0..secs * 10 {
            text = self.text().await;
            if what.iter().any(|w| text.contains(w)) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the page never showed {what:?}; it shows: {text}");
    }

    async fn click_text(&self, css: &str, label: &str) {
        for _ in 0..50 {
            for el in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
                if el.text().await.unwrap_or_default().contains(label) && el.click().await.is_ok() {
                    return;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "no {css} reading {label:?} to press; the page shows: {}",
            self.text().await
        );
    }

    async fn type_into(&self, css: &str, text: &str) {
        let el = self.client.wait().for_element(Locator::Css(css)).await.unwrap();
        el.send_keys(text).await.unwrap();
    }

    /// Once the service worker controls the page, a reload with no network starts the
    /// app from its cache (on the very first visit it may not control the page yet).
    async fn wait_for_service_worker(&self) {
        for _ in 0..100 {
            let controlled = self
                .client
                .execute_async(
                    "const done = arguments[arguments.length - 1];
                     navigator.serviceWorker.ready.then(() => done(!!navigator.serviceWorker.controller));",
                    vec![],
                )
                .await
                .unwrap();
            if controlled == json!(true) {
                return;
            }
            self.client.refresh().await.unwrap();
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        panic!("the service worker never took control of the page");
    }

    /// The photos the app keeps on OPFS, as (name, bytes).
    async fn kept_photos(&self) -> Vec<(String, Vec<u8>)> {
        let v = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 (async () => {
                   const root = await navigator.storage.getDirectory();
                   const dir = await root.getDirectoryHandle('photos', { create: true });
                   const out = [];
                   for await (const [name, h] of dir.entries()) {
                     const bytes = new Uint8Array(await (await h.getFile()).arrayBuffer());
                     out.push([name, Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')]);
                   }
                   return out;
                 })().then(done, (e) => done('error: ' + e));",
                vec![],
            )
            .await
            .unwrap();
        let list = v.as_array().unwrap_or_else(|| panic!("{v}"));
        list.iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_string(),
                    hex::decode(p[1].as_str().unwrap()).unwrap(),
                )
            })
            .collect()
    }

    async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

fn web_app_dir() -> Option<PathBuf> {
    let dir = std::env::var("ZAOFAXIAN_WEB_APP_DIR").ok().map(PathBuf::from);
    let built = dir.filter(|d| d.join("index.html").is_file() && d.join("zaofaxian_app_bg.wasm").is_file());
    if built.is_none() {
        assert!(
            std::env::var("ZAOFAXIAN_REQUIRE_WEB_APP").is_err(),
            "ZAOFAXIAN_REQUIRE_WEB_APP is set but ZAOFAXIAN_WEB_APP_DIR holds no built app (scripts/build-web.sh)"
        );
        eprintln!("web app not built: run scripts/build-web.sh and set ZAOFAXIAN_WEB_APP_DIR to test it");
    }
    built
}

/// A 2000×1500 camera-like JPEG.
fn camera_photo(dir: &Path) -> PathBuf {
    let img = image::RgbImage::from_fn(2000, 1500, |x, y| {
        image::Rgb([(x / 8) as u8, (y / 6) as u8, ((x ^ y) & 0xff) as u8])
    });
    let path = dir.join("IMG_20261201_101500.jpg");
    img.save(&path).unwrap();
    path
}

fn all_cases() -> CaseFilter {
    CaseFilter {
        scope: Scope::All,
        stage: None,
        open_only: false,
    }
}

async fn queue_of_village(base: &str, login: &str) -> QueueAnswer {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let body = LoginRequest {
        login: login.into(),
        password: "password-123".into(),
    };
    let session: SessionAnswer = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    http.get(format!("{base}/api/v1/queue"))
        .bearer_auth(session.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_household_reports_offline_from_the_phone_browser_and_it_arrives_once_with_its_photo() {
    let Some(app_dir) = web_app_dir() else { return };
    let db = common::sqlite().await;
    let store = db.store.clone();
    zaofaxian_server::accounts::import_divisions(store.as_ref(), common::SAMPLE_DIVISIONS, |_| {})
        .await
        .unwrap();
    zaofaxian_server::accounts::create_staff(
        store.as_ref(),
        "cadre",
        "村干部",
        Role::VillageCadre,
        VILLAGE.parse().unwrap(),
        "password-123",
    )
    .await
    .unwrap();
    let work = tempfile::tempdir().unwrap();
    let (photo_dir, log) = (work.path().join("photos"), work.path().join("server.log"));
    let exe = Path::new(env!("CARGO_BIN_EXE_zaofaxian-server-under-test"));
    let mut server = ServerProcess::new(exe, &db.url, &photo_dir, &log).unwrap();
    server
        .env
        .push(("ZAOFAXIAN_WEB_APP_DIR".into(), app_dir.display().to_string()));
    server.start().unwrap();
    let base = format!("http://{}", server.addr);
    let picture = camera_photo(work.path());

    let phone = Phone::start().await;
    phone
        .cdp(
            "Browser.grantPermissions",
            json!({ "permissions": ["geolocation"], "origin": base }),
        )
        .await;
    phone
        .cdp(
            "Emulation.setGeolocationOverride",
            json!({ "latitude": AT.0, "longitude": AT.1, "accuracy": AT.2 }),
        )
        .await;
    // The notice-board poster's link: the village comes with it.
    phone
        .client
        .goto(&format!("{base}/app/?village={VILLAGE}"))
        .await
        .unwrap();
    phone.wait_for("获取验证码", 60).await;
    phone.wait_for_service_worker().await;
    phone.wait_for("获取验证码", 60).await;

    // Sign in by texted code (the server's log sender is the household's inbox).
    phone.type_into("input[type=tel]", PHONE).await;
    phone.click_text("button", "获取验证码").await;
    let mut code = None;
    for _ in 0..100 {
        code = last_code(&log, MASKED);
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    phone.type_into("input[maxlength='6']", &code.unwrap()).await;
    phone.click_text("button.primary", "登录").await;
    phone.wait_for("发生了什么困难", 30).await;

    // No signal: the browser offline, and the server gone too.
    phone.offline(true).await;
    server.kill();
    phone.click_text(".report button", "因病").await;
    phone.wait_for("什么时候发生的", 10).await;
    phone.click_text(".report .choices button", "今天").await;
    phone.click_text(".report button.primary", "下一步").await;
    phone.wait_for("户主姓名", 10).await;
    phone.type_into(".report input.big", "王秀英").await;
    let file = phone.client.find(Locator::Css("input[type=file]")).await.unwrap();
    file.send_keys(&picture.display().to_string()).await.unwrap();
    phone.wait_for("照片1 ·", 60).await;
    phone.click_text(".report button.primary", "下一步").await;
    phone.wait_for("请确认", 10).await;
    phone.click_text(".report button.primary", "提交").await;
    phone.wait_for("已保存", 20).await;
    phone.wait_for_any(&WAITING, 20).await;

    // Reload with no network: the service worker starts the app, the outbox is on OPFS.
    phone.client.refresh().await.unwrap();
    let text = phone.wait_for_any(&WAITING, 60).await;
    assert!(!text.contains("已全部上传"), "{text}");
    assert!(text.contains("我的申报") || text.contains("发生了什么困难"), "{text}");
    let kept = phone.kept_photos().await;
    assert_eq!(kept.len(), 1, "one photo kept on the phone");
    assert_eq!(
        store.cases(&all_cases()).await.unwrap().len(),
        0,
        "nothing reached the server while offline"
    );

    // The signal comes back.
    server.start().unwrap();
    phone.offline(false).await;
    phone.click_text("button", "立即同步").await;
    phone.wait_for("已全部上传", 60).await;

    let cases = store.cases(&all_cases()).await.unwrap();
    assert_eq!(cases.len(), 1, "exactly one case: {cases:?}");
    let case = &cases[0];
    assert_eq!(case.division.to_string(), VILLAGE);
    assert_eq!(case.report["household_name"], "王秀英");
    assert_eq!(case.photos_missing, 0, "{case:?}");
    // The photo on the server is the very file the app kept.
    let (name, bytes) = &kept[0];
    let sha = name.trim_end_matches(".jpg");
    assert_eq!(case.report["photos"], json!([sha]));
    let on_server = std::fs::read(photo_dir.join(&sha[..2]).join(format!("{sha}.jpg"))).unwrap();
    assert!(on_server == *bytes, "the server's photo differs from the app's");
    assert!(bytes.len() <= 300 * 1024, "{} bytes", bytes.len());
    let img = image::load_from_memory(bytes).unwrap();
    assert_eq!(
        (img.width(), img.height()),
        (1600, 1200),
        "scaled to 1600 px on the long side"
    );
    // Where the phone was.
    let at = &case.report["location"];
    assert!((at["lat"].as_f64().unwrap() - AT.0).abs() < 1e-6, "{at}");
    assert!((at["lon"].as_f64().unwrap() - AT.1).abs() < 1e-6, "{at}");
    // On the village's queue with its deadline.
    let queue = queue_of_village(&base, "cadre").await;
    assert_eq!(queue.items.len(), 1, "{queue:?}");
    assert_eq!(queue.items[0].case_id, case.id);
    assert!(queue.items[0].due.is_some(), "{queue:?}");
    phone.stop().await;
}
