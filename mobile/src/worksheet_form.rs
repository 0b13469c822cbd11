//! The income worksheet as the cadre fills it on the phone: text fields in yuan,
//! turned into the core's `Worksheet` on every keystroke so the totals and the
//! comparison with the monitoring threshold are always live.

use chrono::NaiveDate;
use zaofaxian_shared::income::{
    BusinessLine, FarmLine, FixedAsset, PropertyIncome, RigidExpenses, TransferItem, TransferLine, WageLine, Worksheet,
    WorksheetTotals,
};
use zaofaxian_shared::{Fen, Text};

/// The fields on screen, in yuan as typed. Empty means zero.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub struct WorksheetForm {
    pub crops_sold: String,
    pub crops_self_consumed: String,
    pub crops_cost: String,
    pub livestock_sold: String,
    pub livestock_cost: String,
    pub business_income: String,
    pub business_cost: String,
    pub away_months: String,
    pub away_monthly_wage: String,
    pub local_days: String,
    pub local_daily_wage: String,
    pub minimum_allowance: String,
    pub pension: String,
    pub other_transfers: String,
    pub productive_assets: String,
    pub education: String,
    pub medical: String,
    pub insurance_claims: String,
    /// 收入骤减: last year's per-capita net income and the household's income per month
    /// now (both optional; see `HomeVisit`).
    pub previous_per_capita: String,
    pub current_monthly: String,
}

/// Field names, in form order, with their labels. The head count is not among them:
/// it is the number of members the visit lists.
pub const FIELDS: [(&str, &str, &str); 20] = [
    ("crops_sold", "种植业出售收入（元/年）", "crops sold (yuan a year)"),
    (
        "crops_self_consumed",
        "种植业自产自消折价（元/年）",
        "crops eaten at home (yuan a year)",
    ),
    ("crops_cost", "种植业成本（元/年）", "crop costs (yuan a year)"),
    (
        "livestock_sold",
        "养殖业收入（元/年）",
        "livestock income (yuan a year)",
    ),
    ("livestock_cost", "养殖业成本（元/年）", "livestock costs (yuan a year)"),
    (
        "business_income",
        "二三产业收入（元/年）",
        "business income (yuan a year)",
    ),
    ("business_cost", "二三产业成本（元/年）", "business costs (yuan a year)"),
    (
        "away_months",
        "外出务工月数（近12个月内）",
        "months worked away (in the last 12)",
    ),
    (
        "away_monthly_wage",
        "外出务工月工资（元/月）",
        "monthly wage away (yuan a month)",
    ),
    (
        "local_days",
        "本地务工天数（近12个月内）",
        "days worked locally (in the last 12 months)",
    ),
    (
        "local_daily_wage",
        "本地务工日工资（元/天）",
        "daily wage locally (yuan a day)",
    ),
    (
        "minimum_allowance",
        "低保金（元/年）",
        "minimum living allowance (yuan a year)",
    ),
    ("pension", "养老金（元/年）", "pension (yuan a year)"),
    (
        "other_transfers",
        "其他转移性收入（元/年）",
        "other transfers (yuan a year)",
    ),
    (
        "productive_assets",
        "生产性固定资产原值（元，单件超过1000元）",
        "productive assets (each over 1000)",
    ),
    ("education", "教育刚性支出（元/年）", "education costs (yuan a year)"),
    ("medical", "医疗自付支出（元/年）", "medical costs (yuan a year)"),
    (
        "insurance_claims",
        "理赔收入（元/年）",
        "insurance payouts (yuan a year)",
    ),
    (
        "previous_per_capita",
        "上年人均纯收入（元/年，可不填）",
        "last year's income per person (yuan a year, optional)",
    ),
    (
        "current_monthly",
        "收入骤减后现在每月家庭收入（元/月，可不填）",
        "household income per month now, after a fall (optional)",
    ),
];

