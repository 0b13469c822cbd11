//! The deadline board: an area's open cases, overdue first, with counts rolled up
//! to the divisions one level down, filters, and links to print and export.

use super::{Staff, api_error_page, layout, tr};
use crate::board::{QueueItem, area_for, item, items, rollup, tag};
use crate::state::AppState;
use crate::store::{BoardFilter, VillageCount};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use zaofaxian_shared::DivisionCode;
use zaofaxian_shared::eligibility::Category;
use zaofaxian_shared::lifecycle::{Channel, Stage};

/// Rows shown on one board page (overdue first, so the urgent ones are all there); a
/// county's 20,000 open cases made a 6 MB page. The counts and exports cover all.
const SHOWN: usize = 500;

/// The board's filters, also used by the exports (same query string).
#[derive(Debug, Default, Deserialize)]
pub struct BoardQuery {
    pub division: Option<String>,
    pub stage: Option<String>,
    pub channel: Option<String>,
    pub category: Option<String>,
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

/// The caller's board under these filters: its area and what it asks of the store.
/// (The error is a whole page, boxed: it is the rare path.)
fn board_filter(staff: &Staff, q: &BoardQuery) -> Result<BoardFilter, Box<Response>> {
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
    Ok(BoardFilter {
        area,
        stage: BoardQuery::given(&q.stage).map(str::to_string),
        channel: BoardQuery::given(&q.channel).map(str::to_string),
        category: BoardQuery::given(&q.category).map(str::to_string),
    })
}

/// Every row the caller may see under these filters (the notice and the exports), and
/// the area they cover.
pub async fn filtered(
    state: &AppState,
    staff: &Staff,
    q: &BoardQuery,
) -> Result<(DivisionCode, Vec<QueueItem>), Box<Response>> {
    let f = board_filter(staff, q)?;
    let rows = items(state, &f, staff.lang)
        .await
        .map_err(|e| Box::new(api_error_page(e)))?;
    Ok((f.area, rows))
}

/// What a board page shows: counts per village from the store, and only the most
/// urgent rows read in full (a county's 20,000 open cases are counted, not loaded).
struct BoardData {
    villages: Vec<VillageCount>,
    rows: Vec<QueueItem>,
}

async fn board_data(
    state: &AppState,
    f: &BoardFilter,
    lang: zaofaxian_shared::Lang,
) -> crate::error::ApiResult<BoardData> {
    let today = state.clock.today();
    let r = state.reference();
    let escalated_by = zaofaxian_shared::reminders::escalated_if_due_by(&r.calendar, today);
    let villages = state.store.village_counts(f, today, escalated_by).await?;
    // Already in the boards' order (due first, then by id).
    let rows = state
        .store
        .board_rows(f, None, Some(SHOWN as i64))
        .await?
        .iter()
        .map(|c| item(c, today, &r.calendar, lang))
        .collect();
    Ok(BoardData { villages, rows })
}

pub async fn board(State(state): State<AppState>, staff: Staff, Query(q): Query<BoardQuery>) -> Response {
    let f = match board_filter(&staff, &q) {
        Ok(f) => f,
        Err(r) => return *r,
    };
    let area = f.area;
    let BoardData { villages, rows } = match board_data(&state, &f, staff.lang).await {
        Ok(d) => d,
        Err(e) => return api_error_page(e),
    };
    // Every name the page shows, in one read (a county has a hundred villages or more).
    let names: std::collections::HashMap<String, String> = match state.store.divisions_within(area).await {
        Ok(all) => all.into_iter().map(|d| (d.code.to_string(), d.name)).collect(),
        Err(e) => return api_error_page(e.into()),
    };
    let name_of = |code: &str| names.get(code).cloned().unwrap_or_else(|| code.to_string());
    let area_name = name_of(&area.to_string());
    // A village is the bottom of the tree: nothing to roll up.
    let children = if area.level() == zaofaxian_shared::DivisionLevel::Village {
        Vec::new()
    } else {
        rollup(area, &villages)
    };
    let counts: Vec<_> = children
        .into_iter()
        .map(|r| {
            let name = name_of(&r.division);
            (r, name)
        })
        .collect();
    let village_names: std::collections::HashMap<String, String> = rows
        .iter()
        .map(|r| (r.division.to_string(), name_of(&r.division.to_string())))
        .collect();
    let open: i64 = villages.iter().map(|v| v.open).sum();
    let overdue: i64 = villages.iter().map(|v| v.overdue).sum();
    let escalated: i64 = villages.iter().map(|v| v.escalated).sum();
    let missing = match crate::reminders::missing_reports(&state, area).await {
        Ok(m) => m,
        Err(e) => return api_error_page(e.into()),
    };
    let l = staff.lang;
    let qs = q.query_string();
    let body = html! {
        h2 { (area_name) " " (tr(l, "待办看板", "deadline board")) " " span.muted { "（" (state.clock.today()) "）" } }
        div.cards {
            div.card { (tr(l, "在办 ", "open ")) strong { (open) } }
            div.card.overdue { (tr(l, "超期 ", "overdue ")) strong { (overdue) } }
            a.card.overdue href="/console/reminders" { (tr(l, "超期督办 ", "late 1+ working day ")) strong { (escalated) } }
            @for (r, name) in &counts {
                a.card.(if r.overdue > 0 { "overdue" } else { "" }) href={ "/console/board?division=" (r.division) } {
                    (name) (tr(l, "：在办 ", ": open ")) (r.open) @if r.overdue > 0 { (tr(l, "，超期 ", ", overdue ")) (r.overdue) }
                    @if r.escalated > 0 { (tr(l, "，督办 ", ", supervised ")) (r.escalated) }
                }
            }
        }
        @for m in &missing {
            p.flash.error role="alert" {
                (m.name) " " (m.year) (tr(l, "年", "-")) (m.month) (tr(l, "月防返贫监测月报未上报（", " monthly report not filed (due "))
                (m.due) (tr(l, "到期）", ")"))
            }
        }
        form.filters method="get" action="/console/board" {
            input type="hidden" name="division" value=(area);
            label { (tr(l, "阶段 ", "Stage "))
                select name="stage" {
                    option value="" { (tr(l, "全部", "all")) }
                    @for s in Stage::OPEN {
                        @let t = tag(&s, Some("stage"));
                        option value=(t) selected[q.stage.as_deref() == Some(t.as_str())] { (s.label().get(l)) }
                    }
                }
            }
            " "
            label { (tr(l, "渠道 ", "Channel "))
                select name="channel" {
                    option value="" { (tr(l, "全部", "all")) }
                    @for c in Channel::ALL {
                        @let t = tag(&c, None);
                        option value=(t) selected[q.channel.as_deref() == Some(t.as_str())] { (c.label().get(l)) }
                    }
                }
            }
            " "
            label { (tr(l, "类别 ", "Category "))
                select name="category" {
                    option value="" { (tr(l, "全部", "all")) }
                    @for k in [Category::UnstableFormerlyPoor, Category::MarginalAtRisk, Category::SuddenSevereHardship] {
                        @let t = tag(&k, None);
                        option value=(t) selected[q.category.as_deref() == Some(t.as_str())] { (k.label().get(l)) }
                    }
                }
            }
            " "
            button type="submit" { (tr(l, "筛选", "Filter")) }
            " "
            a href={ "/console/export/cases.csv?" (qs) } { (tr(l, "导出CSV", "CSV")) }
            " · "
            a href={ "/console/export/cases.xlsx?" (qs) } { (tr(l, "导出Excel", "Excel")) }
            " · "
            a href={ "/console/notice?division=" (area) } { (tr(l, "打印公示", "Print the notice")) }
            " · "
            a href={ "/console/notice?notice=elimination&division=" (area) } { (tr(l, "打印风险消除公示", "Print the elimination notice")) }
            " · "
            a href={ "/console/export/monthly.xlsx?division=" (area) } { (tr(l, "本月月报", "Monthly report")) }
            " · "
            a href={ "/console/poster" @if area.level() == zaofaxian_shared::DivisionLevel::Village { "?village=" (area) } } {
                (tr(l, "打印申报二维码", "Report poster (QR)"))
            }
        }
        div.scroll {
        table {
            thead { tr { th { (tr(l, "户主", "Household")) } th { (tr(l, "身份证号", "ID number")) } th { (tr(l, "村（社区）", "Village")) } th { (tr(l, "阶段", "Stage")) } th { (tr(l, "期限", "Deadline")) } th { (tr(l, "到期日", "Due")) } th { (tr(l, "剩余工作日", "Working days left")) } th { (tr(l, "渠道", "Channel")) } th { (tr(l, "类别", "Category")) } } }
            tbody {
                @for r in &rows {
                    tr.(if r.overdue { "overdue" } else { "" }) {
                        td { a href={ "/console/cases/" (r.case_id) } { (r.household_name) } }
                        td { (r.national_id.clone().unwrap_or_default()) }
                        td { (village_names.get(&r.division.to_string()).cloned().unwrap_or_default()) }
                        td {
                            (r.stage_label)
                            @if r.photos_missing > 0 { " " span.muted { (tr(l, "（待传照片 ", " (photos to arrive: ")) (r.photos_missing) (tr(l, "）", ")")) } }
                        }
                        td { (r.deadline.clone().unwrap_or_default()) }
                        td {
                            (r.due.clone().unwrap_or_default())
                            @if let Some(note) = &r.provisional_note { " " strong.provisional title=(note) { (tr(l, "（暂定）", " (provisional)")) } }
                        }
                        td.left {
                            @match r.days_left {
                                Some(n) if n < 0 => { (tr(l, "超期", "overdue ")) (-n) (tr(l, "个工作日", " working days")) }
                                Some(n) => { (n) }
                                None => {}
                            }
                        }
                        td { (r.channel.label().get(l)) }
                        td { (r.category_label.clone().unwrap_or_default()) }
                    }
                }
            }
        }
        }
        @if open > SHOWN as i64 {
            p.muted { (tr(l, "只显示最紧急的", "Showing the most urgent ")) (SHOWN) (tr(l, "条；请按村、阶段筛选，或导出全部", " rows: filter by village or stage, or export them all")) }
        }
        @if open == 0 { p.muted { (tr(l, "没有在办案件", "no open cases")) } }
    };
    layout(tr(l, "待办看板", "Deadline board"), Some(&staff), body).into_response()
}
