//! The deadline board: an area's open cases, overdue first, with counts rolled up
//! to the divisions one level down, filters, and links to print and export.

use super::{Staff, api_error_page, layout};
use crate::board::{QueueItem, area_for, items, rollup, tag};
use crate::state::AppState;
use crate::store::{CaseFilter, Scope};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use zaofaxian_shared::lifecycle::{Channel, Stage};
use zaofaxian_shared::{DivisionCode, Lang};

/// The board's filters, also used by the exports (same query string).
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    pub division: Option<String>,
    pub stage: Option<String>,
    pub channel: Option<String>,
}

impl BoardQuery {
    /// Empty form fields mean "any".
    fn given(v: &Option<String>) -> Option<&str> {
        v.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }

    pub fn query_string(&self) -> String {
        [
            ("division", &self.division),
            ("stage", &self.stage),
            ("channel", &self.channel),
        ]
        .iter()
        .filter_map(|(k, v)| Self::given(v).map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join("&")
    }
}

/// The rows the caller may see under these filters, and the area they cover.
/// (The error is a whole page, boxed: it is the rare path.)
pub async fn filtered(
    state: &AppState,
    staff: &Staff,
    q: &BoardQuery,
) -> Result<(DivisionCode, Vec<QueueItem>), Box<Response>> {
    let asked = match BoardQuery::given(&q.division).map(str::parse::<DivisionCode>) {
        Some(Ok(d)) => Some(d),
        Some(Err(e)) => {
            return Err(Box::new(super::error_page(
                axum::http::StatusCode::BAD_REQUEST,
                &format!("区划代码有误 / bad division code: {e}"),
            )));
        }
        None => None,
    };
    let area = area_for(&staff.caller(), asked).map_err(|e| Box::new(api_error_page(e)))?;
    let filter = CaseFilter {
        scope: Scope::Within(area),
        stage: BoardQuery::given(&q.stage).map(str::to_string),
        open_only: true,
    };
    let mut rows = items(state, &filter, Lang::Zh)
        .await
        .map_err(|e| Box::new(api_error_page(e)))?;
    if let Some(ch) = BoardQuery::given(&q.channel) {
        rows.retain(|r| r.channel == ch);
    }
    Ok((area, rows))
}

async fn name_of(state: &AppState, code: &str) -> String {
    match code.parse::<DivisionCode>() {
        Ok(d) => state
            .store
            .division(d)
            .await
            .ok()
            .flatten()
            .map(|x| x.name)
            .unwrap_or_else(|| code.to_string()),
        Err(_) => code.to_string(),
    }
}

pub async fn board(State(state): State<AppState>, staff: Staff, Query(q): Query<BoardQuery>) -> Response {
    let (area, rows) = match filtered(&state, &staff, &q).await {
        Ok(x) => x,
        Err(r) => return *r,
    };
    let area_name = name_of(&state, &area.to_string()).await;
    let mut counts = Vec::new();
    // A village is the bottom of the tree: nothing to roll up.
    let children = if area.level() == zaofaxian_shared::DivisionLevel::Village {
        Vec::new()
    } else {
        rollup(area, &rows)
    };
    for r in children {
        let name = name_of(&state, &r.division).await;
        counts.push((r, name));
    }
    let mut village_names = std::collections::HashMap::new();
    for r in &rows {
        let key = r.division.to_string();
        if !village_names.contains_key(&key) {
            let n = name_of(&state, &key).await;
            village_names.entry(key).or_insert(n);
        }
    }
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let qs = q.query_string();
    let body = html! {
        h2 { (area_name) " 待办看板 " span.muted { "（" (state.clock.today()) "）" } }
        div.cards {
            div.card { "在办 " strong { (rows.len()) } }
            div.card.overdue { "超期 " strong { (overdue) } }
            @for (r, name) in &counts {
                a.card.(if r.overdue > 0 { "overdue" } else { "" }) href={ "/console/board?division=" (r.division) } {
                    (name) "：在办 " (r.open) @if r.overdue > 0 { "，超期 " (r.overdue) }
                }
            }
        }
        form.filters method="get" action="/console/board" {
            input type="hidden" name="division" value=(area);
            label { "阶段 "
                select name="stage" {
                    option value="" { "全部" }
                    @for s in Stage::OPEN {
                        @let t = tag(&s, Some("stage"));
                        option value=(t) selected[q.stage.as_deref() == Some(t.as_str())] { (s.label().zh) }
                    }
                }
            }
            " "
            label { "渠道 "
                select name="channel" {
                    option value="" { "全部" }
                    @for c in Channel::ALL {
                        @let t = tag(&c, None);
                        option value=(t) selected[q.channel.as_deref() == Some(t.as_str())] { (c.label().zh) }
                    }
                }
            }
            " "
            button type="submit" { "筛选" }
            " "
            a href={ "/console/export/cases.csv?" (qs) } { "导出CSV" }
            " · "
            a href={ "/console/export/cases.xlsx?" (qs) } { "导出Excel" }
            " · "
            a href={ "/console/notice?division=" (area) } { "打印公示" }
            " · "
            a href={ "/console/export/monthly.xlsx?division=" (area) } { "本月月报" }
        }
        table {
            thead { tr { th { "户主" } th { "身份证号" } th { "村（社区）" } th { "阶段" } th { "期限" } th { "到期日" } th { "剩余工作日" } th { "渠道" } } }
            tbody {
                @for r in &rows {
                    tr.(if r.overdue { "overdue" } else { "" }) {
                        td { a href={ "/console/cases/" (r.case_id) } { (r.household_name) } }
                        td { (r.national_id.clone().unwrap_or_default()) }
                        td { (village_names.get(&r.division.to_string()).cloned().unwrap_or_default()) }
                        td { (r.stage_label) }
                        td { (r.deadline.clone().unwrap_or_default()) }
                        td { (r.due.clone().unwrap_or_default()) }
                        td.left {
                            @match r.days_left {
                                Some(n) if n < 0 => { "超期" (-n) "个工作日" }
                                Some(n) => { (n) }
                                None => {}
                            }
                        }
                        td { (Channel::ALL.iter().find(|c| tag(*c, None) == r.channel).map(|c| c.label().zh).unwrap_or_default()) }
                    }
                }
            }
        }
        @if rows.is_empty() { p.muted { "没有在办案件" } }
    };
    layout("待办看板", Some(&staff), body).into_response()
}
