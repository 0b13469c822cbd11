//! Policy profiles: the rules in force in a region, loaded from `data/policy.toml`.
//! Thresholds, notice lengths, deadlines and exclusion lists are data because they
//! change by region and year; the code only interprets them.

use crate::calendar::{Calendar, CalendarError};
use crate::division::DivisionCode;
use crate::money::Fen;
use crate::text::Text;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const EMBEDDED_POLICY_TOML: &str = include_str!("../data/policy.toml");

/// How a period is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PeriodUnit {
    /// "5个工作日"
    WorkingDays,
    /// "不少于5天"
    CalendarDays,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Period {
    pub length: u32,
    pub unit: PeriodUnit,
}

impl Period {
    /// The last day of a period that starts the day after `start`, counted
    /// provisionally through a year without holiday data.
    pub fn due(&self, cal: &Calendar, start: NaiveDate) -> Result<crate::calendar::Due, CalendarError> {
        match self.unit {
            PeriodUnit::WorkingDays => cal.due_in_working_days(start, self.length),
            PeriodUnit::CalendarDays => cal.due_in_calendar_days(start, self.length),
        }
    }

    /// The last day of a period that starts the day after `start`.
    pub fn end(&self, cal: &Calendar, start: NaiveDate) -> Result<NaiveDate, CalendarError> {
        match self.unit {
            PeriodUnit::WorkingDays => cal.add_working_days(start, self.length),
            PeriodUnit::CalendarDays => cal.add_calendar_days(start, self.length),
        }
    }
}

/// What it takes to include a household despite an exclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OverrideRule {
    /// Never.
    None,
    /// A verified, written explanation to the villagers (专门说明).
    Explanation,
    /// A review by the village representative assembly (村民代表大会重点评议), with its record.
    AssemblyReview,
}

/// Whom an exclusion names. Most name the household ("有家庭成员…的", "…的农户"); some
/// name persons ("空挂人口", "死亡人员、服刑人员、失踪人员、与户主不共享开支或收入的人员"):
/// such a person is left out of the household, and the household is judged without
/// them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ExclusionScope {
    #[default]
    Household,
    Person,
}

/// 玉溪 rule 3's measurable form: a consumer vehicle over a price within a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VehicleRule {
    pub min_price_yuan: i64,
    pub within_months: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExclusionRule {
    pub id: String,
    pub zh: String,
    pub en: String,
    #[serde(rename = "override")]
    pub override_rule: OverrideRule,
    #[serde(default)]
    pub vehicle: Option<VehicleRule>,
    #[serde(default)]
    pub scope: ExclusionScope,
}

impl ExclusionRule {
    pub fn text(&self) -> Text {
        Text::new(&self.zh, &self.en)
    }
}

/// The key-attention household types (重点关注) a profile checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum KeyFlag {
    /// 1 转移性收入占比超过40%
    TransferShare,
    /// 2 家庭劳动力系数≤0.5
    LowLabour,
    /// 3 有劳动力但无产业覆盖、零就业
    LabourWithoutLivelihood,
    /// 4 大病重病或慢性病负担过重
    SeriousIllness,
    /// 5 2个以上孩子在非义务教育学段
    NonCompulsoryStudents,
    /// 6 唯一住房是土坯房且收入每况愈下
    AdobeOnlyHouse,
    /// 7 因不可抗因素发展产业失败
    IndustryFailure,
    /// 8 因自然灾害、意外事故、重大疫情等突发事件
    SuddenEvent,
    /// 9 16周岁以下无法定监护人、60周岁以上无法定赡养人
    WithoutGuardian,
    /// 10 重度残疾人、失能老年人口、整户无劳动能力等
    SpecialHardship,
}

impl KeyFlag {
    pub const ALL: [KeyFlag; 10] = [
        KeyFlag::TransferShare,
        KeyFlag::LowLabour,
        KeyFlag::LabourWithoutLivelihood,
        KeyFlag::SeriousIllness,
        KeyFlag::NonCompulsoryStudents,
        KeyFlag::AdobeOnlyHouse,
        KeyFlag::IndustryFailure,
        KeyFlag::SuddenEvent,
        KeyFlag::WithoutGuardian,
        KeyFlag::SpecialHardship,
    ];

