//! OpenAPI schemas of the validated newtypes (feature `openapi`): what the server
//! accepts for each, as a pattern. The derived schemas of every other wire type refer
//! to these. A pattern cannot say everything: an ID number's check character and
//! birth date are checked by the server and refused in words.

use crate::{DivisionCode, NationalId, PhoneNumber, RecordId};
use utoipa::openapi::schema::{ObjectBuilder, Schema, SchemaFormat, Type};
use utoipa::openapi::{KnownFormat, RefOr};
use utoipa::{PartialSchema, ToSchema};

/// Two digits, not both zero; three digits, not all zero.
const N2: &str = "(?:0[1-9]|[1-9][0-9])";
const N3: &str = "(?:00[1-9]|0[1-9][0-9]|[1-9][0-9]{2})";

/// A division code's levels: each segment down to its level is non-zero, the rest zeros.
pub fn division_pattern() -> String {
    format!("^(?:{N2}0{{10}}|{N2}{N2}0{{8}}|{N2}{N2}{N2}0{{6}}|{N2}{N2}{N2}{N3}000|{N2}{N2}{N2}{N3}{N3})$")
}

/// Free text: a pattern of allowed characters and a length in characters.
fn text(pattern: String, length: (Option<usize>, usize), description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .min_length(length.0)
        .max_length(Some(length.1))
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([serde_json::Value::from(example)])
        .into()
}

fn string(pattern: &str, description: &str, example: &str) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .pattern(Some(pattern))
        .description(Some(description))
        .examples([serde_json::Value::from(example)])
        .into()
}

impl PartialSchema for DivisionCode {
    fn schema() -> RefOr<Schema> {
        string(
            &division_pattern(),
            "行政区划代码（12位，各级不跳级）/ a 12-digit division code",
            "530402001001",
        )
    }
}
impl ToSchema for DivisionCode {}

/// A village's code: the one level of [`division_pattern`] a home visit takes.
#[derive(Debug)]
pub struct VillageCode;

/// [`VillageCode`]'s pattern.
pub fn village_pattern() -> String {
    format!("^{N2}{N2}{N2}{N3}{N3}$")
}

impl PartialSchema for VillageCode {
    fn schema() -> RefOr<Schema> {
        string(
            &village_pattern(),
            "村级行政区划代码（12位）/ a village's 12-digit division code",
            "530402001001",
        )
    }
}
impl ToSchema for VillageCode {}

/// An ID number's shape: region, a birth date from 1880 (month and day in range),
/// serial, check character.
pub const NATIONAL_ID_PATTERN: &str =
    "^[0-9]{6}(?:18[89][0-9]|19[0-9]{2}|20[0-9]{2})(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9X]$";

/// The format name an ID number carries in the document, for tools that generate
/// values: a pattern cannot say that the date is real and the check character right.
pub const NATIONAL_ID_FORMAT: &str = "cn-resident-id";

impl PartialSchema for NationalId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::Custom(NATIONAL_ID_FORMAT.into())))
            .pattern(Some(NATIONAL_ID_PATTERN))
            .description(Some(
                "居民身份证号码（GB 11643，18位）：出生日期须为真实日期，末位为 ISO 7064 MOD 11-2 校验码（X 大写）/ \
                 a resident ID number (GB 11643): the birth date must be a real date and the last character \
                 the ISO 7064 MOD 11-2 check character (upper-case X)",
            ))
            .examples([serde_json::Value::from("11010519491231002X")])
            .into()
    }
}
impl ToSchema for NationalId {}

impl PartialSchema for PhoneNumber {
    fn schema() -> RefOr<Schema> {
        string("^1[3-9][0-9]{9}$", "手机号码 / a mainland mobile number", "13812345678")
    }
}
impl ToSchema for PhoneNumber {}

impl PartialSchema for RecordId {
    fn schema() -> RefOr<Schema> {
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Uuid)))
            .pattern(Some(
                "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$",
            ))
            .description(Some(
                "记录编号（UUIDv7，由手机生成）/ a record id: a version-7 UUID made on the phone",
            ))
            .examples([serde_json::Value::from("01936b2e-5f3a-7c41-9a2b-3c4d5e6f7a8b")])
            .into()
    }
}
impl ToSchema for RecordId {}

/// A photo's SHA-256 as lists of photos carry it: 64 lower-case hex digits.
#[derive(Debug)]
pub struct PhotoDigest;

