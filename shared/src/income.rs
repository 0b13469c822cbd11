//! The household net-income worksheet of 玉溪 annex 2 (农民家庭年人均纯收入核算方法),
//! line by line. All money in fen; the window is the 12 months before collection
//! ("收入计算周期为采集时点起往前12个月").

use crate::money::Fen;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Tables 一 (crops, forestry, fishery) and 二 (livestock): one row per product.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct FarmLine {
    pub name: String,
    /// Area in mu (crops) or head count (livestock): informative, not summed.
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 1_000_000.0))]
    pub scale: Option<f64>,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub sold_amount: Fen,
    /// Self-consumed produce valued at local prices (自产自消折价金额).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub self_consumed_value: Fen,
    /// Seeds, feed, fertiliser, hired labour, rent, fuel, loan interest…
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub cost: Fen,
}

/// Table 三: secondary and tertiary activities.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct BusinessLine {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub product_sales: Fen,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub service_income: Fen,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub cost: Fen,
}

/// Table 四: one household member's wages over the year.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct WageLine {
    pub member: String,
    #[cfg_attr(feature = "openapi", schema(maximum = 366))]
    pub local_days: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub local_daily_wage: Fen,
    #[cfg_attr(feature = "openapi", schema(maximum = 12))]
    pub away_months: u32,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub away_monthly_wage: Fen,
    /// In-kind benefits from employers (实物补助折价).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub in_kind: Fen,
}

impl WageLine {
    pub fn local_cash(&self) -> Fen {
        self.local_daily_wage.times(i64::from(self.local_days))
    }
    pub fn away_cash(&self) -> Fen {
        self.away_monthly_wage.times(i64::from(self.away_months))
    }
    pub fn total(&self) -> Fen {
        self.local_cash() + self.away_cash() + self.in_kind
    }
}

/// Table 五: net property income.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct PropertyIncome {
    /// 资产收益扶贫分红收入 (line A3-1).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub poverty_asset_dividend: Fen,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::NetAmount))]
    pub land_rent_net: Fen,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::NetAmount))]
    pub house_rent_net: Fen,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::NetAmount))]
    pub other: Fen,
}

/// Table 六: the transfer-income items, numbered as on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum TransferItem {
    /// 1 计划生育专项补助
    FamilyPlanning,
    /// 2 低保金
    MinimumLivingAllowance,
    /// 3 特困供养金
    DestituteSupport,
    /// 4 养老保险金/离退休金
    Pension,
    /// 5.1 森林生态效益补偿
    ForestEcoCompensation,
    /// 5.2 退耕还林还草补助
    FarmlandToForest,
    /// 5.3 草原生态奖励补贴
    GrasslandEcoReward,
    /// 5.4 其他生态补偿金
    OtherEcoCompensation,
    /// 6.1 耕地地力保护补贴
    ArableLandProtection,
    /// 6.2 农机具补贴
    FarmMachinery,
    /// 6.3 休耕轮作试点补贴
    FallowRotation,
    /// 6.4 畜牧业补贴
    Livestock,
    /// 6.5 购买生产资料综合补贴
    ProductionMaterials,
    /// 6.6 农业生产保险理赔金
    AgriInsurancePayout,
    /// 6.7 其他生产补贴
    OtherProduction,
    /// 6.8 定期发放的抚恤金
    Pension8Survivor,
    /// 6.9 救济金
    Relief,
    /// 6.10 退役军人补贴
    Veteran,
    /// 6.11 边民补贴
    BorderResident,
    /// 6.12 赡养收入
    Support,
    /// 6.13 残疾人生活补助
    DisabilityLiving,
    /// 6.14 残疾人护理补助
    DisabilityCare,
    /// 6.15 其他补贴
    Other,
}

