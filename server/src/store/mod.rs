//! Storage. One `Store` trait; `SqlStore` implements it for SQLite (the embedded
//! default) and PostgreSQL, chosen by the database URL. The SQL is shared: both
//! accept `$1` placeholders, `ON CONFLICT` and `RETURNING`, so only the migrations
//! differ per backend. The same contract tests run against both.

mod exec;
mod sql;
mod write_lane;

pub use sql::SqlStore;

use crate::audit::AuditEntry;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use zaofaxian_shared::calendar::CalendarRow;
use zaofaxian_shared::lifecycle::CaseState;
use zaofaxian_shared::policy::Threshold;
use zaofaxian_shared::{DivisionCode, Role};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("already exists: {0}")]
    Conflict(String),
    /// The row changed since it was read (optimistic concurrency).
    #[error("stale version")]
    Stale,
    #[error("not found")]
    NotFound,
    /// The device reused a sequence number for a different record.
    #[error("device sequence reused")]
    SeqReused,
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database could not be reached or could not commit (shared by the writes
    /// of one failed commit).
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// The `index`th limit of a write is used up: try again in `wait_ms`.
    #[error("limit {index} reached")]
    Limited { index: usize, wait_ms: u64 },
}

pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Division {
    pub code: DivisionCode,
    pub name: String,
    pub parent: Option<DivisionCode>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Account {
    pub id: String,
    pub login: String,
    pub name: String,
    pub role: Role,
    pub division: Option<DivisionCode>,
    #[serde(skip)]
    pub password_hash: Option<String>,
}

impl Account {
    /// The account as the API shows it.
    pub fn view(&self) -> zaofaxian_shared::wire::AccountView {
        zaofaxian_shared::wire::AccountView {
            id: self.id.clone(),
            login: self.login.clone(),
            name: self.name.clone(),
            role: self.role,
            division: self.division,
        }
    }
}

/// A staff account as listed for its managers.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffEntry {
    pub account: Account,
    pub disabled_at: Option<i64>,
}

/// A signed-in session, as its owner sees it (never the token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SessionInfo {
    #[serde(skip)]
    pub token_hash: String,
    pub created_at: Option<i64>,
    pub expires_at: i64,
}

/// One action on an account (the audit trail of account management).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountEvent {
    pub at: i64,
    pub actor_account: String,
    pub action: String,
    pub target_account: String,
    pub division: Option<DivisionCode>,
    pub detail: String,
}

pub use zaofaxian_shared::wire::CaseRecord;

/// What a client record claims: who sent it, from which device, in which order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncClaim {
    pub record_id: String,
    pub device_id: String,
    pub device_seq: i64,
    pub account_id: String,
}

/// The history entry written with a case change.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub at: i64,
    pub actor_account: String,
    pub actor_role: Role,
    pub entry: serde_json::Value,
    /// SHA-256 of photos this step attaches to the case (a report's, a visit's).
    pub photos: Vec<String>,
    /// The household's text this step sends, recorded with it: all or nothing, so a
    /// step stored is never a step the household is not told of.
    pub text: Option<NewText>,
}

/// A case change: a new case, or a new state for an existing one at an expected version.
#[derive(Debug, Clone, PartialEq)]
pub enum CaseWrite {
    Create(CaseRecord),
    Update {
        case_id: String,
        expected_version: u64,
        state: CaseState,
    },
}

/// The answer to a record, stored with it so that a replay gets the very same answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WriteAnswer {
    pub case_id: String,
    pub version: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteOutcome {
    Stored(WriteAnswer),
    /// The record had been stored before; this is the answer given then.
    Replayed(WriteAnswer),
}

/// One household of the register: the head's ID number, name, village, group and home.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Household {
    pub national_id: String,
    pub name: String,
    pub village: DivisionCode,
    pub group: String,
    pub location: Option<zaofaxian_shared::GeoPoint>,
}

