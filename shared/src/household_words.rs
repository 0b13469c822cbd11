//! What a household is told about its own case: the next step in plain words, who
//! acts and until when, and the helpline. One home for the phone's status card and,
//! later, the household's text messages.

use crate::lifecycle::{CaseState, ClosedReason, Stage};
use crate::text::Text;

/// The national helpline the seeds name for reports and questions (000 四(一)1,
/// 002 三(一)2): 全国防止返贫监测和乡村振兴咨询服务平台.
pub const HELPLINE: &str = "12317";

/// The helpline as printed on notices and posters.
pub const HELPLINE_NAME: &str = "全国防止返贫监测和乡村振兴咨询服务平台：12317";

/// What happens next on the household's case, said to the household. The date of a
/// running period is given by the caller (with its working-day count); this names the
/// step and who takes it.
pub fn next_step(state: &CaseState) -> Text {
    match state.stage {
        Stage::AwaitingVerification => Text::new(
            "村里会派人到您家了解情况（入户核实），请保持电话畅通。",
            "Someone from the village will visit your home to look into it. Please keep your phone on.",
        ),
        Stage::AwaitingApplication => Text::new(
            "核实后，村干部会请您签署纳入监测申请和授权承诺书。",
            "After the visit, the village cadre will ask you to sign the application and the authorization.",
        ),
        Stage::AwaitingAppraisal => Text::new(
            "村里将召开村民代表会议，评议您家的情况。",
            "The village representatives will meet to discuss your household.",
        ),
        Stage::InNotice | Stage::InSecondNotice => match state.notice {
            Some((_, last)) => Text::new(
                format!("评议结果正在村里公示，{last}公示结束。对公示有意见的，可以向村委会反映。"),
                format!("The result is posted in the village until {last}. Objections go to the village committee."),
            ),
            None => Text::new(
                "评议结果正在村里公示。对公示有意见的，可以向村委会反映。",
                "The result is posted in the village. Objections go to the village committee.",
            ),
        },
        Stage::AwaitingTownshipReview => Text::new(
            "乡镇正在审核您家的情况，审核后报县里确定。",
            "The township is reviewing your household; the county decides after it.",
        ),
        Stage::AwaitingCountyReview => Text::new(
            "县里正在联审，确定是否纳入监测。",
            "The county is deciding whether your household is monitored.",
        ),
        Stage::Monitored => Text::new(
            "您家已纳入监测，会得到帮扶。帮扶措施和责任人见下方；有新的困难请随时联系村干部。",
            "Your household is monitored and receives assistance (see below). Call the village cadre about any new hardship.",
        ),
        Stage::RiskEliminated => Text::new(
            "您家的返贫风险已消除。以后再遇到困难，可以随时再次申报。",
            "Your household's risk has been eliminated. Report again whenever hardship returns.",
        ),
        Stage::Closed(ClosedReason::NotAtRisk) => Text::new(
            "经核实，您家暂无返贫风险，这次不纳入监测。情况有变化时，可以随时再次申报。",
            "The visit found no risk, so your household is not monitored for now. Report again if things change.",
        ),
        Stage::Closed(ClosedReason::Rejected) => Text::new(
            "这次未纳入监测，原因见下方。如有不同意见，可以向村委会反映或拨打12317。",
            "Your household was not included (reason below). If you disagree, tell the village committee or call 12317.",
        ),
        Stage::Closed(ClosedReason::Withdrawn) => Text::new(
            "您已撤回这次申报。需要时可以重新申报。",
            "You withdrew this report. You can report again at any time.",
        ),
        Stage::Closed(ClosedReason::Cleared) => Text::new(
            "经复核，您家不再作为监测对象。如有疑问，可以拨打12317。",
            "A re-check removed your household from monitoring. Call 12317 with any question.",
        ),
        Stage::Closed(ClosedReason::HouseholdDissolved) => {
            Text::new("此户已注销。", "This household record is closed.")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lifecycle::{Channel, Ctx, Event, open, transition};
    use crate::{Calendar, Policy, Role};
    use chrono::NaiveDate;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ctx(actor: Role, today: &str) -> Ctx<'static> {
        Ctx {
            actor,
            today: d(today),
            calendar: Calendar::national(),
            profile: Policy::embedded().profile("yuxi-2021").unwrap(),
            evidence: None,
        }
    }

    #[test]
    fn every_stage_says_what_comes_next_and_the_notice_its_last_day() {
        let reported = open(Channel::SelfReport, &ctx(Role::Household, "2025-09-30")).unwrap();
        assert!(next_step(&reported).zh.contains("入户核实"));
        let mut posted = reported.clone();
        posted.stage = Stage::InNotice;
        posted.notice = Some((d("2025-10-09"), d("2025-10-15")));
        assert_eq!(
            next_step(&posted).zh,
            "评议结果正在村里公示，2025-10-15公示结束。对公示有意见的，可以向村委会反映。"
        );
        assert!(next_step(&posted).en.contains("until 2025-10-15"));
        let closed = transition(
            &reported,
            &Event::RecordVerification { at_risk: false },
            &ctx(Role::VillageCadre, "2025-10-09"),
        )
        .unwrap();
        assert!(next_step(&closed).zh.contains("暂无返贫风险"));
        // No two stages say the same thing.
        let mut said = std::collections::BTreeSet::new();
        for stage in Stage::OPEN.iter().copied().filter(|s| *s != Stage::InSecondNotice) {
            let mut s = reported.clone();
            s.stage = stage;
            assert!(said.insert(next_step(&s).zh), "{stage:?}");
        }
    }
}
