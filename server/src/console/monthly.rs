//! 鹤庆's monthly report, due by the policy's report day of the next month (moved off
//! rest days): the 返贫预警 and 致贫预警 statistics tables (附件1, 附件2) of the households
//! the township verified in the month ("核查情况属实的…将核实认定的附件1、2…于每月5日前
//! 上报县扶贫开发领导小组", 001 二(三)), with the verified risk and the measures planned,
//! and the 预警解除登记表 (附件3) of risks eliminated in it. A month with nothing new is
//! still reported: a zero report (零报告). It goes to the county office: ID numbers in
//! full (masked only for a department's account, which sees no full numbers anywhere).

use super::{Staff, error_page};
use crate::audit::AuditEntry;
use crate::state::AppState;
use crate::store::{CaseFilter, Scope};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Deserialize;
use serde_json::Value;
use zaofaxian_shared::reporting::{MonthlyReportKind, monthly_report_due, monthly_report_kind, report_month_on};
use zaofaxian_shared::{DivisionCode, DivisionLevel, Role};

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    division: Option<String>,
    /// `2025-11`; when absent, the month whose report is due next.
    month: Option<String>,
}

/// The day in China a history entry was written.
fn china_date(at_ms: i64) -> Option<NaiveDate> {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .map(|t| t.with_timezone(&zaofaxian_shared::clock::china_offset()).date_naive())
}

/// The township's verification (审核 approved, the case sent on to the county): its
/// day and the measures it planned (the step's note).
fn township_verified(history: &[AuditEntry]) -> Option<(NaiveDate, String)> {
    history
        .iter()
        .rev()
        .find(|h| {
            h.entry["event"]["event"] == "township_review"
                && h.entry["to"]["stage"] == zaofaxian_shared::Stage::AwaitingCountyReview.key()
        })
        .and_then(|h| {
            Some((
                china_date(h.at)?,
                h.entry["note"].as_str().unwrap_or_default().to_string(),
            ))
        })
}

/// The latest home visit's record in a case's history, if any.
fn latest_visit(history: &[AuditEntry]) -> Value {
    history
        .iter()
        .rev()
        .find(|h| h.entry["visit"].is_object())
        .map(|h| h.entry.clone())
        .unwrap_or_default()
}

/// The risk as verified: the assessment's reasons, else the hardship reported.
fn verified_risk(visit: &Value, report: &Value) -> String {
    let reasons: Vec<&str> = visit["assessment"]["reasons"]
        .as_array()
        .map(|rs| rs.iter().filter_map(|r| r["text"]["zh"].as_str()).collect())
        .unwrap_or_default();
    if reasons.is_empty() {
        crate::board::hardship_label(report, zaofaxian_shared::Lang::Zh).unwrap_or_default()
    } else {
        reasons.join("；")
    }
}

fn in_month(d: Option<NaiveDate>, year: i32, month: u32) -> bool {
    d.is_some_and(|d| d.year() == year && d.month() == month)
}

/// One row: 序号 is added when written.
struct Row {
    village: String,
    name: String,
    id: String,
    size: String,
    risk: String,
    measures: String,
    per_capita: String,
    date: String,
}

const TABLE_HEADERS: [&str; 9] = [
    "序号",
    "村（社区）",
    "户主姓名",
    "身份证号",
    "家庭人口",
    "风险原因",
    "拟实施帮扶措施",
    "人均纯收入（元）",
    "日期",
];

