//! The home-visit form (入户核实) as the cadre fills it: the household's members,
//! the 两不愁三保障 and water checks, the exclusion checklist, observed key-attention
//! situations, the GPS fix, housing photos and the authorization. It turns into the
//! core's `HomeVisit`, and the core's assessment is shown live as a preview. The same
//! form is the elimination's home check (风险消除入户核查: "怎么进、怎么出"), where the
//! core judges the four criteria from it.

use crate::location::{VisitCheck, check_visit};
use crate::worksheet_form::WorksheetForm;
use chrono::NaiveDate;
use zaofaxian_shared::eligibility::{Assessment, ExclusionCheck, Guarantees, assess};
use zaofaxian_shared::elimination::EliminationEvidence;
use zaofaxian_shared::household::{Health, LabourCapacity, Member, Schooling};
use zaofaxian_shared::policy::{ExclusionScope, KeyFlag, OverrideRule, Profile};
use zaofaxian_shared::visit::{Authorization, HomeVisit, VisitError};
use zaofaxian_shared::{DivisionCode, GeoPoint, NationalId, Policy, Text};

/// One member's row as typed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct MemberForm {
    pub name: String,
    /// Optional; when given, the birth date is read from it.
    pub national_id: String,
    pub birth_date: String,
    pub labour: LabourCapacity,
    pub health: Health,
    /// 与户主关系; the first member is the head unless the cadre says otherwise.
    pub relationship: Option<zaofaxian_shared::household::Relationship>,
    /// 重度残疾 and 失能老人: asked, `None` until answered (a "no" must not be assumed:
    /// either one can make the household's case).
    pub severe_disability: Option<bool>,
    pub disabled_elderly: Option<bool>,
    pub schooling: Option<Schooling>,
}

impl Default for MemberForm {
    fn default() -> Self {
        MemberForm {
            name: String::new(),
            national_id: String::new(),
            birth_date: String::new(),
            labour: LabourCapacity::Full,
            health: Health::Healthy,
            relationship: None,
            severe_disability: None,
            disabled_elderly: None,
            schooling: None,
        }
    }
}

/// The 两不愁三保障 and drinking-water checks, in form order (the order of
/// `VisitForm::guarantees` and of the core's `Guarantees`).
pub const GUARANTEE_CHECKS: [(&str, &str); 5] = [
    ("吃穿不愁", "food and clothing"),
    ("义务教育有保障", "compulsory schooling"),
    ("基本医疗有保障", "basic medical care"),
    ("住房安全有保障", "safe housing"),
    ("饮水安全有保障", "safe drinking water"),
];

/// How far one part of the visit form is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartState {
    Done,
    Missing,
    /// Nothing is required here (key-attention situations are ticked only when seen).
    Optional,
}

/// One entry of the form's index: its number (the `#part-N` anchor), title and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub number: u8,
    pub title: Text,
    pub state: PartState,
}

impl Part {
    fn new(number: u8, zh: &str, en: &str, state: PartState) -> Part {
        Part {
            number,
            title: Text::new(zh, en),
            state,
        }
    }
}

/// The 授权承诺书 the household signs (000 and 004: "签署承诺提供的情况真实可靠，同意授权
/// 依法查询家庭资产、医疗教育开支等信息的授权承诺书"; 002 三(一)3: "同意政府查验比对个人财产等
/// 信息"), with the household's name.
pub fn authorization_text(household_name: &str) -> Text {
    Text::new(
        format!(
            "授权承诺书：本户（户主 {household_name}）承诺所提供的家庭人口、收入、住房等情况真实可靠，\
             同意政府有关部门依法查询、查验比对本户家庭成员的财产（存款、房产、车辆、工商登记等）、\
             医疗和教育开支等信息，用于防止返贫动态监测和帮扶。"
        ),
        format!(
            "Authorization: this household (head: {household_name}) declares that what it has told about its \
             members, income and housing is true, and agrees that the authorities may lawfully look up and \
             compare its members' assets (savings, property, vehicles, registered businesses) and medical and \
             school costs, for monitoring and assistance against a return to poverty."
        ),
    )
}

fn field_error(field: String, zh: impl Into<String>, en: impl Into<String>) -> VisitError {
    VisitError {
        field,
        text: Text::new(zh, en),
    }
}

