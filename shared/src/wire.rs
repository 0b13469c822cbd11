//! The API's requests and answers as types, shared by the server (which writes them)
//! and the app and tests (which read them): a renamed field or a misspelt status is a
//! compile error on both sides, not a silent `null`.

use crate::division::DivisionCode;
use crate::eligibility::Category;
use crate::id::RecordId;
use crate::lifecycle::{CaseState, Channel, Stage};
use crate::role::Role;
use crate::text::Text;
use serde::{Deserialize, Serialize};

/// Every refusal: a stable machine code, a message in both languages and the input
/// field at fault when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "code": "bad_phone", "message": { "zh": "手机号码应为1开头的11位数字", "en": "a mobile number is 11 digits starting with 1[3-9]" },
    "field": "phone"
})))]
pub struct ErrorBody {
    pub code: String,
    pub message: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}

/// An account as the API shows it (never its password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccountView {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub division: Option<DivisionCode>,
}

/// Staff sign-in (`POST /api/v1/auth/login`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({ "login": "cadre01", "password": "请使用本人密码" })))]
pub struct LoginRequest {
    pub login: String,
    pub password: String,
}

/// A household asks for a code (`POST /api/v1/auth/otp`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({ "phone": "13812345678" })))]
pub struct CodeRequest {
    pub phone: crate::PhoneNumber,
}

/// Where the code went (masked) and for how long it is good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSent {
    pub sent_to: String,
    pub expires_in_s: u32,
}

/// A household signs in with the code (`POST /api/v1/auth/otp/verify`); a retry with
/// the same `attempt` gets the same session.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CodeSignIn {
    pub phone: crate::PhoneNumber,
    pub code: String,
    /// 32 to 128 letters or digits the phone picks once per sign-in.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(pattern = "^[A-Za-z0-9]{32,128}$"))]
    pub attempt: Option<String>,
}

/// A new session: its bearer token, when it ends and whose it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionAnswer {
    pub token: String,
    pub expires_at: i64,
    pub account: AccountView,
}

/// How many other sessions were ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SignedOut {
    pub ended: u64,
}

/// What kind of record a phone pushes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    Report,
    CaseEvent,
}

impl RecordKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Report => "report",
            RecordKind::CaseEvent => "case_event",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [RecordKind::Report, RecordKind::CaseEvent]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// One record as a phone sends it: the body is what the phone kept in its outbox (a
/// [`crate::report::HardshipReport`] or a [`crate::sync::CaseEventBody`]); the server
/// decodes it as [`crate::sync::ClientRecord`].
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutgoingRecord {
    pub id: String,
    pub seq: i64,
    pub kind: RecordKind,
    pub body: serde_json::Value,
}

/// `POST /api/v1/sync/push` as a phone sends it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub device_id: String,
    pub records: Vec<OutgoingRecord>,
}

/// What became of one pushed record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RecordStatus {
    /// Written now.
    Stored,
    /// Written before: the answer it got then.
    Replayed,
    /// Refused for good (see the error); the phone shows why and stops sending it.
    Rejected,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecordResult {
    pub id: RecordId,
    pub status: RecordStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
}

/// The answer to a push: one result per record, in the order sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushAnswer {
    pub results: Vec<RecordResult>,
}

/// A stored case: its lifecycle state plus the original report (masked as the reader
/// may see it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseRecord {
    pub id: String,
    pub division: DivisionCode,
    pub owner_account: Option<String>,
    pub profile_id: String,
    pub state: CaseState,
    pub report: serde_json::Value,
    /// Photos the report lists that have not fully arrived (computed on read).
    /// A report is complete only when this is 0.
    #[serde(default)]
    pub photos_missing: i64,
    /// For the household reading its own case: whom to call and the help decided
    /// (computed on read; absent for staff, who have the case's history).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household: Option<HouseholdFacing>,
}

/// What a household is told beyond its case's stage.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdFacing {
    /// The village cadre or work-team member who last acted on the case, else a cadre
    /// of the case's village; none when the village has no account.
    pub contact: Option<Contact>,
    /// The assistance measures recorded, oldest first.
    #[serde(default)]
    pub assistance: Vec<AssistanceNote>,
}

/// A staff member the household may call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub name: String,
    /// The work phone the staff member gave for households, if any.
    pub phone: Option<String>,
}

/// One assistance measure as recorded (帮扶措施), in the recording staff's words: the
/// measure and its responsible person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AssistanceNote {
    /// China date it was recorded.
    pub on: chrono::NaiveDate,
    pub text: String,
}

