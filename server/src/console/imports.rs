//! Uploads that find households early: the household register, department screening
//! lists matched by ID number (部门筛查预警), and disaster areas drawn as GeoJSON
//! (突发灾害预警). Matches become cases at their village's verification step; every
//! row not used is listed with its line and reason.

use super::{Staff, error_page, layout, stale_form, tr};
use crate::cases::{ClueOutcome, OpenCases, open_clue};
use crate::import::{RowProblem, inside, parse_area, parse_register, parse_screening, read_table};
use crate::state::AppState;
use crate::store::Scope;
use axum::body::Bytes;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use zaofaxian_shared::lifecycle::Channel;
use zaofaxian_shared::{DivisionCode, Role, Text};

/// Uploads larger than this are refused (a county register is a few MB).
pub const MAX_UPLOAD: usize = 20 * 1024 * 1024;

fn may(kind: &str, role: Role) -> bool {
    match kind {
        "register" => matches!(role, Role::County | Role::Township),
        "screening" | "disaster" => matches!(role, Role::County | Role::Department),
        _ => false,
    }
}

/// Whether the role has any import at all (for the page and its link).
pub fn may_import_any(role: Role) -> bool {
    ["register", "screening", "disaster"].iter().any(|k| may(k, role))
}

fn area(staff: &Staff) -> Option<DivisionCode> {
    match staff.caller().scope() {
        Ok(Scope::Within(d)) => Some(d),
        _ => None,
    }
}

fn forms(staff: &Staff) -> Markup {
    let role = staff.account.role;
    let l = staff.lang;
    html! {
        @if may("register", role) {
            form.action method="post" action="/console/imports" enctype="multipart/form-data" {
                h3 { (tr(l, "农户信息导入", "Household register")) }
                p.muted { (tr(l, "CSV或Excel，表头：身份证号、户主姓名、村代码，可选：村民小组、纬度、经度", "CSV or Excel with the headers 身份证号, 户主姓名, 村代码 and optionally 村民小组, 纬度, 经度")) }
                input type="hidden" name="csrf" value=(staff.csrf);
                input type="hidden" name="kind" value="register";
                input type="file" name="file" accept=".csv,.xlsx" required;
                button type="submit" { (tr(l, "导入", "Import")) }
            }
        }
        @if may("screening", role) {
            form.action method="post" action="/console/imports" enctype="multipart/form-data" {
                h3 { (tr(l, "部门筛查预警导入", "Department screening list")) }
                p.muted { (tr(l, "CSV或Excel，须有“身份证号”列；其余各列作为预警内容记入线索", "CSV or Excel with a 身份证号 column; the other columns are kept as the finding")) }
                input type="hidden" name="csrf" value=(staff.csrf);
                input type="hidden" name="kind" value="screening";
                p { label { (tr(l, "预警部门 ", "Department ")) input name="source" placeholder=(tr(l, "如：县医保局", "e.g. the county medical insurance bureau")) required; } }
                input type="file" name="file" accept=".csv,.xlsx" required;
                button type="submit" { (tr(l, "导入并派发核实", "Import and dispatch")) }
            }
            form.action method="post" action="/console/imports" enctype="multipart/form-data" {
                h3 { (tr(l, "突发灾害预警区域", "Disaster area")) }
                p.muted { (tr(l, "GeoJSON面（Polygon/MultiPolygon，经度在前）；区域内有位置信息的农户均派发入户核实", "A GeoJSON Polygon or MultiPolygon (longitude first); every registered household inside is sent for verification")) }
                input type="hidden" name="csrf" value=(staff.csrf);
                input type="hidden" name="kind" value="disaster";
                p { label { (tr(l, "灾害名称 ", "Disaster ")) input name="source" placeholder=(tr(l, "如：11月3日暴雨山洪", "e.g. flash flood of 3 November")) required; } }
                input type="file" name="file" accept=".geojson,.json" required;
                button type="submit" { (tr(l, "派发核实任务", "Dispatch verification")) }
            }
        }
        @if !may("register", role) && !may("screening", role) { p.muted { (tr(l, "您的角色没有导入功能", "Your role has no imports")) } }
    }
}

pub async fn page(staff: Staff) -> Response {
    let l = staff.lang;
    // Village cadres and administrators import nothing: say so rather than show an empty page.
    if !may_import_any(staff.account.role) {
        return error_page(
            StatusCode::FORBIDDEN,
            "导入由乡镇、县级和行业部门办理 / imports are for townships, counties and departments",
        );
    }
    layout(
        tr(l, "导入", "Imports"),
        Some(&staff),
        html! { h2 { (tr(l, "导入与预警", "Imports and alerts")) } (forms(&staff)) },
    )
    .into_response()
}

