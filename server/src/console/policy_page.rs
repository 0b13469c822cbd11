//! 政策数据: the loaded holiday calendar years and the thresholds, for administrators
//! to keep current the day a notice is published (a schedule file upload, a threshold
//! form), with what each change did to open cases.

use super::{Staff, china_time as when, error_page, layout, stale_form, tr};
use crate::policy_data::{self, PolicyDataError, describe_import, describe_recount};
use crate::state::AppState;
use crate::store::SHIPPED;
use axum::extract::{Form, Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;
use zaofaxian_shared::policy::Threshold;
use zaofaxian_shared::{DivisionCode, Role};

/// Upload size of a schedule file, with room for the form's other fields.
pub const MAX_UPLOAD: usize = policy_data::MAX_CALENDAR_BYTES + 16 * 1024;

/// Only administrators change policy data; their division bounds the thresholds they set.
/// The refusal for anyone else, or `None` for an administrator.
fn not_admin(staff: &Staff) -> Option<Response> {
    (staff.account.role != Role::Admin).then(|| {
        error_page(
            StatusCode::FORBIDDEN,
            "政策数据由系统管理员维护 / policy data is kept by administrators",
        )
    })
}

fn who(by: &str) -> &str {
    if by == SHIPPED { "随程序发布 / shipped" } else { by }
}

async fn overview(state: &AppState, staff: &Staff, result: Option<Markup>) -> Response {
    let l = staff.lang;
    let r = state.reference();
    let today = state.clock.today();
    let mut names = Vec::new();
    for t in &r.thresholds {
        names.push(super::division_name(state, t.threshold.region).await);
    }
    let body = html! {
        h2 { (tr(l, "政策数据：节假日安排与监测底线", "Policy data: holiday schedules and thresholds")) }
        @if let Some(m) = result { (m) }
        h3 { (tr(l, "已导入的节假日安排", "Loaded holiday schedules")) }
        @if let Some(y) = r.missing_schedule(today) {
            p.flash.error role="alert" { (missing_text(l, y)) }
        }
        div.scroll { table {
            thead { tr { th { (tr(l, "年份", "Year")) } th { (tr(l, "列出日期", "Listed days")) } th { (tr(l, "依据", "Source")) } th { (tr(l, "导入时间", "Loaded")) } th { (tr(l, "导入人", "By")) } } }
            tbody {
                @for y in &r.years {
                    tr {
                        td { (y.year) }
                        td { (r.calendar.rows().iter().filter(|d| d.year == y.year).count()) }
                        td { (y.source) }
                        td { (when(y.loaded_at)) }
                        td { (who(&y.loaded_by)) }
                    }
                }
            }
        } }
        form.action method="post" action="/console/policy/calendar" enctype="multipart/form-data" {
            h3 { (tr(l, "导入一年的节假日安排", "Load a year's holiday schedule")) }
            p.muted { (tr(l,
                "CSV，列：date,kind,name,year（kind 为 holiday 放假 或 workday 调休上班；year 为该安排所属年份）。文件中的年份整体替换；所有在办案件的期限随即重新计算。",
                "CSV with the columns date,kind,name,year (kind: holiday, or workday for a worked weekend day; year: the schedule the day belongs to). The file's years are replaced whole; every open case's deadline is counted again at once.")) }
            input type="hidden" name="csrf" value=(staff.csrf);
            p { label { (tr(l, "文件依据 ", "Source ")) input name="source" size="40" placeholder=(tr(l, "如：国办发明电〔2026〕…号", "e.g. the State Council notice number")) required; } }
            p { input type="file" name="file" accept=".csv,text/csv" required; }
            button type="submit" { (tr(l, "导入并重新计算期限", "Load and recount deadlines")) }
        }
        h3 { (tr(l, "监测底线（元/人·年，按适用年份）", "Thresholds (yuan per person per year, by the year applied)")) }
        div.scroll { table {
            thead { tr { th { (tr(l, "地区", "Region")) } th { (tr(l, "年份", "Year")) } th { (tr(l, "金额", "Amount")) } th { (tr(l, "依据", "Source")) } th { (tr(l, "设定时间", "Set")) } th { (tr(l, "设定人", "By")) } } }
            tbody {
                @for (t, name) in r.thresholds.iter().zip(&names) {
                    tr {
                        td { (name) " " span.muted { (t.threshold.region) } }
                        td { (t.threshold.year) }
                        td { (t.threshold.amount) }
                        td { (t.threshold.source) }
                        td { (when(t.set_at)) }
                        td { (who(&t.set_by)) }
                    }
                }
            }
        } }
        form.action method="post" action="/console/policy/threshold" {
            h3 { (tr(l, "设定监测底线", "Set a threshold")) }
            p.muted { (tr(l,
                "省、州（市）或县级区划；不得低于上级同年底线。设定后，该地区因缺少当年底线而未评估的入户记录随即评估。",
                "A province, prefecture or county; never below an enclosing region's figure for the year. Visits in the region that waited for the year's line are assessed at once.")) }
            input type="hidden" name="csrf" value=(staff.csrf);
            p { label { (tr(l, "区划代码 ", "Division code ")) input name="region" inputmode="numeric" pattern="[0-9]{12}" size="14" required; } }
            p { label { (tr(l, "适用年份 ", "Year applied ")) input name="year" type="number" min="2020" max="2100" value=(chrono::Datelike::year(&today)) required; } }
            p { label { (tr(l, "金额（元） ", "Amount (yuan) ")) input name="yuan" type="number" min="1" max="1000000" required; } }
            p { label { (tr(l, "文件依据 ", "Source ")) input name="source" size="40" placeholder=(tr(l, "如：云农办通〔2025〕1号", "e.g. the provincial notice number")) required; } }
            button type="submit" { (tr(l, "设定", "Set")) }
        }
    };
    layout(tr(l, "政策数据", "Policy data"), Some(staff), body).into_response()
}

/// The banner for a missing schedule (console header and this page).
pub fn missing_text(l: zaofaxian_shared::Lang, year: i32) -> String {
    match l {
        zaofaxian_shared::Lang::En => format!(
            "The {year} holiday schedule is not loaded: deadlines running into {year} are provisional (weekends only). An administrator loads it under Policy data, or: zaofaxian-server admin import-calendar FILE --source \"…\""
        ),
        zaofaxian_shared::Lang::Zh => format!(
            "尚未导入{year}年节假日安排：跨入{year}年的期限为暂定（仅按周末计算）。国务院办公厅通知发布后，请系统管理员在“政策数据”页导入，或运行 zaofaxian-server admin import-calendar 文件 --source \"文号\""
        ),
    }
}

pub async fn page(State(state): State<AppState>, staff: Staff) -> Response {
    if let Some(refusal) = not_admin(&staff) {
        return refusal;
    }
    overview(&state, &staff, None).await
}

fn failure(l: zaofaxian_shared::Lang, e: &PolicyDataError) -> Markup {
    let lines: Vec<String> = match e {
        PolicyDataError::Lines(errors) => errors.iter().map(ToString::to_string).collect(),
        PolicyDataError::Store(_) => vec!["保存失败，请稍后重试 / saving failed: try again later".into()],
        other => vec![other.to_string()],
    };
    html! {
        div.flash.error role="alert" {
            strong { (tr(l, "未导入，数据未作任何更改：", "Nothing was changed:")) }
            ul { @for line in &lines { li { (line) } } }
        }
    }
}

pub async fn upload_calendar(State(state): State<AppState>, mut staff: Staff, multipart: Multipart) -> Response {
    if let Some(refusal) = not_admin(&staff) {
        return refusal;
    }
    let upload = match super::Upload::read(multipart).await {
        Ok(u) => u,
        Err(page) => return page,
    };
    let (csrf, source) = (upload.field("csrf"), upload.field("source"));
    let file = upload.file.as_ref().map(|(_, bytes)| bytes);
    if !staff.form_is_ours(csrf) {
        return stale_form();
    }
    let l = staff.lang;
    let Some(text) = file.and_then(|b| String::from_utf8(b.to_vec()).ok()) else {
        let m = failure(
            l,
            &PolicyDataError::Invalid("文件应为UTF-8编码的CSV / the file must be UTF-8 CSV".into()),
        );
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            overview(&state, &staff, Some(m)).await,
        )
            .into_response();
    };
    let result = policy_data::import_calendar(
        state.store.as_ref(),
        &state.reference,
        &text,
        source,
        &staff.account.login,
        state.clock.today(),
        state.now_ms(),
    )
    .await;
    match result {
        Ok(done) => {
            // The header's warning was read before the load.
            staff.missing_schedule = state.reference().missing_schedule(state.clock.today());
            tracing::info!(years = ?done.changes.iter().map(|c| c.year).collect::<Vec<_>>(), changed = done.recount.changed, "holiday schedule loaded");
            let m = html! {
                div.flash.ok role="status" {
                    strong { (tr(l, "已导入。", "Loaded.")) }
                    ul { @for line in describe_import(&done) { li { (line) } } }
                }
            };
            overview(&state, &staff, Some(m)).await
        }
        Err(e) => {
            if let PolicyDataError::Store(cause) = &e {
                tracing::error!(error = %cause, "holiday schedule import failed");
            }
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                overview(&state, &staff, Some(failure(l, &e))).await,
            )
                .into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct ThresholdForm {
    csrf: String,
    region: String,
    year: String,
    yuan: String,
    source: String,
}

pub async fn set_threshold(State(state): State<AppState>, staff: Staff, Form(f): Form<ThresholdForm>) -> Response {
    if let Some(refusal) = not_admin(&staff) {
        return refusal;
    }
    if !staff.form_is_ours(&f.csrf) {
        return stale_form();
    }
    let l = staff.lang;
    let checked = (|| -> Result<Threshold, PolicyDataError> {
        let region: DivisionCode = f
            .region
            .trim()
            .parse()
            .map_err(|e: zaofaxian_shared::division::DivisionError| PolicyDataError::Invalid(e.to_string()))?;
        if !staff.account.division.is_some_and(|d| d.contains(region)) {
            return Err(PolicyDataError::Invalid(format!(
                "{region} 不在您的管理范围内 / {region} is outside your area"
            )));
        }
        let year = f
            .year
            .trim()
            .parse()
            .map_err(|_| PolicyDataError::Invalid("年份应为数字 / the year must be a number".into()))?;
        let yuan = f
            .yuan
            .trim()
            .parse()
            .map_err(|_| PolicyDataError::Invalid("金额应为整数元 / the amount must be whole yuan".into()))?;
        Ok(Threshold::checked(region, year, yuan, &f.source)?)
    })();
    let result = match checked {
        Ok(t) => {
            policy_data::set_threshold(
                state.store.as_ref(),
                &state.reference,
                t,
                &staff.account.login,
                state.now_ms(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(done) => {
            let m = html! {
                div.flash.ok role="status" {
                    strong { (tr(l, "已设定：", "Set: ")) }
                    (done.threshold.region) " " (done.threshold.year) " " (done.threshold.amount)
                    @if let Some(p) = done.previous { (tr(l, "（原为", " (was ")) (p) (tr(l, "）", ")")) }
                    p { (describe_recount(&done.recount)) }
                }
            };
            overview(&state, &staff, Some(m)).await
        }
        Err(e) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            overview(&state, &staff, Some(failure(l, &e))).await,
        )
            .into_response(),
    }
}
