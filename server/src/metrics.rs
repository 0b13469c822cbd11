//! Metrics for an operator's Prometheus, in the OpenMetrics text format that Prometheus
//! scrapes, on a separate admin address (`ZAOFAXIAN_METRICS_ADDR`, never the public
//! one): requests and their latency by route, how long records waited on phones before
//! they reached the server, and, read from the store at each scrape, open and overdue
//! cases per county and unfinished uploads. Counters live in this process; the store's
//! figures are the same from every process.

use crate::state::AppState;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    /// The route as declared (`/api/v1/cases/{id}`), never the path with its ids.
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CountyLabels {
    county: String,
}

/// A latency histogram: 1 ms to about 16 s.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

/// This process's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RouteLabels, Histogram, fn() -> Histogram>,
    sync_lag: Histogram,
    open_cases: Family<CountyLabels, Gauge>,
    overdue_cases: Family<CountyLabels, Gauge>,
    pending_uploads: Gauge,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("zaofaxian");
        let requests = Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency);
        registry.register(
            "http_request_duration_seconds",
            "Requests by route, method and status, with their latency",
            requests.clone(),
        );
        // A minute to a month: phones offline for days are the point of the app.
        let sync_lag = Histogram::new(exponential_buckets(60.0, 4.0, 10));
        registry.register(
            "sync_lag_seconds",
            "How long a record waited on the phone before the server stored it (from its id's time)",
            sync_lag.clone(),
        );
        let open_cases = Family::<CountyLabels, Gauge>::default();
        registry.register("open_cases", "Open cases per county", open_cases.clone());
        let overdue_cases = Family::<CountyLabels, Gauge>::default();
        registry.register(
            "overdue_cases",
            "Open cases past their due date per county",
            overdue_cases.clone(),
        );
        let pending_uploads = Gauge::default();
        registry.register(
            "pending_uploads",
            "Photos and voice notes started and not finished",
            pending_uploads.clone(),
        );
        Metrics {
            registry,
            requests,
            sync_lag,
            open_cases,
            overdue_cases,
            pending_uploads,
        }
    }
}

impl Metrics {
    /// A record created on a phone at `created_ms` (its id's time) was stored at `now_ms`.
    pub fn record_stored(&self, created_ms: Option<u64>, now_ms: i64) {
        if let Some(created) = created_ms {
            let waited = (now_ms - created as i64).max(0);
            self.sync_lag.observe(waited as f64 / 1000.0);
        }
    }
}

/// Middleware: times every request of the public app by its declared route.
pub async fn track(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |p| p.as_str().to_string());
    let method = req.method().to_string();
    let started = std::time::Instant::now();
    let response = next.run(req).await;
    let labels = RouteLabels {
        method,
        route,
        status: response.status().as_u16(),
    };
    state
        .metrics
        .requests
        .get_or_create(&labels)
        .observe(started.elapsed().as_secs_f64());
    response
}

/// The text a scrape gets: the store's figures read now, then everything encoded.
pub async fn render(state: &AppState) -> crate::store::StoreResult<String> {
    let m = &state.metrics;
    let today = state.clock.today();
    m.open_cases.clear();
    m.overdue_cases.clear();
    for c in state.store.open_cases_by_county(today).await? {
        let county = CountyLabels { county: c.county };
        m.open_cases.get_or_create(&county).set(c.open);
        m.overdue_cases.get_or_create(&county).set(c.overdue);
    }
    m.pending_uploads.set(state.store.pending_uploads().await?);
    let mut text = String::new();
    prometheus_client::encoding::text::encode(&mut text, &m.registry)
        .map_err(|e| crate::store::StoreError::Corrupt(e.to_string()))?;
    Ok(text)
}

async fn scrape(State(state): State<AppState>) -> Response {
    match render(&state).await {
        Ok(text) => (
            [(
                axum::http::header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            text,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "指标读取失败 / reading the metrics failed");
            axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

/// The admin address's app: `GET /metrics` only. Bind it where only operators reach.
pub fn admin_app(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state(state)
}