impl PartialSchema for PhotoDigest {
    fn schema() -> RefOr<Schema> {
        string(
            "^[0-9a-f]{64}$",
            "照片的 SHA-256（64位小写十六进制）/ a photo's SHA-256, 64 lower-case hex digits",
            "9f2c1e0b5a7d3c4e8f6a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6a",
        )
    }
}
impl ToSchema for PhotoDigest {}

/// A step's note: the characters [`crate::text::has_hidden_characters`] refuses
/// (control characters other than line breaks and tabs, bidirectional overrides) as a
/// pattern, and [`crate::sync::MAX_NOTE_CHARS`] as its length.
#[derive(Debug)]
pub struct Note;

/// The characters hidden in multi-line text, as a regular-expression class body:
/// control characters but tab, line feed and carriage return; bidirectional overrides.
pub const HIDDEN_IN_MULTILINE: &str = r"\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069";

impl PartialSchema for Note {
    fn schema() -> RefOr<Schema> {
        text(
            format!("^[^{HIDDEN_IN_MULTILINE}]*$"),
            (None, crate::sync::MAX_NOTE_CHARS),
            "说明（可换行，不含控制字符）/ a note: line breaks allowed, no control characters",
            "入户核实：户主住院，医疗自付约3万元",
        )
    }
}
impl ToSchema for Note {}

/// A 督办 note ([`crate::reminders::MAX_SUPERVISION_NOTE_CHARS`]): line breaks allowed,
/// nothing hidden, not blank.
#[derive(Debug)]
pub struct SupervisionNoteText;

impl PartialSchema for SupervisionNoteText {
    fn schema() -> RefOr<Schema> {
        text(
            supervision_note_pattern(),
            (Some(1), crate::reminders::MAX_SUPERVISION_NOTE_CHARS),
            "督办意见（不超过200字，不能为空白）/ a supervision note: at most 200 characters, not blank",
            "已超期，请今日完成入户核实",
        )
    }
}
impl ToSchema for SupervisionNoteText {}

/// [`SupervisionNoteText`]'s pattern (its length is the schema's `maxLength`).
pub fn supervision_note_pattern() -> String {
    format!("^[^{HIDDEN_IN_MULTILINE}]*[^\\s{HIDDEN_IN_MULTILINE}][^{HIDDEN_IN_MULTILINE}]*$")
}

/// A person's name: one line of at most [`crate::text::MAX_NAME_CHARS`] characters,
/// nothing hidden ([`crate::text::is_plain_name`]).
#[derive(Debug)]
pub struct PlainName;

/// The characters hidden in a one-line text: [`HIDDEN_IN_MULTILINE`] and line breaks, tabs.
pub const HIDDEN_IN_ONE_LINE: &str = r"\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069";

impl PartialSchema for PlainName {
    fn schema() -> RefOr<Schema> {
        text(
            format!("^[^{HIDDEN_IN_ONE_LINE}]*$"),
            (Some(1), crate::text::MAX_NAME_CHARS),
            "姓名（一行，不超过50字）/ a name: one line, at most 50 characters",
            "王秀英",
        )
    }
}
impl ToSchema for PlainName {}

/// A person's name as a form must give it ([`crate::text::is_given_name`]): a plain name
/// with at least one character that is not a space.
#[derive(Debug)]
pub struct GivenName;

/// [`GivenName`]'s pattern.
pub fn given_name_pattern() -> String {
    format!("^[^{HIDDEN_IN_ONE_LINE}]*[^\\s{HIDDEN_IN_ONE_LINE}][^{HIDDEN_IN_ONE_LINE}]*$")
}

impl PartialSchema for GivenName {
    fn schema() -> RefOr<Schema> {
        text(
            given_name_pattern(),
            (Some(1), crate::text::MAX_NAME_CHARS),
            "姓名（一行，不超过50字，不能为空白）/ a name: one line, at most 50 characters, not blank",
            "王秀英",
        )
    }
}
impl ToSchema for GivenName {}

/// The reason an irreversible step (清退, 整户消亡) needs: a note whose text, trimmed,
/// has at least [`crate::lifecycle::MIN_REASON_CHARS`] characters (the pattern: two
/// non-space characters at least that far apart), nothing hidden.
#[derive(Debug)]
pub struct Reason;

/// [`Reason`]'s pattern, for four characters.
pub fn reason_pattern() -> String {
    let (any, solid) = (
        format!("[^{HIDDEN_IN_MULTILINE}]"),
        format!("[^\\s{HIDDEN_IN_MULTILINE}]"),
    );
    let between = crate::lifecycle::MIN_REASON_CHARS - 2;
    format!("^{any}*{solid}{any}{{{between},}}{solid}{any}*$")
}

