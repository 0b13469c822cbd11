//! The app speaks HTTPS: against a real TLS server (`openssl s_server`) with a
//! self-signed certificate the handshake happens and is refused, and the user is
//! told it is the certificate, not the signal.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

use std::process::{Command, Stdio};
use zaofaxian_mobile::sync::SyncEngine;

#[tokio::test]
async fn an_untrusted_certificate_is_named_not_mistaken_for_no_signal() {
    let dir = tempfile::tempdir().unwrap();
    let (key, cert) = (dir.path().join("k.pem"), dir.path().join("c.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl (scripts/test.sh installs it)");
    assert!(made.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut server = Command::new("openssl")
        .args(["s_server", "-www", "-accept", &port.to_string(), "-cert"])
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Wait until it listens.
    for _ in 0..50 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let engine = SyncEngine::new(format!("https://127.0.0.1:{port}"));
    let err = engine.request_code("13812345678").await.unwrap_err();
    server.kill().unwrap();
    server.wait().unwrap();
    assert!(err.zh.contains("服务器证书不受信任"), "{err:?}");

    // Plain "no signal" stays what it was.
    let err = SyncEngine::new("https://127.0.0.1:9")
        .request_code("13812345678")
        .await
        .unwrap_err();
    assert!(err.zh.contains("网络不可用"), "{err:?}");
}