/// What an upload did, for the result page.
#[derive(Debug, Default)]
struct Outcome {
    title: String,
    counts: Vec<(String, usize)>,
    problems: Vec<RowProblem>,
    opened: Vec<(String, String)>,
}

pub async fn upload(State(state): State<AppState>, staff: Staff, multipart: Multipart) -> Response {
    let upload = match super::Upload::read(multipart).await {
        Ok(u) => u,
        Err(page) => return page,
    };
    let (csrf, kind, source) = (
        upload.field("csrf"),
        upload.field("kind"),
        upload.field("source").trim().to_string(),
    );
    let file = upload.file.clone();
    if !staff.form_is_ours(csrf) {
        return stale_form();
    }
    if !may(kind, staff.account.role) {
        return error_page(
            StatusCode::FORBIDDEN,
            "您的角色不能进行此项导入 / your role may not import this",
        );
    }
    let Some(area) = area(&staff) else {
        return error_page(StatusCode::FORBIDDEN, "账号没有所属区划 / the account has no area");
    };
    let Some((file_name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
        return error_page(StatusCode::BAD_REQUEST, "请选择文件 / choose a file");
    };
    if source.chars().count() > 100 || zaofaxian_shared::text::has_hidden_characters(&source, false) {
        return error_page(
            StatusCode::UNPROCESSABLE_ENTITY,
            "来源名称过长或含有不可见字符 / the source name is too long or holds hidden characters",
        );
    }
    let result = match kind {
        "register" => register(&state, &staff, area, &file_name, &bytes).await,
        "screening" => screening(&state, &staff, area, &source, &file_name, &bytes).await,
        _ => disaster(&state, &staff, area, &source, &bytes).await,
    };
    match result {
        Ok(o) => layout(&o.title, Some(&staff), result_page(&o, staff.lang)).into_response(),
        Err(t) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            layout(
                tr(staff.lang, "导入失败", "Import failed"),
                Some(&staff),
                html! { p.flash.error role="alert" { (t.get(staff.lang)) } (forms(&staff)) },
            ),
        )
            .into_response(),
    }
}

fn result_page(o: &Outcome, l: zaofaxian_shared::Lang) -> Markup {
    html! {
        h2 { (o.title) }
        div.cards { @for (label, n) in &o.counts { div.card { (label) " " strong { (n) } } } }
        @if !o.opened.is_empty() {
            h3 { (tr(l, "已派发村级入户核实", "Sent to the villages for verification")) }
            ul { @for (id, name) in &o.opened { li { a href={ "/console/cases/" (id) } { (name) } } } }
        }
        @if !o.problems.is_empty() {
            h3 { (tr(l, "未处理的行", "Rows not used")) }
            table {
                thead { tr { th { (tr(l, "行号", "Line")) } th { (tr(l, "原因", "Why")) } } }
                tbody { @for p in &o.problems { tr { td { (p.line) } td { (p.text.get(l)) } } } }
            }
        }
        p { a href="/console/imports" { (tr(l, "继续导入", "Import more")) } " · " a href="/console/board" { (tr(l, "回到看板", "Back to the board")) } }
    }
}

/// Reads the table on a blocking thread: a large register takes seconds to unpack and
/// would otherwise hold up every other request on this worker.
async fn table_of(bytes: &Bytes, name: &str) -> Result<Vec<Vec<String>>, Text> {
    let (bytes, name) = (bytes.clone(), name.to_string());
    tokio::task::spawn_blocking(move || read_table(&bytes, &name))
        .await
        .unwrap_or_else(|_| Err(Text::new("读取文件时出错", "reading the file failed")))
}

async fn register(
    state: &AppState,
    _staff: &Staff,
    area: DivisionCode,
    name: &str,
    bytes: &Bytes,
) -> Result<Outcome, Text> {
    let table = table_of(bytes, name).await?;
    let (ok, mut problems) = parse_register(&table, area)?;
    // A household registered in another township or county stays where it is: an
    // import may not move it (its later screening lists would go to the wrong village).
    let elsewhere = state
        .store
        .upsert_households(&ok, &area.prefix(), state.now_ms())
        .await
        .map_err(|e| Text::new(format!("保存失败：{e}"), format!("could not save: {e}")))?;
    for id in &elsewhere {
        let line = table
            .iter()
            .position(|row| row.iter().any(|c| c.trim() == id))
            .map_or(0, |i| i + 1);
        let masked = zaofaxian_shared::NationalId::mask(id).unwrap_or_default();
        problems.push(RowProblem {
            line,
            text: Text::new(
                format!("{masked} 已登记在其他乡镇或县，不能由本单位改动"),
                format!("{masked} is registered in another township or county and cannot be changed here"),
            ),
        });
    }
    problems.sort_by_key(|p| p.line);
    Ok(Outcome {
        title: "农户信息导入结果".into(),
        counts: vec![
            ("已导入".into(), ok.len() - elsewhere.len()),
            ("未导入".into(), problems.len()),
        ],
        problems,
        opened: Vec::new(),
    })
}

