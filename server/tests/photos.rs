//! Photos over the API on both backends: chunked, resumable, verified, limited,
//! and visible only to those who may see the case.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use common::pushed;
use image::ImageEncoder;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use zaofaxian_server::photo_files::Filed;
use zaofaxian_server::store::Store;
use zaofaxian_shared::wire::RecordStatus;
use zaofaxian_shared::{RecordId, Role};

const VILLAGE: &str = "530402001001";
const CHUNK: usize = 64 * 1024;

/// A noisy JPEG (noise does not compress, so it spans several chunks).
fn photo() -> Vec<u8> {
    let mut seed = 7u32;
    let img = image::RgbImage::from_fn(640, 480, |_, _| {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        image::Rgb([(seed >> 16) as u8, (seed >> 8) as u8, seed as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(&img, 640, 480, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

fn sha(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Registers and sends a whole photo in chunks; returns the last answer.
async fn upload(app: &TestApp, token: &str, bytes: &[u8]) -> (u16, Value) {
    let digest = sha(bytes);
    app.post(
        token,
        "/api/v1/photos",
        &json!({ "sha256": digest, "size": bytes.len() }),
    )
    .await;
    upload_from(app, token, &digest, bytes, 0).await
}

async fn upload_from(app: &TestApp, token: &str, digest: &str, bytes: &[u8], mut off: usize) -> (u16, Value) {
    let mut last = (0, Value::Null);
    while off < bytes.len() {
        let end = (off + CHUNK).min(bytes.len());
        last = send_chunk(app, token, digest, off, &bytes[off..end]).await;
        assert_eq!(last.0, 200, "{}", last.1);
        off = end;
    }
    last
}

async fn send_chunk(app: &TestApp, token: &str, sha: &str, offset: usize, bytes: &[u8]) -> (u16, Value) {
    let r = app
        .http
        .patch(app.url(&format!("/api/v1/photos/{sha}?offset={offset}")))
        .bearer_auth(token)
        .header("content-type", "application/octet-stream")
        .body(bytes.to_vec())
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_interrupted_upload_resumes_and_completes_the_report() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let neighbour = app.staff("neighbour", Role::VillageCadre, "530402001002").await;
        let bytes = photo();
        assert!(bytes.len() > 3 * CHUNK, "the test photo spans several chunks");
        let digest = sha(&bytes);

        // The report goes first (offline phones sync records before photos).
        let id = RecordId::new();
        let record = json!({ "id": id.to_string(), "seq": 1, "kind": "report", "body": {
            "village": VILLAGE, "household_name": "王秀英", "hardship": "disaster",
            "happened_on": "2025-11-01", "photos": [digest] } });
        let (s, r) = app
            .post(
                &household,
                "/api/v1/sync/push",
                &json!({ "device_id": "p1", "records": [record] }),
            )
            .await;
        assert_eq!(s, 200, "{r}");
        let (_, detail) = app.get(&cadre, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(
            detail["case"]["photos_missing"], 1,
            "{name}: incomplete until the photo arrives"
        );
        // The board's row says so too, and follows the photo's arrival below.
        let queue_photos = |q: serde_json::Value| {
            q["items"]
                .as_array()
                .and_then(|items| items.iter().find(|i| i["case_id"] == id.to_string()))
                .map(|i| i["photos_missing"].clone())
        };
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(queue_photos(q), Some(json!(1)), "{name}");

        let (s, st) = app
            .post(
                &household,
                "/api/v1/photos",
                &json!({ "sha256": digest, "size": bytes.len() }),
            )
            .await;
        assert_eq!((s, st["received"].as_i64()), (200, Some(0)), "{st}");
        // Two chunks, then the connection "drops".
        for off in [0, CHUNK] {
            let (s, v) = send_chunk(&app, &household, &digest, off, &bytes[off..off + CHUNK]).await;
            assert_eq!(s, 200, "{v}");
        }
        // Later the phone asks where to resume.
        let (_, st) = app.get(&household, &format!("/api/v1/photos/{digest}/status")).await;
        assert_eq!(st["received"], 2 * CHUNK);
        // Resending an old chunk is refused with the offset to use.
        let (s, v) = send_chunk(&app, &household, &digest, 0, &bytes[..CHUNK]).await;
        assert_eq!((s, v["code"].as_str()), (409, Some("offset_mismatch")));
        let (_, last) = upload_from(&app, &household, &digest, &bytes, 2 * CHUNK).await;
        assert_eq!(last["complete"], true, "{name}: {last}");
        assert_eq!(
            (last["width"].as_i64(), last["height"].as_i64()),
            (Some(640), Some(480))
        );

        let (_, detail) = app.get(&cadre, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(detail["case"]["photos_missing"], 0, "{name}");
        let (_, q) = app.get(&cadre, "/api/v1/queue").await;
        assert_eq!(
            queue_photos(q),
            Some(json!(0)),
            "{name}: the board counts the photo as arrived"
        );
        // Byte-identical for the village; invisible to the neighbouring village.
        let r = app
            .http
            .get(app.url(&format!("/api/v1/photos/{digest}")))
            .bearer_auth(&cadre)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(sha(&r.bytes().await.unwrap()), digest);
        let r = app
            .http
            .get(app.url(&format!("/api/v1/photos/{digest}/thumbnail")))
            .bearer_auth(&cadre)
            .send()
            .await
            .unwrap();
        let thumb = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
        assert_eq!((thumb.width(), thumb.height()), (320, 240));
        let r = app
            .http
            .get(app.url(&format!("/api/v1/photos/{digest}")))
            .bearer_auth(&neighbour)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{name}");
    }
}

/// The server can die after the last chunk is on disk and counted but before the
/// photo is checked (or after it was moved into place but before the database knew).
/// The phone's next pass asks from the end; the server finishes the check then.
#[tokio::test]
async fn a_photo_whose_check_was_cut_short_by_a_crash_completes_on_the_next_call() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let owner = app.get(&household, "/api/v1/me").await.1["id"]
            .as_str()
            .unwrap()
            .to_string();
        let bytes = photo();
        for moved_into_place in [false, true] {
            // A second photo for the second round.
            let bytes = if moved_into_place {
                house(85, false)
            } else {
                bytes.clone()
            };
            let digest = sha(&bytes);
            // The state a crash leaves: every byte counted, nothing verified.
            let size = bytes.len() as i64;
            app.db.store.start_photo(&digest, size, &owner, 0).await.unwrap();
            app.db.store.photo_received(&digest, 0, size).await.unwrap();
            if moved_into_place {
                app.photos.put(&digest, Filed::Photo, bytes.clone()).await.unwrap();
            } else {
                app.photos.put_chunk(&digest, 0, bytes.clone().into()).await.unwrap();
            }
            let (s, v) = app
                .post(&household, "/api/v1/photos", &json!({ "sha256": digest, "size": size }))
                .await;
            assert_eq!(
                (s, &v["complete"], &v["received"]),
                (200, &json!(false), &json!(size)),
                "{name}"
            );
            // The app then sends the (empty) rest from where the server stands.
            let (s, v) = send_chunk(&app, &household, &digest, bytes.len(), &[]).await;
            assert_eq!(
                (s, &v["complete"]),
                (200, &json!(true)),
                "{name} moved={moved_into_place}: {v}"
            );
            let stored = app.photos.get(&digest, Filed::Photo).await.unwrap().unwrap();
            assert_eq!(stored, bytes, "{name}");
            assert_eq!(
                app.photos.gather(&digest, 1).await.unwrap(),
                None,
                "{name}: chunks removed"
            );
            let r = app
                .http
                .get(app.url(&format!("/api/v1/photos/{digest}/thumbnail")))
                .bearer_auth(&household)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 200, "{name}: the thumbnail was made");
        }
        // With the file gone too, the count goes back to zero and the phone starts again.
        let other: Vec<u8> = bytes.iter().rev().copied().collect();
        let d = sha(&other);
        app.db
            .store
            .start_photo(&d, other.len() as i64, &owner, 0)
            .await
            .unwrap();
        app.db.store.photo_received(&d, 0, other.len() as i64).await.unwrap();
        let (s, v) = send_chunk(&app, &household, &d, other.len(), &[]).await;
        assert_eq!((s, v["code"].as_str()), (409, Some("hash_mismatch")), "{name}");
        assert_eq!(
            app.get(&household, &format!("/api/v1/photos/{d}/status")).await.1["received"],
            0
        );
    }
}

#[tokio::test]
async fn wrong_bytes_bombs_and_oversize_are_refused() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let token = app.household("13812345678").await;
        // Bytes that do not match the hash they were registered under.
        let bytes = photo();
        let claimed = sha(b"something else");
        app.post(
            &token,
            "/api/v1/photos",
            &json!({ "sha256": claimed, "size": bytes.len() }),
        )
        .await;
        let mut off = 0;
        let mut last = (0, Value::Null);
        while off < bytes.len() {
            let end = (off + CHUNK).min(bytes.len());
            last = send_chunk(&app, &token, &claimed, off, &bytes[off..end]).await;
            off = end;
        }
        assert_eq!(
            (last.0, last.1["code"].as_str()),
            (409, Some("hash_mismatch")),
            "{name}"
        );
        let (_, st) = app.get(&token, &format!("/api/v1/photos/{claimed}/status")).await;
        assert_eq!(
            (st["received"].as_i64(), st["complete"].as_bool()),
            (Some(0), Some(false)),
            "reset for a fresh try"
        );

        // A tiny PNG that claims 100000×100000 pixels: refused before decoding.
        let bomb = include_bytes!("data/bomb.png");
        let bomb_sha = sha(bomb);
        app.post(
            &token,
            "/api/v1/photos",
            &json!({ "sha256": bomb_sha, "size": bomb.len() }),
        )
        .await;
        let (s, v) = send_chunk(&app, &token, &bomb_sha, 0, bomb).await;
        assert_eq!((s, v["code"].as_str()), (422, Some("bad_image")), "{name}: {v}");
        assert!(v["message"]["en"].as_str().unwrap().contains("100000"), "{v}");

        // Too big to register; a chunk above the body limit; a malformed hash.
        let (s, v) = app
            .post(
                &token,
                "/api/v1/photos",
                &json!({ "sha256": sha(b"x"), "size": 200_000_000 }),
            )
            .await;
        assert_eq!((s, v["code"].as_str()), (400, Some("photo_too_large")));
        let big = sha(b"big");
        app.post(&token, "/api/v1/photos", &json!({ "sha256": big, "size": 5_000_000 }))
            .await;
        let (s, v) = send_chunk(&app, &token, &big, 0, &vec![0u8; 2 * 1024 * 1024]).await;
        assert_eq!((s, v["code"].as_str()), (413, Some("too_large")), "{name}");
        let (s, _) = app
            .post(
                &token,
                "/api/v1/photos",
                &json!({ "sha256": "../../etc/passwd", "size": 10 }),
            )
            .await;
        assert_eq!(s, 400);
        let (s, _) = app.get(&token, "/api/v1/photos/..%2F..%2Fetc%2Fpasswd/status").await;
        assert!(s == 400 || s == 404, "{s}");
    }
}

/// A home visit's housing photos belong to the case too: until they arrive the
/// case reports them missing.
#[tokio::test]
async fn a_visits_photos_count_toward_completeness() {
    for app in common::photo_apps("2025-11-03").await {
        let household = app.household("13812345678").await;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let id = RecordId::new();
        let record = json!({ "id": id.to_string(), "seq": 1, "kind": "report", "body": {
            "village": VILLAGE, "household_name": "王秀英", "hardship": "illness", "happened_on": "2025-11-01" } });
        app.post(
            &household,
            "/api/v1/sync/push",
            &json!({ "device_id": "p1", "records": [record] }),
        )
        .await;
        let bytes = photo();
        let digest = sha(&bytes);
        let visit = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true },
                            "location": { "lat": 24.35, "lon": 102.54 }, "photos": [digest] });
        let (s, v) = app.post(&cadre, &format!("/api/v1/cases/{id}/events"), &visit).await;
        assert_eq!(s, 200, "{v}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(d["case"]["photos_missing"], 1);
        assert_eq!(d["history"][1]["entry"]["photos"][0], digest.as_str());
        upload(&app, &cadre, &bytes).await;
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(d["case"]["photos_missing"], 0, "{}", app.db.name);
        // The household sees the photo of its own case.
        let r = app
            .http
            .get(app.url(&format!("/api/v1/photos/{digest}/thumbnail")))
            .bearer_auth(&household)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
}

/// A recording as a browser's MediaRecorder writes it: the WebM header, then noise.
fn voice(len: usize) -> Vec<u8> {
    let mut v = vec![0x1a, 0x45, 0xdf, 0xa3];
    v.extend((0..len).map(|i| (i * 7 % 251) as u8));
    v
}

/// A voice note (issue 16: for those who cannot write) goes up like a photo, completes
/// the report it is listed by, is served as audio to those who see the case, plays on
/// the console's case page, and is bounded.
#[tokio::test]
async fn a_voice_note_goes_up_like_a_photo_and_plays_on_the_case_page() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let household = app.household("13812345678").await;
        let recording = voice(150_000);
        let digest = sha(&recording);
        let id = RecordId::new();
        let record = json!({ "id": id.to_string(), "seq": 1, "kind": "report", "body": {
            "village": VILLAGE, "household_name": "王秀英", "hardship": "illness", "happened_on": "2025-11-01",
            "voice_note": digest } });
        let (_, v) = app
            .post(
                &household,
                "/api/v1/sync/push",
                &json!({ "device_id": "p1", "records": [record] }),
            )
            .await;
        assert_eq!(pushed(&v).status, RecordStatus::Stored, "{name}: {v}");
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(d["case"]["photos_missing"], 1, "{name}: the recording is awaited");
        let (s, last) = upload(&app, &household, &recording).await;
        assert_eq!((s, last["complete"].as_bool()), (200, Some(true)), "{name}: {last}");
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{id}")).await;
        assert_eq!(d["case"]["photos_missing"], 0, "{name}");
        let r = app
            .http
            .get(app.url(&format!("/api/v1/photos/{digest}")))
            .bearer_auth(&cadre)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["content-type"], "audio/webm", "{name}");
        assert!(
            r.bytes().await.unwrap() == recording,
            "{name}: served as it was recorded"
        );
        // No thumbnail of a sound; no look-alike check either.
        let r = app
            .http
            .get(app.url(&format!("/api/v1/photos/{digest}/thumbnail")))
            .bearer_auth(&cadre)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404, "{name}");
        let cookie = app.console_cookie("cadre", "password-123").await;
        let page = app.console_page(&cookie, &format!("/console/cases/{id}")).await;
        assert!(
            page.contains(&format!(
                "<audio controls preload=\"none\" src=\"/api/v1/photos/{digest}\""
            )),
            "{name}: {page}"
        );
        // Longer than the app ever records: refused when the last byte is in.
        let long = voice(zaofaxian_shared::voice::MAX_VOICE_BYTES);
        let long_sha = sha(&long);
        app.post(
            &household,
            "/api/v1/photos",
            &json!({ "sha256": long_sha, "size": long.len() }),
        )
        .await;
        let mut answer = (0, Value::Null);
        for off in (0..long.len()).step_by(CHUNK) {
            answer = send_chunk(
                &app,
                &household,
                &long_sha,
                off,
                &long[off..(off + CHUNK).min(long.len())],
            )
            .await;
        }
        assert_eq!(
            (answer.0, answer.1["code"].as_str()),
            (422, Some("voice_too_long")),
            "{name}: {}",
            answer.1
        );
    }
}