impl MemberForm {
    /// The error said of this member by number and name ("成员2（李建国）：…").
    fn named(&self, i: usize, e: VisitError) -> VisitError {
        let name = self.name.trim();
        let who = |word: &str, open: &str, close: &str| match name {
            "" => format!("{word}{}", i + 1),
            n => format!("{word}{}{open}{n}{close}", i + 1),
        };
        VisitError {
            field: e.field,
            text: Text::new(
                format!("{}：{}", who("成员", "（", "）"), e.text.zh),
                format!("{}: {}", who("Member ", " (", ")"), e.text.en),
            ),
        }
    }

    fn to_member(&self, i: usize) -> Result<Member, VisitError> {
        let id = match self.national_id.trim() {
            "" => None,
            s => Some(NationalId::parse(s).map_err(|e| {
                let t = Text::from_pair(&e.to_string());
                field_error(format!("members[{i}].national_id"), t.zh, t.en)
            })?),
        };
        let birth_date = match (self.birth_date.trim(), &id) {
            ("", Some(id)) => id.birth_date(),
            ("", None) => {
                return Err(field_error(
                    format!("members[{i}].birth_date"),
                    "请填写出生日期或身份证号",
                    "enter the birth date or the ID number",
                ));
            }
            (s, _) => s.parse::<NaiveDate>().map_err(|_| {
                field_error(
                    format!("members[{i}].birth_date"),
                    "出生日期格式应为 1960-05-01",
                    "birth date as 1960-05-01",
                )
            })?,
        };
        if let Some(id) = &id
            && id.birth_date() != birth_date
        {
            return Err(field_error(
                format!("members[{i}].birth_date"),
                "出生日期与身份证号不一致",
                "the birth date does not match the ID number",
            ));
        }
        Ok(Member {
            name: self.name.trim().to_string(),
            national_id: id,
            relationship: self.relationship,
            birth_date,
            labour: self.labour,
            health: self.health,
            severe_disability: self.severe_disability.ok_or_else(|| {
                field_error(
                    format!("members[{i}].severe_disability"),
                    "请回答是否重度残疾",
                    "answer whether severely disabled",
                )
            })?,
            disabled_elderly: self.disabled_elderly.ok_or_else(|| {
                field_error(
                    format!("members[{i}].disabled_elderly"),
                    "请回答是否失能老人",
                    "answer whether a disabled elderly person",
                )
            })?,
            schooling: self.schooling,
            has_guardian_or_supporter: true,
        })
    }
}

/// The cadre's answer to one exclusion rule; `None` until answered.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ExclusionAnswer {
    pub rule_id: String,
    pub label: Text,
    pub override_rule: OverrideRule,
    pub applies: Option<bool>,
    /// The written explanation or assembly record when the rule applies but is overridden.
    pub note: String,
    /// Whether the rule names persons (left out of the household) or the household.
    pub scope: ExclusionScope,
    /// For a rule naming persons: who is left out, as typed (separated by 、，, or spaces).
    pub persons: String,
}

impl ExclusionAnswer {
    /// The names typed for a rule that names persons.
    pub fn person_names(&self) -> Vec<String> {
        zaofaxian_shared::text::typed_names(&self.persons)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum AuthKind {
    Drawn,
    Fingerprint,
    Proxy,
}

/// The signature as drawn: strokes of points in the 300×120 signature box.
#[derive(Debug, Clone, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub struct Signature {
    pub strokes: Vec<Vec<(f64, f64)>>,
}

impl Signature {
    pub fn start(&mut self, x: f64, y: f64) {
        self.strokes.push(vec![(x, y)]);
    }

    pub fn extend(&mut self, x: f64, y: f64) {
        if let Some(s) = self.strokes.last_mut() {
            s.push((x, y));
        }
    }

