//! Hostile-client benchmark (figures, not a test): the server's peak memory while 8
//! clients send a 200 KB PNG that claims 7071×7071 RGBA with an EXIF rotation (once
//! 400 MB each), and the same with the largest canvas the server accepts; then
//! `/health` latency while 1,000 sign-ins (argon2) run.
//!
//! cargo bench -p zaofaxian-server --bench hostile_load
//! Server and clients share this process, so the peak is the whole process's (VmHWM,
//! reset before each phase through /proc/self/clear_refs).

#![allow(clippy::unwrap_used)] // a benchmark: a panic is the report

#[path = "../tests/common/mod.rs"]
mod common;

use common::TestApp;
use serde_json::json;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::time::{Duration, Instant};

/// A PNG of `side`×`side` RGBA zeros, streamed through zlib (a few hundred KB), with an
/// eXIf chunk rotating it and a text chunk making each copy's hash its own.
fn hostile_png(side: u32, tag: usize) -> Vec<u8> {
    let mut out = vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a];
    let chunk = |out: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        out.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        out.extend(kind);
        out.extend(data);
        out.extend(crc.sum().to_be_bytes());
    };
    let mut ihdr = side.to_be_bytes().to_vec();
    ihdr.extend(side.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]); // 8-bit RGBA
    chunk(&mut out, b"IHDR", &ihdr);
    // EXIF (big-endian TIFF) with Orientation = 6 (rotate 90°).
    let exif = [
        b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 0,
    ];
    chunk(&mut out, b"eXIf", &exif);
    chunk(&mut out, b"tEXt", format!("Comment\0copy {tag}").as_bytes());
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    let row = vec![0u8; side as usize * 4 + 1];
    for _ in 0..side {
        z.write_all(&row).unwrap();
    }
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> u16 {
    let sha = hex::encode(Sha256::digest(bytes));
    app.post(token, "/api/v1/photos", &json!({ "sha256": sha, "size": bytes.len() }))
        .await;
    let mut status = 0;
    for (i, chunk) in bytes.chunks(64 * 1024).enumerate() {
        let r = app
            .http
            .patch(app.url(&format!("/api/v1/photos/{sha}?offset={}", i * 64 * 1024)))
            .bearer_auth(token)
            .header("content-type", "application/octet-stream")
            .body(chunk.to_vec())
            .send()
            .await
            .unwrap();
        status = r.status().as_u16();
    }
    status
}

/// The largest photo a phone may send: 2048 × 1536, noisy (so a few MB), each its own.
fn large_jpeg(tag: usize) -> Vec<u8> {
    use image::ImageEncoder;
    let mut seed = 7u32.wrapping_add(tag as u32);
    let img = image::RgbImage::from_fn(2048, 1536, |_, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        image::Rgb([(seed >> 16) as u8, (seed >> 8) as u8, seed as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
        .write_image(&img, 2048, 1536, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

async fn photo_phase(app: &TestApp, tokens: &[String], side: u32) {
    let files: Vec<Vec<u8>> = (0..tokens.len()).map(|i| hostile_png(side, i)).collect();
    let label = format!("PNG claiming {side}×{side} RGBA, EXIF rotated");
    send_all(app, tokens, files, &label).await;
}

async fn send_all(app: &TestApp, tokens: &[String], files: Vec<Vec<u8>>, label: &str) {
    reset_peak();
    let before = peak_rss_mib();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for (token, file) in tokens.iter().zip(files.iter()) {
        let (app, token, file) = (app, token.clone(), file.clone());
        tasks.push(async move { upload(app, &token, &file).await });
    }
    let statuses = futures_join(tasks).await;
    println!(
        "8 clients × {label}, {} KB each: answers {:?}, peak RSS {:.0} MiB (from {:.0} MiB), {:.1} s",
        files[0].len() / 1024,
        statuses,
        peak_rss_mib(),
        before,
        started.elapsed().as_secs_f64()
    );
}

/// Runs the futures concurrently on this task (HTTP requests to the server running on
/// the runtime's worker threads).
async fn futures_join<F: std::future::Future>(tasks: Vec<F>) -> Vec<F::Output> {
    let mut pinned: Vec<_> = tasks.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = (0..pinned.len()).map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (i, f) in pinned.iter_mut().enumerate() {
            if done[i].is_none() {
                match f.as_mut().poll(cx) {
                    std::task::Poll::Ready(v) => done[i] = Some(v),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    done.into_iter().map(Option::unwrap).collect()
}

async fn health_phase(app: &TestApp) {
    let http = app.http.clone();
    let login_url = app.url("/api/v1/auth/login");
    let mut sign_ins = tokio::task::JoinSet::new();
    let gate = std::sync::Arc::new(tokio::sync::Semaphore::new(64));
    let started = Instant::now();
    for i in 0..1_000 {
        let (http, url, gate) = (http.clone(), login_url.clone(), gate.clone());
        sign_ins.spawn(async move {
            let _p = gate.acquire_owned().await.unwrap();
            // Distinct unknown names: each one costs a full argon2 verification.
            http.post(url)
                .json(&json!({ "login": format!("nobody-{i}"), "password": "guess" }))
                .send()
                .await
                .map(|r| r.status().as_u16())
        });
    }
    let mut latencies = Vec::new();
    while !sign_ins.is_empty() {
        let t = Instant::now();
        let r = http.get(app.url("/health")).send().await.unwrap();
        assert_eq!(r.status(), 200);
        latencies.push(t.elapsed());
        while let Some(done) = sign_ins.try_join_next() {
            done.unwrap().unwrap();
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    latencies.sort();
    let pct = |p: f64| latencies[((latencies.len() as f64 * p) as usize).min(latencies.len() - 1)];
    println!(
        "/health during 1,000 sign-ins (64 at a time, {:.1} s): {} probes, p50 {:.1} ms, p99 {:.1} ms",
        started.elapsed().as_secs_f64(),
        latencies.len(),
        pct(0.5).as_secs_f64() * 1000.0,
        pct(0.99).as_secs_f64() * 1000.0
    );
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let app = TestApp::start(common::sqlite().await, "2026-12-01").await;
        let mut tokens = Vec::new();
        for i in 0..8 {
            tokens.push(app.household(&format!("1390000{i:04}")).await);
        }
        photo_phase(&app, &tokens, 7071).await;
        // The phone's largest JPEGs before the PNGs: the allocator keeps what a phase
        // took, so the lighter phase goes first to be read on its own.
        let jpegs = (0..tokens.len()).map(large_jpeg).collect();
        send_all(&app, &tokens, jpegs, "JPEG 2048×1536 (checked from a reduced decode)").await;
        photo_phase(&app, &tokens, 2048).await;
        health_phase(&app).await;
    });
}
