//! The cadre's home-visit screen: one scrolling page of numbered sections, the
//! core's assessment previewed at the bottom as the form fills. State lives in
//! `VisitForm` / `WorksheetForm`; this file only shows it and sends edits.

use crate::location::VisitCheck;
use crate::ui::{IncomeWorksheet, PhotoPicker, t};
use crate::visit_form::{AuthKind, GUARANTEE_CHECKS, MemberForm, OBSERVED_FLAGS, VisitForm, VisitPurpose};
use crate::worksheet_form::WorksheetForm;
use chrono::NaiveDate;
use dioxus::prelude::*;
use zaofaxian_shared::elimination::EliminationEvidence;
use zaofaxian_shared::household::{Health, LabourCapacity, Relationship};
use zaofaxian_shared::policy::{ExclusionScope, OverrideRule};
use zaofaxian_shared::visit::{HomeVisit, VisitError};
use zaofaxian_shared::{DivisionCode, Fen, GeoPoint, Lang, Policy, Text};

fn health_label(h: Health) -> (&'static str, &'static str) {
    match h {
        Health::Healthy => ("健康", "healthy"),
        Health::Chronic => ("长期慢性病", "chronic illness"),
        Health::Serious => ("大病重病", "serious illness"),
    }
}

const HEALTHS: [Health; 3] = [Health::Healthy, Health::Chronic, Health::Serious];

/// A question asked of the household: 是 or 否, and "未回答" until one is tapped. Only
/// the two buttons take a tap, so a stray touch on the row changes nothing.
#[component]
fn YesNo(label: Text, answer: Option<bool>, lang: Lang, on_answer: EventHandler<bool>) -> Element {
    let class = |mine: bool| if answer == Some(mine) { "primary" } else { "" };
    rsx! {
        div { class: if answer.is_none() { "tri unanswered" } else { "tri" },
            span { class: "question", "{label.get(lang)}" }
            span { class: "answers",
                button { r#type: "button", class: "yes {class(true)}", aria_pressed: answer == Some(true),
                    onclick: move |_| on_answer.call(true), {t(lang, "是", "Yes")} }
                button { r#type: "button", class: "no {class(false)}", aria_pressed: answer == Some(false),
                    onclick: move |_| on_answer.call(false), {t(lang, "否", "No")} }
                if answer.is_none() { span { class: "hint", {t(lang, "未回答", "not asked")} } }
            }
        }
    }
}

