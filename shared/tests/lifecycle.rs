//! The case lifecycle against the seed procedures, and a property test that no
//! sequence of events reaches an illegal state.

#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use chrono::{Datelike, Duration, NaiveDate};
use proptest::prelude::*;
use zaofaxian_shared::elimination::EliminationEvidence;
use zaofaxian_shared::lifecycle::{
    CaseState, Channel, ClosedReason, Ctx, Deadline, DeadlineKind, Decision, Event, EventKind, Procedure, Stage, open,
    transition,
};
use zaofaxian_shared::money::Fen;
use zaofaxian_shared::{Calendar, Policy, Profile, Role};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn profile(id: &str) -> &'static Profile {
    Policy::embedded().profile(id).unwrap()
}

/// Drives one case, stepping the clock, as a cadre's week would.
struct Walk {
    state: CaseState,
    profile: &'static Profile,
    /// The elimination home check the next steps are judged with.
    evidence: Option<EliminationEvidence>,
}

/// An elimination home check that meets every criterion: 9,600 a person against 8,700.
fn stable() -> EliminationEvidence {
    EliminationEvidence {
        year: 2025,
        threshold: Fen::yuan(8_700),
        per_capita: Fen::yuan(9_600),
        guarantees_secured: true,
        income_steady: true,
        rigid_expenses_resolved: true,
        household_has_labour: true,
    }
}

impl Walk {
    fn open(profile_id: &str, channel: Channel, actor: Role, on: &str) -> Walk {
        let p = profile(profile_id);
        let ctx = Ctx {
            actor,
            today: d(on),
            calendar: Calendar::national(),
            profile: p,
            evidence: None,
        };
        Walk {
            state: open(channel, &ctx).unwrap(),
            profile: p,
            evidence: None,
        }
    }

    fn try_step(&self, actor: Role, on: &str, e: Event) -> Result<CaseState, zaofaxian_shared::WhyNot> {
        let ctx = Ctx {
            actor,
            today: d(on),
            calendar: Calendar::national(),
            profile: self.profile,
            evidence: self.evidence.as_ref(),
        };
        transition(&self.state, &e, &ctx)
    }

    fn step(&mut self, actor: Role, on: &str, e: Event) -> &CaseState {
        self.state = self
            .try_step(actor, on, e.clone())
            .unwrap_or_else(|w| panic!("{e:?} on {on}: {w}"));
        &self.state
    }

    fn refused(&self, actor: Role, on: &str, e: Event) -> String {
        self.try_step(actor, on, e).expect_err("should be refused").code
    }
}

const CHECKS_DONE: Event = Event::CountyDetermination {
    decision: Decision::Approve,
    department_checks_done: true,
};

/// 内蒙古 三(一): "收到农牧户申报信息后，嘎查村要在5个工作日内完成入户核查工作";
/// 鹤庆 二(三): township within 7 working days; 云南 三(四): "公示5个工作日". Across National Day 2025.
#[test]
fn heqing_case_from_self_report_to_monitoring_across_national_day() {
    let mut w = Walk::open("heqing-2020", Channel::SelfReport, Role::Household, "2025-09-30");
    assert_eq!(w.state.stage, Stage::AwaitingVerification);
    assert_eq!(
        w.state.deadline.map(|x| (x.kind, x.due, x.provisional)),
        Some((DeadlineKind::Verification, d("2025-10-14"), None))
    );
    // 10-10, 10-11 (make-up Saturday), 10-13, 10-14.
    assert_eq!(
        w.state.days_left(Calendar::national(), d("2025-10-09")).unwrap(),
        Some(4)
    );
    assert!(w.state.is_overdue(d("2025-10-15")));

    w.step(
        Role::VillageCadre,
        "2025-10-13",
        Event::RecordVerification { at_risk: true },
    );
    assert_eq!(w.state.deadline, None);
    w.step(Role::Household, "2025-10-13", Event::SignApplication);
    w.step(
        Role::VillageCadre,
        "2025-10-15",
        Event::RecordAppraisal {
            approved: true,
            assembly_review: false,
        },
    );
    assert_eq!(w.state.stage, Stage::InNotice);
    assert_eq!(w.state.notice, Some((d("2025-10-15"), d("2025-10-22"))));
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-10-22", Event::CloseNotice),
        "notice_running"
    );
    w.step(Role::VillageCadre, "2025-10-23", Event::CloseNotice);
    assert_eq!(w.state.stage, Stage::AwaitingTownshipReview);
    assert_eq!(
        w.state.deadline.map(|x| (x.kind, x.due, x.provisional)),
        Some((DeadlineKind::TownshipReview, d("2025-11-03"), None))
    );

    w.step(
        Role::Township,
        "2025-10-28",
        Event::TownshipReview {
            decision: Decision::Approve,
        },
    );
    // 鹤庆 "每月一复核": reported by 5 November, reviewed within November (the 30th is a Sunday).
    assert_eq!(
        w.state.deadline.map(|x| (x.kind, x.due)),
        Some((DeadlineKind::CountyMonthlyReview, d("2025-11-28")))
    );
    let no_checks = Event::CountyDetermination {
        decision: Decision::Approve,
        department_checks_done: false,
    };
    assert_eq!(w.refused(Role::County, "2025-10-30", no_checks), "department_checks");
    w.step(Role::County, "2025-10-30", CHECKS_DONE);
    assert_eq!(w.state.stage, Stage::Monitored, "云南 has no second notice");
    assert_eq!(w.state.identified_on, Some(d("2025-10-30")));
    w.step(Role::Department, "2025-11-03", Event::RecordAssistance);
    w.step(Role::VillageCadre, "2025-11-04", Event::RecordAssistance);
    assert_eq!(w.state.assistance_measures, 2);
}

