//! The OpenAPI 3.1 description of the API, served at `/api/v1/openapi.json`. It is
//! derived from the types the handlers take and answer with (`shared::wire`,
//! `shared::sync`, `shared::report`, …) and from the `#[utoipa::path]` beside each
//! handler, so it cannot drift from the code. `scripts/test.sh` checks it with
//! `openapi-spec-validator` and runs `schemathesis` against a real server.

use utoipa::openapi::schema::{ObjectBuilder, OneOfBuilder, Schema, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoResponses, Modify, OpenApi, PartialSchema};
use zaofaxian_shared::EventKind;
use zaofaxian_shared::lifecycle::Decision;
use zaofaxian_shared::wire::ErrorBody;

/// A body the server could not take: malformed JSON or a field it refuses (400), too
/// large (413), or not JSON (415).
#[derive(Debug, IntoResponses)]
#[allow(dead_code)] // a description for the document, never built
pub enum BodyRefusals {
    /// 请求内容无效（字段名见 `field`）/ malformed JSON or an invalid field (named in `field`)
    #[response(status = 400)]
    Invalid(ErrorBody),
    /// 请求过大 / the body is over 1 MB
    #[response(status = 413)]
    TooLarge(ErrorBody),
    /// 请求须为 application/json / the body is not JSON
    #[response(status = 415)]
    NotJson(ErrorBody),
}

/// Who asks: no valid session (401), or a role that may not take this step or see this
/// area (403).
#[derive(Debug, IntoResponses)]
#[allow(dead_code)]
pub enum AuthRefusals {
    /// 未登录或会话已过期 / not signed in, or the session ended
    #[response(status = 401)]
    Unauthorized(ErrorBody),
    /// 无权进行此操作 / this account may not do this here
    #[response(status = 403)]
    Forbidden(ErrorBody),
}

/// Too many requests: the wait is in `Retry-After` and said in words.
#[derive(Debug, IntoResponses)]
#[allow(dead_code)]
pub enum Limited {
    /// 请求过多，请稍后再试 / too many requests: try again after `Retry-After` seconds
    #[response(status = 429)]
    TooMany(ErrorBody),
}

/// Not there, or not the caller's to see (the same answer, so ids cannot be probed).
#[derive(Debug, IntoResponses)]
#[allow(dead_code)]
pub enum NotFound {
    /// 不存在或无权查看 / not found, or not the caller's to see
    #[response(status = 404)]
    Missing(ErrorBody),
}

/// A query parameter the server refuses.
#[derive(Debug, IntoResponses)]
#[allow(dead_code)]
pub enum QueryRefusals {
    /// 查询参数无效 / an invalid query parameter
    #[response(status = 400)]
    Invalid(ErrorBody),
}

/// A chunk of a photo's bytes (`application/octet-stream`, 1 byte to 1 MiB).
#[derive(Debug)]
pub struct Chunk;

impl utoipa::PartialSchema for Chunk {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .min_length(Some(1))
            .into()
    }
}

impl utoipa::ToSchema for Chunk {}

/// What a step's request may hold depends on the step, which the derived schema of
/// `EventRequest` cannot say: it becomes one variant per shape of step, split by the
/// core's own rules. A step that cannot be undone (清退, 整户消亡) or that refuses the
/// household ([`EventKind::refusal_field`]: found not at risk, not approved, rejected…)
/// needs its reason in `note`; only the verification and the elimination's home check
/// carry a home visit ([`EventKind::takes_visit`]).
struct StepVariants;

/// A shape of step request: whether it may carry a visit and whether it needs a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StepShape {
    visit: bool,
    reason: bool,
}

impl StepShape {
    const ALL: [StepShape; 4] = [
        StepShape {
            visit: true,
            reason: false,
        },
        StepShape {
            visit: false,
            reason: false,
        },
        StepShape {
            visit: true,
            reason: true,
        },
        StepShape {
            visit: false,
            reason: true,
        },
    ];

    fn component(self) -> &'static str {
        match (self.visit, self.reason) {
            (true, false) => "EventWithVisit",
            (false, false) => "PlainEvent",
            (true, true) => "RefusalWithVisit",
            (false, true) => "EventNeedingReason",
        }
    }
}

/// The step kind an `Event` variant's schema names in its `event` tag.
fn kind_of(variant: &RefOr<Schema>) -> Option<EventKind> {
    let RefOr::T(Schema::Object(o)) = variant else {
        return None;
    };
    let RefOr::T(Schema::Object(tag)) = o.properties.get("event")? else {
        return None;
    };
    serde_json::from_value(tag.enum_values.as_ref()?.first()?.clone()).ok()
}

/// An `Event` variant's schema with `field` limited to `values`.
fn limited(variant: &RefOr<Schema>, field: &str, values: Vec<serde_json::Value>) -> RefOr<Schema> {
    let mut v = variant.clone();
    if let RefOr::T(Schema::Object(o)) = &mut v {
        let typed = ObjectBuilder::new().enum_values(Some(values));
        o.properties.insert(field.into(), typed.into());
    }
    v
}

