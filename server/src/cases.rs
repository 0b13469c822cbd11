//! Case operations shared by the sync push and the REST endpoints: open a case from
//! a report, apply a lifecycle event. Rules come from the core; this module adds
//! who-may-see-what and the atomic write.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::reference::Reference;
use crate::state::{AppState, LimitCheck, limit_keys, limit_refusal};
use crate::store::{CaseRecord, CaseWrite, NewEntry, StoreError, SyncClaim, WriteAnswer, WriteOutcome};
use axum::http::StatusCode;
use zaofaxian_shared::eligibility::{AssessmentError, assess};
use zaofaxian_shared::elimination::EliminationEvidence;
use zaofaxian_shared::lifecycle::{Binding, Channel, Ctx, RefusalKind, WhyNot, open, transition};
use zaofaxian_shared::policy::PolicyError;
use zaofaxian_shared::report::HardshipReport;
use zaofaxian_shared::text_messages::{TextKind, TextMessage};
use zaofaxian_shared::visit::{HomeVisit, VisitError};
use zaofaxian_shared::{DivisionCode, DivisionLevel, RecordId, Role, Text};

pub use zaofaxian_shared::sync::EventRequest;

fn refused(why: WhyNot) -> ApiError {
    let status = match why.kind {
        RefusalKind::Forbidden => StatusCode::FORBIDDEN,
        RefusalKind::Conflict => StatusCode::CONFLICT,
        RefusalKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
    };
    ApiError::new(status, &why.code, why.text.zh, why.text.en)
}

/// The answer in either case: first time or replay.
pub fn answer_of(outcome: WriteOutcome) -> WriteAnswer {
    match outcome {
        WriteOutcome::Stored(a) | WriteOutcome::Replayed(a) => a,
    }
}

/// The rules in force for opening a case in `village` today, as `caller`.
fn opening_ctx<'r>(state: &AppState, r: &'r Reference, caller: &Caller, village: DivisionCode) -> ApiResult<Ctx<'r>> {
    let profile = r.policy.profile_for(village).map_err(|e| {
        ApiError::from_pair(StatusCode::UNPROCESSABLE_ENTITY, "no_policy", &e.to_string()).with_field("village")
    })?;
    Ok(Ctx {
        actor: caller.role(),
        today: state.clock.today(),
        calendar: &r.calendar,
        profile,
        evidence: None,
    })
}

/// Opens a case from a hardship report. The case id is the client's record id, so an
/// offline phone knows it before the report ever reaches the server.
pub async fn create_from_report(
    state: &AppState,
    caller: &Caller,
    record_id: RecordId,
    report: &HardshipReport,
    claim: Option<&SyncClaim>,
) -> ApiResult<WriteOutcome> {
    let today = state.clock.today();
    report
        .validate(today)
        .map_err(|e| ApiError::bad_request("invalid_report", e.zh, e.en).with_field(e.field))?;
    let (channel, owner) = match caller.role() {
        Role::Household => (
            if report.on_behalf {
                Channel::ProxyReport
            } else {
                Channel::SelfReport
            },
            Some(caller.0.id.clone()),
        ),
        _ => {
            // Staff file only inside their own area.
            if !matches!(caller.scope()?, crate::store::Scope::Within(d) if d.contains(report.village)) {
                return Err(ApiError::forbidden());
            }
            (
                if report.on_behalf {
                    Channel::ProxyReport
                } else {
                    Channel::CadreVisit
                },
                None,
            )
        }
    };
    let known = state
        .known_divisions
        .read()
        .map(|k| k.contains(&report.village))
        .unwrap_or(false);
    if !known && state.store.division(report.village).await?.is_none() {
        return Err(ApiError::bad_request(
            "unknown_village",
            format!("未知的村（社区）代码：{}", report.village),
            format!("unknown village code: {}", report.village),
        )
        .with_field("village"));
    }
    if !known && let Ok(mut k) = state.known_divisions.write() {
        k.insert(report.village);
    }
    // A household's reports a day, used up with the report's own write.
    let quota = if caller.role() == Role::Household {
        report_quota(state, &caller.0.id, report.on_behalf)
    } else {
        Vec::new()
    };
    if caller.role() == Role::Household
        && let Some(joined) = household_report(state, caller, record_id, report, claim, &quota).await?
    {
        return Ok(joined);
    }
    let r = state.reference();
    let ctx = opening_ctx(state, &r, caller, report.village)?;
    let profile = ctx.profile;
    let case_state = open(channel, &ctx).map_err(refused)?;
    let record = CaseRecord {
        id: record_id.to_string(),
        division: report.village,
        owner_account: owner,
        profile_id: profile.id.clone(),
        state: case_state,
        report: serde_json::to_value(report).map_err(|_| ApiError::internal())?,
        photos_missing: report.attachments().len() as i64,
        household: None,
    };
    let entry = NewEntry {
        at: state.now_ms(),
        actor_account: caller.0.id.clone(),
        actor_role: caller.role(),
        entry: serde_json::json!({ "event": "report", "channel": channel, "hardship": report.hardship,
            "photos": report.photos, "voice_note": report.voice_note }),
        photos: report.attachments(),
        text: None,
    };
    state
        .store
        .write_case_within(claim, &CaseWrite::Create(record), &entry, &limit_keys(&quota))
        .await
        .map_err(|e| quota_refusal(&quota, e))
}

