//! What a phone sends in a sync push: its device, and records in order, each a
//! report or a step on a case. Decoded and checked here (no I/O) so the server and
//! the fuzz targets run the very same code on untrusted bytes.

use crate::geo::GeoPoint;
use crate::id::RecordId;
use crate::lifecycle::Event;
use crate::report::HardshipReport;
use crate::text::Text;
use crate::visit::HomeVisit;
use serde::{Deserialize, Serialize};

/// Most records one push may carry; a phone with more sends several pushes.
pub const MAX_RECORDS: usize = 200;

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushBody {
    /// The phone's own name for itself: 1–64 letters, digits, `-` or `_`.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub device_id: String,
    /// At most [`MAX_RECORDS`] (200); each gets its own answer.
    #[cfg_attr(feature = "openapi", schema(max_items = 200))]
    pub records: Vec<ClientRecord>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClientRecord {
    /// The client's UUIDv7 for this record: the idempotency key.
    pub id: RecordId,
    /// Gap-free per-device sequence number.
    pub seq: i64,
    pub kind: crate::wire::RecordKind,
    /// The record: a `HardshipReport` for `report`, a `CaseEventBody` for `case_event`.
    /// Each record is judged on its own: one the server cannot read is rejected in its
    /// own answer (with the field at fault) and the others go on.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub body: serde_json::Map<String, serde_json::Value>,
}

/// Why a record's body could not be read: the field at fault and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadRecord {
    pub field: String,
    pub why: String,
}

impl ClientRecord {
    /// The record's body read as its kind says.
    pub fn op(&self) -> Result<RecordOp, BadRecord> {
        fn read<T: serde::de::DeserializeOwned>(
            body: serde_json::Map<String, serde_json::Value>,
        ) -> Result<T, BadRecord> {
            serde_path_to_error::deserialize(serde_json::Value::Object(body)).map_err(|e| {
                let path = e.path().to_string();
                BadRecord {
                    field: if path == "." {
                        "body".into()
                    } else {
                        format!("body.{path}")
                    },
                    why: e.into_inner().to_string(),
                }
            })
        }
        Ok(match self.kind {
            crate::wire::RecordKind::Report => RecordOp::Report(Box::new(read(self.body.clone())?)),
            crate::wire::RecordKind::CaseEvent => {
                // The step apart from its case id, so that a refusal names the field
                // (serde's flatten would hide it).
                let mut step = self.body.clone();
                let Some(serde_json::Value::String(case_id)) = step.remove("case_id") else {
                    return Err(BadRecord {
                        field: "body.case_id".into(),
                        why: "案件编号缺失或不是文字 / the case id is missing or not a string".into(),
                    });
                };
                let request = read(step)?;
                RecordOp::CaseEvent(Box::new(CaseEventBody { case_id, request }))
            }
        })
    }
}

/// A record's body as read (see [`ClientRecord::op`]).
#[derive(Debug)]
pub enum RecordOp {
    Report(Box<HardshipReport>),
    // Boxed, both: a home visit is much larger than a report, a report than a pointer.
    CaseEvent(Box<CaseEventBody>),
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseEventBody {
    pub case_id: String,
    #[serde(flatten)]
    pub request: EventRequest,
}

/// One lifecycle step as a client asks for it (over REST, in a push, from a form).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "expected_version": 1, "event": { "event": "record_verification", "at_risk": true },
    "location": { "lat": 24.35412, "lon": 102.5431, "accuracy_m": 12.0 },
    "note": "入户核实：户主住院，医疗自付约3万元，收入骤减", "photos": []
})))]
pub struct EventRequest {
    pub expected_version: u64,
    pub event: Event,
    /// Where the step was taken (a home visit's GPS fix), kept in the history.
    #[serde(default)]
    pub location: Option<GeoPoint>,
    /// At most [`MAX_NOTE_CHARS`] characters; irreversible steps (清退, 整户消亡) need
    /// one of at least [`crate::lifecycle::MIN_REASON_CHARS`] as their reason.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::Note>))]
    pub note: Option<String>,
    /// Photos taken at this step (housing, documents), by SHA-256; uploaded separately.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::schema::PhotoDigest>, max_items = 20))]
    pub photos: Vec<String>,
    /// The home visit's record (members, worksheet, checks, authorization), with the
    /// verification or the elimination home check.
    #[serde(default)]
    pub visit: Option<HomeVisit>,
    /// 监测对象类别 the county settles when it determines a household (defaults to the
    /// latest assessed visit's).
    #[serde(default)]
    pub category: Option<crate::eligibility::Category>,
}

/// The longest note a step may carry (an objection's finding, an explanation).
pub const MAX_NOTE_CHARS: usize = 2_000;

/// Why a push as a whole is refused (single records are judged one by one later).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PushError {
    #[error("malformed push: {0}")]
    Malformed(String),
    #[error("bad device id")]
    BadDeviceId,
    #[error("too many records")]
    TooManyRecords,
}