impl WorksheetForm {
    pub fn get(&self, field: &str) -> &str {
        match field {
            "crops_sold" => &self.crops_sold,
            "crops_self_consumed" => &self.crops_self_consumed,
            "crops_cost" => &self.crops_cost,
            "livestock_sold" => &self.livestock_sold,
            "livestock_cost" => &self.livestock_cost,
            "business_income" => &self.business_income,
            "business_cost" => &self.business_cost,
            "away_months" => &self.away_months,
            "away_monthly_wage" => &self.away_monthly_wage,
            "local_days" => &self.local_days,
            "local_daily_wage" => &self.local_daily_wage,
            "minimum_allowance" => &self.minimum_allowance,
            "pension" => &self.pension,
            "other_transfers" => &self.other_transfers,
            "productive_assets" => &self.productive_assets,
            "education" => &self.education,
            "medical" => &self.medical,
            "previous_per_capita" => &self.previous_per_capita,
            "current_monthly" => &self.current_monthly,
            _ => &self.insurance_claims,
        }
    }

    pub fn set(&mut self, field: &str, value: String) {
        let slot = match field {
            "crops_sold" => &mut self.crops_sold,
            "crops_self_consumed" => &mut self.crops_self_consumed,
            "crops_cost" => &mut self.crops_cost,
            "livestock_sold" => &mut self.livestock_sold,
            "livestock_cost" => &mut self.livestock_cost,
            "business_income" => &mut self.business_income,
            "business_cost" => &mut self.business_cost,
            "away_months" => &mut self.away_months,
            "away_monthly_wage" => &mut self.away_monthly_wage,
            "local_days" => &mut self.local_days,
            "local_daily_wage" => &mut self.local_daily_wage,
            "minimum_allowance" => &mut self.minimum_allowance,
            "pension" => &mut self.pension,
            "other_transfers" => &mut self.other_transfers,
            "productive_assets" => &mut self.productive_assets,
            "education" => &mut self.education,
            "medical" => &mut self.medical,
            "previous_per_capita" => &mut self.previous_per_capita,
            "current_monthly" => &mut self.current_monthly,
            _ => &mut self.insurance_claims,
        };
        *slot = value;
    }

    fn label(field: &str) -> Text {
        FIELDS
            .iter()
            .find(|(f, _, _)| *f == field)
            .map(|(_, zh, en)| Text::new(*zh, *en))
            .unwrap_or(Text::new(field, field))
    }

    fn money(&self, field: &str) -> Result<Fen, (String, Text)> {
        // "1,500", "1，500" and "1 500" are how people write 1500.
        let typed: String = self
            .get(field)
            .chars()
            .filter(|c| !matches!(c, ',' | '，' | ' '))
            .collect();
        match typed.as_str() {
            "" => Ok(Fen::ZERO),
            s => s.parse::<Fen>().map_err(|_| {
                let l = Self::label(field);
                (
                    field.to_string(),
                    Text::new(
                        format!("{}：请填写金额，例如 1200.50", l.zh),
                        format!("{}: enter an amount, e.g. 1200.50", l.en),
                    ),
                )
            }),
        }
    }

    /// The income-drop figures: `None` where left empty (not asked is not zero).
    pub fn recent_income(&self) -> Result<(Option<Fen>, Option<Fen>), (String, Text)> {
        let optional = |field: &str| -> Result<Option<Fen>, (String, Text)> {
            if self.get(field).trim().is_empty() {
                Ok(None)
            } else {
                self.money(field).map(Some)
            }
        };
        Ok((optional("previous_per_capita")?, optional("current_monthly")?))
    }

    fn count(&self, field: &str) -> Result<u32, (String, Text)> {
        match self.get(field).trim() {
            "" => Ok(0),
            s => s.parse::<u32>().map_err(|_| {
                let l = Self::label(field);
                (
                    field.to_string(),
                    Text::new(
                        format!("{}：请填写整数", l.zh),
                        format!("{}: enter a whole number", l.en),
                    ),
                )
            }),
        }
    }