/// 云南 五(二) "怎么进、怎么出", with consent; 内蒙古 "不得当月识别、当月标注风险消除".
#[test]
fn risk_elimination_retraces_the_procedure_and_never_in_the_identification_month() {
    let mut w = Walk::open("yuxi-2021", Channel::CadreVisit, Role::WorkTeam, "2025-11-03");
    assert_eq!(w.state.deadline.unwrap().due, d("2025-11-10"));
    w.step(
        Role::WorkTeam,
        "2025-11-04",
        Event::RecordVerification { at_risk: true },
    );
    w.step(Role::WorkTeam, "2025-11-04", Event::SignApplication);
    w.step(
        Role::VillageCadre,
        "2025-11-05",
        Event::RecordAppraisal {
            approved: true,
            assembly_review: false,
        },
    );
    w.step(Role::VillageCadre, "2025-11-13", Event::CloseNotice);
    assert_eq!(
        w.state.deadline.unwrap().due,
        d("2025-11-24"),
        "云南's 7 working days, inherited"
    );
    w.step(
        Role::Township,
        "2025-11-14",
        Event::TownshipReview {
            decision: Decision::Approve,
        },
    );
    assert_eq!(w.state.deadline, None, "Yunnan's text sets the county no period");
    w.step(Role::County, "2025-11-17", CHECKS_DONE);
    assert_eq!(w.state.identified_on, Some(d("2025-11-17")));

    let start = |consent| Event::StartElimination { consent };
    // 002 四(二)1 "以下4项指标全部达标": judged from the home check, never without one.
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-12-01", start(true)),
        "home_check_required"
    );
    w.evidence = Some(stable());
    // (1) "根据返贫致贫风险落实针对性帮扶措施": none recorded yet.
    let why = w.try_step(Role::VillageCadre, "2025-12-01", start(true)).unwrap_err();
    assert!(why.text.zh.contains("未登记针对性帮扶措施"), "{why}");
    w.step(Role::VillageCadre, "2025-11-20", Event::RecordAssistance);
    assert_eq!(w.refused(Role::VillageCadre, "2025-11-28", start(true)), "same_month");
    assert_eq!(w.refused(Role::VillageCadre, "2025-12-01", start(false)), "consent");
    // (3) "家庭人均纯收入稳定超出当年度监测底线": at the line is not above it.
    w.evidence = Some(EliminationEvidence {
        per_capita: Fen::yuan(8_700),
        ..stable()
    });
    let why = w.try_step(Role::VillageCadre, "2025-12-01", start(true)).unwrap_err();
    assert!(
        why.text.zh.contains("人均纯收入8700.00元未超出2025年监测底线8700.00元"),
        "{why}"
    );
    // (4) "大额刚性支出问题得到稳定解决".
    w.evidence = Some(EliminationEvidence {
        rigid_expenses_resolved: false,
        ..stable()
    });
    let why = w.try_step(Role::VillageCadre, "2025-12-01", start(true)).unwrap_err();
    assert!(why.text.zh.contains("大额刚性支出未稳定解决"), "{why}");
    // 004 五(一) "对无劳动能力的，持续落实社会保障措施，长期跟踪监测": Yunnan too.
    w.evidence = Some(EliminationEvidence {
        household_has_labour: false,
        ..stable()
    });
    assert_eq!(w.refused(Role::VillageCadre, "2025-12-01", start(true)), "no_labour");

    w.evidence = Some(stable());
    w.step(Role::VillageCadre, "2025-12-01", start(true));
    assert_eq!(
        (w.state.stage, w.state.procedure),
        (Stage::AwaitingAppraisal, Procedure::Elimination)
    );
    w.step(
        Role::VillageCadre,
        "2025-12-02",
        Event::RecordAppraisal {
            approved: true,
            assembly_review: false,
        },
    );
    w.step(Role::VillageCadre, "2025-12-10", Event::CloseNotice);
    w.step(
        Role::Township,
        "2025-12-11",
        Event::TownshipReview {
            decision: Decision::Approve,
        },
    );
    w.step(Role::County, "2025-12-12", CHECKS_DONE);
    assert_eq!(w.state.stage, Stage::RiskEliminated);
    assert_eq!(w.state.eliminated_on, Some(d("2025-12-12")));
    assert!(w.state.elimination_consent);

    // 云龙 回头看: an unstable elimination is rolled back by the county, not by the village.
    assert_eq!(
        w.refused(Role::VillageCadre, "2026-01-05", Event::Rollback),
        "forbidden"
    );
    w.step(Role::County, "2026-01-05", Event::Rollback);
    assert_eq!(w.state.stage, Stage::Monitored);
}

/// 云龙 一(一)2 风险再标注: a new risk after elimination goes through identification again.
#[test]
fn remarking_after_elimination_starts_a_new_verification() {
    let mut w = Walk::open("yunnan-2021", Channel::SelfReport, Role::Household, "2025-03-03");
    w.evidence = Some(stable());
    for (actor, on, e) in [
        (
            Role::VillageCadre,
            "2025-03-04",
            Event::RecordVerification { at_risk: true },
        ),
        (Role::Household, "2025-03-04", Event::SignApplication),
        (
            Role::VillageCadre,
            "2025-03-05",
            Event::RecordAppraisal {
                approved: true,
                assembly_review: false,
            },
        ),
        (Role::VillageCadre, "2025-03-13", Event::CloseNotice),
        (
            Role::Township,
            "2025-03-14",
            Event::TownshipReview {
                decision: Decision::Approve,
            },
        ),
        (Role::County, "2025-03-17", CHECKS_DONE),
        (Role::VillageCadre, "2025-04-01", Event::RecordAssistance),
        (
            Role::VillageCadre,
            "2025-06-02",
            Event::StartElimination { consent: true },
        ),
        (
            Role::VillageCadre,
            "2025-06-03",
            Event::RecordAppraisal {
                approved: true,
                assembly_review: false,
            },
        ),
        (Role::VillageCadre, "2025-06-11", Event::CloseNotice),
        (
            Role::Township,
            "2025-06-12",
            Event::TownshipReview {
                decision: Decision::Approve,
            },
        ),
        (Role::County, "2025-06-13", CHECKS_DONE),
    ] {
        w.step(actor, on, e);
    }
    assert_eq!(w.state.stage, Stage::RiskEliminated);
    w.step(Role::VillageCadre, "2025-08-01", Event::Remark);
    assert_eq!(w.state.stage, Stage::AwaitingVerification);
    assert_eq!(w.state.remarks, 1);
    assert_eq!(w.state.identified_on, None);
    assert_eq!(w.state.deadline.unwrap().due, d("2025-08-08"));
}