/// A portrait phone photo is stored landscape with an EXIF orientation tag (6: rotate
/// 90° clockwise). The server turns it upright: the dimensions and thumbnail are portrait.
#[tokio::test]
async fn exif_orientation_is_applied() {
    let app = TestApp::start(common::sqlite().await, "2025-11-03").await;
    let token = app.household("13812345678").await;
    let bytes = with_exif_orientation(&photo(), 6);
    let digest = sha(&bytes);
    let (_, last) = upload(&app, &token, &bytes).await;
    assert_eq!(
        (last["width"].as_i64(), last["height"].as_i64()),
        (Some(480), Some(640)),
        "{last}"
    );
    let r = app
        .http
        .get(app.url(&format!("/api/v1/photos/{digest}/thumbnail")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let thumb = image::load_from_memory(&r.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (240, 320));
}

/// Inserts an APP1 Exif segment with one Orientation entry after the JPEG's SOI marker.
fn with_exif_orientation(jpeg: &[u8], orientation: u16) -> Vec<u8> {
    let mut tiff = b"MM\x00\x2a\x00\x00\x00\x08".to_vec(); // big-endian TIFF, IFD at 8
    tiff.extend(1u16.to_be_bytes()); // one entry
    tiff.extend(0x0112u16.to_be_bytes()); // Orientation
    tiff.extend(3u16.to_be_bytes()); // SHORT
    tiff.extend(1u32.to_be_bytes()); // count
    tiff.extend(orientation.to_be_bytes());
    tiff.extend([0, 0]); // value padding
    tiff.extend(0u32.to_be_bytes()); // no next IFD
    let mut app1 = b"Exif\x00\x00".to_vec();
    app1.extend(tiff);
    let mut out = jpeg[..2].to_vec();
    out.extend([0xff, 0xe1]);
    out.extend(((app1.len() + 2) as u16).to_be_bytes());
    out.extend(app1);
    out.extend(&jpeg[2..]);
    out
}

/// A house photo as a JPEG at some quality; `flip` mirrors it into another picture.
fn house(quality: u8, flip: bool) -> Vec<u8> {
    let img = image::RgbImage::from_fn(800, 600, |x, y| {
        let x = if flip { 799 - x } else { x };
        if x > 250 && x < 520 && y > 300 {
            image::Rgb([150, 110, 80])
        } else if y < 300 {
            image::Rgb([90, (140 + y / 10) as u8, 220])
        } else {
            image::Rgb([70, (120 + x / 20) as u8, 60])
        }
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .write_image(&img, 800, 600, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// The same picture sent for two households (re-encoded, so another SHA-256) is
/// flagged on the case page for staff; a different picture is not; households see none.
#[tokio::test]
async fn one_picture_used_for_two_households_is_flagged() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let cadre = app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let mut cases = Vec::new();
        let mut households = Vec::new();
        for (i, bytes) in [house(90, false), house(60, false), house(90, true)]
            .into_iter()
            .enumerate()
        {
            let token = app.household(&format!("1381234567{i}")).await;
            upload(&app, &token, &bytes).await;
            let id = RecordId::new();
            let record = json!({ "id": id.to_string(), "seq": 1, "kind": "report", "body": {
                "village": VILLAGE, "household_name": format!("户{i}"), "hardship": "disaster",
                "happened_on": "2025-11-01", "photos": [sha(&bytes)] } });
            let (s, v) = app
                .post(
                    &token,
                    "/api/v1/sync/push",
                    &json!({ "device_id": format!("p{i}"), "records": [record] }),
                )
                .await;
            assert_eq!((s, pushed(&v).status), (200, RecordStatus::Stored), "{v}");
            cases.push(id.to_string());
            households.push(token);
        }
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{}", cases[0])).await;
        let same = d["same_pictures"].as_array().unwrap();
        assert_eq!(same.len(), 1, "{name}: {same:?}");
        assert_eq!(same[0]["other_case"], cases[1].as_str());
        assert!(same[0]["distance"].as_u64().unwrap() <= 6);
        let (_, d) = app.get(&cadre, &format!("/api/v1/cases/{}", cases[2])).await;
        assert_eq!(d["same_pictures"], json!([]), "{name}: a different picture");
        // The household does not learn about another household's case.
        let (_, d) = app.get(&households[0], &format!("/api/v1/cases/{}", cases[0])).await;
        assert_eq!(d["same_pictures"], json!([]), "{name}");
    }
}

/// Phones on a weak signal ask for gzip: JSON shrinks, photos (already compressed)
/// go as they are, and a client that does not ask gets plain bytes.
#[tokio::test]
async fn answers_are_gzipped_when_asked_and_photos_are_not() {
    use std::io::Read;
    let app = TestApp::start(common::sqlite().await, "2025-11-03").await;
    // A cadre files for thirty households (a household account has one open case).
    let token = app.staff("cadre", zaofaxian_shared::Role::VillageCadre, VILLAGE).await;
    let bytes = photo();
    let (s, _) = upload(&app, &token, &bytes).await;
    assert_eq!(s, 200);
    for n in 0..30 {
        let body = json!({ "device_id": "p", "records": [{ "id": RecordId::new().to_string(), "seq": n + 1,
            "kind": "report", "body": { "village": VILLAGE, "household_name": format!("农户{n}"),
            "hardship": "illness", "happened_on": "2025-10-30", "description": "住院手术，医疗支出大" } }] });
        assert_eq!(app.post(&token, "/api/v1/sync/push", &body).await.0, 200);
    }
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let get = |path: &str, gzip: bool| {
        let mut r = raw.get(app.url(path)).bearer_auth(&token);
        if gzip {
            r = r.header("accept-encoding", "gzip");
        }
        r.send()
    };
    let packed = get("/api/v1/sync/pull", true).await.unwrap();
    assert_eq!(packed.headers()["content-encoding"], "gzip");
    let packed = packed.bytes().await.unwrap();
    let plain = get("/api/v1/sync/pull", false).await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    let mut unpacked = Vec::new();
    flate2::read::GzDecoder::new(&packed[..])
        .read_to_end(&mut unpacked)
        .unwrap();
    assert_eq!(unpacked, plain);
    assert!(
        packed.len() * 4 < plain.len(),
        "{} vs {} bytes",
        packed.len(),
        plain.len()
    );
    let photo = get(&format!("/api/v1/photos/{}", sha(&bytes)), true).await.unwrap();
    assert!(
        photo.headers().get("content-encoding").is_none(),
        "a JPEG is sent as it is"
    );
    assert_eq!(photo.bytes().await.unwrap(), bytes);
}

/// Knowing a photo's SHA-256 was enough to get it: list it in your own report, then
/// download it. A listing now grants sight only when made by the photo's uploader.
#[tokio::test]
async fn a_known_hash_listed_in_someone_elses_report_gives_nothing() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let owner = app.household("13812345678").await;
        let bytes = photo();
        let digest = sha(&bytes);
        assert_eq!(upload(&app, &owner, &bytes).await.0, 200);
        let report = |who: &str, seq: i64| {
            json!({ "device_id": "p", "records": [{ "id": RecordId::new().to_string(), "seq": seq,
            "kind": "report", "body": { "village": VILLAGE, "household_name": who, "hardship": "illness",
            "happened_on": "2025-10-30", "photos": [digest] } }] })
        };
        let (_, v) = app.post(&owner, "/api/v1/sync/push", &report("王秀英", 1)).await;
        assert_eq!(pushed(&v).status, RecordStatus::Stored, "{name}: {v}");
        let thief = app.household("13912345678").await;
        let (_, v) = app.post(&thief, "/api/v1/sync/push", &report("李四", 1)).await;
        assert_eq!(
            pushed(&v).status,
            RecordStatus::Stored,
            "{name}: the listing itself is kept"
        );
        for path in [
            format!("/api/v1/photos/{digest}"),
            format!("/api/v1/photos/{digest}/thumbnail"),
        ] {
            let r = app.http.get(app.url(&path)).bearer_auth(&thief).send().await.unwrap();
            assert_eq!(r.status(), 404, "{name}: {path}");
            let r = app.http.get(app.url(&path)).bearer_auth(&owner).send().await.unwrap();
            assert_eq!(r.status(), 200, "{name}: {path}");
        }
        let cadre = app.staff("cadre", zaofaxian_shared::Role::VillageCadre, VILLAGE).await;
        let r = app
            .http
            .get(app.url(&format!("/api/v1/photos/{digest}")))
            .bearer_auth(&cadre)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{name}: the village sees the owner's photo");
    }
}

/// Starting an upload told anyone whether a hash existed and its size. Now another
/// account's start of a known hash answers exactly as a fresh one, and only sending
/// the bytes themselves grants the photo (and finishes it if its uploader had not).
#[tokio::test]
async fn a_known_hash_is_granted_only_to_whoever_sends_its_bytes() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let owner = app.household("13812345678").await;
        let bytes = photo();
        let digest = sha(&bytes);
        assert_eq!(upload(&app, &owner, &bytes).await.1["complete"], true);
        let other = app.household("13912345678").await;
        let start = |sha: String, size: usize| {
            let (app, other) = (&app, other.clone());
            async move {
                app.post(&other, "/api/v1/photos", &json!({ "sha256": sha, "size": size }))
                    .await
            }
        };
        // A wrong size and a hash nobody has get the same answer: nothing is learnt.
        let (s, known) = start(digest.clone(), 1234).await;
        let (s2, unknown) = start(sha(b"nobody has this"), 1234).await;
        assert_eq!((s, s2), (200, 200), "{name}: {known}");
        for field in ["size", "received", "complete", "width", "height"] {
            assert_eq!(known[field], unknown[field], "{name}: {field}");
        }
        assert_eq!(known["received"], 0);
        let (s, v) = app.get(&other, &format!("/api/v1/photos/{digest}/status")).await;
        assert_eq!((s, v["complete"].clone()), (200, json!(false)), "{name}: {v}");
        let download = |token: String| {
            let app = &app;
            let digest = digest.clone();
            async move {
                let r = app
                    .http
                    .get(app.url(&format!("/api/v1/photos/{digest}")))
                    .bearer_auth(token)
                    .send()
                    .await
                    .unwrap();
                (r.status().as_u16(), r.bytes().await.unwrap())
            }
        };
        assert_eq!(download(other.clone()).await.0, 404, "{name}");
        // Other bytes under the hash: refused, and still nothing.
        let mut forged = bytes.clone();
        forged[bytes.len() / 2] ^= 0xff;
        start(digest.clone(), bytes.len()).await;
        let (s, v) = send_chunk(&app, &other, &digest, 0, &forged).await;
        assert_eq!((s, v["code"].as_str()), (409, Some("hash_mismatch")), "{name}: {v}");
        assert_eq!(download(other.clone()).await.0, 404, "{name}");
        // The real bytes: the photo is the claimant's too.
        let (_, v) = upload_from(&app, &other, &digest, &bytes, 0).await;
        assert_eq!(v["complete"], true, "{name}: {v}");
        let (s, got) = download(other.clone()).await;
        assert_eq!((s, got.as_ref()), (200, bytes.as_slice()), "{name}");

        // A photo its uploader has not finished: a claimant who sends it finishes it.
        let second = house(85, true);
        let second_sha = sha(&second);
        app.post(
            &owner,
            "/api/v1/photos",
            &json!({ "sha256": second_sha, "size": second.len() }),
        )
        .await;
        assert_eq!(send_chunk(&app, &owner, &second_sha, 0, &second[..100]).await.0, 200);
        start(second_sha.clone(), second.len()).await;
        let (_, v) = upload_from(&app, &other, &second_sha, &second, 0).await;
        assert_eq!(v["complete"], true, "{name}: {v}");
        let (_, v) = app.get(&owner, &format!("/api/v1/photos/{second_sha}/status")).await;
        assert_eq!(v["complete"], true, "{name}: the uploader's photo is complete: {v}");
    }
}

