//! The home visit (入户核实) as the cadre records it: who lives there, the income
//! worksheet, the 两不愁三保障 and drinking-water checks, the exclusion checklist,
//! the key-attention situations observed, where and with which photos, and the
//! household's authorization. It travels with the verification step and is what
//! the assessment is computed from, on the phone and again on the server.

use crate::division::{DivisionCode, DivisionLevel};
use crate::eligibility::{ExclusionCheck, Guarantees, HouseholdFacts, VehiclePurchase};
use crate::geo::GeoPoint;
use crate::household::Member;
use crate::income::{MAX_AMOUNT, MAX_HOUSEHOLD_SIZE, Worksheet, WorksheetError};
use crate::money::Fen;
use crate::policy::KeyFlag;
use crate::text::Text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// How the household authorized the check of its data (授权承诺书).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Authorization {
    /// Signed on the screen: the strokes as SVG path data in a 300×120 box.
    Drawn {
        #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::GivenName))]
        signer: String,
        #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::SignatureText))]
        path: String,
    },
    /// Signed on paper with a fingerprint (按手印), or by someone on the household's
    /// behalf (代签); the note says who and why.
    Fingerprint {
        #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::GivenName))]
        signer: String,
        #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::SignatureText))]
        note: String,
    },
    Proxy {
        #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::GivenName))]
        signer: String,
        #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::SignatureText))]
        note: String,
    },
}

/// The most characters of a signature's strokes or of a note on how it was signed:
/// several signatures' worth; more is not a signature.
pub const MAX_SIGNATURE_CHARS: usize = 64 * 1024;

/// Whether `text` can be a signature's strokes or a note on a signature: not blank,
/// nothing hidden (line breaks allowed), at most [`MAX_SIGNATURE_CHARS`].
pub fn is_signature_text(text: &str) -> bool {
    !text.trim().is_empty()
        && !crate::text::has_hidden_characters(text, true)
        && text.chars().count() <= MAX_SIGNATURE_CHARS
}

