//! API errors: every 4xx carries a stable machine code and a message in Chinese and
//! English; a 500 says nothing about the inside (the log has the detail).

use crate::store::StoreError;
use axum::Json;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use zaofaxian_shared::Text;

#[derive(Debug, Serialize)]
pub struct ApiError {
    pub code: String,
    pub message: Text,
    /// The input field at fault, when one is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip)]
    pub status: StatusCode,
    #[serde(skip)]
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        ApiError {
            code: code.into(),
            message: Text::new(zh, en),
            field: None,
            status,
            retry_after: None,
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> Self {
        self.field = Some(field.into());
        self
    }

    pub fn unauthenticated() -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录", "sign in first")
    }

    pub fn forbidden() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "无权访问该地区或案件",
            "not allowed for this area or case",
        )
    }

    pub fn not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "未找到", "not found")
    }

    pub fn bad_request(code: &str, zh: impl Into<String>, en: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, zh, en)
    }

    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "服务器内部错误，请稍后重试",
            "internal error, please retry later",
        )
    }

    /// What the client reads (without the status, which travels as HTTP's).
    pub fn body(&self) -> zaofaxian_shared::wire::ErrorBody {
        zaofaxian_shared::wire::ErrorBody {
            code: self.code.clone(),
            message: self.message.clone(),
            field: self.field.clone(),
        }
    }

    /// A bilingual "中文 / English" message split in two.
    pub fn from_pair(status: StatusCode, code: &str, pair: &str) -> Self {
        let t = Text::from_pair(pair);
        Self::new(status, code, t.zh, t.en)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry = self.retry_after;
        let mut resp = (self.status, Json(self)).into_response();
        if let Some(secs) = retry
            && let Ok(v) = HeaderValue::from_str(&secs.to_string())
        {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        resp
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Stale => Self::new(
                StatusCode::CONFLICT,
                "stale_version",
                "案件已被他人更新，请刷新后重试",
                "the case changed since you read it: refresh and retry",
            ),
            StoreError::NotFound => Self::not_found(),
            StoreError::SeqReused => Self::bad_request(
                "seq_reused",
                "设备序号已用于另一条记录",
                "this device sequence number was already used for another record",
            ),
            // Callers that pass limits answer which one ran out; this is the fallback.
            StoreError::Limited { wait_ms, .. } => {
                let mut e = Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "次数已达上限，请稍后再试",
                    "limit reached: try again later",
                );
                e.retry_after = Some(wait_ms);
                e
            }
            StoreError::Conflict(what) => Self::new(
                StatusCode::CONFLICT,
                "exists",
                format!("已存在：{what}"),
                format!("already exists: {what}"),
            ),
            other => {
                tracing::error!(error = %other, "store failure");
                Self::internal()
            }
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        match r {
            JsonRejection::JsonSyntaxError(e) => Self::bad_request(
                "bad_json",
                format!("JSON格式错误：{}", e.body_text()),
                format!("malformed JSON: {}", e.body_text()),
            ),
            JsonRejection::MissingJsonContentType(_) => Self::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "content_type",
                "请求须为 application/json",
                "the request must be application/json",
            ),
            JsonRejection::BytesRejection(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => too_large(),
            other => Self::bad_request(
                "bad_body",
                format!("请求体无效：{other}"),
                format!("invalid body: {other}"),
            ),
        }
    }
}

/// A field the server cannot read (`path` as `records[0].seq`, or `.` for the whole
/// body), with serde's reason: the API's JSON bodies and each pushed record.
pub fn invalid_field(path: &str, why: &str) -> ApiError {
    let err = ApiError::bad_request(
        "invalid_field",
        format!("字段无效：{path}: {why}"),
        format!("invalid field: {path}: {why}"),
    );
    if path == "." { err } else { err.with_field(path) }
}

pub fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        "请求过大：单次同步不超过1 MB，照片请分块上传",
        "request too large: at most 1 MB per sync; upload photos in chunks",
    )
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        Self::bad_request(
            "bad_query",
            format!("查询参数无效：{}", r.body_text()),
            format!("invalid query: {}", r.body_text()),
        )
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