async fn screening(
    state: &AppState,
    staff: &Staff,
    area: DivisionCode,
    source: &str,
    name: &str,
    bytes: &Bytes,
) -> Result<Outcome, Text> {
    if source.is_empty() {
        return Err(Text::new("请填写预警部门", "name the department"));
    }
    let table = table_of(bytes, name).await?;
    let (rows, mut problems) = parse_screening(&table)?;
    let mut out = Outcome {
        title: format!("部门筛查预警（{source}）导入结果"),
        ..Outcome::default()
    };
    let mut open = OpenCases::load(state, area).await.map_err(|e| e.message)?;
    let (mut already, mut unmatched) = (0, 0);
    for r in rows {
        let household = state
            .store
            .household(r.national_id.as_str())
            .await
            .map_err(|e| Text::new(format!("查询失败：{e}"), format!("lookup failed: {e}")))?;
        let Some(h) = household.filter(|h| area.contains(h.village)) else {
            unmatched += 1;
            problems.push(RowProblem {
                line: r.line,
                text: Text::new(
                    format!("{} 未在辖区农户信息中找到", r.national_id.masked()),
                    format!("{} is not in the area's household register", r.national_id.masked()),
                ),
            });
            continue;
        };
        let detail = format!("部门筛查预警（{source}）：{}", r.detail);
        match open_clue(
            state,
            &staff.caller(),
            &h,
            Channel::DepartmentScreening,
            &detail,
            &mut open,
        )
        .await
        {
            Ok(ClueOutcome::Opened(id)) => out.opened.push((id, h.name.clone())),
            Ok(ClueOutcome::AlreadyOpen(_)) => {
                already += 1;
                problems.push(RowProblem {
                    line: r.line,
                    text: Text::new(
                        format!(
                            "{}（{}）已有在办案件，未重复派发",
                            h.name,
                            zaofaxian_shared::NationalId::mask(&h.national_id).unwrap_or_default()
                        ),
                        "already has an open case",
                    ),
                });
            }
            Err(e) => problems.push(RowProblem {
                line: r.line,
                text: e.message,
            }),
        }
    }
    problems.sort_by_key(|p| p.line);
    out.counts = vec![
        ("新派发核实".into(), out.opened.len()),
        ("已有在办".into(), already),
        ("未匹配".into(), unmatched),
        ("格式有误".into(), problems.len() - already - unmatched),
    ];
    out.problems = problems;
    Ok(out)
}

async fn disaster(
    state: &AppState,
    staff: &Staff,
    area: DivisionCode,
    source: &str,
    bytes: &[u8],
) -> Result<Outcome, Text> {
    if source.is_empty() {
        return Err(Text::new("请填写灾害名称", "name the disaster"));
    }
    let shape = parse_area(&String::from_utf8_lossy(bytes))?;
    let register = state
        .store
        .households(&area.prefix())
        .await
        .map_err(|e| Text::new(format!("查询失败：{e}"), format!("lookup failed: {e}")))?;
    let without_place = register.iter().filter(|h| h.location.is_none()).count();
    let mut out = Outcome {
        title: format!("突发灾害预警（{source}）"),
        ..Outcome::default()
    };
    let mut open = OpenCases::load(state, area).await.map_err(|e| e.message)?;
    let mut already = 0;
    // Households × edges is CPU work: off the async workers.
    let hit = tokio::task::spawn_blocking(move || {
        register
            .into_iter()
            .filter(|h| h.location.is_some_and(|p| inside(&shape, &p)))
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|_| Text::new("区域匹配失败", "matching the area failed"))?;
    for h in &hit {
        let detail = format!("突发灾害预警：{source}，住所位于受灾区域内");
        match open_clue(state, &staff.caller(), h, Channel::DisasterAlert, &detail, &mut open).await {
            Ok(ClueOutcome::Opened(id)) => out.opened.push((id, h.name.clone())),
            Ok(ClueOutcome::AlreadyOpen(_)) => already += 1,
            Err(e) => return Err(e.message),
        }
    }
    out.counts = vec![
        ("区域内新派发核实".into(), out.opened.len()),
        ("区域内已有在办".into(), already),
        ("辖区无位置信息的农户（未能判断）".into(), without_place),
    ];
    Ok(out)
}
