//! Reading what counties and departments upload: the household register, department
//! screening lists (部门筛查预警) as CSV or XLSX, and disaster areas as GeoJSON. Every
//! row that cannot be used is reported with its line number and why; nothing is
//! guessed.

use crate::store::Household;
use geo::{Contains, Coord, LineString, MultiPolygon, Point, Polygon};
use serde_json::Value;
use zaofaxian_shared::text::{has_hidden_characters, is_plain_name};
use zaofaxian_shared::{DivisionCode, DivisionLevel, GeoPoint, NationalId, Text};

/// A row that was not used, with its line in the file (header = line 1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowProblem {
    pub line: usize,
    pub text: Text,
}

fn bad_id(line: usize, e: &zaofaxian_shared::national_id::NationalIdError) -> RowProblem {
    let t = Text::from_pair(&e.to_string());
    problem(
        line,
        format!("身份证号有误：{}", t.zh),
        format!("bad ID number: {}", t.en),
    )
}

fn hidden(line: usize) -> RowProblem {
    problem(
        line,
        "含有不可见的控制字符或内容过长",
        "holds hidden control characters or is too long",
    )
}

fn problem(line: usize, zh: impl Into<String>, en: impl Into<String>) -> RowProblem {
    RowProblem {
        line,
        text: Text::new(zh, en),
    }
}

mod table;
pub use table::{MAX_CELLS, MAX_COLUMNS, MAX_UNPACKED, read_table};

/// The column whose header is one of `names`.
fn column(header: &[String], names: &[&str]) -> Option<usize> {
    header
        .iter()
        .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
}

/// The first row; its names go into findings, so they are held to the rows' rules.
fn header(table: &[Vec<String>]) -> Result<&[String], Text> {
    let header = table
        .first()
        .ok_or_else(|| Text::new("文件是空的", "the file is empty"))?;
    if !header.iter().all(|h| is_plain_name(h)) {
        return Err(Text::new(
            "表头含有不可见的控制字符或过长的列名",
            "the header holds hidden control characters or an overlong name",
        ));
    }
    Ok(header)
}

const ID_HEADERS: [&str; 4] = ["身份证号", "身份证号码", "公民身份号码", "national_id"];
const NAME_HEADERS: [&str; 4] = ["姓名", "户主姓名", "户主", "name"];

fn missing_column(zh: &str, en: &str) -> Text {
    Text::new(
        format!("表头缺少“{zh}”列"),
        format!("the header has no \"{en}\" column"),
    )
}

/// The household register: 身份证号, 户主姓名, 村代码, optional 村民小组, 纬度, 经度.
/// Villages outside `area` are refused row by row.
pub fn parse_register(table: &[Vec<String>], area: DivisionCode) -> Result<(Vec<Household>, Vec<RowProblem>), Text> {
    let header = header(table)?;
    let id_col = column(header, &ID_HEADERS).ok_or_else(|| missing_column("身份证号", "national_id"))?;
    let name_col = column(header, &NAME_HEADERS).ok_or_else(|| missing_column("户主姓名", "name"))?;
    let village_col =
        column(header, &["村代码", "村（社区）代码", "village"]).ok_or_else(|| missing_column("村代码", "village"))?;
    let group_col = column(header, &["村民小组", "group"]);
    let lat_col = column(header, &["纬度", "lat"]);
    let lon_col = column(header, &["经度", "lon"]);
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for (i, row) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or_default();
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let id = match NationalId::parse(cell(id_col)) {
            Ok(id) => id,
            Err(e) => {
                bad.push(bad_id(line, &e));
                continue;
            }
        };
        let village = match cell(village_col).parse::<DivisionCode>() {
            Ok(v) if v.level() == DivisionLevel::Village => v,
            _ => {
                bad.push(problem(
                    line,
                    "村代码应为12位村级代码",
                    "the village code must be a 12-digit village code",
                ));
                continue;
            }
        };
        if !area.contains(village) {
            bad.push(problem(line, "该村不在您的辖区", "this village is outside your area"));
            continue;
        }
        let name = cell(name_col).to_string();
        if name.is_empty() {
            bad.push(problem(line, "户主姓名为空", "the name is empty"));
            continue;
        }
        let group = group_col.map(cell).unwrap_or_default().to_string();
        if !is_plain_name(&name) || !is_plain_name(&group) {
            bad.push(hidden(line));
            continue;
        }
        let location = match (lat_col.map(cell), lon_col.map(cell)) {
            (Some(a), Some(o)) if !a.is_empty() && !o.is_empty() => match (a.parse::<f64>(), o.parse::<f64>()) {
                (Ok(a), Ok(o)) => match GeoPoint::new(a, o) {
                    Ok(p) => Some(p),
                    Err(_) => {
                        bad.push(problem(line, "经纬度超出范围", "latitude/longitude out of range"));
                        continue;
                    }
                },
                _ => {
                    bad.push(problem(line, "经纬度应为数字", "latitude/longitude must be numbers"));
                    continue;
                }
            },
            _ => None,
        };
        ok.push(Household {
            national_id: id.as_str().to_string(),
            name,
            village,
            group,
            location,
        });
    }
    Ok((ok, bad))
}

