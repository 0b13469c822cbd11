//! The app core against a real server: reports written offline survive the app being
//! killed, reach the server exactly once, and resending after a lost answer stores
//! nothing twice.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use serde_json::json;
use zaofaxian_mobile::local_store::{LocalStore, OutboxCounts};
use zaofaxian_mobile::sync::{SyncEngine, SyncState};
use zaofaxian_server::store::{CaseFilter, Scope, Store};
use zaofaxian_shared::Lang;
use zaofaxian_shared::wire::RecordKind;

fn report(n: usize) -> serde_json::Value {
    json!({ "village": "530402001001", "household_name": format!("户{n}"), "hardship": "disaster",
            "happened_on": "2025-10-30", "description": "房屋受损" })
}

async fn server_cases(app: &common::TestApp) -> usize {
    let scope = Scope::Within("530402001001".parse().unwrap());
    app.db.store.cases(&CaseFilter::scope(scope)).await.unwrap().len()
}

#[tokio::test]
async fn offline_reports_survive_a_restart_and_sync_exactly_once() {
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("phone.sqlite");
        // A village cadre's phone, filing for several households while out of signal
        // (a household account files its own hardships into one case).
        let token = app
            .staff("cadre", zaofaxian_shared::Role::VillageCadre, "530402001001")
            .await;

        // Offline: three reports written; a sync attempt finds no network.
        {
            let phone = std::sync::Mutex::new(LocalStore::open(&path).unwrap());
            phone.lock().unwrap().set_token(&token).unwrap();
            for n in 0..3 {
                phone.lock().unwrap().enqueue(RecordKind::Report, &report(n)).unwrap();
            }
            let dead = SyncEngine::new("http://127.0.0.1:9"); // nothing listens on the discard port
            let mut states = Vec::new();
            let r = dead.sync(&phone, 1_000, 500, |s| states.push(s)).await.unwrap();
            assert!(r.failure.is_some());
            let last = states.last().unwrap();
            assert!(matches!(last, SyncState::Failed { pending: 3, .. }), "{last:?}");
            assert!(
                last.label(Lang::Zh).contains("3条将自动重试"),
                "{}",
                last.label(Lang::Zh)
            );
            assert_eq!(phone.lock().unwrap().counts().unwrap().pending, 3);
            // Not due again before the backoff has passed.
            assert!(phone.lock().unwrap().due(1_001, 10).unwrap().is_empty());
        } // the app is killed here

        assert_eq!(server_cases(&app).await, 0);
        let phone = std::sync::Mutex::new(LocalStore::open(&path).unwrap());
        assert_eq!(
            phone.lock().unwrap().counts().unwrap().pending,
            3,
            "{name}: nothing lost in the restart"
        );
        let engine = SyncEngine::new(app.base.clone());
        let mut states = Vec::new();
        let r = engine.sync(&phone, 60_000, 500, |s| states.push(s)).await.unwrap();
        assert_eq!(
            (r.stored, r.replayed, r.rejected, r.failure.clone()),
            (3, 0, 0, None),
            "{name}: {r:?}"
        );
        assert!(states.contains(&SyncState::Sending { done: 3, total: 3 }));
        assert_eq!(states.last(), Some(&SyncState::UpToDate));
        assert_eq!(
            phone.lock().unwrap().counts().unwrap(),
            OutboxCounts {
                pending: 0,
                sent: 3,
                rejected: 0,
                photos: 0
            }
        );
        assert_eq!(r.pulled, 3, "the village's cases come back");
        assert_eq!(phone.lock().unwrap().cases().unwrap().len(), 3);
        assert_eq!(server_cases(&app).await, 3);

        // The answer to a push is lost (killed before it was recorded): the phone sends again.
        let lost = phone.lock().unwrap().enqueue(RecordKind::Report, &report(9)).unwrap();
        let push = json!({ "device_id": phone.lock().unwrap().device_id().unwrap(), "records": [{
            "id": lost.to_string(), "seq": phone.lock().unwrap().record(&lost.to_string()).unwrap().unwrap().seq,
            "kind": "report", "body": report(9) }] });
        let (s, _) = app.post(&token, "/api/v1/sync/push", &push).await;
        assert_eq!(s, 200);
        let r = engine.sync(&phone, 60_000, 500, |_| {}).await.unwrap();
        assert_eq!((r.stored, r.replayed), (0, 1), "{name}: the resend is a replay");
        assert_eq!(server_cases(&app).await, 4, "{name}: stored once");

        // A record the server refuses stays visible with its reason, and is not retried.
        let bad = phone.lock().unwrap().enqueue(RecordKind::Report, &json!({ "village": "530402001001", "household_name": "", "hardship": "other", "happened_on": "2025-10-30" })).unwrap();
        let r = engine.sync(&phone, 60_000, 500, |_| {}).await.unwrap();
        assert_eq!(r.rejected, 1);
        let rec = phone.lock().unwrap().record(&bad.to_string()).unwrap().unwrap();
        assert_eq!(rec.status, "rejected");
        assert!(rec.last_error.unwrap().contains("户主姓名"), "{name}");
        assert_eq!(phone.lock().unwrap().counts().unwrap().pending, 0);
    }
}