/// The limits a household's report uses up: its reports a day, and for a report filed
/// for someone else (代为申报) its proxy reports a day too.
fn report_quota<'a>(state: &AppState, id: &'a str, on_behalf: bool) -> Vec<LimitCheck<'a>> {
    let reports = (
        "reports",
        id,
        state.limits.household_reports,
        "今天申报次数已达上限",
        "this account's reports for today are used up",
    );
    let proxy = (
        "proxy",
        id,
        state.limits.household_proxy,
        "今天代为申报已达上限（可请村干部代报）",
        "filing for others is used up for today; ask the village cadre",
    );
    if on_behalf { vec![proxy, reports] } else { vec![reports] }
}

/// A write refused at a limit of `quota` is a 429 saying which; other failures as usual.
fn quota_refusal(quota: &[LimitCheck<'_>], e: StoreError) -> ApiError {
    match e {
        StoreError::Limited { index, wait_ms } => limit_refusal(quota, index, wait_ms),
        other => other.into(),
    }
}

/// What a household account may report: only for the village it is bound to (its
/// first report binds it), at most [`crate::limits::HOUSEHOLD_REPORTS_PER_DAY`] a day of
/// which [`crate::limits::HOUSEHOLD_PROXY_REPORTS_PER_DAY`] for others; and one open
/// case of its own: a further self-report joins that case as a new hardship entry,
/// with no new deadline (`Some` answer). `None`: open a new case as usual.
async fn household_report(
    state: &AppState,
    caller: &Caller,
    record_id: RecordId,
    report: &HardshipReport,
    claim: Option<&SyncClaim>,
    quota: &[LimitCheck<'_>],
) -> ApiResult<Option<WriteOutcome>> {
    let id = &caller.0.id;
    let now = state.now_ms();
    // A household's village, once bound, never changes (binding only fills an empty
    // one), so the signed-in account's copy holds; only an empty one is read again.
    let stored = match caller.0.division {
        Some(v) => Some(v),
        None => state.store.account(id).await?.and_then(|a| a.division),
    };
    let mut bound = stored;
    if bound.is_none() && !report.on_behalf {
        // Not yet bound: a household the register knows belongs to its registered
        // village, whatever the first report says.
        if let Some(id_number) = &report.national_id {
            bound = state.store.household(id_number.as_str()).await?.map(|h| h.village);
        }
    }
    let wrong_village = |v: DivisionCode| {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "wrong_village",
            format!("本账号登记在{v}，只能为本村申报；其他村请联系当地村干部"),
            format!("this account belongs to {v} and reports only there; for another village ask its cadre"),
        )
        .with_field("village")
    };
    if let Some(v) = bound.filter(|v| *v != report.village) {
        return Err(wrong_village(v));
    }
    if stored.is_none() {
        // Another first report of this account may have bound it a moment ago.
        let bound = state.store.bind_household_village(id, report.village).await?;
        state.sessions.bind_village(id, bound);
        if bound != report.village {
            return Err(wrong_village(bound));
        }
    }
    if report.on_behalf {
        return Ok(None);
    }
    let open = state
        .store
        .cases(&crate::store::CaseFilter {
            scope: crate::store::Scope::Owner(id.clone()),
            stage: None,
            open_only: true,
        })
        .await?;
    let Some(case) = open.into_iter().find(|c| c.state.channel == Channel::SelfReport) else {
        return Ok(None);
    };
    let mut next = case.state.clone();
    next.version += 1;
    let entry = NewEntry {
        at: now,
        actor_account: id.clone(),
        actor_role: Role::Household,
        entry: serde_json::json!({
            "event": crate::policy_data::HARDSHIP_ADDED, "record": record_id, "hardship": report.hardship,
            "happened_on": report.happened_on, "amount": report.amount, "description": report.description,
            "photos": report.photos, "voice_note": report.voice_note,
        }),
        photos: report.attachments(),
        text: None,
    };
    let write = CaseWrite::Update {
        case_id: case.id.clone(),
        expected_version: case.state.version,
        state: next,
    };
    let joined = state
        .store
        .write_case_within(claim, &write, &entry, &limit_keys(quota))
        .await
        .map_err(|e| quota_refusal(quota, e))?;
    Ok(Some(joined))
}

/// Loads a case the caller may see. Another area's case answers 404, not 403, so
/// ids cannot be probed.
pub async fn visible_case(state: &AppState, caller: &Caller, id: &str) -> ApiResult<CaseRecord> {
    let case = state.store.case(id).await?.ok_or_else(ApiError::not_found)?;
    if !caller.can_see(&case) {
        return Err(ApiError::not_found());
    }
    Ok(case)
}

pub async fn apply_event(
    state: &AppState,
    caller: &Caller,
    case_id: &str,
    req: &EventRequest,
    claim: Option<&SyncClaim>,
) -> ApiResult<WriteOutcome> {
    if req.note.as_ref().is_some_and(|n| {
        n.chars().count() > zaofaxian_shared::sync::MAX_NOTE_CHARS
            || zaofaxian_shared::text::has_hidden_characters(n, true)
    }) {
        return Err(ApiError::bad_request(
            "bad_note",
            format!("说明不超过{}字，且不含控制字符", zaofaxian_shared::sync::MAX_NOTE_CHARS),
            format!(
                "a note is at most {} characters, without control characters",
                zaofaxian_shared::sync::MAX_NOTE_CHARS
            ),
        )
        .with_field("note"));
    }
    if req.location.as_ref().is_some_and(|p| !p.is_valid()) {
        return Err(
            ApiError::bad_request("bad_location", "位置坐标无效", "the location is not a valid point")
                .with_field("location"),
        );
    }
    if req.photos.len() > 20 || !req.photos.iter().all(|p| crate::photos::is_sha256_hex(p)) {
        return Err(ApiError::bad_request(
            "bad_photos",
            "照片应为不超过20个SHA-256摘要",
            "photos: up to 20 SHA-256 hex digests",
        )
        .with_field("photos"));
    }
    req.event
        .check_reason(req.note.as_deref())
        .map_err(|w| refused(w).with_field("note"))?;
    let case = visible_case(state, caller, case_id).await?;
    if case.state.version != req.expected_version
        && !crate::policy_data::only_amended_since(state.store.as_ref(), &case, req.expected_version).await?
    {
        return Err(crate::store::StoreError::Stale.into());
    }
    let r = state.reference();
    let profile = r.policy.profile(&case.profile_id).ok_or_else(ApiError::internal)?;
    let checked = match &req.visit {
        Some(v) => Some(visit_with_assessment(state, &r.policy, &case, req, v)?),
        None => None,
    };
    let ctx = Ctx {
        actor: caller.role(),
        today: state.clock.today(),
        calendar: &r.calendar,
        profile,
        evidence: checked.as_ref().and_then(|c| c.evidence.as_ref()),
    };
    // What the verification's visit finds binds this step and the identification's later
    // ones (玉溪's mandatory inclusion, exclusions, the assembly's review).
    // A verification's visit also records who the household is; population changes follow it.
    let mut current = case.state.clone();
    if req.event.kind() == zaofaxian_shared::EventKind::RecordVerification
        && let (Some(v), Some(c)) = (&req.visit, &checked)
    {
        if let Some(binding) = c.binding.clone() {
            current.binding = binding;
        }
        current.members = v.members.iter().map(|m| m.name.trim().to_string()).collect();
    }
    let mut next = transition(&current, &req.event, &ctx).map_err(|why| match &checked {
        Some(c) if c.evidence.is_none() && why.code == "home_check_required" => not_assessed(&c.assessment),
        _ => refused(why),
    })?;
    let (visit, assessment) = match checked {
        Some(c) => (c.record, c.assessment),
        None => (serde_json::Value::Null, serde_json::Value::Null),
    };
    // A visit that could not be assessed for want of the year's threshold waits for it.
    if req.visit.is_some() {
        next.assessment_pending_year = serde_json::from_value(assessment["pending_year"].clone())
            .ok()
            .flatten();
    }
    // The latest assessed category goes on the case for boards and reports.
    if let Ok(Some(category)) = serde_json::from_value(assessment["category"].clone()) {
        next.category = Some(category);
    }
    // The county settles the category when it determines a household: the one it chose,
    // or the latest assessed one; with neither, the determination waits for it.
    if let zaofaxian_shared::Event::CountyDetermination {
        decision: zaofaxian_shared::lifecycle::Decision::Approve,
        ..
    } = &req.event
        && case.state.procedure == zaofaxian_shared::lifecycle::Procedure::Identification
    {
        next.category = req.category.or(case.state.category);
        if next.category.is_none() {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "category_required",
                "县级确定须选定监测对象类别（脱贫不稳定户、边缘易致贫户或突发严重困难户）",
                "the county's determination needs the category of the household",
            )
            .with_field("category"));
        }
    }
    // The reason of a refusal or an ending is what the household is told.
    if req.event.tells_household() {
        next.reason = req.note.as_deref().map(str::trim).map(str::to_string);
    }
    let mut photos = req.photos.clone();
    if let Some(v) = &req.visit {
        photos.extend(v.photos.iter().filter(|p| !req.photos.contains(p)).cloned());
    }
    // The household's text goes in with the step. One that cannot be made (a lookup
    // failed) must not refuse the step: it is logged, and the household's card shows it.
    let text = household_text(state, &case, &next, req).await.unwrap_or_else(|e| {
        tracing::error!(case = %case.id, error = ?e, "农户通知未能生成 / the household's text could not be made");
        None
    });
    let entry = NewEntry {
        at: state.now_ms(),
        actor_account: caller.0.id.clone(),
        actor_role: caller.role(),
        entry: serde_json::json!({
            "event": req.event,
            "from": case.state.stage,
            "to": next.stage,
            // The period this step starts, marked provisional when counted without a year's holidays.
            "deadline": next.deadline,
            "location": req.location,
            "note": req.note,
            "photos": photos,
            "visit": visit,
            "assessment": assessment,
        }),
        photos,
        text,
    };
    let write = CaseWrite::Update {
        case_id: case.id.clone(),
        expected_version: case.state.version,
        state: next,
    };
    Ok(state.store.write_case(claim, &write, &entry).await?)
}