/// What the server learnt from a verified photo.
#[derive(Debug, Clone, Copy)]
pub struct VerifiedPhoto<'a> {
    pub width: i64,
    pub height: i64,
    pub perceptual_hash: &'a str,
}

/// One photo of one case, with its perceptual hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PhotoHash {
    pub case_id: String,
    pub sha256: String,
    pub perceptual_hash: String,
}

/// A photo upload: complete once every byte arrived and the SHA-256 matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhotoRecord {
    pub sha256: String,
    pub size: i64,
    pub received: i64,
    pub complete: bool,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub uploader: String,
}

/// An account's upload of a photo the server already has from someone else: proof
/// that the account holds the photo, not just its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhotoClaim {
    pub sha256: String,
    pub account_id: String,
    pub size: i64,
    pub received: i64,
}

/// Whose cases a caller may see: everything inside a division, or one household's own.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Within(DivisionCode),
    Owner(String),
    /// Every case (system work such as counting deadlines again; never a caller's).
    All,
}

/// Filters for case lists.
#[derive(Debug, Clone)]
pub struct CaseFilter {
    pub scope: Scope,
    pub stage: Option<String>,
    /// Leave out closed cases.
    pub open_only: bool,
}

impl CaseFilter {
    pub fn scope(scope: Scope) -> Self {
        CaseFilter {
            scope,
            stage: None,
            open_only: false,
        }
    }
}

/// The store's change counters a request reads first (see [`Store::epochs`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Epochs {
    pub sessions: i64,
    pub reference: i64,
}

/// The open cases a board shows: an area, and the filters a board offers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardFilter {
    pub area: DivisionCode,
    pub stage: Option<String>,
    /// A channel's wire name (`self_report`, …).
    pub channel: Option<String>,
    /// A category's wire name (`marginal_at_risk`, …).
    pub category: Option<String>,
}

/// One open case as boards, the queue and the notice show it: the store keeps this
/// row beside the case, written in the case's own transaction and deleted when it
/// closes, so a board reads neither the case's JSON nor its photos.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoardRow {
    pub case_id: String,
    pub division: DivisionCode,
    pub household_name: String,
    /// Masked (`530402********1234`): boards are shown on shared screens.
    pub masked_id: Option<String>,
    pub stage: zaofaxian_shared::Stage,
    pub channel: zaofaxian_shared::lifecycle::Channel,
    pub category: Option<zaofaxian_shared::eligibility::Category>,
    pub deadline: Option<zaofaxian_shared::lifecycle::Deadline>,
    /// No deadline yet: that year's holiday schedule is not loaded.
    pub deadline_pending_year: Option<i32>,
    /// Photos the case's steps name that have not fully arrived (a column of its
    /// own in the store: a photo's arrival changes it).
    #[serde(skip)]
    pub photos_missing: i64,
    pub version: u64,
}

impl BoardRow {
    /// The row of a case with this report and state (`photos_missing` is the store's
    /// to count).
    pub fn of(case_id: &str, division: DivisionCode, report: &serde_json::Value, state: &CaseState) -> BoardRow {
        BoardRow {
            case_id: case_id.to_string(),
            division,
            household_name: report["household_name"].as_str().unwrap_or_default().to_string(),
            masked_id: report["national_id"]
                .as_str()
                .and_then(zaofaxian_shared::NationalId::mask),
            stage: state.stage,
            channel: state.channel,
            category: state.category,
            deadline: state.deadline,
            deadline_pending_year: state.deadline_pending_year,
            photos_missing: 0,
            version: state.version,
        }
    }
}

/// A board's counts for one village.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageCount {
    pub village: DivisionCode,
    pub open: i64,
    /// Past their due date.
    pub overdue: i64,
    /// A working day or more late (超期督办).
    pub escalated: i64,
}

/// A loaded year of the holiday calendar and where it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarYearInfo {
    pub year: i32,
    pub source: String,
    pub loaded_at: i64,
    /// The account that loaded it, or `shipped` for the data released with the program.
    pub loaded_by: String,
}

