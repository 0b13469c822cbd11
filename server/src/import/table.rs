//! An uploaded file as rows of text cells. CSV is bounded by the upload limit, but an
//! XLSX is a zip: a few kilobytes can unpack into gigabytes, or place two cells a
//! billion cells apart (the spreadsheet library would allocate the whole rectangle and
//! the server would die). So an XLSX is measured unpacked first and its cells are read
//! one by one, within limits.

use calamine::{Data, Reader, Xlsx};
use std::io::{Cursor, Read};
use zaofaxian_shared::Text;

/// What all the parts of an XLSX may unpack to. A county's 200,000-household register
/// is about 50 MB unpacked.
pub const MAX_UNPACKED: u64 = 256 << 20;
/// Cells a table may hold (non-empty ones for XLSX; a register has about six per
/// household).
pub const MAX_CELLS: usize = 5_000_000;
/// Columns from the first used one; registers and screening lists have a few dozen.
pub const MAX_COLUMNS: u32 = 256;

/// The cells of a CSV (UTF-8, with or without BOM, or GB18030 as Chinese Excel saves
/// it) or of the first sheet of an XLSX (from its first used row and column), as text.
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Vec<Vec<String>>, Text> {
    if file_name.to_lowercase().ends_with(".xlsx") {
        check_unpacked_size(bytes, MAX_UNPACKED)?;
        read_xlsx(bytes)
    } else {
        read_csv(bytes)
    }
}

fn read_csv(bytes: &[u8]) -> Result<Vec<Vec<String>>, Text> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_string(),
        Err(_) => encoding_rs::GB18030.decode(bytes).0.into_owned(),
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let (mut rows, mut cells) = (Vec::new(), 0);
    for record in reader.records() {
        let record = record.map_err(|e| Text::new(format!("CSV格式错误：{e}"), format!("malformed CSV: {e}")))?;
        // A file of commas is millions of empty cells: the same limit as for XLSX.
        cells += record.len();
        if cells > MAX_CELLS {
            return Err(too_many_cells());
        }
        rows.push(record.iter().map(|c| c.trim().to_string()).collect());
    }
    Ok(rows)
}

fn too_many_cells() -> Text {
    Text::new(
        format!("表格超过{MAX_CELLS}个单元格，请拆分后再导入"),
        format!("the table has more than {MAX_CELLS} cells; split it"),
    )
}

fn unreadable(e: impl std::fmt::Display) -> Text {
    Text::new(
        format!("无法读取Excel文件：{e}"),
        format!("cannot read the XLSX file: {e}"),
    )
}

/// Unpacks every part of the zip, counting the bytes that come out (the sizes a zip
/// declares can lie), and refuses the file once `limit` is passed.
fn check_unpacked_size(bytes: &[u8], limit: u64) -> Result<(), Text> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(unreadable)?;
    let mut left = limit;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(unreadable)?;
        let n = std::io::copy(&mut (&mut part).take(left + 1), &mut std::io::sink()).map_err(unreadable)?;
        left = left.checked_sub(n).ok_or_else(|| {
            Text::new(
                format!("Excel文件解压后超过{} MB，请拆分后再导入", limit >> 20),
                format!("the XLSX file unpacks to more than {} MB; split it", limit >> 20),
            )
        })?;
    }
    Ok(())
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<Vec<String>>, Text> {
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let sheet = book
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| Text::new("Excel文件没有工作表", "the XLSX file has no sheet"))?;
    let mut cells = book.worksheet_cells_reader(&sheet).map_err(unreadable)?;
    let mut found: Vec<(u32, u32, String)> = Vec::new();
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let text = Data::from(cell.get_value().clone()).to_string().trim().to_string();
        if text.is_empty() {
            continue;
        }
        if found.len() == MAX_CELLS {
            return Err(too_many_cells());
        }
        let (row, col) = cell.get_position();
        found.push((row, col, text));
    }
    lay_out(found)
}

