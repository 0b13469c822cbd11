//! Zaofaxian server: the HTTP API, storage and the county officer's command-line
//! tools. Domain rules live in `zaofaxian-shared`; handlers stay thin.

pub mod audit;
pub mod cli;
pub mod http;
pub mod store;
