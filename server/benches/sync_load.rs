//! Load benchmark: many simulated phones push reports at once through the real HTTP
//! API; prints reports/s and p50/p99 push latency for SQLite and PostgreSQL.
//!
//! cargo bench -p zaofaxian-server --bench sync_load [-- DEVICES REPORTS_PER_DEVICE]
//! PostgreSQL runs when ZAOFAXIAN_TEST_POSTGRES_URL is set (scripts/bench.sh sets it).
//! Client and server share this machine's cores, so the figures are a floor.

#![allow(clippy::unwrap_used)] // a benchmark: a panic is the report

use serde_json::json;
use std::sync::Arc;
use std::time::{Duration, Instant};
use zaofaxian_server::state::AppState;
use zaofaxian_server::store::{SqlStore, Store};
use zaofaxian_shared::{ManualClock, PhoneNumber, RecordId};

#[derive(Debug, Default)]
struct Codes(std::sync::Mutex<std::collections::HashMap<String, String>>);

impl zaofaxian_server::auth::CodeSender for Codes {
    fn send(&self, phone: &PhoneNumber, code: &str) {
        self.0
            .lock()
            .unwrap()
            .insert(phone.as_str().to_string(), code.to_string());
    }
}

const VILLAGES: [&str; 4] = ["530402001001", "530402001002", "530402001003", "530402001004"];

async fn run(name: &str, url: &str, devices: usize, per_device: usize) {
    let store = Arc::new(SqlStore::connect(url).await.unwrap());
    store.migrate().await.unwrap();
    let csv = include_str!("../data/yunnan_sample_divisions.csv");
    zaofaxian_server::accounts::import_divisions(store.as_ref(), csv, |_| {})
        .await
        .unwrap();
    let clock = Arc::new(ManualClock::at_date("2025-11-03".parse().unwrap()));
    let codes = Arc::new(Codes::default());
    let photos = tempfile::tempdir().unwrap();
    let state = AppState::new(store.clone(), clock, codes.clone(), photos.path().to_path_buf());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { zaofaxian_server::http::serve_on(listener, zaofaxian_server::http::app(state)).await });
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(devices)
        .build()
        .unwrap();

    // Sign every device in (households, by one-time code).
    let mut tokens = Vec::with_capacity(devices);
    for i in 0..devices {
        let phone = format!("139{:08}", i);
        http.post(format!("{base}/api/v1/auth/otp"))
            .json(&json!({ "phone": phone }))
            .send()
            .await
            .unwrap();
        let code = codes.0.lock().unwrap()[&phone].clone();
        let r: serde_json::Value = http
            .post(format!("{base}/api/v1/auth/otp/verify"))
            .json(&json!({ "phone": phone, "code": code }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        tokens.push(r["token"].as_str().unwrap().to_string());
    }

    let start = Instant::now();
    let mut tasks = Vec::with_capacity(devices);
    for (d, token) in tokens.into_iter().enumerate() {
        let http = http.clone();
        let base = base.clone();
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::with_capacity(per_device);
            for seq in 1..=per_device {
                let body = json!({ "device_id": format!("dev-{d}"), "records": [{
                    "id": RecordId::new().to_string(), "seq": seq, "kind": "report",
                    "body": { "village": VILLAGES[d % VILLAGES.len()], "household_name": format!("户{d}"),
                              "hardship": "illness", "happened_on": "2025-10-30", "amount": 500000 } }] });
                let t = Instant::now();
                let r = http
                    .post(format!("{base}/api/v1/sync/push"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let v: serde_json::Value = r.json().await.unwrap();
                assert_eq!(v["results"][0]["status"], "stored", "{v}");
                latencies.push(t.elapsed());
            }
            latencies
        }));
    }
    let mut all: Vec<Duration> = Vec::with_capacity(devices * per_device);
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let elapsed = start.elapsed();
    all.sort();
    let pct = |p: f64| all[((all.len() as f64 * p) as usize).min(all.len() - 1)];
    let n = all.len();
    // Every report is a case exactly once.
    let stored = store
        .cases(&zaofaxian_server::store::CaseFilter::scope(
            zaofaxian_server::store::Scope::Within("530402001000".parse().unwrap()),
        ))
        .await
        .unwrap()
        .len();
    assert_eq!(stored, n);
    println!(
        "{name:<10} devices {devices:>4}  reports {n:>6}  {:>7.0} reports/s  p50 {:>6.1} ms  p99 {:>6.1} ms  ({:.1} s)",
        n as f64 / elapsed.as_secs_f64(),
        pct(0.50).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0,
        elapsed.as_secs_f64()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let devices = args.first().and_then(|a| a.parse().ok()).unwrap_or(500);
    let per_device = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let sqlite = format!("sqlite://{}", dir.path().join("bench.sqlite").display());
        run("sqlite", &sqlite, devices, per_device).await;
        match std::env::var("ZAOFAXIAN_TEST_POSTGRES_URL") {
            Ok(admin) => {
                sqlx::any::install_default_drivers();
                let pool = sqlx::AnyPool::connect(&admin).await.unwrap();
                let db = format!("zfx_bench_{}", uuid::Uuid::now_v7().simple());
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
                    .execute(&pool)
                    .await
                    .unwrap();
                let url = format!("{}/{db}", admin.rsplit_once('/').unwrap().0);
                run("postgres", &url, devices, per_device).await;
            }
            Err(_) => println!("postgres   skipped: set ZAOFAXIAN_TEST_POSTGRES_URL (scripts/bench.sh does)"),
        }
    });
}
