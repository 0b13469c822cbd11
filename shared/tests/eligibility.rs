//! Eligibility under the seed documents' rules, one test per clause.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use chrono::NaiveDate;
use zaofaxian_shared::eligibility::{
    AssessmentError, Category, ExclusionCheck, Guarantees, HouseholdFacts, VehiclePurchase, assess,
};
use zaofaxian_shared::household::{Health, LabourCapacity, Member, Schooling};
use zaofaxian_shared::income::{FarmLine, FixedAsset, RigidExpenses, TransferItem, TransferLine, WageLine, Worksheet};
use zaofaxian_shared::policy::{KeyFlag, Policy};
use zaofaxian_shared::{DivisionCode, Fen};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

const YUXI_VILLAGE: &str = "530402001001";
const HEQING_VILLAGE: &str = "532932100201";
const NEIMENGGU_VILLAGE: &str = "150102001001";

fn adult(name: &str, born: &str, labour: LabourCapacity) -> Member {
    Member {
        name: name.into(),
        national_id: None,
        relationship: None,
        birth_date: d(born),
        labour,
        health: Health::Healthy,
        severe_disability: false,
        disabled_elderly: false,
        schooling: None,
        has_guardian_or_supporter: true,
    }
}

/// A worksheet and the head count its income is shared among.
struct Sheet {
    w: Worksheet,
    size: u32,
}

impl std::ops::Deref for Sheet {
    type Target = Worksheet;
    fn deref(&self) -> &Worksheet {
        &self.w
    }
}
impl std::ops::DerefMut for Sheet {
    fn deref_mut(&mut self) -> &mut Worksheet {
        &mut self.w
    }
}

/// A household of `size` whose only income is wages giving `per_capita_yuan` each.
fn worksheet(on: &str, size: u32, per_capita_yuan: i64) -> Sheet {
    let w = Worksheet {
        collected_on: d(on),
        crops: vec![],
        livestock: vec![],
        business: vec![],
        wages: vec![WageLine {
            member: "户主".into(),
            local_days: 0,
            local_daily_wage: Fen::ZERO,
            away_months: 12,
            away_monthly_wage: Fen::yuan(per_capita_yuan * i64::from(size)).div_round(12),
            in_kind: Fen::ZERO,
        }],
        property: Default::default(),
        transfers: vec![],
        fixed_assets: vec![],
        insurance_claims: Fen::ZERO,
        rigid: RigidExpenses::default(),
    };
    Sheet { w, size }
}

fn all_checks_clear(profile_id: &str) -> Vec<ExclusionCheck> {
    Policy::embedded()
        .profile(profile_id)
        .unwrap()
        .exclusions
        .iter()
        .map(|r| ExclusionCheck {
            rule_id: r.id.clone(),
            applies: false,
            override_note: None,
            persons: Vec::new(),
        })
        .collect()
}

fn facts(village: &str, on: &str, w: &Sheet, formerly_poor: bool, profile: &str) -> HouseholdFacts {
    HouseholdFacts {
        division: village.parse::<DivisionCode>().unwrap(),
        assessed_on: d(on),
        formerly_poor,
        members: vec![
            adult("户主", "1970-05-01", LabourCapacity::Full),
            adult("配偶", "1972-03-01", LabourCapacity::Full),
            adult("老人", "1945-01-01", LabourCapacity::None),
        ],
        income: w.compute(w.size).unwrap(),
        previous_per_capita: None,
        current_monthly_income: None,
        guarantees: Guarantees::ALL_SECURED,
        sudden_hardship: false,
        observed_flags: vec![],
        exclusion_checks: all_checks_clear(profile),
        vehicles: vec![],
    }
}

/// 内蒙古 二(一)1: "年人均纯收入低于防止返贫监测底线且有返贫风险的脱贫户" → 脱贫不稳定户.
#[test]
fn formerly_poor_below_threshold_is_unstable() {
    let w = worksheet("2021-10-01", 3, 5500);
    let a = assess(
        Policy::embedded(),
        &facts(NEIMENGGU_VILLAGE, "2021-10-01", &w, true, "neimenggu-2021"),
    )
    .unwrap();
    assert_eq!(a.threshold, Fen::yuan(6000));
    assert_eq!(a.category, Some(Category::UnstableFormerlyPoor));
    assert!(a.eligible);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.code == "below_threshold" && r.text.zh.contains("低于2021年防止返贫监测底线6000.00元"))
    );
}

