//! The case lifecycle: from the first report to risk elimination and after, as a
//! state machine. `transition(state, event, ctx)` either returns the next state or
//! says why not; nothing else changes a case. Every event names the roles that may
//! take it and the deadline it starts, so the server and the app cannot disagree.
//!
//! The procedure follows 云南 三(一)–(六) and 内蒙古 四(一)–(二): discovery → home
//! verification → application and authorization → village appraisal → public notice
//! (objections investigated) → township review → county joint review and
//! determination (内蒙古: a second notice) → monitored with assistance → yearly
//! assessment → risk elimination by the same road back ("怎么进、怎么出").

use crate::calendar::{Calendar, CalendarError};
use crate::elimination::EliminationEvidence;
use crate::policy::Profile;
use crate::role::Role;
use crate::text::Text;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// How a case was discovered (云南 三(二), 内蒙古 三).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 农户自主申报 (app, 12317 hotline, or at the village office).
    SelfReport,
    /// 代为申报: filed by someone else for a household that cannot.
    ProxyReport,
    /// 干部排查 / 入户走访
    CadreVisit,
    /// 部门筛查预警
    DepartmentScreening,
    /// 突发应急响应预警
    DisasterAlert,
    /// 媒体、信访等其他渠道
    Other,
}

impl Channel {
    pub const ALL: [Channel; 6] = [
        Channel::SelfReport,
        Channel::ProxyReport,
        Channel::CadreVisit,
        Channel::DepartmentScreening,
        Channel::DisasterAlert,
        Channel::Other,
    ];

    /// Who may open a case through this channel.
    pub fn openers(self) -> &'static [Role] {
        use Role::*;
        match self {
            Channel::SelfReport => &[Household],
            Channel::ProxyReport => &[Household, VillageCadre, WorkTeam],
            Channel::CadreVisit => &[VillageCadre, WorkTeam, Township],
            Channel::DepartmentScreening => &[Department, County],
            Channel::DisasterAlert => &[Department, County],
            Channel::Other => &[VillageCadre, WorkTeam, Township, County],
        }
    }

    pub fn label(self) -> Text {
        match self {
            Channel::SelfReport => Text::new("农户自主申报", "self-report"),
            Channel::ProxyReport => Text::new("代为申报", "filed on behalf"),
            Channel::CadreVisit => Text::new("干部排查", "cadre visit"),
            Channel::DepartmentScreening => Text::new("部门筛查预警", "department screening"),
            Channel::DisasterAlert => Text::new("突发灾害预警", "disaster alert"),
            Channel::Other => Text::new("其他渠道", "other channel"),
        }
    }
}

/// Whether the case is on its way in (identification) or out (risk elimination).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Procedure {
    Identification,
    Elimination,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClosedReason {
    /// 核实后不存在返贫致贫风险 (the household is told why).
    NotAtRisk,
    /// Not included after appraisal, an upheld objection, or review.
    Rejected,
    /// The household withdrew its own report.
    Withdrawn,
    /// 清退: found not to meet the conditions at a re-check (回头看).
    Cleared,
    /// 整户自然减少 (the whole household died out or moved away).
    HouseholdDissolved,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "stage", content = "reason", rename_all = "snake_case")]
pub enum Stage {
    /// 待入户核实
    AwaitingVerification,
    /// 待签署纳入监测申请和授权承诺书
    AwaitingApplication,
    /// 待村级民主评议
    AwaitingAppraisal,
    /// 公示中
    InNotice,
    /// 待乡镇审核
    AwaitingTownshipReview,
    /// 待县级联审确定
    AwaitingCountyReview,
    /// 县级审定后二次公示 (内蒙古)
    InSecondNotice,
    /// 监测帮扶中
    Monitored,
    /// 已标注风险消除
    RiskEliminated,
    Closed(ClosedReason),
}

impl Stage {
    /// The open stages, in the order a case moves through them (for filters and boards).
    pub const OPEN: [Stage; 9] = [
        Stage::AwaitingVerification,
        Stage::AwaitingApplication,
        Stage::AwaitingAppraisal,
        Stage::InNotice,
        Stage::AwaitingTownshipReview,
        Stage::AwaitingCountyReview,
        Stage::InSecondNotice,
        Stage::Monitored,
        Stage::RiskEliminated,
    ];

    pub fn is_closed(self) -> bool {
        matches!(self, Stage::Closed(_))
    }

