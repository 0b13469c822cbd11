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
