//! 鹤庆's monthly report, due by the 5th of the next month (moved off rest days): the
//! 返贫预警 and 致贫预警 statistics tables (附件1, 附件2) of households determined in
//! the month, and the 预警解除登记表 (附件3) of risks eliminated in it. A month with
//! nothing new is still reported: a zero report (零报告).

use super::{Staff, error_page};
use crate::state::AppState;
use crate::store::{CaseFilter, CaseRecord, Scope};
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use serde::Deserialize;
use serde_json::Value;
use zaofaxian_shared::DivisionCode;
use zaofaxian_shared::reporting::{MonthlyReportKind, monthly_report_due, monthly_report_kind};

#[derive(Debug, Deserialize)]
pub struct MonthQuery {
    division: Option<String>,
    /// `2025-11`; this month when absent.
    month: Option<String>,
}

/// The latest home visit's record in a case's history, if any.
async fn latest_visit(state: &AppState, case: &CaseRecord) -> Option<Value> {
    let history = state.store.history(&case.id).await.ok()?;
    history
        .into_iter()
        .rev()
        .find(|h| h.entry["visit"].is_object())
        .map(|h| h.entry)
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
    per_capita: String,
    date: String,
}

const TABLE_HEADERS: [&str; 8] = [
    "序号",
    "村（社区）",
    "户主姓名",
    "身份证号",
    "家庭人口",
    "风险类型",
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
        for (c, v) in [&r.village, &r.name, &r.id, &r.size, &r.risk, &r.per_capita, &r.date]
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
    let (year, month) = match q
        .month
        .as_deref()
        .map(|m| NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d"))
    {
        None => (today.year(), today.month()),
        Some(Ok(d)) => (d.year(), d.month()),
        Some(Err(_)) => return error_page(StatusCode::BAD_REQUEST, "月份格式应为 2025-11 / month as 2025-11"),
    };
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
    let mut names = std::collections::HashMap::new();
    let (mut relapse, mut new_poverty, mut released) = (Vec::new(), Vec::new(), Vec::new());
    for c in &cases {
        let identified = in_month(c.state.identified_on, year, month);
        let eliminated = in_month(c.state.eliminated_on, year, month);
        if !identified && !eliminated {
            continue;
        }
        if !names.contains_key(&c.division) {
            let n = state.store.division(c.division).await.ok().flatten().map(|d| d.name);
            names
                .entry(c.division)
                .or_insert(n.unwrap_or_else(|| c.division.to_string()));
        }
        let visit = latest_visit(&state, c).await.unwrap_or_default();
        let row = |date: Option<NaiveDate>| Row {
            village: names.get(&c.division).cloned().unwrap_or_default(),
            name: c.report["household_name"].as_str().unwrap_or_default().to_string(),
            id: c.report["national_id"]
                .as_str()
                .and_then(crate::board::masked_id)
                .unwrap_or_default(),
            size: visit["visit"]["members"]
                .as_array()
                .map(|m| m.len().to_string())
                .unwrap_or_default(),
            risk: crate::board::hardship_label(&c.report, zaofaxian_shared::Lang::Zh).unwrap_or_default(),
            per_capita: visit["assessment"]["per_capita"]
                .as_i64()
                .map(|f| zaofaxian_shared::Fen(f).to_string())
                .unwrap_or_default(),
            date: date.map(|d| d.to_string()).unwrap_or_default(),
        };
        if identified {
            // 返贫 for formerly poor households, 致贫 for the others.
            if visit["visit"]["formerly_poor"] == true {
                relapse.push(row(c.state.identified_on));
            } else {
                new_poverty.push(row(c.state.identified_on));
            }
        }
        if eliminated {
            released.push(row(c.state.eliminated_on));
        }
    }
    let area_name = super::division_name(&state, area).await;
    let due = match monthly_report_due(&state.reference().calendar, year, month, 5) {
        Ok(d) => match d.provisional {
            Some(y) => format!("{}（{}）", d.date, zaofaxian_shared::lifecycle::provisional_note(y).zh),
            None => d.date.to_string(),
        },
        Err(_) => "（日期超出可计算范围）".into(),
    };
    let kind = monthly_report_kind(relapse.len() + new_poverty.len());
    let meta = format!("填报单位：{area_name}　报告月份：{year}年{month}月　应于{due}前上报");
    let build = || -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let zero = kind == MonthlyReportKind::Zero;
        let s = book.add_worksheet();
        s.set_name("返贫预警情况统计表")?;
        write_table(s, "鹤庆县返贫预警情况统计表", &meta, &relapse, zero)?;
        let s = book.add_worksheet();
        s.set_name("致贫预警情况统计表")?;
        write_table(s, "鹤庆县致贫预警情况统计表", &meta, &new_poverty, zero)?;
        let s = book.add_worksheet();
        s.set_name("预警解除登记表")?;
        write_table(s, "鹤庆县返贫致贫预警解除登记表", &meta, &released, false)?;
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