    /// The core's worksheet, or the field at fault and why.
    pub fn to_worksheet(&self, collected_on: NaiveDate) -> Result<Worksheet, (String, Text)> {
        let farm = |sold: Fen, eaten: Fen, cost: Fen| FarmLine {
            name: String::new(),
            scale: None,
            sold_amount: sold,
            self_consumed_value: eaten,
            cost,
        };
        let transfer = |item, amount| TransferLine { item, amount };
        Ok(Worksheet {
            collected_on,
            crops: vec![farm(
                self.money("crops_sold")?,
                self.money("crops_self_consumed")?,
                self.money("crops_cost")?,
            )],
            livestock: vec![farm(
                self.money("livestock_sold")?,
                Fen::ZERO,
                self.money("livestock_cost")?,
            )],
            business: vec![BusinessLine {
                name: String::new(),
                product_sales: self.money("business_income")?,
                service_income: Fen::ZERO,
                cost: self.money("business_cost")?,
            }],
            wages: vec![WageLine {
                member: String::new(),
                local_days: self.count("local_days")?,
                local_daily_wage: self.money("local_daily_wage")?,
                away_months: self.count("away_months")?,
                away_monthly_wage: self.money("away_monthly_wage")?,
                in_kind: Fen::ZERO,
            }],
            property: PropertyIncome::default(),
            transfers: vec![
                transfer(TransferItem::MinimumLivingAllowance, self.money("minimum_allowance")?),
                transfer(TransferItem::Pension, self.money("pension")?),
                transfer(TransferItem::Other, self.money("other_transfers")?),
            ],
            fixed_assets: vec![FixedAsset {
                name: String::new(),
                original_value: self.money("productive_assets")?,
                in_use: true,
            }],
            insurance_claims: self.money("insurance_claims")?,
            rigid: RigidExpenses {
                education: self.money("education")?,
                medical: self.money("medical")?,
                other: Fen::ZERO,
            },
        })
    }

    /// Live totals for a household of `household_size` (the members listed), or the
    /// first problem to show next to its field.
    pub fn totals(&self, collected_on: NaiveDate, household_size: u32) -> Result<WorksheetTotals, (String, Text)> {
        let w = self.to_worksheet(collected_on)?;
        w.compute(household_size).map_err(|e| {
            let field = match e.field.as_str() {
                "household_size" => "members",
                core => form_field(core).unwrap_or(core),
            };
            (field.to_string(), Text::new(e.zh, e.en))
        })
    }
}

/// The form field behind a line of the core's worksheet (`to_worksheet` puts it there).
fn form_field(core: &str) -> Option<&'static str> {
    Some(match core {
        "crops[0].sold_amount" => "crops_sold",
        "crops[0].self_consumed_value" => "crops_self_consumed",
        "crops[0].cost" => "crops_cost",
        "livestock[0].sold_amount" => "livestock_sold",
        "livestock[0].cost" => "livestock_cost",
        "business[0].product_sales" => "business_income",
        "business[0].cost" => "business_cost",
        "wages[0].away_months" => "away_months",
        "wages[0].away_monthly_wage" => "away_monthly_wage",
        "wages[0].local_days" => "local_days",
        "wages[0].local_daily_wage" => "local_daily_wage",
        "transfers[0].amount" => "minimum_allowance",
        "transfers[1].amount" => "pension",
        "transfers[2].amount" => "other_transfers",
        "fixed_assets[0].original_value" => "productive_assets",
        "rigid.education" => "education",
        "rigid.medical" => "medical",
        "insurance_claims" => "insurance_claims",
        _ => return None,
    })
}

/// Totals while some fields are wrong: the fields at fault, each with why, and the
/// totals of the rest (so one typo does not hide every figure).
#[derive(Debug, Clone, PartialEq)]
pub struct LiveTotals {
    pub totals: Result<WorksheetTotals, (String, Text)>,
    pub errors: Vec<(String, Text)>,
}

impl WorksheetForm {
    /// The totals leaving out each field that cannot be read or is out of range; an
    /// error that is not a single field's (no members yet) leaves no totals.
    pub fn live_totals(&self, collected_on: NaiveDate, household_size: u32) -> LiveTotals {
        let mut rest = self.clone();
        let mut errors = Vec::new();
        loop {
            match rest.totals(collected_on, household_size) {
                Err((field, why)) if FIELDS.iter().any(|(f, _, _)| *f == field) && !rest.get(&field).is_empty() => {
                    rest.set(&field, String::new());
                    errors.push((field, why));
                }
                totals => return LiveTotals { totals, errors },
            }
        }
    }
}

