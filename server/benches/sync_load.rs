//! Load benchmark: many simulated phones push reports at once through the real HTTP
//! API; prints reports/s and p50/p99 push latency for SQLite and PostgreSQL, with the
//! phones pushing back to back and paced (one push a second each), over all pushes and
//! over those after each phone's first (which also opens its connection).
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

/// How the phones send: all at once, each push right after the last answer (a
/// closed loop: 500 requests always in flight, so latency is 500 / throughput by
/// Little's law), or paced, each phone pushing at random moments averaging one push a
/// `pace` (an open loop: an offered load of devices / pace pushes a second).
#[derive(Clone, Copy)]
enum Sending {
    BackToBack,
    Paced(Duration),
}

async fn run(app: &TestApp, devices: usize, per_device: usize, sending: Sending, round: usize) {
    let name = app.db.name;
    let cases_before = open_cases(app).await;
    let mut tokens = Vec::with_capacity(devices);
    for i in 0..devices {
        // New phones each round: a household's reports a day are limited.
        tokens.push(app.household(&format!("13{round}{i:08}")).await);
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
                if let Sending::Paced(pace) = sending {
                    // A fixed scatter in [0, 2·pace): the same run each time.
                    let spread = (d * 7_919 + seq * 104_729) % 1_000;
                    tokio::time::sleep(pace * spread as u32 / 500).await;
                }
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
    // Each phone's first push also opens its connection, all of them at the same
    // moment when sending back to back: the pushes after it are shown apart as well.
    let mut later: Vec<Duration> = Vec::with_capacity(devices * per_device);
    for t in tasks {
        let pushes = t.await.unwrap();
        later.extend(pushes.iter().skip(1));
        all.extend(pushes);
    }
    let elapsed = start.elapsed();
    all.sort();
    later.sort();
    let at = |v: &[Duration], p: f64| v[((v.len() as f64 * p) as usize).min(v.len() - 1)].as_secs_f64() * 1000.0;
    let n = all.len();
    // A household has one open case: each device's first report opens it, the others
    // join it as hardship entries.
    assert_eq!(open_cases(app).await - cases_before, devices);
    let how = match sending {
        Sending::BackToBack => "back to back".to_string(),
        Sending::Paced(pace) => format!("paced, 1 per {:.1} s", pace.as_secs_f64()),
    };
    println!(
        "{name:<10} devices {devices:>4} {how:<20} reports {n:>6}  {:>7.0} reports/s  p50 {:>6.1} ms  p99 {:>6.1} ms  \
         (after each phone's first push: p50 {:>6.1} ms  p99 {:>6.1} ms)  ({:.1} s)",
        n as f64 / elapsed.as_secs_f64(),
        at(&all, 0.50),
        at(&all, 0.99),
        at(&later, 0.50),
        at(&later, 0.99),
        elapsed.as_secs_f64()
    );
}

async fn open_cases(app: &TestApp) -> usize {
    app.db
        .store
        .cases(&zaofaxian_server::store::CaseFilter::scope(
            zaofaxian_server::store::Scope::Within("530402001000".parse().unwrap()),
        ))
        .await
        .unwrap()
        .len()
}

/// Both ways of sending, each on a new server and database: back to back, then paced
/// at one push a second per phone (500 phones: 500 pushes a second offered).
const WAYS: [Sending; 2] = [Sending::BackToBack, Sending::Paced(Duration::from_secs(1))];

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let devices = args.first().and_then(|a| a.parse().ok()).unwrap_or(500);
    let per_device = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        for (round, sending) in WAYS.into_iter().enumerate() {
            let app = TestApp::start(common::sqlite().await, "2025-11-03").await;
            run(&app, devices, per_device, sending, 9 - round).await;
        }
        for (round, sending) in WAYS.into_iter().enumerate() {
            match common::postgres().await {
                Some(db) => {
                    let app = TestApp::start(db, "2025-11-03").await;
                    run(&app, devices, per_device, sending, 9 - round).await;
                }
                None => println!("postgres   skipped: set ZAOFAXIAN_TEST_POSTGRES_URL (scripts/bench.sh does)"),
            }
        }
    });
}
