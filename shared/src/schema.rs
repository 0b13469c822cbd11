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

impl PartialSchema for NationalId {
    fn schema() -> RefOr<Schema> {
        string(
            "^[0-9]{17}[0-9X]$",
            "居民身份证号码（18位，末位校验码须正确）/ a resident ID number (the check character is verified)",
            "11010519491231002X",
        )
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
