//! Prepares and checks the desktop window's walk of a home visit
//! (`scripts/smoke-desktop.sh`): the window is driven by clicks at fixed points, so
//! what a cadre would have done before the walk starts is done here, through the
//! app's own store and sync engine against a running server.
//!
//! `zaofaxian-walk-setup prepare SERVER DATA_DIR LOGIN PASSWORD` signs the cadre in,
//! files a household (干部排查) and pulls its case, then leaves the visit half done as
//! a draft on screen: everything answered and a housing photo taken, but the first
//! member's name, which the walk types. Prints the case id.

use serde_json::json;
use std::process::ExitCode;
use std::sync::Mutex;
use zaofaxian_mobile::drafts::{OPEN_VISIT_KEY, VisitDraft, visit_key};
use zaofaxian_mobile::local_store::LocalStore;
use zaofaxian_mobile::sync::SyncEngine;
use zaofaxian_mobile::visit_form::VisitForm;
use zaofaxian_mobile::worksheet_form::WorksheetForm;
use zaofaxian_shared::wire::RecordKind;
use zaofaxian_shared::{DivisionCode, Policy};

const HOUSEHOLD: &str = "Li Guiying";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let done = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["prepare", server, dir, login, password] => runtime.block_on(prepare(server, dir, login, password)),
        _ => Err("usage: zaofaxian-walk-setup prepare SERVER DATA_DIR LOGIN PASSWORD".into()),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(why) => {
            eprintln!("{why}");
            ExitCode::FAILURE
        }
    }
}

fn today() -> chrono::NaiveDate {
    zaofaxian_shared::clock::china_date(chrono::Utc::now().timestamp_millis())
}

async fn signed_in(server: &str, store: &Mutex<LocalStore>, login: &str, password: &str) -> Result<(), String> {
    let session = SyncEngine::new(server)
        .staff_login(login, password)
        .await
        .map_err(|e| e.zh)?;
    let s = store.lock().map_err(|e| e.to_string())?;
    s.set_session(&session).map_err(|e| e.to_string())?;
    s.set_server_url(server).map_err(|e| e.to_string())
}

async fn sync(server: &str, store: &Mutex<LocalStore>) -> Result<(), String> {
    let now = chrono::Utc::now().timestamp_millis();
    let r = SyncEngine::new(server)
        .sync(store, now, 0, |_| {})
        .await
        .map_err(|e| e.to_string())?;
    match r.failure {
        Some(why) => Err(format!("sync: {}", why.zh)),
        None => Ok(()),
    }
}

async fn prepare(server: &str, dir: &str, login: &str, password: &str) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let store = Mutex::new(LocalStore::open(&std::path::Path::new(dir).join("app.sqlite")).map_err(|e| e.to_string())?);
    signed_in(server, &store, login, password).await?;
    let village: DivisionCode = "530402001001".parse().map_err(|e| format!("{e:?}"))?;
    let yesterday = today().pred_opt().ok_or("no yesterday")?;
    store
        .lock()
        .map_err(|e| e.to_string())?
        .enqueue(
            RecordKind::Report,
            &json!({ "village": village, "household_name": HOUSEHOLD, "national_id": "11010519491231002X",
                     "hardship": "illness", "happened_on": yesterday, "phone": "13912345678" }),
        )
        .map_err(|e| e.to_string())?;
    sync(server, &store).await?;
    let case = store
        .lock()
        .map_err(|e| e.to_string())?
        .cases()
        .map_err(|e| e.to_string())?
        .into_iter()
        .next()
        .ok_or("the filed case was not pulled")?;

    // Everything a cadre asks at the door, but the first member's name.
    let profile = Policy::embedded().profile_for(village).map_err(|e| format!("{e:?}"))?;
    let mut form = VisitForm::new(&case.id, case.state.version, profile);
    zaofaxian_e2e::visits::answer_at_the_door(&mut form, HOUSEHOLD, "11010519491231002X", false);
    form.members[0].name.clear();
    form.signature.start(10.0, 10.0);
    form.signature.extend(200.0, 60.0);
    let photo = zaofaxian_e2e::photos::sample_photo(90);
    let kept =
        zaofaxian_mobile::photo::keep(&std::path::Path::new(dir).join("photos"), &photo).map_err(|e| e.to_string())?;
    store
        .lock()
        .map_err(|e| e.to_string())?
        .add_photo(&kept)
        .map_err(|e| e.to_string())?;
    form.photos.push(photo.sha256);
    form.fix = Some(
        zaofaxian_shared::GeoPoint::new(24.354, 102.543)
            .map_err(|e| format!("{e:?}"))?
            .with_accuracy(5.0),
    );
    let draft = VisitDraft {
        household_name: HOUSEHOLD.into(),
        village,
        form,
        worksheet: WorksheetForm {
            pension: "2400".into(),
            ..WorksheetForm::default()
        },
    };
    let now = chrono::Utc::now().timestamp_millis();
    let s = store.lock().map_err(|e| e.to_string())?;
    s.save_draft(
        &visit_key(&case.id),
        &serde_json::to_value(&draft).map_err(|e| e.to_string())?,
        now,
    )
    .map_err(|e| e.to_string())?;
    s.save_draft(OPEN_VISIT_KEY, &json!(case.id), now)
        .map_err(|e| e.to_string())?;
    println!("{}", case.id);
    Ok(())
}