/// The household's text for a step that concerns it (see
/// `zaofaxian_shared::reminders::household_message`) or an assistance measure recorded
/// for it, to the phone it gave or signed in with; it waits for daytime. Keyed by the
/// case's version: said once.
async fn household_text(
    state: &AppState,
    case: &CaseRecord,
    after: &zaofaxian_shared::CaseState,
    req: &EventRequest,
) -> ApiResult<Option<crate::store::NewText>> {
    let measure = matches!(req.event, zaofaxian_shared::Event::RecordAssistance);
    if case.state.stage == after.stage && !measure {
        return Ok(None);
    }
    let owner_phone = match (&case.owner_account, case.report["on_behalf"] == true) {
        (Some(id), false) => state
            .store
            .account(id)
            .await?
            .filter(|a| a.role == Role::Household)
            .map(|a| a.login),
        _ => None,
    };
    let Some(phone) = case.report["phone"].as_str().map(str::to_string).or(owner_phone) else {
        return Ok(None);
    };
    let contact = if !measure && after.stage == zaofaxian_shared::Stage::Monitored {
        crate::household_view::for_household(state.store.as_ref(), case)
            .await?
            .contact
    } else {
        None
    };
    let message = if measure {
        Some(TextMessage::new(TextKind::Assistance, []))
    } else {
        zaofaxian_shared::reminders::household_message(&case.state, after, contact.as_ref().map(|c| c.name.as_str()))
    };
    Ok(message.map(|message| crate::store::NewText {
        key: format!("stage:{}:{}", case.id, after.version),
        phone,
        message,
        account_id: case.owner_account.clone(),
        case_id: Some(case.id.clone()),
        created_at: state.now_ms(),
    }))
}