/// One person a department flagged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningRow {
    pub line: usize,
    pub national_id: NationalId,
    pub name: String,
    /// What the department found (e.g. 医疗自付费用 35000元), from any further columns.
    pub detail: String,
}

/// A department's list: 身份证号 (required), 姓名, and any further columns kept as the
/// finding ("预警事项：高额医疗自付；金额：35000").
pub fn parse_screening(table: &[Vec<String>]) -> Result<(Vec<ScreeningRow>, Vec<RowProblem>), Text> {
    let header = header(table)?;
    let id_col = column(header, &ID_HEADERS).ok_or_else(|| missing_column("身份证号", "national_id"))?;
    let name_col = column(header, &NAME_HEADERS);
    let (mut ok, mut bad) = (Vec::new(), Vec::new());
    for (i, row) in table.iter().enumerate().skip(1) {
        let line = i + 1;
        if row.iter().all(|c| c.is_empty()) {
            continue;
        }
        let cell = |c: usize| row.get(c).map(String::as_str).unwrap_or_default();
        let name = name_col.map(cell).unwrap_or_default();
        if !is_plain_name(name)
            || row
                .iter()
                .any(|c| c.chars().count() > 1000 || has_hidden_characters(c, true))
        {
            bad.push(hidden(line));
            continue;
        }
        match NationalId::parse(cell(id_col)) {
            Ok(national_id) => {
                let detail = header
                    .iter()
                    .enumerate()
                    .filter(|(c, _)| *c != id_col && Some(*c) != name_col)
                    .filter(|(c, _)| !cell(*c).is_empty())
                    .map(|(c, h)| format!("{h}：{}", cell(c)))
                    .collect::<Vec<_>>()
                    .join("；");
                ok.push(ScreeningRow {
                    line,
                    national_id,
                    name: name.to_string(),
                    detail,
                })
            }
            Err(e) => {
                bad.push(bad_id(line, &e));
            }
        }
    }
    Ok((ok, bad))
}

fn ring(v: &Value) -> Option<LineString<f64>> {
    let coords: Option<Vec<Coord<f64>>> = v
        .as_array()?
        .iter()
        .map(|p| {
            let p = p.as_array()?;
            Some(Coord {
                x: p.first()?.as_f64()?,
                y: p.get(1)?.as_f64()?,
            })
        })
        .collect();
    let coords = coords?;
    (coords.len() >= 4).then(|| LineString::new(coords))
}

fn polygon(v: &Value) -> Option<Polygon<f64>> {
    let rings = v.as_array()?;
    let outer = ring(rings.first()?)?;
    let holes: Option<Vec<_>> = rings.iter().skip(1).map(ring).collect();
    Some(Polygon::new(outer, holes?))
}

/// The area of a GeoJSON Polygon or MultiPolygon, bare or in a Feature or
/// FeatureCollection (WGS-84 longitude, latitude, as GeoJSON has it).
pub fn parse_area(text: &str) -> Result<MultiPolygon<f64>, Text> {
    let bad = || {
        Text::new(
            "不是有效的GeoJSON面（Polygon/MultiPolygon，经度在前）",
            "not a GeoJSON Polygon or MultiPolygon (longitude first)",
        )
    };
    let v: Value = serde_json::from_str(text).map_err(|_| bad())?;
    let mut out = Vec::new();
    let mut stack = vec![&v];
    while let Some(g) = stack.pop() {
        match g["type"].as_str() {
            Some("FeatureCollection") => stack.extend(g["features"].as_array().into_iter().flatten()),
            Some("Feature") => stack.push(&g["geometry"]),
            Some("Polygon") => out.push(polygon(&g["coordinates"]).ok_or_else(bad)?),
            Some("MultiPolygon") => {
                for p in g["coordinates"].as_array().ok_or_else(bad)? {
                    out.push(polygon(p).ok_or_else(bad)?);
                }
            }
            _ => return Err(bad()),
        }
    }
    if out.is_empty() {
        return Err(bad());
    }
    let vertices: usize = out
        .iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum();
    if vertices > MAX_AREA_VERTICES {
        return Err(Text::new(
            format!("区域顶点过多（{vertices}个，最多{MAX_AREA_VERTICES}个），请简化后再导入"),
            format!("the area has {vertices} vertices (at most {MAX_AREA_VERTICES}): simplify it first"),
        ));
    }
    Ok(MultiPolygon::new(out))
}

