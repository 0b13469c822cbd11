//! The household's "report a hardship" steps, as plain state and a reducer: the
//! screens only show a draft and send actions, so every rule here is testable
//! without a window. Few, large steps for elderly users on small phones.

use chrono::NaiveDate;
use zaofaxian_shared::report::{Hardship, HardshipReport};
use zaofaxian_shared::{DivisionCode, Fen, Text};

/// Photos a report may carry (the server takes up to 20; a few tell the story).
pub const MAX_PHOTOS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Step {
    /// 发生了什么
    What,
    /// 什么时候
    When,
    /// 大概花了多少钱、谁家
    Details,
    /// 确认提交
    Confirm,
    /// Saved to the outbox (sent whenever there is a signal).
    Saved,
}

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ReportDraft {
    pub step: Step,
    pub village: DivisionCode,
    pub hardship: Option<Hardship>,
    pub happened_on: Option<NaiveDate>,
    pub household_name: String,
    /// As typed, in yuan ("1.2万" is not accepted; digits only).
    pub amount: String,
    pub description: String,
    pub on_behalf: bool,
    /// SHA-256 of the photos taken for the report (already processed and kept locally).
    pub photos: Vec<String>,
    /// Why the last action did not move on.
    pub error: Option<Text>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Pick(Hardship),
    Date(NaiveDate),
    Name(String),
    Amount(String),
    Description(String),
    OnBehalf(bool),
    AddPhoto(String),
    RemovePhoto(usize),
    Next,
    Back,
    /// The report was written to the outbox.
    Saved,
}

impl ReportDraft {
    pub fn new(village: DivisionCode) -> Self {
        ReportDraft {
            step: Step::What,
            village,
            hardship: None,
            happened_on: None,
            household_name: String::new(),
            amount: String::new(),
            description: String::new(),
            on_behalf: false,
            photos: Vec::new(),
            error: None,
        }
    }

    /// The report this draft describes, or the first thing missing.
    pub fn to_report(&self, today: NaiveDate) -> Result<HardshipReport, Text> {
        let hardship = self
            .hardship
            .ok_or_else(|| Text::new("请选择发生了什么", "choose what happened"))?;
        let happened_on = self
            .happened_on
            .ok_or_else(|| Text::new("请选择发生的日期", "choose when it happened"))?;
        let amount = match self.amount.trim() {
            "" => None,
            s => Some(
                s.parse::<Fen>()
                    .map_err(|_| Text::new("金额请只填数字，例如 12000", "amount: digits only, e.g. 12000"))?,
            ),
        };
        let report = HardshipReport {
            village: self.village,
            household_name: self.household_name.trim().to_string(),
            phone: None,
            national_id: None,
            hardship,
            happened_on,
            amount,
            description: self.description.trim().to_string(),
            on_behalf: self.on_behalf,
            photos: self.photos.clone(),
            location: None,
        };
        report.validate(today).map_err(|e| Text::new(e.zh, e.en))?;
        Ok(report)
    }
}

