//! 排查新户: the one-page form a cadre fills for a household found on their rounds,
//! before its home visit. The draft is a report (`report_form`); saving files it and
//! opens the visit.

use crate::report_form::{Action, ReportDraft, reduce};
use crate::ui::t;
use chrono::NaiveDate;
use dioxus::prelude::*;
use zaofaxian_shared::Lang;
use zaofaxian_shared::report::{Hardship, HardshipReport};

#[component]
pub fn FoundCaseForm(
    draft: Signal<ReportDraft>,
    today: NaiveDate,
    lang: Lang,
    on_save: EventHandler<HardshipReport>,
    on_cancel: EventHandler<()>,
) -> Element {
    let mut send = move |a: Action| {
        let next = reduce(draft(), a, today);
        draft.set(next);
    };
    let d = draft();
    let error = d.error.as_ref().map(|e| e.get(lang).to_string());
    let save = move |_| match draft().to_report(today) {
        Ok(r) => on_save.call(r),
        Err(e) => draft.with_mut(|d| d.error = Some(e)),
    };
    rsx! {
        section { class: "visit-part found-case",
            h2 { class: "big", {t(lang, "排查发现新户", "A household found on rounds")} }
            p { class: "hint", {t(lang, "保存后即开始入户核实；有信号时与核实记录一起上传。", "Saving opens its home visit; both go when there is a signal.")} }
            label { {t(lang, "户主姓名", "Head of household")}
                input { class: "big", name: "household_name", initial_value: "{d.household_name}", oninput: move |e| send(Action::Name(e.value())) }
            }
            label { {t(lang, "身份证号（可不填）", "ID number (optional)")}
                input { class: "big", name: "national_id", maxlength: "18", initial_value: "{d.national_id}", oninput: move |e| send(Action::NationalId(e.value())) }
            }
            label { {t(lang, "联系电话（可不填）", "Phone (optional)")}
                input { class: "big", name: "phone", r#type: "tel", inputmode: "numeric", maxlength: "11", initial_value: "{d.phone}", oninput: move |e| send(Action::Phone(e.value())) }
            }
            label { {t(lang, "村民小组（可不填）", "Villager group (optional)")}
                input { class: "big", name: "group", maxlength: "20", initial_value: "{d.group}", oninput: move |e| send(Action::Group(e.value())) }
            }
            p { class: "big", {t(lang, "发生了什么困难？", "What happened?")} }
            div { class: "choices",
                for h in Hardship::ALL {
                    button { r#type: "button",
                        class: if d.hardship == Some(h) { "choice big selected" } else { "choice big" },
                        onclick: move |_| send(Action::Pick(h)),
                        "{h.label().get(lang)}" }
                }
            }
            label { {t(lang, "发生日期", "When it happened")}
                input { class: "big", name: "happened_on", r#type: "date", max: "{today}",
                    initial_value: d.happened_on.map(|x| x.to_string()).unwrap_or_default(),
                    oninput: move |e| if let Ok(date) = e.value().parse() { send(Action::Date(date)) } }
            }
            label { {t(lang, "情况说明（可不填）", "What was found (optional)")}
                textarea { class: "big", name: "description", rows: "3", maxlength: "2000", initial_value: "{d.description}",
                    oninput: move |e| send(Action::Description(e.value())) }
            }
            if let Some(e) = error {
                p { class: "error", role: "alert", "{e}" }
            }
            div { class: "nav",
                button { r#type: "button", class: "big", onclick: move |_| on_cancel.call(()), {t(lang, "取消", "Cancel")} }
                button { r#type: "button", class: "primary big", onclick: save, {t(lang, "保存并入户核实", "Save and visit")} }
            }
        }
    }
}
