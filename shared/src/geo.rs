//! Points on the earth. Stored as WGS-84 (what GPS reports); Chinese base maps
//! use GCJ-02, so convert only when drawing on such a map.

use serde::{Deserialize, Serialize};

/// A WGS-84 point with the receiver's reported accuracy.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    #[cfg_attr(feature = "openapi", schema(minimum = -90.0, maximum = 90.0))]
    pub lat: f64,
    #[cfg_attr(feature = "openapi", schema(minimum = -180.0, maximum = 180.0))]
    pub lon: f64,
    /// Horizontal accuracy in metres, when the device reports it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(minimum = 0.0, maximum = 100_000.0))]
    pub accuracy_m: Option<f64>,
}

/// The largest accuracy a fix may claim (100 km): beyond it, it is no fix of a house.
pub const MAX_ACCURACY_M: f64 = 100_000.0;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("坐标无效：纬度 {lat}，经度 {lon} / invalid coordinates: lat {lat}, lon {lon}")]
pub struct GeoError {
    pub lat: f64,
    pub lon: f64,
}

impl GeoPoint {
    pub fn new(lat: f64, lon: f64) -> Result<Self, GeoError> {
        let ok = lat.is_finite() && lon.is_finite() && (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
        if ok {
            Ok(GeoPoint {
                lat,
                lon,
                accuracy_m: None,
            })
        } else {
            Err(GeoError { lat, lon })
        }
    }

    /// Whether a point sent by a client is one: on the globe, and an accuracy (when
    /// given) from 0 to [`MAX_ACCURACY_M`]. The same bounds as the document's.
    pub fn is_valid(&self) -> bool {
        GeoPoint::new(self.lat, self.lon).is_ok() && self.accuracy_m.is_none_or(|a| (0.0..=MAX_ACCURACY_M).contains(&a))
    }

    pub fn with_accuracy(mut self, metres: f64) -> Self {
        self.accuracy_m = Some(metres);
        self
    }

    /// Great-circle distance in metres (haversine, mean earth radius).
    pub fn distance_m(&self, other: &GeoPoint) -> f64 {
        const R: f64 = 6_371_008.8;
        let (p1, p2) = (self.lat.to_radians(), other.lat.to_radians());
        let dp = p2 - p1;
        let dl = (other.lon - self.lon).to_radians();
        let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
        2.0 * R * a.sqrt().asin()
    }

    /// Rough test for mainland China: outside it GCJ-02 equals WGS-84.
    pub fn in_china(&self) -> bool {
        (72.004..=137.8347).contains(&self.lon) && (0.8293..=55.8271).contains(&self.lat)
    }

    /// The GCJ-02 ("Mars") coordinates used by Chinese base maps, for display only.
    pub fn to_gcj02(&self) -> (f64, f64) {
        if !self.in_china() {
            return (self.lat, self.lon);
        }
        // Krasovsky 1940 ellipsoid, as in the published GCJ-02 offset formula.
        const A: f64 = 6_378_245.0;
        const EE: f64 = 0.006_693_421_622_965_943;
        let (x, y) = (self.lon - 105.0, self.lat - 35.0);
        let dlat = transform_lat(x, y);
        let dlon = transform_lon(x, y);
        let rad_lat = self.lat.to_radians();
        let magic = 1.0 - EE * rad_lat.sin().powi(2);
        let sqrt_magic = magic.sqrt();
        let dlat = (dlat * 180.0) / ((A * (1.0 - EE)) / (magic * sqrt_magic) * std::f64::consts::PI);
        let dlon = (dlon * 180.0) / (A / sqrt_magic * rad_lat.cos() * std::f64::consts::PI);
        (self.lat + dlat, self.lon + dlon)
    }
}

fn transform_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn transform_lon(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_impossible_coordinates() {
        assert!(GeoPoint::new(91.0, 100.0).is_err());
        assert!(GeoPoint::new(24.0, f64::NAN).is_err());
        assert!(GeoPoint::new(24.35, 102.54).is_ok());
    }

    #[test]
    fn a_sent_point_is_on_the_globe_with_a_sane_accuracy() {
        let p = |lat, lon, accuracy_m| GeoPoint { lat, lon, accuracy_m };
        assert!(p(90.0, -180.0, None).is_valid());
        assert!(p(24.35, 102.54, Some(MAX_ACCURACY_M)).is_valid());
        assert!(!p(90.5, 0.0, None).is_valid());
        assert!(!p(0.0, 180.5, None).is_valid());
        assert!(!p(24.35, 102.54, Some(-1.0)).is_valid());
        assert!(!p(24.35, 102.54, Some(MAX_ACCURACY_M + 1.0)).is_valid());
    }

    #[test]
    fn gcj02_offset_is_a_few_hundred_metres_inside_china_and_zero_outside() {
        // 玉溪 红塔区 centre, roughly.
        let p = GeoPoint::new(24.354, 102.543).unwrap();
        let (lat, lon) = p.to_gcj02();
        let shifted = GeoPoint::new(lat, lon).unwrap();
        let d = p.distance_m(&shifted);
        assert!((100.0..800.0).contains(&d), "offset {d} m");
        let tokyo = GeoPoint::new(35.68, 139.76).unwrap();
        assert_eq!(tokyo.to_gcj02(), (35.68, 139.76));
    }

    #[test]
    fn haversine_matches_a_known_distance() {
        // One degree of latitude is about 111.2 km.
        let a = GeoPoint::new(24.0, 102.0).unwrap();
        let b = GeoPoint::new(25.0, 102.0).unwrap();
        assert!((a.distance_m(&b) - 111_195.0).abs() < 50.0);
    }
}
