//! The API's JSON body: what axum's `Json` checks (content type, size, syntax), then
//! numbers as JSON Schema counts them, then the typed request with the path of the
//! field at fault.

use crate::error::ApiError;
use axum::Json;
use axum::extract::{FromRequest, Request};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// A request body decoded into `T`; refusals are [`ApiError`]s naming the field.
#[derive(Debug)]
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let Json(mut value) = Json::<Value>::from_request(req, state).await?;
        integral_floats(&mut value);
        // The typed body comes from the value, so axum's own data errors never arise.
        serde_path_to_error::deserialize(value)
            .map(JsonBody)
            .map_err(|e| crate::error::invalid_field(&e.path().to_string(), &e.into_inner().to_string()))
    }
}

/// JSON Schema (and JavaScript) count `3.0` as the integer 3; serde does not. Integral
/// numbers written with a fraction become integers before decoding; a real fraction
/// where an integer is wanted is still refused.
fn integral_floats(v: &mut Value) {
    match v {
        Value::Number(n) => {
            // Integers up to 2^53 are exact in a double.
            if let Some(f) = n
                .as_f64()
                .filter(|f| n.is_f64() && f.fract() == 0.0 && f.abs() <= 9_007_199_254_740_992.0)
            {
                *v = Value::from(f as i64);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(integral_floats),
        Value::Object(fields) => fields.values_mut().for_each(integral_floats),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integral_numbers_with_a_fraction_become_integers() {
        let mut v = serde_json::json!({ "seq": 3.0, "lat": 24.35, "list": [1.0, -2.0, 0.5], "big": 1e300 });
        integral_floats(&mut v);
        assert_eq!(v["seq"], serde_json::json!(3));
        assert!(v["seq"].is_i64());
        assert_eq!(v["lat"], serde_json::json!(24.35));
        assert_eq!(v["list"], serde_json::json!([1, -2, 0.5]));
        assert!(
            v["big"].is_f64(),
            "beyond 2^53 stays as it was (and is refused where an integer is wanted)"
        );

        // Read exactly as written: a fast, inexact parse made this one ….5 and refused it.
        let mut v: Value = serde_json::from_str(r#"{"seq": -3977649516757834.0}"#).unwrap();
        integral_floats(&mut v);
        assert_eq!(v["seq"].as_i64(), Some(-3_977_649_516_757_834));
    }
}
