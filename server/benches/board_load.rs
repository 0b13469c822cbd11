//! Board benchmark: a county of 200,000 registered households and 20,000 open cases
//! (reports pushed through the API), then the county's and one village's deadline
//! board through the API and the console; prints times and sizes.
//!
//! cargo bench -p zaofaxian-server --bench board_load [-- CASES HOUSEHOLDS]
//! PostgreSQL runs too when ZAOFAXIAN_TEST_POSTGRES_URL is set.

#![allow(clippy::unwrap_used)] // a benchmark: a panic is the report

#[path = "../tests/common/mod.rs"]
mod common;

use common::TestApp;
use serde_json::json;
use std::time::Instant;
use zaofaxian_server::store::{Household, Store};
use zaofaxian_shared::{RecordId, Role};

const COUNTY: &str = "530402000000";

fn villages() -> Vec<String> {
    common::SAMPLE_DIVISIONS
        .lines()
        .filter_map(|l| l.split(',').next())
        .filter(|c| c.starts_with("530402") && !c.ends_with("000"))
        .map(str::to_string)
        .collect()
}

/// A valid 18-digit ID number for a serial (GB 11643 check character).
fn id_number(serial: usize) -> String {
    let born = chrono::NaiveDate::from_ymd_opt(1940, 1, 1).unwrap() + chrono::Duration::days((serial % 20_000) as i64);
    let body = format!("530402{}{:03}", born.format("%Y%m%d"), serial / 20_000 % 1000);
    let body = body.as_str();
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body.chars().zip(W).map(|(c, w)| c.to_digit(10).unwrap() * w).sum();
    format!(
        "{body}{}",
        ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize]
    )
}

/// Runs per request: p95 of 20 is the second slowest.
const RUNS: usize = 20;

/// The median and 95th percentile of some milliseconds.
fn p50_p95(mut ms: Vec<f64>) -> (f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 * q).ceil() as usize).clamp(1, ms.len()) - 1];
    (at(0.5), at(0.95))
}