impl Authorization {
    fn check(&self) -> Result<(), VisitError> {
        let (signer, body) = match self {
            Authorization::Drawn { signer, path } => (signer, path),
            Authorization::Fingerprint { signer, note } | Authorization::Proxy { signer, note } => (signer, note),
        };
        if !crate::text::is_given_name(signer) {
            return Err(VisitError::new(
                "authorization.signer",
                "请填写签字人姓名（一行，不超过50字）",
                "name the person who signed (one line, at most 50 characters)",
            ));
        }
        if body.trim().is_empty() {
            let (zh, en) = match self {
                Authorization::Drawn { .. } => ("请在签名框内签名", "sign in the signature box"),
                _ => (
                    "请说明按手印或代签的情况",
                    "describe the fingerprint or proxy signature",
                ),
            };
            return Err(VisitError::new("authorization", zh, en));
        }
        if !is_signature_text(body) {
            return Err(VisitError::new(
                "authorization",
                "签名数据过大或含控制字符",
                "the signature is too large or holds control characters",
            ));
        }
        Ok(())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HomeVisit {
    /// Not after today (China time); no member is born after it.
    pub visited_on: NaiveDate,
    /// The case's village (a 12-digit code); another village's is refused (409).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::VillageCode))]
    pub village: DivisionCode,
    /// 村民小组, as the village names it ("3组", "大村").
    #[serde(default)]
    pub group: String,
    #[serde(default)]
    pub formerly_poor: bool,
    /// Everyone the household counts: the worksheet's #家庭人口数 is their number.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub members: Vec<Member>,
    pub worksheet: Worksheet,
    pub guarantees: Guarantees,
    #[serde(default)]
    pub sudden_hardship: bool,
    #[serde(default)]
    pub observed_flags: Vec<KeyFlag>,
    #[serde(default)]
    pub exclusion_checks: Vec<ExclusionCheck>,
    #[serde(default)]
    pub vehicles: Vec<VehiclePurchase>,
    /// The fix where the visit was recorded.
    #[serde(default)]
    pub location: Option<GeoPoint>,
    /// Housing photos by SHA-256, uploaded separately.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::schema::PhotoDigest>, max_items = 20))]
    pub photos: Vec<String>,
    pub authorization: Authorization,
    /// 收入大幅缩减 needs a figure to compare with: the household's per-capita net
    /// income of a year ago (the last assessment, or its records).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::Amount>))]
    pub previous_per_capita: Option<Fen>,
    /// When income fell recently (wages stopped, a business closed), the household's
    /// income per month now: the 12-month window still counts the good months, so the
    /// year ahead is projected from this.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::Amount>))]
    pub current_monthly_income: Option<Fen>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{text}")]
pub struct VisitError {
    /// The form field at fault (`members[1].name`), for the screen to highlight.
    pub field: String,
    pub text: Text,
}

impl VisitError {
    fn new(field: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> VisitError {
        VisitError {
            field: field.into(),
            text: Text::new(zh, en),
        }
    }
}

fn worksheet_error(e: WorksheetError) -> VisitError {
    VisitError::new(format!("worksheet.{}", e.field), e.zh, e.en)
}

/// The most persons one exclusion may leave out of a household.
pub const MAX_LEFT_OUT: usize = 20;

impl HomeVisit {
    /// Checks what the form must have before the visit can be saved.
    pub fn validate(&self, today: NaiveDate) -> Result<(), VisitError> {
        if self.visited_on > today {
            return Err(VisitError::new(
                "visited_on",
                "入户日期不能晚于今天",
                "the visit date is in the future",
            ));
        }
        if self.village.level() != DivisionLevel::Village {
            return Err(VisitError::new(
                "village",
                "应为村级（12位）代码",
                "must be a 12-digit village code",
            ));
        }
        if self.members.is_empty() {
            return Err(VisitError::new(
                "members",
                "请至少登记一名家庭成员",
                "record at least one member",
            ));
        }
        if self.members.len() > MAX_HOUSEHOLD_SIZE as usize {
            return Err(VisitError::new(
                "members",
                "家庭成员超过50人，请核实",
                "more than 50 members: please check",
            ));
        }
        for (i, m) in self.members.iter().enumerate() {
            if m.name.trim().is_empty() {
                return Err(VisitError::new(
                    format!("members[{i}].name"),
                    "请填写姓名",
                    "enter the name",
                ));
            }
            if !crate::text::is_plain_name(&m.name) {
                return Err(VisitError::new(
                    format!("members[{i}].name"),
                    "姓名不超过50字，且不能含控制字符",
                    "name: at most 50 characters, no control characters",
                ));
            }
            if m.birth_date > self.visited_on {
                return Err(VisitError::new(
                    format!("members[{i}].birth_date"),
                    "出生日期不能晚于入户日期",
                    "born after the visit date",
                ));
            }
        }
        self.worksheet.validate().map_err(worksheet_error)?;
        for (field, amount) in [
            ("previous_per_capita", self.previous_per_capita),
            ("current_monthly_income", self.current_monthly_income),
        ] {
            if amount.is_some_and(|a| a < Fen::ZERO || a > MAX_AMOUNT) {
                return Err(VisitError::new(
                    field,
                    "金额应在0至1亿元之间",
                    "the amount must be 0 to 100 million yuan",
                ));
            }
        }
        if self.location.as_ref().is_some_and(|p| !p.is_valid()) {
            return Err(VisitError::new(
                "location",
                "位置坐标无效",
                "the location is not a valid point",
            ));
        }
        if self.photos.len() > 20 {
            return Err(VisitError::new("photos", "照片不能超过20张", "at most 20 photos"));
        }
        // Persons left out of the household by an exclusion: names, as for members.
        for (i, c) in self.exclusion_checks.iter().enumerate() {
            if c.persons.len() > MAX_LEFT_OUT || !c.persons.iter().all(|p| crate::text::is_plain_name(p)) {
                return Err(VisitError::new(
                    format!("exclusion_checks[{i}].persons"),
                    format!("不计入本户的人员至多{MAX_LEFT_OUT}人，姓名不超过50字且不含控制字符"),
                    format!(
                        "at most {MAX_LEFT_OUT} persons left out, each name at most 50 characters without control characters"
                    ),
                ));
            }
        }
        self.authorization.check()
    }

    /// #家庭人口数: the members listed (at most 50 once validated).
    pub fn household_size(&self) -> u32 {
        u32::try_from(self.members.len()).unwrap_or(u32::MAX)
    }

    /// The assessment's inputs.
    pub fn facts(&self) -> Result<HouseholdFacts, VisitError> {
        let income = self.worksheet.compute(self.household_size()).map_err(worksheet_error)?;
        Ok(HouseholdFacts {
            division: self.village,
            assessed_on: self.visited_on,
            formerly_poor: self.formerly_poor,
            members: self.members.clone(),
            income,
            previous_per_capita: self.previous_per_capita,
            current_monthly_income: self.current_monthly_income,
            guarantees: self.guarantees,
            sudden_hardship: self.sudden_hardship,
            observed_flags: self.observed_flags.clone(),
            exclusion_checks: self.exclusion_checks.clone(),
            vehicles: self.vehicles.clone(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::eligibility::assess;
    use crate::policy::Policy;

    /// A 玉溪 household: an elderly couple with no labour and a small pension, signed on screen.
    fn visit() -> HomeVisit {
        serde_json::from_value(serde_json::json!({
            "visited_on": "2025-11-03", "village": "530402001001", "group": "3组",
            "members": [
                { "name": "张三", "birth_date": "1950-02-01", "labour": "none", "health": "chronic" },
                { "name": "李四", "birth_date": "1952-06-01", "labour": "partial", "health": "healthy" }
            ],
            "worksheet": { "collected_on": "2025-11-03",
                           "transfers": [ { "item": "Pension", "amount": 360000 } ] },
            "guarantees": { "food_and_clothing": true, "compulsory_education": true, "basic_medical": true,
                            "housing_safe": false, "drinking_water": true },
            "observed_flags": ["adobe_only_house"],
            "authorization": { "kind": "drawn", "signer": "张三", "path": "M10 10 L50 60" }
        }))
        .unwrap()
    }

    #[test]
    fn a_complete_visit_validates_and_assesses_with_reasons() {
        let mut v = visit();
        v.validate(v.visited_on).unwrap();
        let profile = Policy::embedded().profile_for(v.village).unwrap();
        v.exclusion_checks = profile
            .exclusions
            .iter()
            .map(|r| ExclusionCheck {
                rule_id: r.id.clone(),
                applies: false,
                override_note: None,
                persons: Vec::new(),
            })
            .collect();
        let a = assess(Policy::embedded(), &v.facts().unwrap()).unwrap();
        // 3600 yuan a head is under 玉溪's 2025 line; the unsafe house is named as a reason.
        assert!(a.eligible, "{a:?}");
        assert!(
            a.reasons
                .iter()
                .any(|r| r.code == "guarantee_unmet" || r.code == "below_threshold")
        );
        assert!(a.flags.iter().any(|f| f.flag == KeyFlag::LowLabour), "{:?}", a.flags);
        assert!(a.flags.iter().any(|f| f.flag == KeyFlag::AdobeOnlyHouse));
    }

    #[test]
    fn each_missing_part_is_named() {
        let today = visit().visited_on;
        let mut v = visit();
        v.members.clear();
        assert_eq!(v.validate(today).unwrap_err().field, "members");

        let mut v = visit();
        v.members[1].name = " ".into();
        assert_eq!(v.validate(today).unwrap_err().field, "members[1].name");

        // The worksheet shares its income among the members listed: there is no head
        // count to disagree with them.
        let v = visit();
        assert_eq!(v.facts().unwrap().income.household_size, 2);
        let mut v = visit();
        v.members = vec![v.members[0].clone(); MAX_HOUSEHOLD_SIZE as usize + 1];
        assert_eq!(v.validate(today).unwrap_err().field, "members");
        v.members.truncate(MAX_HOUSEHOLD_SIZE as usize);
        v.validate(today).unwrap();

        let mut v = visit();
        v.authorization = Authorization::Proxy {
            signer: "张\u{202e}三".into(),
            note: "代签".into(),
        };
        assert_eq!(v.validate(today).unwrap_err().field, "authorization.signer");
        v.authorization = Authorization::Proxy {
            signer: "张三".into(),
            note: "代签\u{0}".into(),
        };
        assert_eq!(v.validate(today).unwrap_err().field, "authorization");

        let mut v = visit();
        v.authorization = Authorization::Drawn {
            signer: "张三".into(),
            path: String::new(),
        };
        assert!(v.validate(today).unwrap_err().text.zh.contains("签名框"));

        let mut v = visit();
        v.authorization = Authorization::Fingerprint {
            signer: "张三".into(),
            note: "不识字，按手印，村民小组长王五见证".into(),
        };
        v.validate(today).unwrap();

        let v = visit();
        assert_eq!(v.validate(today.pred_opt().unwrap()).unwrap_err().field, "visited_on");
    }
}