impl PushError {
    pub fn code(&self) -> &'static str {
        match self {
            PushError::Malformed(_) => "bad_json",
            PushError::BadDeviceId => "bad_device_id",
            PushError::TooManyRecords => "too_many_records",
        }
    }

    pub fn text(&self) -> Text {
        match self {
            PushError::Malformed(why) => Text::new(format!("请求格式有误：{why}"), format!("malformed push: {why}")),
            PushError::BadDeviceId => Text::new(
                "设备编号应为1–64位字母、数字、-或_",
                "device_id: 1–64 letters, digits, - or _",
            ),
            PushError::TooManyRecords => Text::new(
                format!("单次最多{MAX_RECORDS}条记录"),
                format!("at most {MAX_RECORDS} records per push"),
            ),
        }
    }
}

fn valid_device_id(d: &str) -> bool {
    !d.is_empty() && d.len() <= 64 && d.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl PushBody {
    /// The checks on the push as a whole: a usable device id and a bounded batch.
    pub fn check(&self) -> Result<(), PushError> {
        if !valid_device_id(&self.device_id) {
            return Err(PushError::BadDeviceId);
        }
        if self.records.len() > MAX_RECORDS {
            return Err(PushError::TooManyRecords);
        }
        Ok(())
    }
}

/// Decodes and checks a push from raw bytes.
pub fn decode_push(bytes: &[u8]) -> Result<PushBody, PushError> {
    let body: PushBody = serde_json::from_slice(bytes).map_err(|e| PushError::Malformed(e.to_string()))?;
    body.check()?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn push(records: &str) -> String {
        format!(r#"{{"device_id":"phone-1","records":[{records}]}}"#)
    }

    #[test]
    fn a_report_and_a_step_decode() {
        let report = r#"{"id":"0190f5a0-0000-7000-8000-000000000001","seq":1,"kind":"report","body":
            {"village":"530402001001","household_name":"张三","hardship":"illness","happened_on":"2025-10-30"}}"#;
        let step = r#"{"id":"0190f5a0-0000-7000-8000-000000000002","seq":2,"kind":"case_event","body":
            {"case_id":"c1","expected_version":0,"event":{"event":"record_verification","at_risk":true}}}"#;
        let body = decode_push(push(&format!("{report},{step}")).as_bytes()).unwrap();
        assert!(matches!(&body.records[0].op(), Ok(RecordOp::Report(r)) if r.household_name == "张三"));
        assert!(
            matches!(&body.records[1].op(), Ok(RecordOp::CaseEvent(e)) if e.case_id == "c1" && e.request.expected_version == 0)
        );
    }

    /// A record whose body cannot be read is refused on its own, naming the field; the
    /// push itself (and the other records) still decode.
    #[test]
    fn a_bad_record_names_its_field_and_leaves_the_others() {
        let bad = r#"{"id":"0190f5a0-0000-7000-8000-000000000001","seq":1,"kind":"report","body":
            {"village":"530402001001","household_name":"张三","hardship":"illness","happened_on":"2025-10-30",
             "national_id":"110105194902300025"}}"#;
        let no_case = r#"{"id":"0190f5a0-0000-7000-8000-000000000002","seq":2,"kind":"case_event","body":
            {"expected_version":0,"event":{"event":"sign_application"}}}"#;
        let body = decode_push(push(&format!("{bad},{no_case}")).as_bytes()).unwrap();
        let e = body.records[0].op().unwrap_err();
        assert_eq!(e.field, "body.national_id", "{e:?}");
        assert!(e.why.contains("出生日期"), "{e:?}");
        assert!(body.records[1].op().is_err(), "a step without its case is refused");
    }

    #[test]
    fn bad_pushes_are_refused_with_a_reason() {
        assert_eq!(decode_push(b"{").unwrap_err().code(), "bad_json");
        let no_device = r#"{"device_id":"a b","records":[]}"#;
        assert_eq!(decode_push(no_device.as_bytes()).unwrap_err(), PushError::BadDeviceId);
        let unknown_kind =
            push(r#"{"id":"0190f5a0-0000-7000-8000-000000000001","seq":1,"kind":"drop_table","body":{}}"#);
        assert_eq!(decode_push(unknown_kind.as_bytes()).unwrap_err().code(), "bad_json");
        let one = r#"{"id":"0190f5a0-0000-7000-8000-000000000001","seq":1,"kind":"case_event","body":
            {"case_id":"c","expected_version":0,"event":{"event":"sign_application"}}}"#;
        let many = push(&vec![one; MAX_RECORDS + 1].join(","));
        assert_eq!(decode_push(many.as_bytes()).unwrap_err(), PushError::TooManyRecords);
        assert!(decode_push(push(&vec![one; MAX_RECORDS].join(",")).as_bytes()).is_ok());
    }
}