    pub fn label(self) -> Text {
        let (zh, en) = match self {
            KeyFlag::TransferShare => ("转移性收入占比超过40%的家庭", "Transfer income over 40% of income"),
            KeyFlag::LowLabour => ("家庭劳动力系数≤0.5的家庭", "Household labour coefficient at most 0.5"),
            KeyFlag::LabourWithoutLivelihood => (
                "家中有1个以上劳动力但由于客观原因无产业覆盖、零就业的家庭",
                "Has labour but no farming or business and no employment",
            ),
            KeyFlag::SeriousIllness => (
                "家中有大病重病病人、慢性病自付医疗费用负担过重或丧失主要劳动力的家庭",
                "Serious illness, or a chronic illness with a heavy out-of-pocket burden",
            ),
            KeyFlag::NonCompulsoryStudents => (
                "家中有2个或以上孩子在非义务教育学段就学的家庭",
                "Two or more children in non-compulsory education",
            ),
            KeyFlag::AdobeOnlyHouse => (
                "经济基础薄弱、收入每况愈下且唯一住房是土坯房的农户",
                "Declining income and the only home is an adobe house",
            ),
            KeyFlag::IndustryFailure => (
                "因不可抗因素发展产业失败、生产经营亏损导致收入大幅减少的农户",
                "Farm or business failed for reasons beyond control, with a loss",
            ),
            KeyFlag::SuddenEvent => (
                "因自然灾害、意外事故、重大疫情等突发事件导致收入大幅缩减或“三保障”无保障的农户",
                "Disaster, accident or epidemic cut income or the three guarantees",
            ),
            KeyFlag::WithoutGuardian => (
                "16周岁以下且无法定监护人、60周岁以上且无法定赡养人的农户",
                "A child under 16 without a guardian, or a person 60+ without a supporter",
            ),
            KeyFlag::SpecialHardship => (
                "有重度残疾人、失能老年人口、整户无劳动能力等特殊困难的农户",
                "Severe disability, a disabled elderly person, or no labour at all",
            ),
        };
        Text::new(zh, en)
    }
}

/// The words a region uses for the mechanism, from a given year on. The seeds (2021)
/// say 监测对象 and 监测底线; the 2026 central No.1 document makes monitoring 常态化 and
/// speaks of 防止返贫致贫对象 and an 认定标准.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Terms {
    pub from_year: i32,
    /// Who is monitored: 监测对象 / 防止返贫致贫对象.
    pub object: Text,
    /// The income line: 监测底线 / 认定标准.
    pub line: Text,
    /// The document the wording follows.
    pub source: String,
}

impl Terms {
    /// The seeds' wording, used where a profile sets none.
    pub fn seeds() -> Terms {
        Terms {
            from_year: 2021,
            object: Text::new("监测对象", "monitored household"),
            line: Text::new("监测底线", "monitoring threshold"),
            source: "云巩固振兴组〔2021〕1号".into(),
        }
    }
}

/// A threshold and the document that set it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Threshold {
    pub region: DivisionCode,
    pub year: i32,
    pub amount: Fen,
    pub source: String,
}

/// Years a threshold may be set for.
pub const THRESHOLD_YEARS: std::ops::RangeInclusive<i32> = 2020..=2100;
/// The largest yearly per-person figure accepted (a typo guard, far above any line).
pub const MAX_THRESHOLD_YUAN: i64 = 1_000_000;

