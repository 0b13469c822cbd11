//! The household's "report a hardship" steps, as plain state and a reducer: the
//! screens only show a draft and send actions, so every rule here is testable
//! without a window. Few, large steps for elderly users on small phones.

use chrono::{Datelike, NaiveDate};
use zaofaxian_shared::report::{Hardship, HardshipReport, MAX_REPORT_AGE_DAYS};
use zaofaxian_shared::{DivisionCode, Fen, Lang, Text};

/// Photos a report may carry (the server takes up to 20; a few tell the story).
pub const MAX_PHOTOS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Step {
    /// 发生了什么
    What,
    /// 什么时候
    When,
    /// 谁家、大概花了多少钱、情况说明
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
    /// 村民小组, optional.
    #[serde(default)]
    pub group: String,
    /// The household's phone and ID number, as a cadre filing a case they found types
    /// them (optional; the household's own report has its account's phone).
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub national_id: String,
    pub on_behalf: bool,
    /// SHA-256 of the photos taken for the report (already processed and kept locally).
    pub photos: Vec<String>,
    /// SHA-256 of the voice note recorded for it (kept locally like a photo).
    #[serde(default)]
    pub voice_note: Option<String>,
    /// Why the last action did not move on.
    pub error: Option<Text>,
    /// The month the calendar shows, `(year, month)`; the month of the chosen date or
    /// of today when none.
    #[serde(default)]
    pub shown_month: Option<(i32, u32)>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Pick(Hardship),
    Date(NaiveDate),
    Name(String),
    Amount(String),
    Description(String),
    Group(String),
    Phone(String),
    NationalId(String),
    OnBehalf(bool),
    AddPhoto(String),
    RemovePhoto(usize),
    /// A voice note was recorded and kept (`None`: it was deleted).
    Voice(Option<String>),
    /// The calendar turns to `(year, month)` (kept within the five years a report may
    /// reach back, and never past this month).
    ShowMonth(i32, u32),
    /// The name from the household's last report, filled in when none is typed.
    Remembered(String),
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
            group: String::new(),
            phone: String::new(),
            national_id: String::new(),
            on_behalf: false,
            photos: Vec::new(),
            voice_note: None,
            error: None,
            shown_month: None,
        }
    }

    /// The month the calendar shows.
    pub fn month(&self, today: NaiveDate) -> (i32, u32) {
        self.shown_month
            .or(self.happened_on.map(|d| (d.year(), d.month())))
            .unwrap_or((today.year(), today.month()))
    }

    /// The confirmation, as label and value, one fact per line; the village by the
    /// name the caller knows for it (its code when none).
    pub fn summary(&self, village_name: Option<&str>, lang: Lang) -> Vec<(Text, String)> {
        let mut rows = vec![
            (
                Text::new("困难", "Hardship"),
                self.hardship
                    .map(|h| h.label().get(lang).to_string())
                    .unwrap_or_default(),
            ),
            (
                Text::new("发生日期", "Date"),
                self.happened_on.map(|d| d.to_string()).unwrap_or_default(),
            ),
            (
                Text::new("户主", "Head of household"),
                self.household_name.trim().to_string(),
            ),
            (
                Text::new("所在村", "Village"),
                village_name
                    .map(str::to_string)
                    .unwrap_or_else(|| self.village.to_string()),
            ),
        ];
        let group = self.group.trim();
        if !group.is_empty() {
            rows.push((Text::new("村民小组", "Group"), group.to_string()));
        }
        let amount = self.amount.trim();
        if !amount.is_empty() {
            let unit = if lang == Lang::Zh { "元" } else { " yuan" };
            rows.push((details_words(self.hardship).amount, format!("{amount}{unit}")));
        }
        let text = self.description.trim();
        if !text.is_empty() {
            rows.push((Text::new("情况说明", "What happened"), text.to_string()));
        }
        if self.voice_note.is_some() {
            rows.push((
                Text::new("语音说明", "Voice note"),
                Text::new("已录好", "recorded").get(lang).to_string(),
            ));
        }
        if !self.photos.is_empty() {
            let n = self.photos.len();
            rows.push((
                Text::new("照片", "Photos"),
                if lang == Lang::Zh {
                    format!("{n}张")
                } else {
                    n.to_string()
                },
            ));
        }
        if self.on_behalf {
            rows.push((
                Text::new("申报人", "Filed by"),
                Text::new("代为申报", "someone else, on the household's behalf")
                    .get(lang)
                    .to_string(),
            ));
        }
        rows
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
        let phone = match self.phone.trim() {
            "" => None,
            p => Some(
                p.parse::<zaofaxian_shared::PhoneNumber>()
                    .map_err(|e| Text::from_pair(&e.to_string()))?,
            ),
        };
        let national_id = match self.national_id.trim() {
            "" => None,
            n => Some(zaofaxian_shared::NationalId::parse(n).map_err(|e| Text::from_pair(&e.to_string()))?),
        };
        let report = HardshipReport {
            village: self.village,
            household_name: self.household_name.trim().to_string(),
            phone,
            national_id,
            hardship,
            happened_on,
            amount,
            description: self.description.trim().to_string(),
            group: self.group.trim().to_string(),
            on_behalf: self.on_behalf,
            photos: self.photos.clone(),
            voice_note: self.voice_note.clone(),
            location: None,
        };
        report.validate(today).map_err(|e| Text::new(e.zh, e.en))?;
        Ok(report)
    }
}