    /// The stage's name on the wire and in the store (`stage` of its JSON): what the
    /// queue's `stage=` filter takes and the cases table's `stage` column holds.
    pub fn key(self) -> &'static str {
        match self {
            Stage::AwaitingVerification => "awaiting_verification",
            Stage::AwaitingApplication => "awaiting_application",
            Stage::AwaitingAppraisal => "awaiting_appraisal",
            Stage::InNotice => "in_notice",
            Stage::AwaitingTownshipReview => "awaiting_township_review",
            Stage::AwaitingCountyReview => "awaiting_county_review",
            Stage::InSecondNotice => "in_second_notice",
            Stage::Monitored => "monitored",
            Stage::RiskEliminated => "risk_eliminated",
            Stage::Closed(_) => "closed",
        }
    }

    pub fn label(self) -> Text {
        match self {
            Stage::AwaitingVerification => Text::new("待入户核实", "awaiting home verification"),
            Stage::AwaitingApplication => Text::new("待签署申请和授权承诺书", "awaiting application and authorization"),
            Stage::AwaitingAppraisal => Text::new("待村级评议", "awaiting village appraisal"),
            Stage::InNotice => Text::new("公示中", "public notice"),
            Stage::AwaitingTownshipReview => Text::new("待乡镇审核", "awaiting township review"),
            Stage::AwaitingCountyReview => Text::new("待县级联审确定", "awaiting county joint review"),
            Stage::InSecondNotice => Text::new("县级审定后公示中", "second public notice"),
            Stage::Monitored => Text::new("监测帮扶中", "monitored, receiving assistance"),
            Stage::RiskEliminated => Text::new("已风险消除", "risk eliminated"),
            Stage::Closed(ClosedReason::NotAtRisk) => Text::new("已结束：经核实无风险", "closed: no risk found"),
            Stage::Closed(ClosedReason::Rejected) => Text::new("已结束：未纳入", "closed: not included"),
            Stage::Closed(ClosedReason::Withdrawn) => Text::new("已结束：本人撤回", "closed: withdrawn"),
            Stage::Closed(ClosedReason::Cleared) => Text::new("已结束：清退", "closed: cleared"),
            Stage::Closed(ClosedReason::HouseholdDissolved) => {
                Text::new("已结束：整户自然减少", "closed: household dissolved")
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeadlineKind {
    /// The village's home check of a report.
    Verification,
    /// The last day of the public notice.
    NoticeEnd,
    /// The township's review.
    TownshipReview,
    /// The township's review of a household reported after a sudden event, "即刻".
    TownshipReviewAtOnce,
    /// The county's monthly review of what the townships reported (鹤庆).
    CountyMonthlyReview,
    /// The last day of the county's second notice.
    SecondNoticeEnd,
}

impl DeadlineKind {
    pub fn label(self) -> Text {
        match self {
            DeadlineKind::Verification => Text::new("入户核实期限", "home verification due"),
            DeadlineKind::NoticeEnd => Text::new("公示截止", "notice ends"),
            DeadlineKind::TownshipReview => Text::new("乡镇审核期限", "township review due"),
            DeadlineKind::TownshipReviewAtOnce => {
                Text::new("乡镇即刻审核（突发事件）", "township review at once (sudden event)")
            }
            DeadlineKind::CountyMonthlyReview => Text::new("县级月度复核研判", "county's monthly review"),
            DeadlineKind::SecondNoticeEnd => Text::new("二次公示截止", "second notice ends"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Deadline {
    pub kind: DeadlineKind,
    pub due: NaiveDate,
    /// The day the period was counted from (the event), so it can be counted again
    /// when the calendar changes. Absent on deadlines stored before it was kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// 暂定: the count went through a year whose holiday schedule was not loaded yet
    /// (that year), so only Saturdays and Sundays were taken as rest days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provisional: Option<i32>,
}

impl Deadline {
    /// Past its due date on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        today > self.due
    }

    /// Working days from `today` to the due date, negative once it has passed.
    pub fn days_left(&self, calendar: &Calendar, today: NaiveDate) -> Result<i64, CalendarError> {
        calendar.days_left(today, self.due).map(|(n, _)| n)
    }

    /// The deadline of `kind` for a period counted from `from`, under `profile`'s
    /// rules; `None` when the profile sets no such period.
    pub fn count(
        kind: DeadlineKind,
        from: NaiveDate,
        profile: &Profile,
        calendar: &Calendar,
    ) -> Result<Option<Deadline>, CalendarError> {
        let due = match kind {
            DeadlineKind::Verification => profile
                .verification_working_days
                .map(|n| calendar.due_in_working_days(from, n))
                .transpose()?,
            DeadlineKind::TownshipReview => profile
                .township_review_working_days
                .map(|n| calendar.due_in_working_days(from, n))
                .transpose()?,
            DeadlineKind::TownshipReviewAtOnce => Some(calendar.due_in_working_days(from, 0)?),
            DeadlineKind::CountyMonthlyReview => profile
                .county_reviews_monthly
                .then(|| crate::reporting::county_review_due(calendar, from))
                .transpose()?,
            DeadlineKind::NoticeEnd | DeadlineKind::SecondNoticeEnd => Some(profile.notice.due(calendar, from)?),
        };
        Ok(due.map(|d| Deadline {
            kind,
            due: d.date,
            from: Some(from),
            provisional: d.provisional,
        }))
    }

    /// What to say after a date: "（暂定：缺少2027年节假日安排）".
    pub fn provisional_note(&self) -> Option<Text> {
        self.provisional.map(provisional_note)
    }
}

/// The reason a date is marked 暂定, shown next to it wherever it appears.
pub fn provisional_note(year: i32) -> Text {
    Text::new(
        format!("暂定：{year}年节假日安排尚未导入，仅按周六、周日休息计算"),
        format!(
            "provisional: the {year} holiday schedule is not loaded yet; only Saturdays and Sundays were counted as rest days"
        ),
    )
}

/// A review's outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    Approve,
    Reject,
    /// Send back to the village for correction (peers' users miss exactly this).
    Return,
}

/// Everything that can happen to a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The home visit's finding: whether a risk of (re)poverty exists.
    RecordVerification {
        at_risk: bool,
    },
    /// 纳入监测申请 and 授权承诺书 signed (or fingerprinted with a proxy signature).
    SignApplication,
    /// The village appraisal meeting's result (民主评议 + 村"两委").
    RecordAppraisal {
        approved: bool,
        /// The meeting was the village representative assembly and reviewed each
        /// exclusion the visit put before it (内蒙古 "村民代表大会重点评议").
        #[serde(default)]
        assembly_review: bool,
    },
    /// A villager's objection or report during a notice.
    RaiseObjection,
    /// The investigation of one objection: `upheld` means the objection was right.
    ResolveObjection {
        upheld: bool,
    },
    /// The notice period has ended without open objections.
    CloseNotice,
    TownshipReview {
        decision: Decision,
    },
    /// County joint review with the departments' checks (户口、房产、车辆、公职人员、经营实体…).
    CountyDetermination {
        decision: Decision,
        department_checks_done: bool,
    },
    CloseSecondNotice,
    /// An assistance measure with a responsible person (帮扶措施).
    RecordAssistance,
    /// The yearly assistance-effect assessment (帮扶成效评议).
    RecordYearlyAssessment,
    /// Starts the way out, with the household's consent. The four criteria are judged
    /// from the elimination's home check sent with it ([`Ctx::evidence`]).
    StartElimination {
        consent: bool,
    },
    /// 风险消除回退: an elimination found unstable at a re-check.
    Rollback,
    /// 风险再标注: a new risk after elimination; starts a new identification.
    Remark,
    /// 清退: does not meet the conditions.
    Clear,
    /// 人口自然变更 (a birth, death, marriage): the household's members change, the stage
    /// does not. 003 一(一)4: "采集更新……家庭自然增加及自然减少人口信息".
    PopulationChange {
        /// Members who joined (born, married in), with what an assessment needs.
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(max_items = 20))]
        added: Vec<crate::household::Member>,
        /// Names of members who left (died, married out, moved away).
        #[serde(default)]
        #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::schema::PlainName>, max_items = 20))]
        removed: Vec<String>,
    },
    /// The whole household is gone.
    HouseholdDissolved,
    /// The household withdraws its own report before the county decides.
    Withdraw,
    /// 恢复: the county undoes a 清退 or 整户消亡 found mistaken, within
    /// [`REINSTATE_WITHIN_DAYS`] of it, with the reason; the case returns to where it was.
    Reinstate,
}

/// An event's name without its data, for permission tables and UI menus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    RecordVerification,
    SignApplication,
    RecordAppraisal,
    RaiseObjection,
    ResolveObjection,
    CloseNotice,
    TownshipReview,
    CountyDetermination,
    CloseSecondNotice,
    RecordAssistance,
    RecordYearlyAssessment,
    StartElimination,
    Rollback,
    Remark,
    Clear,
    PopulationChange,
    HouseholdDissolved,
    Withdraw,
    Reinstate,
}

impl EventKind {
    pub const ALL: [EventKind; 19] = [
        EventKind::RecordVerification,
        EventKind::SignApplication,
        EventKind::RecordAppraisal,
        EventKind::RaiseObjection,
        EventKind::ResolveObjection,
        EventKind::CloseNotice,
        EventKind::TownshipReview,
        EventKind::CountyDetermination,
        EventKind::CloseSecondNotice,
        EventKind::RecordAssistance,
        EventKind::RecordYearlyAssessment,
        EventKind::StartElimination,
        EventKind::Rollback,
        EventKind::Remark,
        EventKind::Clear,
        EventKind::PopulationChange,
        EventKind::HouseholdDissolved,
        EventKind::Withdraw,
        EventKind::Reinstate,
    ];

    /// Who may take this step. Admins take none: they manage accounts, not cases.
    pub fn allowed_roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            // 云南 三(三): "由驻村队员、乡村干部对重点核查对象逐户实地调查"; 内蒙古 adds county staff.
            EventKind::RecordVerification => &[VillageCadre, WorkTeam, Township, County],
            // The household signs; a cadre records a fingerprint or proxy signature (内蒙古 附件1).
            EventKind::SignApplication => &[Household, VillageCadre, WorkTeam],
            EventKind::RecordAppraisal => &[VillageCadre, WorkTeam],
            // Any villager may object; cadres record objections made at the notice board.
            EventKind::RaiseObjection => &[Household, VillageCadre, WorkTeam, Township, County],
            // "对举报或反映的问题，应由受理单位组织调查核实".
            EventKind::ResolveObjection => &[VillageCadre, WorkTeam, Township],
            EventKind::CloseNotice => &[VillageCadre, WorkTeam, System],
            EventKind::TownshipReview => &[Township],
            EventKind::CountyDetermination => &[County],
            EventKind::CloseSecondNotice => &[VillageCadre, County, System],
            EventKind::RecordAssistance => &[VillageCadre, WorkTeam, Township, County, Department],
            EventKind::RecordYearlyAssessment => &[VillageCadre, WorkTeam, Township, County],
            EventKind::StartElimination => &[VillageCadre, WorkTeam],
            EventKind::Rollback => &[County],
            EventKind::Remark => &[VillageCadre, WorkTeam, Township, County],
            EventKind::Clear => &[County],
            EventKind::PopulationChange => &[VillageCadre, WorkTeam, Township, County],
            EventKind::HouseholdDissolved => &[VillageCadre, County],
            EventKind::Withdraw => &[Household],
            // The county decides 清退 and answers for 整户消亡 records.
            EventKind::Reinstate => &[County],
        }
    }

    /// Whether this step can apply at `stage` at all (the rules may still refuse it for
    /// other reasons: a running notice, open objections, a missing check). Screens use it
    /// to offer only the steps that make sense; `transition` remains the judge.
    pub fn applies_in(self, stage: Stage) -> bool {
        use EventKind::*;
        match self {
            RecordVerification => stage == Stage::AwaitingVerification,
            SignApplication => stage == Stage::AwaitingApplication,
            RecordAppraisal => stage == Stage::AwaitingAppraisal,
            RaiseObjection | ResolveObjection => matches!(stage, Stage::InNotice | Stage::InSecondNotice),
            CloseNotice => stage == Stage::InNotice,
            CloseSecondNotice => stage == Stage::InSecondNotice,
            TownshipReview => stage == Stage::AwaitingTownshipReview,
            CountyDetermination => stage == Stage::AwaitingCountyReview,
            RecordAssistance | RecordYearlyAssessment | StartElimination => stage == Stage::Monitored,
            Rollback | Remark => stage == Stage::RiskEliminated,
            Clear => matches!(stage, Stage::Monitored | Stage::RiskEliminated),
            PopulationChange | HouseholdDissolved => !stage.is_closed(),
            Reinstate => matches!(
                stage,
                Stage::Closed(ClosedReason::Cleared | ClosedReason::HouseholdDissolved)
            ),
            Withdraw => {
                !stage.is_closed()
                    && !matches!(
                        stage,
                        Stage::AwaitingCountyReview | Stage::InSecondNotice | Stage::Monitored | Stage::RiskEliminated
                    )
            }
        }
    }

    pub fn label(self) -> Text {
        use EventKind::*;
        let (zh, en) = match self {
            RecordVerification => ("入户核实", "home verification"),
            SignApplication => ("签署申请和授权承诺书", "application and authorization signed"),
            RecordAppraisal => ("村级民主评议", "village appraisal"),
            RaiseObjection => ("登记异议", "record an objection"),
            ResolveObjection => ("异议调查结论", "objection investigated"),
            CloseNotice => ("公示期满", "notice ended"),
            TownshipReview => ("乡镇审核", "township review"),
            CountyDetermination => ("县级联审确定", "county joint review and determination"),
            CloseSecondNotice => ("县级公示期满", "second notice ended"),
            RecordAssistance => ("落实帮扶措施", "assistance measure"),
            RecordYearlyAssessment => ("年度帮扶成效评议", "yearly assessment"),
            StartElimination => ("启动风险消除", "start risk elimination"),
            Rollback => ("风险消除回退", "roll back an elimination"),
            Remark => ("风险再标注", "re-mark a new risk"),
            Clear => ("清退", "clear"),
            PopulationChange => ("人口自然变更", "population change"),
            HouseholdDissolved => ("整户消亡", "household dissolved"),
            Withdraw => ("撤回申报", "withdraw the report"),
            Reinstate => (
                "恢复（撤销清退或整户消亡）",
                "reinstate (undo a clearing or dissolution)",
            ),
        };
        Text::new(zh, en)
    }

    /// Steps that end a case for good (清退, 整户消亡): they need a written reason of
    /// at least [`MIN_REASON_CHARS`] characters and an explicit confirmation, and the
    /// forms keep them apart from the daily steps (an unverified report was once closed
    /// as a landslide's 整户消亡 with one click).
    pub fn is_irreversible(self) -> bool {
        matches!(self, EventKind::Clear | EventKind::HouseholdDissolved)
    }

    /// Whether a home visit's record goes with this step: the verification, and the
    /// elimination's home check.
    pub fn takes_visit(self) -> bool {
        matches!(self, EventKind::RecordVerification | EventKind::StartElimination)
    }

    /// Whether this step always needs a written reason: it cannot be undone, or it
    /// undoes one that could not.
    pub fn always_needs_reason(self) -> bool {
        self.is_irreversible() || self == EventKind::Reinstate
    }

    /// Whether `note` is reason enough for this step (always, for most).
    pub fn check_reason(self, note: Option<&str>) -> Result<(), WhyNot> {
        let given = note.map(str::trim).unwrap_or_default().chars().count();
        if self == EventKind::Reinstate && given < MIN_REASON_CHARS {
            return Err(why(
                "reason_required",
                format!("恢复须写明原因（至少{MIN_REASON_CHARS}个字）"),
                format!("a reinstatement needs its reason (at least {MIN_REASON_CHARS} characters)"),
            ));
        }
        if self.is_irreversible() && given < MIN_REASON_CHARS {
            return Err(why(
                "reason_required",
                format!(
                    "“{}”不可撤销，须写明原因（至少{MIN_REASON_CHARS}个字）",
                    self.label().zh
                ),
                format!(
                    "\"{}\" cannot be undone: give the reason (at least {MIN_REASON_CHARS} characters)",
                    self.label().en
                ),
            ));
        }
        Ok(())
    }

    /// For steps that can refuse a household: the field of the event that says so and
    /// its refusing value (the API document splits these steps by it).
    pub fn refusal_field(self) -> Option<(&'static str, serde_json::Value)> {
        match self {
            EventKind::RecordVerification => Some(("at_risk", serde_json::Value::Bool(false))),
            EventKind::RecordAppraisal => Some(("approved", serde_json::Value::Bool(false))),
            EventKind::ResolveObjection => Some(("upheld", serde_json::Value::Bool(true))),
            EventKind::TownshipReview | EventKind::CountyDetermination => {
                Some(("decision", serde_json::Value::from("reject")))
            }
            _ => None,
        }
    }

    /// The deadline this step starts, if any (the profile decides whether it applies).
    pub fn starts_deadline(self) -> Option<DeadlineKind> {
        match self {
            EventKind::RecordAppraisal => Some(DeadlineKind::NoticeEnd),
            EventKind::CloseNotice => Some(DeadlineKind::TownshipReview),
            EventKind::TownshipReview => Some(DeadlineKind::CountyMonthlyReview),
            EventKind::CountyDetermination => Some(DeadlineKind::SecondNoticeEnd),
            EventKind::Remark => Some(DeadlineKind::Verification),
            _ => None,
        }
    }
}