    /// SVG path data, one `M … L …` run per stroke; a lone tap is not a signature.
    pub fn path(&self) -> String {
        self.strokes
            .iter()
            .filter(|s| s.len() > 1)
            .map(|s| {
                s.iter()
                    .enumerate()
                    .map(|(i, (x, y))| format!("{}{x:.0} {y:.0}", if i == 0 { "M" } else { "L" }))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VisitForm {
    pub case_id: String,
    pub expected_version: u64,
    pub purpose: VisitPurpose,
    /// Assistance measures the case has recorded (criterion 1 of elimination).
    pub assistance_measures: u32,
    /// The household agrees to its risk being marked eliminated (elimination only).
    pub consent: bool,
    /// Why no risk was found: told to the household (内蒙古 四(一)7 "反馈原因").
    pub no_risk_reason: String,
    pub group: String,
    /// 脱贫户: asked, not assumed (it decides the monthly report's sheet).
    pub formerly_poor: Option<bool>,
    pub members: Vec<MemberForm>,
    /// The answers to [`GUARANTEE_CHECKS`], in order; `None` until asked. "Not asked"
    /// is never "secured".
    pub guarantees: [Option<bool>; 5],
    /// 因病因灾因意外导致基本生活严重困难: asked, not assumed (it decides how fast the
    /// township must review).
    pub sudden_hardship: Option<bool>,
    pub observed: Vec<KeyFlag>,
    pub exclusions: Vec<ExclusionAnswer>,
    /// The household's recorded home, if an earlier visit fixed it.
    pub home: Option<GeoPoint>,
    pub fix: Option<GeoPoint>,
    pub photos: Vec<String>,
    pub auth_kind: AuthKind,
    pub signer: String,
    pub signature: Signature,
    pub auth_note: String,
    /// 纳入监测申请 (verification only): the household applies with the same signature,
    /// so an at-risk finding goes on to the village's appraisal without a second visit
    /// to sign. Asked; `None` until answered.
    #[serde(default)]
    pub application: Option<bool>,
}

/// What a home visit is for: the verification of a report, or the home check before
/// a monitored household's risk is marked eliminated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum VisitPurpose {
    Verification,
    Elimination,
}

impl VisitPurpose {
    /// The visit a case at `stage` needs.
    pub fn for_stage(stage: zaofaxian_shared::Stage) -> Self {
        if stage == zaofaxian_shared::Stage::Monitored {
            VisitPurpose::Elimination
        } else {
            VisitPurpose::Verification
        }
    }

    pub fn title(self) -> Text {
        match self {
            VisitPurpose::Verification => Text::new("入户核实", "Home visit"),
            VisitPurpose::Elimination => Text::new("风险消除入户核查", "Elimination home check"),
        }
    }
}

/// Key-attention situations the cadre judges at the door; the others come from figures.
pub const OBSERVED_FLAGS: [KeyFlag; 4] = [
    KeyFlag::LabourWithoutLivelihood,
    KeyFlag::AdobeOnlyHouse,
    KeyFlag::IndustryFailure,
    KeyFlag::SuddenEvent,
];

impl VisitForm {
    /// A blank form for one case, with the exclusion list of the profile in force.
    pub fn new(case_id: &str, expected_version: u64, profile: &Profile) -> VisitForm {
        VisitForm {
            case_id: case_id.to_string(),
            expected_version,
            exclusions: profile
                .exclusions
                .iter()
                .map(|r| ExclusionAnswer {
                    rule_id: r.id.clone(),
                    label: r.text(),
                    override_rule: r.override_rule,
                    applies: None,
                    note: String::new(),
                    scope: r.scope,
                    persons: String::new(),
                })
                .collect(),
            ..VisitForm::empty()
        }
    }

    /// No case yet (before one is chosen).
    pub fn empty() -> VisitForm {
        VisitForm {
            case_id: String::new(),
            expected_version: 0,
            purpose: VisitPurpose::Verification,
            assistance_measures: 0,
            consent: false,
            no_risk_reason: String::new(),
            group: String::new(),
            formerly_poor: None,
            members: vec![MemberForm::default()],
            guarantees: [None; 5],
            sudden_hardship: None,
            application: None,
            observed: Vec::new(),
            exclusions: Vec::new(),
            home: None,
            fix: None,
            photos: Vec::new(),
            auth_kind: AuthKind::Drawn,
            signer: String::new(),
            signature: Signature::default(),
            auth_note: String::new(),
        }
    }

    pub fn toggle_flag(&mut self, flag: KeyFlag) {
        if let Some(i) = self.observed.iter().position(|f| *f == flag) {
            self.observed.remove(i);
        } else {
            self.observed.push(flag);
        }
    }

    /// The GPS check against the recorded home, once there is a fix.
    pub fn location_check(&self) -> Option<VisitCheck> {
        self.fix.as_ref().map(|f| check_visit(f, self.home.as_ref()))
    }

    pub fn unanswered_exclusions(&self) -> usize {
        self.exclusions.iter().filter(|e| e.applies.is_none()).count()
    }

    fn authorization(&self) -> Authorization {
        let signer = self.signer.trim().to_string();
        match self.auth_kind {
            AuthKind::Drawn => Authorization::Drawn {
                signer,
                path: self.signature.path(),
            },
            AuthKind::Fingerprint => Authorization::Fingerprint {
                signer,
                note: self.auth_note.trim().to_string(),
            },
            AuthKind::Proxy => Authorization::Proxy {
                signer,
                note: self.auth_note.trim().to_string(),
            },
        }
    }

    /// The five checks as the core takes them, once every one was asked.
    fn answered_guarantees(&self) -> Result<Guarantees, VisitError> {
        if let Some(i) = self.guarantees.iter().position(Option::is_none) {
            let (zh, en) = GUARANTEE_CHECKS[i];
            return Err(field_error(
                format!("guarantees[{i}]"),
                format!("请逐项询问“两不愁三保障”：“{zh}”尚未回答"),
                format!("ask every basic-needs check: \"{en}\" is not answered"),
            ));
        }
        let yes = |i: usize| self.guarantees[i] == Some(true);
        Ok(Guarantees {
            food_and_clothing: yes(0),
            compulsory_education: yes(1),
            basic_medical: yes(2),
            housing_safe: yes(3),
            drinking_water: yes(4),
        })
    }

    /// The visit as the core checks it. Every exclusion must be answered first.
    pub fn to_visit(
        &self,
        village: DivisionCode,
        today: NaiveDate,
        worksheet: &WorksheetForm,
    ) -> Result<HomeVisit, VisitError> {
        let members = self
            .members
            .iter()
            .enumerate()
            .map(|(i, m)| m.to_member(i).map_err(|e| m.named(i, e)))
            .collect::<Result<Vec<_>, _>>()?;
        let sheet = worksheet
            .to_worksheet(today)
            .map_err(|(field, text)| VisitError { field, text })?;
        let Some(formerly_poor) = self.formerly_poor else {
            return Err(field_error(
                "formerly_poor".into(),
                "请回答是否脱贫户",
                "answer whether the household was lifted out of poverty",
            ));
        };
        let guarantees = self.answered_guarantees()?;
        if self.purpose == VisitPurpose::Verification && self.application.is_none() {
            return Err(field_error(
                "application".into(),
                "请回答农户是否申请纳入监测",
                "answer whether the household applies to be monitored",
            ));
        }
        let Some(sudden_hardship) = self.sudden_hardship else {
            return Err(field_error(
                "sudden_hardship".into(),
                "请回答是否因病因灾因意外导致基本生活严重困难",
                "answer whether illness, disaster or an accident left basic living in severe difficulty",
            ));
        };
        if let Some((i, e)) = self.exclusions.iter().enumerate().find(|(_, e)| e.applies.is_none()) {
            return Err(field_error(
                format!("exclusions[{i}]"),
                format!("请逐项核对排除情形：“{}”尚未选择", e.label.zh),
                format!("answer every exclusion: \"{}\" is not answered", e.label.en),
            ));
        }
        let (previous_per_capita, current_monthly_income) = worksheet
            .recent_income()
            .map_err(|(field, text)| VisitError { field, text })?;
        let visit = HomeVisit {
            previous_per_capita,
            current_monthly_income,
            visited_on: today,
            village,
            group: self.group.trim().to_string(),
            formerly_poor,
            members,
            worksheet: sheet,
            guarantees,
            sudden_hardship,
            observed_flags: self.observed.clone(),
            exclusion_checks: self
                .exclusions
                .iter()
                .map(|e| ExclusionCheck {
                    rule_id: e.rule_id.clone(),
                    applies: e.applies == Some(true),
                    override_note: Some(e.note.trim().to_string()).filter(|n| !n.is_empty()),
                    persons: if e.applies == Some(true) {
                        e.person_names()
                    } else {
                        Vec::new()
                    },
                })
                .collect(),
            vehicles: Vec::new(),
            location: self.fix,
            photos: self.photos.clone(),
            authorization: self.authorization(),
        };
        visit.validate(today)?;
        Ok(visit)
    }

    /// The assessment the core makes of what is typed so far, or what is missing.
    pub fn preview(
        &self,
        policy: &Policy,
        village: DivisionCode,
        today: NaiveDate,
        worksheet: &WorksheetForm,
    ) -> Result<Assessment, Text> {
        let visit = self.to_visit(village, today, worksheet).map_err(|e| e.text)?;
        let facts = visit.facts().map_err(|e| e.text)?;
        assess(policy, &facts).map_err(|e| Text::from_pair(&e.to_string()))
    }

    /// What the core finds for elimination in what is typed so far, with the criteria
    /// not met (empty when all four are), or why it cannot judge yet.
    pub fn elimination_preview(
        &self,
        policy: &Policy,
        village: DivisionCode,
        today: NaiveDate,
        worksheet: &WorksheetForm,
    ) -> Result<(EliminationEvidence, Vec<String>), Text> {
        let visit = self.to_visit(village, today, worksheet).map_err(|e| e.text)?;
        let facts = visit.facts().map_err(|e| e.text)?;
        let a = assess(policy, &facts).map_err(|e| Text::from_pair(&e.to_string()))?;
        let evidence = EliminationEvidence::of(&facts, &a);
        let unmet = evidence.unmet(self.assistance_measures);
        Ok((evidence, unmet))
    }

    /// The outbox body of the step carrying this visit: the verification with the
    /// cadre's finding (`at_risk`), or the start of elimination with the consent.
    pub fn event_body(&self, visit: &HomeVisit, at_risk: bool) -> serde_json::Value {
        let event = match self.purpose {
            VisitPurpose::Verification => serde_json::json!({ "event": "record_verification", "at_risk": at_risk }),
            VisitPurpose::Elimination => serde_json::json!({ "event": "start_elimination", "consent": self.consent }),
        };
        let reason = self.no_risk_reason.trim();
        let note = (self.purpose == VisitPurpose::Verification && !at_risk && !reason.is_empty()).then_some(reason);
        serde_json::json!({
            "case_id": self.case_id,
            "expected_version": self.expected_version,
            "event": event,
            "location": visit.location,
            "photos": visit.photos,
            "visit": visit,
            "note": note,
        })
    }

    /// The household's application, signed in the same visit, as the step that follows
    /// an at-risk verification (the case's next version); none when there is no risk or
    /// the household did not apply (the case then waits for a signing).
    pub fn application_body(&self, at_risk: bool) -> Option<serde_json::Value> {
        let applies = self.purpose == VisitPurpose::Verification && at_risk && self.application == Some(true);
        applies.then(|| {
            serde_json::json!({
                "case_id": self.case_id,
                "expected_version": self.expected_version + 1,
                "event": { "event": "sign_application" },
                "note": "入户核实时签署纳入监测申请和授权承诺书",
            })
        })
    }

    /// Whether the reason for "no risk" is enough for the core (checked before the
    /// button is offered, so the server never refuses it later).
    /// The form's eight parts, each done, missing or optional, for the index at the top.
    pub fn progress(&self, worksheet: &WorksheetForm, today: NaiveDate) -> Vec<Part> {
        let members = !self.members.is_empty()
            && self
                .members
                .iter()
                .enumerate()
                .all(|(i, m)| !m.name.trim().is_empty() && m.to_member(i).is_ok());
        let typed = crate::worksheet_form::FIELDS
            .iter()
            .any(|(f, _, _)| !worksheet.get(f).trim().is_empty());
        let live = worksheet.live_totals(today, self.members.len().max(1) as u32);
        let income = typed && live.errors.is_empty() && live.totals.is_ok();
        let asked = self.formerly_poor.is_some()
            && self.sudden_hardship.is_some()
            && self.guarantees.iter().all(Option::is_some);
        let exclusions = self.exclusions.iter().all(|e| e.applies.is_some());
        let signed = !self.signer.trim().is_empty()
            && match self.auth_kind {
                AuthKind::Drawn => !self.signature.path().is_empty(),
                AuthKind::Fingerprint | AuthKind::Proxy => !self.auth_note.trim().is_empty(),
            }
            && (self.purpose != VisitPurpose::Verification || self.application.is_some());
        let state = |done: bool| if done { PartState::Done } else { PartState::Missing };
        vec![
            Part::new(1, "家庭成员", "Members", state(members)),
            Part::new(2, "收入核算", "Income", state(income)),
            Part::new(3, "两不愁三保障", "Basic needs", state(asked)),
            Part::new(4, "排除情形", "Exclusions", state(exclusions)),
            Part::new(5, "重点关注情形", "Key situations", PartState::Optional),
            Part::new(6, "定位", "Location", state(self.fix.is_some())),
            Part::new(7, "住房照片", "Photos", state(!self.photos.is_empty())),
            Part::new(8, "授权签字", "Authorization", state(signed)),
        ]
    }

    pub fn no_risk_reason_given(&self) -> bool {
        zaofaxian_shared::Event::RecordVerification { at_risk: false }
            .check_reason(Some(&self.no_risk_reason))
            .is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn village() -> DivisionCode {
        "530402001001".parse().unwrap()
    }

    fn filled() -> (VisitForm, WorksheetForm) {
        let profile = Policy::embedded().profile_for(village()).unwrap();
        let mut f = VisitForm::new("case-1", 0, profile);
        f.members[0] = MemberForm {
            name: "王秀英".into(),
            national_id: "11010519491231002X".into(),
            relationship: Some(zaofaxian_shared::household::Relationship::Head),
            labour: LabourCapacity::None,
            health: Health::Serious,
            severe_disability: Some(false),
            disabled_elderly: Some(false),
            ..MemberForm::default()
        };
        for e in &mut f.exclusions {
            e.applies = Some(false);
        }
        f.formerly_poor = Some(false);
        f.guarantees = [Some(true); 5];
        f.sudden_hardship = Some(false);
        f.application = Some(true);
        f.signer = "王秀英".into();
        f.signature.start(10.0, 10.0);
        f.signature.extend(60.0, 40.0);
        let w = WorksheetForm {
            pension: "2400".into(),
            ..WorksheetForm::default()
        };
        (f, w)
    }

    /// The index says which parts are done: a blank form has only the optional part, a
    /// filled one everything but the location and photos it lacks.
    #[test]
    fn the_index_shows_what_is_done_and_what_is_missing() {
        let states = |f: &VisitForm, w: &WorksheetForm| -> Vec<PartState> {
            f.progress(w, d("2025-11-03")).iter().map(|p| p.state).collect()
        };
        use PartState::{Done, Missing, Optional};
        let blank = VisitForm::new("case-1", 0, Policy::embedded().profile_for(village()).unwrap());
        assert_eq!(
            states(&blank, &WorksheetForm::default()),
            [Missing, Missing, Missing, Missing, Optional, Missing, Missing, Missing]
        );
        let (mut f, mut w) = filled();
        assert_eq!(
            states(&f, &w),
            [Done, Done, Done, Done, Optional, Missing, Missing, Done]
        );
        f.fix = Some(GeoPoint::new(24.35, 102.54).unwrap());
        f.photos.push("ab".repeat(32));
        w.set("pension", "一千".into());
        assert_eq!(states(&f, &w), [Done, Missing, Done, Done, Optional, Done, Done, Done]);
    }

    /// 重度残疾 and 失能老人 are asked of each member, not assumed "no".
    #[test]
    fn a_members_disability_is_asked() {
        let (mut f, w) = filled();
        f.members.push(MemberForm {
            name: "李建国".into(),
            birth_date: "1950-01-01".into(),
            severe_disability: Some(true),
            ..MemberForm::default()
        });
        let e = f.to_visit(village(), d("2025-11-03"), &w).unwrap_err();
        assert_eq!(e.field, "members[1].disabled_elderly");
        assert!(
            e.text.zh.contains("成员2（李建国）") && e.text.zh.contains("失能老人"),
            "{}",
            e.text.zh
        );
        f.members[1].disabled_elderly = Some(false);
        let v = f.to_visit(village(), d("2025-11-03"), &w).unwrap();
        assert!(v.members[1].severe_disability && !v.members[1].disabled_elderly);
    }

    /// The application is asked in a verification and, when the household applies and
    /// is at risk, follows the verification as the case's next step.
    #[test]
    fn the_application_is_signed_in_the_visit() {
        let (mut f, w) = filled();
        f.application = None;
        assert_eq!(
            f.to_visit(village(), d("2025-11-03"), &w).unwrap_err().field,
            "application"
        );
        f.application = Some(true);
        f.expected_version = 3;
        let body = f.application_body(true).unwrap();
        assert_eq!(body["expected_version"], 4);
        assert_eq!(body["event"]["event"], "sign_application");
        assert_eq!(f.application_body(false), None, "no risk: nothing to apply for");
        f.application = Some(false);
        assert_eq!(f.application_body(true), None, "the household did not apply");
        f.purpose = VisitPurpose::Elimination;
        f.application = Some(true);
        assert_eq!(
            f.application_body(true),
            None,
            "an elimination check applies for nothing"
        );
    }

    /// A member's error says which member, by number and name.
    #[test]
    fn a_members_error_names_the_member() {
        let (mut f, w) = filled();
        f.members.push(MemberForm {
            name: "李建国".into(),
            national_id: "110105194912310021".into(),
            ..MemberForm::default()
        });
        let e = f.to_visit(village(), d("2025-11-03"), &w).unwrap_err();
        assert_eq!(e.field, "members[1].national_id");
        assert!(e.text.zh.starts_with("成员2（李建国）："), "{}", e.text.zh);
        assert!(e.text.en.starts_with("Member 2 (李建国): "), "{}", e.text.en);
    }

    /// "Not asked" is neither "secured" nor "not secured": the form names what was not asked.
    #[test]
    fn every_basic_need_and_the_poor_household_question_must_be_asked() {
        let (mut f, w) = filled();
        f.guarantees[4] = None;
        let e = f.to_visit(village(), d("2025-11-03"), &w).unwrap_err();
        assert_eq!(e.field, "guarantees[4]");
        assert!(e.text.zh.contains("饮水安全有保障"), "{}", e.text.zh);
        f.guarantees[4] = Some(false);
        let v = f.to_visit(village(), d("2025-11-03"), &w).unwrap();
        assert!(!v.guarantees.drinking_water && v.guarantees.food_and_clothing);
        f.sudden_hardship = None;
        assert_eq!(
            f.to_visit(village(), d("2025-11-03"), &w).unwrap_err().field,
            "sudden_hardship"
        );
        f.sudden_hardship = Some(true);
        assert!(f.to_visit(village(), d("2025-11-03"), &w).unwrap().sudden_hardship);
        f.formerly_poor = None;
        assert_eq!(
            f.to_visit(village(), d("2025-11-03"), &w).unwrap_err().field,
            "formerly_poor"
        );
        let blank = VisitForm::empty();
        assert_eq!(blank.guarantees, [None; 5], "a new form starts unasked");
    }

    #[test]
    fn a_filled_form_becomes_a_visit_and_a_live_assessment() {
        let (f, w) = filled();
        let v = f.to_visit(village(), d("2025-11-03"), &w).unwrap();
        assert_eq!(v.members[0].birth_date, d("1949-12-31"), "read from the ID number");
        assert_eq!(
            v.members[0].relationship,
            Some(zaofaxian_shared::household::Relationship::Head)
        );
        assert_eq!(
            v.facts().unwrap().income.household_size,
            1,
            "the worksheet counts the members listed"
        );
        assert_eq!(
            v.authorization,
            Authorization::Drawn {
                signer: "王秀英".into(),
                path: "M10 10 L60 40".into()
            }
        );
        let a = f.preview(Policy::embedded(), village(), d("2025-11-03"), &w).unwrap();
        assert!(a.eligible);
        assert!(
            a.flags.iter().any(|h| h.flag == KeyFlag::SeriousIllness),
            "{:?}",
            a.flags
        );
        let body = f.event_body(&v, a.eligible);
        assert_eq!(body["event"]["event"], "record_verification");
        assert!(body["note"].is_null());
        // "No risk" carries the reason the household is told.
        let mut f = f.clone();
        assert!(!f.no_risk_reason_given());
        f.no_risk_reason = "家中有稳定务工收入，人均超过监测底线".into();
        assert!(f.no_risk_reason_given());
        assert_eq!(f.event_body(&v, false)["note"], "家中有稳定务工收入，人均超过监测底线");
        assert_eq!(body["visit"]["members"][0]["name"], "王秀英");
    }

    /// 002 四(二)1 / 004 五(一): the elimination check is judged from the figures typed;
    /// a household living on a pension alone has no labour and stays monitored.
    #[test]
    fn the_elimination_check_is_judged_from_the_form() {
        let (mut f, mut w) = filled();
        f.purpose = VisitPurpose::Elimination;
        f.assistance_measures = 1;
        let (e, unmet) = f
            .elimination_preview(Policy::embedded(), village(), d("2025-11-03"), &w)
            .unwrap();
        assert!(!e.household_has_labour);
        assert!(unmet.iter().any(|u| u.contains("未超出")), "{unmet:?}");
        f.members[0].labour = LabourCapacity::Full;
        (w.away_months, w.away_monthly_wage) = ("10".into(), "1200".into());
        let (e, unmet) = f
            .elimination_preview(Policy::embedded(), village(), d("2025-11-03"), &w)
            .unwrap();
        assert!(e.household_has_labour && unmet.is_empty(), "{unmet:?}");
        f.consent = true;
        let v = f.to_visit(village(), d("2025-11-03"), &w).unwrap();
        let body = f.event_body(&v, false);
        assert_eq!(
            body["event"],
            serde_json::json!({ "event": "start_elimination", "consent": true })
        );
    }

    /// 玉溪 三(三)9: a member in prison is left out of the household, named on the form;
    /// the household is still assessed.
    #[test]
    fn a_person_left_out_is_named_and_the_household_kept() {
        let (mut f, w) = filled();
        let rule = f.exclusions.iter().position(|e| e.rule_id == "yx-9").unwrap();
        assert_eq!(f.exclusions[rule].scope, ExclusionScope::Person);
        f.exclusions[rule].applies = Some(true);
        f.exclusions[rule].persons = "李强、 李明".into();
        let v = f.to_visit(village(), d("2025-11-03"), &w).unwrap();
        let check = v.exclusion_checks.iter().find(|c| c.rule_id == "yx-9").unwrap();
        assert_eq!(check.persons, ["李强", "李明"]);
        let a = f.preview(Policy::embedded(), village(), d("2025-11-03"), &w).unwrap();
        assert!(a.eligible && a.excluded_by.is_empty(), "{a:?}");
    }

    #[test]
    fn what_is_missing_is_named_in_the_field() {
        let (mut f, w) = filled();
        f.exclusions[3].applies = None;
        let e = f.to_visit(village(), d("2025-11-03"), &w).unwrap_err();
        assert_eq!(e.field, "exclusions[3]");
        assert!(e.text.zh.contains("尚未选择"), "{}", e.text.zh);

        let (mut f, w) = filled();
        f.members[0].birth_date = "1950-01-01".into();
        assert!(
            f.to_visit(village(), d("2025-11-03"), &w)
                .unwrap_err()
                .text
                .zh
                .contains("不一致")
        );

        let (mut f, w) = filled();
        f.members.push(MemberForm::default());
        assert_eq!(
            f.to_visit(village(), d("2025-11-03"), &w).unwrap_err().field,
            "members[1].birth_date"
        );

        let (mut f, w) = filled();
        f.signature = Signature::default();
        f.signature.start(5.0, 5.0); // a tap, not a signature
        assert!(
            f.to_visit(village(), d("2025-11-03"), &w)
                .unwrap_err()
                .text
                .zh
                .contains("签名")
        );
        f.auth_kind = AuthKind::Proxy;
        f.auth_note = "户主卧床，由女儿李梅代签".into();
        f.to_visit(village(), d("2025-11-03"), &w).unwrap();
    }

    #[test]
    fn the_fix_is_checked_against_the_recorded_home() {
        let (mut f, _) = filled();
        assert_eq!(f.location_check(), None);
        f.fix = Some(GeoPoint::new(24.3541, 102.5431).unwrap().with_accuracy(6.0));
        assert_eq!(f.location_check(), Some(VisitCheck::FirstFix));
        f.home = Some(GeoPoint::new(24.3741, 102.5431).unwrap());
        assert!(matches!(f.location_check(), Some(VisitCheck::Warn { .. })));
    }
}
