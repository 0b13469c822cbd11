//! Zaofaxian's pure domain core: the rules of the 防止返贫动态监测和帮扶 documents.
//! No I/O, no async: the server and the phone app both call into this crate.

pub mod calendar;
pub mod clock;
pub mod division;
pub mod eligibility;
pub mod elimination;
pub mod geo;
pub mod household;
pub mod household_words;
pub mod id;
pub mod income;
pub mod joint_review;
pub mod lifecycle;
pub mod money;
pub mod national_id;
pub mod phone;
pub mod photo;
pub mod policy;
pub mod reference;
pub mod reminders;
pub mod report;
pub mod reporting;
pub mod role;
#[cfg(feature = "openapi")]
pub mod schema;
pub mod sync;
pub mod text;
pub mod text_messages;
pub mod visit;
pub mod voice;
pub mod wire;

pub use calendar::{Calendar, CalendarError, DayKind, RegionalOverlay};
pub use clock::{Clock, ManualClock, SystemClock};
pub use division::{DivisionCode, DivisionLevel};
pub use geo::GeoPoint;
pub use id::RecordId;
pub use lifecycle::{CaseState, Channel, Event, EventKind, Stage, WhyNot};
pub use money::Fen;
pub use national_id::{NationalId, Sex};
pub use phone::PhoneNumber;
pub use policy::{Policy, Profile};
pub use role::Role;
pub use text::{Lang, Text};