impl Event {
    /// Whether this step refuses the household: found not at risk, not approved, an
    /// objection upheld, rejected by the township or county. 内蒙古 四(一)7: "经过入户核查、
    /// 民主评议、旗县和苏木乡镇复核发现不符合纳入条件的，应及时向农牧户反馈原因".
    pub fn is_refusal(&self) -> bool {
        matches!(
            self,
            Event::RecordVerification { at_risk: false }
                | Event::RecordAppraisal { approved: false, .. }
                | Event::ResolveObjection { upheld: true }
                | Event::TownshipReview {
                    decision: Decision::Reject
                }
                | Event::CountyDetermination {
                    decision: Decision::Reject,
                    ..
                }
        )
    }

    /// Whether the step's reason is what the household is told: a refusal, or an
    /// ending that cannot be undone.
    pub fn tells_household(&self) -> bool {
        self.kind().is_irreversible() || self.is_refusal()
    }

    /// Whether the step needs a written reason: it cannot be undone (or undoes one), or
    /// it refuses the household (the reason is fed back to it).
    pub fn needs_reason(&self) -> bool {
        self.kind().always_needs_reason() || self.is_refusal()
    }

    /// Whether `note` is reason enough for this step.
    pub fn check_reason(&self, note: Option<&str>) -> Result<(), WhyNot> {
        self.kind().check_reason(note)?;
        let given = note.map(str::trim).unwrap_or_default().chars().count();
        if self.is_refusal() && given < MIN_REASON_CHARS {
            return Err(why(
                "reason_required",
                format!("不予纳入或认定无风险，须写明原因（至少{MIN_REASON_CHARS}个字），以便向农户反馈"),
                format!(
                    "a refusal needs its reason (at least {MIN_REASON_CHARS} characters), to be told to the household"
                ),
            ));
        }
        Ok(())
    }

