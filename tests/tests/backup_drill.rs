//! A backup drill on the embedded default: a real server on SQLite takes reports with
//! photos from cadres' phones; `admin backup` runs while the phones keep pushing; the
//! backup is restored into a fresh folder and served again. Every report acknowledged
//! before the backup began is there once, every photo byte-identical; a damaged backup
//! restores nothing.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use serde_json::json;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use zaofaxian_e2e::photos::sample_photo;
use zaofaxian_e2e::server_process::ServerProcess;
use zaofaxian_mobile::local_store::LocalStore;
use zaofaxian_mobile::sync::SyncEngine;
use zaofaxian_shared::wire::{QueueAnswer, RecordKind};

const EXE: &str = env!("CARGO_BIN_EXE_zaofaxian-server-under-test");
const VILLAGE: &str = "530402001001";
const PHONES: usize = 3;

/// Runs the server's command line on `db` and `photos`; its output, or a panic with it.
fn admin(db: &str, photos: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(EXE)
        .arg("admin")
        .args(args)
        .env("ZAOFAXIAN_DATABASE_URL", db)
        .env("ZAOFAXIAN_PHOTO_DIR", photos)
        .env("ZAOFAXIAN_PASSWORD", "drill-password-1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() { Ok(text) } else { Err(text) }
}

/// A cadre's phone with its own store.
struct Phone {
    store: Mutex<LocalStore>,
    dir: tempfile::TempDir,
    engine: SyncEngine,
}

impl Phone {
    async fn new(base: &str) -> Phone {
        let dir = tempfile::tempdir().unwrap();
        let store = Mutex::new(LocalStore::open(&dir.path().join("app.sqlite")).unwrap());
        let engine = SyncEngine::new(base);
        let session = engine.staff_login("cadre", "drill-password-1").await.unwrap();
        store.lock().unwrap().set_session(&session).unwrap();
        Phone { store, dir, engine }
    }

    /// Files a household found on rounds with a housing photo; its name and photo.
    fn file(&self, n: u32) -> (String, String, Vec<u8>) {
        let name = format!("户{n}");
        let photo = sample_photo(n);
        let kept = zaofaxian_mobile::photo::keep(&self.dir.path().join("photos"), &photo).unwrap();
        let s = self.store.lock().unwrap();
        s.add_photo(&kept).unwrap();
        let yesterday = chrono::Utc::now().date_naive().pred_opt().unwrap();
        s.enqueue(
            RecordKind::Report,
            &json!({ "village": VILLAGE, "household_name": name, "hardship": "disaster",
                     "happened_on": yesterday, "photos": [photo.sha256] }),
        )
        .unwrap();
        (name, photo.sha256, photo.jpeg)
    }

    /// Syncs; whether everything filed is acknowledged (reports and photos).
    async fn sync(&self) -> bool {
        let now = chrono::Utc::now().timestamp_millis();
        let r = self.engine.sync(&self.store, now, 0, |_| {}).await.unwrap();
        let c = self.store.lock().unwrap().counts().unwrap();
        r.failure.is_none() && c.pending == 0 && c.photos == 0
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_taken_while_phones_push_restores_every_acknowledged_report_and_photo() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let work = tempfile::tempdir().unwrap();
    let live_db = format!("sqlite://{}", work.path().join("live/zaofaxian.sqlite").display());
    let live_photos = work.path().join("live/photos");
    let divisions = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../server/data/yunnan_sample_divisions.csv"
    );
    admin(&live_db, &live_photos, &["import-divisions", divisions]).unwrap();
    admin(
        &live_db,
        &live_photos,
        &[
            "create-staff",
            "--login",
            "cadre",
            "--name",
            "张华",
            "--role",
            "village_cadre",
            "--division",
            VILLAGE,
        ],
    )
    .unwrap();
    let mut server = ServerProcess::new(Path::new(EXE), &live_db, &live_photos, &work.path().join("live.log")).unwrap();
    server.start().unwrap();
    let base = format!("http://{}", server.addr);

    // Before the backup: each phone files five households, all acknowledged.
    let mut phones = Vec::new();
    for _ in 0..PHONES {
        phones.push(Arc::new(Phone::new(&base).await));
    }
    let mut acknowledged: BTreeMap<String, (String, Vec<u8>)> = BTreeMap::new();
    for (i, phone) in phones.iter().enumerate() {
        for k in 0..5 {
            let (name, sha, bytes) = phone.file((i * 100 + k) as u32);
            acknowledged.insert(name, (sha, bytes));
        }
        assert!(phone.sync().await, "phone {i}: not everything was acknowledged");
    }

    // The backup runs while the phones go on filing and syncing.
    let pushing = Arc::new(AtomicBool::new(true));
    let mut during = Vec::new();
    for (i, phone) in phones.iter().enumerate() {
        let (phone, pushing) = (phone.clone(), pushing.clone());
        during.push(tokio::spawn(async move {
            let mut k = 0;
            while pushing.load(Ordering::Relaxed) {
                phone.file((i * 100 + 50 + k) as u32);
                phone.sync().await;
                k += 1;
            }
            k
        }));
    }
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let backup = work.path().join("backup");
    let (db, photos, dir) = (live_db.clone(), live_photos.clone(), backup.clone());
    let said = tokio::task::spawn_blocking(move || admin(&db, &photos, &["backup", dir.to_str().unwrap()]))
        .await
        .unwrap()
        .unwrap();
    pushing.store(false, Ordering::Relaxed);
    let mut filed_during = 0;
    for d in during {
        filed_during += d.await.unwrap();
    }
    assert!(filed_during > 0, "the phones pushed while the backup ran");
    assert!(said.contains("已备份"), "{said}");
    // The manifest is what `sha256sum -c` reads.
    let manifest = std::fs::read_to_string(backup.join("MANIFEST.sha256")).unwrap();
    assert!(
        manifest.lines().any(|l| l.ends_with("  zaofaxian.sqlite")),
        "{manifest}"
    );

    // A damaged copy of the backup restores nothing.
    let damaged = work.path().join("damaged");
    copy_tree(&backup, &damaged);
    let victim = manifest
        .lines()
        .find(|l| l.ends_with(".jpg") && !l.contains(".thumb."))
        .unwrap();
    let victim = damaged.join(victim.split_once("  ").unwrap().1);
    let mut bytes = std::fs::read(&victim).unwrap();
    bytes[100] ^= 0xff;
    std::fs::write(&victim, bytes).unwrap();
    let refused_db = format!("sqlite://{}", work.path().join("refused/zaofaxian.sqlite").display());
    let why = admin(
        &refused_db,
        &work.path().join("refused/photos"),
        &["restore", damaged.to_str().unwrap()],
    )
    .unwrap_err();
    assert!(why.contains("备份已损坏"), "{why}");
    assert!(
        !work.path().join("refused/zaofaxian.sqlite").exists(),
        "nothing written"
    );

    // Restored into a fresh folder and served.
    let restored_db = format!("sqlite://{}", work.path().join("restored/zaofaxian.sqlite").display());
    let restored_photos = work.path().join("restored/photos");
    let said = admin(&restored_db, &restored_photos, &["restore", backup.to_str().unwrap()]).unwrap();
    assert!(said.contains("已恢复"), "{said}");
    server.kill();
    let mut restored = ServerProcess::new(
        Path::new(EXE),
        &restored_db,
        &restored_photos,
        &work.path().join("restored.log"),
    )
    .unwrap();
    restored.start().unwrap();
    let base = format!("http://{}", restored.addr);
    let token = SyncEngine::new(&base)
        .staff_login("cadre", "drill-password-1")
        .await
        .unwrap()
        .token;
    let http = reqwest::Client::new();
    let queue: QueueAnswer = http
        .get(format!("{base}/api/v1/queue?division={VILLAGE}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for item in &queue.items {
        *names.entry(item.household_name.clone()).or_default() += 1;
    }
    for (name, (sha, bytes)) in &acknowledged {
        assert_eq!(
            names.get(name),
            Some(&1),
            "{name}: acknowledged before the backup, once"
        );
        let got = http
            .get(format!("{base}/api/v1/photos/{sha}"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(got.status(), 200, "{name}'s photo");
        assert!(
            got.bytes().await.unwrap() == bytes.as_slice(),
            "{name}'s photo is byte-identical"
        );
    }
    println!(
        "backup drill: {} reports acknowledged before the backup, {filed_during} filed while it ran, {} in the restored store",
        acknowledged.len(),
        names.len()
    );
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            copy_tree(&e.path(), &to.join(e.file_name()));
        } else {
            std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
        }
    }
}