impl TransferItem {
    /// The number printed beside the item on the form.
    pub fn form_number(self) -> &'static str {
        use TransferItem::*;
        match self {
            FamilyPlanning => "1",
            MinimumLivingAllowance => "2",
            DestituteSupport => "3",
            Pension => "4",
            ForestEcoCompensation => "5.1",
            FarmlandToForest => "5.2",
            GrasslandEcoReward => "5.3",
            OtherEcoCompensation => "5.4",
            ArableLandProtection => "6.1",
            FarmMachinery => "6.2",
            FallowRotation => "6.3",
            Livestock => "6.4",
            ProductionMaterials => "6.5",
            AgriInsurancePayout => "6.6",
            OtherProduction => "6.7",
            Pension8Survivor => "6.8",
            Relief => "6.9",
            Veteran => "6.10",
            BorderResident => "6.11",
            Support => "6.12",
            DisabilityLiving => "6.13",
            DisabilityCare => "6.14",
            Other => "6.15",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransferLine {
    pub item: TransferItem,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub amount: Fen,
}

/// Table 七: one productive fixed asset (sheds, greenhouses, machinery, draught animals).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FixedAsset {
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub original_value: Fen,
    /// Only assets that still work count ("目前能正常使用").
    #[serde(default = "yes")]
    pub in_use: bool,
}

fn yes() -> bool {
    true
}

/// Reasonable out-of-pocket (rigid) expenses, lines F1..F3.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct RigidExpenses {
    /// F1 tuition, boarding, materials, travel.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub education: Fen,
    /// F2 out-of-pocket medical, carers, medicine, travel.
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub medical: Fen,
    /// F3 other (disaster…).
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub other: Fen,
}

/// Everything a cadre writes on annex 2 for one household.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Worksheet {
    /// The collection date; income counts over the 12 months before it.
    pub collected_on: NaiveDate,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub crops: Vec<FarmLine>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub livestock: Vec<FarmLine>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub business: Vec<BusinessLine>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub wages: Vec<WageLine>,
    #[serde(default)]
    pub property: PropertyIncome,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub transfers: Vec<TransferLine>,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(max_items = 100))]
    pub fixed_assets: Vec<FixedAsset>,
    /// E 理赔收入: insurance payouts, kept outside A and set against rigid expenses.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = crate::schema::Amount))]
    pub insurance_claims: Fen,
    #[serde(default)]
    pub rigid: RigidExpenses,
}

/// Every computed line of section 八, plus the shares used by the flags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorksheetTotals {
    pub window_start: NaiveDate,
    pub window_end: NaiveDate,
    pub a1_1_crops: Fen,
    pub a1_2_livestock: Fen,
    pub a1_3_business: Fen,
    pub a1_production: Fen,
    pub a2_wages: Fen,
    pub a3_1_dividend: Fen,
    pub a3_2_other_property: Fen,
    pub a3_property: Fen,
    pub a4_transfers: Fen,
    pub a_total: Fen,
    pub b1_crop_costs: Fen,
    pub b2_livestock_costs: Fen,
    pub b3_business_costs: Fen,
    /// B4: 1/15 of the productive fixed assets worth more than 1000 yuan.
    pub b4_depreciation: Fen,
    pub b_total: Fen,
    /// C = A − B
    pub c_net: Fen,
    pub household_size: u32,
    /// D = C ÷ household size
    pub d_per_capita: Fen,
    pub e_insurance_claims: Fen,
    pub f1_education: Fen,
    pub f2_medical: Fen,
    pub f3_other: Fen,
    pub f_rigid: Fen,
    /// D1 = (C + E − F) ÷ household size: per-capita income after rigid expenses.
    pub d1_after_rigid: Fen,
    /// A4 ÷ A in basis points; None when A is not positive.
    pub transfer_share_bp: Option<u32>,
    /// A2 ÷ A in basis points.
    pub wage_share_bp: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}：{zh} / {field}: {en}")]
pub struct WorksheetError {
    /// Path of the offending input, e.g. `wages[1].local_days`.
    pub field: String,
    pub zh: String,
    pub en: String,
}