    pub fn kind(&self) -> EventKind {
        match self {
            Event::RecordVerification { .. } => EventKind::RecordVerification,
            Event::SignApplication => EventKind::SignApplication,
            Event::RecordAppraisal { .. } => EventKind::RecordAppraisal,
            Event::RaiseObjection => EventKind::RaiseObjection,
            Event::ResolveObjection { .. } => EventKind::ResolveObjection,
            Event::CloseNotice => EventKind::CloseNotice,
            Event::TownshipReview { .. } => EventKind::TownshipReview,
            Event::CountyDetermination { .. } => EventKind::CountyDetermination,
            Event::CloseSecondNotice => EventKind::CloseSecondNotice,
            Event::RecordAssistance => EventKind::RecordAssistance,
            Event::RecordYearlyAssessment => EventKind::RecordYearlyAssessment,
            Event::StartElimination { .. } => EventKind::StartElimination,
            Event::Rollback => EventKind::Rollback,
            Event::Remark => EventKind::Remark,
            Event::Clear => EventKind::Clear,
            Event::PopulationChange { .. } => EventKind::PopulationChange,
            Event::HouseholdDissolved => EventKind::HouseholdDissolved,
            Event::Withdraw => EventKind::Withdraw,
            Event::Reinstate => EventKind::Reinstate,
        }
    }
}