/// The line under the totals: per-capita income against the threshold.
pub fn threshold_line(t: &WorksheetTotals, threshold: Fen) -> (bool, Text) {
    let below = t.d_per_capita < threshold;
    let after = t.d1_after_rigid < threshold;
    let (zh, en) = match (below, after) {
        (true, _) => (
            format!("人均纯收入{}元，低于监测底线{}元", t.d_per_capita, threshold),
            format!(
                "per-capita income {} is below the threshold {}",
                t.d_per_capita, threshold
            ),
        ),
        (false, true) => (
            format!(
                "人均纯收入{}元，扣除刚性支出后{}元，低于监测底线{}元",
                t.d_per_capita, t.d1_after_rigid, threshold
            ),
            format!(
                "per-capita income {}, {} after rigid costs: below the threshold {}",
                t.d_per_capita, t.d1_after_rigid, threshold
            ),
        ),
        (false, false) => (
            format!("人均纯收入{}元，高于监测底线{}元", t.d_per_capita, threshold),
            format!(
                "per-capita income {} is above the threshold {}",
                t.d_per_capita, threshold
            ),
        ),
    };
    (below || after, Text::new(zh, en))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d() -> NaiveDate {
        "2025-11-03".parse().unwrap()
    }

    #[test]
    fn live_totals_and_the_threshold_comparison() {
        let mut f = WorksheetForm::default();
        f.set("away_months", "10".into());
        f.set("away_monthly_wage", "2400".into());
        f.set("minimum_allowance", "1800".into());
        f.set("productive_assets", "4500".into());
        let t = f.totals(d(), 3).unwrap();
        assert_eq!(t.a_total, Fen::yuan(25_800));
        assert_eq!(t.b4_depreciation, Fen::yuan(300));
        assert_eq!(t.d_per_capita, Fen::yuan(8_500));
        let (at_risk, line) = threshold_line(&t, Fen::yuan(8_700));
        assert!(at_risk);
        assert_eq!(line.zh, "人均纯收入8500.00元，低于监测底线8700.00元");
        f.set("medical", "9000".into());
        f.set("minimum_allowance", "6000".into());
        let t = f.totals(d(), 3).unwrap();
        let (at_risk, line) = threshold_line(&t, Fen::yuan(8_700));
        assert!(at_risk && line.zh.contains("扣除刚性支出后"), "{}", line.zh);
    }

    #[test]
    fn a_bad_field_is_named() {
        let mut f = WorksheetForm::default();
        f.set("pension", "一千".into());
        let (field, why) = f.totals(d(), 3).unwrap_err();
        assert_eq!(field, "pension");
        assert!(why.zh.starts_with("养老金"));
        f.set("pension", "1,500".into());
        assert_eq!(
            f.totals(d(), 3).unwrap().a4_transfers,
            Fen::yuan(1_500),
            "thousands separators"
        );
        f.set("pension", "1，500.50".into());
        assert_eq!(f.totals(d(), 3).unwrap().a4_transfers, Fen(150_050));
        f.set("pension", String::new());
        // Two typos: both named, and the totals of the rest still shown.
        f.set("minimum_allowance", "1800".into());
        f.set("pension", "一千".into());
        f.set("medical", "-5".into());
        let live = f.live_totals(d(), 3);
        let fields: Vec<&str> = live.errors.iter().map(|(f, _)| f.as_str()).collect();
        assert_eq!(fields, ["pension", "medical"]);
        assert_eq!(live.totals.unwrap().a4_transfers, Fen::yuan(1_800));
        f.set("medical", String::new());
        f.set("minimum_allowance", String::new());
        f.set("pension", String::new());
        // No member listed yet: the members are what is missing.
        assert_eq!(f.totals(d(), 0).unwrap_err().0, "members");
    }
}