/// 内蒙古 四(一)4 and 7: notices of "不少于5天" (calendar days) and a second notice after the county.
#[test]
fn neimenggu_counts_calendar_days_and_posts_a_second_notice() {
    let mut w = Walk::open("neimenggu-2021", Channel::SelfReport, Role::Household, "2025-09-26");
    w.step(
        Role::VillageCadre,
        "2025-09-29",
        Event::RecordVerification { at_risk: true },
    );
    w.step(Role::VillageCadre, "2025-09-29", Event::SignApplication);
    w.step(
        Role::VillageCadre,
        "2025-09-29",
        Event::RecordAppraisal {
            approved: true,
            assembly_review: false,
        },
    );
    // 5 calendar days end 10-04, a holiday: moved to the first working day, 10-09.
    assert_eq!(w.state.notice, Some((d("2025-09-29"), d("2025-10-09"))));
    w.step(Role::VillageCadre, "2025-10-10", Event::CloseNotice);
    assert_eq!(w.state.deadline, None);
    w.step(
        Role::Township,
        "2025-10-10",
        Event::TownshipReview {
            decision: Decision::Approve,
        },
    );
    w.step(Role::County, "2025-10-13", CHECKS_DONE);
    assert_eq!(w.state.stage, Stage::InSecondNotice);
    assert_eq!(
        w.state.deadline.map(|x| (x.kind, x.due, x.provisional)),
        Some((DeadlineKind::SecondNoticeEnd, d("2025-10-20"), None))
    );
    w.step(Role::System, "2025-10-21", Event::CloseSecondNotice);
    assert_eq!(w.state.stage, Stage::Monitored);
    assert_eq!(w.state.identified_on, Some(d("2025-10-21")));
    // 内蒙古 四(二)1: "对无劳动能力的……暂不标注“风险消除”".
    w.step(Role::VillageCadre, "2025-11-03", Event::RecordAssistance);
    w.evidence = Some(EliminationEvidence {
        household_has_labour: false,
        ..stable()
    });
    let e = Event::StartElimination { consent: true };
    assert_eq!(w.refused(Role::VillageCadre, "2025-12-01", e), "no_labour");
}

/// 云南 三(四): "对举报或反映的问题，应由受理单位组织调查核实，及时处理。无异议后报乡（镇）审核".
#[test]
fn objections_hold_the_notice_until_investigated() {
    let mut w = Walk::open("yuxi-2021", Channel::ProxyReport, Role::VillageCadre, "2025-11-03");
    w.step(
        Role::VillageCadre,
        "2025-11-04",
        Event::RecordVerification { at_risk: true },
    );
    w.step(Role::VillageCadre, "2025-11-04", Event::SignApplication);
    w.step(
        Role::VillageCadre,
        "2025-11-05",
        Event::RecordAppraisal {
            approved: true,
            assembly_review: false,
        },
    );
    w.step(Role::Household, "2025-11-06", Event::RaiseObjection);
    w.step(Role::Household, "2025-11-07", Event::RaiseObjection);
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-11-13", Event::CloseNotice),
        "objections_open"
    );
    w.step(Role::Township, "2025-11-13", Event::ResolveObjection { upheld: false });
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-11-13", Event::CloseNotice),
        "objections_open"
    );
    let mut upheld = Walk {
        state: w.state.clone(),
        profile: w.profile,
        evidence: None,
    };
    w.step(
        Role::VillageCadre,
        "2025-11-13",
        Event::ResolveObjection { upheld: false },
    );
    w.step(Role::VillageCadre, "2025-11-13", Event::CloseNotice);
    assert_eq!(w.state.stage, Stage::AwaitingTownshipReview);
    upheld.step(
        Role::VillageCadre,
        "2025-11-13",
        Event::ResolveObjection { upheld: true },
    );
    assert_eq!(upheld.state.stage, Stage::Closed(ClosedReason::Rejected));
    assert_eq!(upheld.refused(Role::County, "2025-11-14", CHECKS_DONE), "closed");
}

#[test]
fn roles_are_enforced_on_every_step() {
    let w = Walk::open("yuxi-2021", Channel::SelfReport, Role::Household, "2025-11-03");
    assert_eq!(
        w.refused(
            Role::Household,
            "2025-11-04",
            Event::RecordVerification { at_risk: true }
        ),
        "forbidden"
    );
    assert_eq!(
        w.refused(Role::Admin, "2025-11-04", Event::RecordVerification { at_risk: true }),
        "forbidden"
    );
    // A village cadre cannot determine, a township cannot either.
    assert_eq!(w.refused(Role::VillageCadre, "2025-11-04", CHECKS_DONE), "forbidden");
    assert_eq!(w.refused(Role::Township, "2025-11-04", CHECKS_DONE), "forbidden");
    // The county may, but not at this stage.
    let why = w.try_step(Role::County, "2025-11-04", CHECKS_DONE).unwrap_err();
    assert_eq!(why.code, "wrong_stage");
    assert!(why.text.zh.contains("待入户核实"), "{why}");
    // Households cannot open cases as department screening.
    let ctx = Ctx {
        actor: Role::Household,
        today: d("2025-11-03"),
        calendar: Calendar::national(),
        profile: profile("yuxi-2021"),
        evidence: None,
    };
    assert_eq!(open(Channel::DepartmentScreening, &ctx).unwrap_err().code, "forbidden");
    for kind in EventKind::ALL {
        assert!(!kind.allowed_roles().contains(&Role::Admin), "{kind:?}");
    }
}

