//! Load benchmark: many simulated phones push reports at once through the real HTTP
//! API; prints reports/s and p50/p99 push latency for SQLite and PostgreSQL.
//!
//! cargo bench -p zaofaxian-server --bench sync_load [-- DEVICES REPORTS_PER_DEVICE]
//! PostgreSQL runs when ZAOFAXIAN_TEST_POSTGRES_URL is set (scripts/bench.sh sets it).
//! Client and server share this machine's cores, so the figures are a floor.

#![allow(clippy::unwrap_used)] // a benchmark: a panic is the report

#[path = "../tests/common/mod.rs"]
mod common;

use common::TestApp;
use serde_json::json;
use std::time::{Duration, Instant};
use zaofaxian_server::store::Store;
use zaofaxian_shared::RecordId;

const VILLAGES: [&str; 4] = ["530402001001", "530402001002", "530402001003", "530402001004"];

async fn run(app: TestApp, devices: usize, per_device: usize) {
    let name = app.db.name;
    let mut tokens = Vec::with_capacity(devices);
    for i in 0..devices {
        tokens.push(app.household(&format!("139{i:08}")).await);
    }
    let base = app.base.clone();
    let http = app.http.clone();
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
    // A household has one open case: each device's first report opens it, the others
    // join it as hardship entries.
    let stored = app
        .db
        .store
        .cases(&zaofaxian_server::store::CaseFilter::scope(
            zaofaxian_server::store::Scope::Within("530402001000".parse().unwrap()),
        ))
        .await
        .unwrap()
        .len();
    assert_eq!(stored, devices);
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
        run(
            TestApp::start(common::sqlite().await, "2025-11-03").await,
            devices,
            per_device,
        )
        .await;
        match common::postgres().await {
            Some(db) => run(TestApp::start(db, "2025-11-03").await, devices, per_device).await,
            None => println!("postgres   skipped: set ZAOFAXIAN_TEST_POSTGRES_URL (scripts/bench.sh does)"),
        }
    });
}