/// The state of one case: everything the rules need to decide the next step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseState {
    pub stage: Stage,
    pub procedure: Procedure,
    pub channel: Channel,
    pub opened_on: NaiveDate,
    /// The deadline of the current stage, if it has one.
    pub deadline: Option<Deadline>,
    /// When the county determined the household a monitoring object.
    pub identified_on: Option<NaiveDate>,
    pub eliminated_on: Option<NaiveDate>,
    /// The notice currently posted or last posted: (first day, last day).
    pub notice: Option<(NaiveDate, NaiveDate)>,
    pub open_objections: u32,
    pub application_signed: bool,
    pub elimination_consent: bool,
    pub assistance_measures: u32,
    pub assessments: u32,
    /// Times the case came back after an elimination (再标注).
    pub remarks: u32,
    /// Cases stored before provisional dates existed: a verification deadline that
    /// could not be counted for lack of this year's holidays. Counted (and cleared)
    /// when the calendar is next loaded; new cases get a provisional deadline instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_pending_year: Option<i32>,
    /// The latest home visit could not be assessed: its region had no threshold for
    /// this year yet. It is assessed when one is set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_pending_year: Option<i32>,
    /// The category of the latest assessed home visit (监测对象类别), for boards and
    /// reports; the rules of this module do not depend on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<crate::eligibility::Category>,
    /// The household's members by name: from the latest verification's visit, changed
    /// by population changes since. Empty until a visit records them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub members: Vec<String>,
    /// Where a case stood before a 清退 or 整户消亡, so the county can undo a mistaken one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reopen: Option<Reopen>,
    /// The reason given with the step that refused or ended the case, fed back to the
    /// household.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the latest assessed home visit found that binds the identification's later
    /// steps.
    #[serde(default, skip_serializing_if = "Binding::is_empty")]
    pub binding: Binding,
    /// Count of transitions applied; the basis of optimistic concurrency.
    pub version: u64,
}

/// What a home visit's assessment found that the identification's later steps must
/// honour, wherever they are taken (phone, API, console).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Binding {
    /// 玉溪 三(二): a formerly poor household under the poverty line or with a guarantee
    /// unmet is "全部纳入监测": no step may find it not at risk or refuse it.
    #[serde(default)]
    pub mandatory: bool,
    /// Exclusions found and not overridden: the county's data comparison "剔除" them
    /// (内蒙古 四(一)6), so it cannot determine the household monitored.
    #[serde(default)]
    pub excluded_by: Vec<String>,
    /// Exclusions the village representative assembly must review (内蒙古 二(二)4) before
    /// the appraisal can approve.
    #[serde(default)]
    pub assembly_pending: Vec<String>,
    /// The household was reported for a sudden event (illness, disaster, accident that
    /// left basic living in severe difficulty), which some townships review at once.
    #[serde(default)]
    pub sudden_event: bool,
}

impl Binding {
    pub fn of(a: &crate::eligibility::Assessment) -> Self {
        Binding {
            mandatory: a.mandatory,
            excluded_by: a.excluded_by.clone(),
            assembly_pending: a.assembly_pending.clone(),
            sudden_event: a.category == Some(crate::eligibility::Category::SuddenSevereHardship)
                || a.reasons.iter().any(|r| r.code == "sudden_hardship")
                || a.flags.iter().any(|f| f.flag == crate::policy::KeyFlag::SuddenEvent),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == Binding::default()
    }
}

/// What a 清退 or 整户消亡 left behind, for its undoing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reopen {
    pub stage: Stage,
    pub deadline: Option<Deadline>,
    pub closed_on: NaiveDate,
}

/// How long after a 清退 or 整户消亡 the county may undo it. The seeds set no period
/// (they name the steps, not their correction); 30 calendar days is our decision, long
/// enough for the county's next monthly review to catch a mistake.
pub const REINSTATE_WITHIN_DAYS: i64 = 30;

/// The shortest reason accepted for a step that cannot be undone.
pub const MIN_REASON_CHARS: usize = 4;

/// Why a step was refused: a stable code, a message in both languages, and what
/// kind of refusal it is (which decides the HTTP status).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[error("{text}")]
pub struct WhyNot {
    pub code: String,
    pub text: Text,
    #[serde(default)]
    pub kind: RefusalKind,
}

/// What a refusal rests on. The same well-formed request can be right tomorrow when
/// it conflicts with where the case stands today; one that breaks a rule of its own
/// (no reason for an irreversible step, no consent) never is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RefusalKind {
    /// The request itself breaks a rule (HTTP 422).
    #[default]
    Invalid,
    /// The case's state does not allow the step now: another stage, a notice still
    /// running, objections open, the month of identification (HTTP 409).
    Conflict,
    /// The actor may not take the step at all (HTTP 403).
    Forbidden,
}

fn why(code: &str, zh: impl Into<String>, en: impl Into<String>) -> WhyNot {
    WhyNot {
        code: code.into(),
        text: Text::new(zh, en),
        kind: RefusalKind::Invalid,
    }
}

/// A refusal because of where the case stands, not what was asked.
fn conflict(code: &str, zh: impl Into<String>, en: impl Into<String>) -> WhyNot {
    WhyNot {
        kind: RefusalKind::Conflict,
        ..why(code, zh, en)
    }
}

fn forbidden(code: &str, zh: impl Into<String>, en: impl Into<String>) -> WhyNot {
    WhyNot {
        kind: RefusalKind::Forbidden,
        ..why(code, zh, en)
    }
}

impl From<CalendarError> for WhyNot {
    fn from(e: CalendarError) -> Self {
        // A period that cannot be counted (no calendar for the year) waits on data,
        // not on the request.
        WhyNot {
            code: "calendar".into(),
            text: Text::from_pair(&e.to_string()),
            kind: RefusalKind::Conflict,
        }
    }
}

/// What a transition is judged against: who acts, when, and which rules apply.
#[derive(Debug, Clone, Copy)]
pub struct Ctx<'a> {
    pub actor: Role,
    pub today: NaiveDate,
    pub calendar: &'a Calendar,
    pub profile: &'a Profile,
    /// The elimination's home check as judged by the core; a risk elimination is
    /// refused without one.
    pub evidence: Option<&'a EliminationEvidence>,
}

impl<'a> Ctx<'a> {
    /// A context for `actor` acting now, by the injected clock (China date).
    pub fn now(actor: Role, clock: &dyn crate::clock::Clock, calendar: &'a Calendar, profile: &'a Profile) -> Self {
        Ctx {
            actor,
            today: clock.today(),
            calendar,
            profile,
            evidence: None,
        }
    }
}

/// The home-verification deadline from `from`: provisional when the calendar lacks
/// a year it runs through (a household's report is never turned away for it).
fn verification_deadline(ctx: &Ctx<'_>, from: NaiveDate) -> Result<Option<Deadline>, WhyNot> {
    Ok(Deadline::count(
        DeadlineKind::Verification,
        from,
        ctx.profile,
        ctx.calendar,
    )?)
}

