//! A phone's browser for the end-to-end tests and benchmarks: headless Chromium
//! (Debian's `chromium`) through ChromeDriver, at phone size with touch and an Android
//! user agent when asked, plus Chrome DevTools commands (GPS, offline) through
//! ChromeDriver's `goog/cdp/execute`.

// Test support: a failed browser step panics with what the page showed.
#![allow(clippy::unwrap_used)]

use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

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

#[derive(Debug)]
pub struct Phone {
    driver: Child,
    pub client: Client,
}

impl Phone {
    /// A fresh browser profile; `phone` emulates a 390×844 touch screen with an
    /// Android user agent.
    pub async fn start(phone: bool) -> Phone {
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
        let mut caps = json!({
            "goog:chromeOptions": {
                "binary": "/usr/bin/chromium",
                // A fake microphone that needs no permission prompt, for voice notes.
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                         "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                         "--disable-background-networking", "--disable-component-update", "--disable-sync",
                         format!("--user-data-dir={}", dir.display())]
            }
        });
        if phone {
            caps["goog:chromeOptions"]["mobileEmulation"] = json!({
                "deviceMetrics": { "width": 390, "height": 844, "pixelRatio": 3.0, "touch": true },
                "userAgent": "Mozilla/5.0 (Linux; Android 14; Redmi Note 13) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36"
            });
        }
        let caps: fantoccini::wd::Capabilities = caps.as_object().cloned().unwrap_or_default();
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

    pub async fn cdp(&self, cmd: &'static str, params: Value) {
        self.client
            .issue_cmd(Cdp(cmd, params))
            .await
            .unwrap_or_else(|e| panic!("{cmd}: {e}"));
    }

    /// The whole page as a 360 px wide phone shows it (the narrowest common Android
    /// width), saved as `$CARGO_TARGET_DIR/screenshots/<name>` for a person to look at.
    pub async fn screenshot(&self, name: &str) {
        let metrics = |width: u32, height: u64, scale: f64| json!({ "width": width, "height": height, "deviceScaleFactor": scale, "mobile": true });
        self.cdp("Emulation.setDeviceMetricsOverride", metrics(360, 780, 1.0))
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(780)
            .clamp(780, 8000);
        self.cdp("Emulation.setDeviceMetricsOverride", metrics(360, height, 1.0))
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let png = self.client.screenshot().await.unwrap();
        let dir = std::env::var("CARGO_TARGET_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|_| std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target")))
            .join("screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(name), png).unwrap();
        // Back to the phone the test emulates.
        self.cdp("Emulation.setDeviceMetricsOverride", metrics(390, 844, 3.0))
            .await;
    }

    /// Presses the first element matching `css` until none is left (each press answers
    /// one question, so the next one matches), at most `limit` times.
    pub async fn press_each(&self, css: &str, limit: usize) {
        for _ in 0..limit {
            let open = self.client.find_all(Locator::Css(css)).await.unwrap_or_default();
            let Some(first) = open.into_iter().next() else { break };
            first.click().await.unwrap();
        }
    }

    pub async fn offline(&self, offline: bool) {
        let conditions = json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 });
        self.cdp("Network.enable", json!({})).await;
        self.cdp("Network.emulateNetworkConditions", conditions).await;
    }

    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(b) => b.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// Waits (up to `secs`) until the page shows `what`.
    pub async fn wait_for(&self, what: &str, secs: u64) -> String {
        self.wait_for_any(&[what], secs).await
    }

    pub async fn wait_for_any(&self, what: &[&str], secs: u64) -> String {
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

    /// A tap as the page receives it, wherever the element is laid out at that moment
    /// (a WebDriver click at coordinates can land on a row that just moved).
    async fn press(&self, el: &fantoccini::elements::Element) -> bool {
        let Ok(arg) = serde_json::to_value(el) else {
            return false;
        };
        self.client
            .execute(
                "arguments[0].scrollIntoView({ block: 'center' }); arguments[0].click();",
                vec![arg],
            )
            .await
            .is_ok()
    }

    /// Presses the first `css` element whose text contains `label` (waits up to 5 s).
    pub async fn click_text(&self, css: &str, label: &str) {
        for _ in 0..50 {
            for el in self.client.find_all(Locator::Css(css)).await.unwrap_or_default() {
                if el.text().await.unwrap_or_default().contains(label) && self.press(&el).await {
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

    pub async fn type_into(&self, css: &str, text: &str) {
        match self.client.wait().for_element(Locator::Css(css)).await {
            Ok(el) => el.send_keys(text).await.unwrap(),
            Err(e) => panic!("no {css} to type into ({e}); the page shows: {}", self.text().await),
        }
    }

    /// Once the service worker controls the page, a reload with no network starts the
    /// app from its cache (on the very first visit it may not control the page yet).
    pub async fn wait_for_service_worker(&self) {
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
    pub async fn kept_photos(&self) -> Vec<(String, Vec<u8>)> {
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

    pub async fn stop(mut self) {
        let _ = self.client.close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
