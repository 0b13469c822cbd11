//! What risk elimination rests on: the four criteria judged from the elimination's
//! home check (its worksheet, its answers, its members) and from the case, never
//! ticked by hand.
//!
//! - 002 四(二)1: "以下4项指标全部达标……可按程序标注风险消除": (1) 针对性帮扶措施,
//!   (2) "三保障"及饮水安全, (3) 家庭人均纯收入稳定超出当年度监测底线, (4) 大额刚性支出
//!   稳定解决. 004 五(二) and 000 四(三) ask the same ("收入持续稳定、'两不愁三保障'持续巩固").
//! - "对无劳动能力的，落实社会保障措施后，暂不标注'风险消除'，持续跟踪监测" (002 四(二)1);
//!   Yunnan: "对无劳动能力的，持续落实社会保障措施，长期跟踪监测" (004 五(一), 000 四(三)1),
//!   and 003 二 reverts eliminated households "整户无劳动能力或部分丧失劳动能力且无法通过产业
//!   就业获得稳定收入".

use crate::eligibility::{Assessment, HouseholdFacts};
use crate::household::LabourCapacity;
use crate::money::Fen;
use serde::{Deserialize, Serialize};

/// The elimination home check as the core judged it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EliminationEvidence {
    pub year: i32,
    pub threshold: Fen,
    pub per_capita: Fen,
    /// 两不愁三保障 and drinking water all secured at the check.
    pub guarantees_secured: bool,
    /// The income is not falling: no collapse of the monthly income, no sharp drop.
    pub income_steady: bool,
    /// Rigid spending no longer takes the household under the line.
    pub rigid_expenses_resolved: bool,
    /// Someone can earn: a member with full labour, or one with partial labour when
    /// the household earns from work (wages or its own production).
    pub household_has_labour: bool,
}

impl EliminationEvidence {
    /// Judges the home check's facts with their assessment (the same visit's).
    pub fn of(facts: &HouseholdFacts, assessment: &Assessment) -> Self {
        let has = |c: LabourCapacity| facts.members.iter().any(|m| m.labour == c);
        let earns_from_work = facts.income.a2_wages.0 > 0 || facts.income.a1_production.0 > 0;
        let said = |code: &str| assessment.reasons.iter().any(|r| r.code == code);
        EliminationEvidence {
            year: assessment.year,
            threshold: assessment.threshold,
            per_capita: assessment.per_capita,
            guarantees_secured: facts.guarantees.all_secured(),
            income_steady: !said("income_collapse") && !said("sharp_income_drop"),
            rigid_expenses_resolved: assessment.per_capita_after_rigid >= assessment.threshold,
            household_has_labour: facts.members.iter().any(|m| m.labour.is_whole())
                || (has(LabourCapacity::Partial) && earns_from_work),
        }
    }

    /// The criteria not met, in the seed's order and words; `measures` is how many
    /// assistance measures the case has recorded.
    pub fn unmet(&self, measures: u32) -> Vec<String> {
        let mut v = Vec::new();
        if measures == 0 {
            v.push("未登记针对性帮扶措施".to_string());
        }
        if !self.guarantees_secured {
            v.push("“三保障”及饮水安全未全部保障".to_string());
        }
        // "稳定超出": above the line, not at it.
        if self.per_capita <= self.threshold {
            v.push(format!(
                "人均纯收入{}元未超出{}年监测底线{}元",
                self.per_capita, self.year, self.threshold
            ));
        } else if !self.income_steady {
            v.push("收入不稳定（近期骤减或大幅缩减）".to_string());
        }
        if !self.rigid_expenses_resolved {
            v.push("大额刚性支出未稳定解决（扣除后低于监测底线）".to_string());
        }
        v
    }
}
