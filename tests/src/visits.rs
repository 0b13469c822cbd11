//! A home visit answered as a cadre answers it at the door, for the tests and the
//! desktop walk's set-up: the head of household (ill, no labour), every exclusion
//! "no", not formerly poor, the guarantees secured, the application signed.

use zaofaxian_mobile::visit_form::{MemberForm, VisitForm};
use zaofaxian_shared::household::{Health, LabourCapacity, Relationship};

/// Fills `form` for the head of household `name` (ID `national_id`), who applies;
/// `sudden` is the cadre's judgement of a sudden severe hardship.
pub fn answer_at_the_door(form: &mut VisitForm, name: &str, national_id: &str, sudden: bool) {
    form.members[0] = MemberForm {
        name: name.into(),
        national_id: national_id.into(),
        relationship: Some(Relationship::Head),
        labour: LabourCapacity::None,
        health: Health::Serious,
        severe_disability: Some(false),
        disabled_elderly: Some(false),
        ..MemberForm::default()
    };
    for e in &mut form.exclusions {
        e.applies = Some(false);
    }
    form.formerly_poor = Some(false);
    form.guarantees = [Some(true); 5];
    form.sudden_hardship = Some(sudden);
    form.application = Some(true);
    form.signer = name.into();
}
