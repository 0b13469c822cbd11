//! The field app's core against a real server, as a household and a cadre use it:
//! sign in with a texted code, report with a photo (upload resumed after a broken
//! connection), then the cadre signs in, finds the household and records the home
//! visit, which the server checks and assesses again.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

#[path = "../../server/tests/common/mod.rs"]
mod common;

use image::{ImageEncoder, RgbImage};
use serde_json::json;
use std::sync::Mutex;
use zaofaxian_e2e::visits::answer_at_the_door;
use zaofaxian_mobile::household_search::{households, search};
use zaofaxian_mobile::local_store::LocalStore;
use zaofaxian_mobile::photo::{PipelineOptions, Watermark, find_cjk_font, keep, process};
use zaofaxian_mobile::sync::{SyncEngine, new_sign_in_attempt};
use zaofaxian_mobile::visit_form::VisitForm;
use zaofaxian_mobile::worksheet_form::WorksheetForm;
use zaofaxian_server::store::Store;
use zaofaxian_shared::wire::RecordKind;
use zaofaxian_shared::{Lang, Policy, Role};

const VILLAGE: &str = "530402001001";

fn camera_jpeg() -> Vec<u8> {
    let img = RgbImage::from_fn(1600, 1200, |x, y| {
        image::Rgb([(x % 251) as u8, (y % 241) as u8, ((x * y) % 239) as u8])
    });
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90)
        .write_image(&img, 1600, 1200, image::ExtendedColorType::Rgb8)
        .unwrap();
    out
}

