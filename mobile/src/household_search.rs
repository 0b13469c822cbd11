//! The cadre's household list: every household with a case in the village, found by
//! name, ID number (or its last digits, as people usually quote it) or 村民小组.
//! Built from the pulled cases plus the visits recorded on this phone, which add the
//! group and the recorded home location (a report does not carry them).

use serde_json::Value;
use zaofaxian_shared::wire::CaseRecord;
use zaofaxian_shared::{GeoPoint, Lang};

#[derive(Debug, Clone, PartialEq)]
pub struct HouseholdEntry {
    pub case_id: String,
    pub name: String,
    /// The full number (the cadre's own area); shown masked.
    pub national_id: Option<String>,
    pub group: String,
    pub stage: String,
    pub version: u64,
    /// Where the last visit recorded on this phone was made.
    pub home: Option<GeoPoint>,
}

impl HouseholdEntry {
    /// `530402********1234`: enough to tell households apart on screen.
    pub fn masked_id(&self) -> String {
        self.national_id
            .as_deref()
            .and_then(zaofaxian_shared::NationalId::mask)
            .unwrap_or_default()
    }
}

/// Builds the list from pulled cases and this phone's visits (`(case_id, visit)` in
/// the order recorded; the latest wins).
pub fn households(cases: &[CaseRecord], visits: &[(String, Value)], lang: Lang) -> Vec<HouseholdEntry> {
    let mut out: Vec<HouseholdEntry> = cases
        .iter()
        .map(|c| HouseholdEntry {
            case_id: c.id.clone(),
            name: c.household_name().to_string(),
            national_id: c.national_id().map(str::to_string),
            group: String::new(),
            stage: c.state.stage.label().get(lang).to_string(),
            version: c.state.version,
            home: None,
        })
        .collect();
    for (case_id, visit) in visits {
        if let Some(h) = out.iter_mut().find(|h| &h.case_id == case_id) {
            if let Some(g) = visit["group"].as_str().filter(|g| !g.is_empty()) {
                h.group = g.to_string();
            }
            if let Ok(p) = serde_json::from_value::<GeoPoint>(visit["location"].clone()) {
                h.home = Some(p);
            }
        }
    }
    out.sort_by(|a, b| a.group.cmp(&b.group).then_with(|| a.name.cmp(&b.name)));
    out
}

/// Households matching the query: part of the name, the group ("3组" or "3"), or
/// digits of the ID number (any run of at least 4, usually the last 4 or 6).
pub fn search<'a>(list: &'a [HouseholdEntry], query: &str) -> Vec<&'a HouseholdEntry> {
    let q = query.trim().to_uppercase();
    if q.is_empty() {
        return list.iter().collect();
    }
    let id_like = q.len() >= 4 && q.chars().all(|c| c.is_ascii_digit() || c == 'X');
    let group_q = q.trim_end_matches('组');
    list.iter()
        .filter(|h| {
            h.name.contains(q.as_str())
                || (!group_q.is_empty() && h.group.trim_end_matches('组') == group_q)
                || (id_like
                    && h.national_id
                        .as_deref()
                        .is_some_and(|id| id.to_uppercase().contains(&q)))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn case(id: &str, name: &str, nid: Option<&str>) -> CaseRecord {
        serde_json::from_value(json!({ "id": id, "division": "530402001001", "owner_account": null,
                "profile_id": "yuxi-2021", "report": { "household_name": name, "national_id": nid },
                "state": state() }))
        .unwrap()
    }

    fn state() -> Value {
        use zaofaxian_shared::lifecycle::{Ctx, open};
        let policy = zaofaxian_shared::Policy::embedded();
        let ctx = Ctx {
            actor: zaofaxian_shared::Role::Household,
            today: "2025-11-03".parse().unwrap(),
            calendar: zaofaxian_shared::Calendar::national(),
            profile: policy.profile("yuxi-2021").unwrap(),
            evidence: None,
        };
        serde_json::to_value(open(zaofaxian_shared::Channel::SelfReport, &ctx).unwrap()).unwrap()
    }

    fn list() -> Vec<HouseholdEntry> {
        let cases = [
            case("a", "王秀英", Some("11010519491231002X")),
            case("b", "李建国", None),
            case("c", "王小明", Some("530402198001011234")),
        ];
        let visits = [
            ("a".to_string(), json!({ "group": "3组" })),
            ("c".to_string(), json!({ "group": "1组" })),
            (
                "b".to_string(),
                json!({ "group": "3组", "location": { "lat": 24.35, "lon": 102.54 } }),
            ),
        ];
        households(&cases, &visits, Lang::Zh)
    }

    fn names(found: Vec<&HouseholdEntry>) -> Vec<&str> {
        found.iter().map(|h| h.name.as_str()).collect()
    }

    #[test]
    fn by_name_group_and_id_digits() {
        let l = list();
        assert_eq!(l.len(), 3, "{l:?}");
        assert_eq!(names(search(&l, "王")), ["王小明", "王秀英"]);
        // The visit put 李建国 in 3组 and recorded the home.
        assert_eq!(names(search(&l, "3组")), ["李建国", "王秀英"]);
        assert_eq!(names(search(&l, "3")), ["李建国", "王秀英"]);
        assert!(l.iter().find(|h| h.name == "李建国").unwrap().home.is_some());
        assert_eq!(names(search(&l, "002x")), ["王秀英"], "the last digits, any case");
        assert_eq!(names(search(&l, "1234")), ["王小明"]);
        assert!(search(&l, "赵").is_empty());
        assert_eq!(search(&l, " ").len(), 3);
        let w = l.iter().find(|h| h.name == "王秀英").unwrap();
        assert_eq!(w.masked_id(), "110105********002X");
        assert_eq!(w.stage, "待入户核实");
    }
}