fn err(field: impl Into<String>, zh: &str, en: &str) -> WorksheetError {
    WorksheetError {
        field: field.into(),
        zh: zh.into(),
        en: en.into(),
    }
}

/// Productive assets count for depreciation only above this purchase value.
pub const DEPRECIATION_MIN_VALUE: Fen = Fen::yuan(1000);
/// Straight-line over 15 years ("原值的1/15").
pub const DEPRECIATION_YEARS: i64 = 15;

/// The income window for a collection date: the 12 months before it.
/// Collected 2021-10-01 → 2020-10-01 ..= 2021-09-30 (the 云龙 2021 cycle).
pub fn income_window(collected_on: NaiveDate) -> (NaiveDate, NaiveDate) {
    let start = collected_on.checked_sub_months(Months::new(12)).unwrap_or(collected_on);
    let end = collected_on.pred_opt().unwrap_or(collected_on);
    (start, end)
}

/// The largest amount one line may hold (1亿元). Far above any household's, it keeps
/// every sum of a worksheet inside i64, so a typo of extra zeros (or a hostile client)
/// is refused by field instead of overflowing.
pub const MAX_AMOUNT: Fen = Fen::yuan(100_000_000);
/// The largest area (亩) or head count a line may give: only a typo is larger.
pub const MAX_SCALE: f64 = 1_000_000.0;
/// Most lines one table may have.
pub const MAX_LINES: usize = 100;

fn non_negative(field: String, v: Fen) -> Result<(), WorksheetError> {
    if v.0 < 0 {
        Err(err(field, "金额不能为负数", "amount cannot be negative"))
    } else {
        bounded(field, v)
    }
}

fn bounded(field: String, v: Fen) -> Result<(), WorksheetError> {
    if v.0.unsigned_abs() > MAX_AMOUNT.0.unsigned_abs() {
        Err(err(
            field,
            "金额超过1亿元，请核实",
            "more than 100 million yuan: please check",
        ))
    } else {
        Ok(())
    }
}

/// The most people one household may count (#家庭人口数): more is a typo.
pub const MAX_HOUSEHOLD_SIZE: u32 = 50;

impl Worksheet {
    /// Checks every input, then computes section 八 for a household of
    /// `household_size` (#家庭人口数). The head count is not a line of the sheet: a home
    /// visit counts the members it lists, so the two can never disagree.
    pub fn compute(&self, household_size: u32) -> Result<WorksheetTotals, WorksheetError> {
        if household_size == 0 {
            return Err(err(
                "household_size",
                "家庭人口数至少为1",
                "a household has at least one member",
            ));
        }
        if household_size > MAX_HOUSEHOLD_SIZE {
            return Err(err(
                "household_size",
                "家庭人口数超过50，请核实",
                "more than 50 members: please check",
            ));
        }
        self.validate()?;
        let farm = |lines: &[FarmLine]| -> (Fen, Fen) {
            (
                lines.iter().map(|l| l.sold_amount + l.self_consumed_value).sum(),
                lines.iter().map(|l| l.cost).sum(),
            )
        };
        let (a1_1, b1) = farm(&self.crops);
        let (a1_2, b2) = farm(&self.livestock);
        let a1_3: Fen = self.business.iter().map(|l| l.product_sales + l.service_income).sum();
        let b3: Fen = self.business.iter().map(|l| l.cost).sum();
        let a1 = a1_1 + a1_2 + a1_3;
        let a2: Fen = self.wages.iter().map(WageLine::total).sum();
        let p = &self.property;
        let a3_1 = p.poverty_asset_dividend;
        let a3_2 = p.land_rent_net + p.house_rent_net + p.other;
        let a3 = a3_1 + a3_2;
        let a4: Fen = self.transfers.iter().map(|t| t.amount).sum();
        let a = a1 + a2 + a3 + a4;
        let depreciable: Fen = self
            .fixed_assets
            .iter()
            .filter(|f| f.in_use && f.original_value > DEPRECIATION_MIN_VALUE)
            .map(|f| f.original_value)
            .sum();
        let b4 = depreciable.div_round(DEPRECIATION_YEARS);
        let b = b1 + b2 + b3 + b4;
        let c = a - b;
        let n = i64::from(household_size);
        let r = &self.rigid;
        let f = r.education + r.medical + r.other;
        let (window_start, window_end) = income_window(self.collected_on);
        Ok(WorksheetTotals {
            window_start,
            window_end,
            a1_1_crops: a1_1,
            a1_2_livestock: a1_2,
            a1_3_business: a1_3,
            a1_production: a1,
            a2_wages: a2,
            a3_1_dividend: a3_1,
            a3_2_other_property: a3_2,
            a3_property: a3,
            a4_transfers: a4,
            a_total: a,
            b1_crop_costs: b1,
            b2_livestock_costs: b2,
            b3_business_costs: b3,
            b4_depreciation: b4,
            b_total: b,
            c_net: c,
            household_size,
            d_per_capita: c.div_round(n),
            e_insurance_claims: self.insurance_claims,
            f1_education: r.education,
            f2_medical: r.medical,
            f3_other: r.other,
            f_rigid: f,
            d1_after_rigid: (c + self.insurance_claims - f).div_round(n),
            transfer_share_bp: a4.share_bp(a),
            wage_share_bp: a2.share_bp(a),
        })
    }