impl Threshold {
    /// A threshold an officer typed: a province, prefecture or county; a plausible
    /// year and amount; the document named.
    pub fn checked(region: DivisionCode, year: i32, yuan: i64, source: &str) -> Result<Threshold, PolicyError> {
        use crate::division::DivisionLevel;
        if !matches!(
            region.level(),
            DivisionLevel::Province | DivisionLevel::Prefecture | DivisionLevel::County
        ) {
            return Err(invalid(
                format!("{region} 不是省、州（市）或县级区划：监测底线由省、州（市）或县设定"),
                format!("{region} is not a province, prefecture or county: only those set thresholds"),
            ));
        }
        if !THRESHOLD_YEARS.contains(&year) {
            return Err(invalid(format!("年份无效：{year}"), format!("bad year: {year}")));
        }
        if !(1..=MAX_THRESHOLD_YUAN).contains(&yuan) {
            return Err(invalid(
                format!("金额应在1至{MAX_THRESHOLD_YUAN}元之间：{yuan}"),
                format!("the amount must be 1 to {MAX_THRESHOLD_YUAN} yuan: {yuan}"),
            ));
        }
        let source = source.trim();
        if source.is_empty() || source.chars().count() > 200 || crate::text::has_hidden_characters(source, false) {
            return Err(invalid(
                "请写明设定该底线的文件（文号或名称，200字以内）".into(),
                "name the document that set the threshold (number or title, up to 200 characters)".into(),
            ));
        }
        Ok(Threshold {
            region,
            year,
            amount: Fen::yuan(yuan),
            source: source.to_string(),
        })
    }
}

/// Parameters of the computed key-attention flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagParams {
    /// Transfer share strictly above this, in basis points (4000 = 40%).
    pub transfer_share_over_bp: u32,
    /// Labour coefficient at most this, in tenths (5 = 0.5).
    pub labour_coefficient_max_tenths: u32,
    pub non_compulsory_students_min: u32,
    /// "16周岁以下" and "60周岁以上" both include the age named (民法典 第1259条:
    /// "以上、以下、以内、届满，包括本数"): up to and including 16, from 60.
    pub minor_age_up_to: u32,
    pub elderly_age_from: u32,
}

/// A resolved profile: every field set, inheritance applied.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Profile {
    pub id: String,
    pub region: DivisionCode,
    pub name: Text,
    pub verification_working_days: Option<u32>,
    pub notice: Period,
    pub second_notice: bool,
    pub township_review_working_days: Option<u32>,
    pub monthly_report_day: Option<u32>,
    pub elimination_requires_consent: bool,
    pub elimination_not_in_identification_month: bool,
    pub no_elimination_without_labour: bool,
    /// The township reviews a household reported after a sudden event at once, not
    /// within its usual working days (玉溪 "对收到突发事件上报的…应即刻进行研究审核").
    pub sudden_events_reviewed_at_once: bool,
    /// The county reviews the townships' reports every month (鹤庆 "每月一复核，每月一研判"),
    /// so a household awaiting it has a due date ([`crate::reporting::county_review_due`]).
    pub county_reviews_monthly: bool,
    pub key_flags: Vec<KeyFlag>,
    pub flag_params: FlagParams,
    pub exclusions: Vec<ExclusionRule>,
    /// Wording by year, oldest first (empty: the seeds' wording throughout).
    pub terms: Vec<Terms>,
}

impl Profile {
    pub fn exclusion(&self, id: &str) -> Option<&ExclusionRule> {
        self.exclusions.iter().find(|r| r.id == id)
    }

    /// The wording in force in `year`.
    pub fn terms(&self, year: i32) -> Terms {
        self.terms
            .iter()
            .rev()
            .find(|t| t.from_year <= year)
            .cloned()
            .unwrap_or_else(Terms::seeds)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("政策数据格式错误：{0} / policy data is malformed: {0}")]
    Format(String),
    #[error("政策数据错误：{zh} / policy data error: {en}")]
    Invalid { zh: String, en: String },
    #[error(
        "{region} 没有{year}年的监测底线；请由省、州（市）或县设置 / no monitoring threshold for {year} in {region}: the province, prefecture or county must set one"
    )]
    NoThreshold { region: DivisionCode, year: i32 },
    #[error("{0} 不在任何政策适用范围内 / no policy profile covers {0}")]
    NoProfile(DivisionCode),
}

fn invalid(zh: String, en: String) -> PolicyError {
    PolicyError::Invalid { zh, en }
}

