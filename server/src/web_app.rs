//! The field app for browsers at `/app/`: the files scripts/build-web.sh writes
//! (page, wasm bundle, store worker, service worker, manifest, icons), served as
//! they are. Everything is revalidated on each visit (`no-cache`): the service worker
//! keeps the app for offline starts and swaps in a new build once it has it whole.

use axum::Router;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect};
use axum::routing::get;
use std::path::Path;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// What the app may load: its own files and API, wasm compiled from its own bundle,
/// photos as blobs. Styles are inline in the app's page.
const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
img-src 'self' blob: data:; connect-src 'self'; worker-src 'self'; manifest-src 'self'; \
frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

pub fn routes<S: Clone + Send + Sync + 'static>(dir: Option<&Path>) -> Router<S> {
    let app = match dir.filter(|d| d.join("index.html").is_file()) {
        Some(d) => Router::new().fallback_service(ServeDir::new(d).append_index_html_on_directories(true)),
        None => Router::new().fallback(get(not_built)),
    };
    let app = app
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ));
    Router::new()
        .route("/app", get(|| async { Redirect::permanent("/app/") }))
        .nest_service("/app/", app)
}

async fn not_built() -> impl IntoResponse {
    (
        StatusCode::SERVICE_UNAVAILABLE,
        Html(
            "<!doctype html><meta charset=utf-8><title>早发现</title>\
             <p>手机网页版尚未构建：请在服务器上运行 scripts/build-web.sh，或设置 ZAOFAXIAN_WEB_APP_DIR。</p>\
             <p>The web app is not built: run scripts/build-web.sh on the server, or set ZAOFAXIAN_WEB_APP_DIR.</p>",
        ),
    )
}