impl PartialSchema for Reason {
    fn schema() -> RefOr<Schema> {
        text(
            reason_pattern(),
            (Some(crate::lifecycle::MIN_REASON_CHARS), crate::sync::MAX_NOTE_CHARS),
            "不可撤销步骤的原因（去掉首尾空白后至少4个字）/ the reason for a step that cannot be undone: at least 4 characters once trimmed",
            "户口已整户迁出本县，经村委会核实",
        )
    }
}
impl ToSchema for Reason {}

/// A signature's strokes, or a note on how the household signed
/// ([`crate::visit::is_signature_text`]): not blank, nothing hidden, line breaks allowed.
#[derive(Debug)]
pub struct SignatureText;

/// [`SignatureText`]'s pattern: at least one character that is not a space.
pub fn signature_pattern() -> String {
    format!("^[^{HIDDEN_IN_MULTILINE}]*[^\\s{HIDDEN_IN_MULTILINE}][^{HIDDEN_IN_MULTILINE}]*$")
}

impl PartialSchema for SignatureText {
    fn schema() -> RefOr<Schema> {
        text(
            signature_pattern(),
            (Some(1), crate::visit::MAX_SIGNATURE_CHARS),
            "签名笔迹（SVG 路径）或按手印、代签的说明：不能为空白，不含控制字符 / \
             a signature's strokes (SVG path data) or a note on a fingerprint or proxy signature: not blank, no control characters",
            "M10 10 L50 60",
        )
    }
}
impl ToSchema for SignatureText {}

/// An amount in fen that cannot be negative, up to [`crate::income::MAX_AMOUNT`]
/// (1亿元): what the worksheet and the visit take for income, costs and values.
#[derive(Debug)]
pub struct Amount;

/// An amount in fen that may be negative (net rent, a loss), within ±1亿元.
#[derive(Debug)]
pub struct NetAmount;

fn fen(minimum: i64, description: &str, example: i64) -> RefOr<Schema> {
    let max = crate::income::MAX_AMOUNT.as_fen();
    ObjectBuilder::new()
        .schema_type(Type::Integer)
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
        .minimum(Some(minimum))
        .maximum(Some(max))
        .description(Some(description))
        .examples([serde_json::Value::from(example)])
        .into()
}

impl PartialSchema for Amount {
    fn schema() -> RefOr<Schema> {
        fen(
            0,
            "金额（分，不为负，不超过1亿元）/ an amount in fen: not negative, at most 100 million yuan",
            150_000,
        )
    }
}
impl ToSchema for Amount {}

impl PartialSchema for NetAmount {
    fn schema() -> RefOr<Schema> {
        fen(
            -crate::income::MAX_AMOUNT.as_fen(),
            "净额（分，可为负，绝对值不超过1亿元）/ a net amount in fen: may be negative, within 100 million yuan",
            -20_000,
        )
    }
}
impl ToSchema for NetAmount {}

#[cfg(test)]
mod tests {
    use super::{HIDDEN_IN_MULTILINE, HIDDEN_IN_ONE_LINE, NATIONAL_ID_PATTERN, reason_pattern};
    use crate::lifecycle::EventKind;
    use crate::national_id::check_char;
    use crate::text::has_hidden_characters;
    use proptest::prelude::*;
    use regex::Regex;

    fn note_pattern() -> Regex {
        Regex::new(&format!("^[^{HIDDEN_IN_MULTILINE}]*$")).unwrap()
    }

    /// Text near every boundary: spaces, line breaks, control characters, a
    /// bidirectional override, letters and Chinese.
    const TRICKY: &str = "[ \t\n\r\u{0}-\u{1f}\u{7f}\u{85}\u{a0}\u{3000}\u{202e}\u{2066}a中]{0,8}";

