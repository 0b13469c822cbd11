//! What a household reading its own case is told beyond the stage: whom to call and
//! the assistance decided. Computed on read from the case's history and the staff
//! register, so it is never stale and never stored twice.

use crate::audit::AuditEntry;
use crate::store::{Store, StoreResult};
use zaofaxian_shared::lifecycle::Event;
use zaofaxian_shared::wire::{AssistanceNote, CaseRecord, Contact, HouseholdFacing};
use zaofaxian_shared::{EventKind, Role};

/// Roles whose members go to the household's door: the one who last acted is the one
/// to call.
fn village_level(role: &str) -> bool {
    matches!(
        serde_json::from_value::<Role>(serde_json::Value::String(role.into())),
        Ok(Role::VillageCadre | Role::WorkTeam)
    )
}

/// A history step as far as this view needs it.
#[derive(serde::Deserialize)]
struct Step {
    event: Event,
    #[serde(default)]
    note: Option<String>,
}

/// The assistance measures in `history`, oldest first: the note of each 帮扶措施 step,
/// which says the measure and its responsible person (the console's form asks for
/// both and tells staff the household reads it).
pub fn assistance(history: &[AuditEntry]) -> Vec<AssistanceNote> {
    history
        .iter()
        .filter_map(|e| {
            let step: Step = serde_json::from_value(e.entry.clone()).ok()?;
            let text = step.note.filter(|n| !n.trim().is_empty())?;
            (step.event.kind() == EventKind::RecordAssistance).then(|| AssistanceNote {
                on: zaofaxian_shared::clock::china_date(e.at),
                text,
            })
        })
        .collect()
}

/// The household's view of `case`.
pub async fn for_household(store: &dyn Store, case: &CaseRecord) -> StoreResult<HouseholdFacing> {
    let history = store.history(&case.id).await?;
    let last_visitor = history
        .iter()
        .rev()
        .find(|e| village_level(&e.actor_role))
        .map(|e| e.actor_account.clone());
    // Someone who has left (account disabled) is no one to call: a cadre of the
    // village instead.
    let visitor = match last_visitor {
        Some(id) if !store.account_disabled(&id).await? => store.account(&id).await?,
        _ => None,
    };
    let contact = match visitor {
        Some(a) => Some(Contact {
            phone: store.staff_phone(&a.id).await?,
            name: a.name,
        }),
        // Nobody has come yet: a cadre of the village, one with a phone first (each
        // phone read once, kept with its cadre).
        None => {
            let mut cadres = Vec::new();
            for e in store.staff_within(&case.division.to_string()).await? {
                if e.disabled_at.is_none() && e.account.role == Role::VillageCadre {
                    let phone = store.staff_phone(&e.account.id).await?;
                    cadres.push(Contact {
                        name: e.account.name,
                        phone,
                    });
                }
            }
            cadres.sort_by_key(|c| c.phone.is_none());
            cadres.into_iter().next()
        }
    };
    Ok(HouseholdFacing {
        contact,
        assistance: assistance(&history),
    })
}