/// Applies one action. `today` bounds the date (no future hardships).
pub fn reduce(mut d: ReportDraft, action: Action, today: NaiveDate) -> ReportDraft {
    d.error = None;
    match action {
        Action::Pick(h) => {
            d.hardship = Some(h);
            d.step = Step::When;
        }
        Action::Date(date) if date > today => {
            d.error = Some(Text::new("日期不能晚于今天", "the date cannot be in the future"))
        }
        Action::Date(date) => d.happened_on = Some(date),
        Action::Name(n) => d.household_name = n,
        Action::Amount(a) => d.amount = a,
        Action::Description(t) => d.description = t,
        Action::OnBehalf(b) => d.on_behalf = b,
        Action::AddPhoto(sha) if d.photos.contains(&sha) => {}
        Action::AddPhoto(_) if d.photos.len() >= MAX_PHOTOS => {
            d.error = Some(Text::new(
                format!("最多{MAX_PHOTOS}张照片"),
                format!("at most {MAX_PHOTOS} photos"),
            ))
        }
        Action::AddPhoto(sha) => d.photos.push(sha),
        Action::RemovePhoto(i) => {
            if i < d.photos.len() {
                d.photos.remove(i);
            }
        }
        Action::Next => {
            let next = match d.step {
                Step::What => d
                    .hardship
                    .map(|_| Step::When)
                    .ok_or(Text::new("请选择发生了什么", "choose what happened")),
                Step::When => d
                    .happened_on
                    .map(|_| Step::Details)
                    .ok_or(Text::new("请选择发生的日期", "choose when it happened")),
                Step::Details => d.to_report(today).map(|_| Step::Confirm),
                Step::Confirm | Step::Saved => Ok(d.step),
            };
            match next {
                Ok(s) => d.step = s,
                Err(e) => d.error = Some(e),
            }
        }
        Action::Back => {
            d.step = match d.step {
                Step::What | Step::When => Step::What,
                Step::Details => Step::When,
                Step::Confirm => Step::Details,
                Step::Saved => Step::Saved,
            }
        }
        Action::Saved => d.step = Step::Saved,
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        "2025-11-03".parse().unwrap()
    }

    #[test]
    fn a_report_walks_through_the_steps() {
        let mut d = ReportDraft::new("530402001001".parse().unwrap());
        d = reduce(d, Action::Next, today());
        assert_eq!(
            (d.step, d.error.as_ref().map(|e| e.zh.as_str())),
            (Step::What, Some("请选择发生了什么"))
        );
        d = reduce(d, Action::Pick(Hardship::Illness), today());
        assert_eq!(d.step, Step::When);
        d = reduce(d, Action::Date("2025-12-01".parse().unwrap()), today());
        assert!(d.error.is_some(), "no future dates");
        d = reduce(d, Action::Date("2025-10-28".parse().unwrap()), today());
        d = reduce(d, Action::Next, today());
        assert_eq!(d.step, Step::Details);
        d = reduce(d, Action::Amount("1.2万".into()), today());
        d = reduce(d, Action::Next, today());
        assert_eq!(d.step, Step::Details, "the name and amount are checked here");
        d = reduce(d, Action::Name("王秀英".into()), today());
        d = reduce(d, Action::Amount("12000".into()), today());
        d = reduce(d, Action::Next, today());
        assert_eq!(d.step, Step::Confirm);
        let r = d.to_report(today()).unwrap();
        assert_eq!((r.hardship, r.amount), (Hardship::Illness, Some(Fen::yuan(12000))));
        d = reduce(d, Action::Back, today());
        assert_eq!(d.step, Step::Details);
    }

    #[test]
    fn photos_are_listed_once_and_capped() {
        let mut d = ReportDraft::new("530402001001".parse().unwrap());
        for i in 0..MAX_PHOTOS {
            d = reduce(d, Action::AddPhoto(format!("{i:064}")), today());
        }
        d = reduce(d, Action::AddPhoto(format!("{:064}", 0)), today());
        assert_eq!(
            (d.photos.len(), d.error.is_none()),
            (MAX_PHOTOS, true),
            "a repeat is ignored"
        );
        d = reduce(d, Action::AddPhoto("f".repeat(64)), today());
        assert!(d.error.as_ref().unwrap().zh.contains("最多6张"));
        d = reduce(d, Action::RemovePhoto(0), today());
        assert_eq!(d.photos[0], format!("{:064}", 1));
        d = reduce(d, Action::Pick(Hardship::Disaster), today());
        d = reduce(d, Action::Date(today()), today());
        d = reduce(d, Action::Name("李建国".into()), today());
        assert_eq!(
            d.to_report(today()).unwrap().photos.len(),
            MAX_PHOTOS - 1,
            "the report lists them"
        );
    }
}