/// The details step's words for what happened: its title, what the amount is, and
/// what to say in the description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DetailsWords {
    pub title: Text,
    pub amount: Text,
    pub hint: Text,
}

pub fn details_words(hardship: Option<Hardship>) -> DetailsWords {
    let w = |title: (&str, &str), amount: (&str, &str), hint: (&str, &str)| DetailsWords {
        title: Text::new(title.0, title.1),
        amount: Text::new(amount.0, amount.1),
        hint: Text::new(hint.0, hint.1),
    };
    match hardship {
        Some(Hardship::Illness) => w(
            ("谁生病了，大概花了多少钱", "Who is ill, and the rough cost"),
            ("大概自付医疗费", "Rough medical costs paid yourselves"),
            (
                "例如：什么病、在哪里住院、还要治多久",
                "e.g. the illness, the hospital, how long the treatment lasts",
            ),
        ),
        Some(Hardship::Disability) => w(
            ("谁残疾了，大概花了多少钱", "Who is disabled, and the rough cost"),
            ("大概花费", "Rough costs"),
            (
                "例如：怎么残疾的、还能不能干活",
                "e.g. how it happened, whether they can still work",
            ),
        ),
        Some(Hardship::Disaster) => w(
            ("受了什么灾，损失多少", "What the disaster destroyed"),
            ("大概损失", "Rough loss"),
            (
                "例如：房屋、庄稼、牲畜受损情况",
                "e.g. damage to the house, crops or livestock",
            ),
        ),
        Some(Hardship::Accident) => w(
            ("出了什么事，大概花了多少钱", "What happened, and the rough cost"),
            ("大概花费或损失", "Rough cost or loss"),
            ("例如：谁受伤、怎么发生的", "e.g. who was hurt and how"),
        ),
        Some(Hardship::SchoolCosts) => w(
            ("谁上学，每年大概要多少钱", "Who is in school, and the yearly cost"),
            ("每年大概上学花费", "Rough schooling costs a year"),
            ("例如：几个孩子上学、读几年级", "e.g. how many children, which grade"),
        ),
        Some(Hardship::JobLoss) => w(
            (
                "谁失业了，每月少了多少收入",
                "Who lost work, and the income lost a month",
            ),
            ("每月大概少收入", "Rough income lost a month"),
            (
                "例如：在哪里打工、什么时候没了工作",
                "e.g. where they worked, when the work stopped",
            ),
        ),
        Some(Hardship::IncomeDrop) => w(
            ("收入少了多少", "How much income fell"),
            ("一年大概少收入", "Rough income lost this year"),
            ("例如：什么收入少了、为什么", "e.g. which income fell and why"),
        ),
        Some(Hardship::Other) | None => w(
            ("户主姓名和情况说明", "Head of household and what happened"),
            ("大概花费或损失", "Rough cost or loss"),
            ("请简单说说发生了什么", "Say briefly what happened"),
        ),
    }
}

