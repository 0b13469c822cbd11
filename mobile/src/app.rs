//! The whole app over the offline store: sign-in, household mode (report, my case)
//! and cadre mode (queue, households, home visit), with a sync loop in the
//! background. Platform launchers (desktop `main`, phones via `dx`) only start this.

use crate::drafts::{Drafts, OPEN_VISIT_KEY, REMEMBERED_NAME_KEY, REPORT_KEY, VisitDraft, report_row, visit_key};
use crate::household_search::{HouseholdEntry, households};
use crate::local_store::{PendingPhoto, Session};
use crate::location::LocationProvider;
use crate::report_form::{Action, ReportDraft, reduce};
use crate::status::status_view;
use crate::store_api::{Store, StoreCall, StoreExt, StoreHandle};
use crate::sync::{SyncEngine, SyncState};
use crate::ui::{CadreQueue, CaseStatusCard, HouseholdList, ReportWizard, SyncBadge, UnfinishedVisits, t};
use crate::ui_sign_in::{ServerSettings, SignIn, Who};
use crate::ui_visit::VisitScreen;
use crate::visit_form::VisitForm;
use crate::worksheet_form::WorksheetForm;
use chrono::{Datelike, FixedOffset};
use dioxus::prelude::*;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use zaofaxian_shared::lifecycle::CaseState;
use zaofaxian_shared::reference::InForce;
use zaofaxian_shared::wire::{CaseRecord, HouseholdFacing, RecordKind};
use zaofaxian_shared::{Clock, DivisionCode, Lang, Role, SystemClock, Text};

