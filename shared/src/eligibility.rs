//! Who may be monitored, in which category, and why: the assessment a cadre sees
//! at the end of a home visit. Every conclusion carries its reasons in Chinese and
//! English, so a household told "no" can be told why.

use crate::division::DivisionCode;
use crate::household::{Health, Member, labour_coefficient_tenths};
use crate::income::WorksheetTotals;
use crate::money::Fen;
use crate::policy::{ExclusionScope, KeyFlag, OverrideRule, Policy, PolicyError, Profile};
use crate::text::Text;
use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The three kinds of monitored household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 脱贫不稳定户: a formerly poor household below the threshold with a risk of relapse.
    UnstableFormerlyPoor,
    /// 边缘易致贫户: another household below the threshold at risk of poverty.
    MarginalAtRisk,
    /// 突发严重困难户: above the threshold, but rigid spending or a sharp income drop
    /// leaves basic living in severe difficulty.
    SuddenSevereHardship,
}

impl Category {
    pub const ALL: [Category; 3] = [
        Category::UnstableFormerlyPoor,
        Category::MarginalAtRisk,
        Category::SuddenSevereHardship,
    ];

    pub fn label(self) -> Text {
        match self {
            Category::UnstableFormerlyPoor => Text::new("脱贫不稳定户", "unstable formerly-poor household"),
            Category::MarginalAtRisk => Text::new("边缘易致贫户", "marginal household at risk"),
            Category::SuddenSevereHardship => Text::new("突发严重困难户", "household in sudden severe hardship"),
        }
    }
}

/// The cadre's answer to one exclusion rule of the profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ExclusionCheck {
    pub rule_id: String,
    pub applies: bool,
    /// The documented explanation (专门说明) that justifies inclusion anyway, or, for a
    /// rule the village representative assembly must review, what is put before it.
    #[serde(default)]
    pub override_note: Option<String>,
    /// For rules that name persons: who is left out of the household (not among its
    /// members). Empty while the rule applies: the whole household (e.g. 空挂户).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::schema::PlainName>, max_items = 20))]
    pub persons: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VehiclePurchase {
    pub price: Fen,
    pub bought_on: NaiveDate,
    /// Used for production or haulage (发展生产、运输用途车), which 玉溪 rule 3 exempts.
    #[serde(default)]
    pub for_production: bool,
}

/// What the cadre found, the inputs of an assessment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdFacts {
    pub division: DivisionCode,
    pub assessed_on: NaiveDate,
    /// 脱贫户 (registered as poor before 2021 and lifted out).
    pub formerly_poor: bool,
    pub members: Vec<Member>,
    pub income: WorksheetTotals,
    /// Per-capita net income of the previous assessment, to see a sharp drop.
    #[serde(default)]
    pub previous_per_capita: Option<Fen>,
    /// The household's income per month now, after a recent fall (see `HomeVisit`).
    #[serde(default)]
    pub current_monthly_income: Option<Fen>,
    /// 两不愁三保障 and drinking water: true where secured.
    pub guarantees: Guarantees,
    /// The cadre's finding of a sudden event (illness, disaster, accident) that
    /// leaves basic living in severe difficulty.
    #[serde(default)]
    pub sudden_hardship: bool,
    /// Key-attention situations that need a cadre's judgement (e.g. an adobe house, a failed farm).
    #[serde(default)]
    pub observed_flags: Vec<KeyFlag>,
    #[serde(default)]
    pub exclusion_checks: Vec<ExclusionCheck>,
    #[serde(default)]
    pub vehicles: Vec<VehiclePurchase>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Guarantees {
    pub food_and_clothing: bool,
    pub compulsory_education: bool,
    pub basic_medical: bool,
    pub housing_safe: bool,
    pub drinking_water: bool,
}

impl Guarantees {
    pub const ALL_SECURED: Guarantees = Guarantees {
        food_and_clothing: true,
        compulsory_education: true,
        basic_medical: true,
        housing_safe: true,
        drinking_water: true,
    };

    pub fn all_secured(&self) -> bool {
        *self == Self::ALL_SECURED
    }
}

/// One reason in an assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    /// Stable machine code, e.g. `below_threshold`, `excluded:yx-1`.
    pub code: String,
    pub text: Text,
}