/// 内蒙古 二(一)2: "年人均纯收入低于防止返贫监测底线且有致贫风险的农牧户(非脱贫户)" → 边缘易致贫户.
#[test]
fn other_household_below_threshold_is_marginal() {
    let w = worksheet("2023-06-01", 3, 8000);
    let a = assess(
        Policy::embedded(),
        &facts(YUXI_VILLAGE, "2023-06-01", &w, false, "yuxi-2021"),
    )
    .unwrap();
    assert_eq!(a.threshold, Fen::yuan(8050), "云南 2023");
    assert_eq!(a.category, Some(Category::MarginalAtRisk));
    assert!(a.eligible);
}

/// 云南 二(一): "因病因灾因意外事故等刚性支出较大……导致基本生活出现严重困难户" → 突发严重困难户,
/// using annex 2's D1 (income after rigid expenses).
#[test]
fn above_threshold_with_heavy_medical_costs_is_sudden_hardship() {
    let mut w = worksheet("2025-03-01", 3, 10000);
    w.rigid = RigidExpenses {
        education: Fen::ZERO,
        medical: Fen::yuan(12000),
        other: Fen::ZERO,
    };
    let a = assess(
        Policy::embedded(),
        &facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021"),
    )
    .unwrap();
    assert_eq!(a.threshold, Fen::yuan(8700));
    assert_eq!(a.per_capita, Fen::yuan(10000));
    assert_eq!(a.per_capita_after_rigid, Fen::yuan(6000));
    assert_eq!(a.category, Some(Category::SuddenSevereHardship));
    assert!(a.reasons.iter().any(|r| r.code == "rigid_expenses"));
}

#[test]
fn a_sharp_income_drop_also_counts_as_sudden_hardship() {
    let w = worksheet("2025-03-01", 3, 9000);
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    f.previous_per_capita = Some(Fen::yuan(15000));
    let a = assess(Policy::embedded(), &f).unwrap();
    assert_eq!(a.category, Some(Category::SuddenSevereHardship));
    assert!(a.reasons.iter().any(|r| r.code == "sharp_income_drop"));
}

#[test]
fn comfortable_household_is_not_eligible_and_told_why() {
    let w = worksheet("2025-03-01", 3, 12000);
    let a = assess(
        Policy::embedded(),
        &facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021"),
    )
    .unwrap();
    assert_eq!(a.category, None);
    assert!(!a.eligible);
    let r = a.reasons.iter().find(|r| r.code == "above_threshold").unwrap();
    assert!(r.text.zh.contains("12000.00") && r.text.en.contains("8700.00"));
}

/// 玉溪 三(二): "核算收入低于脱贫攻坚期国定扶贫标准或……“三保障”存在未保障的脱贫户全部纳入监测".
#[test]
fn formerly_poor_with_an_unsafe_house_must_be_monitored_even_above_threshold() {
    let w = worksheet("2025-03-01", 3, 12000);
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, true, "yuxi-2021");
    f.guarantees.housing_safe = false;
    let a = assess(Policy::embedded(), &f).unwrap();
    assert!(a.mandatory);
    assert!(a.eligible);
    assert_eq!(a.category, Some(Category::SuddenSevereHardship));
}

/// 玉溪 三(三)1 cannot be overridden: a member who is a public servant excludes the household.
#[test]
fn yuxi_public_servant_excludes_without_override() {
    let w = worksheet("2025-03-01", 3, 5000);
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    let c = f.exclusion_checks.iter_mut().find(|c| c.rule_id == "yx-1").unwrap();
    c.applies = true;
    c.override_note = Some("家庭变故".into());
    let a = assess(Policy::embedded(), &f).unwrap();
    assert_eq!(a.category, Some(Category::MarginalAtRisk));
    assert_eq!(a.excluded_by, ["yx-1"]);
    assert!(!a.eligible);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.code == "excluded:yx-1" && r.text.zh.contains("不得通过说明纳入"))
    );
}

