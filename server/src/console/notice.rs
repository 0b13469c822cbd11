//! The printable public notice (公示): households of an area whose notice is running,
//! with names, masked ID numbers, posting date and end date, ready for the village
//! notice board. ID numbers are always masked: this page is meant to be posted.

use super::board_page::{BoardQuery, filtered};
use super::{Staff, layout};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use zaofaxian_shared::Stage;
use zaofaxian_shared::lifecycle::Procedure;

/// Which notice: households proposed for monitoring, or for risk elimination
/// (`?notice=elimination`): villagers must never read "拟纳入" over a household that is
/// being taken off.
#[derive(Debug, serde::Deserialize)]
pub struct NoticeKind {
    #[serde(default)]
    notice: Option<String>,
}

/// The helpline, printed on every notice; the township's own supervision number is
/// written in by hand.
use zaofaxian_shared::household_words::HELPLINE_NAME as HELPLINE;

pub async fn notice(
    State(state): State<AppState>,
    staff: Staff,
    Query(q): Query<BoardQuery>,
    Query(kind): Query<NoticeKind>,
) -> Response {
    let elimination = kind.notice.as_deref() == Some("elimination");
    let (area, rows) = match filtered(&state, &staff, &q).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let area_name = super::division_name(&state, area).await;
    let mut listed = Vec::new();
    for r in rows
        .iter()
        .filter(|r| matches!(r.stage, Stage::InNotice | Stage::InSecondNotice))
    {
        if let Ok(Some(case)) = state.store.case(&r.case_id).await
            && let Some((from, to)) = case.state.notice
            && (case.state.procedure == Procedure::Elimination) == elimination
        {
            let category = case.state.category.map(|c| c.label().zh).unwrap_or_else(|| "—".into());
            listed.push((
                r,
                from,
                to,
                case.state.stage == Stage::InSecondNotice,
                r.provisional,
                category,
            ));
        }
    }
    // The wording of this year in the area's profile (监测对象; from 2026 防止返贫致贫对象).
    let object = crate::board::area_for(&staff.caller(), q.division.as_deref().and_then(|d| d.parse().ok()))
        .ok()
        .and_then(|a| {
            state
                .reference()
                .policy
                .profile_for(a)
                .ok()
                .map(|p| p.terms(chrono::Datelike::year(&state.clock.today())).object.zh)
        })
        .unwrap_or_else(|| "监测对象".into());
    let short = object.trim_start_matches("防止返贫").to_string();
    let body = html! {
        @if elimination {
            h2 style="text-align:center" { (area_name) "防止返贫" (short) "拟标注风险消除名单公示" }
            p {
                "根据防止返贫动态监测和帮扶工作要求，经入户核实、村级民主评议，以下" (object)
                "收入持续稳定、“两不愁三保障”及饮水安全持续巩固、风险已稳定消除，本人已知情同意，拟标注风险消除，"
                "现予以公示。公示期间如有异议，请向村委会或乡（镇）人民政府反映。"
            }
        } @else {
            h2 style="text-align:center" { (area_name) "防止返贫" (short) "拟纳入名单公示" }
            p {
                "根据防止返贫动态监测和帮扶工作要求，经农户申请（或干部排查、部门预警）、入户核实、村级民主评议，"
                "现将拟纳入" (object) "的农户名单予以公示。公示期间如有异议，请向村委会或乡（镇）人民政府反映。"
            }
        }
        table {
            thead { tr { th { "序号" } th { "户主姓名" } th { "身份证号" } th { "类别" } th { "公示开始" } th { "公示截止" } th { "公示" } } }
            tbody {
                @for (i, (r, from, to, second, provisional, category)) in listed.iter().enumerate() {
                    tr {
                        td { (i + 1) }
                        td { (r.household_name) }
                        td { (r.national_id.clone().unwrap_or_else(|| "（未登记）".into())) }
                        td { (category) }
                        td { (from) }
                        td { (to) @if *provisional { "（暂定）" } }
                        td { @if *second { "县级审定后公示" } @else { "村级评议后公示" } }
                    }
                }
            }
        }
        @if listed.is_empty() { p.muted { "当前没有公示中的农户" } }
        @if listed.iter().any(|x| x.4) {
            p { "注：标“暂定”的截止日期按周六、周日休息计算，待次年国务院节假日安排公布并导入后确定，以确定后的日期为准。" }
        }
        p { "监督电话：" (HELPLINE) "；乡（镇）监督电话：____________" }
        p style="text-align:right" { (area_name) "　" (state.clock.today()) }
        p.noprint.muted { "打印：使用浏览器的“打印”（Ctrl+P），页头和按钮不会印出。" }
    };
    layout("公示", Some(&staff), body).into_response()
}