/// Every value an event's refusal field can take (a bool, or a decision).
fn values_of(refusing: &serde_json::Value) -> Vec<serde_json::Value> {
    match refusing {
        serde_json::Value::Bool(_) => vec![true.into(), false.into()],
        _ => [Decision::Approve, Decision::Reject, Decision::Return]
            .iter()
            .filter_map(|d| serde_json::to_value(d).ok())
            .collect(),
    }
}

/// The `Event` variants, each with the shape of its request: a step that can refuse is
/// split by its refusal field into its refusing and its other values.
fn shaped(events: &[RefOr<Schema>]) -> Vec<(StepShape, RefOr<Schema>)> {
    let mut out = Vec::new();
    for variant in events {
        let Some(kind) = kind_of(variant) else { continue };
        let visit = kind.takes_visit();
        match kind.refusal_field() {
            Some((field, refusing)) => {
                let others: Vec<_> = values_of(&refusing).into_iter().filter(|v| *v != refusing).collect();
                out.push((
                    StepShape { visit, reason: true },
                    limited(variant, field, vec![refusing]),
                ));
                out.push((StepShape { visit, reason: false }, limited(variant, field, others)));
            }
            None => out.push((
                StepShape {
                    visit,
                    reason: kind.always_needs_reason(),
                },
                variant.clone(),
            )),
        }
    }
    out
}

impl Modify for StepVariants {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let Some(components) = doc.components.as_mut() else {
            return;
        };
        let schemas = &mut components.schemas;
        let (Some(RefOr::T(Schema::OneOf(events))), Some(RefOr::T(Schema::Object(request)))) =
            (schemas.get("Event").cloned(), schemas.get("EventRequest").cloned())
        else {
            return;
        };
        let shaped = shaped(&events.items);
        let mut whole = OneOfBuilder::new()
            .description(request.description.clone())
            .examples(request.example.clone());
        for shape in StepShape::ALL {
            let mut group = OneOfBuilder::new();
            for (_, variant) in shaped.iter().filter(|(s, _)| *s == shape) {
                group = group.item(variant.clone());
            }
            schemas.insert(shape.component().into(), group.into());
            let mut variant = request.clone();
            variant.description = None;
            variant.example = None;
            variant
                .properties
                .insert("event".into(), Ref::from_schema_name(shape.component()).into());
            if !shape.visit {
                let none = ObjectBuilder::new().schema_type(Type::Null).description(Some(
                    "只有入户核实和风险消除入户核查附带入户记录 / only a verification or an elimination home check carries a visit",
                ));
                variant.properties.insert("visit".into(), none.into());
            }
            if shape.reason {
                variant
                    .properties
                    .insert("note".into(), zaofaxian_shared::schema::Reason::schema());
                variant.required.push("note".into());
            }
            whole = whole.item(Schema::Object(variant));
        }
        schemas.insert("EventRequest".into(), whole.into());
    }
}

struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "登录（/api/v1/auth/login 或 /api/v1/auth/otp/verify）所得的 token / the token a sign-in answers with",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "cookie",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "控制台登录后浏览器携带的会话 / the console's session cookie",
            ))),
        );
    }
}

#[derive(Debug, OpenApi)]
#[openapi(
    info(
        title = "早发现 Zaofaxian API",
        description = "防止返贫动态监测和帮扶：申报、同步、核实队列、案件流程与照片。每个 4xx 答复都是 ErrorBody：机器可读的 `code`，中英文 `message`，出错字段 `field`。\n\nReports, sync, the verification queue, case steps and photos. Every 4xx answer is an ErrorBody: a machine `code`, a message in Chinese and English, and the `field` at fault.",
    ),
    paths(
        crate::http::health,
        crate::http::openapi_json,
        crate::http::deadline,
        crate::http::reference,
        crate::api::auth::staff_login,
        crate::api::auth::request_code,
        crate::api::auth::verify_code,
        crate::api::auth::me,
        crate::api::auth::logout,
        crate::api::auth::devices,
        crate::api::auth::sign_out_elsewhere,
        crate::api::sync::push,
        crate::api::sync::pull,
        crate::api::cases::queue,
        crate::api::cases::detail,
        crate::api::cases::post_event,
        crate::api::reminders::list,
        crate::api::reminders::set_texts,
        crate::api::reminders::supervise,
        crate::api::photos::start,
        crate::api::photos::chunk,
        crate::api::photos::download,
        crate::api::photos::status,
        crate::api::photos::thumbnail,
    ),
    components(schemas(
        zaofaxian_shared::Lang,
        zaofaxian_shared::DivisionCode,
        zaofaxian_shared::report::HardshipReport,
        zaofaxian_shared::sync::CaseEventBody,
    )),
    modifiers(&SecuritySchemes, &StepVariants),
    tags(
        (name = "public", description = "无需登录 / no sign-in"),
        (name = "auth", description = "登录与会话 / sign-in and sessions"),
        (name = "sync", description = "手机同步 / the phones' sync"),
        (name = "cases", description = "核实队列与案件 / the queue and cases"),
        (name = "photos", description = "照片（可续传）/ photos, resumable"),
    )
)]
pub struct ApiDoc;

