//! 提醒与督办: the caller's own due and late steps, the 督办 notes to it, the level
//! below's late steps with a 督办 form each, and the switch for reminder texts.
//! Loading is `crate::reminders::for_account`; the view below is a pure function of it.

use super::{Staff, api_error_page, layout, stale_form, tr};
use crate::state::AppState;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use zaofaxian_shared::reminders::Urgency;
use zaofaxian_shared::wire::Reminders;
use zaofaxian_shared::{Lang, Text};

/// What a posted form did, said on the page.
enum Flash {
    Done(Text),
    Refused(Text),
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> Response {
    render(&state, &staff, None, StatusCode::OK).await
}

async fn render(state: &AppState, staff: &Staff, flash: Option<Flash>, status: StatusCode) -> Response {
    let r = match crate::reminders::for_account(state, &staff.account).await {
        Ok(r) => r,
        Err(e) => return api_error_page(e.into()),
    };
    let l = staff.lang;
    (
        status,
        layout(
            tr(l, "提醒与督办", "Reminders"),
            Some(staff),
            view(&r, staff, flash.as_ref(), l),
        ),
    )
        .into_response()
}

fn when(urgency: Urgency, days_left: i64, l: Lang) -> String {
    match (urgency, days_left) {
        (Urgency::Overdue, n) => format!(
            "{}{}{}",
            tr(l, "超期", "late by "),
            -n,
            tr(l, "个工作日", " working day(s)")
        ),
        (_, 0) => tr(l, "今天到期", "due today").to_string(),
        _ => tr(l, "下个工作日到期", "due the next working day").to_string(),
    }
}

fn view(r: &Reminders, staff: &Staff, flash: Option<&Flash>, l: Lang) -> Markup {
    html! {
        h2 { (tr(l, "提醒与督办", "Reminders and supervision")) }
        @match flash {
            Some(Flash::Done(t)) => div.flash.ok role="status" { (t.get(l)) },
            Some(Flash::Refused(t)) => div.flash.error role="alert" { (t.get(l)) },
            None => {},
        }
        @if let Some(report) = &r.report_due { p.flash.error { (report) } }
        @for m in &r.reports {
            form method="post" action="/console/reminders" {
                input type="hidden" name="csrf" value=(staff.csrf);
                input type="hidden" name="action" value="file_report";
                input type="hidden" name="month" value=(format!("{}-{:02}", m.year, m.month));
                strong { (m.month) (tr(l, "月防返贫监测月报", " monthly report")) } "（" (tr(l, "到期日 ", "due ")) (m.due) "）："
                @match m.filed_at {
                    Some(at) => { (tr(l, "已于", "marked filed on ")) (super::case_page::china_time(at)) (tr(l, "标记为已上报", "")) },
                    None => { (tr(l, "未上报 ", "not filed ")) button type="submit" { (tr(l, "标记为已上报", "Mark as filed")) } " " a href="/console/board" { (tr(l, "（在看板下载本月月报）", "(download it from the board)")) } },
                }
            }
        }
        h3 { (tr(l, "我的待办（明天到期或已超期）", "Due soon or late (mine)")) }
        @if r.due.is_empty() { p.muted { (tr(l, "没有即将到期或超期的事项", "nothing due soon or late")) } }
        @else {
            table { thead { tr { th { (tr(l, "户主", "Household")) } th { (tr(l, "身份证号", "ID number")) } th { (tr(l, "事项", "Step")) } th { (tr(l, "到期日", "Due")) } th { (tr(l, "情况", "Status")) } } }
                tbody { @for i in &r.due {
                    tr.(if i.urgency == Urgency::Overdue { "overdue" } else { "" }) {
                        td { a href={ "/console/cases/" (i.case_id) } { (i.household_name) } }
                        td { (i.national_id.clone().unwrap_or_default()) }
                        td { (i.deadline.label().get(l)) }
                        td { (i.due) }
                        td { (when(i.urgency, i.days_left, l)) }
                    }
                } }
            }
        }
        h3 { (tr(l, "上级督办", "Supervision notes to me")) }
        @if r.supervision.is_empty() { p.muted { (tr(l, "没有督办意见", "none")) } }
        @else { ul { @for n in &r.supervision {
            li { (super::case_page::china_time(n.at)) " · " (n.from) " · " a href={ "/console/cases/" (n.case_id) } { (n.household_name) } "：" strong { (n.note) } }
        } } }
        h3 { (tr(l, "超期督办（下级超期一个工作日以上）", "Late below (a working day or more)")) }
        @if r.escalated.is_empty() { p.muted { (tr(l, "没有下级超期事项", "nothing late below")) } }
        @else {
            table { thead { tr { th { (tr(l, "户主", "Household")) } th { (tr(l, "事项", "Step")) } th { (tr(l, "到期日", "Due")) } th { (tr(l, "超期", "Late")) } th { (tr(l, "责任人", "Responsible")) } th { (tr(l, "督办", "Supervise")) } } }
                tbody { @for e in &r.escalated {
                    tr.overdue {
                        td { a href={ "/console/cases/" (e.case_id) } { (e.household_name) } " " span.muted { (e.national_id.clone().unwrap_or_default()) } }
                        td { (e.level.label().get(l)) " · " (e.deadline.label().get(l)) }
                        td { (e.due) }
                        td { (e.working_days_late) (tr(l, "个工作日", " working day(s)")) }
                        td { @if e.responsible.is_empty() { (tr(l, "（无账号）", "(no account)")) } @else { (e.responsible.join("、")) } }
                        td {
                            @if e.notes > 0 { span.muted { (tr(l, "已督办", "sent ")) (e.notes) (tr(l, "次 ", "× ")) } }
                            form method="post" action="/console/reminders" {
                                input type="hidden" name="csrf" value=(staff.csrf);
                                input type="hidden" name="action" value="supervise";
                                input type="hidden" name="case_id" value=(e.case_id);
                                input type="text" name="note" maxlength=(crate::reminders::MAX_NOTE_CHARS) required
                                    placeholder=(tr(l, "督办意见，如：请今日完成入户核实", "e.g. finish the visit today"));
                                button type="submit" { (tr(l, "督办", "Supervise")) }
                            }
                        }
                    }
                } }
            }
        }
        h3 { (tr(l, "提醒短信", "Reminder texts")) }
        p.muted { (tr(l, "每个工作日早上8点后，有到期或超期事项时发一条汇总短信到工作电话；应用和本页的提醒不受影响。",
                      "On working mornings after 08:00, one summary text goes to your work phone when something is due or late; the lists here and in the app stay.")) }
        form method="post" action="/console/reminders" {
            input type="hidden" name="csrf" value=(staff.csrf);
            @if r.texts_muted {
                input type="hidden" name="action" value="unmute";
                (tr(l, "提醒短信已关闭 ", "Reminder texts are off ")) button type="submit" { (tr(l, "开启", "Turn on")) }
            } @else {
                input type="hidden" name="action" value="mute";
                (tr(l, "提醒短信已开启 ", "Reminder texts are on ")) button type="submit" { (tr(l, "关闭", "Turn off")) }
            }
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ActForm {
    csrf: String,
    action: String,
    #[serde(default)]
    case_id: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    month: String,
}

pub async fn act(State(state): State<AppState>, staff: Staff, Form(f): Form<ActForm>) -> Response {
    if !staff.form_is_ours(&f.csrf) {
        return stale_form();
    }
    let result = match f.action.as_str() {
        "supervise" => crate::reminders::supervise(&state, &staff.caller(), &f.case_id, &f.note)
            .await
            .map(|()| Text::new("督办意见已发送", "supervision note sent")),
        "file_report" => match chrono::NaiveDate::parse_from_str(&format!("{}-01", f.month), "%Y-%m-%d") {
            Ok(d) => {
                use chrono::Datelike;
                crate::reminders::file_report(&state, &staff.account, d.year(), d.month())
                    .await
                    .map(|m| {
                        Text::new(
                            format!("{}月月报已标记为已上报", m.month),
                            format!("the month {} report is marked filed", m.month),
                        )
                    })
            }
            Err(_) => Err(crate::error::ApiError::bad_request(
                "bad_month",
                "月份格式应为 2025-11",
                "month as 2025-11",
            )),
        },
        "mute" | "unmute" => {
            let at = (f.action == "mute").then(|| state.now_ms());
            match state.store.set_texts_muted(&staff.account.id, at).await {
                Ok(()) if at.is_some() => Ok(Text::new("提醒短信已关闭", "reminder texts turned off")),
                Ok(()) => Ok(Text::new("提醒短信已开启", "reminder texts turned on")),
                Err(e) => Err(e.into()),
            }
        }
        _ => {
            return api_error_page(crate::error::ApiError::bad_request(
                "bad_action",
                "未知操作",
                "unknown action",
            ));
        }
    };
    match result {
        Ok(t) => render(&state, &staff, Some(Flash::Done(t)), StatusCode::OK).await,
        Err(e) if e.status.is_client_error() => {
            let b = e.body();
            render(&state, &staff, Some(Flash::Refused(b.message)), e.status).await
        }
        Err(e) => api_error_page(e),
    }
}
