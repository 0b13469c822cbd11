//! Zaofaxian field app core: everything the screens need that is not a screen.
//! The offline store and outbox, the sync engine and the household's status view.
//! (The Dioxus screens, photo pipeline and location come with the field-app issue.)

pub mod app;
pub mod backoff;
pub mod household_search;
pub mod local_store;
pub mod location;
pub mod photo;
pub mod report_form;
pub mod status;
pub mod store_api;
pub mod sync;
pub mod ui;
pub mod ui_sign_in;
pub mod ui_visit;
pub mod visit_form;
#[cfg(target_arch = "wasm32")]
pub mod web;
pub mod worksheet_form;