/// 玉溪 三(三)8–10 and 云南 附件2 8–9 name persons: "空挂人口", "死亡人员、服刑人员、失踪
/// 人员、与户主不共享开支或收入的人员". Such a person is left out of the household and the
/// household is judged without them; only a household on paper alone (空挂户) is refused.
#[test]
fn exclusions_that_name_persons_leave_them_out_not_the_household() {
    let w = worksheet("2025-03-01", 3, 5000);
    for (profile, village, rule) in [
        ("yuxi-2021", YUXI_VILLAGE, "yx-9"),
        ("yuxi-2021", YUXI_VILLAGE, "yx-10"),
        ("heqing-2020", HEQING_VILLAGE, "yn-9"),
    ] {
        let mut f = facts(village, "2025-03-01", &w, false, profile);
        let c = f.exclusion_checks.iter_mut().find(|c| c.rule_id == rule).unwrap();
        c.applies = true;
        c.persons = vec!["户主之子（服刑）".into()];
        let a = assess(Policy::embedded(), &f).unwrap();
        assert!(a.eligible && a.excluded_by.is_empty(), "{rule}: {a:?}");
        let left = a.reasons.iter().find(|r| r.code == format!("left_out:{rule}")).unwrap();
        assert!(left.text.zh.contains("户主之子（服刑）不计入本户"), "{}", left.text.zh);
        // The person left out cannot also be counted as a member.
        f.exclusion_checks
            .iter_mut()
            .find(|c| c.rule_id == rule)
            .unwrap()
            .persons = vec!["老人".into()];
        assert_eq!(
            assess(Policy::embedded(), &f),
            Err(AssessmentError::LeftOutListed("老人".into())),
            "{rule}"
        );
        // No one named: the whole household (a 空挂户) is what the rule found.
        f.exclusion_checks
            .iter_mut()
            .find(|c| c.rule_id == rule)
            .unwrap()
            .persons
            .clear();
        let a = assess(Policy::embedded(), &f).unwrap();
        assert_eq!(a.excluded_by, [rule], "{rule}");
    }
    // A household rule is not turned into a person rule by naming someone.
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    let c = f.exclusion_checks.iter_mut().find(|c| c.rule_id == "yx-1").unwrap();
    (c.applies, c.persons) = (true, vec!["户主之女".into()]);
    assert_eq!(assess(Policy::embedded(), &f).unwrap().excluded_by, ["yx-1"]);
}

/// 玉溪 三(三): "对有以上 2—5 种情形但因家庭重大变故……并对群众作出专门说明".
#[test]
fn yuxi_rules_2_to_5_yield_to_a_documented_explanation() {
    let w = worksheet("2025-03-01", 3, 5000);
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    let c = f.exclusion_checks.iter_mut().find(|c| c.rule_id == "yx-4").unwrap();
    c.applies = true;
    let a = assess(Policy::embedded(), &f).unwrap();
    assert_eq!(a.excluded_by, ["yx-4"], "no explanation yet");
    let c = f.exclusion_checks.iter_mut().find(|c| c.rule_id == "yx-4").unwrap();
    c.override_note = Some("城镇房屋已因债务被法院拍卖，家庭重大变故".into());
    let a = assess(Policy::embedded(), &f).unwrap();
    assert!(a.excluded_by.is_empty());
    assert!(a.eligible);
    assert!(a.reasons.iter().any(|r| r.code == "overridden:yx-4"));
}

/// 玉溪 三(三)3: "识别前1年内购买价格3万元以上消费型机动车的（用于发展生产、运输用途车除外）".
#[test]
fn yuxi_vehicle_rule_is_measured_from_purchases() {
    let w = worksheet("2025-03-01", 3, 5000);
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    f.exclusion_checks.retain(|c| c.rule_id != "yx-3"); // answered by the vehicle list
    let car = |price: i64, on: &str, prod: bool| VehiclePurchase {
        price: Fen::yuan(price),
        bought_on: d(on),
        for_production: prod,
    };
    f.vehicles = vec![
        car(80000, "2023-12-01", false),
        car(45000, "2024-06-01", true),
        car(29999, "2024-09-01", false),
    ];
    assert!(
        assess(Policy::embedded(), &f).unwrap().excluded_by.is_empty(),
        "too old, production, too cheap"
    );
    f.vehicles.push(car(30000, "2024-03-01", false));
    let a = assess(Policy::embedded(), &f).unwrap();
    assert_eq!(a.excluded_by, ["yx-3"]);
    assert!(a.reasons.iter().any(|r| r.text.zh.contains("30000.00元")));
}