/// Opens a case discovered through `channel` today. Every channel starts at home
/// verification (内蒙古: screening and cadre finds skip only the application).
pub fn open(channel: Channel, ctx: &Ctx<'_>) -> Result<CaseState, WhyNot> {
    if !channel.openers().contains(&ctx.actor) {
        return Err(forbidden(
            "forbidden",
            format!("{}不能通过“{}”建立案件", ctx.actor.label_zh(), channel.label().zh),
            format!(
                "a {} cannot open a case through {}",
                ctx.actor.label_en(),
                channel.label().en
            ),
        ));
    }
    let deadline = verification_deadline(ctx, ctx.today)?;
    Ok(CaseState {
        stage: Stage::AwaitingVerification,
        procedure: Procedure::Identification,
        channel,
        opened_on: ctx.today,
        deadline,
        deadline_pending_year: None,
        category: None,
        members: Vec::new(),
        reopen: None,
        reason: None,
        binding: Binding::default(),
        assessment_pending_year: None,
        identified_on: None,
        eliminated_on: None,
        notice: None,
        open_objections: 0,
        application_signed: false,
        elimination_consent: false,
        assistance_measures: 0,
        assessments: 0,
        remarks: 0,
        version: 0,
    })
}

fn same_month(a: NaiveDate, b: NaiveDate) -> bool {
    a.year() == b.year() && a.month() == b.month()
}

