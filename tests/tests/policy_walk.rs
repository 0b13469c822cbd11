//! End to end across the crates: a case opened and advanced with the core, its
//! deadline confirmed by the running server over HTTP and by the officer's CLI,
//! and shown to the household by the app core, all agreeing.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use zaofaxian_mobile::status::status_view;
use zaofaxian_shared::lifecycle::{Channel, Ctx, Event, open, transition};
use zaofaxian_shared::{Calendar, Lang, Policy, Role};

async fn get_json(addr: SocketAddr, path: &str) -> serde_json::Value {
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(format!("GET {path} HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n").as_bytes())
        .await
        .unwrap();
    let mut buf = Vec::new();
    s.read_to_end(&mut buf).await.unwrap();
    let text = String::from_utf8(buf).unwrap();
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    serde_json::from_str(text.split_once("\r\n\r\n").unwrap().1).unwrap()
}

#[tokio::test]
async fn self_report_deadline_agrees_across_core_server_cli_and_app() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum_serve(listener).await });

    let cal = Calendar::national();
    let profile = Policy::embedded().profile_for("532932100201".parse().unwrap()).unwrap();
    let today = "2026-09-30".parse().unwrap();
    let ctx = Ctx {
        actor: Role::Household,
        today,
        calendar: cal,
        profile,
        evidence: None,
    };
    let case = open(Channel::SelfReport, &ctx).unwrap();
    let due = case.deadline.unwrap().due;
    // 2026 National Day: 10-01..07 off, 10-10 (Sat) worked.
    assert_eq!(due.to_string(), "2026-10-13"); // 10-08, 10-09, 10-10 (Sat, worked), 10-12, 10-13

    let server = get_json(addr, "/api/v1/calendar/deadline?from=2026-09-30&working_days=5").await;
    assert_eq!(server["due"], due.to_string());

    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = zaofaxian_server::cli::run(
        [
            "zaofaxian-server",
            "deadline",
            "--from",
            "2026-09-30",
            "--working-days",
            "5",
        ],
        &mut out,
        &mut err,
    );
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8(out).unwrap().lines().last(),
        Some(due.to_string().as_str())
    );

    let view = status_view(&case, cal, "2026-10-09".parse().unwrap(), Lang::Zh);
    assert_eq!(
        view.deadline.as_deref(),
        Some("入户核实期限：2026-10-13（还有3个工作日）")
    );

    // The village verifies in time; the household then sees no running deadline.
    let ctx = Ctx {
        actor: Role::VillageCadre,
        today: "2026-10-09".parse().unwrap(),
        calendar: cal,
        profile,
        evidence: None,
    };
    let verified = transition(&case, &Event::RecordVerification { at_risk: true }, &ctx).unwrap();
    let view = status_view(&verified, cal, "2026-10-09".parse().unwrap(), Lang::Zh);
    assert_eq!(view.stage, "待签署申请和授权承诺书");
    assert_eq!(view.deadline, None);
}

async fn axum_serve(listener: tokio::net::TcpListener) {
    let routes = zaofaxian_server::http::public_routes().with_state(zaofaxian_server::http::PublicState::shipped());
    zaofaxian_server::http::serve_on(listener, routes).await.unwrap();
}