/// 内蒙古 二(二)4: "特殊情况由村民代表大会重点评议": the visiting cadre can only put the
/// case to the assembly (the appraisal records its review, see the lifecycle's tests);
/// without a word of why, the household is excluded.
#[test]
fn neimenggu_override_needs_the_assembly() {
    let w = worksheet("2021-10-01", 3, 5000);
    let mut f = facts(NEIMENGGU_VILLAGE, "2021-10-01", &w, false, "neimenggu-2021");
    let c = f.exclusion_checks.iter_mut().find(|c| c.rule_id == "nm-3").unwrap();
    c.applies = true;
    assert_eq!(assess(Policy::embedded(), &f).unwrap().excluded_by, ["nm-3"]);
    let c = f.exclusion_checks.iter_mut().find(|c| c.rule_id == "nm-3").unwrap();
    c.override_note = Some("车辆为旧面包车，用于送医".into());
    let a = assess(Policy::embedded(), &f).unwrap();
    assert!(a.excluded_by.is_empty() && a.eligible, "{a:?}");
    assert_eq!(a.assembly_pending, ["nm-3"]);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.text.zh.contains("拟提交村民代表大会重点评议"))
    );
}

#[test]
fn every_exclusion_must_be_answered_and_unknown_ones_are_refused() {
    let w = worksheet("2025-03-01", 3, 5000);
    let mut f = facts(HEQING_VILLAGE, "2025-03-01", &w, false, "heqing-2020");
    f.exclusion_checks.retain(|c| c.rule_id != "yn-7");
    assert_eq!(
        assess(Policy::embedded(), &f),
        Err(AssessmentError::UncheckedExclusions(vec!["yn-7".into()]))
    );
    let mut f = facts(HEQING_VILLAGE, "2025-03-01", &w, false, "heqing-2020");
    f.exclusion_checks.push(ExclusionCheck {
        rule_id: "yx-1".into(),
        applies: false,
        override_note: None,
        persons: Vec::new(),
    });
    assert_eq!(
        assess(Policy::embedded(), &f),
        Err(AssessmentError::UnknownExclusion("yx-1".into()))
    );
}

#[test]
fn a_year_without_a_threshold_is_an_error_not_a_guess() {
    let w = worksheet("2024-03-01", 3, 5000);
    let err = assess(
        Policy::embedded(),
        &facts(YUXI_VILLAGE, "2024-03-01", &w, false, "yuxi-2021"),
    )
    .unwrap_err();
    assert!(err.to_string().contains("没有2024年的监测底线"), "{err}");
}

/// 玉溪 三(一)1: "转移性收入占比超过40%的家庭"; 2: "家庭劳动力系数≤0.5".
#[test]
fn yuxi_flags_transfer_share_and_low_labour() {
    let mut w = worksheet("2025-03-01", 2, 3000);
    w.transfers = vec![TransferLine {
        item: TransferItem::MinimumLivingAllowance,
        amount: Fen::yuan(4001),
    }];
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    f.members = vec![
        adult("户主", "1958-01-01", LabourCapacity::Partial),
        adult("配偶", "1960-01-01", LabourCapacity::None),
    ];
    let a = assess(Policy::embedded(), &f).unwrap();
    let flags: Vec<KeyFlag> = a.flags.iter().map(|h| h.flag).collect();
    assert!(
        flags.contains(&KeyFlag::TransferShare),
        "4001 / 10001 = 40.00…% > 40%: {flags:?}"
    );
    assert!(flags.contains(&KeyFlag::LowLabour));
    let share = a.flags.iter().find(|h| h.flag == KeyFlag::TransferShare).unwrap();
    assert_eq!(share.because.zh, "转移性收入占比40.00%");

    // Exactly 40% is not "超过40%".
    w.transfers[0].amount = Fen::yuan(4000);
    f.income = w.compute(w.size).unwrap();
    let a = assess(Policy::embedded(), &f).unwrap();
    assert!(!a.flags.iter().any(|h| h.flag == KeyFlag::TransferShare));
}

/// 玉溪 三(一)5 and 9: two children in non-compulsory school; a minor with no guardian.
#[test]
fn yuxi_flags_students_and_missing_guardians() {
    let w = worksheet("2025-03-01", 4, 7000);
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    let mut a1 = adult("大女儿", "2006-09-01", LabourCapacity::None);
    a1.schooling = Some(Schooling::Higher);
    let mut a2 = adult("儿子", "2009-09-01", LabourCapacity::None);
    a2.schooling = Some(Schooling::HighSchool);
    let mut a3 = adult("小孙子", "2015-01-01", LabourCapacity::None);
    a3.schooling = Some(Schooling::Compulsory);
    a3.has_guardian_or_supporter = false;
    f.members = vec![adult("奶奶", "1950-01-01", LabourCapacity::Partial), a1, a2, a3];
    let a = assess(Policy::embedded(), &f).unwrap();
    let hit = |flag| a.flags.iter().find(|h| h.flag == flag);
    assert!(
        hit(KeyFlag::NonCompulsoryStudents)
            .unwrap()
            .because
            .zh
            .contains("大女儿、儿子")
    );
    assert!(hit(KeyFlag::WithoutGuardian).unwrap().because.zh.contains("小孙子"));
    assert!(hit(KeyFlag::LowLabour).is_some());
}