#[test]
fn a_household_may_withdraw_its_own_report_but_not_a_screening_clue() {
    let mut w = Walk::open("yuxi-2021", Channel::SelfReport, Role::Household, "2025-11-03");
    w.step(Role::Household, "2025-11-04", Event::Withdraw);
    assert_eq!(w.state.stage, Stage::Closed(ClosedReason::Withdrawn));
    let w = Walk::open(
        "yuxi-2021",
        Channel::DepartmentScreening,
        Role::Department,
        "2025-11-03",
    );
    assert_eq!(
        w.refused(Role::Household, "2025-11-04", Event::Withdraw),
        "not_own_report"
    );
}

/// A report near the year's end whose deadline runs into a year without holiday
/// data is kept with a provisional date (weekends only, marked with the year), steps
/// that start a period go on provisionally, and the dates are counted again, exactly,
/// once the year's schedule arrives.
#[test]
fn a_deadline_past_the_calendar_is_provisional_until_the_year_is_loaded() {
    let p = profile("yuxi-2021");
    let ctx = Ctx {
        actor: Role::Household,
        today: d("2026-12-28"),
        calendar: Calendar::national(),
        profile: p,
        evidence: None,
    };
    let case = open(Channel::SelfReport, &ctx).unwrap();
    // 12-29, 12-30, 12-31, then 2027-01-01 (Fri) and 01-04 (Mon), weekends only.
    let due = case.deadline.unwrap();
    assert_eq!(
        (due.due, due.provisional, due.from),
        (d("2027-01-04"), Some(2027), Some(d("2026-12-28")))
    );
    assert!(due.provisional_note().unwrap().zh.contains("暂定"));
    assert_eq!(case.days_left(Calendar::national(), d("2026-12-28")).unwrap(), Some(5));
    let ctx = Ctx {
        actor: Role::VillageCadre,
        ..ctx
    };
    let next = transition(&case, &Event::RecordVerification { at_risk: true }, &ctx).unwrap();
    let signed = transition(&next, &Event::SignApplication, &ctx).unwrap();
    // The notice may be posted: its end is provisional too, and it cannot be closed on a guess.
    let posted = transition(
        &signed,
        &Event::RecordAppraisal {
            approved: true,
            assembly_review: false,
        },
        &ctx,
    )
    .unwrap();
    assert_eq!(posted.notice, Some((d("2026-12-28"), d("2027-01-04"))));
    assert_eq!(posted.deadline.unwrap().provisional, Some(2027));
    let later = Ctx {
        today: d("2027-01-12"),
        ..ctx
    };
    assert_eq!(
        transition(&posted, &Event::CloseNotice, &later).unwrap_err().code,
        "notice_end_provisional"
    );
    // The (test-only) 2027 schedule takes 01-01, 01-04 and 01-05 off and works Saturday 01-09.
    let loaded = Calendar::national()
        .replacing(
            &zaofaxian_shared::calendar::parse_schedule(include_str!("data/TEST_ONLY_not_published_holidays_2027.csv"))
                .unwrap(),
        )
        .unwrap()
        .0;
    let fixed = posted.recounted(p, &loaded).unwrap().unwrap();
    // 12-29, 12-30, 12-31, 01-06, 01-07.
    assert_eq!(
        fixed.deadline.map(|x| (x.due, x.provisional)),
        Some((d("2027-01-07"), None))
    );
    assert_eq!(fixed.notice, Some((d("2026-12-28"), d("2027-01-07"))));
    assert_eq!(fixed.version, posted.version, "the caller bumps the version");
    assert_eq!(
        fixed.recounted(p, &loaded).unwrap(),
        None,
        "counting again changes nothing"
    );
    let closed = transition(
        &fixed,
        &Event::CloseNotice,
        &Ctx {
            calendar: &loaded,
            ..later
        },
    )
    .unwrap();
    assert_eq!(closed.stage, Stage::AwaitingTownshipReview);
    // A case stored before provisional dates (pending, no deadline) is counted too.
    let mut legacy = case.clone();
    legacy.deadline = None;
    legacy.deadline_pending_year = Some(2027);
    let counted = legacy.recounted(p, &loaded).unwrap().unwrap();
    assert_eq!(counted.deadline.map(|x| x.due), Some(d("2027-01-07")));
    assert_eq!(counted.deadline_pending_year, None);
}

// ---- property: no sequence of events reaches an illegal state ----

