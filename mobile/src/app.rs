//! The whole app: household mode (report, my case) and cadre mode (the queue),
//! over the offline store. Platform launchers (desktop `main`, Android via `dx`)
//! only start this component.

use crate::local_store::LocalStore;
use crate::report_form::{Action, ReportDraft, reduce};
use crate::status::status_view;
use crate::sync::SyncState;
use crate::ui::{CadreQueue, CaseStatusCard, IncomeWorksheet, QueueRow, ReportWizard, SyncBadge};
use crate::worksheet_form::WorksheetForm;
use chrono::Datelike;
use dioxus::prelude::*;
use std::sync::{Arc, Mutex};
use zaofaxian_shared::lifecycle::CaseState;
use zaofaxian_shared::{Calendar, Clock, Lang, SystemClock};

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
.row { display: flex; gap: 12px; padding: 8px 0; border-bottom: 1px solid #eee; }
";

/// What the app is given at start: its store and where the server is.
#[derive(Debug, Clone)]
pub struct AppContext {
    /// Shared with the launcher's context, which must be `Send + Sync`; only the UI
    /// thread locks it, briefly.
    pub store: Arc<Mutex<LocalStore>>,
    pub village: zaofaxian_shared::DivisionCode,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Household,
    Cadre,
}

fn sync_state(store: &LocalStore) -> SyncState {
    match store.counts() {
        Ok(c) if c.pending == 0 => SyncState::UpToDate,
        Ok(c) => SyncState::Waiting { pending: c.pending },
        Err(e) => SyncState::Failed {
            why: zaofaxian_shared::Text::new(e.to_string(), e.to_string()),
            pending: 0,
        },
    }
}

fn lock(store: &Mutex<LocalStore>) -> std::sync::MutexGuard<'_, LocalStore> {
    store.lock().unwrap_or_else(|e| e.into_inner())
}

#[component]
pub fn App() -> Element {
    let ctx = use_context::<AppContext>();
    let mut lang = use_signal(|| Lang::Zh);
    let mut mode = use_signal(|| Mode::Household);
    let today = SystemClock.today();
    let mut draft = use_signal(|| ReportDraft::new(ctx.village));
    let mut sync = use_signal(|| sync_state(&lock(&ctx.store)));
    let worksheet = use_signal(WorksheetForm::default);
    // The threshold in force in this village this year; a year without data says so.
    let threshold = zaofaxian_shared::Policy::embedded()
        .threshold(ctx.village, today.year())
        .map_err(|e| zaofaxian_shared::Text::from_pair(&e.to_string()));
    // Read once, not on every render (each keystroke re-renders); a sync refreshes it.
    let cases = use_signal(|| {
        lock(&ctx.store)
            .cases()
            .unwrap_or_default()
            .into_iter()
            .filter_map(|c| serde_json::from_value::<CaseState>(c["state"].clone()).ok())
            .collect::<Vec<_>>()
    });
    let store = ctx.store.clone();
    let on_submit = move |report: zaofaxian_shared::report::HardshipReport| {
        let body = serde_json::to_value(&report).unwrap_or_default();
        let saved = lock(&store).enqueue("report", &body);
        if saved.is_ok() {
            draft.set(reduce(draft(), Action::Saved, today));
        }
        sync.set(sync_state(&lock(&store)));
    };
    let l = lang();
    rsx! {
        style { {STYLE} }
        header {
            h1 { if l == Lang::Zh { "早发现 · 防返贫监测" } else { "Zaofaxian" } }
            SyncBadge { state: sync(), lang: l }
            button { onclick: move |_| lang.set(if l == Lang::Zh { Lang::En } else { Lang::Zh }),
                if l == Lang::Zh { "English" } else { "中文" }
            }
        }
        main {
            div { class: "nav",
                button { class: if mode() == Mode::Household { "primary big" } else { "big" }, onclick: move |_| mode.set(Mode::Household),
                    if l == Lang::Zh { "农户申报" } else { "Household" }
                }
                button { class: if mode() == Mode::Cadre { "primary big" } else { "big" }, onclick: move |_| mode.set(Mode::Cadre),
                    if l == Lang::Zh { "村干部" } else { "Village cadre" }
                }
            }
            if mode() == Mode::Household {
                for state in cases.read().iter().take(3) {
                    CaseStatusCard { view: status_view(state, Calendar::national(), today, l), lang: l }
                }
                ReportWizard { draft, today, lang: l, on_submit }
            } else {
                CadreQueue {
                    rows: cases.read().iter().enumerate().map(|(i, s)| QueueRow {
                        case_id: i.to_string(),
                        household_name: String::new(),
                        stage_label: s.stage.label().get(l).to_string(),
                        due: s.deadline.map(|d| d.due.to_string()),
                        days_left: s.days_left(Calendar::national(), today).ok().flatten(),
                        overdue: s.is_overdue(today),
                    }).collect::<Vec<_>>(),
                    lang: l,
                }
                IncomeWorksheet { form: worksheet, today, threshold, lang: l }
            }
        }
    }
}