/// Places the cells in rows, counted from the first used row and column as calamine's
/// ranges do, so that line numbers match what a CSV of the same sheet would give.
fn lay_out(found: Vec<(u32, u32, String)>) -> Result<Vec<Vec<String>>, Text> {
    let (Some(first_row), Some(first_col)) = (found.iter().map(|c| c.0).min(), found.iter().map(|c| c.1).min()) else {
        return Ok(Vec::new());
    };
    let last_row = found.iter().map(|c| c.0).max().unwrap_or(first_row);
    if found.iter().any(|c| c.1 - first_col >= MAX_COLUMNS) {
        return Err(Text::new(
            format!("表格超过{MAX_COLUMNS}列，请只保留需要的列"),
            format!("the sheet is wider than {MAX_COLUMNS} columns; keep only the needed ones"),
        ));
    }
    // At most 1,048,576 rows (Excel's limit, checked by the reader): empty rows cost
    // one empty vector each.
    let mut rows = vec![Vec::new(); (last_row - first_row) as usize + 1];
    for (row, col, text) in found {
        let (row, col) = (&mut rows[(row - first_row) as usize], (col - first_col) as usize);
        if row.len() <= col {
            row.resize(col + 1, String::new());
        }
        row[col] = text;
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_xlsxwriter::Workbook;

    fn xlsx(fill: impl FnOnce(&mut rust_xlsxwriter::Worksheet)) -> Vec<u8> {
        let mut book = Workbook::new();
        fill(book.add_worksheet());
        book.save_to_buffer().unwrap()
    }

    #[test]
    fn cells_keep_their_places_from_the_first_used_row_and_column() {
        let bytes = xlsx(|s| {
            s.write_string(2, 1, "身份证号").unwrap();
            s.write_string(2, 3, "姓名").unwrap();
            s.write_string(4, 1, " 11010519491231002X ").unwrap();
            s.write_number(4, 2, 3.0).unwrap();
        });
        let rows = read_table(&bytes, "名单.XLSX").unwrap();
        assert_eq!(
            rows,
            [vec!["身份证号", "", "姓名"], vec![], vec!["11010519491231002X", "3"]]
        );
    }

    #[test]
    fn two_cells_a_sheet_apart_are_refused_not_allocated() {
        // A1 and XFD1048576: calamine's own range would be 17 billion cells.
        let bytes = xlsx(|s| {
            s.write_string(0, 0, "身份证号").unwrap();
            s.write_string(1_048_575, 16_383, "x").unwrap();
        });
        assert!(bytes.len() < 10_000);
        let e = read_table(&bytes, "x.xlsx").unwrap_err();
        assert!(e.zh.contains("超过256列"), "{e:?}");
        // Far apart downwards only is fine: a million empty rows, cheaply.
        let bytes = xlsx(|s| {
            s.write_string(0, 0, "身份证号").unwrap();
            s.write_string(1_048_575, 0, "x").unwrap();
        });
        let rows = read_table(&bytes, "x.xlsx").unwrap();
        assert_eq!(
            (rows.len(), rows[1_048_575].as_slice()),
            (1_048_576, &["x".to_string()][..])
        );
    }

    #[test]
    fn an_xlsx_that_unpacks_too_far_is_refused() {
        // 3 MB of text (distinct strings: the workbook keeps one copy of each) that
        // packs into a few kilobytes.
        let bytes = xlsx(|s| {
            for r in 0..100 {
                s.write_string(r, 0, format!("{r}{}", "贫".repeat(10_000))).unwrap();
            }
        });
        assert!(bytes.len() < 100_000, "{}", bytes.len());
        let e = check_unpacked_size(&bytes, 1 << 20).unwrap_err();
        assert!(e.zh.contains("解压后超过1 MB"), "{e:?}");
        check_unpacked_size(&bytes, 16 << 20).unwrap();
        assert_eq!(read_table(&bytes, "x.xlsx").unwrap().len(), 100);
    }

    #[test]
    fn a_csv_of_nothing_but_commas_is_refused() {
        let commas = ",".repeat(MAX_CELLS);
        let e = read_table(commas.as_bytes(), "x.csv").unwrap_err();
        assert!(e.zh.contains("个单元格"), "{e:?}");
        let rows = read_table(",".repeat(MAX_CELLS - 2).as_bytes(), "x.csv").unwrap();
        assert_eq!(rows[0].len(), MAX_CELLS - 1);
    }

    #[test]
    fn what_is_not_a_zip_is_an_error_in_both_languages() {
        let e = read_table(b"PK\x03\x04 not really", "x.xlsx").unwrap_err();
        assert!(e.zh.starts_with("无法读取Excel文件") && e.en.starts_with("cannot read"));
    }
}
