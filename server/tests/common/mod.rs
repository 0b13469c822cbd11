//! Test backends: a real SQLite file in a temp dir, and a fresh database on the
//! throwaway PostgreSQL server the test command starts.

#![allow(dead_code, clippy::unwrap_used)]

use std::sync::Arc;
use zaofaxian_server::store::{SqlStore, Store};

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
    TestDb { name: "sqlite", url, store: Arc::new(store), _dir: Some(dir) }
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
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&admin).await.unwrap();
    admin.close().await;
    let url = match admin_url.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{name}"),
        None => panic!("bad URL {admin_url}"),
    };
    let store = SqlStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    Some(TestDb { name: "postgres", url, store: Arc::new(store), _dir: None })
}

/// Both backends, SQLite first.
pub async fn backends() -> Vec<TestDb> {
    let mut v = vec![sqlite().await];
    v.extend(postgres().await);
    v
}