/// Unfinished uploads were never cleaned and not bounded per account: now an account
/// may have 60 at once, and a week-old unfinished one is forgotten with its bytes.
#[tokio::test]
async fn unfinished_uploads_are_bounded_and_cleaned() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let token = app.household("13812345678").await;
        let mut last = (0, Value::Null);
        for i in 0..61u32 {
            let digest = sha(&i.to_be_bytes());
            last = app
                .post(&token, "/api/v1/photos", &json!({ "sha256": digest, "size": 1000 }))
                .await;
            if i < 60 {
                assert_eq!(last.0, 200, "{name}: {i}: {}", last.1);
            }
        }
        assert_eq!(
            (last.0, last.1["code"].as_str()),
            (429, Some("too_many_unfinished")),
            "{name}"
        );
        // One of them gets some bytes, then nobody finishes: a week later all are gone.
        let first = sha(&0u32.to_be_bytes());
        assert_eq!(send_chunk(&app, &token, &first, 0, &[1, 2, 3]).await.0, 200);
        assert_eq!(
            app.photos.gather(&first, 3).await.unwrap(),
            Some(vec![1, 2, 3]),
            "{name}"
        );
        app.clock.advance(chrono::Duration::days(8));
        let n = zaofaxian_server::photos::drop_stale_uploads(&app.state).await.unwrap();
        assert_eq!(n, 60, "{name}");
        assert!(app.db.store.photo(&first).await.unwrap().is_none());
        assert_eq!(
            app.photos.gather(&first, 1).await.unwrap(),
            None,
            "{name}: the partial bytes are gone"
        );
        let (s, _) = app
            .post(
                &token,
                "/api/v1/photos",
                &json!({ "sha256": sha(b"new"), "size": 1000 }),
            )
            .await;
        assert_eq!(s, 200, "{name}: the slots are free again");
    }
}