/// How often a 督办 entry is tried again when the case moved while it was written.
const SUPERVISION_ATTEMPTS: usize = 5;

/// Writes a 督办 note into the case's history. It moves no stage, so a step a phone
/// prepared before it is not stale for it (see `policy_data::AMENDMENT_EVENTS`).
pub async fn record_supervision(
    state: &AppState,
    caller: &Caller,
    case: &CaseRecord,
    level: zaofaxian_shared::reminders::Level,
    note: &str,
    at: i64,
) -> ApiResult<()> {
    let mut current = case.clone();
    for _ in 0..SUPERVISION_ATTEMPTS {
        let mut next = current.state.clone();
        next.version += 1;
        let entry = NewEntry {
            at,
            actor_account: caller.0.id.clone(),
            actor_role: caller.role(),
            entry: serde_json::json!({ "event": crate::policy_data::SUPERVISED, "level": level, "note": note }),
            photos: Vec::new(),
            text: None,
        };
        let write = CaseWrite::Update {
            case_id: current.id.clone(),
            expected_version: current.state.version,
            state: next,
        };
        match state.store.write_case(None, &write, &entry).await {
            Ok(_) => return Ok(()),
            Err(crate::store::StoreError::Stale) => {
                current = state.store.case(&case.id).await?.ok_or_else(ApiError::internal)?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(crate::store::StoreError::Stale.into())
}

/// An elimination's home check that could not be assessed: it waits for the year's
/// threshold (409), or lacks what the assessment needs, such as an exclusion answer (422).
fn not_assessed(assessment: &serde_json::Value) -> ApiError {
    let waits = assessment["pending_year"].is_number();
    let status = if waits {
        StatusCode::CONFLICT
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let said = |lang: &str| assessment["error"][lang].as_str().unwrap_or_default().to_string();
    ApiError::new(
        status,
        "not_assessed",
        format!("入户核查记录无法测算，暂不能研判风险消除：{}", said("zh")),
        format!(
            "the home check could not be assessed, so elimination cannot be judged: {}",
            said("en")
        ),
    )
    .with_field("visit")
}

/// A home visit sent with a step, as kept in the history, with the server's
/// assessment of it and, when it could be assessed, what it shows for elimination.
struct CheckedVisit {
    record: serde_json::Value,
    assessment: serde_json::Value,
    evidence: Option<EliminationEvidence>,
    binding: Option<Binding>,
}

/// Checks a home visit sent with a step and assesses it again under the server's
/// policy (the phone's assessment is a preview; this one is the record).
fn visit_with_assessment(
    state: &AppState,
    policy: &zaofaxian_shared::Policy,
    case: &CaseRecord,
    req: &EventRequest,
    visit: &HomeVisit,
) -> ApiResult<CheckedVisit> {
    if !req.event.kind().takes_visit() {
        return Err(ApiError::bad_request(
            "visit_not_expected",
            "只有入户核实和风险消除入户核查可附带入户记录",
            "a home visit goes only with a verification or an elimination home check",
        )
        .with_field("visit"));
    }
    let field = |e: VisitError| {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_visit", e.text.zh, e.text.en)
            .with_field(format!("visit.{}", e.field))
    };
    visit.validate(state.clock.today()).map_err(field)?;
    // The request may be right in itself and still not be this household's.
    if visit.village != case.division {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "visit_elsewhere",
            "入户记录的村与该案件不一致",
            "the visit's village is not the case's",
        )
        .with_field("visit.village"));
    }
    if !visit.photos.iter().all(|p| crate::photos::is_sha256_hex(p)) {
        return Err(
            ApiError::bad_request("bad_photos", "照片应为SHA-256摘要", "photos: SHA-256 hex digests")
                .with_field("visit.photos"),
        );
    }
    // A year without a threshold still keeps the visit; the assessment says why it is
    // missing and which year it waits for.
    let facts = visit.facts().map_err(field)?;
    let (assessment, evidence, binding) = match assess(policy, &facts) {
        Ok(a) => (
            serde_json::to_value(&a).map_err(|_| ApiError::internal())?,
            Some(EliminationEvidence::of(&facts, &a)),
            Some(Binding::of(&a)),
        ),
        Err(e) => {
            let pending_year = match &e {
                AssessmentError::Policy(PolicyError::NoThreshold { year, .. }) => Some(*year),
                _ => None,
            };
            let why = serde_json::json!({ "error": Text::from_pair(&e.to_string()), "pending_year": pending_year });
            (why, None, None)
        }
    };
    Ok(CheckedVisit {
        record: serde_json::to_value(visit).map_err(|_| ApiError::internal())?,
        assessment,
        evidence,
        binding,
    })
}

/// This case's photos that look like a photo of another case (the same picture used
/// for two households). Compared within the case's township, or the caller's area if
/// that is smaller, so nothing outside the caller's area is named.
pub async fn same_pictures(
    state: &AppState,
    case: &CaseRecord,
    area: DivisionCode,
) -> ApiResult<Vec<serde_json::Value>> {
    use zaofaxian_shared::photo::{SAME_PICTURE_MAX_DISTANCE, hash_distance};
    let township = case
        .division
        .ancestor(DivisionLevel::Township)
        .unwrap_or(case.division)
        .prefix();
    let prefix = std::cmp::max_by_key(township, area.prefix(), String::len);
    let hashes = state.store.area_photo_hashes(&prefix).await?;
    let (mine, others): (Vec<_>, Vec<_>) = hashes.iter().partition(|h| h.case_id == case.id);
    let mut out = Vec::new();
    for m in &mine {
        for o in &others {
            if let Some(d) = hash_distance(&m.perceptual_hash, &o.perceptual_hash)
                && d <= SAME_PICTURE_MAX_DISTANCE
            {
                out.push(serde_json::json!({
                    "photo": m.sha256, "other_case": o.case_id, "other_photo": o.sha256, "distance": d,
                }));
            }
        }
    }
    Ok(out)
}

/// What became of a warning clue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClueOutcome {
    /// A new case, waiting for the village's verification.
    Opened(String),
    /// The household already has an open case; nothing new was opened.
    AlreadyOpen(String),
}

/// The households of `area` with an open case: ID number → case id. Loaded once per
/// import, so that a list of thousands is not checked against its villages row by row.
#[derive(Debug, Default)]
pub struct OpenCases(std::collections::HashMap<String, String>);

impl OpenCases {
    pub async fn load(state: &AppState, area: DivisionCode) -> ApiResult<OpenCases> {
        let open = state
            .store
            .cases(&crate::store::CaseFilter {
                scope: crate::store::Scope::Within(area),
                stage: None,
                open_only: true,
            })
            .await?;
        Ok(OpenCases(
            open.into_iter()
                .filter_map(|c| Some((c.report["national_id"].as_str()?.to_string(), c.id)))
                .collect(),
        ))
    }
}

/// Opens a case from a warning (部门筛查预警, 突发灾害预警) for a household of the
/// register, dispatched to its village for verification with the usual deadline,
/// unless `known` (loaded for an area holding the household) has one open already.
pub async fn open_clue(
    state: &AppState,
    caller: &Caller,
    household: &crate::store::Household,
    channel: Channel,
    detail: &str,
    known: &mut OpenCases,
) -> ApiResult<ClueOutcome> {
    if !matches!(caller.scope()?, crate::store::Scope::Within(d) if d.contains(household.village)) {
        return Err(ApiError::forbidden());
    }
    if let Some(id) = known.0.get(&household.national_id) {
        return Ok(ClueOutcome::AlreadyOpen(id.clone()));
    }
    let r = state.reference();
    let ctx = opening_ctx(state, &r, caller, household.village)?;
    let (today, profile) = (ctx.today, ctx.profile);
    let case_state = open(channel, &ctx).map_err(refused)?;
    let id = RecordId::new().to_string();
    let record = CaseRecord {
        id: id.clone(),
        division: household.village,
        owner_account: None,
        profile_id: profile.id.clone(),
        state: case_state,
        report: serde_json::json!({
            "village": household.village, "household_name": household.name, "national_id": household.national_id,
            "hardship": "other", "happened_on": today, "description": detail, "photos": [],
        }),
        photos_missing: 0,
        household: None,
    };
    let entry = NewEntry {
        at: state.now_ms(),
        actor_account: caller.0.id.clone(),
        actor_role: caller.role(),
        entry: serde_json::json!({ "event": "clue", "channel": channel, "note": detail }),
        photos: Vec::new(),
        text: None,
    };
    state.store.write_case(None, &CaseWrite::Create(record), &entry).await?;
    known.0.insert(household.national_id.clone(), id.clone());
    Ok(ClueOutcome::Opened(id))
}