    /// Checks every line: the ranges here are also the document's (see the
    /// `schema(...)` attributes above, and the test that compares them).
    pub fn validate(&self) -> Result<(), WorksheetError> {
        for (table, n) in [
            ("crops", self.crops.len()),
            ("livestock", self.livestock.len()),
            ("business", self.business.len()),
            ("wages", self.wages.len()),
            ("transfers", self.transfers.len()),
            ("fixed_assets", self.fixed_assets.len()),
        ] {
            if n > MAX_LINES {
                return Err(err(table, "一张表最多100行", "at most 100 lines per table"));
            }
        }
        for (table, lines) in [("crops", &self.crops), ("livestock", &self.livestock)] {
            for (i, l) in lines.iter().enumerate() {
                non_negative(format!("{table}[{i}].sold_amount"), l.sold_amount)?;
                non_negative(format!("{table}[{i}].self_consumed_value"), l.self_consumed_value)?;
                non_negative(format!("{table}[{i}].cost"), l.cost)?;
                if l.scale
                    .is_some_and(|s| !s.is_finite() || !(0.0..=MAX_SCALE).contains(&s))
                {
                    return Err(err(
                        format!("{table}[{i}].scale"),
                        "规模应为0至100万之间的数",
                        "scale must be a number from 0 to 1,000,000",
                    ));
                }
            }
        }
        for (i, l) in self.business.iter().enumerate() {
            non_negative(format!("business[{i}].product_sales"), l.product_sales)?;
            non_negative(format!("business[{i}].service_income"), l.service_income)?;
            non_negative(format!("business[{i}].cost"), l.cost)?;
        }
        for (i, w) in self.wages.iter().enumerate() {
            if w.local_days > 366 {
                return Err(err(
                    format!("wages[{i}].local_days"),
                    "一年务工天数不能超过366天",
                    "more than 366 days in a year",
                ));
            }
            if w.away_months > 12 {
                return Err(err(
                    format!("wages[{i}].away_months"),
                    "一年务工月数不能超过12个月",
                    "more than 12 months in a year",
                ));
            }
            non_negative(format!("wages[{i}].local_daily_wage"), w.local_daily_wage)?;
            non_negative(format!("wages[{i}].away_monthly_wage"), w.away_monthly_wage)?;
            non_negative(format!("wages[{i}].in_kind"), w.in_kind)?;
        }
        // Net property income may be negative (a rented house that cost more than it brought).
        let p = &self.property;
        non_negative("property.poverty_asset_dividend".into(), p.poverty_asset_dividend)?;
        bounded("property.land_rent_net".into(), p.land_rent_net)?;
        bounded("property.house_rent_net".into(), p.house_rent_net)?;
        bounded("property.other".into(), p.other)?;
        for (i, t) in self.transfers.iter().enumerate() {
            non_negative(format!("transfers[{i}].amount"), t.amount)?;
        }
        for (i, f) in self.fixed_assets.iter().enumerate() {
            non_negative(format!("fixed_assets[{i}].original_value"), f.original_value)?;
        }
        non_negative("insurance_claims".into(), self.insurance_claims)?;
        non_negative("rigid.education".into(), self.rigid.education)?;
        non_negative("rigid.medical".into(), self.rigid.medical)?;
        non_negative("rigid.other".into(), self.rigid.other)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn y(yuan: i64) -> Fen {
        Fen::yuan(yuan)
    }

    fn sample() -> Worksheet {
        Worksheet {
            collected_on: d("2021-10-01"),
            crops: vec![FarmLine {
                name: "玉米".into(),
                scale: Some(3.5),
                sold_amount: y(3000),
                self_consumed_value: y(800),
                cost: y(1200),
            }],
            livestock: vec![FarmLine {
                name: "生猪".into(),
                scale: Some(2.0),
                sold_amount: y(4000),
                self_consumed_value: y(1000),
                cost: y(2500),
            }],
            business: vec![BusinessLine {
                name: "小卖部".into(),
                product_sales: y(2000),
                service_income: y(500),
                cost: y(1500),
            }],
            wages: vec![WageLine {
                member: "张三".into(),
                local_days: 60,
                local_daily_wage: y(120),
                away_months: 4,
                away_monthly_wage: y(3000),
                in_kind: y(300),
            }],
            property: PropertyIncome {
                poverty_asset_dividend: y(200),
                land_rent_net: y(600),
                house_rent_net: Fen::ZERO,
                other: Fen::ZERO,
            },
            transfers: vec![
                TransferLine {
                    item: TransferItem::MinimumLivingAllowance,
                    amount: y(2400),
                },
                TransferLine {
                    item: TransferItem::ArableLandProtection,
                    amount: y(300),
                },
            ],
            fixed_assets: vec![
                FixedAsset {
                    name: "微耕机".into(),
                    original_value: y(4500),
                    in_use: true,
                },
                FixedAsset {
                    name: "猪圈".into(),
                    original_value: y(3000),
                    in_use: true,
                },
                FixedAsset {
                    name: "喷雾器".into(),
                    original_value: y(1000),
                    in_use: true,
                },
                FixedAsset {
                    name: "旧三轮".into(),
                    original_value: y(6000),
                    in_use: false,
                },
            ],
            insurance_claims: y(1000),
            rigid: RigidExpenses {
                education: y(3000),
                medical: y(5000),
                other: Fen::ZERO,
            },
        }
    }

    /// "A农民家庭年总收入(A1+A2+A3+A4)", "B(B1+B2+B3+B4)", "C(A-B)", "D(C÷#家庭人口数)".
    #[test]
    fn annex2_section8_line_by_line() {
        let t = sample().compute(4).unwrap();
        assert_eq!(t.a1_1_crops, y(3800), "分品种收入=出售金额+自产自消折价金额");
        assert_eq!(t.a1_2_livestock, y(5000));
        assert_eq!(t.a1_3_business, y(2500), "分品种收入=出售金额+提供服务收入");
        assert_eq!(t.a1_production, y(11300));
        assert_eq!(t.a2_wages, y(60 * 120 + 4 * 3000 + 300), "本地+外出+实物补助折价");
        assert_eq!(t.a3_1_dividend, y(200));
        assert_eq!(t.a3_2_other_property, y(600));
        assert_eq!(t.a4_transfers, y(2700));
        assert_eq!(t.a_total, y(11300 + 19500 + 800 + 2700));
        assert_eq!(t.b1_crop_costs, y(1200));
        assert_eq!(t.b2_livestock_costs, y(2500));
        assert_eq!(t.b3_business_costs, y(1500));
        // 购买时价值超过1000元、目前能正常使用: 4500 + 3000 count; 1000 exactly and the broken one do not.
        assert_eq!(t.b4_depreciation, y(500), "原值的1/15");
        assert_eq!(t.b_total, y(5700));
        assert_eq!(t.c_net, y(34300 - 5700));
        assert_eq!(t.d_per_capita, y(7150));
        assert_eq!(t.f_rigid, y(8000));
        assert_eq!(t.d1_after_rigid, y((28600 + 1000 - 8000) / 4));
        assert_eq!(t.transfer_share_bp, Some(787)); // 2700 / 34300
        assert_eq!((t.window_start, t.window_end), (d("2020-10-01"), d("2021-09-30")));
    }

    #[test]
    fn per_capita_rounds_to_the_fen() {
        let w = sample();
        let t = w.compute(3).unwrap();
        assert_eq!(t.d_per_capita, Fen(953_333)); // 28600 / 3 = 9533.333…
    }

    #[test]
    fn income_window_is_the_twelve_months_before_collection() {
        assert_eq!(income_window(d("2024-03-01")), (d("2023-03-01"), d("2024-02-29")));
        assert_eq!(income_window(d("2024-02-29")), (d("2023-02-28"), d("2024-02-28")));
    }

    #[test]
    fn bad_inputs_name_the_field() {
        let w = sample();
        assert_eq!(w.compute(0).unwrap_err().field, "household_size");
        assert_eq!(w.compute(MAX_HOUSEHOLD_SIZE + 1).unwrap_err().field, "household_size");
        let mut w = sample();
        w.wages[0].local_days = 400;
        assert_eq!(w.compute(4).unwrap_err().field, "wages[0].local_days");
        let mut w = sample();
        w.transfers[1].amount = Fen(-1);
        let e = w.compute(4).unwrap_err();
        assert_eq!(e.field, "transfers[1].amount");
        assert!(e.to_string().contains("不能为负数"));
    }

    #[test]
    fn a_loss_making_farm_gives_negative_net_income() {
        let mut w = sample();
        w.livestock[0].cost = y(40000);
        let t = w.compute(4).unwrap();
        assert!(t.c_net.0 < 0);
        assert!(t.d_per_capita.0 < 0);
    }

    #[test]
    fn parses_from_json_with_defaults() {
        let w: Worksheet = serde_json::from_str(
            r#"{"collected_on":"2025-06-01",
                "wages":[{"member":"李四","away_months":10,"away_monthly_wage":300000}],
                "transfers":[{"item":"Pension","amount":240000}]}"#,
        )
        .unwrap();
        let t = w.compute(2).unwrap();
        assert_eq!(t.a_total, y(30000 + 2400));
        assert_eq!(t.d_per_capita, y(16200));
    }

    #[test]
    fn absurd_amounts_and_tables_are_refused_before_anything_is_added() {
        let mut w = sample();
        let line = w.crops[0].clone();
        w.crops = vec![line.clone(); 2];
        w.crops[0].sold_amount = MAX_AMOUNT;
        assert!(w.compute(4).is_ok(), "the largest amount still adds up");
        w.crops[1].sold_amount = Fen(i64::MAX / 2);
        assert_eq!(w.compute(4).unwrap_err().field, "crops[1].sold_amount");
        let mut w = sample();
        w.property.land_rent_net = Fen(-MAX_AMOUNT.0 - 1);
        assert_eq!(w.compute(4).unwrap_err().field, "property.land_rent_net");
        let mut w = sample();
        w.transfers = vec![w.transfers[0].clone(); MAX_LINES + 1];
        assert_eq!(w.compute(4).unwrap_err().field, "transfers");
    }
}