/// A threshold in the store, with who set it and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThresholdInfo {
    pub threshold: Threshold,
    pub set_at: i64,
    pub set_by: String,
}

/// Who loads what when the program ships data.
pub const SHIPPED: &str = "shipped";

/// All reference data, as one consistent read.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReferenceData {
    pub version: i64,
    pub years: Vec<CalendarYearInfo>,
    pub days: Vec<CalendarRow>,
    pub thresholds: Vec<ThresholdInfo>,
}

/// A change of reference data.
#[derive(Debug, Clone, PartialEq)]
pub enum ReferenceChange {
    /// The years these rows declare are replaced as a whole by them.
    CalendarYears {
        rows: Vec<CalendarRow>,
        source: String,
    },
    Threshold(Threshold),
}

/// A case changed by the system (a deadline counted again, a visit assessed), written
/// in the same transaction as the reference change that caused it.
#[derive(Debug, Clone, PartialEq)]
pub struct Amendment {
    pub case_id: String,
    pub expected_version: u64,
    pub state: CaseState,
    pub entry: NewEntry,
}

#[async_trait]
pub trait Store: Send + Sync + std::fmt::Debug {
    /// Creates the schema or brings it up to date.
    async fn migrate(&self) -> StoreResult<()>;

    async fn upsert_division(&self, d: &Division) -> StoreResult<()>;
    async fn division(&self, code: DivisionCode) -> StoreResult<Option<Division>>;
    /// The divisions directly under `parent`, by code.
    async fn child_divisions(&self, parent: DivisionCode) -> StoreResult<Vec<Division>>;
    /// `area` and every division inside it, by code (one read for a board's names).
    async fn divisions_within(&self, area: DivisionCode) -> StoreResult<Vec<Division>>;

    async fn create_account(&self, a: &Account) -> StoreResult<()>;
    async fn account_by_login(&self, login: &str) -> StoreResult<Option<Account>>;
    async fn account(&self, id: &str) -> StoreResult<Option<Account>>;
    /// Binds a household account to the village of its first report (once: a bound
    /// account keeps its village). Returns the village it is bound to.
    async fn bind_household_village(&self, account_id: &str, village: DivisionCode) -> StoreResult<DivisionCode>;
    async fn create_session(&self, token_hash: &str, account_id: &str, expires_at: i64) -> StoreResult<()>;
    /// Staff accounts whose division starts with `prefix`, with their disabled time.
    async fn staff_within(&self, prefix: &str) -> StoreResult<Vec<StaffEntry>>;
    /// Sets (or with `None` removes) a staff member's work phone, shown to households.
    async fn set_staff_phone(&self, id: &str, phone: Option<&str>) -> StoreResult<()>;
    async fn staff_phone(&self, id: &str) -> StoreResult<Option<String>>;
    async fn account_disabled(&self, id: &str) -> StoreResult<bool>;
    /// Disables (ending every session, and telling other processes) or enables an account.
    async fn set_disabled(&self, id: &str, disabled_at: Option<i64>) -> StoreResult<()>;
    async fn set_password_hash(&self, id: &str, hash: &str) -> StoreResult<()>;
    /// Ends an account's sessions but `except` (a token hash); other processes are told.
    async fn end_account_sessions(&self, id: &str, except: Option<&str>) -> StoreResult<u64>;
    /// What every request reads first (one row read): the session epoch, moved whenever a
    /// session ends, and the reference data's version, moved whenever the calendar or
    /// thresholds change, so every process sees both changes at once.
    async fn epochs(&self) -> StoreResult<Epochs>;
    async fn account_sessions(&self, id: &str, now: i64) -> StoreResult<Vec<SessionInfo>>;
    async fn add_account_event(&self, e: &AccountEvent) -> StoreResult<()>;
    /// The latest actions on accounts of divisions starting with `prefix`.
    async fn account_events(&self, prefix: &str, limit: i64) -> StoreResult<Vec<AccountEvent>>;
    /// Deletes sessions that have run out (and spent limit counts); returns how many sessions.
    async fn purge_sessions(&self, now: i64) -> StoreResult<u64>;
    /// Decides and counts one attempt under `key` (see `crate::limits`) in one
    /// transaction: Err(seconds to wait) when refused.
    async fn limit_attempt(
        &self,
        key: &str,
        policy: &crate::limits::LimitPolicy,
        now: i64,
    ) -> StoreResult<Result<(), u64>> {
        let checks = [(key.to_string(), *policy)];
        Ok(self.limit_attempts(&checks, now).await?.map_err(|(_, wait)| wait))
    }
    /// Several limits decided together in one transaction, all or none counted:
    /// Err((which, seconds to wait)) for the first that refuses.
    async fn limit_attempts(
        &self,
        checks: &[(String, crate::limits::LimitPolicy)],
        now: i64,
    ) -> StoreResult<Result<(), (usize, u64)>>;
    /// Forgets a key's attempts (a successful sign-in).
    async fn clear_attempts(&self, key: &str) -> StoreResult<()>;
    /// Signs a session out.
    async fn end_session(&self, token_hash: &str) -> StoreResult<()>;
    /// The account behind an unexpired session, with the session's expiry.
    async fn session_account(&self, token_hash: &str, now: i64) -> StoreResult<Option<(Account, i64)>>;