/// The document as served.
pub fn document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

#[cfg(test)]
mod tests {
    use super::*;
    use zaofaxian_shared::report::HardshipReport;
    use zaofaxian_shared::sync::EventRequest;
    use zaofaxian_shared::wire::{CodeRequest, LoginRequest};

    /// The example a component schema carries, as JSON.
    fn example(doc: &serde_json::Value, name: &str) -> serde_json::Value {
        let s = &doc["components"]["schemas"][name];
        s.get("example")
            .or_else(|| s["examples"].get(0))
            .cloned()
            .unwrap_or_else(|| panic!("{name} has no example"))
    }

    /// The queue's `after=` is said with the core's own pattern.
    #[test]
    fn the_queue_cursor_pattern_is_the_cores() {
        let doc = serde_json::to_value(document()).unwrap();
        let params = doc["paths"]["/api/v1/queue"]["get"]["parameters"].as_array().unwrap();
        let after = params.iter().find(|p| p["name"] == "after").unwrap();
        assert_eq!(
            after["schema"]["pattern"],
            zaofaxian_shared::wire::QueueCursor::PATTERN,
            "{after}"
        );
    }

    /// The Chinese examples an integrator copies are read by the very types they
    /// describe, and the report passes the server's own checks.
    #[test]
    fn every_example_is_accepted_by_its_type() {
        let doc = serde_json::to_value(document()).unwrap();
        let report: HardshipReport = serde_json::from_value(example(&doc, "HardshipReport")).unwrap();
        let on = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
        report.validate(on).unwrap();
        assert!(report.description.contains("住院"));
        let _: EventRequest = serde_json::from_value(example(&doc, "EventRequest")).unwrap();
        let _: LoginRequest = serde_json::from_value(example(&doc, "LoginRequest")).unwrap();
        let _: CodeRequest = serde_json::from_value(example(&doc, "CodeRequest")).unwrap();
        let _: ErrorBody = serde_json::from_value(example(&doc, "ErrorBody")).unwrap();
    }

    /// Each step (and each value of a refusal field) is in exactly one variant of a
    /// step's request, and the variants say what the core requires: a reason for a step
    /// that cannot be undone or refuses the household, a home visit only with a
    /// verification or an elimination home check.
    #[test]
    fn a_steps_request_says_what_each_kind_of_step_needs() {
        use zaofaxian_shared::Event;
        use zaofaxian_shared::lifecycle::Decision;
        let doc = serde_json::to_value(document()).unwrap();
        let schemas = &doc["components"]["schemas"];
        let variants = schemas["EventRequest"]["oneOf"].as_array().unwrap();
        assert_eq!(variants.len(), 4);
        let matches = |schema: &serde_json::Value, event: &serde_json::Value| {
            schema["properties"]
                .as_object()
                .unwrap()
                .iter()
                .all(|(k, p)| match p["enum"].as_array() {
                    Some(values) => values.contains(&event[k]),
                    None => true,
                })
        };
        let events = [
            Event::RecordVerification { at_risk: true },
            Event::RecordVerification { at_risk: false },
            Event::RecordAppraisal {
                approved: false,
                assembly_review: false,
            },
            Event::ResolveObjection { upheld: true },
            Event::ResolveObjection { upheld: false },
            Event::TownshipReview {
                decision: Decision::Reject,
            },
            Event::TownshipReview {
                decision: Decision::Return,
            },
            Event::CountyDetermination {
                decision: Decision::Reject,
                department_checks_done: true,
            },
            Event::StartElimination { consent: true },
            Event::Clear,
            Event::HouseholdDissolved,
            Event::Reinstate,
            Event::RecordAssistance,
        ];
        for event in events {
            let json = serde_json::to_value(&event).unwrap();
            let holders: Vec<_> = variants
                .iter()
                .filter(|v| {
                    let group = v["properties"]["event"]["$ref"].as_str().unwrap();
                    let group = &schemas[group.trim_start_matches("#/components/schemas/")];
                    group["oneOf"].as_array().unwrap().iter().any(|e| matches(e, &json))
                })
                .collect();
            assert_eq!(holders.len(), 1, "{event:?}");
            let v = holders[0];
            let needs_note = v["required"].as_array().unwrap().contains(&"note".into());
            assert_eq!(needs_note, event.needs_reason(), "{event:?}");
            assert_eq!(
                v["properties"]["visit"]["type"] == "null",
                !event.kind().takes_visit(),
                "{event:?}"
            );
        }
    }

    /// Every error answer of every operation is the one error shape.
    #[test]
    fn every_refusal_is_an_error_body() {
        let doc = serde_json::to_value(document()).unwrap();
        let mut refusals = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, op) in item.as_object().unwrap() {
                for (status, answer) in op["responses"].as_object().unwrap() {
                    if status.starts_with('4') || status.starts_with('5') {
                        let schema = &answer["content"]["application/json"]["schema"]["$ref"];
                        assert_eq!(schema, "#/components/schemas/ErrorBody", "{method} {path} {status}");
                        refusals += 1;
                    }
                }
            }
        }
        assert!(refusals > 40, "{refusals}");
    }
}