    proptest! {
        // The schema's note pattern and the server's rule are one.
        #[test]
        fn the_note_pattern_is_the_servers_rule(text in TRICKY) {
            prop_assert_eq!(note_pattern().is_match(&text), !has_hidden_characters(&text, true), "{:?}", text);
        }

        // The name pattern allows exactly the one-line names the core takes.
        #[test]
        fn the_name_pattern_is_the_cores_rule(text in TRICKY) {
            let pattern = Regex::new(&format!("^[^{HIDDEN_IN_ONE_LINE}]*$")).unwrap();
            prop_assert_eq!(pattern.is_match(&text), crate::text::is_plain_name(&text), "{:?}", text);
        }

        // A given name's pattern allows exactly the names a form must give.
        #[test]
        fn the_given_name_pattern_is_the_cores_rule(text in TRICKY) {
            let pattern = Regex::new(&super::given_name_pattern()).unwrap();
            prop_assert_eq!(pattern.is_match(&text), crate::text::is_given_name(&text), "{:?}", text);
        }

        // The reason pattern allows exactly the notes the core takes as a reason.
        #[test]
        fn the_reason_pattern_is_the_cores_rule(text in TRICKY) {
            let core = EventKind::Clear.check_reason(Some(&text)).is_ok() && !has_hidden_characters(&text, true);
            prop_assert_eq!(Regex::new(&reason_pattern()).unwrap().is_match(&text), core, "{:?}", text);
        }

        // A 督办 note's pattern allows exactly the notes the core takes.
        #[test]
        fn the_supervision_note_pattern_is_the_cores_rule(text in TRICKY) {
            let pattern = Regex::new(&super::supervision_note_pattern()).unwrap();
            prop_assert_eq!(pattern.is_match(&text), crate::reminders::is_supervision_note(&text), "{:?}", text);
        }

        // A signature's pattern allows exactly what the core takes as one.
        #[test]
        fn the_signature_pattern_is_the_cores_rule(text in TRICKY) {
            let pattern = Regex::new(&super::signature_pattern()).unwrap();
            prop_assert_eq!(pattern.is_match(&text), crate::visit::is_signature_text(&text), "{:?}", text);
        }

        // A village code is exactly a division code of the village level.
        #[test]
        fn the_village_pattern_is_the_cores_level(code in "[0-9]{12}") {
            let core = code.parse::<crate::DivisionCode>().is_ok_and(|d| d.level() == crate::division::DivisionLevel::Village);
            prop_assert_eq!(Regex::new(&super::village_pattern()).unwrap().is_match(&code), core, "{}", code);
        }

        // Every ID number the parser takes has the pattern's shape.
        #[test]
        fn the_id_pattern_takes_every_valid_number(
            region in 100_000u32..=999_999,
            born in (1880i32..=2026, 1u32..=12, 1u32..=31),
            serial in 0u32..=999,
        ) {
            let first = format!("{region}{:04}{:02}{:02}{serial:03}", born.0, born.1, born.2);
            let id = format!("{first}{}", check_char(first.as_bytes()));
            if crate::NationalId::parse(&id).is_ok() {
                prop_assert!(Regex::new(NATIONAL_ID_PATTERN).unwrap().is_match(&id), "{}", id);
            }
        }
    }

    #[test]
    fn the_id_pattern_refuses_dates_no_calendar_has() {
        let id = Regex::new(NATIONAL_ID_PATTERN).unwrap();
        assert!(id.is_match("11010519491231002X"));
        assert!(!id.is_match("110105194913310021"), "month 13");
        assert!(!id.is_match("110105187912310021"), "before 1880");
    }
}

/// The income worksheet's document against its validation: every bound the document
/// states is the one the core enforces, field by field.
#[cfg(test)]
mod worksheet_bounds {
    use crate::income::Worksheet;
    use serde_json::{Value, json};
    use std::collections::BTreeMap;
    use utoipa::{PartialSchema, ToSchema};

    /// The worksheet's schema and those it refers to, as JSON.
    fn document() -> (Value, BTreeMap<String, Value>) {
        let mut refs = Vec::new();
        Worksheet::schemas(&mut refs);
        let components = refs
            .into_iter()
            .map(|(name, s)| (name, serde_json::to_value(s).unwrap()))
            .collect();
        (serde_json::to_value(Worksheet::schema()).unwrap(), components)
    }

    fn resolve<'a>(s: &'a Value, components: &'a BTreeMap<String, Value>) -> &'a Value {
        match s.get("$ref").and_then(Value::as_str) {
            Some(r) => resolve(&components[r.trim_start_matches("#/components/schemas/")], components),
            None => match s.get("oneOf").and_then(Value::as_array) {
                // Option<T>: the alternative that is not null.
                Some(alts) => resolve(
                    alts.iter().find(|a| a.get("type") != Some(&json!("null"))).unwrap(),
                    components,
                ),
                None => s,
            },
        }
    }

    fn kind(s: &Value) -> &str {
        match &s["type"] {
            Value::Array(types) => types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap(),
            t => t.as_str().unwrap_or("object"),
        }
    }