#[tokio::test]
async fn a_household_reports_with_a_photo_and_a_cadre_records_the_visit() {
    for app in common::photo_apps("2025-11-03").await {
        let name = app.db.name;
        let dir = tempfile::tempdir().unwrap();
        let engine = SyncEngine::new(format!("{}/", app.base)); // a trailing slash is tolerated

        // The household signs in with a texted code; a wrong code is refused in words.
        let phone = Mutex::new(LocalStore::open(&dir.path().join("household.sqlite")).unwrap());
        engine.request_code("138 1234 5678").await.unwrap();
        let attempt = new_sign_in_attempt();
        let wrong = engine.verify_code("13812345678", "000000", &attempt).await.unwrap_err();
        assert!(wrong.zh.contains("验证码错误"), "{name}: {wrong:?}");
        let code = app.codes.last_code("13812345678");
        let session = engine.verify_code("13812345678", &code, &attempt).await.unwrap();
        assert_eq!(session.role, Role::Household);
        // The answer was lost on a bad line and the household presses 登录 again: the
        // same session, not "wrong code". Anyone else with the used code is refused.
        let again = engine.verify_code("13812345678", &code, &attempt).await.unwrap();
        assert_eq!(again.token, session.token, "{name}");
        let other = engine
            .verify_code("13812345678", &code, &new_sign_in_attempt())
            .await
            .unwrap_err();
        assert!(other.zh.contains("验证码错误"), "{name}: {other:?}");
        let short = engine.verify_code("13812345678", &code, "abc").await.unwrap_err();
        assert!(short.zh.contains("32至128位"), "{name}: {short:?}");
        phone.lock().unwrap().set_session(&session).unwrap();

        // A photo through the pipeline, kept on the phone, listed by the report.
        let wm = Watermark {
            taken_at: "2025-11-03T09:30:00+08:00".parse().unwrap(),
            place: "红塔区荷花社区".into(),
            collector: "王秀英".into(),
        };
        let processed = process(
            &camera_jpeg(),
            &wm,
            &find_cjk_font().unwrap(),
            PipelineOptions::default(),
        )
        .unwrap();
        let photo = keep(&dir.path().join("photos"), &processed).unwrap();
        assert_eq!(std::fs::read(&photo.path).unwrap(), processed.jpeg);
        phone.lock().unwrap().add_photo(&photo).unwrap();
        phone
            .lock()
            .unwrap()
            .enqueue(
                RecordKind::Report,
                &json!({ "village": VILLAGE, "household_name": "王秀英", "national_id": "11010519491231002X",
                         "hardship": "illness", "happened_on": "2025-10-30", "photos": [photo.sha256] }),
            )
            .unwrap();

        // The connection broke after the first chunk: the server holds 64 KiB.
        let (s, _) = app
            .post(
                &session.token,
                "/api/v1/photos",
                &json!({ "sha256": photo.sha256, "size": photo.size }),
            )
            .await;
        assert_eq!(s, 200);
        let first = app
            .http
            .patch(app.url(&format!("/api/v1/photos/{}?offset=0", photo.sha256)))
            .bearer_auth(&session.token)
            .body(processed.jpeg[..65536].to_vec())
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 200);

        let r = engine.sync(&phone, 0, 0, |_| {}).await.unwrap();
        assert_eq!(
            (r.photos_uploaded, r.stored, r.failure.clone()),
            (1, 1, None),
            "{name}: {r:?}"
        );
        assert_eq!(phone.lock().unwrap().counts().unwrap().photos, 0);
        let (_, status) = app
            .get(&session.token, &format!("/api/v1/photos/{}/status", photo.sha256))
            .await;
        assert_eq!(
            (status["complete"].as_bool(), status["size"].as_i64()),
            (Some(true), Some(photo.size))
        );

        // The cadre signs in with a password and pulls the village's cases.
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        assert!(engine.staff_login("cadre", "wrong-password").await.is_err());
        let cadre_session = engine.staff_login("cadre", "password-123").await.unwrap();
        assert_eq!(cadre_session.role, Role::VillageCadre);
        assert_eq!(cadre_session.division.as_deref(), Some(VILLAGE));
        let cadre = Mutex::new(LocalStore::open(&dir.path().join("cadre.sqlite")).unwrap());
        cadre.lock().unwrap().set_session(&cadre_session).unwrap();
        let r = engine.sync(&cadre, 0, 0, |_| {}).await.unwrap();
        assert_eq!(r.pulled, 1, "{name}");

        // Found by the last digits of the ID number; the list shows it masked.
        let cases = cadre.lock().unwrap().cases().unwrap();
        let list = households(&cases, &[], Lang::Zh);
        let found = search(&list, "002X");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].masked_id(), "110105********002X");
        assert_eq!(cases[0].photos_missing, 0, "{name}: the report's photo arrived");

        // The home visit, filled as on the screen, goes out with the verification.
        let village = VILLAGE.parse().unwrap();
        let mut form = VisitForm::new(
            &found[0].case_id,
            found[0].version,
            Policy::embedded().profile_for(village).unwrap(),
        );
        form.group = "3组".into();
        answer_at_the_door(&mut form, "王秀英", "11010519491231002X", false);
        form.auth_kind = zaofaxian_mobile::visit_form::AuthKind::Fingerprint;
        form.auth_note = "不识字，按手印，组长见证".into();
        form.fix = Some(
            zaofaxian_shared::GeoPoint::new(24.354, 102.543)
                .unwrap()
                .with_accuracy(5.0),
        );
        let sheet = WorksheetForm {
            pension: "2400".into(),
            ..WorksheetForm::default()
        };
        let today = "2025-11-03".parse().unwrap();
        let visit = form.to_visit(village, today, &sheet).unwrap();
        let preview = form.preview(Policy::embedded(), village, today, &sheet).unwrap();
        assert!(preview.eligible, "{name}: 2,400 a year is under the line");
        // The household applied with the same fingerprint: the application follows the
        // verification in the outbox, so the case goes on to the appraisal.
        let application = form.application_body(preview.eligible).expect("applied");
        {
            let c = cadre.lock().unwrap();
            c.enqueue(RecordKind::CaseEvent, &form.event_body(&visit, preview.eligible))
                .unwrap();
            c.enqueue(RecordKind::CaseEvent, &application).unwrap();
        }
        let r = engine.sync(&cadre, 0, 0, |_| {}).await.unwrap();
        assert_eq!((r.stored, r.rejected), (2, 0), "{name}: {r:?}");
        let stage = cadre.lock().unwrap().cases().unwrap()[0].state.stage;
        assert_eq!(
            stage,
            zaofaxian_shared::Stage::AwaitingAppraisal,
            "{name}: no second signing to wait for"
        );

        // The list now knows the group and the home location from this visit.
        let (cases, visits) = {
            let c = cadre.lock().unwrap();
            (c.cases().unwrap(), c.visits().unwrap())
        };
        let list = households(&cases, &visits, Lang::Zh);
        assert_eq!(search(&list, "3组").len(), 1);
        assert!(list[0].home.is_some());
        assert_eq!(
            list[0].stage, "待村级评议",
            "{name}: the pulled case moved on, past the signing"
        );

        let (_, d) = app
            .get(&session.token, &format!("/api/v1/cases/{}", found[0].case_id))
            .await;
        let entry = &d["history"][1]["entry"];
        assert_eq!(entry["visit"]["members"][0]["name"], "王秀英");
        assert_eq!(
            entry["assessment"]["eligible"], preview.eligible,
            "{name}: the server agrees with the phone"
        );
        assert_eq!(entry["location"]["lat"], 24.354);
    }
}