/// The earliest day a report may name (five years back, as the core checks).
pub fn earliest(today: NaiveDate) -> NaiveDate {
    today - chrono::Duration::days(MAX_REPORT_AGE_DAYS)
}

/// A month as the calendar lays it out: weeks from Monday, `None` before the first
/// and after the last day.
pub fn month_grid(year: i32, month: u32) -> Vec<Option<NaiveDate>> {
    let Some(first) = NaiveDate::from_ymd_opt(year, month, 1) else {
        return Vec::new();
    };
    let mut cells: Vec<Option<NaiveDate>> = vec![None; first.weekday().num_days_from_monday() as usize];
    cells.extend(first.iter_days().take_while(|d| d.month() == month).map(Some));
    while cells.len() % 7 != 0 {
        cells.push(None);
    }
    cells
}

/// The month before or after `(year, month)`.
pub fn step_month((year, month): (i32, u32), forward: bool) -> (i32, u32) {
    match (forward, month) {
        (true, 12) => (year + 1, 1),
        (true, m) => (year, m + 1),
        (false, 1) => (year - 1, 12),
        (false, m) => (year, m - 1),
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
        Action::Date(date) if date < earliest(today) => {
            d.error = Some(Text::new(
                "只受理近5年内发生的困难",
                "hardships of the last 5 years are reported",
            ))
        }
        Action::Date(date) => {
            d.happened_on = Some(date);
            d.shown_month = Some((date.year(), date.month()));
            // One tap answers the question, as choosing what happened does.
            if d.step == Step::When {
                d.step = Step::Details;
            }
        }
        Action::ShowMonth(year, month) => {
            let wanted = (year, month.clamp(1, 12));
            let first = earliest(today);
            d.shown_month = Some(wanted.clamp((first.year(), first.month()), (today.year(), today.month())));
        }
        Action::Remembered(name) => {
            if d.household_name.trim().is_empty() {
                d.household_name = name;
            }
        }
        Action::Name(n) => d.household_name = n,
        Action::Amount(a) => d.amount = a,
        Action::Description(t) => d.description = t,
        Action::Group(g) => d.group = g,
        Action::Phone(p) => d.phone = p,
        Action::NationalId(n) => d.national_id = n,
        Action::OnBehalf(b) => d.on_behalf = b,
        Action::AddPhoto(sha) if d.photos.contains(&sha) => {}
        Action::AddPhoto(_) if d.photos.len() >= MAX_PHOTOS => {
            d.error = Some(Text::new(
                format!("最多{MAX_PHOTOS}张照片"),
                format!("at most {MAX_PHOTOS} photos"),
            ))
        }
        Action::AddPhoto(sha) => d.photos.push(sha),
        Action::Voice(sha) => d.voice_note = sha,
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
        assert_eq!(d.step, Step::Details, "a date tapped goes on");
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
    fn the_calendar_reaches_back_months_and_no_further_than_the_core_allows() {
        let mut d = ReportDraft::new("530402001001".parse().unwrap());
        assert_eq!(d.month(today()), (2025, 11));
        for _ in 0..3 {
            let back = step_month(d.month(today()), false);
            d = reduce(d, Action::ShowMonth(back.0, back.1), today());
        }
        assert_eq!(d.month(today()), (2025, 8), "three taps back: August");
        d = reduce(d, Action::Date("2025-08-14".parse().unwrap()), today());
        assert_eq!(d.happened_on, Some("2025-08-14".parse().unwrap()));
        d = reduce(d, Action::ShowMonth(2026, 1), today());
        assert_eq!(d.month(today()), (2025, 11), "never past this month");
        d = reduce(d, Action::ShowMonth(2010, 1), today());
        // 5 × 366 days before 2025-11-03 is 2020-10-29, as the core counts.
        assert_eq!(d.month(today()), (2020, 10), "five years back at most");
        d = reduce(d, Action::Date("2020-10-01".parse().unwrap()), today());
        assert!(d.error.is_some(), "older than the core accepts");
        assert_eq!(d.happened_on, Some("2025-08-14".parse().unwrap()));
    }

    #[test]
    fn a_month_is_laid_out_in_weeks_from_monday() {
        // 2025-11-01 is a Saturday: five blanks, then 30 days: five weeks exactly.
        let g = month_grid(2025, 11);
        assert_eq!(g.len(), 35);
        assert_eq!(g.iter().position(Option::is_some), Some(5));
        assert_eq!(g.iter().flatten().count(), 30);
        assert_eq!(g[5], Some("2025-11-01".parse().unwrap()));
        // February 2027 starts on a Monday and fills four weeks exactly.
        assert_eq!(month_grid(2027, 2).len(), 28);
        assert_eq!(step_month((2025, 1), false), (2024, 12));
        assert_eq!(step_month((2025, 12), true), (2026, 1));
    }

    #[test]
    fn the_details_step_speaks_of_what_happened_and_the_name_is_remembered() {
        let mut d = ReportDraft::new("530402001001".parse().unwrap());
        d = reduce(d, Action::Remembered("王秀英".into()), today());
        assert_eq!(d.household_name, "王秀英");
        d = reduce(d, Action::Name("李建国".into()), today());
        d = reduce(d, Action::Remembered("王秀英".into()), today());
        assert_eq!(d.household_name, "李建国", "a typed name is kept");
        assert!(details_words(Some(Hardship::JobLoss)).title.zh.contains("失业"));
        assert!(details_words(Some(Hardship::Illness)).amount.zh.contains("医疗费"));
        let titles: std::collections::BTreeSet<_> =
            Hardship::ALL.iter().map(|h| details_words(Some(*h)).title.zh).collect();
        assert_eq!(titles.len(), Hardship::ALL.len(), "each hardship has its own words");
    }

    #[test]
    fn the_confirmation_lists_each_fact_with_the_village() {
        let mut d = ReportDraft::new("530402001001".parse().unwrap());
        d = reduce(d, Action::Pick(Hardship::Illness), today());
        d = reduce(d, Action::Date("2025-10-28".parse().unwrap()), today());
        d = reduce(d, Action::Name("王秀英".into()), today());
        d = reduce(d, Action::Amount("12000".into()), today());
        d = reduce(d, Action::Description("脑梗住院".into()), today());
        let rows: Vec<(String, String)> = d
            .summary(Some("红塔区玉兴街道某村"), Lang::Zh)
            .into_iter()
            .map(|(k, v)| (k.zh, v))
            .collect();
        assert_eq!(
            rows,
            [
                ("困难", "因病"),
                ("发生日期", "2025-10-28"),
                ("户主", "王秀英"),
                ("所在村", "红塔区玉兴街道某村"),
                ("大概自付医疗费", "12000元"),
                ("情况说明", "脑梗住院"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
        );
        let d = reduce(d, Action::Voice(Some("a".repeat(64))), today());
        assert!(
            d.summary(None, Lang::Zh)
                .iter()
                .any(|(k, v)| k.zh == "语音说明" && v == "已录好"),
            "the voice note is listed"
        );
        assert_eq!(d.to_report(today()).unwrap().voice_note, Some("a".repeat(64)));
        let unnamed = d.summary(None, Lang::En);
        assert_eq!(unnamed[3].1, "530402001001", "the code when the name is unknown");
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