// ---- raw file shape ----

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct RawFile {
    national: RawNational,
    #[serde(default)]
    region: Vec<RawRegion>,
    #[serde(default)]
    profile: Vec<RawProfile>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct RawNational {
    poverty_line: BTreeMap<String, i64>,
    baseline: BTreeMap<String, i64>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct RawRegion {
    code: DivisionCode,
    name: String,
    #[serde(default)]
    thresholds: BTreeMap<String, i64>,
    /// The document behind each year's figure.
    #[serde(default)]
    sources: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
struct RawProfile {
    id: String,
    extends: Option<String>,
    region: DivisionCode,
    name_zh: String,
    name_en: String,
    verification_working_days: Option<u32>,
    notice: Option<Period>,
    second_notice: Option<bool>,
    township_review_working_days: Option<u32>,
    monthly_report_day: Option<u32>,
    elimination_requires_consent: Option<bool>,
    elimination_not_in_identification_month: Option<bool>,
    no_elimination_without_labour: Option<bool>,
    sudden_events_reviewed_at_once: Option<bool>,
    county_reviews_monthly: Option<bool>,
    key_flags: Option<Vec<KeyFlag>>,
    transfer_share_over_bp: Option<u32>,
    labour_coefficient_max_tenths: Option<u32>,
    non_compulsory_students_min: Option<u32>,
    minor_age_up_to: Option<u32>,
    elderly_age_from: Option<u32>,
    #[serde(default)]
    exclusion: Vec<ExclusionRule>,
    #[serde(default)]
    terms: Vec<Terms>,
}

/// Defaults for flag parameters when no profile in the chain sets them (玉溪's values).
const DEFAULT_FLAGS: FlagParams = FlagParams {
    transfer_share_over_bp: 4000,
    labour_coefficient_max_tenths: 5,
    non_compulsory_students_min: 2,
    minor_age_up_to: 16,
    elderly_age_from: 60,
};

/// All policy data: thresholds by region and year, and the profiles.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    poverty_line: BTreeMap<i32, Fen>,
    baseline: BTreeMap<i32, Fen>,
    regions: BTreeMap<DivisionCode, (String, BTreeMap<i32, Fen>)>,
    /// The document behind each figure, by (region, year).
    sources: BTreeMap<(DivisionCode, i32), String>,
    profiles: Vec<Profile>,
}

fn years(map: &BTreeMap<String, i64>, what: &str) -> Result<BTreeMap<i32, Fen>, PolicyError> {
    map.iter()
        .map(|(y, v)| {
            let year: i32 = y
                .parse()
                .map_err(|_| invalid(format!("{what} 的年份无效：{y}"), format!("{what}: bad year {y}")))?;
            if *v <= 0 {
                return Err(invalid(
                    format!("{what} {year}年的金额应为正数"),
                    format!("{what} {year}: amount must be positive"),
                ));
            }
            Ok((year, Fen::yuan(*v)))
        })
        .collect()
}

impl Policy {
    /// The policy shipped with the project.
    pub fn embedded() -> &'static Policy {
        static POLICY: OnceLock<Policy> = OnceLock::new();
        POLICY.get_or_init(|| {
            Policy::from_toml(EMBEDDED_POLICY_TOML).expect("shipped policy data is valid (checked by tests)")
        })
    }

    pub fn from_toml(text: &str) -> Result<Policy, PolicyError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| PolicyError::Format(e.to_string()))?;
        let mut regions = BTreeMap::new();
        let mut sources = BTreeMap::new();
        for r in &raw.region {
            let t = years(&r.thresholds, &r.name)?;
            for year in t.keys() {
                let source = r.sources.get(&year.to_string()).ok_or_else(|| {
                    invalid(
                        format!("{}{year}年的监测底线未写明出处（sources）", r.name),
                        format!("{} {year}: the threshold names no source", r.name),
                    )
                })?;
                sources.insert((r.code, *year), source.clone());
            }
            if regions.insert(r.code, (r.name.clone(), t)).is_some() {
                return Err(invalid(
                    format!("地区 {} 重复", r.code),
                    format!("region {} listed twice", r.code),
                ));
            }
        }
        let policy_without_profiles = Policy {
            poverty_line: years(&raw.national.poverty_line, "poverty_line")?,
            baseline: years(&raw.national.baseline, "baseline")?,
            regions,
            sources,
            profiles: Vec::new(),
        };
        policy_without_profiles.check_no_region_below_its_parents()?;
        let profiles = resolve_profiles(&raw.profile)?;
        Ok(Policy {
            profiles,
            ..policy_without_profiles
        })
    }

    /// "各州（市）可根据本地实际……但不得低于全省监测底线": a lower figure is a data error.
    fn check_no_region_below_its_parents(&self) -> Result<(), PolicyError> {
        for (code, (name, thresholds)) in &self.regions {
            for (year, value) in thresholds {
                if let Some(base) = self.baseline.get(year).filter(|b| value < *b) {
                    return Err(invalid(
                        format!("{name}{year}年监测底线{value}元低于全国底线{base}元"),
                        format!("{name} {year}: threshold {value} is below the national baseline {base}"),
                    ));
                }
                for parent in code.ancestors() {
                    if let Some((pname, pt)) = self.regions.get(&parent)
                        && let Some(pv) = pt.get(year).filter(|pv| value < *pv)
                    {
                        return Err(invalid(
                            format!("{name}{year}年监测底线{value}元低于{pname}的{pv}元"),
                            format!("{name} {year}: threshold {value} is below {pname}'s {pv}"),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    pub fn profile(&self, id: &str) -> Option<&Profile> {
        self.profiles.iter().find(|p| p.id == id)
    }

    /// The most specific profile whose region contains `division`.
    pub fn profile_for(&self, division: DivisionCode) -> Result<&Profile, PolicyError> {
        self.profiles
            .iter()
            .filter(|p| p.region.contains(division))
            .max_by_key(|p| p.region.level())
            .ok_or(PolicyError::NoProfile(division))
    }

    /// The monitoring threshold in force for `division` in `year`: the most specific
    /// region that set one (county, then prefecture, then province), never below any
    /// enclosing region's figure for the same year.
    pub fn threshold(&self, division: DivisionCode, year: i32) -> Result<Fen, PolicyError> {
        let mut chain = division.ancestors();
        chain.push(division);
        chain
            .iter()
            .filter_map(|c| self.regions.get(c).and_then(|(_, t)| t.get(&year)))
            .max()
            .copied()
            .ok_or(PolicyError::NoThreshold { region: division, year })
    }

    /// Every threshold with its source, by region and year.
    pub fn thresholds(&self) -> Vec<Threshold> {
        self.regions
            .iter()
            .flat_map(|(code, (_, t))| {
                t.iter().map(|(year, amount)| Threshold {
                    region: *code,
                    year: *year,
                    amount: *amount,
                    source: self.sources.get(&(*code, *year)).cloned().unwrap_or_default(),
                })
            })
            .collect()
    }

    /// The region that set the threshold in force for `division` in `year`, and its source.
    pub fn threshold_source(&self, division: DivisionCode, year: i32) -> Option<(DivisionCode, &str)> {
        let amount = self.threshold(division, year).ok()?;
        let mut chain = division.ancestors();
        chain.push(division);
        chain.iter().rev().find_map(|c| {
            let t = self.regions.get(c)?.1.get(&year)?;
            (*t == amount).then(|| (*c, self.sources.get(&(*c, year)).map_or("", String::as_str)))
        })
    }

    /// This policy with its thresholds replaced by `list` (the store's, which began as
    /// the shipped ones). Refused when a region would fall below an enclosing one.
    pub fn with_thresholds(&self, list: &[Threshold]) -> Result<Policy, PolicyError> {
        let mut p = self.clone();
        for (_, t) in p.regions.values_mut() {
            t.clear();
        }
        p.sources.clear();
        for t in list {
            let entry = p
                .regions
                .entry(t.region)
                .or_insert_with(|| (t.region.to_string(), BTreeMap::new()));
            entry.1.insert(t.year, t.amount);
            p.sources.insert((t.region, t.year), t.source.clone());
        }
        p.check_no_region_below_its_parents()?;
        Ok(p)
    }

    /// This policy with one threshold set (added or replaced).
    pub fn with_threshold(&self, t: &Threshold) -> Result<Policy, PolicyError> {
        let mut list: Vec<Threshold> = self
            .thresholds()
            .into_iter()
            .filter(|x| !(x.region == t.region && x.year == t.year))
            .collect();
        list.push(t.clone());
        self.with_thresholds(&list)
    }

    /// 脱贫攻坚期国定扶贫标准: the campaign-period poverty line (fixed at its last year's value).
    pub fn campaign_poverty_line(&self) -> Fen {
        self.poverty_line
            .values()
            .next_back()
            .copied()
            .unwrap_or(Fen::yuan(4000))
    }
}

fn resolve_profiles(raw: &[RawProfile]) -> Result<Vec<Profile>, PolicyError> {
    let by_id: BTreeMap<&str, &RawProfile> = raw.iter().map(|p| (p.id.as_str(), p)).collect();
    if by_id.len() != raw.len() {
        return Err(invalid("政策档案编号重复".into(), "duplicate profile id".into()));
    }
    raw.iter().map(|p| resolve(p, &by_id, 0)).collect()
}

fn resolve(p: &RawProfile, by_id: &BTreeMap<&str, &RawProfile>, depth: usize) -> Result<Profile, PolicyError> {
    if depth > 8 {
        return Err(invalid(
            format!("政策档案 {} 继承成环", p.id),
            format!("profile {} extends itself", p.id),
        ));
    }
    let parent = match &p.extends {
        Some(pid) => {
            let raw_parent = by_id.get(pid.as_str()).ok_or_else(|| {
                invalid(
                    format!("{} 继承的档案 {pid} 不存在", p.id),
                    format!("{} extends unknown profile {pid}", p.id),
                )
            })?;
            if !raw_parent.region.contains(p.region) {
                return Err(invalid(
                    format!("{} 的地区不在 {pid} 的地区内", p.id),
                    format!("{}'s region lies outside {pid}'s", p.id),
                ));
            }
            Some(resolve(raw_parent, by_id, depth + 1)?)
        }
        None => None,
    };
    let missing = |field: &str| invalid(format!("{} 缺少 {field}", p.id), format!("{} lacks {field}", p.id));
    let pf = parent.as_ref().map(|x| x.flag_params).unwrap_or(DEFAULT_FLAGS);
    let exclusions = if p.exclusion.is_empty() {
        parent.as_ref().map(|x| x.exclusions.clone()).unwrap_or_default()
    } else {
        p.exclusion.clone()
    };
    let terms = if p.terms.is_empty() {
        parent.as_ref().map(|x| x.terms.clone()).unwrap_or_default()
    } else {
        let mut t = p.terms.clone();
        t.sort_by_key(|t| t.from_year);
        t
    };
    let mut seen = std::collections::BTreeSet::new();
    if let Some(dup) = exclusions.iter().find(|r| !seen.insert(r.id.as_str())) {
        return Err(invalid(
            format!("{} 的排除情形 {} 重复", p.id, dup.id),
            format!("{}: exclusion {} twice", p.id, dup.id),
        ));
    }
    Ok(Profile {
        id: p.id.clone(),
        region: p.region,
        name: Text::new(&p.name_zh, &p.name_en),
        verification_working_days: p
            .verification_working_days
            .or(parent.as_ref().and_then(|x| x.verification_working_days)),
        notice: p
            .notice
            .or(parent.as_ref().map(|x| x.notice))
            .ok_or_else(|| missing("notice"))?,
        second_notice: p
            .second_notice
            .or(parent.as_ref().map(|x| x.second_notice))
            .unwrap_or(false),
        township_review_working_days: p
            .township_review_working_days
            .or(parent.as_ref().and_then(|x| x.township_review_working_days)),
        monthly_report_day: p
            .monthly_report_day
            .or(parent.as_ref().and_then(|x| x.monthly_report_day)),
        elimination_requires_consent: p
            .elimination_requires_consent
            .or(parent.as_ref().map(|x| x.elimination_requires_consent))
            .unwrap_or(true),
        elimination_not_in_identification_month: p
            .elimination_not_in_identification_month
            .or(parent.as_ref().map(|x| x.elimination_not_in_identification_month))
            .unwrap_or(true),
        no_elimination_without_labour: p
            .no_elimination_without_labour
            .or(parent.as_ref().map(|x| x.no_elimination_without_labour))
            .unwrap_or(false),
        sudden_events_reviewed_at_once: p
            .sudden_events_reviewed_at_once
            .or(parent.as_ref().map(|x| x.sudden_events_reviewed_at_once))
            .unwrap_or(false),
        county_reviews_monthly: p
            .county_reviews_monthly
            .or(parent.as_ref().map(|x| x.county_reviews_monthly))
            .unwrap_or(false),
        key_flags: p
            .key_flags
            .clone()
            .or(parent.as_ref().map(|x| x.key_flags.clone()))
            .unwrap_or_default(),
        flag_params: FlagParams {
            transfer_share_over_bp: p.transfer_share_over_bp.unwrap_or(pf.transfer_share_over_bp),
            labour_coefficient_max_tenths: p
                .labour_coefficient_max_tenths
                .unwrap_or(pf.labour_coefficient_max_tenths),
            non_compulsory_students_min: p.non_compulsory_students_min.unwrap_or(pf.non_compulsory_students_min),
            minor_age_up_to: p.minor_age_up_to.unwrap_or(pf.minor_age_up_to),
            elderly_age_from: p.elderly_age_from.unwrap_or(pf.elderly_age_from),
        },
        exclusions,
        terms,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> DivisionCode {
        s.parse().unwrap()
    }

    #[test]
    fn shipped_policy_loads_with_every_profile() {
        let p = Policy::embedded();
        let ids: Vec<&str> = p.profiles().iter().map(|p| p.id.as_str()).collect();
        assert_eq!(ids, ["yunnan-2021", "yuxi-2021", "heqing-2020", "neimenggu-2021"]);
    }

    /// 云南 附件2: 10 situations; 内蒙古 二(二)4: 8 situations.
    #[test]
    fn exclusion_counts_match_the_seeds() {
        let p = Policy::embedded();
        assert_eq!(p.profile("yunnan-2021").unwrap().exclusions.len(), 10);
        assert_eq!(p.profile("yuxi-2021").unwrap().exclusions.len(), 10);
        assert_eq!(
            p.profile("heqing-2020").unwrap().exclusions.len(),
            10,
            "inherits Yunnan's"
        );
        assert_eq!(p.profile("neimenggu-2021").unwrap().exclusions.len(), 8);
    }

    /// 玉溪 三(三): "对有以上 2—5 种情形……并对群众作出专门说明".
    #[test]
    fn yuxi_allows_overriding_only_exclusions_2_to_5() {
        let yuxi = Policy::embedded().profile("yuxi-2021").unwrap();
        let overridable: Vec<&str> = yuxi
            .exclusions
            .iter()
            .filter(|r| r.override_rule != OverrideRule::None)
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(overridable, ["yx-2", "yx-3", "yx-4", "yx-5"]);
        assert_eq!(
            yuxi.exclusion("yx-3").unwrap().vehicle,
            Some(VehicleRule {
                min_price_yuan: 30000,
                within_months: 12
            })
        );
    }

    #[test]
    fn most_specific_profile_applies() {
        let p = Policy::embedded();
        assert_eq!(p.profile_for(code("530402001001")).unwrap().id, "yuxi-2021");
        assert_eq!(p.profile_for(code("532932100201")).unwrap().id, "heqing-2020");
        assert_eq!(
            p.profile_for(code("532929100201")).unwrap().id,
            "yunnan-2021",
            "云龙 has no own profile"
        );
        assert_eq!(p.profile_for(code("150102001001")).unwrap().id, "neimenggu-2021");
        assert_eq!(
            p.profile_for(code("110105001001")),
            Err(PolicyError::NoProfile(code("110105001001")))
        );
    }

    /// 内蒙古: "公示时间不少于5天" and a second notice; 云南: "公示5个工作日".
    #[test]
    fn notice_rules_differ_by_region() {
        let p = Policy::embedded();
        let yn = p.profile("yunnan-2021").unwrap();
        let nm = p.profile("neimenggu-2021").unwrap();
        assert_eq!(
            yn.notice,
            Period {
                length: 5,
                unit: PeriodUnit::WorkingDays
            }
        );
        assert!(!yn.second_notice);
        assert_eq!(
            nm.notice,
            Period {
                length: 5,
                unit: PeriodUnit::CalendarDays
            }
        );
        assert!(nm.second_notice);
        assert!(nm.no_elimination_without_labour);
        assert_eq!(p.profile("heqing-2020").unwrap().township_review_working_days, Some(7));
        assert_eq!(p.profile("heqing-2020").unwrap().monthly_report_day, Some(5));
        assert_eq!(yn.verification_working_days, Some(5));
    }

    #[test]
    fn thresholds_by_region_and_year() {
        let p = Policy::embedded();
        let village = code("530402001001");
        // A threshold is keyed by the year it is applied: the 2021 documents set 6000.
        assert_eq!(p.threshold(village, 2021), Ok(Fen::yuan(6000)));
        assert!(p.threshold(village, 2020).is_err());
        assert_eq!(p.threshold(village, 2023), Ok(Fen::yuan(8050)));
        assert_eq!(p.threshold(village, 2025), Ok(Fen::yuan(8700)));
        assert_eq!(
            p.threshold(village, 2024),
            Err(PolicyError::NoThreshold {
                region: village,
                year: 2024
            })
        );
        assert_eq!(p.threshold(code("150102001001"), 2021), Ok(Fen::yuan(6000)));
        assert_eq!(p.campaign_poverty_line(), Fen::yuan(4000));
    }

    /// "各州（市）……不得低于全省监测底线".
    #[test]
    fn a_city_threshold_below_its_province_is_rejected_and_above_it_wins() {
        let base = "[national]\npoverty_line = { 2020 = 4000 }\nbaseline = { 2020 = 6000 }\n\
                    [[region]]\ncode = \"530000000000\"\nname = \"云南省\"\nthresholds = { 2023 = 8050 }\nsources = { 2023 = \"x\" }\n";
        let low = format!(
            "{base}[[region]]\ncode = \"530400000000\"\nname = \"玉溪市\"\nthresholds = {{ 2023 = 8000 }}\nsources = {{ 2023 = \"y\" }}\n"
        );
        let err = Policy::from_toml(&low).unwrap_err();
        assert!(err.to_string().contains("低于云南省"), "{err}");
        let high = format!(
            "{base}[[region]]\ncode = \"530400000000\"\nname = \"玉溪市\"\nthresholds = {{ 2023 = 8500 }}\nsources = {{ 2023 = \"y\" }}\n"
        );
        let p = Policy::from_toml(&high).unwrap();
        assert_eq!(p.threshold(code("530402001001"), 2023), Ok(Fen::yuan(8500)));
        assert_eq!(p.threshold(code("532932100201"), 2023), Ok(Fen::yuan(8050)));
    }

    #[test]
    fn malformed_policy_files_are_rejected() {
        assert!(matches!(Policy::from_toml("not toml ["), Err(PolicyError::Format(_))));
        let unknown_parent = "[national]\npoverty_line = {}\nbaseline = {}\n[[profile]]\nid = \"a\"\nextends = \"b\"\n\
                              region = \"530000000000\"\nname_zh = \"x\"\nname_en = \"x\"\nnotice = { length = 5, unit = \"working_days\" }\n";
        assert!(
            Policy::from_toml(unknown_parent)
                .unwrap_err()
                .to_string()
                .contains("extends unknown profile b")
        );
    }

    #[test]
    fn periods_count_working_or_calendar_days() {
        let cal = Calendar::national();
        let posted: NaiveDate = "2025-09-26".parse().unwrap(); // a Friday before National Day
        let wd = Period {
            length: 5,
            unit: PeriodUnit::WorkingDays,
        };
        let cd = Period {
            length: 5,
            unit: PeriodUnit::CalendarDays,
        };
        // 09-28 (Sun) is a make-up day, 09-29, 09-30, then 10-09, 10-10.
        assert_eq!(wd.end(cal, posted).unwrap(), "2025-10-10".parse().unwrap());
        // 5 calendar days end 10-01, a holiday: moved to 10-09.
        assert_eq!(cd.end(cal, posted).unwrap(), "2025-10-09".parse().unwrap());
    }
}
