//! Who may do what, endpoint by endpoint (fourteen of them): every role, in its own
//! area and in another, against one household's case (its report, photo and steps), on SQLite
//! and PostgreSQL. A case another area cannot see answers 404, as if it did not exist.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use common::TestApp;
use common::pushed;
use serde_json::{Value, json};
use zaofaxian_server::store::Store;
use zaofaxian_shared::wire::RecordStatus;
use zaofaxian_shared::{RecordId, Role};

const VILLAGE: &str = "530402001001";
const NEIGHBOUR: &str = "530402001002";
const TOWNSHIP: &str = "530402001000";
const OTHER_TOWNSHIP: &str = "530402002000";
const COUNTY: &str = "530402000000";

fn jpeg() -> Vec<u8> {
    use image::ImageEncoder;
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 5, 90]));
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(&img, 64, 48, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

/// A household's report with a photo; returns the case id. `on_behalf`: filed for a
/// neighbour, so it opens a case of its own beside the household's own.
async fn case_with_photo(app: &TestApp, owner: &str, device: &str, sha: &str, on_behalf: bool) -> String {
    let id = RecordId::new();
    let record = json!({ "id": id.to_string(), "seq": 1, "kind": "report", "body": {
        "village": VILLAGE, "household_name": "王秀英", "hardship": "illness",
        "happened_on": "2025-11-01", "photos": [sha], "on_behalf": on_behalf } });
    let (s, v) = app
        .post(
            owner,
            "/api/v1/sync/push",
            &json!({ "device_id": device, "records": [record] }),
        )
        .await;
    assert_eq!((s, pushed(&v).status), (200, RecordStatus::Stored), "{v}");
    pushed(&v).case_id.unwrap()
}

async fn status(app: &TestApp, token: &str, method: &str, path: &str, body: Option<Value>) -> u16 {
    let url = app.url(path);
    let req = match method {
        "GET" => app.http.get(url),
        _ => app.http.post(url).json(&body.unwrap_or(Value::Null)),
    };
    req.bearer_auth(token).send().await.unwrap().status().as_u16()
}

/// A console page with the session as its cookie; 303 means "sign in first".
async fn console(app: &TestApp, token: &str, path: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(app.url(path))
        .header("cookie", format!("zfx_session={token}"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn every_endpoint_for_every_role_and_area() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let owner = app.household("13812345678").await;
        let stranger = app.household("13900001111").await;
        // The owner's photo, uploaded and listed by the case.
        let bytes = jpeg();
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes));
        app.post(&owner, "/api/v1/photos", &json!({ "sha256": sha, "size": bytes.len() }))
            .await;
        let r = app
            .http
            .patch(app.url(&format!("/api/v1/photos/{sha}?offset=0")))
            .bearer_auth(&owner)
            .body(bytes.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let case = case_with_photo(&app, &owner, "owner-phone", &sha, false).await;
        let (_, me) = app.get(&owner, "/api/v1/me").await;
        let owner_id = me["id"].as_str().unwrap().to_string();

        let mut actors: Vec<(&str, String)> = vec![("owner", owner.clone()), ("stranger", stranger.clone())];
        for (login, role, division) in [
            ("cadre", Role::VillageCadre, VILLAGE),
            ("neighbour", Role::VillageCadre, NEIGHBOUR),
            ("township", Role::Township, TOWNSHIP),
            ("other-township", Role::Township, OTHER_TOWNSHIP),
            ("county", Role::County, COUNTY),
            ("department", Role::Department, COUNTY),
            ("admin", Role::Admin, COUNTY),
        ] {
            actors.push((login, app.staff(login, role, division).await));
        }

        // Expected status per actor, endpoint by endpoint:
        //   API: queue, case page, a verification on a fresh case, pull, photo thumbnail,
        //        the photo itself, its upload status, /me;
        //   console: board, case page, CSV export, monthly report, printable notice, imports.
        // The console sends a household (no console account) to sign in (303). Exports and
        // reports cover the caller's own area, so a neighbour gets its own (empty) one.
        let expected: &[(&str, [u16; 14])] = &[
            (
                "owner",
                [403, 200, 403, 200, 200, 200, 200, 200, 303, 303, 303, 303, 303, 303],
            ),
            (
                "stranger",
                [403, 404, 404, 200, 404, 404, 404, 200, 303, 303, 303, 303, 303, 303],
            ),
            (
                "cadre",
                [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 403],
            ),
            (
                "neighbour",
                [200, 404, 404, 200, 404, 404, 404, 200, 200, 404, 200, 200, 200, 403],
            ),
            (
                "township",
                [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
            ),
            (
                "other-township",
                [200, 404, 404, 200, 404, 404, 404, 200, 200, 404, 200, 200, 200, 200],
            ),
            (
                "county",
                [200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
            ),
            // A department sees its county's cases but takes no verification step.
            (
                "department",
                [200, 200, 403, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200],
            ),
            // An administrator manages accounts, not cases.
            (
                "admin",
                [403, 404, 404, 403, 404, 404, 404, 200, 403, 404, 403, 403, 403, 403],
            ),
        ];
        for (i, (who, token)) in actors.iter().enumerate() {
            // A fresh case per actor, filed by the owner for a neighbour (the daily quota
            // of such filings is not what this test is about).
            app.db
                .store
                .clear_attempts(&zaofaxian_server::limits::limit_key("proxy", &owner_id))
                .await
                .unwrap();
            let fresh = case_with_photo(&app, &owner, &format!("owner-{i}"), &sha, true).await;
            let verify = json!({ "expected_version": 0, "event": { "event": "record_verification", "at_risk": true } });
            let got = [
                status(&app, token, "GET", "/api/v1/queue", None).await,
                status(&app, token, "GET", &format!("/api/v1/cases/{case}"), None).await,
                status(
                    &app,
                    token,
                    "POST",
                    &format!("/api/v1/cases/{fresh}/events"),
                    Some(verify),
                )
                .await,
                status(&app, token, "GET", "/api/v1/sync/pull?cursor=0", None).await,
                status(&app, token, "GET", &format!("/api/v1/photos/{sha}/thumbnail"), None).await,
                status(&app, token, "GET", &format!("/api/v1/photos/{sha}"), None).await,
                status(&app, token, "GET", &format!("/api/v1/photos/{sha}/status"), None).await,
                status(&app, token, "GET", "/api/v1/me", None).await,
                console(&app, token, "/console/board").await,
                console(&app, token, &format!("/console/cases/{case}")).await,
                console(&app, token, "/console/export/cases.csv").await,
                console(&app, token, "/console/export/monthly.xlsx?month=2025-11").await,
                console(&app, token, "/console/notice").await,
                console(&app, token, "/console/imports").await,
            ];
            let want = expected.iter().find(|(w, _)| w == who).unwrap().1;
            assert_eq!(got, want, "{name}: {who}");
        }

        // What a pull shows: the owner only its own cases, the neighbour village nothing.
        for (who, token, n) in [("owner", &owner, 10usize), ("stranger", &stranger, 0)] {
            let (_, page) = app.get(token, "/api/v1/sync/pull?cursor=0&limit=500").await;
            assert_eq!(page["cases"].as_array().unwrap().len(), n, "{name}: {who}");
        }
        let neighbour = &actors.iter().find(|(w, _)| *w == "neighbour").unwrap().1;
        let (_, page) = app.get(neighbour, "/api/v1/sync/pull?cursor=0&limit=500").await;
        assert_eq!(page["cases"].as_array().unwrap().len(), 0, "{name}");
        // A cadre may file only inside their own village.
        let report = |seq: i64| {
            json!({ "device_id": "cadre-phone", "records": [{ "id": RecordId::new().to_string(), "seq": seq, "kind": "report",
                     "body": { "village": VILLAGE, "household_name": "李四", "hardship": "disaster", "happened_on": "2025-11-02" } }] })
        };
        let (_, v) = app.post(neighbour, "/api/v1/sync/push", &report(1)).await;
        assert_eq!(pushed(&v).error.unwrap().code, "forbidden", "{name}: {v}");
        let cadre = &actors.iter().find(|(w, _)| *w == "cadre").unwrap().1;
        let (_, v) = app.post(cadre, "/api/v1/sync/push", &report(1)).await;
        assert_eq!(pushed(&v).status, RecordStatus::Stored, "{name}: {v}");
        // No token, a made-up token: 401 everywhere in the API.
        for token in ["", "not-a-token"] {
            assert_eq!(status(&app, token, "GET", "/api/v1/queue", None).await, 401);
            assert_eq!(
                status(&app, token, "GET", &format!("/api/v1/cases/{case}"), None).await,
                401
            );
        }
    }
}
