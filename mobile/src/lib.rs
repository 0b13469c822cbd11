//! Zaofaxian field app core. The Dioxus screens, offline store and sync engine
//! come with the field-app issue; this crate already holds the UI-free logic the
//! household screen needs: where my case stands and how long the village has.

pub mod status;
