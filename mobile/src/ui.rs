//! The screens, as Dioxus components fed by props. Logic lives in the modules they
//! call (`report_form`, `status`, `sync`); components only show state and send actions.
//! Chinese first, English when asked; large touch targets (classes `big`, `choice`).

use crate::report_form::{Action, ReportDraft, Step, details_words, earliest, month_grid, reduce, step_month};
use crate::status::StatusView;
use crate::sync::SyncState;
use chrono::NaiveDate;
use dioxus::prelude::*;
use zaofaxian_shared::Lang;
use zaofaxian_shared::report::{Hardship, HardshipReport};

pub(crate) fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    if lang == Lang::Zh { zh } else { en }
}

/// The sync indicator at the top of every screen.
#[component]
pub fn SyncBadge(state: SyncState, lang: Lang) -> Element {
    let class = match state {
        SyncState::UpToDate => "sync ok",
        SyncState::Waiting { .. } => "sync waiting",
        SyncState::Sending { .. } => "sync sending",
        SyncState::Failed { .. } | SyncState::SignedOut { .. } => "sync failed",
    };
    rsx! { div { class: class, role: "status", "{state.label(lang)}" } }
}

/// "我的申报进展": where the household's case stands, what happens next and by when,
/// the help decided, and whom to call (the cadre, the national helpline).
#[component]
pub fn CaseStatusCard(
    view: StatusView,
    /// What the server tells the household beyond the stage (none before a sync).
    facing: Option<zaofaxian_shared::wire::HouseholdFacing>,
    lang: Lang,
) -> Element {
    let facing = facing.unwrap_or_default();
    let helpline = zaofaxian_shared::household_words::HELPLINE;
    rsx! {
        section { class: if view.overdue { "case overdue" } else { "case" },
            h2 { class: "big", {t(lang, "我的申报", "My report")} }
            p { class: "stage big", "{view.stage}" }
            p { class: "next big", {t(lang, "接下来：", "Next: ")} "{view.next}" }
            if let Some(deadline) = view.deadline.clone() {
                p { class: "deadline", "{deadline}" }
            }
            if let Some(why) = view.provisional.clone() {
                p { class: "provisional", "{why}" }
            }
            if let Some(reason) = view.reason.clone() {
                p { class: "reason big", {t(lang, "原因：", "Reason: ")} "{reason}" }
            }
            if !facing.assistance.is_empty() {
                h3 { {t(lang, "帮扶措施", "Assistance")} }
                ul { class: "assistance",
                    for a in facing.assistance.iter() {
                        li { "{a.on} {a.text}" }
                    }
                }
            }
            if let Some(c) = facing.contact.as_ref() {
                p { class: "contact big",
                    {t(lang, "联系人：", "Contact: ")} "{c.name}"
                    if let Some(phone) = c.phone.as_ref() {
                        " " a { href: "tel:{phone}", "{phone}" }
                    }
                }
            }
            p { class: "helpline",
                {t(lang, "咨询和反映问题：", "Questions or complaints: ")}
                a { href: "tel:{helpline}", "{helpline}" }
            }
        }
    }
}

