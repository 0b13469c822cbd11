//! HTTPS served by the server itself from certificate and key files: the API, the
//! console's Secure cookie and the web app over TLS; a wrong key is refused at start
//! with a message that names the files.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use std::sync::Arc;
use zaofaxian_server::config::TlsFiles;
use zaofaxian_server::state::AppState;

/// A throwaway certificate for `localhost`, written as PEM files.
fn certificate(dir: &std::path::Path) -> (TlsFiles, reqwest::Certificate) {
    let c = rcgen::generate_simple_self_signed(vec!["localhost".to_string()]).unwrap();
    let files = TlsFiles {
        cert: dir.join("cert.pem"),
        key: dir.join("key.pem"),
    };
    std::fs::write(&files.cert, c.cert.pem()).unwrap();
    std::fs::write(&files.key, c.signing_key.serialize_pem()).unwrap();
    (files, reqwest::Certificate::from_pem(c.cert.pem().as_bytes()).unwrap())
}

async fn state(db: &common::TestDb) -> AppState {
    let state = AppState::new(
        db.store.clone(),
        Arc::new(zaofaxian_shared::SystemClock),
        Arc::new(zaofaxian_server::auth::NoSender),
        zaofaxian_server::photo_files::PhotoFiles::folder(&tempfile::tempdir().unwrap().keep()).unwrap(),
    );
    state.load_reference().await.unwrap();
    state
}

#[tokio::test]
async fn the_server_speaks_https_from_its_certificate_files() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let db = common::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let (files, root) = certificate(dir.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = zaofaxian_server::http::app(state(&db).await);
    let tls = files.clone();
    tokio::spawn(async move {
        zaofaxian_server::listen::serve(listener, app, Some(&tls), std::future::pending())
            .await
            .unwrap()
    });
    let base = format!("https://localhost:{port}");
    let client = reqwest::Client::builder()
        .add_root_certificate(root)
        .redirect(reqwest::redirect::Policy::none())
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .build()
        .unwrap();
    let mut answer = None;
    for _ in 0..50 {
        if let Ok(r) = client.get(format!("{base}/health")).send().await {
            answer = Some(r);
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let r = answer.expect("an answer over TLS");
    assert_eq!(r.status(), 200);
    assert!(r.headers().contains_key("strict-transport-security"));
    // API answers are never cached.
    let r = client.get(format!("{base}/api/v1/me")).send().await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(r.headers()["cache-control"], "no-store");
    // A client that does not trust the certificate gets nothing.
    let stranger = reqwest::Client::builder()
        .resolve("localhost", ([127, 0, 0, 1], port).into())
        .build()
        .unwrap();
    assert!(stranger.get(format!("{base}/health")).send().await.is_err());
    // The console's session cookie is Secure when it was set over TLS.
    zaofaxian_server::accounts::import_divisions(db.store.as_ref(), common::SAMPLE_DIVISIONS, |_| {})
        .await
        .unwrap();
    zaofaxian_server::accounts::create_staff(
        db.store.as_ref(),
        "county",
        "县级",
        zaofaxian_shared::Role::County,
        "530402000000".parse().unwrap(),
        "password-123",
    )
    .await
    .unwrap();
    let r = client
        .post(format!("{base}/console/login"))
        .header("origin", &base)
        .form(&[("login", "county"), ("password", "password-123")])
        .send()
        .await
        .unwrap();
    // Over HTTPS the client speaks HTTP/2, as browsers do: no Host header, the host is in
    // the request's authority (a sign-in was refused as cross-site before that was read).
    assert_eq!(r.version(), reqwest::Version::HTTP_2);
    let cookie = r.headers().get("set-cookie").unwrap_or_else(|| panic!("{r:?}"));
    let cookie = cookie.to_str().unwrap();
    assert!(cookie.contains("; Secure") && cookie.contains("HttpOnly"), "{cookie}");
    // The village poster's link is this HTTPS address (read from the HTTP/2 request's
    // authority and scheme; it said http://127.0.0.1:8080 before).
    let session = cookie.split(';').next().unwrap();
    let page = client
        .get(format!("{base}/console/poster?village=530402001001"))
        .header("cookie", session)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains(&format!("{base}/app/?village=530402001001")), "{page}");
}

#[tokio::test]
async fn a_key_that_does_not_load_stops_the_start_with_the_file_names() {
    let db = common::sqlite().await;
    let dir = tempfile::tempdir().unwrap();
    let (files, _) = certificate(dir.path());
    std::fs::write(&files.key, "not a key").unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let app = zaofaxian_server::http::app(state(&db).await);
    let err = zaofaxian_server::listen::serve(listener, app, Some(&files), std::future::pending())
        .await
        .unwrap_err();
    assert!(err.contains("key.pem") && err.contains("私钥"), "{err}");
}