    /// Adds a code for a phone, asked from `client`: it replaces only that client's
    /// earlier code (see [`crate::auth::with_code`]), so someone asking codes for a
    /// stranger's phone cannot void the one its owner is typing.
    async fn put_otp(&self, phone: &str, client: &str, code_hash: &str, expires_at: i64, now: i64) -> StoreResult<()>;
    /// Counts one attempt and returns (code hash, expiry, attempts so far).
    async fn otp_attempt(&self, phone: &str) -> StoreResult<Option<(String, i64, i64)>>;
    async fn delete_otp(&self, phone: &str) -> StoreResult<()>;

    /// The answer already given to a client record, if any.
    async fn replay_answer(&self, record_id: &str) -> StoreResult<Option<WriteAnswer>>;
    /// A client record seen before: the account that sent it first and the answer it
    /// got (one read, on every record a phone pushes).
    async fn sent_record(&self, record_id: &str) -> StoreResult<Option<(String, WriteAnswer)>>;
    /// Applies a case change atomically with its history entry, its change-feed
    /// row and (for client records) the idempotency claim. All or nothing.
    async fn write_case(
        &self,
        claim: Option<&SyncClaim>,
        write: &CaseWrite,
        entry: &NewEntry,
    ) -> StoreResult<WriteOutcome> {
        self.write_case_within(claim, write, entry, &[]).await
    }
    /// [`Store::write_case`], also using up `limits` (a household's reports a day) in
    /// the same transaction: one commit instead of two for each report a phone pushes,
    /// and a refused or replayed record uses none. Past a limit: [`StoreError::Limited`].
    async fn write_case_within(
        &self,
        claim: Option<&SyncClaim>,
        write: &CaseWrite,
        entry: &NewEntry,
        limits: &[(String, crate::limits::LimitPolicy)],
    ) -> StoreResult<WriteOutcome>;