/// 玉溪 三(一)9 "16周岁以下且无法定监护人": 以下 includes 16 (民法典 第1259条 "以上、以下、
/// 以内、届满，包括本数"); at 17 the flag is not raised.
#[test]
fn sixteen_is_within_sixteen_and_under() {
    let w = worksheet("2025-03-01", 2, 7000);
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    let mut sixteen = adult("孙女", "2009-03-01", LabourCapacity::None);
    sixteen.has_guardian_or_supporter = false;
    f.members = vec![adult("户主", "1970-01-01", LabourCapacity::Full), sixteen];
    let a = assess(Policy::embedded(), &f).unwrap();
    let hit = a.flags.iter().find(|h| h.flag == KeyFlag::WithoutGuardian);
    assert!(
        hit.is_some_and(|h| h.because.zh.contains("孙女")),
        "16 on the day: {:?}",
        a.flags
    );
    f.members[1].birth_date = "2008-03-01".parse().unwrap();
    let a = assess(Policy::embedded(), &f).unwrap();
    assert!(
        !a.flags.iter().any(|h| h.flag == KeyFlag::WithoutGuardian),
        "17: {:?}",
        a.flags
    );
}

/// 玉溪 三(一)6, 7: the adobe house needs the cadre's eye; a farm loss is measured.
#[test]
fn observed_and_measured_flags() {
    let mut w = worksheet("2025-03-01", 3, 7000);
    w.livestock = vec![FarmLine {
        name: "肉牛".into(),
        scale: Some(5.0),
        sold_amount: Fen::yuan(10000),
        self_consumed_value: Fen::ZERO,
        cost: Fen::yuan(30000),
    }];
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    f.observed_flags = vec![KeyFlag::AdobeOnlyHouse];
    // 7 "…出现亏损导致收入大幅减少": the loss and the drop it caused (last year 20,000 a head).
    f.previous_per_capita = Some(Fen::yuan(20000));
    let a = assess(Policy::embedded(), &f).unwrap();
    let adobe = a.flags.iter().find(|h| h.flag == KeyFlag::AdobeOnlyHouse).unwrap();
    assert_eq!(adobe.because.en, "found by the cadre at the home visit");
    let industry = |f: &HouseholdFacts| {
        let a = assess(Policy::embedded(), f).unwrap();
        a.flags.iter().any(|h| h.flag == KeyFlag::IndustryFailure)
    };
    assert!(industry(&f));
    // A loss without a measured drop is not type 7.
    f.previous_per_capita = None;
    assert!(!industry(&f), "no figure to compare with");
    // Depreciation alone (a tractor, no farming or business) is no failed industry.
    let mut w = worksheet("2025-03-01", 3, 7000);
    w.fixed_assets = vec![FixedAsset {
        name: "拖拉机".into(),
        original_value: Fen::yuan(200000),
        in_use: true,
    }];
    let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
    f.previous_per_capita = Some(Fen::yuan(20000));
    assert!(f.income.b4_depreciation > f.income.a1_production, "{:?}", f.income);
    assert!(!industry(&f), "depreciation alone");
}

/// 玉溪 三(一)4 "患慢性病导致年度自付医疗费用负担过重": a chronic patient whose
/// out-of-pocket costs alone take the household under the line (our reading of "过重";
/// the seed gives no figure). Costs the household can carry are not type 4.
#[test]
fn chronic_illness_with_a_heavy_medical_bill_is_type_4() {
    let type4 = |medical_yuan: i64| {
        let mut w = worksheet("2025-03-01", 3, 9000);
        w.rigid = RigidExpenses {
            medical: Fen::yuan(medical_yuan),
            ..RigidExpenses::default()
        };
        let mut f = facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021");
        f.members[2].health = Health::Chronic;
        f.members[2].labour = LabourCapacity::Partial;
        let a = assess(Policy::embedded(), &f).unwrap();
        a.flags.into_iter().find(|h| h.flag == KeyFlag::SeriousIllness)
    };
    // 27,000 for three; 4,000 of medicine leaves 7,666.66 a head, under 8,700.
    let hit = type4(4_000).expect("a heavy bill");
    assert!(
        hit.because.zh.contains("慢性病（老人）自付医疗费用4000.00元"),
        "{}",
        hit.because.zh
    );
    // 500 leaves 8,833.33 a head: the household carries it.
    assert!(type4(500).is_none());
}