    /// Where a bound applies, as the core names fields (`crops[0].sold_amount`).
    #[derive(Debug, Clone)]
    enum Bound {
        Number {
            path: String,
            min: Option<f64>,
            max: Option<f64>,
        },
        Items {
            path: String,
            max: u64,
        },
    }

    /// A worksheet with every number at its largest allowed value and one line per
    /// table, and the bounds met on the way.
    fn fill(s: &Value, c: &BTreeMap<String, Value>, path: &str, bounds: &mut Vec<Bound>) -> Value {
        let s = resolve(s, c);
        let join = |k: &str| {
            if path.is_empty() {
                k.to_string()
            } else {
                format!("{path}.{k}")
            }
        };
        match kind(s) {
            "object" => Value::Object(
                s["properties"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, p)| (k.clone(), fill(p, c, &join(k), bounds)))
                    .collect(),
            ),
            "array" => {
                if let Some(max) = s["maxItems"].as_u64() {
                    bounds.push(Bound::Items { path: path.into(), max });
                }
                json!([fill(&s["items"], c, &format!("{path}[0]"), bounds)])
            }
            "integer" | "number" => {
                let (min, max) = (s["minimum"].as_f64(), s["maximum"].as_f64());
                bounds.push(Bound::Number {
                    path: path.into(),
                    min,
                    max,
                });
                match max.or(min) {
                    Some(v) if kind(s) == "integer" => json!(v as i64),
                    Some(v) => json!(v),
                    None => json!(0),
                }
            }
            "string" if s["format"] == "date" => json!("2025-06-01"),
            "string" => s["enum"].get(0).cloned().unwrap_or(json!("玉米")),
            "boolean" => json!(true),
            other => panic!("{path}: {other}"),
        }
    }

    fn set(v: &mut Value, path: &str, to: Value) {
        let mut at = v;
        for part in path.split('.') {
            let (key, index) = match part.split_once('[') {
                Some((k, i)) => (k, Some(i.trim_end_matches(']').parse::<usize>().unwrap())),
                None => (part, None),
            };
            at = &mut at[key];
            if let Some(i) = index {
                at = &mut at[i];
            }
        }
        *at = to;
    }

    /// The field the core refuses `v` for, or None when it takes it. A value serde
    /// cannot read (−1 for a count) is refused as the whole sheet.
    fn refused(v: &Value) -> Option<String> {
        match serde_json::from_value::<Worksheet>(v.clone()) {
            Err(_) => Some("(unreadable)".into()),
            Ok(w) => w.compute(1).err().map(|e| e.field),
        }
    }

    #[test]
    fn every_bound_of_the_document_is_the_cores() {
        let (root, components) = document();
        let mut bounds = Vec::new();
        let full = fill(&root, &components, "", &mut bounds);
        assert_eq!(refused(&full), None, "every number at its maximum is taken: {full}");
        let amounts = bounds
            .iter()
            .filter(|b| matches!(b, Bound::Number { max: Some(_), .. }))
            .count();
        assert!(amounts >= 20, "the amounts, days and months are bounded: {bounds:?}");

        for bound in &bounds {
            match bound {
                Bound::Number { path, min, max } => {
                    let step = if path.ends_with("scale") { 0.5 } else { 1.0 };
                    let number = |x: f64| if step < 1.0 { json!(x) } else { json!(x as i64) };
                    if let Some(max) = max {
                        let mut over = full.clone();
                        set(&mut over, path, number(max + step));
                        assert_eq!(refused(&over).as_deref(), Some(path.as_str()), "above {path}'s maximum");
                    } else {
                        panic!("{path} has no maximum in the document");
                    }
                    match min {
                        Some(min) => {
                            let mut at = full.clone();
                            set(&mut at, path, number(*min));
                            assert_eq!(refused(&at), None, "{path} at its minimum");
                            let mut under = full.clone();
                            set(&mut under, path, number(min - step));
                            assert!(refused(&under).is_some(), "below {path}'s minimum");
                        }
                        None => panic!("{path} has no minimum in the document"),
                    }
                }
                Bound::Items { path, max } => {
                    let mut at = full.clone();
                    let line = at[path.as_str()][0].clone();
                    set(&mut at, path, Value::Array(vec![line.clone(); *max as usize]));
                    assert_eq!(refused(&at), None, "{path} with {max} lines");
                    set(&mut at, path, Value::Array(vec![line; *max as usize + 1]));
                    assert_eq!(refused(&at).as_deref(), Some(path.as_str()), "{path} over {max} lines");
                }
            }
        }
    }
}
