//! Serving the app: plain HTTP (on localhost, or behind the county's own HTTPS proxy,
//! which says so with `X-Forwarded-Proto`), or HTTPS from a certificate and key file.
//! Phones' browsers give the field app GPS and offline start only over HTTPS.

use crate::config::TlsFiles;
use axum::Router;
use axum::http::{HeaderName, HeaderValue, header};
use axum_server::tls_rustls::RustlsConfig;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;
use tower_http::set_header::{SetRequestHeaderLayer, SetResponseHeaderLayer};

/// Serves `app` on `listener` until `shutdown` completes (requests in flight get
/// ten seconds to finish over HTTPS).
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    tls: Option<&TlsFiles>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), String> {
    let Some(files) = tls else {
        return axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| e.to_string());
    };
    let _ = rustls::crypto::ring::default_provider().install_default();
    let config = RustlsConfig::from_pem_file(&files.cert, &files.key)
        .await
        .map_err(|e| {
            format!(
                "HTTPS 证书或私钥无法读取 / cannot read the HTTPS certificate or key ({}, {}): {e}",
                files.cert.display(),
                files.key.display()
            )
        })?;
    // Every request here came over TLS: the same rule as behind a proxy (Secure cookies),
    // and browsers are told to keep to HTTPS.
    let app = app
        .layer(SetRequestHeaderLayer::overriding(
            HeaderName::from_static("x-forwarded-proto"),
            HeaderValue::from_static("https"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    let handle = axum_server::Handle::new();
    let stopping = handle.clone();
    tokio::spawn(async move {
        shutdown.await;
        stopping.graceful_shutdown(Some(Duration::from_secs(10)));
    });
    let listener = listener.into_std().map_err(|e| e.to_string())?;
    axum_server::tls_rustls::from_tcp_rustls(listener, config)
        .map_err(|e| e.to_string())?
        .handle(handle)
        .serve(app.into_make_service_with_connect_info::<SocketAddr>())
        .await
        .map_err(|e| e.to_string())
}
