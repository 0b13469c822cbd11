//! Case lists for download, as CSV (UTF-8 with a BOM so Excel opens Chinese) and
//! XLSX, with the board's filters. ID numbers are masked, as on the board.

use super::board_page::{BoardQuery, filtered};
use super::{Staff, error_page};
use crate::board::QueueItem;
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

const HEADERS: [&str; 9] = [
    "案件编号",
    "户主",
    "身份证号",
    "区划代码",
    "阶段",
    "期限",
    "到期日",
    "剩余工作日",
    "渠道",
];

fn row(r: &QueueItem) -> [String; 9] {
    [
        r.case_id.clone(),
        r.household_name.clone(),
        r.national_id.clone().unwrap_or_default(),
        r.division.to_string(),
        r.stage_label.clone(),
        r.deadline.clone().unwrap_or_default(),
        match (&r.due, r.provisional) {
            (Some(d), true) => format!("{d}（暂定）"),
            (d, _) => d.clone().unwrap_or_default(),
        },
        r.days_left.map(|d| d.to_string()).unwrap_or_default(),
        crate::board::tag(&r.channel, None),
    ]
}

/// RFC 4180 quoting; a leading = + - @ is prefixed with ' so no cell runs as a formula.
fn csv_field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn to_csv(rows: &[QueueItem]) -> String {
    let mut out = String::from("\u{feff}");
    out.push_str(&HEADERS.join(","));
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&row(r).iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

pub fn to_xlsx(rows: &[QueueItem]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("案件清单")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, h) in HEADERS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        for (c, v) in row(r).iter().enumerate() {
            sheet.write_string(i as u32 + 1, c as u16, v)?;
        }
    }
    sheet.autofit();
    book.save_to_buffer()
}

fn download(bytes: Vec<u8>, mime: &'static str, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime.to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}\"")),
        ],
        bytes,
    )
        .into_response()
}

pub async fn cases_csv(State(state): State<AppState>, staff: Staff, Query(q): Query<BoardQuery>) -> Response {
    match filtered(&state, &staff, &q).await {
        Ok((area, rows)) => download(
            to_csv(&rows).into_bytes(),
            "text/csv; charset=utf-8",
            &format!("cases-{area}.csv"),
        ),
        Err(r) => *r,
    }
}

pub async fn cases_xlsx(State(state): State<AppState>, staff: Staff, Query(q): Query<BoardQuery>) -> Response {
    match filtered(&state, &staff, &q).await {
        Ok((area, rows)) => match to_xlsx(&rows) {
            Ok(bytes) => download(
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                &format!("cases-{area}.xlsx"),
            ),
            Err(e) => error_page(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("无法生成Excel / cannot write XLSX: {e}"),
            ),
        },
        Err(r) => *r,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_defuses_formulas() {
        assert_eq!(csv_field("王,秀英"), "\"王,秀英\"");
        assert_eq!(csv_field("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_field("-2"), "'-2");
        assert_eq!(csv_field("普通"), "普通");
    }
}
