//! The OpenAPI 3.1 description of the API, served at `/api/v1/openapi.json`.
//! Written by hand (the API is small); a test checks that every path it lists is
//! routed.

use serde_json::{Value, json};

fn op(summary: &str, auth: bool, body: Option<Value>, ok: &str) -> Value {
    let mut o = json!({
        "summary": summary,
        "responses": {
            ok: { "description": "OK" },
            "400": { "$ref": "#/components/responses/Error" },
            "401": { "$ref": "#/components/responses/Error" },
            "403": { "$ref": "#/components/responses/Error" },
            "404": { "$ref": "#/components/responses/Error" },
            "413": { "$ref": "#/components/responses/Error" },
            "422": { "$ref": "#/components/responses/Error" },
            "429": { "$ref": "#/components/responses/Error" },
        }
    });
    if auth {
        o["security"] = json!([{ "bearer": [] }]);
    } else {
        o["security"] = json!([]);
    }
    if let Some(schema) = body {
        o["requestBody"] = json!({ "required": true, "content": { "application/json": { "schema": schema } } });
    }
    o
}

fn obj(required: &[&str], props: Value) -> Value {
    json!({ "type": "object", "required": required, "properties": props })
}

pub fn document() -> Value {
    let sha = json!({ "type": "string", "pattern": "^[0-9a-f]{64}$" });
    let report = obj(
        &["village", "household_name", "hardship", "happened_on"],
        json!({
            "village": { "type": "string", "pattern": "^[0-9]{12}$", "description": "村级区划代码" },
            "household_name": { "type": "string", "maxLength": 50 },
            "phone": { "type": "string" },
            "national_id": { "type": "string", "description": "GB 11643, masked in lists" },
            "hardship": { "enum": ["illness", "disability", "disaster", "accident", "school_costs", "job_loss", "income_drop", "other"] },
            "happened_on": { "type": "string", "format": "date" },
            "amount": { "type": "integer", "description": "fen" },
            "description": { "type": "string", "maxLength": 2000 },
            "on_behalf": { "type": "boolean", "description": "代为申报" },
            "photos": { "type": "array", "maxItems": 20, "items": sha },
        }),
    );
    let event = obj(
        &["expected_version", "event"],
        json!({
            "expected_version": { "type": "integer", "description": "409 when the case moved on" },
            "event": { "type": "object", "description": "A lifecycle event, tagged by `event` (record_verification, sign_application, record_appraisal, raise_objection, resolve_objection, close_notice, township_review, county_determination, close_second_notice, record_assistance, record_yearly_assessment, start_elimination, rollback, remark, clear, population_change, household_dissolved, withdraw)" },
            "location": obj(&["lat", "lon"], json!({ "lat": { "type": "number" }, "lon": { "type": "number" }, "accuracy_m": { "type": "number" } })),
            "note": { "type": "string" },
            "photos": { "type": "array", "items": sha },
        }),
    );
    let push = obj(
        &["device_id", "records"],
        json!({
            "device_id": { "type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$" },
            "records": { "type": "array", "maxItems": 200, "items": obj(&["id", "seq", "kind", "body"], json!({
                "id": { "type": "string", "format": "uuid", "description": "UUIDv7, the idempotency key" },
                "seq": { "type": "integer", "description": "gap-free per device" },
                "kind": { "enum": ["report", "case_event"] },
                "body": { "oneOf": [report, event] },
            })) },
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "早发现 Zaofaxian API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "防止返贫动态监测和帮扶: reports, sync, the verification queue, case lifecycle and photos. Every 4xx body is an Error with a machine code and a message in Chinese and English.",
        },
        "paths": {
            "/health": { "get": op("Health", false, None, "200") },
            "/api/v1/openapi.json": { "get": op("This document", false, None, "200") },
            "/api/v1/calendar/deadline": { "get": op("Working-day deadline (from, working_days); `provisional` when it runs into a year whose holiday schedule is not loaded", false, None, "200") },
            "/api/v1/reference": { "get": op("Loaded holiday years and thresholds (ETag: the version; 304 when unchanged)", false, None, "200") },
            "/api/v1/auth/login": { "post": op("Staff sign-in (rate-limited)", false, Some(obj(&["login", "password"], json!({ "login": { "type": "string" }, "password": { "type": "string" } }))), "200") },
            "/api/v1/auth/otp": { "post": op("Send a one-time code to a household's phone", false, Some(obj(&["phone"], json!({ "phone": { "type": "string" } }))), "202") },
            "/api/v1/auth/otp/verify": { "post": op("Household sign-in with the code; a retry with the same `attempt` (32–128 letters or digits) gets the same session", false, Some(obj(&["phone", "code"], json!({ "phone": { "type": "string" }, "code": { "type": "string" }, "attempt": { "type": "string" } }))), "200") },
            "/api/v1/me": { "get": op("The signed-in account", true, None, "200") },
            "/api/v1/auth/logout": { "post": op("Sign this session out", true, None, "204") },
            "/api/v1/me/devices": { "get": op("Where this account is signed in", true, None, "200") },
            "/api/v1/me/devices/sign-out-others": { "post": op("Sign out every other device of this account", true, None, "200") },
            "/api/v1/sync/push": { "post": op("Idempotent push of a device's records; replays get the first answer", true, Some(push), "200") },
            "/api/v1/sync/pull": { "get": op("Cases of the caller's area changed after `cursor`", true, None, "200") },
            "/api/v1/queue": { "get": op("Open cases with deadlines, overdue first (staff; `division`, `stage`, `lang`)", true, None, "200") },
            "/api/v1/cases/{id}": { "get": op("A case with its hash-chained history", true, None, "200") },
            "/api/v1/cases/{id}/events": { "post": op("Apply a lifecycle step (409 on a stale version)", true, Some(event), "200") },
            "/api/v1/photos": { "post": op("Register a photo upload by SHA-256 and size (resumable)", true, Some(obj(&["sha256", "size"], json!({ "sha256": sha, "size": { "type": "integer" } }))), "200") },
            "/api/v1/photos/{sha}": {
                "patch": op("Send a chunk at `offset` (application/octet-stream, ≤1 MiB); 409 with the right offset", true, None, "200"),
                "get": op("The photo (JPEG), for those who may see its case", true, None, "200"),
            },
            "/api/v1/photos/{sha}/status": { "get": op("Bytes received so far", true, None, "200") },
            "/api/v1/photos/{sha}/thumbnail": { "get": op("320 px thumbnail", true, None, "200") },
        },
        "components": {
            "securitySchemes": { "bearer": { "type": "http", "scheme": "bearer" } },
            "schemas": {
                "Error": obj(&["code", "message"], json!({
                    "code": { "type": "string" },
                    "message": obj(&["zh", "en"], json!({ "zh": { "type": "string" }, "en": { "type": "string" } })),
                    "field": { "type": "string" },
                })),
            },
            "responses": {
                "Error": { "description": "A refusal with its reason", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        },
    })
}