/// The self-report steps. `on_submit` receives the checked report (the caller
/// writes it to the outbox and then sends `Action::Saved`).
#[component]
pub fn ReportWizard(
    draft: Signal<ReportDraft>,
    today: NaiveDate,
    /// The village's name as the poster's link gave it (its code is shown without).
    village_name: Option<String>,
    lang: Lang,
    on_submit: EventHandler<HardshipReport>,
) -> Element {
    let mut send = move |a: Action| {
        let next = reduce(draft(), a, today);
        draft.set(next);
    };
    let d = draft();
    let error = d.error.as_ref().map(|e| e.get(lang).to_string());
    let words = details_words(d.hardship);
    rsx! {
        form { class: "report",
            match d.step {
                Step::What => rsx! {
                    h2 { class: "big", {t(lang, "发生了什么困难？", "What happened?")} }
                    div { class: "choices",
                        for h in Hardship::ALL {
                            button {
                                r#type: "button",
                                class: if d.hardship == Some(h) { "choice big selected" } else { "choice big" },
                                onclick: move |_| send(Action::Pick(h)),
                                "{h.label().get(lang)}"
                            }
                        }
                    }
                },
                Step::When => rsx! {
                    h2 { class: "big", {t(lang, "什么时候发生的？", "When did it happen?")} }
                    // One tap for the usual answers; the calendar for anything older.
                    div { class: "choices",
                        for (days, zh, en) in [(0i64, "今天", "today"), (1, "昨天", "yesterday"), (2, "前天", "2 days ago")] {
                            button {
                                r#type: "button",
                                class: if d.happened_on == Some(today - chrono::Duration::days(days)) { "choice big selected" } else { "choice big" },
                                onclick: move |_| send(Action::Date(today - chrono::Duration::days(days))),
                                {t(lang, zh, en)}
                            }
                        }
                    }
                    MonthCalendar { draft, today, lang }
                },
                // The typed fields take their value once, when the step opens: the page
                // owns them while typing, so a slow render never undoes a keystroke.
                Step::Details => rsx! {
                    h2 { class: "big", "{words.title.get(lang)}" }
                    label { {t(lang, "户主姓名", "Head of household")}
                        input { class: "big", name: "household_name", initial_value: "{d.household_name}", oninput: move |e| send(Action::Name(e.value())) }
                    }
                    label { {t(lang, "村民小组（可不填）", "Villager group (optional)")}
                        input { class: "big", name: "group", maxlength: "20", placeholder: t(lang, "例如：3组", "e.g. 3组"), initial_value: "{d.group}", oninput: move |e| send(Action::Group(e.value())) }
                    }
                    label { "{words.amount.get(lang)}" {t(lang, "（元，可不填）", " (yuan, optional)")}
                        input { class: "big", name: "amount", inputmode: "numeric", initial_value: "{d.amount}", oninput: move |e| send(Action::Amount(e.value())) }
                    }
                    label { {t(lang, "情况说明（可不填）", "What happened (optional)")}
                        textarea { class: "big", name: "description", rows: "4", maxlength: "2000",
                            placeholder: "{words.hint.get(lang)}", initial_value: "{d.description}",
                            oninput: move |e| send(Action::Description(e.value())) }
                    }
                    crate::ui_voice::VoiceNote { recorded: d.voice_note.clone(), lang,
                        on_kept: move |sha: Option<String>| send(Action::Voice(sha)) }
                    label { class: "check",
                        input { r#type: "checkbox", checked: d.on_behalf, onchange: move |e| send(Action::OnBehalf(e.checked())) }
                        {t(lang, "我是替别人申报（代为申报）", "I am filing for someone else")}
                    }
                    p { class: "hint", {t(lang, "可拍几张照片（病历、受灾情况等），不拍也可以", "Photos help (medical papers, damage) but are optional")} }
                    PhotoPicker {
                        collector: if d.household_name.trim().is_empty() { t(lang, "农户自报", "self-report").to_string() } else { d.household_name.clone() },
                        place: d.village.to_string(),
                        lang,
                        on_added: move |sha: String| send(Action::AddPhoto(sha)),
                    }
                    if !d.photos.is_empty() {
                        p { class: "hint", {t(lang, "已添加照片：", "Photos added: ")} "{d.photos.len()}" }
                    }
                },
                Step::Confirm => rsx! {
                    h2 { class: "big", {t(lang, "请确认", "Please confirm")} }
                    dl { class: "summary",
                        for (label, value) in d.summary(village_name.as_deref(), lang) {
                            dt { "{label.get(lang)}" }
                            dd { "{value}" }
                        }
                    }
                    button {
                        r#type: "button",
                        class: "primary big",
                        onclick: move |_| if let Ok(r) = draft().to_report(today) { on_submit.call(r) },
                        {t(lang, "提交申报", "Submit report")}
                    }
                },
                Step::Saved => rsx! {
                    p { class: "big done", {t(lang, "已保存，有信号时会自动上传", "Saved: it will be sent when there is a signal")} }
                },
            }
            if let Some(e) = error {
                p { class: "error", role: "alert", "{e}" }
            }
            if !matches!(d.step, Step::What | Step::Saved) {
                div { class: "nav",
                    button { r#type: "button", class: "big", onclick: move |_| send(Action::Back), {t(lang, "上一步", "Back")} }
                    if d.step != Step::Confirm {
                        button { r#type: "button", class: "primary big", onclick: move |_| send(Action::Next), {t(lang, "下一步", "Next")} }
                    }
                }
            }
        }
    }
}

/// A month of days to tap, turned with 上个月/下个月: a date months back is a few taps,
/// not a scroll through a picker. Days after today are not offered.
#[component]
fn MonthCalendar(draft: Signal<ReportDraft>, today: NaiveDate, lang: Lang) -> Element {
    let mut send = move |a: Action| {
        let next = reduce(draft(), a, today);
        draft.set(next);
    };
    let d = draft();
    let shown = d.month(today);
    let (year, month) = shown;
    let first = earliest(today);
    let can_back = shown > (chrono::Datelike::year(&first), chrono::Datelike::month(&first));
    let can_forward = shown < (chrono::Datelike::year(&today), chrono::Datelike::month(&today));
    let heading = if lang == Lang::Zh {
        format!("{year}年{month}月")
    } else {
        format!("{year}-{month:02}")
    };
    let weekdays = if lang == Lang::Zh {
        ["一", "二", "三", "四", "五", "六", "日"]
    } else {
        ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
    };
    rsx! {
        div { class: "calendar",
            div { class: "calendar-nav",
                button { r#type: "button", class: "big", disabled: !can_back,
                    onclick: move |_| { let (y, m) = step_month(shown, false); send(Action::ShowMonth(y, m)) },
                    {t(lang, "‹ 上个月", "‹ Previous")} }
                span { class: "big month", "{heading}" }
                button { r#type: "button", class: "big", disabled: !can_forward,
                    onclick: move |_| { let (y, m) = step_month(shown, true); send(Action::ShowMonth(y, m)) },
                    {t(lang, "下个月 ›", "Next ›")} }
            }
            div { class: "days",
                for w in weekdays { span { class: "weekday", "{w}" } }
                for (i, cell) in month_grid(year, month).into_iter().enumerate() {
                    match cell {
                        Some(day) => rsx! {
                            button { key: "{day}", r#type: "button",
                                class: if d.happened_on == Some(day) { "day selected" } else { "day" },
                                disabled: day > today || day < first,
                                onclick: move |_| send(Action::Date(day)),
                                "{chrono::Datelike::day(&day)}" }
                        },
                        None => rsx! { span { key: "blank{i}", class: "blank" } },
                    }
                }
            }
            if let Some(on) = d.happened_on {
                p { class: "hint big", {t(lang, "已选：", "Chosen: ")} "{on}" }
            }
        }
    }
}

pub use crate::queue::{QueueRow, RowAction};

/// The village's queue, earliest deadline first: who, what happened, whom to call, the
/// working days left, and the step this phone takes at the case's stage.
#[component]
pub fn CadreQueue(rows: Vec<QueueRow>, lang: Lang, on_open: EventHandler<String>) -> Element {
    rsx! {
        section { class: "queue",
            h2 { class: "big", {t(lang, "待办", "To do")} " ({rows.len()})" }
            ul {
                for row in rows {
                    li { key: "{row.case_id}", class: if row.overdue { "row overdue" } else { "row" },
                        span { class: "name big", "{row.household_name}" }
                        if let Some(g) = &row.group { span { class: "group", "{g}" } }
                        if let Some(h) = &row.hardship { span { class: "hardship", "{h}" } }
                        if let Some(d) = row.happened_on { span { class: "when", {t(lang, "发生于", "on")} " {d}" } }
                        if let Some(p) = &row.phone { a { class: "phone", href: "tel:{p}", "{p}" } }
                        span { class: "stage", "{row.stage_label}" }
                        span { class: "due",
                            {match (row.days_left, lang) {
                                (Some(n), Lang::Zh) if n < 0 => format!("超期{}个工作日", -n),
                                (Some(0), Lang::Zh) => "今天到期".to_string(),
                                (Some(n), Lang::Zh) => format!("还剩{n}个工作日"),
                                (Some(n), Lang::En) if n < 0 => format!("{} working days overdue", -n),
                                (Some(0), Lang::En) => "due today".to_string(),
                                (Some(n), Lang::En) => format!("{n} working days left"),
                                (None, _) => String::new(),
                            }}
                        }
                        match (row.action.button(), &row.action) {
                            (Some(words), _) => rsx! {
                                button { r#type: "button", class: "big", onclick: move |_| on_open.call(row.case_id.clone()),
                                    "{words.get(lang)}" }
                            },
                            (None, RowAction::Elsewhere(why)) => rsx! { span { class: "hint", "{why.get(lang)}" } },
                            (None, _) => rsx! {},
                        }
                    }
                }
            }
        }
    }
}

/// The visits begun on this phone and not yet finished, `(case id, household)`, each
/// to be continued where it was left.
#[component]
pub fn UnfinishedVisits(items: Vec<(String, String)>, lang: Lang, on_continue: EventHandler<String>) -> Element {
    rsx! {
        if !items.is_empty() {
            section { class: "queue drafts",
                h3 { {t(lang, "未完成的入户记录", "Unfinished visits")} " ({items.len()})" }
                for (case_id, name) in items {
                    div { key: "{case_id}", class: "row",
                        span { class: "big", "{name}" }
                        button { r#type: "button", class: "big", onclick: move |_| on_continue.call(case_id.clone()),
                            {t(lang, "继续填写", "Continue")} }
                    }
                }
            }
        }
    }
}

/// The income worksheet of the home visit with live totals and the threshold line.
#[component]
pub fn IncomeWorksheet(
    form: Signal<crate::worksheet_form::WorksheetForm>,
    today: NaiveDate,
    /// The members listed: the income is shared among them.
    household_size: u32,
    /// The monitoring threshold in force, or why there is none (a year without data).
    threshold: Result<zaofaxian_shared::Fen, zaofaxian_shared::Text>,
    lang: Lang,
) -> Element {
    use crate::worksheet_form::{FIELDS, threshold_line};
    let f = form();
    let live = f.live_totals(today, household_size);
    let (window_start, window_end) = zaofaxian_shared::income::income_window(today);
    rsx! {
        section { class: "worksheet",
            h2 { class: "big", {t(lang, "家庭收入核算", "Household income")} }
            p { class: "hint",
                {t(lang, "收入按近12个月计算：", "Income over the last 12 months: ")} "{window_start} – {window_end}"
                {t(lang, "。金额以元为单位，可写 1500、1,500 或 1500.50。", ". Amounts in yuan: 1500, 1,500 or 1500.50.")}
            }
            for (field, zh, en) in FIELDS {
                label { class: if live.errors.iter().any(|(f, _)| f == field) { "field invalid" } else { "field" },
                    {t(lang, zh, en)}
                    input {
                        class: "big",
                        inputmode: "decimal",
                        value: "{f.get(field)}",
                        oninput: move |e| form.with_mut(|w| w.set(field, e.value())),
                    }
                    for (_, why) in live.errors.iter().filter(|(f, _)| f == field) {
                        span { class: "error", role: "alert", "{why.get(lang)}" }
                    }
                }
            }
            if !live.errors.is_empty() {
                p { class: "warn", {t(lang, "以下合计未计入填写有误的项目", "The totals below leave out the fields in error")} }
            }
            match live.totals {
                Ok(tot) => {
                    let (at_risk, line) = match &threshold {
                        Ok(th) => threshold_line(&tot, *th),
                        Err(why) => (false, why.clone()),
                    };
                    rsx! {
                        table { class: "totals",
                            tr { td { "A " {t(lang, "总收入", "total income")} } td { "{tot.a_total}" } }
                            tr { td { "B " {t(lang, "生产经营支出", "production costs")} } td { "{tot.b_total}" } }
                            tr { td { "C " {t(lang, "纯收入", "net income")} } td { "{tot.c_net}" } }
                            tr { td { "D " {t(lang, "人均纯收入", "per capita")} } td { "{tot.d_per_capita}" } }
                            tr { td { "D1 " {t(lang, "扣除刚性支出后人均", "per capita after rigid costs")} } td { "{tot.d1_after_rigid}" } }
                        }
                        p { class: if at_risk { "threshold at-risk big" } else { "threshold big" }, "{line.get(lang)}" }
                    }
                }
                Err((_, why)) => rsx! { p { class: "error", role: "alert", "{why.get(lang)}" } },
            }
        }
    }
}

/// Takes photos (the camera on phones, a file on the desktop), runs the pipeline off
/// the UI thread, keeps each photo for upload and hands its hash to `on_added`.
#[component]
pub fn PhotoPicker(collector: String, place: String, lang: Lang, on_added: EventHandler<String>) -> Element {
    // Absent only where the picker is rendered without the app (component tests).
    let ctx = try_use_context::<crate::app::AppContext>();
    let mut status = use_signal(|| None::<zaofaxian_shared::Text>);
    let mut kept = use_signal(Vec::<(String, usize)>::new);
    let disabled = ctx.is_none();
    // One handler for both inputs: each picture in turn, with progress.
    let take = move |e: Event<FormData>| {
        let files = e.files();
        let collector = collector.clone();
        let place = place.clone();
        let ctx = ctx.clone();
        async move {
            let Some(ctx) = ctx else { return };
            let total = files.len();
            for (i, file) in files.into_iter().enumerate() {
                status.set(Some(zaofaxian_shared::Text::new(
                    format!("正在处理照片 {}/{total}…", i + 1),
                    format!("processing photo {} of {total}…", i + 1),
                )));
                let bytes = match file.read_bytes().await {
                    Ok(b) => b.to_vec(),
                    Err(e) => {
                        status.set(Some(zaofaxian_shared::Text::new(
                            format!("无法读取照片：{e}"),
                            format!("cannot read the photo: {e}"),
                        )));
                        continue;
                    }
                };
                let wm = crate::photo::Watermark {
                    taken_at: chrono::Utc::now().with_timezone(&crate::app::china_offset()),
                    place: place.clone(),
                    collector: collector.clone(),
                };
                match crate::app::keep_photo(&ctx, bytes, wm).await {
                    Ok(p) => {
                        kept.write().push((p.sha256.clone(), p.size as usize));
                        on_added.call(p.sha256);
                        status.set(None);
                    }
                    Err(why) => status.set(Some(why)),
                }
            }
        }
    };
    rsx! {
        div { class: "photo-picker",
            // The camera directly (Android opens it for `capture`), or the gallery for a
            // picture taken earlier.
            div { class: "choices",
                label { class: "big button-like",
                    {t(lang, "拍照", "Take a photo")}
                    input { r#type: "file", accept: "image/*", capture: "environment", disabled, onchange: take.clone() }
                }
                label { class: "big button-like",
                    {t(lang, "从相册选", "From the gallery")}
                    input { r#type: "file", accept: "image/*", multiple: true, disabled, onchange: take }
                }
            }
            if let Some(s) = status() {
                p { class: "progress", role: "status", "{s.get(lang)}" }
            }
            ul { class: "photos",
                for (n, (sha, size)) in kept().into_iter().enumerate() {
                    li { key: "{sha}", {t(lang, "照片", "Photo ")} "{n + 1} · {size / 1024} KB ✓" }
                }
            }
        }
    }
}

/// One household of the cadre's list.
#[component]
pub fn HouseholdList(
    entries: Vec<crate::household_search::HouseholdEntry>,
    query: Signal<String>,
    on_visit: EventHandler<String>,
    lang: Lang,
) -> Element {
    let q = query();
    let found: Vec<_> = crate::household_search::search(&entries, &q)
        .into_iter()
        .cloned()
        .collect();
    rsx! {
        section { class: "households",
            h2 { class: "big", {t(lang, "农户", "Households")} " ({found.len()}/{entries.len()})" }
            input {
                class: "big",
                r#type: "search",
                placeholder: t(lang, "姓名、身份证号后几位或村民小组", "name, last digits of the ID, or group"),
                value: "{q}",
                oninput: move |e| query.set(e.value()),
            }
            ul {
                for h in found {
                    li { key: "{h.case_id}", class: "row",
                        span { class: "name big", "{h.name}" }
                        span { class: "group", "{h.group}" }
                        span { class: "id", "{h.masked_id()}" }
                        span { class: "stage", "{h.stage}" }
                        button { r#type: "button", class: "big", onclick: move |_| on_visit.call(h.case_id.clone()),
                            {t(lang, "入户核实", "Visit")} }
                    }
                }
            }
        }
    }
}