/// 干部排查: a cadre finds a household on their rounds with no signal, files it and
/// records its home visit at once on the core's copy of the case; when the signal
/// comes back both go, in order, and the server's case is the one the phone made.
#[tokio::test]
async fn a_household_found_on_rounds_is_filed_and_visited_offline() {
    use zaofaxian_mobile::found_case::{filing_village, provisional_case};
    use zaofaxian_mobile::report_form::{Action, ReportDraft, reduce};
    use zaofaxian_shared::reference::InForce;
    use zaofaxian_shared::report::Hardship;
    for app in common::apps("2025-11-03").await {
        let name = app.db.name;
        let dir = tempfile::tempdir().unwrap();
        let engine = SyncEngine::new(app.base.clone());
        app.staff("cadre", Role::VillageCadre, VILLAGE).await;
        let session = engine.staff_login("cadre", "password-123").await.unwrap();
        let cadre = Mutex::new(LocalStore::open(&dir.path().join("cadre.sqlite")).unwrap());
        cadre.lock().unwrap().set_session(&session).unwrap();
        let today = "2025-11-03".parse().unwrap();

        // The form as the cadre fills it; a bad phone number is said before anything is kept.
        let village = filing_village(session.division.as_deref()).unwrap();
        let mut d = ReportDraft::new(village);
        for a in [
            Action::Name("赵六".into()),
            Action::NationalId("11010519491231002X".into()),
            Action::Phone("12345".into()),
            Action::Pick(Hardship::Accident),
            Action::Date("2025-10-30".parse().unwrap()),
            Action::Group("2组".into()),
        ] {
            d = reduce(d, a, today);
        }
        assert!(d.to_report(today).is_err(), "{name}: the phone is no mobile number");
        d = reduce(d, Action::Phone("13912345678".into()), today);
        let report = d.to_report(today).unwrap();
        let id = cadre
            .lock()
            .unwrap()
            .enqueue(RecordKind::Report, &serde_json::to_value(&report).unwrap())
            .unwrap()
            .to_string();
        let case = provisional_case(&id, &report, Role::VillageCadre, &InForce::shipped(), today).unwrap();

        // The visit on that case, before any signal.
        let mut form = VisitForm::new(
            &case.id,
            case.state.version,
            Policy::embedded().profile_for(village).unwrap(),
        );
        answer_at_the_door(&mut form, "赵六", "11010519491231002X", true);
        form.auth_kind = zaofaxian_mobile::visit_form::AuthKind::Fingerprint;
        form.auth_note = "按手印，组长见证".into();
        let sheet = WorksheetForm {
            pension: "2400".into(),
            ..WorksheetForm::default()
        };
        let visit = form.to_visit(village, today, &sheet).unwrap();
        {
            let c = cadre.lock().unwrap();
            c.enqueue(RecordKind::CaseEvent, &form.event_body(&visit, true))
                .unwrap();
            c.enqueue(RecordKind::CaseEvent, &form.application_body(true).unwrap())
                .unwrap();
        }

        let r = engine.sync(&cadre, 0, 0, |_| {}).await.unwrap();
        assert_eq!((r.stored, r.rejected), (3, 0), "{name}: {r:?}");
        let on_server = app.db.store.case(&id).await.unwrap().unwrap();
        assert_eq!(on_server.state.channel, zaofaxian_shared::Channel::CadreVisit, "{name}");
        assert_eq!(
            on_server.state.stage,
            zaofaxian_shared::Stage::AwaitingAppraisal,
            "{name}"
        );
        assert_eq!(on_server.report["group"], "2组");
        assert_eq!(
            on_server.state.opened_on, case.state.opened_on,
            "{name}: the phone's copy was the server's"
        );
    }
}
