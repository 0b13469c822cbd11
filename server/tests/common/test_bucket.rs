//! A fresh bucket on the S3 emulator that the test command starts
//! (scripts/s3-emulator.sh prints its address and the `AWS_*` variables), so photo
//! tests run against object storage as well as a folder.

use zaofaxian_server::photo_files::PhotoFiles;

/// The emulator's address (`http://127.0.0.1:PORT`).
pub const ENDPOINT_VAR: &str = "ZAOFAXIAN_TEST_S3_ENDPOINT";

/// A new, empty bucket's name; None when there is no emulator and none is required
/// (the test command sets ZAOFAXIAN_REQUIRE_S3=1).
pub async fn fresh_name() -> Option<String> {
    let Ok(endpoint) = std::env::var(ENDPOINT_VAR) else {
        assert!(
            std::env::var("ZAOFAXIAN_REQUIRE_S3").is_err(),
            "ZAOFAXIAN_REQUIRE_S3 is set but {ENDPOINT_VAR} is not"
        );
        eprintln!("no {ENDPOINT_VAR}: object-storage half of this test skipped (scripts/test.sh runs it)");
        return None;
    };
    let name = format!("zfx-{}", uuid::Uuid::now_v7().simple());
    // reqwest is built without a default TLS provider (see the workspace Cargo.toml).
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The emulator takes an unsigned CreateBucket; a real bucket is made by its operator.
    let answer = reqwest::Client::new()
        .put(format!("{}/{name}", endpoint.trim_end_matches('/')))
        .send()
        .await
        .unwrap_or_else(|e| panic!("S3 emulator at {endpoint}: {e}"));
    assert!(answer.status().is_success(), "CreateBucket {name}: {}", answer.status());
    Some(name)
}

/// A photo store on a new bucket.
pub async fn fresh() -> Option<PhotoFiles> {
    let name = fresh_name().await?;
    Some(PhotoFiles::bucket(&name).unwrap())
}
