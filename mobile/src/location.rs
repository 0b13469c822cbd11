//! Where the phone is. Behind a trait: the device's GPS on phones, a fixed or
//! manually entered point on the desktop build and in tests. The home visit checks
//! the fix against the household's recorded location and warns when they are far
//! apart (a visit recorded from the village office, or a household that moved).

use geo::{Distance, Haversine, Point};
use std::future::Future;
use std::pin::Pin;
use zaofaxian_shared::{GeoPoint, Text};

/// A fix as it arrives: a receiver may take seconds (the browser asks for permission
/// first), so asking never blocks the screen.
pub type Fix<'a> = Pin<Box<dyn Future<Output = Result<GeoPoint, Text>> + 'a>>;

/// A source of position fixes.
pub trait LocationProvider: std::fmt::Debug {
    /// The current fix, or why there is none (no permission, no satellites yet).
    fn current(&self) -> Fix<'_>;
}

/// A point typed in or chosen on a map (desktop), or a simulated receiver (tests).
#[derive(Debug, Clone)]
pub struct ManualLocation(pub Option<GeoPoint>);

impl LocationProvider for ManualLocation {
    fn current(&self) -> Fix<'_> {
        Box::pin(std::future::ready(
            self.0
                .ok_or_else(|| Text::new("尚未选择位置", "no position chosen yet")),
        ))
    }
}

/// Fixes worse than this are shown as imprecise.
pub const POOR_ACCURACY_M: f64 = 50.0;
/// A visit further than this from the recorded home is flagged.
pub const FAR_FROM_HOME_M: f64 = 500.0;

#[derive(Debug, Clone, PartialEq)]
pub enum VisitCheck {
    /// Close to the recorded home, with a usable fix.
    Ok { distance_m: f64 },
    /// No recorded home yet: this fix will become it (云龙: 采集家庭位置信息).
    FirstFix,
    /// Recorded, but the warning is shown to the cadre with the distance.
    Warn { distance_m: Option<f64>, why: Text },
}

pub fn distance_m(a: &GeoPoint, b: &GeoPoint) -> f64 {
    Haversine.distance(Point::new(a.lon, a.lat), Point::new(b.lon, b.lat))
}

/// Checks a visit's fix against the household's recorded location.
pub fn check_visit(fix: &GeoPoint, home: Option<&GeoPoint>) -> VisitCheck {
    if let Some(acc) = fix.accuracy_m.filter(|a| *a > POOR_ACCURACY_M) {
        let distance_m = home.map(|h| distance_m(fix, h));
        return VisitCheck::Warn {
            distance_m,
            why: Text::new(
                format!("定位精度较差（±{acc:.0}米），请到户外稍候再定位"),
                format!("poor accuracy (±{acc:.0} m): step outside and wait for a better fix"),
            ),
        };
    }
    let Some(home) = home else { return VisitCheck::FirstFix };
    let d = distance_m(fix, home);
    if d > FAR_FROM_HOME_M {
        VisitCheck::Warn {
            distance_m: Some(d),
            why: Text::new(
                format!("当前位置距该户登记位置约{:.1}公里，请确认是否入户", d / 1000.0),
                format!(
                    "you are about {:.1} km from this household's recorded home: confirm the visit",
                    d / 1000.0
                ),
            ),
        }
    } else {
        VisitCheck::Ok { distance_m: d }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(lat: f64, lon: f64) -> GeoPoint {
        GeoPoint::new(lat, lon).unwrap()
    }

    #[test]
    fn near_far_imprecise_and_first_fixes() {
        let home = p(24.35412, 102.54310);
        // About 110 m north.
        assert!(
            matches!(check_visit(&p(24.3551, 102.5431).with_accuracy(8.0), Some(&home)), VisitCheck::Ok { distance_m } if (100.0..120.0).contains(&distance_m))
        );
        // About 2.2 km away: warned with the distance in words.
        match check_visit(&p(24.3741, 102.5431), Some(&home)) {
            VisitCheck::Warn {
                distance_m: Some(d),
                why,
            } => {
                assert!((2_100.0..2_300.0).contains(&d), "{d}");
                assert!(why.zh.contains("约2.2公里"), "{}", why.zh);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            check_visit(&home.with_accuracy(120.0), Some(&home)),
            VisitCheck::Warn { .. }
        ));
        assert_eq!(check_visit(&home, None), VisitCheck::FirstFix);
        // The core's haversine and geo's agree.
        let far = p(25.0, 103.0);
        assert!((distance_m(&home, &far) - home.distance_m(&far)).abs() < 1.0);
    }

    #[tokio::test]
    async fn a_manual_provider_without_a_point_says_why() {
        assert!(
            ManualLocation(None)
                .current()
                .await
                .unwrap_err()
                .zh
                .contains("尚未选择位置")
        );
        assert_eq!(ManualLocation(Some(p(24.0, 102.0))).current().await.unwrap().lat, 24.0);
    }
}
