//! Many phones sign in by texted code and report with photos through a proxy that
//! breaks their connections and hands them in turn to two server processes on one
//! database and one photo folder, while the processes are killed (SIGKILL) and
//! restarted several times. Afterwards every report is on the server exactly once and
//! every photo is byte-identical; no sign-in ever ends in "wrong code" (a code texted
//! by one process is checked by the other); a sign-out in one process is refused by
//! the other at once.
//!
//! Scale: `ZAOFAXIAN_FAULT_DEVICES` (default 40) × `ZAOFAXIAN_FAULT_REPORTS` (default
//! 50) reports, a photo with every third, `ZAOFAXIAN_FAULT_KILLS` (default 5) kills.
//! The figures are printed (`cargo test -p zaofaxian-e2e --test faults -- --nocapture`)
//! and kept in `$CARGO_TARGET_DIR/tmp/fault_figures_<backend>.txt`, which the test
//! command shows at its end.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use image::ImageEncoder;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use zaofaxian_e2e::fault_proxy::FaultProxy;
use zaofaxian_e2e::server_process::{ServerProcess, last_code};
use zaofaxian_mobile::local_store::LocalStore;
use zaofaxian_mobile::photo::{ProcessedPhoto, keep};
use zaofaxian_mobile::sync::{SyncEngine, new_sign_in_attempt};
use zaofaxian_server::photo_files::{Filed, PhotoFiles};
use zaofaxian_server::store::{CaseFilter, Scope, Store};
use zaofaxian_shared::wire::RecordKind;

const VILLAGES: [&str; 3] = ["530402001001", "530402001002", "530402001003"];
const COUNTY: &str = "530402000000";

