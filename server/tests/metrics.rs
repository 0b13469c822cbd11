//! Metrics on the admin address, both backends: requests by declared route (never by
//! a path with its ids), how long records waited on phones, open and overdue cases
//! per county and unfinished uploads as the store has them; none of it on the public
//! address.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use serde_json::json;
use zaofaxian_shared::Role;

const VILLAGE: &str = "530402001001";

/// The value of the sample `name` (with its labels, as written) in a scrape.
fn sample(text: &str, name: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(' '))
        .and_then(|v| v.parse().ok())
}

async fn scrape(admin: &str) -> String {
    let r = reqwest::get(format!("{admin}/metrics")).await.unwrap();
    assert_eq!(r.status(), 200);
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/openmetrics-text")
    );
    r.text().await.unwrap()
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_read_cases_and_uploads_from_the_store() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let admin = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(zaofaxian_server::http::serve_on(
            listener,
            zaofaxian_server::metrics::admin_app(app.state.clone()),
        ));

        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let household = app.household("13812345678").await;
        let body = json!({ "village": VILLAGE, "household_name": "王秀英", "hardship": "illness",
                           "happened_on": "2025-11-01" });
        let case = app.report(&household, "p1", body).await;
        let (s, _) = app.get(&cadre, &format!("/api/v1/cases/{case}")).await;
        assert_eq!(s, 200);
        let (s, _) = app.get(&cadre, "/api/v1/cases/no-such-case").await;
        assert_eq!(s, 404);
        // An upload started and not finished.
        let (s, v) = app
            .post(
                &household,
                "/api/v1/photos",
                &json!({ "sha256": "ab".repeat(32), "size": 1000 }),
            )
            .await;
        assert!(s < 300, "{name}: {v}");

        let text = scrape(&admin).await;
        let route = |method: &str, route: &str, status: u16| {
            sample(
                &text,
                &format!(
                    "zaofaxian_http_request_duration_seconds_count{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}}"
                ),
            )
        };
        assert_eq!(route("POST", "/api/v1/sync/push", 200), Some(1.0), "{name}: {text}");
        assert_eq!(route("GET", "/api/v1/cases/{id}", 200), Some(1.0), "{name}");
        assert_eq!(route("GET", "/api/v1/cases/{id}", 404), Some(1.0), "{name}");
        assert!(!text.contains("no-such-case"), "{name}: routes, not paths");
        assert_eq!(sample(&text, "zaofaxian_sync_lag_seconds_count"), Some(1.0), "{name}");
        assert_eq!(
            sample(&text, "zaofaxian_open_cases{county=\"530402000000\"}"),
            Some(1.0),
            "{name}: {text}"
        );
        assert_eq!(
            sample(&text, "zaofaxian_overdue_cases{county=\"530402000000\"}"),
            Some(0.0),
            "{name}"
        );
        assert_eq!(sample(&text, "zaofaxian_pending_uploads"), Some(1.0), "{name}");

        // Reported Monday 3 November: verification was due Monday 10 November.
        app.set_today("2025-11-12");
        let text = scrape(&admin).await;
        assert_eq!(
            sample(&text, "zaofaxian_overdue_cases{county=\"530402000000\"}"),
            Some(1.0),
            "{name}: {text}"
        );
        // Not on the public address.
        let r = app.http.get(app.url("/metrics")).send().await.unwrap();
        assert_eq!(r.status(), 404, "{name}");
    }
}