/// Applies `event` to `state`, or says why it may not happen.
pub fn transition(state: &CaseState, event: &Event, ctx: &Ctx<'_>) -> Result<CaseState, WhyNot> {
    let kind = event.kind();
    if !kind.allowed_roles().contains(&ctx.actor) {
        return Err(forbidden(
            "forbidden",
            format!("{}无权执行此操作", ctx.actor.label_zh()),
            format!("a {} may not take this step", ctx.actor.label_en()),
        ));
    }
    if state.stage.is_closed() && kind != EventKind::Reinstate {
        return Err(conflict("closed", "案件已结束，不能再办理", "the case is closed"));
    }
    let wrong_stage = || {
        conflict(
            "wrong_stage",
            format!("案件当前处于“{}”，不能执行此操作", state.stage.label().zh),
            format!(
                "the case is at \"{}\": this step does not apply",
                state.stage.label().en
            ),
        )
    };
    let mut next = state.clone();
    next.version += 1;
    let ident = state.procedure == Procedure::Identification;
    // Where a refused elimination goes back to: the household stays monitored.
    let refuse = |n: &mut CaseState| {
        if ident {
            n.stage = Stage::Closed(ClosedReason::Rejected);
        } else {
            n.stage = Stage::Monitored;
            n.procedure = Procedure::Identification;
            n.elimination_consent = false;
        }
        n.deadline = None;
    };
    let today = ctx.today;
    match (state.stage, event) {
        (Stage::AwaitingVerification, Event::RecordVerification { at_risk }) => {
            if !at_risk && state.binding.mandatory {
                return Err(mandatory_refusal());
            }
            next.deadline = None;
            next.stage = if *at_risk {
                Stage::AwaitingApplication
            } else {
                Stage::Closed(ClosedReason::NotAtRisk)
            };
        }
        (Stage::AwaitingApplication, Event::SignApplication) => {
            next.application_signed = true;
            next.stage = Stage::AwaitingAppraisal;
        }
        (
            Stage::AwaitingAppraisal,
            Event::RecordAppraisal {
                approved,
                assembly_review,
            },
        ) => {
            if !approved && ident && state.binding.mandatory {
                return Err(mandatory_refusal());
            }
            if *approved && ident && !state.binding.assembly_pending.is_empty() {
                if !assembly_review {
                    return Err(why(
                        "assembly_review_required",
                        "入户核实列出的排除情形须经村民代表大会重点评议后方可评议通过，请召开村民代表大会评议并记录",
                        "the exclusions the visit listed must be reviewed by the village representative assembly before the appraisal can approve",
                    ));
                }
                next.binding.assembly_pending.clear();
            }
            if *approved {
                let d = Deadline::count(DeadlineKind::NoticeEnd, today, ctx.profile, ctx.calendar)?;
                next.stage = Stage::InNotice;
                next.notice = d.map(|d| (today, d.due));
                next.open_objections = 0;
                next.deadline = d;
            } else {
                refuse(&mut next);
            }
        }
        (Stage::InNotice | Stage::InSecondNotice, Event::RaiseObjection) => {
            next.open_objections += 1;
        }
        (Stage::InNotice | Stage::InSecondNotice, Event::ResolveObjection { upheld }) => {
            if state.open_objections == 0 {
                return Err(conflict(
                    "no_objection",
                    "没有待调查的异议",
                    "there is no open objection",
                ));
            }
            next.open_objections -= 1;
            if *upheld {
                next.open_objections = 0;
                refuse(&mut next);
            }
        }
        (Stage::InNotice, Event::CloseNotice) | (Stage::InSecondNotice, Event::CloseSecondNotice) => {
            let end = state.notice.map(|(_, end)| end).ok_or_else(wrong_stage)?;
            // A notice whose end was counted without the year's holidays may be longer
            // than it looks: it cannot be closed on a guess.
            if let Some(year) = state.deadline.and_then(|d| d.provisional) {
                return Err(conflict(
                    "notice_end_provisional",
                    format!("公示截止日{end}为暂定（{year}年节假日安排尚未导入），导入后才能确认公示期满"),
                    format!("the notice's end {end} is provisional (no {year} holiday schedule yet): load it first"),
                ));
            }
            if today <= end {
                return Err(conflict(
                    "notice_running",
                    format!("公示期至{end}结束，之后才能办理"),
                    format!("the notice runs until {end}"),
                ));
            }
            if state.open_objections > 0 {
                return Err(conflict(
                    "objections_open",
                    format!("尚有{}条异议未调查核实", state.open_objections),
                    format!("{} objection(s) still under investigation", state.open_objections),
                ));
            }
            if state.stage == Stage::InNotice {
                next.stage = Stage::AwaitingTownshipReview;
                let kind = if ctx.profile.sudden_events_reviewed_at_once && state.binding.sudden_event {
                    DeadlineKind::TownshipReviewAtOnce
                } else {
                    DeadlineKind::TownshipReview
                };
                next.deadline = Deadline::count(kind, today, ctx.profile, ctx.calendar)?;
            } else {
                finish(&mut next, today);
            }
        }
        (Stage::AwaitingTownshipReview, Event::TownshipReview { decision })
            if *decision == Decision::Reject && ident && state.binding.mandatory =>
        {
            return Err(mandatory_refusal());
        }
        (Stage::AwaitingTownshipReview, Event::TownshipReview { decision }) => match decision {
            Decision::Approve => {
                next.stage = Stage::AwaitingCountyReview;
                next.deadline = Deadline::count(DeadlineKind::CountyMonthlyReview, today, ctx.profile, ctx.calendar)?;
            }
            Decision::Reject => refuse(&mut next),
            Decision::Return => {
                next.stage = Stage::AwaitingAppraisal;
                next.deadline = None;
            }
        },
        (
            Stage::AwaitingCountyReview,
            Event::CountyDetermination {
                decision,
                department_checks_done,
            },
        ) => match decision {
            Decision::Reject if ident && state.binding.mandatory => return Err(mandatory_refusal()),
            Decision::Approve => {
                if ident && !state.binding.excluded_by.is_empty() {
                    return Err(conflict(
                        "excluded",
                        format!(
                            "入户核实发现排除情形（{}），应在数据比对中剔除，不能审定纳入",
                            state.binding.excluded_by.join("、")
                        ),
                        format!(
                            "the home visit found exclusions ({}): the household is removed at the data comparison, not determined",
                            state.binding.excluded_by.join(", ")
                        ),
                    ));
                }
                if ident && !state.binding.assembly_pending.is_empty() {
                    return Err(conflict(
                        "assembly_review_required",
                        "排除情形尚未经村民代表大会重点评议",
                        "the exclusions have not been reviewed by the village representative assembly",
                    ));
                }
                if !department_checks_done {
                    let items = crate::joint_review::JOINT_CHECKS;
                    let zh: Vec<&str> = items.iter().map(|c| c.zh).collect();
                    let en: Vec<&str> = items.iter().map(|c| c.en).collect();
                    return Err(why(
                        "department_checks",
                        format!("县级确定前须完成部门联审，逐项复核核准{}", zh.join("、")),
                        format!("the departments' joint review must first verify {}", en.join(", ")),
                    ));
                }
                if !ident && ctx.profile.elimination_not_in_identification_month {
                    if let Some(id) = state.identified_on.filter(|id| same_month(*id, today)) {
                        return Err(same_month_refusal(id));
                    }
                }
                if ctx.profile.second_notice {
                    let d = Deadline::count(DeadlineKind::SecondNoticeEnd, today, ctx.profile, ctx.calendar)?;
                    next.stage = Stage::InSecondNotice;
                    next.notice = d.map(|d| (today, d.due));
                    next.open_objections = 0;
                    next.deadline = d;
                } else {
                    finish(&mut next, today);
                }
            }
            Decision::Reject => refuse(&mut next),
            Decision::Return => {
                next.stage = Stage::AwaitingAppraisal;
                next.deadline = None;
            }
        },
        (Stage::Monitored, Event::RecordAssistance) => next.assistance_measures += 1,
        (Stage::Monitored, Event::RecordYearlyAssessment) => next.assessments += 1,
        (Stage::Monitored, Event::StartElimination { consent }) => {
            if ctx.profile.elimination_requires_consent && !consent {
                return Err(why(
                    "consent",
                    "风险消除须经农户知情同意",
                    "risk elimination needs the household's informed consent",
                ));
            }
            let Some(evidence) = ctx.evidence else {
                return Err(why(
                    "home_check_required",
                    "风险消除须附入户核查记录（家庭成员、收入测算、“三保障”），据此研判是否达标",
                    "risk elimination needs the home check's record (members, income worksheet, guarantees) to judge the criteria",
                ));
            };
            let unmet = evidence.unmet(state.assistance_measures);
            if !unmet.is_empty() {
                return Err(why(
                    "criteria",
                    format!("风险消除标准未全部达标：{}", unmet.join("；")),
                    format!("{} of the 4 elimination criteria not met", unmet.len()),
                ));
            }
            if ctx.profile.no_elimination_without_labour && !evidence.household_has_labour {
                return Err(why(
                    "no_labour",
                    "无劳动能力的监测对象落实社会保障措施后暂不标注风险消除，持续跟踪监测",
                    "a household without labour stays monitored after social security measures",
                ));
            }
            if ctx.profile.elimination_not_in_identification_month {
                if let Some(id) = state.identified_on.filter(|id| same_month(*id, today)) {
                    return Err(same_month_refusal(id));
                }
            }
            next.procedure = Procedure::Elimination;
            next.elimination_consent = *consent;
            next.stage = Stage::AwaitingAppraisal;
            next.deadline = None;
        }
        (Stage::RiskEliminated, Event::Rollback) => {
            next.stage = Stage::Monitored;
            next.procedure = Procedure::Identification;
            next.eliminated_on = None;
            next.elimination_consent = false;
        }
        (Stage::RiskEliminated, Event::Remark) => {
            next.stage = Stage::AwaitingVerification;
            next.procedure = Procedure::Identification;
            next.remarks += 1;
            next.application_signed = false;
            next.identified_on = None;
            next.eliminated_on = None;
            next.elimination_consent = false;
            next.notice = None;
            next.deadline = verification_deadline(ctx, today)?;
            next.deadline_pending_year = None;
        }
        (Stage::Monitored | Stage::RiskEliminated, Event::Clear) => {
            next.reopen = Some(Reopen {
                stage: state.stage,
                deadline: state.deadline,
                closed_on: today,
            });
            next.stage = Stage::Closed(ClosedReason::Cleared);
            next.deadline = None;
        }
        (_, Event::PopulationChange { added, removed }) => {
            next.members = changed_members(&state.members, added, removed)?;
        }
        (_, Event::HouseholdDissolved) => {
            next.reopen = Some(Reopen {
                stage: state.stage,
                deadline: state.deadline,
                closed_on: today,
            });
            next.stage = Stage::Closed(ClosedReason::HouseholdDissolved);
            next.deadline = None;
        }
        (Stage::Closed(ClosedReason::Cleared | ClosedReason::HouseholdDissolved), Event::Reinstate) => {
            let Some(reopen) = state.reopen else {
                return Err(wrong_stage());
            };
            let last = reopen.closed_on + chrono::Duration::days(REINSTATE_WITHIN_DAYS);
            if today > last {
                return Err(conflict(
                    "reinstate_period_over",
                    format!("恢复须在结案后{REINSTATE_WITHIN_DAYS}日内（至{last}）办理"),
                    format!("a reinstatement must come within {REINSTATE_WITHIN_DAYS} days of the closing (by {last})"),
                ));
            }
            next.stage = reopen.stage;
            next.deadline = reopen.deadline;
            next.reopen = None;
            next.reason = None;
        }
        (stage, Event::Withdraw)
            if ident
                && !matches!(
                    stage,
                    Stage::AwaitingCountyReview | Stage::InSecondNotice | Stage::Monitored | Stage::RiskEliminated
                ) =>
        {
            if !matches!(state.channel, Channel::SelfReport | Channel::ProxyReport) {
                return Err(forbidden(
                    "not_own_report",
                    "只能撤回本人提交的申报",
                    "only a household's own report can be withdrawn",
                ));
            }
            next.stage = Stage::Closed(ClosedReason::Withdrawn);
            next.deadline = None;
        }
        _ => return Err(wrong_stage()),
    }
    // A pending deadline (stored before provisional dates) belongs to the stage it was for.
    if next.stage != state.stage {
        next.deadline_pending_year = None;
    }
    Ok(next)
}