/// A disaster area drawn by hand or exported from a map has hundreds of points; every
/// registered household is tested against every edge, so the count is bounded.
pub const MAX_AREA_VERTICES: usize = 20_000;

pub fn inside(area: &MultiPolygon<f64>, p: &GeoPoint) -> bool {
    area.contains(&Point::new(p.lon, p.lat))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Vec<Vec<String>> {
        read_table(csv.as_bytes(), "x.csv").unwrap()
    }

    #[test]
    fn the_register_reports_each_bad_row_with_its_line() {
        let area: DivisionCode = "530402001000".parse().unwrap();
        let t = table(
            "身份证号,户主姓名,村代码,村民小组,纬度,经度\n\
             11010519491231002X,王秀英,530402001001,3组,24.354,102.543\n\
             110105194912310021,坏号,530402001001,,,\n\
             530402198001011233,李建国,530402002001,,,\n\
             530402198001011233,李建国,530402001002,1组,,\n",
        );
        let (ok, bad) = parse_register(&t, area).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[0].location.unwrap().lat, 24.354);
        assert_eq!(ok[1].group, "1组");
        assert_eq!(bad.iter().map(|p| p.line).collect::<Vec<_>>(), [3, 4]);
        assert!(bad[0].text.zh.contains("身份证号有误") && bad[1].text.zh.contains("不在您的辖区"));
        assert!(
            parse_register(&table("姓名,村代码\n"), area)
                .unwrap_err()
                .zh
                .contains("身份证号")
        );
    }

    #[test]
    fn hidden_characters_and_overlong_names_are_refused_by_line() {
        let area: DivisionCode = "530402001000".parse().unwrap();
        let rows = |lines: &[&str]| {
            let mut t = vec![vec![
                "身份证号".to_string(),
                "姓名".into(),
                "村代码".into(),
                "村民小组".into(),
                "备注".into(),
            ]];
            t.extend(lines.iter().map(|l| l.split('|').map(String::from).collect()));
            t
        };
        let t = rows(&[
            "11010519491231002X|王秀英\u{202e}|530402001001||",
            "11010519491231002X|王秀英|530402001001|3组\u{0}|",
            &format!("11010519491231002X|{}|530402001001||", "长".repeat(51)),
            "11010519491231002X|王秀英|530402001001|3组|住院\n二次",
            "11010519491231002X|王秀英|530402001001||\u{1b}[31m",
        ]);
        let (ok, bad) = parse_register(&t, area).unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(bad.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 3, 4]);
        assert!(bad.iter().all(|p| p.text.zh.contains("不可见")));
        // The screening list keeps other columns as the finding: a line break is fine
        // there, an escape sequence is not.
        let (ok, bad) = parse_screening(&t).unwrap();
        assert_eq!(ok.iter().map(|r| r.line).collect::<Vec<_>>(), [5]);
        assert_eq!(bad.iter().map(|p| p.line).collect::<Vec<_>>(), [2, 3, 4, 6]);
        // Header names become part of the finding too (found by the fuzzer).
        let mut t = t;
        t[0][4] = "备\u{0}注".into();
        assert!(parse_screening(&t).unwrap_err().zh.contains("表头含有不可见"));
        assert!(parse_register(&t, area).is_err());
    }

    #[test]
    fn gb18030_csv_and_extra_columns_become_the_finding() {
        let (gbk, _, _) =
            encoding_rs::GB18030.encode("身份证号,姓名,预警事项,金额\n11010519491231002X,王秀英,高额医疗自付,35000\n");
        let t = read_table(&gbk, "医保.csv").unwrap();
        let (ok, bad) = parse_screening(&t).unwrap();
        assert!(bad.is_empty());
        assert_eq!(ok[0].name, "王秀英");
        assert_eq!(ok[0].detail, "预警事项：高额医疗自付；金额：35000");
    }

    #[test]
    fn a_polygon_contains_what_is_inside_only() {
        let area = parse_area(
            r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},
               "geometry":{"type":"Polygon","coordinates":[[[102.5,24.3],[102.6,24.3],[102.6,24.4],[102.5,24.4],[102.5,24.3]]]}}]}"#,
        )
        .unwrap();
        assert!(inside(&area, &GeoPoint::new(24.354, 102.543).unwrap()));
        assert!(!inside(&area, &GeoPoint::new(24.454, 102.543).unwrap()));
        assert!(parse_area(r#"{"type":"Point","coordinates":[1,2]}"#).is_err());
        assert!(parse_area("not json").unwrap_err().zh.contains("GeoJSON"));
    }
}
