//! A household a cadre finds on their own rounds (干部排查走访), opened from the phone:
//! filed as a report by staff (the server opens it on the 干部排查 channel), with a
//! local copy of the case made by the same core so the home visit can start at once,
//! with no signal. The server's copy replaces it at the next pull.

use chrono::NaiveDate;
use zaofaxian_shared::lifecycle::{Channel, Ctx, open};
use zaofaxian_shared::reference::InForce;
use zaofaxian_shared::report::HardshipReport;
use zaofaxian_shared::wire::CaseRecord;
use zaofaxian_shared::{DivisionCode, DivisionLevel, Role, Text};

/// The village a cadre files new cases in: their own, when their account is a village's.
pub fn filing_village(division: Option<&str>) -> Option<DivisionCode> {
    division
        .and_then(|d| d.parse::<DivisionCode>().ok())
        .filter(|d| d.level() == DivisionLevel::Village)
}

/// The case as the server will open it for `report` filed by `role`, under the id of
/// the outbox record that carries the report (the server takes it as the case's id).
pub fn provisional_case(
    record_id: &str,
    report: &HardshipReport,
    role: Role,
    reference: &InForce,
    today: NaiveDate,
) -> Result<CaseRecord, Text> {
    let profile = reference
        .policy
        .profile_for(report.village)
        .map_err(|e| Text::from_pair(&e.to_string()))?;
    let ctx = Ctx {
        actor: role,
        today,
        calendar: &reference.calendar,
        profile,
        evidence: None,
    };
    let channel = if report.on_behalf {
        Channel::ProxyReport
    } else {
        Channel::CadreVisit
    };
    let state = open(channel, &ctx).map_err(|w| w.text)?;
    Ok(CaseRecord {
        id: record_id.to_string(),
        division: report.village,
        owner_account: None,
        profile_id: profile.id.clone(),
        state,
        report: serde_json::to_value(report).map_err(|e| Text::from_pair(&e.to_string()))?,
        photos_missing: 0,
        household: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use zaofaxian_shared::Stage;
    use zaofaxian_shared::report::Hardship;

    #[test]
    fn a_found_household_is_a_case_ready_for_its_visit() {
        assert_eq!(
            filing_village(Some("530402001000")),
            None,
            "a township files no village's cases"
        );
        let village = filing_village(Some("530402001001")).unwrap();
        let report = HardshipReport {
            village,
            household_name: "赵六".into(),
            phone: None,
            national_id: None,
            hardship: Hardship::Accident,
            happened_on: "2025-10-30".parse().unwrap(),
            amount: None,
            description: "入户走访发现：户主摔伤".into(),
            group: "2组".into(),
            on_behalf: false,
            photos: Vec::new(),
            voice_note: None,
            location: None,
        };
        let today = "2025-11-03".parse().unwrap();
        let case = provisional_case("rec-1", &report, Role::VillageCadre, &InForce::shipped(), today).unwrap();
        assert_eq!((case.id.as_str(), case.household_name()), ("rec-1", "赵六"));
        assert_eq!(case.state.channel, Channel::CadreVisit);
        assert_eq!(case.state.stage, Stage::AwaitingVerification);
        assert_eq!(case.state.version, 0, "the visit goes as the case's first step");
        assert!(case.state.deadline.is_some(), "{:?}", case.state);
    }
}