/// Events weighted towards moving a case forward, with the disruptive ones rarer,
/// so that random walks reach the far stages as well as the refusals.
fn any_event() -> impl Strategy<Value = Event> {
    use proptest::bool::weighted;
    let decision = prop_oneof![8 => Just(Decision::Approve), 1 => Just(Decision::Reject), 1 => Just(Decision::Return)];
    prop_oneof![
        4 => weighted(0.9).prop_map(|at_risk| Event::RecordVerification { at_risk }),
        4 => Just(Event::SignApplication),
        4 => weighted(0.9).prop_map(|approved| Event::RecordAppraisal { approved, assembly_review: false }),
        1 => Just(Event::RaiseObjection),
        2 => weighted(0.15).prop_map(|upheld| Event::ResolveObjection { upheld }),
        5 => Just(Event::CloseNotice),
        4 => decision.clone().prop_map(|decision| Event::TownshipReview { decision }),
        4 => (decision, weighted(0.9)).prop_map(|(decision, c)| Event::CountyDetermination { decision, department_checks_done: c }),
        4 => Just(Event::CloseSecondNotice),
        3 => Just(Event::RecordAssistance),
        1 => Just(Event::RecordYearlyAssessment),
        4 => weighted(0.9).prop_map(|consent| Event::StartElimination { consent }),
        1 => Just(Event::Rollback),
        1 => Just(Event::Remark),
        1 => Just(Event::Clear),
        1 => Just(Event::PopulationChange {
            added: Vec::new(),
            removed: Vec::new()
        }),
        1 => Just(Event::HouseholdDissolved),
        1 => Just(Event::Withdraw),
        1 => Just(Event::Reinstate),
    ]
}

/// The elimination home check a step is judged with: mostly one that meets every
/// criterion, sometimes none, sometimes one failing anywhere.
fn any_evidence() -> impl Strategy<Value = Option<EliminationEvidence>> {
    use proptest::bool::weighted;
    prop_oneof![
        4 => Just(Some(stable())),
        1 => Just(None),
        2 => (8_000i64..9_000, weighted(0.8), weighted(0.8), weighted(0.8), weighted(0.8)).prop_map(
            |(yuan, guarantees_secured, income_steady, rigid_expenses_resolved, household_has_labour)| {
                Some(EliminationEvidence {
                    per_capita: Fen::yuan(yuan),
                    guarantees_secured,
                    income_steady,
                    rigid_expenses_resolved,
                    household_has_labour,
                    ..stable()
                })
            }
        ),
    ]
}

fn any_role() -> impl Strategy<Value = Role> {
    proptest::sample::select(Role::ALL.to_vec())
}

fn any_profile() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec!["yunnan-2021", "yuxi-2021", "heqing-2020", "neimenggu-2021"])
}

fn any_channel() -> impl Strategy<Value = Channel> {
    proptest::sample::select(vec![
        Channel::SelfReport,
        Channel::ProxyReport,
        Channel::CadreVisit,
        Channel::DepartmentScreening,
        Channel::DisasterAlert,
        Channel::Other,
    ])
}

/// Checks one accepted step against the rules, independently of how `transition` is written.
/// A step as the walk took it: the event, who, when, and the home check it carried.
struct Taken<'a> {
    event: &'a Event,
    actor: Role,
    today: NaiveDate,
    evidence: Option<&'a EliminationEvidence>,
}

fn check_step(before: &CaseState, step: &Taken<'_>, after: &CaseState, p: &Profile) {
    let Taken {
        event,
        actor,
        today,
        evidence,
    } = *step;
    // A reinstated case gets back the stage and deadline it had, however late it now is.
    let restored = before.reopen.map(|r| r.deadline).filter(|_| *event == Event::Reinstate);
    let cal = Calendar::national();
    assert!(
        event.kind().allowed_roles().contains(&actor),
        "{actor:?} took {event:?}"
    );
    assert!(
        !before.stage.is_closed() || *event == Event::Reinstate,
        "a closed case changed"
    );
    if *event == Event::Reinstate {
        let reopen = before.reopen.expect("reinstated without a record of where it was");
        assert_eq!(after.stage, reopen.stage);
        assert!(today <= reopen.closed_on + Duration::days(zaofaxian_shared::lifecycle::REINSTATE_WITHIN_DAYS));
    }
    assert_eq!(after.version, before.version + 1);
    // A notice is left forward only by closing it after its end with no open objection;
    // otherwise only by a refusal (an upheld objection) or the household dissolving.
    if matches!(before.stage, Stage::InNotice | Stage::InSecondNotice) && after.stage != before.stage {
        match event {
            Event::CloseNotice | Event::CloseSecondNotice => {
                let (_, end) = before.notice.unwrap();
                assert!(today > end, "left the notice on {today}, before its end {end}");
                assert_eq!(before.open_objections, 0);
            }
            Event::ResolveObjection { upheld: true } | Event::HouseholdDissolved | Event::Withdraw => {
                assert!(
                    after.stage.is_closed() || after.stage == Stage::Monitored,
                    "{event:?} led to {:?}",
                    after.stage
                );
            }
            other => panic!("{other:?} left a notice"),
        }
    }
    // Entering monitoring only through the county (directly or after the second notice),
    // or back to it when the county undoes a mistaken clearing.
    if after.stage == Stage::Monitored
        && before.stage != Stage::Monitored
        && before.procedure == Procedure::Identification
        && restored.is_none()
    {
        match before.stage {
            Stage::AwaitingCountyReview => assert!(matches!(
                event,
                Event::CountyDetermination {
                    decision: Decision::Approve,
                    department_checks_done: true
                }
            )),
            Stage::InSecondNotice => assert!(p.second_notice),
            Stage::RiskEliminated => assert_eq!(event, &Event::Rollback),
            other => panic!("reached monitoring from {other:?}"),
        }
        if before.stage != Stage::RiskEliminated {
            assert!(before.application_signed, "monitored without a signed application");
            assert_eq!(after.identified_on, Some(today));
        }
    }
    if after.stage == Stage::RiskEliminated && before.stage != Stage::RiskEliminated {
        assert!(after.elimination_consent);
        let identified = after.identified_on.unwrap();
        assert!(
            !(identified.year() == today.year() && identified.month() == today.month()),
            "eliminated in the identification month"
        );
    }
    if after.stage == Stage::Monitored || after.stage == Stage::RiskEliminated {
        assert!(after.identified_on.is_some());
    }
    if let Some(Deadline { due, .. }) = after.deadline {
        assert!(cal.is_working_day(due).unwrap(), "deadline {due} on a rest day");
        assert!(due > today || after.deadline == before.deadline || restored == Some(after.deadline));
    }
    // A new deadline is only ever the one the event declares it starts.
    if let Some(Deadline { kind, .. }) = after
        .deadline
        .filter(|_| after.deadline != before.deadline && restored.is_none())
    {
        assert_eq!(event.kind().starts_deadline(), Some(kind), "{event:?} started {kind:?}");
    }
    if after.stage == Stage::InNotice || after.stage == Stage::InSecondNotice {
        assert!(after.notice.is_some());
    }
    if after.procedure == Procedure::Elimination {
        assert!(after.elimination_consent || !p.elimination_requires_consent);
    }
    // A way out starts only from a home check meeting all four criteria (and, where the
    // profile says so, with labour in the household).
    if matches!(event, Event::StartElimination { .. }) {
        let e = evidence.expect("an elimination without a home check");
        assert!(before.assistance_measures > 0, "no assistance measure recorded");
        assert!(e.per_capita > e.threshold && e.income_steady, "{e:?}");
        assert!(e.guarantees_secured && e.rigid_expenses_resolved, "{e:?}");
        assert!(e.household_has_labour || !p.no_elimination_without_labour, "{e:?}");
    }
}

