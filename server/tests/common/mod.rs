//! Test backends: a real SQLite file in a temp dir, and a fresh database on the
//! throwaway PostgreSQL server the test command starts.

#![allow(dead_code, clippy::unwrap_used)]

pub mod sms_stand_in;
pub mod test_bucket;

use std::sync::{Arc, Mutex};
use zaofaxian_server::auth::CodeSender;
use zaofaxian_server::photo_files::PhotoFiles;
use zaofaxian_server::state::AppState;
use zaofaxian_server::store::{SqlStore, Store};
use zaofaxian_shared::{DivisionCode, ManualClock, PhoneNumber, Role};

pub struct TestDb {
    pub name: &'static str,
    pub url: String,
    pub store: Arc<SqlStore>,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("zaofaxian.sqlite").display());
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    TestDb {
        name: "sqlite",
        url,
        store: Arc::new(store),
        _dir: Some(dir),
    }
}

/// A new, empty database on the test PostgreSQL server; None when there is none and
/// it is not required (the test command always sets ZAOFAXIAN_REQUIRE_POSTGRES=1).
pub async fn postgres() -> Option<TestDb> {
    let Ok(admin_url) = std::env::var("ZAOFAXIAN_TEST_POSTGRES_URL") else {
        assert!(
            std::env::var("ZAOFAXIAN_REQUIRE_POSTGRES").is_err(),
            "ZAOFAXIAN_REQUIRE_POSTGRES is set but ZAOFAXIAN_TEST_POSTGRES_URL is not"
        );
        eprintln!("no ZAOFAXIAN_TEST_POSTGRES_URL: PostgreSQL half of this test skipped (scripts/test.sh runs it)");
        return None;
    };
    sqlx::any::install_default_drivers();
    let admin = sqlx::AnyPool::connect(&admin_url).await.unwrap();
    let name = format!("zfx_{}", uuid::Uuid::now_v7().simple());
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    admin.close().await;
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("bad URL {admin_url}"),
    };
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    Some(TestDb {
        name: "postgres",
        url,
        store: Arc::new(store),
        _dir: None,
    })
}

/// Both backends, SQLite first.
pub async fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    v.extend(postgres().await);
    v
}

/// Captures one-time codes instead of sending them.
#[derive(Debug, Default)]
pub struct MemorySender(pub Mutex<Vec<(String, String)>>);

#[async_trait::async_trait]
impl CodeSender for MemorySender {
    async fn send(&self, phone: &PhoneNumber, code: &str) -> Result<(), zaofaxian_server::auth::SendError> {
        self.0
            .lock()
            .unwrap()
            .push((phone.as_str().to_string(), code.to_string()));
        Ok(())
    }
}

impl MemorySender {
    pub fn last_code(&self, phone: &str) -> String {
        self.0
            .lock()
            .unwrap()
            .iter()
            .rev()
            .find(|(p, _)| p == phone)
            .map(|(_, c)| c.clone())
            .unwrap()
    }
}

/// A real server on 127.0.0.1:0 over a test database, with a clock the test moves.
pub struct TestApp {
    pub db: TestDb,
    pub base: String,
    pub clock: Arc<ManualClock>,
    pub codes: Arc<MemorySender>,
    pub http: reqwest::Client,
    /// Where this server keeps photos: a folder, or a bucket on the S3 emulator.
    pub photos: PhotoFiles,
    /// The server's state (its live reference data, for tests that change it).
    pub state: AppState,
}

pub const SAMPLE_DIVISIONS: &str = include_str!("../../data/yunnan_sample_divisions.csv");

impl TestApp {
    pub async fn start(db: TestDb, today: &str) -> TestApp {
        let folder = PhotoFiles::folder(&tempfile::tempdir().unwrap().keep()).unwrap();
        TestApp::start_with(db, today, folder).await
    }

    pub async fn start_with(db: TestDb, today: &str, photos: PhotoFiles) -> TestApp {
        // reqwest is built without a default TLS provider (see the workspace Cargo.toml).
        let _ = rustls::crypto::ring::default_provider().install_default();
        zaofaxian_server::accounts::import_divisions(db.store.as_ref(), SAMPLE_DIVISIONS, |_| {})
            .await
            .unwrap();
        let clock = Arc::new(ManualClock::at_date(today.parse().unwrap()));
        let codes = Arc::new(MemorySender::default());
        let state = AppState::new(db.store.clone(), clock.clone(), codes.clone(), photos.clone());
        state.load_reference().await.unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = zaofaxian_server::http::app(state.clone());
        tokio::spawn(async move { zaofaxian_server::http::serve_on(listener, app).await.unwrap() });
        TestApp {
            db,
            base: format!("http://{addr}"),
            clock,
            codes,
            http: reqwest::Client::new(),
            photos,
            state,
        }
    }