impl CaseRecord {
    /// The head of household's name as the report gives it.
    pub fn household_name(&self) -> &str {
        self.report["household_name"].as_str().unwrap_or_default()
    }

    /// The ID number in the report as this reader may see it (full in the reader's own
    /// area, masked beyond it).
    pub fn national_id(&self) -> Option<&str> {
        self.report["national_id"].as_str()
    }
}

/// A page of changed cases (`GET /api/v1/sync/pull`); ask again from `cursor` while
/// `more`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullAnswer {
    pub cases: Vec<CaseRecord>,
    pub cursor: i64,
    pub more: bool,
}

/// One row of the deadline board.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueItem {
    pub case_id: String,
    pub division: DivisionCode,
    pub household_name: String,
    /// Masked: boards are shown on shared screens.
    pub national_id: Option<String>,
    pub stage: Stage,
    pub stage_label: String,
    pub channel: Channel,
    /// 监测对象类别 once assessed or settled.
    pub category: Option<Category>,
    pub category_label: Option<String>,
    pub due: Option<String>,
    /// The due date was counted through a year whose holiday schedule is not loaded
    /// yet (Saturdays and Sundays only): shown as 暂定 with `provisional_note`.
    pub provisional: bool,
    pub provisional_note: Option<String>,
    pub deadline: Option<String>,
    pub days_left: Option<i64>,
    pub overdue: bool,
    /// Photos the case's steps name that have not fully arrived.
    #[serde(default)]
    pub photos_missing: i64,
    pub version: u64,
}

/// `GET /api/v1/queue`: the open cases of an area, overdue first, a page at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QueueAnswer {
    pub today: chrono::NaiveDate,
    pub division: DivisionCode,
    /// Open cases on all pages.
    pub count: usize,
    pub items: Vec<QueueItem>,
    /// Where the next page starts (`after=`); none on the last page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next: Option<String>,
}

/// A place in the queue's order (due date, cases without one last, then case id): the
/// last row of a page, written `2025-11-10/<case id>` (`-/<case id>` without a due date).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueCursor {
    pub due: Option<String>,
    pub case_id: String,
}

impl QueueCursor {
    /// What `after=` takes (the OpenAPI document says it too).
    pub const PATTERN: &'static str = r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|-)/[^/]{1,64}$";

    pub fn parse(s: &str) -> Option<QueueCursor> {
        let (due, id) = s.split_once('/')?;
        let date_shaped = due.len() == 10
            && due.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            });
        let id_ok = !id.is_empty() && id.chars().count() <= 64 && !id.contains('/');
        match (due, date_shaped, id_ok) {
            ("-", _, true) => Some(QueueCursor {
                due: None,
                case_id: id.into(),
            }),
            (_, true, true) => Some(QueueCursor {
                due: Some(due.into()),
                case_id: id.into(),
            }),
            _ => None,
        }
    }
}

impl std::fmt::Display for QueueCursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.due.as_deref().unwrap_or("-"), self.case_id)
    }
}

/// One step of a case's hash-chained history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HistoryEntry {
    pub case_id: String,
    pub seq: i64,
    /// Unix milliseconds, server time.
    pub at: i64,
    pub actor_account: String,
    pub actor_role: String,
    /// What happened: the event, stages before and after, and where (GPS) if given.
    pub entry: serde_json::Value,
    pub prev_hash: String,
    pub hash: String,
}

/// `GET /api/v1/cases/{id}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseDetail {
    pub case: CaseRecord,
    pub days_left: Option<i64>,
    pub history: Vec<HistoryEntry>,
    pub chain_intact: bool,
    /// Other cases of the area with a near-identical photo (possible reuse).
    pub same_pictures: Vec<serde_json::Value>,
}

/// The answer to a step on a case (`POST /api/v1/cases/{id}/events`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventAnswer {
    pub case_id: String,
    pub version: u64,
    pub state: CaseState,
}

/// `POST /api/v1/photos`: announce an upload by its digest and size.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoStart {
    /// The photo's SHA-256, 64 lower-case hex digits.
    #[cfg_attr(feature = "openapi", schema(pattern = "^[0-9a-f]{64}$"))]
    pub sha256: String,
    /// Bytes, 1 to [`crate::photo::MAX_UPLOAD_BYTES`] (20 MiB).
    #[cfg_attr(feature = "openapi", schema(minimum = 1, maximum = 20971520))]
    pub size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perceptual_hash: Option<String>,
}