/// Random walks of up to 150 events. Most steps use a role allowed to take the event
/// (so walks get deep); the rest use any role, to exercise refusals. The walk set must
/// reach every stage, or the property would hold vacuously.
#[test]
fn no_sequence_of_events_reaches_an_illegal_state() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::RefCell;
    use std::collections::HashSet;

    let reached: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    let strategy = (
        any_profile(),
        any_channel(),
        0i64..1800,
        proptest::collection::vec(
            (
                any_event(),
                any_role(),
                proptest::bool::weighted(0.9),
                any::<u8>(),
                0i64..9,
                any_evidence(),
            ),
            1..150,
        ),
    );
    let mut runner = TestRunner::new(Config {
        cases: 4000,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&strategy, |(profile_id, channel, start, steps)| {
            let p = profile(profile_id);
            let cal = Calendar::national();
            let mut today = d("2020-03-02") + Duration::days(start);
            let opener = channel.openers()[0];
            let mut state = open(
                channel,
                &Ctx {
                    actor: opener,
                    today,
                    calendar: cal,
                    profile: p,
                    evidence: None,
                },
            )
            .unwrap();
            for (event, any_actor, use_allowed, pick, advance, evidence) in steps {
                today += Duration::days(advance);
                let allowed = event.kind().allowed_roles();
                let actor = if use_allowed {
                    allowed[usize::from(pick) % allowed.len()]
                } else {
                    any_actor
                };
                match transition(
                    &state,
                    &event,
                    &Ctx {
                        actor,
                        today,
                        calendar: cal,
                        profile: p,
                        evidence: evidence.as_ref(),
                    },
                ) {
                    Ok(next) => {
                        // What screens offer (`applies_in`) agrees with what the rules allow.
                        prop_assert!(
                            event.kind().applies_in(state.stage),
                            "{:?} at {:?}",
                            event.kind(),
                            state.stage
                        );
                        let taken = Taken {
                            event: &event,
                            actor,
                            today,
                            evidence: evidence.as_ref(),
                        };
                        check_step(&state, &taken, &next, p);
                        reached.borrow_mut().insert(format!("{:?}", next.stage));
                        state = next;
                    }
                    Err(why) => {
                        // (A withdrawal also depends on the procedure, which `applies_in` does not see.)
                        if (why.code == "wrong_stage" || why.code == "closed") && event.kind() != EventKind::Withdraw {
                            prop_assert!(
                                !event.kind().applies_in(state.stage),
                                "{:?} at {:?}",
                                event.kind(),
                                state.stage
                            );
                        }
                        // Refusals explain themselves in both languages.
                        prop_assert!(!why.text.zh.is_empty() && !why.text.en.is_empty() && !why.code.is_empty());
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    let reached = reached.into_inner();
    for stage in [
        "AwaitingApplication",
        "InNotice",
        "AwaitingCountyReview",
        "InSecondNotice",
        "Monitored",
        "RiskEliminated",
    ] {
        assert!(reached.contains(stage), "no walk reached {stage}: {reached:?}");
    }
}

#[test]
fn the_context_takes_today_from_the_injected_clock() {
    use zaofaxian_shared::{Clock, ManualClock};
    // 2025-09-30 17:30 UTC is already 10-01 in China: counting starts from 10-01.
    let clock = ManualClock::new("2025-09-30T17:30:00Z".parse().unwrap());
    let ctx = Ctx::now(Role::Household, &clock, Calendar::national(), profile("yuxi-2021"));
    let case = open(Channel::SelfReport, &ctx).unwrap();
    assert_eq!(case.opened_on, d("2025-10-01"));
    assert_eq!(case.deadline.unwrap().due, d("2025-10-14"));
    assert!(!case.is_overdue(clock.today()));
    clock.advance(Duration::days(14)); // 10-15
    assert!(case.is_overdue(clock.today()));
}

/// 清退 and 整户消亡 end a case for good: a reason is required, the others need none.
#[test]
fn steps_that_cannot_be_undone_need_a_reason() {
    assert!(EventKind::Clear.is_irreversible() && EventKind::HouseholdDissolved.is_irreversible());
    assert_eq!(
        EventKind::HouseholdDissolved.check_reason(None).unwrap_err().code,
        "reason_required"
    );
    assert!(EventKind::Clear.check_reason(Some("  无 ")).is_err());
    assert!(EventKind::Clear.check_reason(Some("户口已整户迁出本县")).is_ok());
    for kind in EventKind::ALL.into_iter().filter(|k| !k.always_needs_reason()) {
        assert!(kind.check_reason(None).is_ok(), "{kind:?}");
    }
}

/// A stage's key is the name its JSON carries (the store and the queue filter rely on
/// the two agreeing).
#[test]
fn a_stages_key_is_its_name_in_json() {
    let closed = ClosedReason::NotAtRisk;
    for stage in Stage::OPEN.into_iter().chain([Stage::Closed(closed)]) {
        let json = serde_json::to_value(stage).unwrap();
        assert_eq!(json["stage"], stage.key(), "{stage:?}");
    }
}

/// What the visit found binds every later step of the identification, whoever takes it:
/// 玉溪 三(二) "…的脱贫户全部纳入监测"; 内蒙古 四(一)6 "剔除属于不应纳入监测范围的8类情况";
/// 内蒙古 二(二)4 "特殊情况由村民代表大会重点评议".
#[test]
fn what_the_visit_found_binds_the_later_steps() {
    use zaofaxian_shared::lifecycle::Binding;
    let appraisal = |approved, assembly_review| Event::RecordAppraisal {
        approved,
        assembly_review,
    };
    let review = |decision| Event::TownshipReview { decision };
    let county = |decision| Event::CountyDetermination {
        decision,
        department_checks_done: true,
    };

    // Mandatory inclusion: no step may find the household not at risk or refuse it.
    let mut w = Walk::open("yuxi-2021", Channel::SelfReport, Role::Household, "2025-03-03");
    w.state.binding = Binding {
        mandatory: true,
        ..Binding::default()
    };
    let no_risk = Event::RecordVerification { at_risk: false };
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-03-04", no_risk),
        "mandatory_inclusion"
    );
    w.step(
        Role::VillageCadre,
        "2025-03-04",
        Event::RecordVerification { at_risk: true },
    );
    w.step(Role::Household, "2025-03-04", Event::SignApplication);
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-03-05", appraisal(false, false)),
        "mandatory_inclusion"
    );
    w.step(Role::VillageCadre, "2025-03-05", appraisal(true, false));
    w.step(Role::VillageCadre, "2025-03-13", Event::CloseNotice);
    assert_eq!(
        w.refused(Role::Township, "2025-03-14", review(Decision::Reject)),
        "mandatory_inclusion"
    );
    w.step(Role::Township, "2025-03-14", review(Decision::Approve));
    assert_eq!(
        w.refused(Role::County, "2025-03-17", county(Decision::Reject)),
        "mandatory_inclusion"
    );
    w.step(Role::County, "2025-03-17", county(Decision::Approve));
    assert_eq!(w.state.stage, Stage::Monitored);

    // An exclusion found at the visit: the county removes the household, never approves it.
    let mut w = Walk::open("neimenggu-2021", Channel::SelfReport, Role::Household, "2025-03-03");
    w.state.binding = Binding {
        excluded_by: vec!["nm-1".into()],
        ..Binding::default()
    };
    w.step(
        Role::VillageCadre,
        "2025-03-04",
        Event::RecordVerification { at_risk: true },
    );
    w.step(Role::Household, "2025-03-04", Event::SignApplication);
    w.step(Role::VillageCadre, "2025-03-05", appraisal(true, false));
    w.step(Role::VillageCadre, "2025-03-11", Event::CloseNotice);
    w.step(Role::Township, "2025-03-12", review(Decision::Approve));
    let why = w
        .try_step(Role::County, "2025-03-13", county(Decision::Approve))
        .unwrap_err();
    assert_eq!(
        (why.code.as_str(), why.kind),
        ("excluded", zaofaxian_shared::lifecycle::RefusalKind::Conflict)
    );
    w.step(Role::County, "2025-03-13", county(Decision::Reject));
    assert_eq!(w.state.stage, Stage::Closed(ClosedReason::Rejected));

    // An exclusion put to the assembly: the appraisal approves only as the assembly's review.
    let mut w = Walk::open("neimenggu-2021", Channel::SelfReport, Role::Household, "2025-03-03");
    w.state.binding = Binding {
        assembly_pending: vec!["nm-3".into()],
        ..Binding::default()
    };
    w.step(
        Role::VillageCadre,
        "2025-03-04",
        Event::RecordVerification { at_risk: true },
    );
    w.step(Role::Household, "2025-03-04", Event::SignApplication);
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-03-05", appraisal(true, false)),
        "assembly_review_required"
    );
    w.step(Role::VillageCadre, "2025-03-05", appraisal(true, true));
    assert!(w.state.binding.assembly_pending.is_empty());
    w.step(Role::VillageCadre, "2025-03-11", Event::CloseNotice);
    w.step(Role::Township, "2025-03-12", review(Decision::Approve));
    w.step(Role::County, "2025-03-13", county(Decision::Approve));
    assert_eq!(w.state.stage, Stage::InSecondNotice);
}

/// 整户消亡 and 清退 cannot be undone by anyone else; the county may undo a mistaken one
/// within 30 days (our period: the seeds set none), with its reason, and the case goes
/// back to where it stood (an unverified landslide report was once closed this way).
#[test]
fn the_county_may_undo_a_mistaken_ending_within_thirty_days() {
    let mut w = Walk::open("yuxi-2021", Channel::DisasterAlert, Role::County, "2025-03-03");
    let before = w.state.deadline;
    w.step(Role::VillageCadre, "2025-03-04", Event::HouseholdDissolved);
    assert_eq!(w.state.stage, Stage::Closed(ClosedReason::HouseholdDissolved));
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-03-05", Event::Reinstate),
        "forbidden"
    );
    let late = w.try_step(Role::County, "2025-04-04", Event::Reinstate).unwrap_err();
    assert_eq!(late.code, "reinstate_period_over");
    assert!(late.text.zh.contains("2025-04-03"), "{late}");
    w.step(Role::County, "2025-04-03", Event::Reinstate);
    assert_eq!((w.state.stage, w.state.deadline), (Stage::AwaitingVerification, before));
    assert!(
        EventKind::Reinstate.check_reason(Some("误报")).is_err(),
        "a reason is required"
    );
    // A refusal is not an ending the county undoes this way.
    let mut w = Walk::open("yuxi-2021", Channel::DisasterAlert, Role::County, "2025-03-03");
    w.step(
        Role::VillageCadre,
        "2025-03-04",
        Event::RecordVerification { at_risk: false },
    );
    assert_eq!(w.refused(Role::County, "2025-03-05", Event::Reinstate), "wrong_stage");
}

/// 003 一(一)4 "家庭自然增加及自然减少人口信息": a population change changes who the
/// household is; it must name real members, and cannot empty the household.
#[test]
fn a_population_change_changes_the_members() {
    use zaofaxian_shared::household::{Health, LabourCapacity, Member};
    let mut w = Walk::open("yuxi-2021", Channel::SelfReport, Role::Household, "2025-03-03");
    w.state.members = vec!["王秀英".into(), "李强".into()];
    let baby = Member {
        name: "李小宝".into(),
        national_id: None,
        relationship: None,
        birth_date: d("2025-03-01"),
        labour: LabourCapacity::None,
        health: Health::Healthy,
        severe_disability: false,
        disabled_elderly: false,
        schooling: None,
        has_guardian_or_supporter: true,
    };
    let change = |added: Vec<Member>, removed: Vec<&str>| Event::PopulationChange {
        added,
        removed: removed.into_iter().map(String::from).collect(),
    };
    // A change naming no one records its note only.
    w.step(Role::VillageCadre, "2025-03-04", change(vec![], vec![]));
    assert_eq!(w.state.members, ["王秀英", "李强"]);
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-03-04", change(vec![], vec!["张三"])),
        "not_a_member"
    );
    w.step(
        Role::VillageCadre,
        "2025-03-04",
        change(vec![baby.clone()], vec!["李强"]),
    );
    assert_eq!(w.state.members, ["王秀英", "李小宝"]);
    assert_eq!(w.state.stage, Stage::AwaitingVerification, "the stage does not move");
    assert_eq!(
        w.refused(Role::VillageCadre, "2025-03-05", change(vec![baby], vec![])),
        "already_a_member"
    );
    assert_eq!(
        w.refused(
            Role::VillageCadre,
            "2025-03-05",
            change(vec![], vec!["王秀英", "李小宝"])
        ),
        "household_gone"
    );
}