    pub fn set_today(&self, date: &str) {
        let t = ManualClock::at_date(date.parse().unwrap());
        use zaofaxian_shared::Clock;
        self.clock.set(t.now());
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Creates a staff account and signs it in; returns its token.
    pub async fn staff(&self, login: &str, role: Role, division: &str) -> String {
        let d: DivisionCode = division.parse().unwrap();
        zaofaxian_server::accounts::create_staff(self.db.store.as_ref(), login, login, role, d, "password-123")
            .await
            .unwrap();
        self.sign_in(login).await
    }

    /// Signs a staff account made by [`TestApp::staff`] in again (sessions last 12 hours;
    /// tests that move the clock by days need a fresh one); its token.
    pub async fn sign_in(&self, login: &str) -> String {
        self.token_from(
            "/api/v1/auth/login",
            serde_json::json!({ "login": login, "password": "password-123" }),
        )
        .await
    }

    /// POSTs a sign-in body and returns the session token it answers with.
    async fn token_from(&self, path: &str, body: serde_json::Value) -> String {
        let r = self.http.post(self.url(path)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.json::<serde_json::Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Signs a household in by phone and one-time code; returns its token.
    pub async fn household(&self, phone: &str) -> String {
        let r = self
            .http
            .post(self.url("/api/v1/auth/otp"))
            .json(&serde_json::json!({ "phone": phone }))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 202);
        let code = self.codes.last_code(phone);
        self.token_from(
            "/api/v1/auth/otp/verify",
            serde_json::json!({ "phone": phone, "code": code }),
        )
        .await
    }

    /// Signs a staff member into the console; returns the session cookie (`zfx_session=…`).
    #[allow(dead_code)] // not every test binary uses the console
    pub async fn console_cookie(&self, login: &str, password: &str) -> String {
        let r = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
            .post(self.url("/console/login"))
            .form(&[("login", login), ("password", password)])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303, "{login} signs in to the console");
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .split(';')
            .next()
            .unwrap()
            .to_string()
    }

    /// A console page as sent with `cookie` (`zfx_session=…`).
    #[allow(dead_code)] // not every test binary opens console pages
    pub async fn console_page(&self, cookie: &str, path: &str) -> String {
        let r = self
            .http
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        r.text().await.unwrap()
    }

    /// An XLSX export as sent with `cookie` (`zfx_session=…`), its named sheets as text.
    #[allow(dead_code)] // not every test binary downloads exports
    pub async fn sheets(&self, cookie: &str, path: &str, sheets: &[&str]) -> Vec<Vec<Vec<String>>> {
        use calamine::Reader;
        let r = self
            .http
            .get(self.url(path))
            .header("cookie", cookie)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let bytes = r.bytes().await.unwrap();
        let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
        sheets
            .iter()
            .map(|n| {
                book.worksheet_range(n)
                    .unwrap()
                    .rows()
                    .map(|r| r.iter().map(|c| c.to_string()).collect())
                    .collect()
            })
            .collect()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, serde_json::Value) {
        let r = self.http.get(self.url(path)).bearer_auth(token).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// A household's phone `device` pushes one report `body`; the new case's id.
    #[allow(dead_code)] // not every test binary files reports this way
    pub async fn report(&self, token: &str, device: &str, body: serde_json::Value) -> String {
        let record = serde_json::json!({ "id": zaofaxian_shared::RecordId::new().to_string(), "seq": 1,
                                         "kind": "report", "body": body });
        let push = serde_json::json!({ "device_id": device, "records": [record] });
        let (s, v) = self.post(token, "/api/v1/sync/push", &push).await;
        assert_eq!(s, 200, "{v}");
        pushed(&v).case_id.unwrap_or_else(|| panic!("{v}"))
    }

    pub async fn post(&self, token: &str, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
        let r = self
            .http
            .post(self.url(path))
            .bearer_auth(token)
            .json(body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(serde_json::Value::Null))
    }
}

/// A visit's exclusion checklist for `village`'s profile, every rule answered "no".
#[allow(dead_code)] // not every test binary records visits
pub fn exclusions_all_clear(village: &str) -> Vec<serde_json::Value> {
    zaofaxian_shared::Policy::embedded()
        .profile_for(village.parse().unwrap())
        .unwrap()
        .exclusions
        .iter()
        .map(|r| serde_json::json!({ "rule_id": r.id, "applies": false }))
        .collect()
}

/// An elimination home check in `village` on `on` (YYYY-MM-DD): one healthy worker of
/// `labour` ("full", "partial", "none") away all 12 months at `monthly_wage` fen, every
/// guarantee secured, every exclusion answered "no", fingerprinted.
#[allow(dead_code)] // not every test binary eliminates a risk
pub fn home_check(village: &str, on: &str, labour: &str, monthly_wage: i64) -> serde_json::Value {
    serde_json::json!({
        "visited_on": on, "village": village,
        "members": [ { "name": "王秀英", "birth_date": "1980-12-31", "labour": labour, "health": "healthy" } ],
        "worksheet": { "collected_on": on, "wages": [ { "member": "王秀英", "local_days": 0, "local_daily_wage": 0, "away_months": 12,
                                    "away_monthly_wage": monthly_wage, "in_kind": 0 } ] },
        "guarantees": { "food_and_clothing": true, "compulsory_education": true, "basic_medical": true,
                        "housing_safe": true, "drinking_water": true },
        "exclusion_checks": exclusions_all_clear(village),
        "authorization": { "kind": "fingerprint", "signer": "王秀英", "note": "按手印" }
    })
}

/// Serves a state built by the test itself (its own sender or limits) on 127.0.0.1:0;
/// returns the base URL.
#[allow(dead_code)] // not every test binary builds its own state
pub async fn serve_state(state: AppState) -> String {
    let _ = rustls::crypto::ring::default_provider().install_default();
    state.load_reference().await.unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(zaofaxian_server::http::serve_on(
        listener,
        zaofaxian_server::http::app(state),
    ));
    base
}

/// Serves a state on every interface; returns the port. With [`lan_address`] a test
/// reaches it from an address that is not loopback, as a phone on the network would.
#[allow(dead_code)] // not every test binary needs a second address
pub async fn serve_state_everywhere(state: AppState) -> u16 {
    let _ = rustls::crypto::ring::default_provider().install_default();
    state.load_reference().await.unwrap();
    let listener = tokio::net::TcpListener::bind("0.0.0.0:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(zaofaxian_server::http::serve_on(
        listener,
        zaofaxian_server::http::app(state),
    ));
    port
}

/// This machine's address on its network (the one its default route leaves by; no
/// packet is sent).
#[allow(dead_code)]
pub fn lan_address() -> std::net::IpAddr {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").unwrap();
    socket
        .connect("192.0.2.1:9")
        .or_else(|_| socket.connect("8.8.8.8:53"))
        .expect("this test needs a network interface besides loopback");
    let ip = socket.local_addr().unwrap().ip();
    assert!(
        !ip.is_loopback(),
        "this test needs a network interface besides loopback"
    );
    ip
}

/// The sample divisions and a village cadre (`cadre`, `password-123`) in `village`: the
/// set-up of the tests that run the server binary over `db`.
#[allow(dead_code)] // not every test binary runs the server binary
pub async fn divisions_and_cadre(db: &TestDb, village: &str) {
    zaofaxian_server::accounts::import_divisions(db.store.as_ref(), SAMPLE_DIVISIONS, |_| {})
        .await
        .unwrap();
    zaofaxian_server::accounts::create_staff(
        db.store.as_ref(),
        "cadre",
        "村干部",
        zaofaxian_shared::Role::VillageCadre,
        village.parse().unwrap(),
        "password-123",
    )
    .await
    .unwrap();
}

/// Starts a test app on each backend.
/// The form token (CSRF) written into a console page's forms.
#[allow(dead_code)] // not every test binary posts console forms
pub fn form_token(page: &str) -> Option<String> {
    let rest = page.split("name=\"csrf\" value=\"").nth(1)?;
    rest.split('"').next().map(str::to_string)
}

pub async fn apps(today: &str) -> Vec<TestApp> {
    let mut v = Vec::new();
    for db in backends().await {
        v.push(TestApp::start(db, today).await);
    }
    v
}

/// For photo tests: both backends with photos in a folder, then PostgreSQL (SQLite
/// without it) with photos in a bucket of the S3 emulator, as several processes run.
pub async fn photo_apps(today: &str) -> Vec<TestApp> {
    let mut v = apps(today).await;
    if let Some(bucket) = test_bucket::fresh().await {
        let db = match postgres().await {
            Some(db) => db,
            None => sqlite().await,
        };
        v.push(TestApp::start_with(db, today, bucket).await);
    }
    v
}

/// The first record's result in a push answer (panics with the answer when it is not one).
pub fn pushed(v: &serde_json::Value) -> zaofaxian_shared::wire::RecordResult {
    let answer: zaofaxian_shared::wire::PushAnswer =
        serde_json::from_value(v.clone()).unwrap_or_else(|e| panic!("not a push answer ({e}): {v}"));
    answer
        .results
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no result: {v}"))
}
