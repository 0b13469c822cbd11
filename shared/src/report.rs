//! A hardship report as a household (or someone filing for it) sends it from the phone.

use crate::division::{DivisionCode, DivisionLevel};
use crate::money::Fen;
use crate::national_id::NationalId;
use crate::phone::PhoneNumber;
use crate::text::{MAX_NAME_CHARS, Text, has_hidden_characters};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What happened, in the words of the report screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Hardship {
    Illness,
    Disability,
    Disaster,
    Accident,
    SchoolCosts,
    JobLoss,
    IncomeDrop,
    Other,
}

impl Hardship {
    pub const ALL: [Hardship; 8] = [
        Hardship::Illness,
        Hardship::Disability,
        Hardship::Disaster,
        Hardship::Accident,
        Hardship::SchoolCosts,
        Hardship::JobLoss,
        Hardship::IncomeDrop,
        Hardship::Other,
    ];

    pub fn label(self) -> Text {
        match self {
            Hardship::Illness => Text::new("因病", "illness"),
            Hardship::Disability => Text::new("因残", "disability"),
            Hardship::Disaster => Text::new("因灾", "disaster"),
            Hardship::Accident => Text::new("意外事故", "accident"),
            Hardship::SchoolCosts => Text::new("因学", "school costs"),
            Hardship::JobLoss => Text::new("失业", "job loss"),
            Hardship::IncomeDrop => Text::new("收入骤减", "income drop"),
            Hardship::Other => Text::new("其他", "other"),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(example = json!({
    "village": "530402001001", "household_name": "王秀英", "phone": "13812345678",
    "national_id": "11010519491231002X", "hardship": "illness", "happened_on": "2026-11-20",
    "amount": 3000000, "description": "户主突发脑梗住院，自付医疗费约3万元，家中无其他劳动力",
    "on_behalf": false, "photos": []
})))]
pub struct HardshipReport {
    /// The household's village (a 12-digit village-level code).
    pub village: DivisionCode,
    pub household_name: String,
    #[serde(default)]
    pub phone: Option<PhoneNumber>,
    #[serde(default)]
    pub national_id: Option<NationalId>,
    pub hardship: Hardship,
    pub happened_on: NaiveDate,
    /// A rough figure of the loss or cost, if the reporter knows one.
    #[serde(default)]
    pub amount: Option<Fen>,
    #[serde(default)]
    pub description: String,
    /// 村民小组, if the household gives it ("3组"): the cadre knows where to go.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[cfg_attr(feature = "openapi", schema(max_length = 20))]
    pub group: String,
    /// 代为申报: filed by someone else for a household that cannot.
    #[serde(default)]
    pub on_behalf: bool,
    /// SHA-256 (hex) of the photos that belong to the report.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::schema::PhotoDigest>, max_items = 20))]
    pub photos: Vec<String>,
    /// SHA-256 (hex) of a recorded voice note saying what happened (for those who
    /// cannot write), uploaded like a photo.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<crate::schema::PhotoDigest>))]
    pub voice_note: Option<String>,
    /// Where the phone was when the report was made, if it could tell (GPS allowed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<crate::geo::GeoPoint>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{zh} / {field}: {en}")]
pub struct ReportError {
    pub field: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
}

/// A file's name on the wire: its SHA-256 in lower-case hex, as the server names
/// uploads (an upper-case digest would never match one and the case never complete).
fn is_digest(p: &str) -> bool {
    p.len() == 64 && p.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The longest 村民小组 name ("第十三村民小组" is seven).
pub const MAX_GROUP_CHARS: usize = 20;

/// How far back a reported hardship may lie (a decision: the seeds set no limit; a
/// household reports what troubles it now, and 0001-01-01 is a typo or an attack).
pub const MAX_REPORT_AGE_DAYS: i64 = 5 * 366;

impl HardshipReport {
    /// Every uploaded file the report lists: its photos, then its voice note. The case
    /// is complete once all have arrived, and they are visible to those who see it.
    pub fn attachments(&self) -> Vec<String> {
        self.photos.iter().chain(&self.voice_note).cloned().collect()
    }

    /// Checks what types alone cannot: the level of the code, dates, lengths.
    pub fn validate(&self, today: NaiveDate) -> Result<(), ReportError> {
        let e = |field, zh, en| Err(ReportError { field, zh, en });
        if self.village.level() != DivisionLevel::Village {
            return e(
                "village",
                "应选择到村（社区）一级",
                "choose a village, not a larger division",
            );
        }
        if self.location.as_ref().is_some_and(|p| !p.is_valid()) {
            return e("location", "位置坐标无效", "the location is not a valid point");
        }
        let name = self.household_name.trim();
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return e(
                "household_name",
                "户主姓名不能为空，且不超过50字",
                "head of household: 1 to 50 characters",
            );
        }
        if has_hidden_characters(name, false) {
            return e(
                "household_name",
                "户主姓名含有控制字符",
                "head of household: contains control characters",
            );
        }
        if self.happened_on > today {
            return e(
                "happened_on",
                "发生日期不能晚于今天",
                "the date cannot be in the future",
            );
        }
        if today.signed_duration_since(self.happened_on).num_days() > MAX_REPORT_AGE_DAYS {
            return e(
                "happened_on",
                "发生日期过早：只受理近5年内发生的困难",
                "the date is too long ago: hardships of the last 5 years are reported",
            );
        }
        if self.amount.is_some_and(|a| a.0 < 0) {
            return e("amount", "金额不能为负数", "amount cannot be negative");
        }
        if self.group.chars().count() > MAX_GROUP_CHARS || has_hidden_characters(&self.group, false) {
            return e(
                "group",
                "村民小组不超过20字，且不含控制字符",
                "group: at most 20 characters, none hidden",
            );
        }
        if has_hidden_characters(&self.description, true) {
            return e(
                "description",
                "情况说明含有控制字符",
                "description: contains control characters",
            );
        }
        if self.description.chars().count() > 2000 {
            return e(
                "description",
                "情况说明不超过2000字",
                "description: at most 2000 characters",
            );
        }
        if self.voice_note.as_deref().is_some_and(|v| !is_digest(v)) {
            return e("voice_note", "语音应为SHA-256摘要", "voice_note: a SHA-256 hex digest");
        }
        if self.photos.len() > 20
            || self
                .photos
                .iter()
                // Lower-case, as the server names photos: an upper-case digest would
                // never match an upload and the case would never be complete.
                .any(|p| p.len() != 64 || !p.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        {
            return e(
                "photos",
                "照片应为不超过20个SHA-256摘要",
                "photos: up to 20 SHA-256 hex digests",
            );
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> HardshipReport {
        serde_json::from_value(serde_json::json!({
            "village": "530402001001", "household_name": "王大妈", "phone": "13812345678",
            "hardship": "illness", "happened_on": "2025-09-20", "amount": 1200000
        }))
        .unwrap()
    }

    #[test]
    fn a_plain_report_is_valid() {
        assert_eq!(report().validate("2025-09-30".parse().unwrap()), Ok(()));
    }

    #[test]
    fn invalid_reports_name_their_field() {
        let today = "2025-09-30".parse().unwrap();
        let mut r = report();
        r.village = "530402001000".parse().unwrap();
        assert_eq!(r.validate(today).unwrap_err().field, "village");
        let mut r = report();
        r.happened_on = "2025-10-01".parse().unwrap();
        assert_eq!(r.validate(today).unwrap_err().field, "happened_on");
        let mut r = report();
        r.household_name = "  ".into();
        assert_eq!(r.validate(today).unwrap_err().field, "household_name");
        let mut r = report();
        r.photos = vec!["abc".into()];
        assert_eq!(r.validate(today).unwrap_err().field, "photos");
        r.photos = vec!["AB".repeat(32)];
        assert_eq!(
            r.validate(today).unwrap_err().field,
            "photos",
            "upper case never matches an upload"
        );
        let mut r = report();
        r.happened_on = "0001-01-01".parse().unwrap();
        assert_eq!(r.validate(today).unwrap_err().field, "happened_on");
        r.happened_on = "2020-10-01".parse().unwrap();
        assert_eq!(r.validate(today), Ok(()), "five years back is still taken");
        assert!(serde_json::from_value::<HardshipReport>(serde_json::json!({"village": "5304"})).is_err());
        let mut r = report();
        r.group = "第十三村民小组".into();
        assert_eq!(r.validate(today), Ok(()));
        r.group = "组".repeat(21);
        assert_eq!(r.validate(today).unwrap_err().field, "group");
        r.group = "3组\u{202e}".into();
        assert_eq!(r.validate(today).unwrap_err().field, "group", "nothing hidden");
        let mut r = report();
        r.photos = vec!["a".repeat(64)];
        r.voice_note = Some("b".repeat(64));
        assert_eq!(r.validate(today), Ok(()));
        assert_eq!(r.attachments(), ["a".repeat(64), "b".repeat(64)]);
        r.voice_note = Some("B".repeat(64));
        assert_eq!(r.validate(today).unwrap_err().field, "voice_note");
    }
}