fn reason(code: impl Into<String>, zh: impl Into<String>, en: impl Into<String>) -> Reason {
    Reason {
        code: code.into(),
        text: Text::new(zh, en),
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FlagHit {
    pub flag: KeyFlag,
    pub label: Text,
    /// Why it was raised: the figure that crossed the line, or "observed by the cadre".
    pub because: Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assessment {
    pub profile_id: String,
    pub year: i32,
    pub threshold: Fen,
    pub per_capita: Fen,
    pub per_capita_after_rigid: Fen,
    /// The category the household qualifies for, before exclusions.
    pub category: Option<Category>,
    /// 玉溪: "收入低于国定扶贫标准或三保障存在未保障的脱贫户全部纳入监测".
    pub mandatory: bool,
    /// Exclusion rules that apply and were not overridden.
    pub excluded_by: Vec<String>,
    /// Exclusion rules that apply and await the village representative assembly's
    /// review (内蒙古), recorded at the appraisal.
    #[serde(default)]
    pub assembly_pending: Vec<String>,
    /// True when the household should proceed to identification.
    pub eligible: bool,
    pub reasons: Vec<Reason>,
    pub flags: Vec<FlagHit>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AssessmentError {
    #[error(transparent)]
    Policy(#[from] PolicyError),
    #[error("排除情形未逐项核查：{0:?} / exclusion checks not answered: {0:?}")]
    UncheckedExclusions(Vec<String>),
    #[error("未知的排除情形：{0} / unknown exclusion rule: {0}")]
    UnknownExclusion(String),
    #[error("家庭成员为空 / a household needs at least one member")]
    NoMembers,
    #[error(
        "“{0}”已按排除情形不计入本户，不能同时列为家庭成员 / {0} is left out of the household by an exclusion, so cannot be one of its members"
    )]
    LeftOutListed(String),
}

/// A per-capita drop of at least this share from the previous assessment counts as
/// "收入大幅缩减". The seeds give no figure; this is the project's default, one third.
pub const SHARP_DROP_BP: u32 = 3300;

/// Assesses a household under the profile in force in its division.
pub fn assess(policy: &Policy, facts: &HouseholdFacts) -> Result<Assessment, AssessmentError> {
    if facts.members.is_empty() {
        return Err(AssessmentError::NoMembers);
    }
    let profile = policy.profile_for(facts.division)?;
    let year = facts.assessed_on.year();
    let threshold = policy.threshold(facts.division, year)?;
    // The line's name in force that year (监测底线, from 2026 认定标准).
    let line = profile.terms(year).line;
    let (line_zh, line_en) = (line.zh.as_str(), line.en.as_str());
    let d = facts.income.d_per_capita;
    let d1 = facts.income.d1_after_rigid;
    let mut reasons = Vec::new();

    // 1. Category from income and hardship.
    let poverty_line = policy.campaign_poverty_line();
    let guarantees_gap = !facts.guarantees.all_secured();
    let mandatory = facts.formerly_poor && (d < poverty_line || guarantees_gap);
    if mandatory {
        reasons.push(reason(
            "mandatory_formerly_poor",
            format!("脱贫户人均纯收入{d}元低于国定扶贫标准{poverty_line}元或“三保障”存在未保障，应全部纳入监测"),
            format!("formerly poor with per-capita income {d} below the poverty line {poverty_line} or a guarantee unmet: must be monitored"),
        ));
    }
    // 收入大幅缩减 (004 二(一), 000 三(一), 002 二(一)3): the year ahead projected from the
    // income per month now, when the cadre recorded a recent fall; the 12-month
    // worksheet alone still counts the months before it.
    let size = i64::try_from(facts.members.len().max(1)).unwrap_or(1);
    let projected = facts.current_monthly_income.map(|m| Fen(m.0.saturating_mul(12) / size));
    let d_now = projected.map_or(d, |p| p.min(d));
    let sharp_drop = facts.previous_per_capita.filter(|p| p.0 > 0).and_then(|p| {
        let drop = p - d_now;
        (drop.share_bp(p)? >= SHARP_DROP_BP).then_some((p, drop))
    });
    let category = if d < threshold {
        reasons.push(reason(
            "below_threshold",
            format!("人均纯收入{d}元低于{year}年{line_zh}{threshold}元"),
            format!("per-capita net income {d} is below the {year} {line_en} {threshold}"),
        ));
        Some(if facts.formerly_poor {
            Category::UnstableFormerlyPoor
        } else {
            Category::MarginalAtRisk
        })
    } else {
        let mut hardship = Vec::new();
        if d1 < threshold {
            hardship.push(reason(
                "rigid_expenses",
                format!("扣减刚性支出后人均{d1}元低于{line_zh}{threshold}元"),
                format!("after rigid expenses per-capita income {d1} is below the {line_en} {threshold}"),
            ));
        }
        if let Some(p) = projected.filter(|p| *p < threshold) {
            hardship.push(reason(
                "income_collapse",
                format!("收入骤减：按现在每月收入推算，今后一年人均{p}元，低于{line_zh}{threshold}元"),
                format!("income collapsed: at today's monthly income the year ahead is {p} per person, below the {line_en} {threshold}"),
            ));
        }
        if let Some((prev, drop)) = sharp_drop {
            hardship.push(reason(
                "sharp_income_drop",
                format!("人均纯收入由{prev}元降至{d_now}元，减少{drop}元"),
                format!("per-capita income fell from {prev} to {d_now}, down {drop}"),
            ));
        }
        if facts.sudden_hardship {
            hardship.push(reason(
                "sudden_hardship",
                "因病因灾因意外事故等导致基本生活出现严重困难（入户核实）",
                "illness, disaster or accident left basic living in severe difficulty (verified at home)",
            ));
        }
        if guarantees_gap {
            hardship.push(reason(
                "guarantee_unmet",
                "“两不愁三保障”或饮水安全存在未保障",
                "food, clothing, schooling, medical care, housing or drinking water is not secured",
            ));
        }
        if hardship.is_empty() {
            reasons.push(reason(
                "above_threshold",
                format!("人均纯收入{d}元不低于{line_zh}{threshold}元，且未发现刚性支出过大或收入大幅缩减"),
                format!("per-capita income {d} is not below the {line_en} {threshold}, and no heavy rigid spending or sharp drop was found"),
            ));
            None
        } else {
            reasons.extend(hardship);
            Some(Category::SuddenSevereHardship)
        }
    };
    let category = if mandatory {
        Some(category.unwrap_or(Category::UnstableFormerlyPoor))
    } else {
        category
    };

    // 2. Exclusions: every rule of the profile must be answered.
    let (excluded_by, assembly_pending) = check_exclusions(profile, facts, &mut reasons)?;

    // 3. Key-attention flags the profile watches.
    let flags = key_flags(profile, facts, sharp_drop.is_some(), threshold);

    let eligible = category.is_some() && excluded_by.is_empty();
    Ok(Assessment {
        profile_id: profile.id.clone(),
        year,
        threshold,
        per_capita: d,
        per_capita_after_rigid: d1,
        category,
        mandatory,
        excluded_by,
        assembly_pending,
        eligible,
        reasons,
        flags,
    })
}

fn vehicle_rule_hit(profile: &Profile, rule_id: &str, facts: &HouseholdFacts) -> Option<Fen> {
    let rule = profile.exclusion(rule_id)?.vehicle?;
    let from = facts.assessed_on.checked_sub_months(Months::new(rule.within_months))?;
    facts
        .vehicles
        .iter()
        .filter(|v| !v.for_production && v.price >= Fen::yuan(rule.min_price_yuan))
        .filter(|v| v.bought_on >= from && v.bought_on <= facts.assessed_on)
        .map(|v| v.price)
        .max()
}

fn check_exclusions(
    profile: &Profile,
    facts: &HouseholdFacts,
    reasons: &mut Vec<Reason>,
) -> Result<(Vec<String>, Vec<String>), AssessmentError> {
    if let Some(unknown) = facts
        .exclusion_checks
        .iter()
        .find(|c| profile.exclusion(&c.rule_id).is_none())
    {
        return Err(AssessmentError::UnknownExclusion(unknown.rule_id.clone()));
    }
    let unanswered: Vec<String> = profile
        .exclusions
        .iter()
        .filter(|r| !facts.exclusion_checks.iter().any(|c| c.rule_id == r.id))
        .filter(|r| r.vehicle.is_none()) // a measurable rule is answered by the vehicle list
        .map(|r| r.id.clone())
        .collect();
    if !unanswered.is_empty() {
        return Err(AssessmentError::UncheckedExclusions(unanswered));
    }
    let (mut excluded, mut assembly_pending) = (Vec::new(), Vec::new());
    for rule in &profile.exclusions {
        let check = facts.exclusion_checks.iter().find(|c| c.rule_id == rule.id);
        let vehicle = vehicle_rule_hit(profile, &rule.id, facts);
        let applies = check.is_some_and(|c| c.applies) || vehicle.is_some();
        if !applies {
            continue;
        }
        let note = check
            .and_then(|c| c.override_note.as_deref())
            .map(str::trim)
            .filter(|n| !n.is_empty());
        // Persons the rule names are left out; the household is judged without them.
        let left_out: Vec<&str> = check
            .filter(|_| rule.scope == ExclusionScope::Person)
            .map(|c| c.persons.iter().map(|p| p.trim()).filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        if !left_out.is_empty() {
            if let Some(listed) = left_out
                .iter()
                .find(|p| facts.members.iter().any(|m| m.name.trim() == **p))
            {
                return Err(AssessmentError::LeftOutListed((*listed).to_string()));
            }
            reasons.push(reason(
                format!("left_out:{}", rule.id),
                format!("按“{}”，{}不计入本户", rule.zh, left_out.join("、")),
                format!("by \"{}\", {} left out of the household", rule.en, left_out.join(", ")),
            ));
            continue;
        }
        // 内蒙古 "特殊情况由村民代表大会重点评议": the visiting cadre cannot say the assembly
        // reviewed it; the case goes to the appraisal with the rule pending, and the
        // appraisal records the assembly's review (`Binding::assembly_pending`).
        if rule.override_rule == OverrideRule::AssemblyReview
            && let Some(n) = note
        {
            reasons.push(reason(
                format!("assembly_pending:{}", rule.id),
                format!("存在排除情形“{}”，拟提交村民代表大会重点评议：{n}", rule.zh),
                format!(
                    "exclusion \"{}\" applies; to be reviewed by the village representative assembly: {n}",
                    rule.en
                ),
            ));
            assembly_pending.push(rule.id.clone());
            continue;
        }
        let overridden = rule.override_rule == OverrideRule::Explanation && note.is_some();
        let detail = vehicle.map(|p| format!("（{p}元）")).unwrap_or_default();
        if overridden {
            reasons.push(reason(
                format!("overridden:{}", rule.id),
                format!(
                    "存在排除情形“{}”{detail}，但已查实并作出专门说明：{}",
                    rule.zh,
                    note.unwrap_or_default()
                ),
                format!(
                    "exclusion \"{}\" applies but is overridden with an explanation: {}",
                    rule.en,
                    note.unwrap_or_default()
                ),
            ));
            continue;
        }
        let (zh_how, en_how) = match rule.override_rule {
            OverrideRule::None => ("此情形不得通过说明纳入", "this one cannot be overridden"),
            OverrideRule::Explanation => (
                "如确需纳入，须查实并作出专门说明",
                "to include anyway, verify and document an explanation",
            ),
            OverrideRule::AssemblyReview => (
                "如确需纳入，须写明情况，提交村民代表大会重点评议",
                "to include anyway, state the case and put it to the village representative assembly",
            ),
        };
        reasons.push(reason(
            format!("excluded:{}", rule.id),
            format!("存在排除情形“{}”{detail}；{zh_how}", rule.zh),
            format!("exclusion \"{}\" applies; {en_how}", rule.en),
        ));
        excluded.push(rule.id.clone());
    }
    Ok((excluded, assembly_pending))
}

fn members_where(members: &[Member], pred: impl Fn(&Member) -> bool) -> Vec<&str> {
    members.iter().filter(|m| pred(m)).map(|m| m.name.as_str()).collect()
}

/// Computes the flags the profile watches: from figures where the text gives one,
/// from the cadre's observation where it needs judgement.
/// `income_fell`: the sharp drop of [`SHARP_DROP_BP`] was measured (type 7 needs it).
/// `threshold`: the year's line, against which type 4's medical burden is measured.
fn key_flags(profile: &Profile, facts: &HouseholdFacts, income_fell: bool, threshold: Fen) -> Vec<FlagHit> {
    let p = profile.flag_params;
    let t = &facts.income;
    let on = facts.assessed_on;
    let labour = labour_coefficient_tenths(&facts.members);
    let labourers = facts.members.iter().filter(|m| m.labour.works()).count();
    let mut hits = Vec::new();
    for &flag in &profile.key_flags {
        let computed: Option<Text> = match flag {
            // Compared exactly (A4 × 10000 > limit × A): rounding the share first would hide 40.005%.
            KeyFlag::TransferShare => t
                .transfer_share_bp
                .filter(|_| {
                    i128::from(t.a4_transfers.0) * 10_000
                        > i128::from(p.transfer_share_over_bp) * i128::from(t.a_total.0)
                })
                .map(|bp| {
                    let pct = format!("{}.{:02}%", bp / 100, bp % 100);
                    Text::new(
                        format!("转移性收入占比{pct}"),
                        format!("transfer income is {pct} of income"),
                    )
                }),
            KeyFlag::LowLabour => (labour <= p.labour_coefficient_max_tenths).then(|| {
                let c = format!("{}.{}", labour / 10, labour % 10);
                Text::new(format!("劳动力系数{c}"), format!("labour coefficient {c}"))
            }),
            KeyFlag::LabourWithoutLivelihood => {
                (labourers >= 1 && t.a1_production == Fen::ZERO && t.a2_wages == Fen::ZERO).then(|| {
                    Text::new(
                        format!("有{labourers}个劳动力，无生产经营和工资收入"),
                        format!("{labourers} labourer(s), no farm, business or wage income"),
                    )
                })
            }
            KeyFlag::SeriousIllness => {
                // "大病重病病人……或丧失主要劳动力": a chronic illness that took away the ability to work counts too.
                let names = members_where(&facts.members, |m| {
                    m.health == Health::Serious || (m.health == Health::Chronic && !m.labour.works())
                });
                // "患慢性病导致年度自付医疗费用负担过重": the seed gives no figure; we read "过重"
                // as out-of-pocket medical costs that alone take the household under the line.
                let chronic = members_where(&facts.members, |m| m.health == Health::Chronic);
                let size = i64::from(t.household_size.max(1));
                let after_medical = Fen((t.c_net.0 + t.e_insurance_claims.0 - t.f2_medical.0) / size);
                let burdened = !chronic.is_empty() && t.f2_medical > Fen::ZERO && after_medical < threshold;
                if !names.is_empty() {
                    Some(Text::new(
                        format!("大病重病：{}", names.join("、")),
                        format!("serious illness: {}", names.join(", ")),
                    ))
                } else {
                    burdened.then(|| {
                        Text::new(
                            format!(
                                "慢性病（{}）自付医疗费用{}元，扣除后人均{after_medical}元，低于{threshold}元",
                                chronic.join("、"),
                                t.f2_medical
                            ),
                            format!(
                                "chronic illness ({}): out-of-pocket medical costs {} leave {after_medical} per person, under {threshold}",
                                chronic.join(", "),
                                t.f2_medical
                            ),
                        )
                    })
                }
            }
            KeyFlag::NonCompulsoryStudents => {
                let names = members_where(&facts.members, |m| m.schooling.is_some_and(|s| s.is_non_compulsory()));
                (names.len() as u32 >= p.non_compulsory_students_min).then(|| {
                    Text::new(
                        format!("非义务教育在读{}人：{}", names.len(), names.join("、")),
                        format!("{} in non-compulsory education: {}", names.len(), names.join(", ")),
                    )
                })
            }
            // 7 "因不可抗因素发展产业失败,家庭生产经营出现亏损导致收入大幅减少": crops, livestock
            // or a business that cost more than they brought in (depreciation of a tractor
            // alone is no failed industry), and the sharp drop that loss caused. Whether the
            // cause was beyond the household's control is the cadre's to judge.
            KeyFlag::IndustryFailure => {
                let operating = t.b1_crop_costs + t.b2_livestock_costs + t.b3_business_costs;
                (operating > Fen::ZERO && t.a1_production < t.b_total && income_fell).then(|| {
                    Text::new(
                        format!(
                            "生产经营收入{}元低于成本{}元（亏损），收入大幅减少",
                            t.a1_production, t.b_total
                        ),
                        format!(
                            "farm and business income {} below costs {} (a loss), income fell sharply",
                            t.a1_production, t.b_total
                        ),
                    )
                })
            }
            KeyFlag::WithoutGuardian => {
                let names = members_where(&facts.members, |m| {
                    let age = m.age_on(on);
                    !m.has_guardian_or_supporter && (age <= p.minor_age_up_to || age >= p.elderly_age_from)
                });
                (!names.is_empty()).then(|| {
                    Text::new(
                        format!("无法定监护人或赡养人：{}", names.join("、")),
                        format!("no guardian or supporter: {}", names.join(", ")),
                    )
                })
            }
            KeyFlag::SpecialHardship => {
                let names = members_where(&facts.members, |m| m.severe_disability || m.disabled_elderly);
                if !names.is_empty() {
                    Some(Text::new(
                        format!("重度残疾或失能：{}", names.join("、")),
                        format!("severe disability or disabled elderly: {}", names.join(", ")),
                    ))
                } else {
                    (labour == 0).then(|| Text::new("整户无劳动能力", "no one in the household can work"))
                }
            }
            KeyFlag::AdobeOnlyHouse | KeyFlag::SuddenEvent => None,
        };
        let because = computed.or_else(|| {
            facts
                .observed_flags
                .contains(&flag)
                .then(|| Text::new("入户核实时认定", "found by the cadre at the home visit"))
        });
        if let Some(because) = because {
            hits.push(FlagHit {
                flag,
                label: flag.label(),
                because,
            });
        }
    }
    hits
}