/// Where an upload stands: send from `received` until `complete`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PhotoStatus {
    pub sha256: String,
    pub size: i64,
    pub received: i64,
    pub complete: bool,
    pub width: Option<i64>,
    pub height: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_queue_cursor_reads_back_as_written_and_as_its_pattern_says() {
        let pattern = regex::Regex::new(QueueCursor::PATTERN).unwrap();
        for c in [
            QueueCursor {
                due: Some("2025-11-10".into()),
                case_id: "01a2-b".into(),
            },
            QueueCursor {
                due: None,
                case_id: "x".into(),
            },
        ] {
            let s = c.to_string();
            assert!(pattern.is_match(&s), "{s}");
            assert_eq!(QueueCursor::parse(&s), Some(c));
        }
        for s in ["2025-11-10/a", "-/0190a1b2", "9999-99-99/z"] {
            assert!(pattern.is_match(s) && QueueCursor::parse(s).is_some(), "{s}");
        }
        for s in ["", "2025-11-10", "2025-11-10/", "today/a", "-/a/b", "2025-1-10/a"] {
            assert!(!pattern.is_match(s) && QueueCursor::parse(s).is_none(), "{s}");
        }
    }

    #[test]
    fn statuses_read_as_the_server_writes_them() {
        let json = r#"{"results":[{"id":"0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b","status":"rejected",
            "error":{"code":"forbidden","message":{"zh":"无权","en":"no"}}}]}"#;
        let a: PushAnswer = serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.results[0].status, RecordStatus::Rejected);
        assert_eq!(a.results[0].error.as_ref().map(|e| e.code.as_str()), Some("forbidden"));
        // A status the contract does not know is an error, not a default.
        assert!(serde_json::from_str::<PushAnswer>(&json.replace("rejected", "rejectd")).is_err());
    }

    #[test]
    fn record_kinds_round_trip_through_the_outbox_name() {
        for k in [RecordKind::Report, RecordKind::CaseEvent] {
            assert_eq!(RecordKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(serde_json::json!(k.as_str())));
        }
        assert_eq!(RecordKind::parse("reprot"), None);
    }
}

/// A step an account must take soon, or is late with (`GET /api/v1/reminders`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReminderItem {
    pub case_id: String,
    pub division: DivisionCode,
    pub household_name: String,
    /// Masked (`110105********002X`).
    pub national_id: Option<String>,
    pub deadline: crate::lifecycle::DeadlineKind,
    pub due: chrono::NaiveDate,
    pub urgency: crate::reminders::Urgency,
    /// Working days left: 0 due today, negative when late.
    pub days_left: i64,
}

/// A late step on the level above's 超期督办 list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EscalatedItem {
    pub case_id: String,
    pub division: DivisionCode,
    pub household_name: String,
    pub national_id: Option<String>,
    pub deadline: crate::lifecycle::DeadlineKind,
    pub due: chrono::NaiveDate,
    /// The level whose step is late.
    pub level: crate::reminders::Level,
    /// Who was to act: the level's accounts in the case's village or township.
    pub responsible: Vec<String>,
    pub working_days_late: i64,
    /// 督办 notes already sent on it.
    pub notes: usize,
}

/// A 督办 note from the level above.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SupervisionNote {
    pub case_id: String,
    pub household_name: String,
    /// Unix milliseconds.
    pub at: i64,
    pub from: String,
    pub note: String,
}

/// What an account is reminded of: its due and late steps, 督办 notes to it (the last
/// 30 days), the late steps below it it supervises, and whether its texts are muted.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reminders {
    pub due: Vec<ReminderItem>,
    pub supervision: Vec<SupervisionNote>,
    pub escalated: Vec<EscalatedItem>,
    /// The township's monthly report reminder of today, if any.
    pub report_due: Option<String>,
    /// A township's monthly reports to mark (where its policy sets a report day): the
    /// last one past due if it is not marked filed, and the one being worked on.
    #[serde(default)]
    pub reports: Vec<MonthlyReportStatus>,
    pub texts_muted: bool,
}

/// A township's monthly report: the month, its due date and when it was marked filed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MonthlyReportStatus {
    pub year: i32,
    pub month: u32,
    pub due: chrono::NaiveDate,
    /// Unix milliseconds.
    pub filed_at: Option<i64>,
}

/// `PUT /api/v1/reminders/texts`: mute or unmute reminder texts (the in-app list stays).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TextSettings {
    pub muted: bool,
}

/// `POST /api/v1/cases/{id}/supervise`: a 督办 note on a late step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuperviseRequest {
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::SupervisionNoteText))]
    pub note: String,
}
