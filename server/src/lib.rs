//! Zaofaxian server: the HTTP API (growing issue by issue) and the county
//! officer's command-line tools. Domain rules live in `zaofaxian-shared`.

pub mod cli;
pub mod http;