fn write_table(sheet: &mut Worksheet, title: &str, meta: &str, rows: &[Row], zero: bool) -> Result<(), XlsxError> {
    let bold = Format::new().set_bold();
    sheet.write_string_with_format(0, 0, title, &bold)?;
    sheet.write_string(1, 0, meta)?;
    for (c, h) in TABLE_HEADERS.iter().enumerate() {
        sheet.write_string_with_format(3, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let line = 4 + i as u32;
        sheet.write_number(line, 0, (i + 1) as f64)?;
        for (c, v) in [
            &r.village,
            &r.name,
            &r.id,
            &r.size,
            &r.risk,
            &r.measures,
            &r.per_capita,
            &r.date,
        ]
        .iter()
        .enumerate()
        {
            sheet.write_string(line, c as u16 + 1, v.as_str())?;
        }
    }
    if zero {
        sheet.write_string_with_format(4, 0, "本月无新增，零报告", &bold)?;
    }
    sheet.autofit();
    Ok(())
}

pub async fn monthly_xlsx(State(state): State<AppState>, staff: Staff, Query(q): Query<MonthQuery>) -> Response {
    let today = state.clock.today();
    let reference = state.reference();
    let asked_month = q
        .month
        .as_deref()
        .map(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d"));
    if let Some(Err(_)) = asked_month {
        return error_page(StatusCode::BAD_REQUEST, "月份格式应为 2025-11 / month as 2025-11");
    }
    let asked = q
        .division
        .as_deref()
        .filter(|d| !d.is_empty())
        .map(str::parse::<DivisionCode>);
    let asked = match asked {
        Some(Ok(d)) => Some(d),
        Some(Err(_)) => return error_page(StatusCode::BAD_REQUEST, "区划代码有误 / bad division code"),
        None => None,
    };
    let area = match crate::board::area_for(&staff.caller(), asked) {
        Ok(a) => a,
        Err(e) => return super::api_error_page(e),
    };
    let cases = match state.store.cases(&CaseFilter::scope(Scope::Within(area))).await {
        Ok(c) => c,
        Err(e) => return super::api_error_page(e.into()),
    };
    // The report day is the area's policy's (鹤庆: the 5th); an area whose policy sets
    // none has no such duty, and the sheets say so instead of a due date.
    let report_day = reference
        .policy
        .profile_for(area)
        .ok()
        .and_then(|p| p.monthly_report_day);
    let (year, month) = match asked_month {
        Some(Ok(d)) => (d.year(), d.month()),
        _ => report_month_on(&reference.calendar, today, report_day.unwrap_or(5)),
    };
    let full_ids = staff.caller().role() != Role::Department;
    let mut names = std::collections::HashMap::new();
    let (mut relapse, mut new_poverty, mut released) = (Vec::new(), Vec::new(), Vec::new());
    for c in &cases {
        let eliminated = in_month(c.state.eliminated_on, year, month);
        let history = match state.store.history(&c.id).await {
            Ok(h) => h,
            Err(e) => return super::api_error_page(e.into()),
        };
        let verified = township_verified(&history).filter(|(d, _)| in_month(Some(*d), year, month));
        if verified.is_none() && !eliminated {
            continue;
        }
        if !names.contains_key(&c.division) {
            let n = state.store.division(c.division).await.ok().flatten().map(|d| d.name);
            names
                .entry(c.division)
                .or_insert(n.unwrap_or_else(|| c.division.to_string()));
        }
        let visit = latest_visit(&history);
        let id = c.report["national_id"].as_str().unwrap_or_default();
        let row = |date: Option<NaiveDate>, measures: &str| Row {
            village: names.get(&c.division).cloned().unwrap_or_default(),
            name: c.report["household_name"].as_str().unwrap_or_default().to_string(),
            id: if full_ids {
                id.to_string()
            } else {
                zaofaxian_shared::NationalId::mask(id).unwrap_or_default()
            },
            size: visit["visit"]["members"]
                .as_array()
                .map(|m| m.len().to_string())
                .unwrap_or_default(),
            risk: verified_risk(&visit, &c.report),
            measures: measures.to_string(),
            per_capita: visit["assessment"]["per_capita"]
                .as_i64()
                .map(|f| zaofaxian_shared::Fen(f).to_string())
                .unwrap_or_default(),
            date: date.map(|d| d.to_string()).unwrap_or_default(),
        };
        if let Some((on, measures)) = &verified {
            // 返贫 for formerly poor households, 致贫 for the others.
            if visit["visit"]["formerly_poor"] == true {
                relapse.push(row(Some(*on), measures));
            } else {
                new_poverty.push(row(Some(*on), measures));
            }
        }
        if eliminated {
            released.push(row(c.state.eliminated_on, ""));
        }
    }
    let area_name = super::division_name(&state, area).await;
    // The sheets carry the county's name (鹤庆县…, 红塔区…); above a county, the area's own.
    let county = area.ancestor(DivisionLevel::County).unwrap_or(area);
    let county_name = super::division_name(&state, county).await;
    let due = match report_day.map(|day| monthly_report_due(&reference.calendar, year, month, day)) {
        Some(Ok(d)) => match d.provisional {
            Some(y) => format!(
                "应于{}（{}）前上报",
                d.date,
                zaofaxian_shared::lifecycle::provisional_note(y).zh
            ),
            None => format!("应于{}前上报", d.date),
        },
        Some(Err(_)) => "上报日期超出可计算范围".into(),
        None => "本地区政策未规定月报报送日".into(),
    };
    let kind = monthly_report_kind(relapse.len() + new_poverty.len());
    let meta = format!("填报单位：{area_name}　报告月份：{year}年{month}月　{due}");
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let zero = kind == MonthlyReportKind::Zero;
        let s = book.add_worksheet();
        s.set_name("返贫预警情况统计表")?;
        write_table(s, &format!("{county_name}返贫预警情况统计表"), &meta, &relapse, zero)?;
        let s = book.add_worksheet();
        s.set_name("致贫预警情况统计表")?;
        write_table(
            s,
            &format!("{county_name}致贫预警情况统计表"),
            &meta,
            &new_poverty,
            zero,
        )?;
        let s = book.add_worksheet();
        s.set_name("预警解除登记表")?;
        write_table(
            s,
            &format!("{county_name}返贫致贫预警解除登记表"),
            &meta,
            &released,
            false,
        )?;
        book.save_to_buffer()
    };
    match build() {
        Ok(bytes) => (
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"monthly-{area}-{year}-{month:02}.xlsx\""),
                ),
            ],
            bytes,
        )
            .into_response(),
        Err(e) => error_page(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("无法生成Excel / cannot write XLSX: {e}"),
        ),
    }
}