    async fn case(&self, id: &str) -> StoreResult<Option<CaseRecord>>;
    async fn cases(&self, filter: &CaseFilter) -> StoreResult<Vec<CaseRecord>>;
    async fn history(&self, case_id: &str) -> StoreResult<Vec<AuditEntry>>;
    /// Registers an upload, or returns the existing one. A different size for the same
    /// hash is a conflict (one of the two is not the photo it claims to be).
    async fn start_photo(&self, sha256: &str, size: i64, uploader: &str, now: i64) -> StoreResult<PhotoRecord>;
    async fn photo(&self, sha256: &str) -> StoreResult<Option<PhotoRecord>>;
    /// An account's unfinished uploads: how many, and the bytes they announced.
    async fn unfinished_uploads(&self, uploader: &str) -> StoreResult<(i64, i64)>;
    /// Forgets unfinished uploads and claims started before `before`; returns the
    /// names of their partial files (to be removed).
    async fn drop_stale_uploads(&self, before: i64) -> StoreResult<Vec<String>>;
    /// Starts (or, at another size, restarts from zero) an account's claim on a photo.
    async fn start_claim(&self, sha256: &str, account_id: &str, size: i64, now: i64) -> StoreResult<PhotoClaim>;
    async fn claim(&self, sha256: &str, account_id: &str) -> StoreResult<Option<PhotoClaim>>;
    /// Moves a claim's received count from `from` to `to` (Stale if it moved meanwhile).
    async fn claim_received(&self, sha256: &str, account_id: &str, from: i64, to: i64) -> StoreResult<()>;
    /// Ends a claim: its bytes matched (the account is granted the photo) or not (it
    /// starts again from zero).
    async fn settle_claim(&self, sha256: &str, account_id: &str, matched: bool) -> StoreResult<()>;
    /// Whether the account uploaded the photo or proved it holds it.
    async fn photo_granted(&self, sha256: &str, account_id: &str) -> StoreResult<bool>;
    /// Moves the received count from `from` to `to`; Stale if another chunk got there first.
    async fn photo_received(&self, sha256: &str, from: i64, to: i64) -> StoreResult<()>;
    /// Marks a verified photo complete (or, with `None`, resets a failed one to zero).
    async fn photo_verified(&self, sha256: &str, verified: Option<VerifiedPhoto<'_>>) -> StoreResult<()>;
    /// Adds or updates register entries (one transaction). An entry already registered
    /// outside `area` (a division code prefix) is left as it is; those ID numbers come back.
    async fn upsert_households(&self, list: &[Household], area: &str, now: i64) -> StoreResult<Vec<String>>;
    /// The register of an area (villages starting with `prefix`).
    async fn households(&self, prefix: &str) -> StoreResult<Vec<Household>>;
    async fn household(&self, national_id: &str) -> StoreResult<Option<Household>>;
    /// Hashes of the complete photos listed by cases whose division starts with `prefix`.
    async fn area_photo_hashes(&self, prefix: &str) -> StoreResult<Vec<PhotoHash>>;
    /// Cases that list the photo by the hand of its uploader (for access checks).
    async fn photo_cases(&self, sha256: &str) -> StoreResult<Vec<CaseRecord>>;

    /// The counter bumped by every reference-data change (cheap: polled by every process).
    async fn reference_version(&self) -> StoreResult<i64>;
    async fn reference_data(&self) -> StoreResult<ReferenceData>;
    /// Adds the shipped years and thresholds the store does not hold yet (never
    /// overwriting what an officer loaded); true when anything was added.
    async fn seed_reference(&self, rows: &[CalendarRow], thresholds: &[Threshold], now: i64) -> StoreResult<bool>;
    /// Applies a reference change and the case amendments it causes in one
    /// transaction; `Stale` (nothing written) when a case moved meanwhile.
    async fn change_reference(
        &self,
        change: &ReferenceChange,
        by: &str,
        at: i64,
        amendments: &[Amendment],
    ) -> StoreResult<()>;

    /// Cases in `scope` changed after `cursor`, oldest change first; returns the new cursor.
    async fn changes_since(&self, cursor: i64, scope: &Scope, limit: i64) -> StoreResult<(Vec<CaseRecord>, i64)>;

    /// Records a text unless one with its key exists (from this or another process);
    /// true when recorded now.
    async fn put_text(&self, t: &NewText) -> StoreResult<bool>;
    /// Claims up to `limit` unsent texts, oldest first, that nobody claimed after
    /// `stale_before` and that were tried fewer than `MAX_TEXT_ATTEMPTS` times.
    async fn claim_texts(&self, now: i64, stale_before: i64, limit: i64) -> StoreResult<Vec<TextRow>>;
    /// Marks a claimed text sent, or failed with why (tried again after its claim expires).
    async fn text_done(&self, key: &str, result: Result<i64, &str>) -> StoreResult<()>;
    /// Texts recorded at or after `since`, oldest first (what was sent, to whom, when).
    async fn texts_since(&self, since: i64) -> StoreResult<Vec<TextRow>>;
    /// Mutes (a time) or unmutes (`None`) an account's reminder texts.
    async fn set_texts_muted(&self, account_id: &str, at: Option<i64>) -> StoreResult<()>;
    /// Accounts whose reminder texts are muted.
    async fn muted_accounts(&self) -> StoreResult<std::collections::HashSet<String>>;
    /// A board's open cases counted per village in the store: open, due before `today`
    /// (overdue), due on or before `escalated_by` (a working day or more late).
    async fn village_counts(
        &self,
        filter: &BoardFilter,
        today: chrono::NaiveDate,
        escalated_by: chrono::NaiveDate,
    ) -> StoreResult<Vec<VillageCount>>;
    /// A board's most urgent open cases (due first, those without a deadline last,
    /// then by id), from just after `after` on, at most `limit` (all without one).
    async fn board_rows(
        &self,
        filter: &BoardFilter,
        after: Option<&zaofaxian_shared::wire::QueueCursor>,
        limit: Option<i64>,
    ) -> StoreResult<Vec<BoardRow>>;
    /// Open cases and those past their due date, per county (for metrics).
    async fn open_cases_by_county(&self, today: chrono::NaiveDate) -> StoreResult<Vec<CountyCases>>;
    /// Photos and voice notes started and not finished.
    async fn pending_uploads(&self) -> StoreResult<i64>;
    /// Whether one account's reminder texts are muted.
    async fn texts_muted(&self, account_id: &str) -> StoreResult<bool>;
    /// Every staff work phone, by account id.
    async fn staff_phones(&self) -> StoreResult<std::collections::HashMap<String, String>>;
    async fn add_supervision(&self, note: &Supervision) -> StoreResult<()>;
    /// Marks a township's monthly report filed (once; a second mark keeps the first).
    async fn file_monthly_report(&self, division: &str, year: i32, month: u32, at: i64, by: &str) -> StoreResult<()>;
    /// When a division's report for the month was marked filed, if it was.
    async fn monthly_report_filed(&self, division: &str, year: i32, month: u32) -> StoreResult<Option<i64>>;
    /// 督办 notes on cases whose village starts with `prefix`, at or after `since`, newest first.
    async fn supervision_within(&self, prefix: &str, since: i64) -> StoreResult<Vec<Supervision>>;
}

/// Tries of one text before it is left as failed (kept, with its error, for the record).
pub const MAX_TEXT_ATTEMPTS: i64 = 5;

/// Open and overdue cases of one county.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountyCases {
    /// The county's 12-digit code.
    pub county: String,
    pub open: i64,
    pub overdue: i64,
}

/// A text to record (see the `texts` table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewText {
    pub key: String,
    pub phone: String,
    /// Its template and variables; the words as read are recorded beside them.
    pub message: zaofaxian_shared::text_messages::TextMessage,
    pub account_id: Option<String>,
    pub case_id: Option<String>,
    pub created_at: i64,
}

/// A recorded text and what became of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextRow {
    pub key: String,
    pub phone: String,
    pub body: String,
    /// `None` for a text recorded before templates (it cannot be sent).
    pub message: Option<zaofaxian_shared::text_messages::TextMessage>,
    pub account_id: Option<String>,
    pub case_id: Option<String>,
    pub created_at: i64,
    pub sent_at: Option<i64>,
    pub attempts: i64,
    pub error: Option<String>,
}

/// A 督办 note as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Supervision {
    pub id: String,
    pub case_id: String,
    /// The case's village.
    pub division: String,
    /// The level whose step was late.
    pub level: zaofaxian_shared::reminders::Level,
    pub from_account: String,
    pub at: i64,
    pub note: String,
}
