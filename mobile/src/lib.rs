//! Zaofaxian field app: the Dioxus screens (`app`, `ui*`), their reducers and forms,
//! the offline store behind one async interface (`store_api`), the sync engine, the
//! photo pipeline and location. `web` is what only the browser build needs (the
//! store worker, canvas photos, geolocation).

pub mod app;
pub mod backoff;
pub mod drafts;
pub mod found_case;
pub mod household_search;
pub mod local_store;
pub mod location;
pub mod photo;
pub mod queue;
pub mod report_form;
pub mod status;
pub mod store_api;
pub mod sync;
pub mod ui;
pub mod ui_found_case;
pub mod ui_reminders;
pub mod ui_sign_in;
pub mod ui_visit;
pub mod ui_voice;
pub mod visit_form;
pub mod voice;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod worksheet_form;