/// 鹤庆 县级研判阶段 "每月一复核，每月一研判": a household the township approved is due at
/// the county by the last working day of the next month; no such duty elsewhere, as the
/// other seeds set none.
#[test]
fn heqings_county_reviews_every_month() {
    let cal = Calendar::national();
    let due = |on: &str| zaofaxian_shared::reporting::county_review_due(cal, d(on)).unwrap().date;
    // 30 November 2025 is a Sunday: the 28th.
    assert_eq!(due("2025-10-31"), d("2025-11-28"));
    assert_eq!(due("2025-11-03"), d("2025-12-31"));
    assert_eq!(due("2025-12-15"), d("2026-01-30"), "31 January 2026 is a Saturday");
    assert!(profile("heqing-2020").county_reviews_monthly);
    assert!(!profile("yuxi-2021").county_reviews_monthly && !profile("neimenggu-2021").county_reviews_monthly);
}

/// 玉溪 四 2. "对收到突发事件上报的拟纳入监测的农户应即刻进行研究审核": the township's review
/// of a sudden-event household is due the day the village's result arrives (the next
/// working day after a rest day); other households, and other areas, keep 7 working days.
#[test]
fn a_sudden_event_is_reviewed_at_once_in_yuxi() {
    use zaofaxian_shared::lifecycle::Binding;
    let to_township = |profile: &str, sudden_event: bool, closed_on: &str| {
        let mut w = Walk::open(profile, Channel::SelfReport, Role::Household, "2025-03-03");
        w.state.binding = Binding {
            sudden_event,
            ..Binding::default()
        };
        w.step(
            Role::VillageCadre,
            "2025-03-04",
            Event::RecordVerification { at_risk: true },
        );
        w.step(Role::Household, "2025-03-04", Event::SignApplication);
        let approve = Event::RecordAppraisal {
            approved: true,
            assembly_review: false,
        };
        w.step(Role::VillageCadre, "2025-03-05", approve);
        w.step(Role::VillageCadre, closed_on, Event::CloseNotice);
        w.state.deadline.map(|x| (x.kind, x.due))
    };
    assert_eq!(
        to_township("yuxi-2021", true, "2025-03-13"),
        Some((DeadlineKind::TownshipReviewAtOnce, d("2025-03-13")))
    );
    // Closed on a Saturday: due on the Monday.
    assert_eq!(
        to_township("yuxi-2021", true, "2025-03-15"),
        Some((DeadlineKind::TownshipReviewAtOnce, d("2025-03-17")))
    );
    assert_eq!(
        to_township("yuxi-2021", false, "2025-03-13"),
        Some((DeadlineKind::TownshipReview, d("2025-03-24")))
    );
    assert_eq!(
        to_township("heqing-2020", true, "2025-03-13"),
        Some((DeadlineKind::TownshipReview, d("2025-03-24")))
    );
}