/// The most members one population change may add, and remove.
pub const MAX_POPULATION_CHANGE: usize = 20;

/// The members after a population change (none named: only the note is recorded): who left must be a member, who joined must
/// not already be one, and someone must remain (a household that is gone is 整户消亡).
fn changed_members(
    members: &[String],
    added: &[crate::household::Member],
    removed: &[String],
) -> Result<Vec<String>, WhyNot> {
    if added.len() > MAX_POPULATION_CHANGE || removed.len() > MAX_POPULATION_CHANGE {
        return Err(why(
            "too_many_members",
            format!("一次变更至多新增、减少各{MAX_POPULATION_CHANGE}人"),
            format!("at most {MAX_POPULATION_CHANGE} members joining and {MAX_POPULATION_CHANGE} leaving at once"),
        ));
    }
    if let Some(m) = added.iter().find(|m| !crate::text::is_given_name(&m.name)) {
        return Err(why(
            "bad_member",
            format!("新增成员姓名无效：{}", m.name),
            format!("not a name: {}", m.name),
        ));
    }
    if let Some(gone) = removed.iter().find(|r| !members.iter().any(|m| m == r.trim())) {
        return Err(conflict(
            "not_a_member",
            format!("“{}”不是本户登记的家庭成员（{}）", gone.trim(), members.join("、")),
            format!("{} is not a recorded member of the household", gone.trim()),
        ));
    }
    let mut next: Vec<String> = members
        .iter()
        .filter(|m| !removed.iter().any(|r| r.trim() == m.as_str()))
        .cloned()
        .collect();
    for m in added {
        let name = m.name.trim().to_string();
        if next.contains(&name) {
            return Err(conflict(
                "already_a_member",
                format!("“{name}”已是本户家庭成员"),
                format!("{name} is already a member"),
            ));
        }
        next.push(name);
    }
    if next.is_empty() {
        return Err(conflict(
            "household_gone",
            "减少后本户已无成员，请办理“整户消亡”",
            "no one would remain: record the household as dissolved instead",
        ));
    }
    Ok(next)
}

/// 玉溪 三(二): "…的脱贫户全部纳入监测".
fn mandatory_refusal() -> WhyNot {
    why(
        "mandatory_inclusion",
        "脱贫户人均纯收入低于国定扶贫标准或“三保障”存在未保障，应全部纳入监测，不能认定为无风险或不予纳入",
        "a formerly poor household under the poverty line or with a guarantee unmet must be monitored: it cannot be found not at risk or refused",
    )
}

fn same_month_refusal(identified: NaiveDate) -> WhyNot {
    conflict(
        "same_month",
        format!(
            "监测对象不得当月识别、当月标注风险消除（{}年{}月识别）",
            identified.year(),
            identified.month()
        ),
        format!("risk cannot be eliminated in the month of identification ({identified})"),
    )
}

/// The end of a county-approved procedure: in → monitored; out → risk eliminated.
fn finish(next: &mut CaseState, today: NaiveDate) {
    next.deadline = None;
    match next.procedure {
        Procedure::Identification => {
            next.stage = Stage::Monitored;
            next.identified_on = Some(today);
        }
        Procedure::Elimination => {
            next.stage = Stage::RiskEliminated;
            next.eliminated_on = Some(today);
        }
    }
}

impl CaseState {
    /// Working days left on the current deadline (negative when overdue), counted
    /// provisionally through a year without holiday data.
    pub fn days_left(&self, calendar: &Calendar, today: NaiveDate) -> Result<Option<i64>, CalendarError> {
        self.deadline.map(|d| d.days_left(calendar, today)).transpose()
    }

    /// The current deadline counted again under `calendar` (a schedule was loaded or
    /// replaced), or `None` when nothing changes. Only the date, its provisional mark
    /// and a notice's last day move; the version is the caller's to bump.
    pub fn recounted(&self, profile: &Profile, calendar: &Calendar) -> Result<Option<CaseState>, CalendarError> {
        if self.stage.is_closed() {
            return Ok(None);
        }
        let (kind, from) = match (self.deadline, self.deadline_pending_year) {
            (
                Some(Deadline {
                    kind, from: Some(from), ..
                }),
                _,
            ) => (kind, from),
            // Stored before provisional dates: only a first verification can be pending.
            (None, Some(_)) if self.stage == Stage::AwaitingVerification && self.remarks == 0 => {
                (DeadlineKind::Verification, self.opened_on)
            }
            _ => return Ok(None),
        };
        let fresh = Deadline::count(kind, from, profile, calendar)?;
        if fresh == self.deadline && self.deadline_pending_year.is_none() {
            return Ok(None);
        }
        let mut next = self.clone();
        next.deadline = fresh;
        next.deadline_pending_year = None;
        if matches!(kind, DeadlineKind::NoticeEnd | DeadlineKind::SecondNoticeEnd) {
            next.notice = fresh.map(|d| (from, d.due));
        }
        Ok(Some(next))
    }

    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.deadline.is_some_and(|d| d.is_overdue(today))
    }

    /// The order of every queue (phone, console, API): the earliest deadline first (so
    /// the overdue lead), cases without one last. The store's query sorts the same way
    /// (`due_date IS NULL, due_date`; the board: `due_date NULLS LAST`); ties are broken by case id where the list is made.
    pub fn queue_order(&self, other: &CaseState) -> std::cmp::Ordering {
        let key = |s: &CaseState| (s.deadline.is_none(), s.deadline.map(|d| d.due));
        key(self).cmp(&key(other))
    }
}
