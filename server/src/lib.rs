//! Zaofaxian server: the HTTP API, storage and the county officer's command-line
//! tools. Domain rules live in `zaofaxian-shared`; handlers stay thin.

pub mod account_admin;
pub mod accounts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod board;
pub mod cases;
pub mod cli;
pub mod config;
pub mod console;
pub mod error;
pub mod household_view;
pub mod http;
pub mod import;
pub mod limits;
pub mod listen;
pub mod masking;
pub mod metrics;
pub mod openapi;
pub mod photo_files;
pub mod photos;
pub mod policy_data;
pub mod reference;
pub mod reminders;
pub mod sms;
pub mod state;
pub mod store;
pub mod texts;
pub mod web_app;