fn setting(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The last `n` lines of the server's log, for a failure message.
fn log_tail(logs: &[std::path::PathBuf], n: usize) -> String {
    logs.iter()
        .map(|log| {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let lines: Vec<&str> = text.lines().collect();
            format!(
                "{}:\n{}",
                log.display(),
                lines[lines.len().saturating_sub(n)..].join("\n")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

/// A noise JPEG (noise does not compress): `side` 120 gives ~25 KB, 360 ~200 KB
/// (four 64 KiB chunks).
fn noise_photo(seed: u64, side: u32) -> ProcessedPhoto {
    let mut rng = StdRng::seed_from_u64(seed);
    let (w, h) = (side, side * 3 / 4);
    let img = image::RgbImage::from_fn(w, h, |_, _| image::Rgb(rng.random()));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 92)
        .write_image(&img, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    ProcessedPhoto {
        sha256: hex::encode(Sha256::digest(&jpeg)),
        perceptual_hash: zaofaxian_shared::photo::perceptual_hash(&image::DynamicImage::ImageRgb8(img)),
        width: w,
        height: h,
        quality: 92,
        jpeg,
    }
}

/// What one phone sent, kept for the checks at the end.
#[derive(Debug, Default)]
struct Sent {
    /// household name → photo hashes its report lists
    reports: BTreeMap<String, Vec<String>>,
    /// photo hash → bytes
    photos: BTreeMap<String, Vec<u8>>,
    passes: usize,
    failed_passes: usize,
    /// requests for a code and tries of the code until signed in
    sign_in_tries: usize,
    replayed: usize,
    /// Why the latest failed pass failed (shown if records are left over).
    last_failure: Option<String>,
}

struct Device {
    n: usize,
    store: Mutex<LocalStore>,
    engine: SyncEngine,
    dir: tempfile::TempDir,
}

impl Device {
    /// Writes report `k` (with a photo every third) into the outbox, as the app does
    /// when the household presses 提交.
    fn report(&self, k: usize, sent: &mut Sent) {
        let name = format!("设备{}户{k}", self.n);
        let mut photos = Vec::new();
        if k % 3 == 0 {
            let side = if k % 9 == 0 { 360 } else { 120 };
            let p = noise_photo((self.n * 10_000 + k) as u64, side);
            let pending = keep(&self.dir.path().join("photos"), &p).unwrap();
            self.store.lock().unwrap().add_photo(&pending).unwrap();
            photos.push(p.sha256.clone());
            sent.photos.insert(p.sha256, p.jpeg);
        }
        // Filed for 50 households from one phone (代为申报): each opens its own case.
        let body = json!({ "village": VILLAGES[self.n % 3], "household_name": name, "hardship": "disaster", "on_behalf": true,
            "happened_on": chrono::Utc::now().date_naive().pred_opt().unwrap(), "description": "房屋受损",
            "photos": photos });
        self.store.lock().unwrap().enqueue(RecordKind::Report, &body).unwrap();
        sent.reports.insert(name, photos);
    }

    /// Asks for a code until one is texted (logged), then tries it with one attempt
    /// secret until signed in. A try the server answered but the line lost must be
    /// answered again with the same session, never "wrong code".
    async fn sign_in(&self, logs: &[std::path::PathBuf], sent: &mut Sent) {
        let phone = format!("139{:08}", self.n);
        let masked = zaofaxian_shared::PhoneNumber::parse(&phone).unwrap().masked();
        let code = loop {
            sent.sign_in_tries += 1;
            let asked = self.engine.request_code(&phone).await;
            if let Some(code) = logs.iter().find_map(|log| last_code(log, &masked)) {
                break code;
            }
            assert!(asked.is_err(), "phone {}: the code was sent but not logged", self.n);
            tokio::time::sleep(Duration::from_millis(200)).await;
        };
        let attempt = new_sign_in_attempt();
        loop {
            sent.sign_in_tries += 1;
            match self.engine.verify_code(&phone, &code, &attempt).await {
                Ok(session) => {
                    self.store.lock().unwrap().set_session(&session).unwrap();
                    return;
                }
                Err(why) => {
                    assert!(!why.zh.contains("验证码"), "phone {}: {why:?}", self.n);
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        }
    }

    async fn sync(&self, now: i64, jitter: u32, sent: &mut Sent) {
        let r = self.engine.sync(&self.store, now, jitter, |_| {}).await.unwrap();
        sent.passes += 1;
        sent.failed_passes += usize::from(r.failure.is_some());
        if let Some(why) = r.failure {
            sent.last_failure = Some(why.zh);
        }
        sent.replayed += r.replayed;
    }

    fn all_sent(&self) -> bool {
        let c = self.store.lock().unwrap().counts().unwrap();
        c.pending == 0 && c.photos == 0
    }
}

/// The exact fault behind a sign-in that fails on a bad line: the server signed the
/// phone in, the answer never arrived, the household presses 登录 again.
#[tokio::test]
async fn a_sign_in_whose_answer_was_lost_gets_the_same_session_again() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let upstream = app.base.trim_start_matches("http://").parse().unwrap();
        let proxy = FaultProxy::start(upstream, 1, 0, Duration::from_secs(1)).await.unwrap();
        let base = format!("http://{}", proxy.addr);
        let phone = "13900000001";
        // Each press of a button makes its own connection, as in the app.
        SyncEngine::new(&base).request_code(phone).await.unwrap();
        let code = app.codes.last_code(phone);
        let attempt = new_sign_in_attempt();
        proxy.lose_next_answer();
        let lost = SyncEngine::new(&base)
            .verify_code(phone, &code, &attempt)
            .await
            .unwrap_err();
        assert_eq!(proxy.counts().cut_answers, 1, "{name}: {lost:?}");
        let session = SyncEngine::new(&base)
            .verify_code(phone, &code, &attempt)
            .await
            .unwrap_or_else(|e| panic!("{name}: the retry was refused: {e:?}"));
        let (status, me) = app.get(&session.token, "/api/v1/me").await;
        assert_eq!((status, me["login"].as_str()), (200, Some(phone)), "{name}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn reports_and_photos_survive_broken_connections_and_server_kills() {
    for db in common::backends().await {
        run(db).await;
    }
}

/// A cadre signs in through process 0 and is known to process 1 (its session cached
/// there after a request); signing out in process 0 is refused by process 1 on the very
/// next request.
async fn signed_out_in_one_is_refused_in_the_other(db: &common::TestDb, servers: &[ServerProcess]) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    zaofaxian_server::accounts::create_staff(
        db.store.as_ref(),
        "cadre",
        "村干部",
        zaofaxian_shared::Role::VillageCadre,
        VILLAGES[0].parse().unwrap(),
        "password-123",
    )
    .await
    .unwrap();
    let [one, other] = [0, 1].map(|i| format!("http://{}", servers[i].addr));
    let token = SyncEngine::new(&one)
        .staff_login("cadre", "password-123")
        .await
        .unwrap()
        .token;
    let http = reqwest::Client::new();
    let me = |base: &str| http.get(format!("{base}/api/v1/me")).bearer_auth(&token).send();
    assert_eq!(me(&other).await.unwrap().status(), 200, "{}", db.name);
    assert_eq!(me(&other).await.unwrap().status(), 200, "{}: now cached there", db.name);
    let out = http
        .post(format!("{one}/api/v1/auth/logout"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert!(out.status().is_success(), "{}: {out:?}", db.name);
    assert_eq!(
        me(&other).await.unwrap().status(),
        401,
        "{}: signed out in one process, refused by the other at once",
        db.name
    );
}

async fn run(db: common::TestDb) {
    let name = db.name;
    let devices = setting("ZAOFAXIAN_FAULT_DEVICES", 40);
    let per_device = setting("ZAOFAXIAN_FAULT_REPORTS", 50);
    let kills = setting("ZAOFAXIAN_FAULT_KILLS", 5) as u32;
    let seed = 20_261_124;
    let store = db.store.clone();
    zaofaxian_server::accounts::import_divisions(store.as_ref(), common::SAMPLE_DIVISIONS, |_| {})
        .await
        .unwrap();

    let work = tempfile::tempdir().unwrap();
    let photo_dir = work.path().join("photos");
    let logs: Vec<_> = (0..2).map(|i| work.path().join(format!("server-{i}.log"))).collect();
    let exe = std::path::Path::new(env!("CARGO_BIN_EXE_zaofaxian-server-under-test"));
    // Two processes on one database and one photo folder, behind one address.
    // On PostgreSQL, as several processes run in earnest, the photos go to one bucket of
    // the S3 emulator; on SQLite, to one folder.
    let bucket = match name {
        "postgres" => common::test_bucket::fresh_name().await,
        _ => None,
    };
    let mut servers = Vec::new();
    for log in &logs {
        let mut s = ServerProcess::new(exe, &db.url, &photo_dir, log).unwrap();
        if let Some(b) = &bucket {
            s.env.push(("ZAOFAXIAN_PHOTO_BUCKET".into(), b.clone()));
        }
        tokio::task::block_in_place(|| s.start()).unwrap();
        servers.push(s);
    }
    let upstreams = servers.iter().map(|s| s.addr).collect();
    signed_out_in_one_is_refused_in_the_other(&db, &servers).await;
    let servers: Vec<_> = servers.into_iter().map(|s| Arc::new(Mutex::new(s))).collect();
    let proxy = FaultProxy::round_robin(upstreams, seed, 15, Duration::from_secs(4))
        .await
        .unwrap();
    let base = format!("http://{}", proxy.addr);
    let started = Instant::now();

    // The killer: SIGKILL at random moments while the phones are busy, restart soon after.
    let chaos_over = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let killer = {
        let servers = servers.clone();
        let over = chaos_over.clone();
        tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut downtime = Duration::ZERO;
            for k in 0..kills {
                tokio::time::sleep(Duration::from_millis(rng.random_range(1_500..3_500))).await;
                let down = Instant::now();
                tokio::task::block_in_place(|| {
                    // The processes take turns to die; the other one serves meanwhile.
                    let mut s = servers[k as usize % servers.len()].lock().unwrap();
                    s.kill();
                    std::thread::sleep(Duration::from_millis(rng.random_range(100..600)));
                    s.start()
                })
                .unwrap();
                downtime += down.elapsed();
            }
            over.store(true, std::sync::atomic::Ordering::SeqCst);
            downtime
        })
    };

    // The phones: a few reports at a time, a sync pass after each. Their clocks run 30×
    // fast so the retry backoff (2 s doubling) does not stretch the run.
    let t0 = now_ms();
    let mut tasks = Vec::new();
    for n in 0..devices {
        let base = base.clone();
        let over = chaos_over.clone();
        let logs = logs.clone();
        tasks.push(tokio::spawn(async move {
            let dir = tempfile::tempdir().unwrap();
            let d = Device {
                n,
                store: Mutex::new(LocalStore::open(&dir.path().join("phone.sqlite")).unwrap()),
                engine: SyncEngine::with_timeouts(base, Duration::from_secs(2), Duration::from_secs(3)),
                dir,
            };
            let mut sent = Sent::default();
            let mut rng = StdRng::seed_from_u64(n as u64);
            // Households report before signing in (the outbox waits) and sign in at
            // some moment of the busy phase, through the same broken line and kills.
            let sign_in_at = Instant::now() + Duration::from_millis(rng.random_range(0..6_000));
            let mut signed_in = false;
            let mut k = 0;
            while k < per_device || !over.load(std::sync::atomic::Ordering::SeqCst) || !signed_in {
                for _ in 0..rng.random_range(1..4) {
                    if k < per_device {
                        d.report(k, &mut sent);
                        k += 1;
                    }
                }
                if !signed_in {
                    if Instant::now() < sign_in_at {
                        tokio::time::sleep(Duration::from_millis(rng.random_range(30..200))).await;
                        continue;
                    }
                    d.sign_in(&logs, &mut sent).await;
                    signed_in = true;
                }
                let warped = t0 + (now_ms() - t0) * 30;
                d.sync(warped, rng.random_range(0..1000), &mut sent).await;
                tokio::time::sleep(Duration::from_millis(rng.random_range(30..200))).await;
            }
            (d, sent)
        }));
    }
    let mut phones = Vec::new();
    for t in tasks {
        phones.push(t.await.unwrap());
    }
    let downtime = killer.await.unwrap();
    let chaos = started.elapsed();

    // Signal comes back for good: every phone sends what is left.
    proxy.calm();
    let calm_started = Instant::now();
    // A phone keeps trying while it has something to send (passes are quick when done).
    // Its clock moves an hour a pass, past the longest retry wait (30 min + spread): a
    // pass that still fails (a pooled connection from the busy phase carries its fault)
    // puts its records off, and a phone whose clock stood still would never retry them.
    const HOUR: i64 = 3_600_000;
    for (d, sent) in &mut phones {
        for pass in 0..30 {
            if d.all_sent() {
                break;
            }
            d.sync(i64::MAX / 2 + pass * HOUR, 0, sent).await;
        }
    }
    let calm = calm_started.elapsed();

    // Every report exactly once, with the photos it listed.
    let cases = store
        .cases(&CaseFilter::scope(Scope::Within(COUNTY.parse().unwrap())))
        .await
        .unwrap();
    let mut on_server: BTreeMap<String, (usize, Vec<String>)> = BTreeMap::new();
    for c in &cases {
        let e = on_server
            .entry(c.report["household_name"].as_str().unwrap().to_string())
            .or_default();
        e.0 += 1;
        e.1 = serde_json::from_value(c.report["photos"].clone()).unwrap_or_default();
        assert_eq!(c.photos_missing, 0, "{name}: {} misses photos", c.id);
    }
    let mut expected = BTreeMap::new();
    let mut photos = BTreeMap::new();
    let (mut passes, mut failed, mut replayed, mut sign_in_tries) = (0, 0, 0, 0);
    for (d, sent) in &phones {
        let counts = d.store.lock().unwrap().counts().unwrap();
        assert_eq!(
            (counts.pending, counts.rejected, counts.photos),
            (0, 0, 0),
            "{name}: phone {} still holds records (last failure: {:?}); the server's log ends:\n{}",
            d.n,
            sent.last_failure,
            log_tail(&logs, 30)
        );
        for (household, listed) in &sent.reports {
            expected.insert(household.clone(), (1usize, listed.clone()));
        }
        photos.extend(sent.photos.iter().map(|(k, v)| (k.clone(), v.clone())));
        passes += sent.passes;
        sign_in_tries += sent.sign_in_tries;
        failed += sent.failed_passes;
        replayed += sent.replayed;
    }
    let lost: Vec<_> = expected.keys().filter(|k| !on_server.contains_key(*k)).collect();
    let doubled: Vec<_> = on_server.iter().filter(|(_, (n, _))| *n > 1).map(|(k, _)| k).collect();
    assert!(lost.is_empty(), "{name}: {} reports lost: {lost:?}", lost.len());
    assert!(
        doubled.is_empty(),
        "{name}: {} reports stored twice: {doubled:?}",
        doubled.len()
    );
    assert_eq!(
        on_server, expected,
        "{name}: the server holds exactly what the phones sent"
    );
    let mut photo_bytes = 0;
    let files = match &bucket {
        Some(b) => PhotoFiles::bucket(b).unwrap(),
        None => PhotoFiles::folder(&photo_dir).unwrap(),
    };
    for (sha, bytes) in &photos {
        let stored = files
            .get(sha, Filed::Photo)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("{name}: photo {sha} missing"))
            .to_vec();
        assert_eq!(
            hex::encode(Sha256::digest(&stored)),
            *sha,
            "{name}: photo {sha} differs"
        );
        assert_eq!(&stored, bytes);
        assert!(store.photo(sha).await.unwrap().unwrap().complete, "{name}");
        photo_bytes += stored.len();
    }

    let f = proxy.counts();
    let kills_done: u32 = servers.iter().map(|s| s.lock().unwrap().kills).sum();
    let figures = format!(
        "fault run ({name}, photos in {}): {devices} phones signed in by code ({sign_in_tries} requests and tries), {} reports, {} photos ({:.1} MB); two server processes, killed {kills_done}× in turn \
         (down {:.1} s in all); proxy: {} connections, {} requests cut, {} answers cut, {} stalled, \
         {} refused while down; {passes} sync passes ({failed} failed, {replayed} lost answers replayed); \
         busy phase {:.1} s, calm flush {:.1} s; nothing lost, nothing doubled, every photo byte-identical",
        if bucket.is_some() { "a bucket" } else { "a folder" },
        expected.len(),
        photos.len(),
        photo_bytes as f64 / 1e6,
        downtime.as_secs_f64(),
        f.connections,
        f.cut_requests,
        f.cut_answers,
        f.stalled,
        f.upstream_down,
        chaos.as_secs_f64(),
        calm.as_secs_f64(),
    );
    println!("{figures}");
    // Kept for the test command to print at the end (cargo hides a passing test's output).
    let file = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("fault_figures_{name}.txt"));
    std::fs::write(file, format!("{figures}\n")).unwrap();
    // The run must really have met every kind of trouble, or it proves nothing.
    assert_eq!(kills_done, kills, "{name}");
    assert!(
        f.cut_requests > 0 && f.cut_answers > 0 && f.stalled > 0 && failed > 0,
        "{name}: {f:?}"
    );
}