#[test]
fn yunnan_profile_watches_no_yuxi_flags() {
    let mut w = worksheet("2025-03-01", 2, 3000);
    w.transfers = vec![TransferLine {
        item: TransferItem::MinimumLivingAllowance,
        amount: Fen::yuan(9000),
    }];
    let a = assess(
        Policy::embedded(),
        &facts(HEQING_VILLAGE, "2025-03-01", &w, false, "heqing-2020"),
    )
    .unwrap();
    assert!(a.flags.is_empty());
}

/// The 2026 central No.1 document's wording (认定标准) from 2026 on, the seeds' before;
/// the threshold itself comes from the data, here a test-only 2026 figure.
#[test]
fn the_line_is_named_in_the_wording_of_the_visit_year() {
    let yuxi_village: DivisionCode = YUXI_VILLAGE.parse().unwrap();
    let policy = Policy::embedded()
        .with_threshold(
            &zaofaxian_shared::policy::Threshold::checked(
                "530000000000".parse().unwrap(),
                2026,
                9000,
                "TEST ONLY: not a published figure",
            )
            .unwrap(),
        )
        .unwrap();
    let profile = policy.profile_for(yuxi_village).unwrap();
    assert_eq!(profile.terms(2025).line.zh, "监测底线");
    assert_eq!(profile.terms(2026).line.zh, "认定标准");
    assert_eq!(profile.terms(2026).object.zh, "防止返贫致贫对象");
    let w = worksheet("2026-03-01", 3, 5500);
    let a = assess(&policy, &facts(YUXI_VILLAGE, "2026-03-01", &w, false, "yuxi-2021")).unwrap();
    assert_eq!(a.threshold, Fen::yuan(9000));
    assert!(
        a.reasons
            .iter()
            .any(|r| r.text.zh.contains("低于2026年认定标准9000.00元")),
        "{:?}",
        a.reasons
    );
    let w = worksheet("2025-03-01", 3, 5500);
    let a = assess(&policy, &facts(YUXI_VILLAGE, "2025-03-01", &w, false, "yuxi-2021")).unwrap();
    assert!(
        a.reasons
            .iter()
            .any(|r| r.text.zh.contains("低于2025年监测底线8700.00元"))
    );
    // Without the test figure, 2026 has no line at all: never a guess.
    assert!(
        assess(
            Policy::embedded(),
            &facts(
                YUXI_VILLAGE,
                "2026-03-01",
                &worksheet("2026-03-01", 3, 5500),
                false,
                "yuxi-2021"
            )
        )
        .is_err()
    );
}

/// 004 二(一) / 000 三(一) / 002 二(一)3 "收入大幅缩减": wages that stopped two months ago
/// hide behind ten good months of the 12-month window. The monthly income now shows the
/// collapse, and a year-ago figure shows the drop, so the household is not told "no risk".
#[test]
fn a_recent_collapse_of_income_is_seen() {
    // Three people, 12,000 a head over the last 12 months: above 2025's 8,700 line.
    let w = worksheet("2025-11-03", 3, 12_000);
    let mut f = facts(YUXI_VILLAGE, "2025-11-03", &w, false, "yuxi-2021");
    let before = assess(Policy::embedded(), &f).unwrap();
    assert_eq!(before.category, None, "the window alone sees no risk");
    // Now 1,500 a month for the family: 6,000 a head in the year ahead.
    f.current_monthly_income = Some(Fen::yuan(1_500));
    let a = assess(Policy::embedded(), &f).unwrap();
    assert_eq!(a.category, Some(Category::SuddenSevereHardship));
    assert!(a.eligible);
    assert!(
        a.reasons
            .iter()
            .any(|r| r.code == "income_collapse" && r.text.zh.contains("今后一年人均6000.00元")),
        "{:?}",
        a.reasons
    );
    // With last year's figure the drop itself is named (12,000 → 6,000: half).
    f.previous_per_capita = Some(Fen::yuan(12_000));
    let a = assess(Policy::embedded(), &f).unwrap();
    assert!(
        a.reasons
            .iter()
            .any(|r| r.code == "sharp_income_drop" && r.text.zh.contains("降至6000.00元"))
    );
    // A small dip is neither.
    f.current_monthly_income = Some(Fen::yuan(2_900));
    f.previous_per_capita = None;
    assert_eq!(assess(Policy::embedded(), &f).unwrap().category, None);
}
