//! The web app's figures: the first download (gzipped, file by file, against the
//! 1.5 MB budget), the time to the sign-in screen in headless Chromium, and the photo
//! pipeline in the browser (the store worker's canvas: decode with EXIF orientation,
//! 1600 px, watermark, JPEG ≤300 KB, SHA-256, perceptual hash, kept on OPFS) beside
//! the native pipeline on the same 12 MP photo.
//!
//! `scripts/bench.sh` builds the app and runs this; alone:
//! `ZAOFAXIAN_WEB_APP_DIR=… cargo bench -p zaofaxian-e2e --bench web_app`.

#![allow(clippy::unwrap_used)] // a benchmark: a panic is the report

use axum::routing::get;
use flate2::Compression;
use flate2::write::GzEncoder;
use image::{ImageEncoder, RgbImage};
use serde_json::json;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;
use zaofaxian_e2e::browser::Phone;
use zaofaxian_mobile::photo::{PipelineOptions, Watermark, find_cjk_font, process};

const RUNS: usize = 5;
const BUDGET: u64 = 1536 * 1024;

fn gzipped(bytes: &[u8]) -> u64 {
    let mut z = GzEncoder::new(Vec::new(), Compression::best());
    z.write_all(bytes).unwrap();
    z.finish().unwrap().len() as u64
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// The same 4000×3000 camera-like JPEG as the native benchmark.
fn camera_jpeg() -> Vec<u8> {
    let (w, h) = (4000u32, 3000u32);
    let mut s = 1u32;
    let img = RgbImage::from_fn(w, h, |x, y| {
        s = s.wrapping_mul(1_664_525).wrapping_add(1_013_904_223);
        let n = (s >> 27) as u8;
        image::Rgb([(x * 255 / w) as u8 / 2 + n, (y * 255 / h) as u8 / 2 + n, 120 + n])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 92)
        .write_image(&img, w, h, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn median(mut v: Vec<f64>) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[0])
}

fn watermark() -> Watermark {
    Watermark {
        taken_at: chrono::Utc::now().fixed_offset(),
        place: "红塔区荷花社区 24.35°N 102.54°E".into(),
        collector: "张三".into(),
    }
}

#[tokio::main]
async fn main() {
    let dir = std::env::var("ZAOFAXIAN_WEB_APP_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    if !dir.join("index.html").is_file() {
        eprintln!("no built web app in ZAOFAXIAN_WEB_APP_DIR: run scripts/build-web.sh first");
        std::process::exit(1);
    }
    let mut total = 0;
    for f in files(&dir) {
        let gz = gzipped(&std::fs::read(&f).unwrap());
        total += gz;
        if gz > 4096 {
            println!("{:>9} B gzipped  {}", gz, f.strip_prefix(&dir).unwrap().display());
        }
    }
    println!(
        "web app first download: {} KB gzipped (budget {} KB){}",
        total / 1024,
        BUDGET / 1024,
        if total > BUDGET { " — OVER BUDGET" } else { "" }
    );

    let input = camera_jpeg();
    let font = find_cjk_font().expect("a CJK font: apt-get install fonts-wqy-microhei");
    let mut native = Vec::new();
    let mut native_size = 0;
    for _ in 0..RUNS {
        let t = Instant::now();
        let out = process(&input, &watermark(), &font, PipelineOptions::default()).unwrap();
        native.push(t.elapsed().as_secs_f64() * 1000.0);
        native_size = out.jpeg.len();
    }

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let camera = input.clone();
    let app = zaofaxian_server::web_app::routes(Some(&dir)).route(
        "/bench/camera.jpg",
        get(move || {
            let c = camera.clone();
            async move { c }
        }),
    );
    tokio::spawn(zaofaxian_server::http::serve_on(listener, app));
    let phone = Phone::start(true).await;
    let t = Instant::now();
    phone.client.goto(&format!("{base}/app/")).await.unwrap();
    phone.wait_for("获取验证码", 60).await;
    let first_screen = t.elapsed().as_secs_f64() * 1000.0;

    // Straight to a store worker of its own (the page's app is closed first: one store
    // per origin at a time), timing each photo from the post to the answer.
    phone
        .client
        .goto(&format!("{base}/app/manifest.webmanifest"))
        .await
        .unwrap();
    let lines = watermark().lines();
    let keep =
        json!({ "worker": "keep_photo", "lines": lines, "long_side": 1600, "max_bytes": 300 * 1024 }).to_string();
    let v = phone
        .client
        .execute_async(
            "const [keep, runs, done] = arguments;
             (async () => {
               const bytes = new Uint8Array(await (await fetch('/bench/camera.jpg')).arrayBuffer());
               const w = new Worker('/app/store-worker.js', { type: 'module' });
               let id = 0;
               const call = (op, b) => new Promise((ok, fail) => {
                 w.onmessage = (e) => e.data.error ? fail(e.data.error) : ok(e.data);
                 w.postMessage({ id: ++id, op, bytes: b });
               });
               await call(JSON.stringify({ worker: 'store', call: { op: 'counts' } }));
               const times = [];
               let size = 0;
               for (let i = 0; i < runs; i++) {
                 const t = performance.now();
                 const r = await call(keep, bytes.slice());
                 times.push(performance.now() - t);
                 size = JSON.parse(r.answer).size;
               }
               return { times, size };
             })().then(done, (e) => done({ error: String(e) }));",
            vec![json!(keep), json!(RUNS)],
        )
        .await
        .unwrap();
    assert!(v.get("error").is_none(), "{v}");
    let browser: Vec<f64> = v["times"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_f64())
        .collect();
    let browser_size = v["size"].as_u64().unwrap_or(0);
    phone.stop().await;

    let (bm, bmin) = median(browser);
    let (nm, nmin) = median(native);
    println!("time to the sign-in screen (fresh profile, loopback): {first_screen:.0} ms");
    println!("input: 4000×3000 JPEG, {} KB; {RUNS} runs each", input.len() / 1024);
    println!(
        "photo pipeline in the browser (store worker, canvas): median {bm:.0} ms, min {bmin:.0} ms, output {} KB",
        browser_size / 1024
    );
    println!(
        "photo pipeline native (image crate, same machine):   median {nm:.0} ms, min {nmin:.0} ms, output {} KB",
        native_size / 1024
    );
}
