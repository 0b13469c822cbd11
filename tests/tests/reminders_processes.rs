//! Reminder texts from real server processes: two serving one database at once on a
//! working morning, then one of them killed and started again. Each account still
//! gets one digest, and the SMS stand-in receives each text once.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use common::sms_stand_in::{self, KEY, Outbox, notice_body};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, Instant};
use zaofaxian_e2e::server_process::ServerProcess;
use zaofaxian_server::store::Store;
use zaofaxian_shared::Role;

const VILLAGE: &str = "530402001001";
const CADRE_PHONE: &str = "13900001111";
const TOWNSHIP_PHONE: &str = "13900002222";

/// Texts the stand-in received for `phone` (11 digits).
fn texts_to(sent: &Outbox, phone: &str) -> Vec<String> {
    let to = format!("+86{phone}");
    let sent = sent.lock().unwrap();
    sent.iter().filter(|s| s.phone == to).filter_map(notice_body).collect()
}

/// How many reminder rounds the process logging to `log` has finished.
fn rounds(log: &Path) -> usize {
    let log = std::fs::read_to_string(log).unwrap_or_default();
    log.lines().filter(|l| l.contains("reminder round")).count()
}

/// Waits (at most 30 s) until `done` holds.
async fn until(what: &str, done: impl Fn() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < Duration::from_secs(30), "waited 30 s for {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_and_a_restart_send_each_digest_once() {
    let exe = Path::new(env!("CARGO_BIN_EXE_zaofaxian-server-under-test"));
    for app in common::apps("2025-09-25").await {
        let name = app.db.name;
        // Reported Thursday 25 September: verification is due 9 October, and on Tuesday
        // 30 September it is due on the next working day (the holiday follows).
        for (login, role, division, phone) in [
            ("cadre", Role::VillageCadre, VILLAGE, CADRE_PHONE),
            ("township", Role::Township, "530402001000", TOWNSHIP_PHONE),
        ] {
            app.staff(login, role, division).await;
            let id = app.db.store.account_by_login(login).await.unwrap().unwrap().id;
            app.db.store.set_staff_phone(&id, Some(phone)).await.unwrap();
        }
        let household = app.household("13812345678").await;
        let body = json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness",
                           "happened_on": "2025-09-20" });
        app.report(&household, "p1", body).await;

        let (provider, sent) = sms_stand_in::start().await;
        let dir = tempfile::tempdir().unwrap();
        let mut servers: Vec<ServerProcess> = (0..2)
            .map(|i| {
                let log = dir.path().join(format!("server-{i}.log"));
                let mut s = ServerProcess::new(exe, &app.db.url, &dir.path().join("photos"), &log).unwrap();
                s.env = sms_stand_in::settings(&provider, KEY)
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                s.env
                    .push(("ZAOFAXIAN_TEST_NOW".into(), "2025-09-30T09:00:00+08:00".into()));
                s.env
                    .push(("RUST_LOG".into(), "warn,zaofaxian_server::reminders=debug".into()));
                s
            })
            .collect();
        let logs: Vec<_> = (0..2).map(|i| dir.path().join(format!("server-{i}.log"))).collect();
        for s in &mut servers {
            s.start().unwrap();
        }
        until("both processes' first round", || logs.iter().all(|l| rounds(l) >= 1)).await;
        // The second process is killed and started again: its first round comes again.
        servers[1].kill();
        servers[1].start().unwrap();
        until("the restarted process's round", || rounds(&logs[1]) >= 2).await;

        assert_eq!(
            texts_to(&sent, CADRE_PHONE),
            [
                "您有1户事项今天或下个工作日到期、0户已超期，含王秀英家。上级督办0条，下级超期0户。请在早发现应用中查看处理。"
            ],
            "{name}: one digest between two processes and a restart"
        );
        assert!(
            texts_to(&sent, TOWNSHIP_PHONE).is_empty(),
            "{name}: nothing is the township's to do"
        );
        let record = app.db.store.texts_since(0).await.unwrap();
        let digests: Vec<_> = record.iter().filter(|t| t.key.starts_with("digest:")).collect();
        assert_eq!(digests.len(), 1, "{name}: {record:?}");
        assert!(digests[0].sent_at.is_some(), "{name}: recorded as sent");
        assert_eq!(digests[0].attempts, 1, "{name}: claimed once");
    }
}
