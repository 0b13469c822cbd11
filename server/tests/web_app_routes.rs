//! How the server hands out the field app for browsers (`/app/`) and the poster that
//! leads households to it: cache rules, the page's security policy, a missing build
//! explained, and the QR code encoding the village's own link for those who may print it.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use std::sync::Arc;
use zaofaxian_server::console::poster::{app_link, qr_svg};
use zaofaxian_server::state::AppState;
use zaofaxian_server::store::Store;
use zaofaxian_shared::Role;

const VILLAGE: &str = "530402001001";
const OTHER_VILLAGE: &str = "530402002001";
const TOWNSHIP: &str = "530402001000";

/// A server whose web app lives in `dir`; the database goes with it (keep it alive).
async fn serve_app_dir(dir: Option<std::path::PathBuf>) -> (String, common::TestDb) {
    let db = common::sqlite().await;
    let mut state = AppState::new(
        db.store.clone(),
        Arc::new(zaofaxian_shared::SystemClock),
        Arc::new(zaofaxian_server::auth::NoSender),
        zaofaxian_server::photo_files::PhotoFiles::folder(&tempfile::tempdir().unwrap().keep()).unwrap(),
    );
    state.web_app_dir = dir;
    (common::serve_state(state).await, db)
}

#[tokio::test]
async fn the_app_is_served_revalidated_under_its_own_policy_and_the_api_is_never_stored() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("index.html"), "<!doctype html><div id=main></div>").unwrap();
    std::fs::write(dir.path().join("sw.js"), "// sw").unwrap();
    std::fs::write(dir.path().join("zaofaxian_app_bg.wasm"), b"\0asm").unwrap();
    let (base, _db) = serve_app_dir(Some(dir.path().to_path_buf())).await;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = http.get(format!("{base}/app")).send().await.unwrap();
    assert_eq!(r.status(), 308);
    assert_eq!(r.headers()["location"], "/app/");
    for (path, kind) in [
        ("/app/", "text/html"),
        ("/app/?village=530402001001", "text/html"),
        ("/app/sw.js", "javascript"),
        ("/app/zaofaxian_app_bg.wasm", "application/wasm"),
    ] {
        let r = http.get(format!("{base}{path}")).send().await.unwrap();
        assert_eq!(r.status(), 200, "{path}");
        let h = r.headers();
        assert_eq!(h["cache-control"], "no-cache", "{path}");
        assert!(h["content-type"].to_str().unwrap().contains(kind), "{path}: {h:?}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("'wasm-unsafe-eval'") && csp.contains("default-src 'self'"),
            "{csp}"
        );
        assert!(!csp.contains("'unsafe-eval'"), "{csp}");
    }
    let r = http.get(format!("{base}/app/../Cargo.toml")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    let r = http.get(format!("{base}/app/missing.js")).send().await.unwrap();
    assert_eq!(r.status(), 404);
    // The API: never kept by a browser's or a service worker's cache.
    let r = http.get(format!("{base}/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn without_a_build_the_app_address_says_how_to_build_it() {
    let (base, _db) = serve_app_dir(Some("/nonexistent/web-app".into())).await;
    let r = reqwest::get(format!("{base}/app/")).await.unwrap();
    assert_eq!(r.status(), 503);
    assert!(r.text().await.unwrap().contains("scripts/build-web.sh"));
}

#[tokio::test]
async fn a_village_poster_encodes_the_apps_link_for_that_village() {
    for app in common::apps("2026-12-01").await {
        let name = app.db.name;
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        app.staff("township", Role::Township, TOWNSHIP).await;
        let cadre = app.console_cookie("cadre", "password-123").await;
        let page = app
            .console_page(&cadre, &format!("/console/poster?village={VILLAGE}"))
            .await;
        let base = app.url("");
        let village_name = app
            .db
            .store
            .division(VILLAGE.parse().unwrap())
            .await
            .unwrap()
            .unwrap()
            .name;
        let link = app_link(base.trim_end_matches('/'), VILLAGE.parse().unwrap(), &village_name);
        let query = link.split_once("/app/?").map(|(_, q)| q).unwrap_or_default();
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes()).into_owned().collect();
        assert_eq!(
            pairs,
            [
                ("village".to_string(), VILLAGE.to_string()),
                ("name".to_string(), village_name)
            ],
            "{link}"
        );
        assert!(
            page.contains(&qr_svg(&link).unwrap()),
            "{name}: the QR code is the village's link"
        );
        assert!(page.contains("12317") && page.contains("扫码申报"), "{name}");
        assert!(page.contains("不是HTTPS"), "{name}: a plain-HTTP link is flagged");
        // The board links to it.
        let board = app.console_page(&cadre, "/console/board").await;
        assert!(board.contains(&format!("/console/poster?village={VILLAGE}")), "{name}");
        // Another village's poster is not the cadre's to print; the township's villages are the township's.
        let status = |cookie: String, path: String| {
            let http = app.http.clone();
            let url = app.url(&path);
            async move {
                http.get(url)
                    .header("cookie", cookie)
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }
        };
        let other = format!("/console/poster?village={OTHER_VILLAGE}");
        assert_eq!(status(cadre.clone(), other.clone()).await, 403, "{name}");
        let township = app.console_cookie("township", "password-123").await;
        assert_eq!(
            status(township.clone(), format!("/console/poster?village={VILLAGE}")).await,
            200
        );
        assert_eq!(status(township.clone(), other).await, 403, "{name}");
        assert_eq!(
            status(township, format!("/console/poster?village={TOWNSHIP}")).await,
            400
        );
    }
}
