//! Phones and the desktop: the store and photos in the app's data folder.

use std::sync::Arc;
use zaofaxian_mobile::app::AppContext;
use zaofaxian_mobile::local_store::LocalStore;
use zaofaxian_mobile::location::ManualLocation;
use zaofaxian_mobile::store_api::StoreHandle;
use zaofaxian_shared::GeoPoint;

/// Where the store and photos live when `ZAOFAXIAN_APP_DATA` is not set: the app's
/// private files directory on a phone, the working directory on a desktop.
fn default_data_dir() -> String {
    if cfg!(target_os = "android") {
        // The package name is `bundle.identifier` in Dioxus.toml.
        "/data/data/cn.zaofaxian.field/files".into()
    } else if cfg!(target_os = "ios") {
        format!("{}/Documents", std::env::var("HOME").unwrap_or_default())
    } else {
        "zaofaxian-app-data".into()
    }
}

pub fn main() {
    let dir = std::env::var("ZAOFAXIAN_APP_DATA").unwrap_or_else(|_| default_data_dir());
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("无法创建数据目录 / cannot create {dir}: {e}");
        std::process::exit(1);
    }
    let store = match LocalStore::open(&std::path::Path::new(&dir).join("app.sqlite")) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let village = std::env::var("ZAOFAXIAN_VILLAGE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| "530402001001".parse().expect("valid default village"));
    // No GPS receiver on a desktop: a fixed point from the environment ("lat,lon[,accuracy_m]"),
    // otherwise the visit screen asks for one. (A phone's receiver is not wired yet.)
    let fix = std::env::var("ZAOFAXIAN_FIX").ok().and_then(|v| {
        let parts: Vec<f64> = v.split(',').filter_map(|p| p.trim().parse().ok()).collect();
        let point = GeoPoint::new(*parts.first()?, *parts.get(1)?).ok()?;
        Some(match parts.get(2) {
            Some(acc) => point.with_accuracy(*acc),
            None => point,
        })
    });
    let ctx = AppContext {
        store: StoreHandle::native(store),
        village,
        village_name: zaofaxian_mobile::app::shown_village_name(std::env::var("ZAOFAXIAN_VILLAGE_NAME").ok()),
        data_dir: dir.into(),
        location: Arc::new(ManualLocation(fix)),
        default_server: std::env::var("ZAOFAXIAN_SERVER").unwrap_or_else(|_| "http://127.0.0.1:8080".into()),
    };
    launch(ctx);
}

#[cfg(feature = "desktop")]
fn launch(ctx: AppContext) {
    let window = dioxus::desktop::WindowBuilder::new()
        .with_title("早发现 · 防返贫监测")
        .with_inner_size(dioxus::desktop::LogicalSize::new(480.0, 860.0));
    dioxus::LaunchBuilder::desktop()
        .with_cfg(dioxus::desktop::Config::new().with_window(window).with_menu(None))
        .with_context(ctx)
        .launch(zaofaxian_mobile::app::App);
}

#[cfg(all(feature = "mobile", not(feature = "desktop")))]
fn launch(ctx: AppContext) {
    dioxus::LaunchBuilder::mobile()
        .with_context(ctx)
        .launch(zaofaxian_mobile::app::App);
}

#[cfg(not(any(feature = "desktop", feature = "mobile")))]
fn launch(_: AppContext) {
    eprintln!("请用 --features desktop（或用 dx 构建手机版）/ build with --features desktop (or dx for phones)");
    std::process::exit(2);
}