/// Larger type and touch targets than the platform default: many users are elderly.
pub const STYLE: &str = "
body { font-family: 'Noto Sans CJK SC', 'WenQuanYi Micro Hei', sans-serif; margin: 0; background: #f6f4ef; color: #222; }
header { display: flex; justify-content: space-between; align-items: center; padding: 12px 16px; background: #b22222; color: white; }
header h1 { font-size: 26px; margin: 0; }
main { padding: 16px; max-width: 720px; margin: auto; }
.big { font-size: 22px; }
.choices { display: grid; grid-template-columns: 1fr 1fr; gap: 12px; }
button { min-height: 56px; border-radius: 10px; border: 2px solid #b22222; background: white; padding: 8px 16px; }
button.primary, .choice.selected { background: #b22222; color: white; }
input.big { width: 100%; min-height: 48px; box-sizing: border-box; }
label { display: block; font-size: 20px; margin-top: 12px; }
label.check input { width: 28px; height: 28px; vertical-align: middle; }
.summary { font-size: 22px; }
.nav { display: flex; justify-content: space-between; margin-top: 16px; }
.sync { padding: 4px 10px; border-radius: 8px; background: #fff3; }
.sync.failed { background: #ffd54f; color: #222; }
.error { color: #b00020; font-size: 20px; }
.case, .queue { background: white; border-radius: 12px; padding: 12px 16px; margin: 12px 0; }
.overdue { border-left: 6px solid #b00020; }
.row { display: flex; gap: 12px; padding: 8px 0; border-bottom: 1px solid #eee; align-items: center; flex-wrap: wrap; }
.tabs { display: flex; gap: 8px; margin-bottom: 8px; }
.badge { display: inline-block; min-width: 22px; margin-left: 6px; padding: 0 6px; border-radius: 11px; background: #b00020; color: white; font-size: 16px; line-height: 22px; }
.reminders { background: #fff3cd; border-radius: 12px; padding: 8px 16px; margin: 12px 0; font-size: 18px; }
.reminders li.overdue { color: #b00020; border-left: none; }
.visit-part, .sign-in, .households, .member { background: white; border-radius: 12px; padding: 8px 16px; margin: 12px 0; border: 1px solid #e6e0d6; }
.exclusion.unanswered, .tri.unanswered { border-left: 6px solid #ffb300; padding-left: 8px; }
.tri { display: flex; justify-content: space-between; align-items: center; gap: 8px; margin-top: 10px; font-size: 20px; flex-wrap: wrap; }
.tri .answers button { min-width: 64px; margin-left: 6px; font-size: 20px; }
label.check { display: flex; align-items: center; gap: 8px; width: fit-content; }
.warn { background: #fff3cd; padding: 8px; font-size: 20px; }
.signature { background: #fff; border: 2px dashed #999; touch-action: none; width: 100%; height: auto; aspect-ratio: 5 / 2; box-sizing: border-box; display: block; }
.part-index ol { display: grid; grid-template-columns: 1fr 1fr; gap: 6px; padding: 0; list-style: none; margin: 4px 0 8px; }
.part-index li a { display: block; padding: 10px 8px; border-radius: 8px; background: white; border: 1px solid #e6e0d6; color: #222; text-decoration: none; font-size: 18px; }
.part-index li.missing a { border-left: 6px solid #ffb300; }
.part-index li.done a { border-left: 6px solid #2e7d32; }
.authorization-text { margin: 8px 0; padding: 8px 12px; background: #faf7f0; border-left: 4px solid #b22222; font-size: 18px; line-height: 1.6; }
.button-like { border: 2px solid #b22222; border-radius: 10px; padding: 12px; text-align: center; background: white; }
.button-like { display: block; font-size: 22px; cursor: pointer; }
.button-like input { display: block; margin: 8px auto 0; font-size: 16px; width: 100%; box-sizing: border-box; }
.choices > label { min-width: 0; overflow: hidden; }
.skip { width: 100%; margin-top: 16px; }
.sign-in > button { margin-top: 12px; }
.sign-in > button.primary { width: 100%; }
.hint { color: #555; }
header button, .bar button { min-height: 40px; padding: 4px 10px; margin-left: 6px; white-space: nowrap; }
.calendar-nav { display: flex; justify-content: space-between; align-items: center; margin-top: 12px; }
.calendar-nav button { min-height: 48px; white-space: nowrap; padding: 4px 10px; font-size: 18px; }
.calendar-nav .month { white-space: nowrap; }
header > span { display: flex; gap: 6px; }
.days { display: grid; grid-template-columns: repeat(7, 1fr); gap: 4px; margin-top: 8px; }
.days .weekday { text-align: center; color: #555; font-size: 16px; }
.days button.day { min-height: 48px; min-width: 0; padding: 0; font-size: 20px; border-width: 1px; }
.days button.day.selected { background: #b22222; color: white; }
.days button.day:disabled { border-color: #ddd; color: #bbb; }
textarea.big { width: 100%; box-sizing: border-box; font-size: 20px; }
.voice-note { margin-top: 12px; }
.voice-note button.voice, .voice-note button.recording { width: 100%; }
dl.summary { display: grid; grid-template-columns: max-content 1fr; gap: 8px 12px; }
dl.summary dt { color: #555; }
dl.summary dd { margin: 0; font-weight: bold; overflow-wrap: anywhere; }
.case .next { background: #faf7f0; padding: 8px; border-left: 4px solid #b22222; }
.case a, .contact a { font-size: 22px; }
.sign-in-links { margin-top: 24px; }
.bar { display: flex; justify-content: space-between; align-items: center; padding: 6px 16px; background: #8e1b1b; color: white; min-height: 44px; }
";

/// What the app is given at start: its store, files and where it is.
#[derive(Debug, Clone)]
pub struct AppContext {
    /// Every user (screens, photo intake, the sync loop) asks it one operation at a
    /// time; natively it is in this process, in the browser in the store worker.
    pub store: StoreHandle,
    /// The household's village when it reports without an account (set at install).
    pub village: DivisionCode,
    /// That village's name, as the poster's link or the install gave it: shown on the
    /// report's confirmation (the code alone means nothing to a household).
    pub village_name: Option<String>,
    /// Where processed photos are kept until uploaded.
    pub data_dir: PathBuf,
    pub location: Arc<dyn LocationProvider + Send + Sync>,
    /// The server address used until one is set on the sign-in screen.
    pub default_server: String,
}

/// A village's name as a link or the install gave it, if it is one to show: at most
/// 50 characters, nothing hidden.
pub fn shown_village_name(raw: Option<String>) -> Option<String> {
    let name = raw?.trim().to_string();
    let fits = !name.is_empty() && name.chars().count() <= 50;
    (fits && !zaofaxian_shared::text::has_hidden_characters(&name, false)).then_some(name)
}

/// Beijing time, for the photo watermark.
pub fn china_offset() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))
}

/// The photo pipeline plus keeping the result; runs on a blocking thread.
#[cfg(not(target_arch = "wasm32"))]
pub fn process_and_keep(
    bytes: &[u8],
    wm: &crate::photo::Watermark,
    dir: &std::path::Path,
) -> Result<PendingPhoto, Text> {
    static FONT: std::sync::OnceLock<Option<ab_glyph::FontArc>> = std::sync::OnceLock::new();
    let font = FONT
        .get_or_init(crate::photo::find_cjk_font)
        .as_ref()
        .ok_or_else(|| Text::new("缺少中文字体，无法加水印", "no Chinese font for the watermark"))?;
    let p = crate::photo::process(bytes, wm, font, crate::photo::PipelineOptions::default())
        .map_err(|e| Text::from_pair(&e.to_string()))?;
    crate::photo::keep(dir, &p)
        .map_err(|e| Text::new(format!("无法保存照片：{e}"), format!("cannot save the photo: {e}")))
}

/// Processes a camera picture off the screen's thread and keeps it for upload: natively
/// with the `image` pipeline on a blocking thread, in the browser on the store
/// worker's canvas.
pub async fn keep_photo(ctx: &AppContext, bytes: Vec<u8>, wm: crate::photo::Watermark) -> Result<PendingPhoto, Text> {
    match &ctx.store {
        #[cfg(target_arch = "wasm32")]
        StoreHandle::Worker(w) => w.keep_photo(bytes, &wm).await,
        StoreHandle::Native(_) => {
            #[cfg(not(target_arch = "wasm32"))]
            {
                let dir = ctx.data_dir.join("photos");
                let p = tokio::task::spawn_blocking(move || process_and_keep(&bytes, &wm, &dir))
                    .await
                    .map_err(|_| Text::new("照片处理中断", "photo processing stopped"))??;
                queue_upload(ctx, p).await
            }
            #[cfg(target_arch = "wasm32")]
            {
                let _ = (bytes, wm);
                Err(Text::new("此版本不能处理照片", "this build cannot process photos"))
            }
        }
    }
}

/// Puts a file kept on the phone in the upload queue (natively; the browser's worker
/// does it as it keeps the file).
#[cfg(not(target_arch = "wasm32"))]
async fn queue_upload(ctx: &AppContext, p: PendingPhoto) -> Result<PendingPhoto, Text> {
    ctx.store
        .unit(StoreCall::AddPhoto { photo: p.clone() })
        .await
        .map_err(|e| Text::from_pair(&e.to_string()))?;
    Ok(p)
}

/// Keeps a recorded voice note for upload: natively as a file beside the photos, in
/// the browser on the store worker's OPFS.
pub async fn keep_voice(ctx: &AppContext, bytes: Vec<u8>) -> Result<PendingPhoto, Text> {
    match &ctx.store {
        #[cfg(target_arch = "wasm32")]
        StoreHandle::Worker(w) => w.keep_voice(bytes).await,
        StoreHandle::Native(_) => {
            #[cfg(not(target_arch = "wasm32"))]
            {
                let dir = ctx.data_dir.join("photos");
                let p = crate::voice::pending(&bytes, |name| dir.join(name));
                // Written whole before it appears, as photos are.
                let write = || -> std::io::Result<()> {
                    std::fs::create_dir_all(&dir)?;
                    let tmp = p.path.with_extension("part");
                    std::fs::write(&tmp, &bytes)?;
                    std::fs::File::open(&tmp)?.sync_all()?;
                    std::fs::rename(&tmp, &p.path)
                };
                write()
                    .map_err(|e| Text::new(format!("无法保存录音：{e}"), format!("cannot keep the recording: {e}")))?;
                queue_upload(ctx, p).await
            }
            #[cfg(target_arch = "wasm32")]
            {
                let _ = bytes;
                Err(Text::new("此版本不能录音", "this build cannot record"))
            }
        }
    }
}

/// Waits without holding up the screens.
pub async fn sleep(d: Duration) {
    #[cfg(not(target_arch = "wasm32"))]
    tokio::time::sleep(d).await;
    #[cfg(target_arch = "wasm32")]
    crate::web::sleep(d).await;
}

async fn sync_state(store: &impl Store) -> SyncState {
    match store.counts().await {
        Ok(c) if c.pending + c.photos == 0 => SyncState::UpToDate,
        Ok(c) => SyncState::Waiting {
            pending: c.pending + c.photos,
        },
        Err(e) => SyncState::Failed {
            why: Text::from_pair(&e.to_string()),
            pending: 0,
        },
    }
}

/// What the screens read from the store, loaded after each change rather than on
/// every render (each keystroke re-renders).
#[derive(Debug, Clone, PartialEq, Default)]
struct Loaded {
    cases: Vec<CaseRecord>,
    visits: Vec<(String, serde_json::Value)>,
    /// The holiday calendar and thresholds as the server last sent them.
    reference: Arc<InForce>,
    /// A staff member's reminders as of the last sync.
    reminders: zaofaxian_shared::wire::Reminders,
}

async fn load(store: &impl Store) -> Loaded {
    Loaded {
        cases: store.call(StoreCall::Cases).await.unwrap_or_default(),
        visits: store.call(StoreCall::Visits).await.unwrap_or_default(),
        reference: Arc::new(store.in_force().await),
        reminders: store.call(StoreCall::Reminders).await.unwrap_or_default(),
    }
}

/// Set when the sync loop should not wait for its next turn (a record was just saved,
/// someone just signed in): a sync with a signal sends it within a second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SyncSoon(bool);

impl SyncSoon {
    fn now(mut kick: Signal<SyncSoon>) {
        kick.set(SyncSoon(true));
    }
}

/// What the app shows before the store has answered (the browser's worker takes a
/// moment to open the database).
#[derive(Debug, Clone, PartialEq)]
enum Opening {
    Waiting,
    Open,
    Failed(Text),
}

/// A screen shown instead of the home screen until it is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Over {
    Nothing,
    SignIn(Who),
    Settings,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CadreTab {
    Queue,
    Households,
    Visit,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

#[component]
pub fn App() -> Element {
    let ctx = use_context::<AppContext>();
    use_hook(crate::voice::allow_microphone);
    let mut lang = use_signal(|| Lang::Zh);
    let today = SystemClock.today();
    let mut session = use_signal(|| None::<Session>);
    // Reporting is the first screen; signing in and the server address are asked for.
    let mut over = use_signal(|| Over::Nothing);
    let mut server = use_signal(|| ctx.default_server.clone());
    let mut sync = use_signal(|| SyncState::UpToDate);
    let mut loaded = use_signal(Loaded::default);
    let mut syncing = use_signal(|| false);
    let mut opening = use_signal(|| Opening::Waiting);
    let mut kick = use_context_provider(|| Signal::new(SyncSoon(false)));

    // One sync pass; the store is asked one operation at a time, never across a wait.
    let store = ctx.store.clone();
    let run_sync = move || {
        let store = store.clone();
        async move {
            if syncing() || session.peek().is_none() || *opening.peek() != Opening::Open {
                return;
            }
            syncing.set(true);
            let engine = SyncEngine::new(server.peek().clone());
            let jitter = (now_ms() % 1000) as u32;
            let result = engine.sync(&store, now_ms(), jitter, |s| sync.set(s)).await;
            if let Err(e) = result {
                sync.set(SyncState::Failed {
                    why: Text::from_pair(&e.to_string()),
                    pending: 0,
                });
            }
            loaded.set(load(&store).await);
            syncing.set(false);
        }
    };
    let looping = run_sync.clone();
    let store = ctx.store.clone();
    use_future(move || {
        let run = looping.clone();
        let store = store.clone();
        async move {
            // Open the store first: the session, the server and what waits in the outbox.
            match store.session().await {
                Ok(s) => session.set(s),
                Err(e) => {
                    opening.set(Opening::Failed(Text::from_pair(&e.to_string())));
                    return;
                }
            }
            if let Ok(Some(url)) = store.call::<Option<String>>(StoreCall::ServerUrl).await {
                server.set(url);
            }
            sync.set(sync_state(&store).await);
            loaded.set(load(&store).await);
            opening.set(Opening::Open);
            loop {
                run().await;
                // Every 30 s, or at once when something was saved or someone signed in.
                for _ in 0..30 {
                    if kick.peek().0 {
                        break;
                    }
                    sleep(Duration::from_secs(1)).await;
                }
                kick.set(SyncSoon(false));
            }
        }
    });

    let l = lang();
    let signed_in = session();
    let store = ctx.store.clone();
    let on_signed_in = move |s: Session| {
        let store = store.clone();
        spawn(async move {
            let url = server.peek().clone();
            let saved = match store.unit(StoreCall::SetServerUrl { url }).await {
                Ok(()) => store.unit(StoreCall::SetSession { session: s.clone() }).await,
                Err(e) => Err(e),
            };
            // A failed write leaves the user signed out with the reason; nothing half-saved.
            match saved {
                Ok(()) => {
                    session.set(Some(s));
                    over.set(Over::Nothing);
                    kick.set(SyncSoon(true));
                }
                Err(e) => sync.set(SyncState::Failed {
                    why: Text::from_pair(&e.to_string()),
                    pending: 0,
                }),
            }
        });
    };
    let store = ctx.store.clone();
    let sign_out = move |_| {
        let store = store.clone();
        spawn(async move {
            if store.unit(StoreCall::SignOut).await.is_ok() {
                session.set(None);
                over.set(Over::Nothing);
            }
        });
    };
    let sync_now = run_sync.clone();
    rsx! {
        style { {STYLE} }
        header {
            h1 { {t(l, "早发现 · 防返贫监测", "Zaofaxian")} }
            span {
                button { onclick: move |_| lang.set(if l == Lang::Zh { Lang::En } else { Lang::Zh }),
                    {t(l, "English", "中文")}
                }
                button { class: "settings", onclick: move |_| over.set(Over::Settings), {t(l, "设置", "Settings")} }
            }
        }
        // The sync line sits under the title in every state, so the layout never jumps.
        div { class: "bar",
            SyncBadge { state: sync(), lang: l }
            if let Some(s) = signed_in.as_ref() {
                span {
                    // An expired session is cured by signing in, not by waiting.
                    if matches!(sync(), SyncState::SignedOut { .. }) {
                        button { class: "primary", onclick: {
                                let who = if s.role == Role::Household { Who::Household } else { Who::Staff };
                                move |_| over.set(Over::SignIn(who))
                            },
                            {t(l, "重新登录", "Sign in again")} }
                    } else {
                        button { onclick: move |_| { let f = sync_now.clone(); async move { f().await } }, {t(l, "立即同步", "Sync now")} }
                    }
                    button { onclick: sign_out, {t(l, "退出登录", "Sign out")} }
                }
            }
        }
        main {
            match (opening(), signed_in.clone()) {
                (Opening::Waiting, _) => rsx! { p { class: "hint big", role: "status", {t(l, "正在打开…", "Opening…")} } },
                (Opening::Failed(why), _) => rsx! { p { class: "error", role: "alert", "{why.get(l)}" } },
                (Opening::Open, _) if over() == Over::Settings => rsx! {
                    ServerSettings { server, lang: l, on_done: move |_| over.set(Over::Nothing) }
                },
                (Opening::Open, _) if matches!(over(), Over::SignIn(_)) => {
                    let who = match over() { Over::SignIn(w) => w, _ => Who::Household };
                    rsx! { SignIn { server, lang: l, initial: who, on_signed_in, on_back: move |_| over.set(Over::Nothing) } }
                },
                (Opening::Open, Some(s)) if s.role != Role::Household => rsx! {
                    CadreHome { session: s, loaded, today, lang: l, sync }
                },
                (Opening::Open, _) => rsx! {
                    HouseholdHome { loaded, today, lang: l, sync, signed_in: signed_in.is_some(),
                        on_sign_in: move |who| over.set(Over::SignIn(who)) }
                },
            }
        }
    }
}

#[component]
fn HouseholdHome(
    loaded: Signal<Loaded>,
    today: chrono::NaiveDate,
    lang: Lang,
    sync: Signal<SyncState>,
    signed_in: bool,
    on_sign_in: EventHandler<Who>,
) -> Element {
    let ctx = use_context::<AppContext>();
    let kick = use_context::<Signal<SyncSoon>>();
    let mut draft = use_signal(|| ReportDraft::new(ctx.village));
    // The name of the last report sent from this phone, offered for the next one.
    let mut remembered = use_signal(|| None::<String>);
    // The report as far as it was typed before the app last stopped, then every change
    // kept at once (nothing is written before that draft has been read).
    let mut restored = use_signal(|| false);
    let mut kept = use_signal(|| None::<serde_json::Value>);
    let store = ctx.store.clone();
    use_future(move || {
        let store = store.clone();
        async move {
            let rows = store.call(StoreCall::Drafts).await.unwrap_or_default();
            let drafts = Drafts::from_rows(rows);
            if let Some(d) = drafts.report {
                kept.set(report_row(&d));
                draft.set(d);
            } else if let Some(name) = drafts.remembered_name.clone() {
                draft.set(reduce(draft(), Action::Remembered(name), today));
            }
            remembered.set(drafts.remembered_name);
            restored.set(true);
        }
    });
    let store = ctx.store.clone();
    use_effect(move || {
        let row = report_row(&draft());
        if !restored() || *kept.peek() == row {
            return;
        }
        kept.set(row.clone());
        let store = store.clone();
        spawn(async move {
            let call = match row {
                Some(json) => StoreCall::SaveDraft {
                    key: REPORT_KEY.into(),
                    json,
                    saved_ms: now_ms(),
                },
                None => StoreCall::DropDraft { key: REPORT_KEY.into() },
            };
            if let Err(e) = store.unit(call).await {
                draft.with_mut(|d| d.error = Some(Text::from_pair(&e.to_string())));
            }
        });
    });
    let reference = loaded.read().reference.clone();
    let cases: Vec<(CaseState, Option<HouseholdFacing>)> = loaded
        .read()
        .cases
        .iter()
        .map(|c| (c.state.clone(), c.household.clone()))
        .collect();
    // Where the household is, asked once when the form opens (the browser asks the user
    // first); the report goes without it when there is none by the time it is saved.
    let mut fix = use_signal(|| None::<zaofaxian_shared::GeoPoint>);
    let location = ctx.location.clone();
    use_future(move || {
        let location = location.clone();
        async move {
            if let Ok(p) = location.current().await {
                fix.set(Some(p));
            }
        }
    });
    let store = ctx.store.clone();
    let on_submit = move |mut report: zaofaxian_shared::report::HardshipReport| {
        report.location = fix();
        let body = serde_json::to_value(&report).unwrap_or_default();
        // One's own name is remembered; a neighbour's, filed on their behalf, is not.
        let name = (!report.on_behalf).then(|| report.household_name.clone());
        let store = store.clone();
        spawn(async move {
            // "已保存" only once the store has the record (in the browser: committed on OPFS).
            match store.enqueue(RecordKind::Report, body).await {
                Ok(_) => {
                    draft.set(reduce(draft(), Action::Saved, today));
                    SyncSoon::now(kick);
                    if let Some(name) = name {
                        let json = serde_json::Value::from(name.clone());
                        let call = StoreCall::SaveDraft {
                            key: REMEMBERED_NAME_KEY.into(),
                            json,
                            saved_ms: now_ms(),
                        };
                        if store.unit(call).await.is_ok() {
                            remembered.set(Some(name));
                        }
                    }
                }
                Err(e) => draft.with_mut(|d| d.error = Some(Text::from_pair(&e.to_string()))),
            }
            sync.set(sync_state(&store).await);
        });
    };
    let saved = draft().step == crate::report_form::Step::Saved;
    rsx! {
        // Reporting first; then where earlier reports stand; signing in last.
        ReportWizard { draft, today, village_name: ctx.village_name.clone(), lang, on_submit }
        if saved && !signed_in {
            p { class: "warn", {t(lang, "还需登录一次，申报才能上传到村里。", "Sign in once so the report can reach the village.")}
                button { r#type: "button", class: "primary big", onclick: move |_| on_sign_in.call(Who::Household), {t(lang, "登录上传", "Sign in to send")} }
            }
        }
        if saved {
            button { r#type: "button", class: "big", onclick: move |_| {
                    let fresh = ReportDraft::new(ctx.village);
                    draft.set(match remembered() { Some(n) => reduce(fresh, Action::Remembered(n), today), None => fresh });
                },
                {t(lang, "再报一件", "Report another")} }
        }
        for (state, facing) in cases.into_iter().take(3) {
            CaseStatusCard { view: status_view(&state, &reference.calendar, today, lang), facing, lang }
        }
        if !signed_in {
            section { class: "sign-in-links",
                p { class: "hint", {t(lang, "不登录也能先填报：申报保存在手机上，登录后自动上传。登录后还能看到办理进展。",
                    "You can report before signing in: it is kept on the phone and sent after sign-in, and you then see its progress.")} }
                div { class: "choices",
                    button { r#type: "button", class: "big", onclick: move |_| on_sign_in.call(Who::Household), {t(lang, "农户登录 · 查看进展", "Household sign-in")} }
                    button { r#type: "button", class: "big", onclick: move |_| on_sign_in.call(Who::Staff), {t(lang, "村干部/工作队登录", "Cadre / work team")} }
                }
            }
        }
    }
}

#[component]
fn CadreHome(
    session: Session,
    loaded: Signal<Loaded>,
    today: chrono::NaiveDate,
    lang: Lang,
    sync: Signal<SyncState>,
) -> Element {
    let ctx = use_context::<AppContext>();
    let kick = use_context::<Signal<SyncSoon>>();
    let mut tab = use_signal(|| CadreTab::Queue);
    // The form for a household found on rounds, while it is open.
    let mut finding = use_signal(|| false);
    let mut found = use_signal(|| ReportDraft::new(ctx.village));
    let query = use_signal(String::new);
    // The household being visited (name, village) and its form.
    let mut visit = use_signal(|| None::<(String, DivisionCode)>);
    let mut form = use_signal(VisitForm::empty);
    let mut worksheet = use_signal(WorksheetForm::default);
    let mut locate_error = use_signal(|| None::<Text>);
    let mut saved = use_signal(|| None::<String>);
    // Unfinished visits, and the visit as it was opened (kept as a draft once it differs).
    let mut drafts = use_signal(Drafts::default);
    let mut opened = use_signal(|| None::<VisitDraft>);
    // "Saved, sent when there is a signal" turns into "sent" once the outbox is empty.
    let mut awaiting_upload = use_signal(|| false);
    use_effect(move || {
        if sync() == SyncState::UpToDate && *awaiting_upload.peek() {
            awaiting_upload.set(false);
            saved.set(Some(t(lang, "入户核实已上传", "The visit has been sent").to_string()));
        }
    });
    let mut show = move |d: VisitDraft| {
        visit.set(Some((d.household_name.clone(), d.village)));
        form.set(d.form.clone());
        worksheet.set(d.worksheet.clone());
        opened.set(Some(d));
        locate_error.set(None);
        tab.set(CadreTab::Visit);
    };
    // The drafts on the phone; the visit that was open when the app stopped comes back.
    let store = ctx.store.clone();
    use_future(move || {
        let store = store.clone();
        async move {
            let rows = store.call(StoreCall::Drafts).await.unwrap_or_default();
            let d = Drafts::from_rows(rows);
            let reopen = d.open_visit.as_ref().and_then(|id| d.visits.get(id)).cloned();
            drafts.set(d);
            if let Some(v) = reopen {
                show(v);
                saved.set(Some(
                    t(
                        lang,
                        "已回到上次未完成的入户记录",
                        "Back to the visit you had not finished",
                    )
                    .to_string(),
                ));
            }
        }
    });
    // Every change to the open visit is kept at once.
    let store = ctx.store.clone();
    use_effect(move || {
        let Some((household_name, village)) = visit() else {
            return;
        };
        let d = VisitDraft {
            household_name,
            village,
            form: form(),
            worksheet: worksheet(),
        };
        let case_id = d.form.case_id.clone();
        if opened.peek().as_ref() == Some(&d) || drafts.peek().visits.get(&case_id) == Some(&d) {
            return;
        }
        drafts.write().visits.insert(case_id.clone(), d.clone());
        let store = store.clone();
        spawn(async move {
            let json = serde_json::to_value(&d).unwrap_or_default();
            let kept = store
                .unit(StoreCall::SaveDraft {
                    key: visit_key(&case_id),
                    json,
                    saved_ms: now_ms(),
                })
                .await;
            if let Err(e) = kept {
                saved.set(Some(format!(
                    "{}{e}",
                    t(lang, "草稿未能保存：", "the draft could not be kept: ")
                )));
            }
        });
    });
    let data = loaded.read().clone();
    let entries: Vec<HouseholdEntry> = households(&data.cases, &data.visits, lang);
    let rows = crate::queue::queue_rows(&data.cases, &data.visits, &data.reference.calendar, today, lang);
    let badge = crate::ui_reminders::badge(&data.reminders);
    let cases = data.cases.clone();
    let reference = data.reference.clone();
    let store = ctx.store.clone();
    let visits = data.visits.clone();
    let open_case = move |c: CaseRecord| {
        let case_id = c.id.clone();
        let division = c.division;
        let Ok(profile) = reference.policy.profile_for(division) else {
            return;
        };
        let version = c.state.version;
        let mut f = VisitForm::new(&case_id, version, profile);
        f.purpose = crate::visit_form::VisitPurpose::for_stage(c.state.stage);
        f.assistance_measures = c.state.assistance_measures;
        f.home = entries_home(&c.id, &visits);
        let fresh = VisitDraft {
            household_name: c.household_name().to_string(),
            village: division,
            form: f,
            worksheet: WorksheetForm::default(),
        };
        let (d, resumed) = drafts.peek().resume(fresh);
        saved.set(resumed.then(|| t(lang, "已恢复未完成的入户记录", "Your unfinished visit is back").to_string()));
        show(d);
        // Where the app returns to if it is closed now.
        let store = store.clone();
        spawn(async move {
            let json = serde_json::Value::from(case_id);
            let _ = store
                .unit(StoreCall::SaveDraft {
                    key: OPEN_VISIT_KEY.into(),
                    json,
                    saved_ms: now_ms(),
                })
                .await;
        });
    };
    let mut opening_case = open_case.clone();
    let mut open_visit = move |case_id: String| {
        if let Some(c) = cases.iter().find(|c| c.id == case_id) {
            opening_case(c.clone());
        }
    };
    // 排查新户: filed as a report, its visit opened at once on the core's copy of the case.
    let filing = crate::found_case::filing_village(session.division.as_deref());
    let store = ctx.store.clone();
    let reference = data.reference.clone();
    let role = session.role;
    let on_found = move |report: zaofaxian_shared::report::HardshipReport| {
        let store = store.clone();
        let reference = reference.clone();
        let mut open_case = open_case.clone();
        spawn(async move {
            let body = serde_json::to_value(&report).unwrap_or_default();
            let id = match store.enqueue(RecordKind::Report, body).await {
                Ok(id) => id,
                Err(e) => {
                    found.with_mut(|d| d.error = Some(Text::from_pair(&e.to_string())));
                    return;
                }
            };
            finding.set(false);
            SyncSoon::now(kick);
            sync.set(sync_state(&store).await);
            let case = crate::found_case::provisional_case(&id, &report, role, &reference, today);
            let kept = match &case {
                Ok(c) => {
                    let json = serde_json::to_value(c).unwrap_or_default();
                    let call = StoreCall::UpsertCase { id: id.clone(), json };
                    store.unit(call).await.map_err(|e| Text::from_pair(&e.to_string()))
                }
                Err(why) => Err(why.clone()),
            };
            match (case, kept) {
                (Ok(c), Ok(())) => {
                    loaded.set(load(&store).await);
                    open_case(c);
                }
                // Filed all the same: its visit opens from the queue once it is pulled.
                (_, Err(why)) => saved.set(Some(format!(
                    "{}{}",
                    t(
                        lang,
                        "已保存，同步后在待办中入户核实：",
                        "saved; visit it from To do after a sync: "
                    ),
                    why.get(lang)
                ))),
                (Err(_), Ok(())) => {}
            }
        });
    };
    let mut open_from_queue = open_visit.clone();
    let mut open_draft = open_visit.clone();
    let on_continue = Callback::new(move |id: String| open_draft(id));
    let unfinished: Vec<(String, String)> = drafts
        .read()
        .visits
        .iter()
        .filter(|(id, _)| data.cases.iter().any(|c| &c.id == *id))
        .map(|(id, d)| (id.clone(), d.household_name.clone()))
        .collect();
    let store_later = ctx.store.clone();
    let current = visit();
    let location = ctx.location.clone();
    let store = ctx.store.clone();
    rsx! {
        p { class: "hint", "{session.display_name} · {t(lang, session.role.label_zh(), session.role.label_en())}" }
        div { class: "tabs",
            for (k, zh, en) in [(CadreTab::Queue, "待办", "To do"), (CadreTab::Households, "农户", "Households"), (CadreTab::Visit, "入户核实", "Visit")] {
                button { class: if tab() == k { "primary big" } else { "big" }, onclick: move |_| tab.set(k), {t(lang, zh, en)}
                    if k == CadreTab::Queue && badge > 0 { span { class: "badge", "{badge}" } }
                }
            }
        }
        if let Some(msg) = saved() {
            p { class: "hint", role: "status", "{msg}" }
        }
        match tab() {
            CadreTab::Queue => rsx! {
                if finding() {
                    crate::ui_found_case::FoundCaseForm { draft: found, today, lang, on_save: on_found,
                        on_cancel: move |_| finding.set(false) }
                } else {
                    if let Some(village) = filing {
                        button { r#type: "button", class: "big found", onclick: move |_| { found.set(ReportDraft::new(village)); finding.set(true); },
                            {t(lang, "＋ 排查发现新户", "+ A household found on rounds")} }
                    }
                    crate::ui_reminders::RemindersPanel { reminders: data.reminders.clone(), lang }
                    UnfinishedVisits { items: unfinished, lang, on_continue }
                    CadreQueue { rows, lang, on_open: move |id: String| open_from_queue(id) }
                }
            },
            CadreTab::Households => rsx! {
                HouseholdList { entries, query, lang, on_visit: move |id: String| open_visit(id) }
            },
            CadreTab::Visit => match current {
                Some((household_name, village)) => {
                    let policy = Arc::new(data.reference.policy.clone());
                    let threshold = policy
                        .threshold(village, today.year())
                        .map_err(|e| Text::from_pair(&e.to_string()));
                    rsx! {
                        VisitScreen { form, worksheet, household_name, village, today, threshold, policy,
                            collector: session.display_name.clone(), locate_error: locate_error(), lang,
                            on_locate: move |_| {
                                let location = location.clone();
                                spawn(async move {
                                    locate_error.set(None);
                                    match location.current().await {
                                        Ok(fix) => { form.with_mut(|f| f.fix = Some(fix)); locate_error.set(None); }
                                        Err(why) => locate_error.set(Some(why)),
                                    }
                                });
                            },
                            on_save: move |(v, at_risk): (zaofaxian_shared::visit::HomeVisit, bool)| {
                                let store = store.clone();
                                let body = form.read().event_body(&v, at_risk);
                                let application = form.read().application_body(at_risk);
                                let case_id = form.read().case_id.clone();
                                spawn(async move {
                                    match store.enqueue(RecordKind::CaseEvent, body).await {
                                        Ok(_) => {
                                            // The application signed in the visit goes right after it.
                                            if let Some(a) = application {
                                                if let Err(e) = store.enqueue(RecordKind::CaseEvent, a).await {
                                                    saved.set(Some(format!("{}{e}", t(lang, "纳入监测申请未能保存，请在管理后台签署：", "the application was not kept; sign it on the console: "))));
                                                    return;
                                                }
                                            }
                                            // Finished: the outbox has it; the draft goes.
                                            drafts.write().visits.remove(&case_id);
                                            opened.set(None);
                                            let _ = store.unit(StoreCall::DropDraft { key: visit_key(&case_id) }).await;
                                            let _ = store.unit(StoreCall::DropDraft { key: OPEN_VISIT_KEY.into() }).await;
                                            saved.set(Some(t(lang, "入户核实已保存，有信号时自动上传", "visit saved: it will be sent when there is a signal").to_string()));
                                            awaiting_upload.set(true);
                                            SyncSoon::now(kick);
                                            sync.set(sync_state(&store).await);
                                            loaded.set(load(&store).await);
                                            visit.set(None);
                                            tab.set(CadreTab::Households);
                                        }
                                        Err(e) => saved.set(Some(e.to_string())),
                                    }
                                });
                            },
                            on_later: move |_| {
                                let store = store_later.clone();
                                visit.set(None);
                                tab.set(CadreTab::Queue);
                                saved.set(Some(t(lang, "草稿已保存在手机上，可在“待办”中继续填写", "The draft is kept on the phone: continue it under To do").to_string()));
                                spawn(async move {
                                    let _ = store.unit(StoreCall::DropDraft { key: OPEN_VISIT_KEY.into() }).await;
                                });
                            },
                        }
                    }
                }
                _ => rsx! { p { class: "hint big", {t(lang, "请先在“农户”或“待办”中选择一户", "choose a household under Households or To do first")} } },
            },
        }
    }
}

fn entries_home(case_id: &str, visits: &[(String, serde_json::Value)]) -> Option<zaofaxian_shared::GeoPoint> {
    visits
        .iter()
        .rev()
        .filter(|(id, _)| case_id == id)
        .find_map(|(_, v)| serde_json::from_value(v["location"].clone()).ok())
}
