//! The browser: the page starts the app; the store worker loads this same module
//! only for `store_worker_call` and must not start anything.

use std::sync::Arc;
use zaofaxian_mobile::app::AppContext;
use zaofaxian_mobile::store_api::StoreHandle;
use zaofaxian_mobile::web::{self, BrowserLocation, WorkerStore};

/// The village a household reports from when the page was opened without one.
const FALLBACK_VILLAGE: &str = "530402001001";

pub fn main() {
    // In the store worker there is no window: nothing to show.
    if web_sys::window().is_none() {
        return;
    }
    // The village comes from the notice-board poster's link (`/app/?village=…`), so a
    // household never types a code.
    let village = web::param("village")
        .and_then(|v| v.parse().ok())
        .or_else(|| FALLBACK_VILLAGE.parse().ok());
    let Some(village) = village else { return };
    let ctx = AppContext {
        store: StoreHandle::Worker(WorkerStore),
        village,
        // The poster's link names the village too (`&name=…`), so the report can say where it goes.
        village_name: zaofaxian_mobile::app::shown_village_name(web::param("name")),
        data_dir: std::path::PathBuf::new(),
        location: Arc::new(BrowserLocation),
        // The API is on the origin that served the app.
        default_server: web::origin(),
    };
    dioxus::LaunchBuilder::web()
        .with_context(ctx)
        .launch(zaofaxian_mobile::app::App);
}
