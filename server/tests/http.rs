//! The HTTP surface on a real socket (127.0.0.1:0).

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn start() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = zaofaxian_server::http::public_routes().with_state(zaofaxian_server::http::PublicState::shipped());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr
}

/// A minimal HTTP/1.1 GET: status code and body.
async fn get(addr: SocketAddr, path: &str) -> (u16, serde_json::Value) {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8(buf).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    (
        status,
        serde_json::from_str(body).unwrap_or(serde_json::Value::String(body.into())),
    )
}

#[tokio::test]
async fn health_reports_the_calendar_years() {
    let addr = start().await;
    let (status, body) = get(addr, "/health").await;
    assert_eq!(status, 200);
    assert_eq!(body["status"], "ok");
    assert_eq!(
        body["calendar_years"],
        serde_json::json!([2020, 2021, 2022, 2023, 2024, 2025, 2026])
    );
}

#[tokio::test]
async fn deadline_lookup_and_its_errors() {
    let addr = start().await;
    let (status, body) = get(addr, "/api/v1/calendar/deadline?from=2025-09-30&working_days=5").await;
    assert_eq!((status, body["due"].as_str()), (200, Some("2025-10-14")));
    assert_eq!(body["provisional"], false);
    // Into 2027 (no schedule shipped): weekends only, and said so.
    let (status, body) = get(addr, "/api/v1/calendar/deadline?from=2027-01-04&working_days=5").await;
    assert_eq!((status, body["due"].as_str()), (200, Some("2027-01-11")));
    assert_eq!(
        (body["provisional"].as_bool(), body["provisional_year"].as_i64()),
        (Some(true), Some(2027))
    );
    assert!(body["note"]["zh"].as_str().unwrap().contains("暂定"));
    let (status, body) = get(addr, "/api/v1/calendar/deadline?from=yesterday&working_days=5").await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "bad_query");
    assert!(body["message"]["en"].as_str().unwrap().contains("from=YYYY-MM-DD"));
}