/// One warm-up, then [`RUNS`] timed requests: (p50, p95, answer bytes, status).
async fn timed(app: &TestApp, token: &str, path: &str, cookie: bool) -> (f64, f64, usize, u16) {
    let mut ms = Vec::new();
    let (mut size, mut status) = (0, 0);
    for run in 0..=RUNS {
        let req = app.http.get(app.url(path));
        let req = if cookie {
            req.header("cookie", format!("zfx_session={token}"))
        } else {
            req.bearer_auth(token)
        };
        let t = Instant::now();
        let r = req.send().await.unwrap();
        status = r.status().as_u16();
        size = r.bytes().await.unwrap().len();
        if run > 0 {
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let (p50, p95) = p50_p95(ms);
    (p50, p95, size, status)
}

/// Where a board's time goes: its two store reads, timed alone.
async fn store_reads(app: &TestApp, area: &str) -> [(&'static str, f64, f64); 2] {
    use zaofaxian_server::store::BoardFilter;
    let f = BoardFilter {
        area: area.parse().unwrap(),
        stage: None,
        channel: None,
        category: None,
    };
    let day = |d: &str| d.parse::<chrono::NaiveDate>().unwrap();
    let (mut counts, mut rows) = (Vec::new(), Vec::new());
    for run in 0..=RUNS {
        let t = Instant::now();
        let v = app
            .db
            .store
            .village_counts(&f, day("2025-11-20"), day("2025-11-19"))
            .await
            .unwrap();
        let counted = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let r = app.db.store.board_rows(&f, None, Some(500)).await.unwrap();
        let read = t.elapsed().as_secs_f64() * 1000.0;
        assert!(!v.is_empty() && r.len() == 500, "{area}");
        if run > 0 {
            counts.push(counted);
            rows.push(read);
        }
    }
    let (c50, c95) = p50_p95(counts);
    let (r50, r95) = p50_p95(rows);
    [("counts per village", c50, c95), ("500 most urgent rows", r50, r95)]
}

async fn run(app: TestApp, cases: usize, households: usize) {
    let name = app.db.name;
    let villages = villages();
    // The register, in batches as an import would write it.
    let t = Instant::now();
    let all: Vec<Household> = (0..households)
        .map(|i| Household {
            national_id: id_number(i),
            name: format!("户主{i}"),
            village: villages[i % villages.len()].parse().unwrap(),
            group: format!("{}组", i % 9 + 1),
            location: None,
        })
        .collect();
    for chunk in all.chunks(5000) {
        app.db.store.upsert_households(chunk, "", 0).await.unwrap();
    }
    let register_s = t.elapsed().as_secs_f64();
    // Open cases, found on rounds (村排查) and pushed by each village's cadre in
    // batches of 100 records. (Household accounts cannot stand in: a household's own
    // reports join its open case and are limited per day.)
    let phones = villages.len();
    let mut tokens = Vec::new();
    for (p, village) in villages.iter().enumerate() {
        tokens.push(app.staff(&format!("cadre-{p}"), Role::VillageCadre, village).await);
    }
    let t = Instant::now();
    let mut tasks = Vec::new();
    for (p, token) in tokens.into_iter().enumerate() {
        let (http, base, villages) = (app.http.clone(), app.base.clone(), villages.clone());
        let mine: Vec<usize> = (p..cases).step_by(phones).collect();
        tasks.push(tokio::spawn(async move {
            for (b, chunk) in mine.chunks(100).enumerate() {
                let records: Vec<_> = chunk
                    .iter()
                    .enumerate()
                    .map(|(k, i)| {
                        json!({ "id": RecordId::new().to_string(), "seq": b * 100 + k + 1, "kind": "report",
                        "body": { "village": villages[i % villages.len()], "household_name": format!("户主{i}"),
                                  "national_id": id_number(*i), "hardship": "illness", "happened_on": "2025-10-30" } })
                    })
                    .collect();
                let r = http
                    .post(format!("{base}/api/v1/sync/push"))
                    .bearer_auth(&token)
                    .json(&json!({ "device_id": format!("p{p}"), "records": records }))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 200);
                let answer: zaofaxian_shared::wire::PushAnswer = r.json().await.unwrap();
                assert!(
                    answer.results.iter().all(|r| r.case_id.is_some()),
                    "every report opens a case: {answer:?}"
                );
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let cases_s = t.elapsed().as_secs_f64();
    // One big village: 1,000 more households of villages[0], for its initial sync.
    let big = app.staff("cadre-big", Role::VillageCadre, &villages[0]).await;
    for b in 0..10 {
        let records: Vec<_> = (0..100)
            .map(|k| {
                let i = households + b * 100 + k;
                json!({ "id": RecordId::new().to_string(), "seq": b * 100 + k + 1, "kind": "report",
                    "body": { "village": villages[0], "household_name": format!("户主{i}"), "national_id": id_number(i),
                              "hardship": "disaster", "happened_on": "2025-10-30", "description": "房屋受损，需要核实" } })
            })
            .collect();
        let (s, _) = app
            .post(
                &big,
                "/api/v1/sync/push",
                &json!({ "device_id": "big", "records": records }),
            )
            .await;
        assert_eq!(s, 200);
    }
    let county = app.staff("county", Role::County, COUNTY).await;
    let cadre = app.staff("cadre", Role::VillageCadre, &villages[0]).await;
    println!(
        "{name}: {households} households registered in {register_s:.1} s; {cases} open cases pushed in {cases_s:.1} s ({:.0}/s)",
        cases as f64 / cases_s
    );
    for (label, token, path, cookie) in [
        ("county queue (API)", &county, "/api/v1/queue".to_string(), false),
        ("county board (console)", &county, "/console/board".to_string(), true),
        (
            "county board, one stage",
            &county,
            "/console/board?stage=awaiting_verification&channel=self_report".to_string(),
            true,
        ),
        ("village queue (API)", &cadre, "/api/v1/queue".to_string(), false),
        ("village board (console)", &cadre, "/console/board".to_string(), true),
    ] {
        let (p50, p95, bytes, status) = timed(&app, token, &path, cookie).await;
        assert_eq!(status, 200, "{label}");
        println!(
            "{name}: {label:<26} p50 {p50:>7.1} ms, p95 {p95:>7.1} ms, {:>8.1} KB",
            bytes as f64 / 1024.0
        );
    }
    for (area, level) in [(COUNTY, "county"), (villages[0].as_str(), "village")] {
        for (label, p50, p95) in store_reads(&app, area).await {
            println!("{name}: {level} store read, {label:<22} p50 {p50:>7.1} ms, p95 {p95:>7.1} ms");
        }
    }
    let (secs, opened, problems) = screening_import(&app, &county, cases).await;
    println!(
        "{name}: screening list of 5,000 ID numbers (half with an open case) imported in {secs:.1} s: {opened} opened, {problems} rows listed"
    );
    let (ms, wire, json, n) = initial_sync(&app, &cadre).await;
    println!(
        "{name}: initial sync of one village: {n} cases in {ms:.0} ms, {:.1} KB on the wire gzipped ({:.0} B a case; {:.1} KB of JSON)",
        wire as f64 / 1024.0,
        wire as f64 / n as f64,
        json as f64 / 1024.0,
    );
}

/// A department's list of 5,000 registered households, the first half already with
/// an open case, uploaded on the console as the county; returns seconds, cases
/// opened and rows not opened (already open or unmatched).
async fn screening_import(app: &TestApp, county: &str, cases: usize) -> (f64, usize, usize) {
    let cookie = format!("zfx_session={county}");
    let page = app.console_page(&cookie, "/console/imports").await;
    let csrf = common::form_token(&page).unwrap();
    let mut csv = String::from("身份证号,姓名,预警事项\n");
    for i in cases - 2_500..cases + 2_500 {
        csv.push_str(&format!("{},户主{i},高额医疗自付\n", id_number(i)));
    }
    let form = reqwest::multipart::Form::new()
        .text("csrf", csrf)
        .text("kind", "screening")
        .text("source", "县医保局")
        .part(
            "file",
            reqwest::multipart::Part::bytes(csv.into_bytes()).file_name("医保.csv"),
        );
    let t = Instant::now();
    let r = app
        .http
        .post(app.url("/console/imports"))
        .header("cookie", &cookie)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page = r.text().await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    let count = |label: &str| {
        page.split(&format!("{label} <strong>"))
            .nth(1)
            .and_then(|s| s.split('<').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    (secs, count("新派发核实"), count("已有在办") + count("未匹配"))
}

/// A cadre's first sync of the whole village: every page of the pull, timed, with the
/// bytes as they cross the wire (gzip, as the phone asks) and once unpacked.
async fn initial_sync(app: &TestApp, token: &str) -> (f64, usize, usize, usize) {
    use std::io::Read;
    // Without automatic unpacking, to count what really travels.
    let http = reqwest::Client::builder().no_gzip().build().unwrap();
    let t = Instant::now();
    let (mut cursor, mut wire, mut json, mut cases) = (0i64, 0usize, 0usize, 0usize);
    loop {
        let r = http
            .get(app.url(&format!("/api/v1/sync/pull?cursor={cursor}&limit=200")))
            .bearer_auth(token)
            .header("accept-encoding", "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-encoding"], "gzip");
        let packed = r.bytes().await.unwrap();
        wire += packed.len();
        let mut body = Vec::new();
        flate2::read::GzDecoder::new(&packed[..])
            .read_to_end(&mut body)
            .unwrap();
        json += body.len();
        let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
        cases += page["cases"].as_array().map_or(0, Vec::len);
        cursor = page["cursor"].as_i64().unwrap_or(cursor);
        if page["more"] != true {
            return (t.elapsed().as_secs_f64() * 1000.0, wire, json, cases);
        }
    }
}

#[tokio::main]
async fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let cases = args.first().copied().unwrap_or(20_000);
    let households = args.get(1).copied().unwrap_or(200_000);
    run(
        TestApp::start(common::sqlite().await, "2025-11-03").await,
        cases,
        households,
    )
    .await;
    if let Some(db) = common::postgres().await {
        run(TestApp::start(db, "2025-11-03").await, cases, households).await;
    }
}