#[component]
fn MemberRow(form: Signal<VisitForm>, i: usize, today: NaiveDate, error: Option<Text>, lang: Lang) -> Element {
    let m = form.read().members.get(i).cloned().unwrap_or_default();
    // What a valid ID number already says, so it is not typed twice.
    let from_id = zaofaxian_shared::NationalId::parse(m.national_id.trim())
        .ok()
        .map(|id| {
            let sex = match id.sex() {
                zaofaxian_shared::national_id::Sex::Male => t(lang, "男", "male"),
                zaofaxian_shared::national_id::Sex::Female => t(lang, "女", "female"),
            };
            format!(
                "{} {} · {sex} · {}{}",
                t(lang, "出生", "born"),
                id.birth_date(),
                id.age_on(today),
                t(lang, "岁", " years")
            )
        });
    let mut edit = move |f: &dyn Fn(&mut MemberForm)| {
        form.with_mut(|v| {
            if let Some(m) = v.members.get_mut(i) {
                f(m)
            }
        })
    };
    rsx! {
        fieldset { class: "member",
            legend { {t(lang, "成员", "Member")} " {i + 1}" }
            label { {t(lang, "姓名", "Name")}
                input { class: "big", value: "{m.name}", oninput: move |e| edit(&|m| m.name = e.value()) }
            }
            if let Some(e) = &error {
                p { class: "error", role: "alert", "{e.get(lang)}" }
            }
            label { {t(lang, "身份证号（可不填）", "ID number (optional)")}
                input { class: "big", value: "{m.national_id}", oninput: move |e| edit(&|m| m.national_id = e.value()) }
            }
            if let Some(said) = from_id {
                p { class: "hint from-id", "{said}" }
            }
            label { {t(lang, "出生日期（有身份证号可不填）", "Birth date (not needed with an ID number)")}
                input { r#type: "date", class: "big", value: "{m.birth_date}", oninput: move |e| edit(&|m| m.birth_date = e.value()) }
            }
            label { {t(lang, "劳动能力", "Labour")}
                select { class: "big",
                    onchange: move |e| {
                        let v = e.value();
                        edit(&|m| if let Some(l) = LabourCapacity::from_code(&v) { m.labour = l });
                    },
                    for l in LabourCapacity::ALL {
                        option { value: l.code(), selected: m.labour == l, "{l.label().get(lang)}" }
                    }
                }
            }
            label { {t(lang, "与户主关系", "Relationship to the head")}
                select { class: "big",
                    onchange: move |e| {
                        let v = e.value();
                        edit(&|m| m.relationship = Relationship::from_code(&v));
                    },
                    option { value: "", selected: m.relationship.is_none(), {t(lang, "请选择", "choose")} }
                    for r in Relationship::ALL {
                        option { value: r.code(), selected: m.relationship == Some(r), "{r.label().get(lang)}" }
                    }
                }
            }
            label { {t(lang, "健康状况", "Health")}
                select { class: "big",
                    onchange: move |e| {
                        let v = e.value();
                        edit(&|m| if let Some(h) = HEALTHS.iter().find(|h| format!("{h:?}") == v) { m.health = *h });
                    },
                    for h in HEALTHS {
                        option { value: "{h:?}", selected: m.health == h, {let (zh, en) = health_label(h); t(lang, zh, en)} }
                    }
                }
            }
            YesNo { label: Text::new("是否重度残疾", "Severely disabled?"), answer: m.severe_disability, lang,
                on_answer: move |yes: bool| edit(&|m| m.severe_disability = Some(yes)) }
            YesNo { label: Text::new("是否失能老人", "Disabled elderly?"), answer: m.disabled_elderly, lang,
                on_answer: move |yes: bool| edit(&|m| m.disabled_elderly = Some(yes)) }
            if form.read().members.len() > 1 {
                button { r#type: "button", onclick: move |_| form.with_mut(|v| { v.members.remove(i); }), {t(lang, "删除此成员", "Remove")} }
            }
        }
    }
}

/// The GPS section: the fix, its accuracy, and the check against the recorded home.
#[component]
fn LocationSection(form: Signal<VisitForm>, on_locate: EventHandler<()>, error: Option<Text>, lang: Lang) -> Element {
    let v = form.read();
    let check = v.location_check();
    let fix = v.fix;
    let mut lat = use_signal(String::new);
    let mut lon = use_signal(String::new);
    rsx! {
        section { class: "visit-part location", id: "part-6",
            h3 { {t(lang, "6. 定位", "6. Location")} }
            button { r#type: "button", class: "big", onclick: move |_| on_locate.call(()), {t(lang, "获取当前位置", "Get my position")} }
            if let Some(p) = fix {
                p { class: "fix",
                    "{p.lat:.5}, {p.lon:.5}"
                    if let Some(acc) = p.accuracy_m { " ±{acc:.0}" {t(lang, "米", " m")} }
                }
            }
            match check {
                Some(VisitCheck::Ok { distance_m }) => rsx! {
                    p { class: "ok", {t(lang, "距登记位置", "from the recorded home: ")} "{distance_m:.0}" {t(lang, "米", " m")} }
                },
                Some(VisitCheck::FirstFix) => rsx! {
                    p { class: "ok", {t(lang, "该户尚无登记位置，本次定位将作为住所位置", "no recorded home yet: this fix becomes it")} }
                },
                Some(VisitCheck::Warn { why, .. }) => rsx! { p { class: "warn", role: "alert", "{why.get(lang)}" } },
                None => rsx! {},
            }
            if let Some(e) = error {
                p { class: "error", "{e.get(lang)}" }
                // No receiver (desktop, or no satellites): the point can be typed from a map.
                div { class: "manual-fix",
                    input { class: "big", placeholder: t(lang, "纬度", "latitude"), value: "{lat}", oninput: move |e| lat.set(e.value()) }
                    input { class: "big", placeholder: t(lang, "经度", "longitude"), value: "{lon}", oninput: move |e| lon.set(e.value()) }
                    button { r#type: "button",
                        onclick: move |_| {
                            if let (Ok(a), Ok(o)) = (lat().trim().parse(), lon().trim().parse())
                                && let Ok(p) = GeoPoint::new(a, o)
                            {
                                form.with_mut(|v| v.fix = Some(p));
                            }
                        },
                        {t(lang, "使用此位置", "Use this point")}
                    }
                }
            }
        }
    }
}

/// The signature box: strokes drawn with a finger or the mouse, kept as vectors.
#[component]
fn SignatureBox(form: Signal<VisitForm>, lang: Lang) -> Element {
    let mut drawing = use_signal(|| false);
    // The box is as wide as the screen; strokes are kept in its 300×120 units (what the
    // console draws them in), so screen pixels are scaled by 300 ÷ the width shown.
    let mut scale = use_signal(|| 1.0_f64);
    let path = form.read().signature.path();
    rsx! {
        svg {
            class: "signature",
            view_box: "0 0 300 120",
            onmounted: move |e| async move {
                if let Ok(r) = e.get_client_rect().await && r.width() > 0.0 {
                    scale.set(300.0 / r.width());
                }
            },
            onpointerdown: move |e| {
                let (p, k) = (e.element_coordinates(), scale());
                drawing.set(true);
                form.with_mut(|v| v.signature.start(p.x * k, p.y * k));
            },
            onpointermove: move |e| {
                if drawing() {
                    let (p, k) = (e.element_coordinates(), scale());
                    form.with_mut(|v| v.signature.extend(p.x * k, p.y * k));
                }
            },
            onpointerup: move |_| drawing.set(false),
            onpointerleave: move |_| drawing.set(false),
            path { d: "{path}", stroke: "#111", stroke_width: "3", fill: "none" }
        }
        button { r#type: "button", onclick: move |_| form.with_mut(|v| v.signature = Default::default()), {t(lang, "重签", "Clear")} }
    }
}

/// The window's webview does not follow in-page links (Dioxus keeps it on the app's
/// page), so the index scrolls there itself; a browser follows the link as it is.
fn jump_to_part(e: Event<MouseData>, number: u8) {
    #[cfg(all(not(target_arch = "wasm32"), any(feature = "desktop", feature = "mobile")))]
    {
        e.prevent_default();
        let _ = dioxus::document::eval(&format!(
            "document.getElementById('part-{number}')?.scrollIntoView({{block: 'start'}});"
        ));
    }
    #[cfg(not(all(not(target_arch = "wasm32"), any(feature = "desktop", feature = "mobile"))))]
    let _ = (e, number);
}

/// The form's index: each part with a mark for done (✓), missing (待填) or optional,
/// a link to the part.
#[component]
fn PartIndex(parts: Vec<crate::visit_form::Part>, lang: Lang) -> Element {
    use crate::visit_form::PartState;
    let missing = parts.iter().filter(|p| p.state == PartState::Missing).count();
    rsx! {
        nav { class: "part-index",
            p { class: "hint",
                if missing == 0 { {t(lang, "各部分均已填写", "Every part is filled in")} }
                else { {t(lang, "尚未完成的部分：", "Parts not finished: ")} "{missing}" }
            }
            ol {
                for p in parts {
                    li { key: "{p.number}", class: match p.state { PartState::Done => "done", PartState::Missing => "missing", PartState::Optional => "optional" },
                        a { href: "#part-{p.number}", onclick: move |e| jump_to_part(e, p.number),
                            "{p.number}. {p.title.get(lang)} "
                            match p.state {
                                PartState::Done => rsx! { "✓" },
                                PartState::Missing => rsx! { {t(lang, "待填", "to do")} },
                                PartState::Optional => rsx! { {t(lang, "可选", "optional")} },
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The whole home-visit page. `on_save` receives the checked visit and the finding.
#[component]
pub fn VisitScreen(
    form: Signal<VisitForm>,
    worksheet: Signal<WorksheetForm>,
    household_name: String,
    village: DivisionCode,
    today: NaiveDate,
    threshold: Result<Fen, Text>,
    /// The policy in force (profiles shipped, thresholds as the server last sent them).
    policy: std::sync::Arc<Policy>,
    collector: String,
    on_locate: EventHandler<()>,
    locate_error: Option<Text>,
    on_save: EventHandler<(HomeVisit, bool)>,
    /// Leave the visit unfinished (it is kept as typed) and come back to it later.
    on_later: EventHandler<()>,
    lang: Lang,
) -> Element {
    let v = form.read().clone();
    let visit = v.to_visit(village, today, &worksheet.read());
    // A member's problem is shown in that member's box as well as at the end.
    let member_error = visit.as_ref().err().and_then(|e| {
        let i = e
            .field
            .strip_prefix("members[")?
            .split(']')
            .next()?
            .parse::<usize>()
            .ok()?;
        Some((i, e.text.clone()))
    });
    let preview = v.preview(&policy, village, today, &worksheet.read());
    let place = v
        .fix
        .map(|p| format!("{village} {:.5}°N {:.5}°E", p.lat, p.lon))
        .unwrap_or_else(|| village.to_string());
    rsx! {
        section { class: "visit",
            h2 { class: "big", "{v.purpose.title().get(lang)} · {household_name}" }
            p { class: "hint", {t(lang, "每项输入都自动保存在手机上，关机或来电也不会丢失。", "Everything typed is kept on the phone at once: a call or a flat battery loses nothing.")}
                button { r#type: "button", class: "later", onclick: move |_| on_later.call(()), {t(lang, "稍后继续", "Finish later")} }
            }
            PartIndex { parts: v.progress(&worksheet.read(), today), lang }
            label { {t(lang, "村民小组", "Villager group")}
                input { class: "big", value: "{v.group}", oninput: move |e| form.with_mut(|f| f.group = e.value()) }
            }
            YesNo { label: Text::new("是否脱贫户", "Formerly poor household?"), answer: v.formerly_poor, lang,
                on_answer: move |a| form.with_mut(|f| f.formerly_poor = Some(a)) }
            section { class: "visit-part", id: "part-1",
                h3 { {t(lang, "1. 家庭成员", "1. Members")} " ({v.members.len()})" }
                for i in 0..v.members.len() {
                    MemberRow { key: "{i}", form, i, today, lang,
                        error: member_error.as_ref().filter(|(at, _)| *at == i).map(|(_, e)| e.clone()) }
                }
                button { r#type: "button", class: "big", onclick: move |_| form.with_mut(|f| f.members.push(MemberForm::default())), {t(lang, "＋ 添加成员", "+ Add member")} }
            }
            section { class: "visit-part", id: "part-2",
                h3 { {t(lang, "2. 收入核算", "2. Income")} }
                IncomeWorksheet { form: worksheet, today, household_size: v.members.len() as u32, threshold, lang }
            }
            section { class: "visit-part guarantees", id: "part-3",
                h3 { {t(lang, "3. “两不愁三保障”及饮水安全", "3. Basic needs and drinking water")} }
                for (k, (zh, en)) in GUARANTEE_CHECKS.into_iter().enumerate() {
                    YesNo { key: "{k}", label: Text::new(zh, en), answer: v.guarantees[k], lang,
                        on_answer: move |a| form.with_mut(|f| f.guarantees[k] = Some(a)) }
                }
                YesNo { label: Text::new("是否因病因灾因意外导致基本生活严重困难", "Did illness, disaster or an accident leave basic living in severe difficulty?"),
                    answer: v.sudden_hardship, lang, on_answer: move |a| form.with_mut(|f| f.sudden_hardship = Some(a)) }
            }
            section { class: "visit-part exclusions", id: "part-4",
                h3 { {t(lang, "4. 排除情形逐项核对", "4. Exclusion checklist")} }
                if v.unanswered_exclusions() > 0 {
                    p { class: "hint", {t(lang, "尚未核对：", "not yet answered: ")} "{v.unanswered_exclusions()}" }
                }
                for (i, e) in v.exclusions.iter().cloned().enumerate() {
                    div { key: "{e.rule_id}", class: if e.applies.is_none() { "exclusion unanswered" } else { "exclusion" },
                        p { "{i + 1}. {e.label.get(lang)}" }
                        div { class: "choices",
                            button { r#type: "button", class: if e.applies == Some(false) { "choice selected" } else { "choice" },
                                onclick: move |_| form.with_mut(|f| f.exclusions[i].applies = Some(false)), {t(lang, "无此情形", "Does not apply")} }
                            button { r#type: "button", class: if e.applies == Some(true) { "choice selected" } else { "choice" },
                                onclick: move |_| form.with_mut(|f| f.exclusions[i].applies = Some(true)), {t(lang, "存在", "Applies")} }
                        }
                        if e.applies == Some(true) && e.scope == ExclusionScope::Person {
                            // The rule names persons: they are left out, the household is kept.
                            label { {t(lang, "不计入本户的人员姓名（用顿号分隔；整户空挂请留空）", "Persons left out of the household (separate with 、; leave empty if the whole household is registered on paper only)")}
                                input { class: "big", value: "{e.persons}", oninput: move |ev| form.with_mut(|f| f.exclusions[i].persons = ev.value()) }
                            }
                        } else if e.applies == Some(true) && e.override_rule == OverrideRule::None {
                            p { class: "hint", {t(lang, "此情形不得纳入监测", "this situation cannot be included")} }
                        } else if e.applies == Some(true) {
                            input { class: "big",
                                placeholder: if e.override_rule == OverrideRule::AssemblyReview {
                                    t(lang, "如拟仍纳入，请写明情况，提交村民代表大会重点评议", "to include anyway: state the case for the village representative assembly")
                                } else {
                                    t(lang, "如确需纳入，请填写查实情况和专门说明", "to include anyway: what was verified, and the explanation")
                                },
                                value: "{e.note}", oninput: move |ev| form.with_mut(|f| f.exclusions[i].note = ev.value()) }
                        }
                    }
                }
            }
            section { class: "visit-part flags", id: "part-5",
                h3 { {t(lang, "5. 重点关注情形", "5. Key-attention situations")} }
                for flag in OBSERVED_FLAGS {
                    label { class: "check",
                        input { r#type: "checkbox", checked: v.observed.contains(&flag), onchange: move |_| form.with_mut(|f| f.toggle_flag(flag)) }
                        "{flag.label().get(lang)}"
                    }
                }
            }
            LocationSection { form, on_locate, error: locate_error, lang }
            section { class: "visit-part photos", id: "part-7",
                h3 { {t(lang, "7. 住房照片", "7. Housing photos")} " ({v.photos.len()})" }
                PhotoPicker { collector: collector.clone(), place, lang, on_added: move |sha: String| form.with_mut(|f| if !f.photos.contains(&sha) { f.photos.push(sha) }) }
            }
            section { class: "visit-part authorization", id: "part-8",
                h3 { {t(lang, "8. 授权承诺书签字", "8. Signed authorization")} }
                // What the household signs, read to it before it signs.
                blockquote { class: "authorization-text", "{crate::visit_form::authorization_text(&household_name).get(lang)}" }
                label { {t(lang, "签字人", "Signed by")}
                    input { class: "big", value: "{v.signer}", oninput: move |e| form.with_mut(|f| f.signer = e.value()) }
                }
                div { class: "choices",
                    for (kind, zh, en) in [(AuthKind::Drawn, "手写签名", "Signature"), (AuthKind::Fingerprint, "按手印", "Fingerprint"), (AuthKind::Proxy, "他人代签", "Proxy")] {
                        button { r#type: "button", class: if v.auth_kind == kind { "choice big selected" } else { "choice big" },
                            onclick: move |_| form.with_mut(|f| f.auth_kind = kind), {t(lang, zh, en)} }
                    }
                }
                if v.auth_kind == AuthKind::Drawn {
                    SignatureBox { form, lang }
                } else {
                    input { class: "big", placeholder: t(lang, "说明：谁按手印或代签、原因、见证人", "who fingerprinted or signed for whom, why, witness"),
                        value: "{v.auth_note}", oninput: move |e| form.with_mut(|f| f.auth_note = e.value()) }
                }
                if v.purpose == VisitPurpose::Verification {
                    div { class: "application",
                        YesNo { label: Text::new("农户是否申请纳入监测（此签字同时作为纳入监测申请）",
                                "Does the household apply to be monitored (this signature is also the application)?"),
                            answer: v.application, lang,
                            on_answer: move |yes: bool| form.with_mut(|f| f.application = Some(yes)) }
                        if v.application == Some(false) {
                            p { class: "hint", {t(lang, "未申请：核实存在风险时，案件将停在“待签署申请”，需另行签署。",
                                "Not applied: if at risk, the case waits for the application to be signed.")} }
                        }
                    }
                }
            }
            if v.purpose == VisitPurpose::Elimination {
                EliminationFinding { form, visit, evidence: v.elimination_preview(&policy, village, today, &worksheet.read()), on_save, lang }
            } else {
            section { class: "visit-part finding",
                h3 { {t(lang, "核实结论（预览）", "Finding (preview)")} }
                match (visit, preview) {
                    (Err(e), _) => rsx! { p { class: "error", role: "alert", "{e.text.get(lang)}" } },
                    // The core's assessment is advice shown beside the cadre's own finding,
                    // which the cadre always records: "no risk" is never the phone's verdict.
                    (Ok(visit), Ok(a)) => {
                        let eligible = a.eligible;
                        let second = visit.clone();
                        rsx! {
                            p { class: if eligible { "threshold at-risk big" } else { "threshold big" },
                                {t(lang, "系统测算：", "Assessment: ")}
                                if eligible { {t(lang, "存在返贫致贫风险，建议纳入监测", "at risk: propose monitoring")} }
                                else { {t(lang, "暂未测算出返贫致贫风险", "no risk computed")} }
                            }
                            ul { class: "reasons",
                                for r in a.reasons.iter() { li { "{r.text.get(lang)}" } }
                                for f in a.flags.iter() { li { class: "flag", "{f.label.get(lang)}：{f.because.get(lang)}" } }
                            }
                            p { {t(lang, "请根据入户所见作出您的结论（与测算不一致时，审核人会看到）：", "Record your own finding from the visit (a reviewer sees where it differs from the assessment):")} }
                            if !a.mandatory { NoRiskReason { form, lang } }
                            div { class: "choices",
                                button { r#type: "button", class: if eligible { "primary big" } else { "big" }, onclick: move |_| on_save.call((visit.clone(), true)),
                                    {t(lang, "保存：存在风险", "Save: at risk")} }
                                // 玉溪 三(二) "全部纳入监测": the core refuses "no risk" for these;
                                // elsewhere "no risk" needs the reason the household is told.
                                if !a.mandatory && v.no_risk_reason_given() {
                                    button { r#type: "button", class: if eligible { "big" } else { "primary big" }, onclick: move |_| on_save.call((second.clone(), false)),
                                        {t(lang, "保存：未发现风险", "Save: no risk")} }
                                }
                            }
                            if a.mandatory {
                                p { class: "hint", {t(lang, "脱贫户收入低于国定扶贫标准或“三保障”未保障，应全部纳入监测", "A formerly poor household under the poverty line or with a guarantee unmet must be monitored")} }
                            }
                        }
                    }
                    // The core cannot assess (e.g. no threshold for this year yet): the visit is
                    // still recorded, with the cadre's own finding; the server notes why.
                    (Ok(visit), Err(why)) => {
                        let second = visit.clone();
                        rsx! {
                            p { class: "warn", role: "alert", "{why.get(lang)}" }
                            p { {t(lang, "无法自动测算，请根据入户情况判断：", "No automatic assessment: record your own finding:")} }
                            NoRiskReason { form, lang }
                            div { class: "choices",
                                button { r#type: "button", class: "primary big", onclick: move |_| on_save.call((visit.clone(), true)),
                                    {t(lang, "保存：存在风险", "Save: at risk")} }
                                if v.no_risk_reason_given() {
                                    button { r#type: "button", class: "big", onclick: move |_| on_save.call((second.clone(), false)),
                                        {t(lang, "保存：未发现风险", "Save: no risk")} }
                                }
                            }
                        }
                    }
                }
            }
            }
        }
    }
}

/// Why no risk was found, in words the household is told; the "no risk" button comes
/// once it is long enough.
#[component]
fn NoRiskReason(form: Signal<VisitForm>, lang: Lang) -> Element {
    let reason = form.read().no_risk_reason.clone();
    rsx! {
        label { {t(lang, "如未发现风险，请写明原因（至少4个字，将反馈农户）", "If you found no risk, say why (at least 4 characters; the household is told)")}
            textarea { class: "big", rows: "2", value: "{reason}", oninput: move |e| form.with_mut(|f| f.no_risk_reason = e.value()) }
        }
    }
}

/// The end of an elimination home check: the four criteria as the core judges them
/// from the form, the household's consent, and the submission (offered only when
/// every criterion is met: the server would refuse it otherwise).
#[component]
fn EliminationFinding(
    form: Signal<VisitForm>,
    visit: Result<HomeVisit, VisitError>,
    evidence: Result<(EliminationEvidence, Vec<String>), Text>,
    on_save: EventHandler<(HomeVisit, bool)>,
    lang: Lang,
) -> Element {
    let consent = form.read().consent;
    rsx! {
        section { class: "visit-part finding",
            h3 { {t(lang, "风险消除标准研判", "Elimination criteria")} }
            match (visit, evidence) {
                (Err(e), _) => rsx! { p { class: "error", role: "alert", "{e.text.get(lang)}" } },
                (Ok(_), Err(why)) => rsx! { p { class: "warn", role: "alert", "{why.get(lang)}" } },
                (Ok(visit), Ok((e, unmet))) => rsx! {
                    p { class: "big", {t(lang, "人均纯收入", "Per-capita net income")} " {e.per_capita} / {e.threshold} " {t(lang, "元/年", "yuan a year")} }
                    if unmet.is_empty() {
                        p { class: "threshold big", {t(lang, "四项标准均已达标", "All four criteria are met")} }
                    } else {
                        p { class: "threshold at-risk big", {t(lang, "尚未达标，继续帮扶：", "Not met yet, keep assisting:")} }
                        ul { class: "reasons", for u in unmet.iter() { li { "{u}" } } }
                    }
                    if !e.household_has_labour {
                        p { class: "warn", {t(lang, "家庭无劳动能力：落实社会保障措施，持续跟踪监测", "No labour in the household: social security measures and continued monitoring")} }
                    }
                    label { class: "check",
                        input { r#type: "checkbox", checked: consent, onchange: move |ev| form.with_mut(|f| f.consent = ev.checked()) }
                        {t(lang, "农户知情并同意标注风险消除", "The household knows and agrees to its risk being marked eliminated")}
                    }
                    if unmet.is_empty() && consent {
                        button { r#type: "button", class: "primary big", onclick: move |_| on_save.call((visit.clone(), false)),
                            {t(lang, "提交风险消除核查", "Submit the elimination check")} }
                    }
                },
            }
        }
    }
}
