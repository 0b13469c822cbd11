//! The village notice-board poster (村务公开栏): a QR code that opens the field app
//! with the village preset, so a household scans it with the phone's camera or WeChat
//! and reports without typing a village code, plus the helpline for those who cannot.

use super::{Staff, api_error_page, error_page, layout, tr};
use crate::state::AppState;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use maud::{PreEscaped, html};
use zaofaxian_shared::{DivisionCode, DivisionLevel};

#[derive(Debug, serde::Deserialize)]
pub struct PosterQuery {
    #[serde(default)]
    village: Option<String>,
}

/// Where phones reach this server: `ZAOFAXIAN_PUBLIC_URL` when set, else the address
/// this page was asked on (the scheme from the county's proxy when there is one).
pub fn public_base(state: &AppState, headers: &HeaderMap, uri: &axum::http::Uri) -> String {
    if let Some(url) = &state.public_url {
        return url.trim_end_matches('/').to_string();
    }
    let host = super::asked_host(headers, uri).unwrap_or("127.0.0.1:8080");
    // HTTP/2 names its scheme; a proxy in front says it in X-Forwarded-Proto.
    let https = uri.scheme_str() == Some("https")
        || headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|p| p.eq_ignore_ascii_case("https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}

/// The link a village's poster encodes: the village's code, and its name so the app
/// can say where a report goes before the phone has ever reached the server.
pub fn app_link(base: &str, village: DivisionCode, name: &str) -> String {
    let query = form_urlencoded::Serializer::new(String::new())
        .append_pair("village", &village.to_string())
        .append_pair("name", name)
        .finish();
    format!("{base}/app/?{query}")
}

pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(320, 320)
            .quiet_zone(true)
            .build(),
    )
}

pub async fn poster(
    State(state): State<AppState>,
    staff: Staff,
    headers: HeaderMap,
    uri: axum::http::Uri,
    Query(q): Query<PosterQuery>,
) -> Response {
    let l = staff.lang;
    let Some(asked) = q.village.as_deref().map(str::trim).filter(|v| !v.is_empty()) else {
        let body = html! {
            h2 { (tr(l, "打印村务公开栏申报二维码", "Print a village's report poster")) }
            form method="get" action="/console/poster" {
                label { (tr(l, "村（社区）代码（12位）", "Village code (12 digits)")) " "
                    input name="village" inputmode="numeric" maxlength="12" required; }
                " " button type="submit" { (tr(l, "生成", "Make")) }
            }
        };
        return layout("二维码", Some(&staff), body).into_response();
    };
    let village: DivisionCode = match asked.parse() {
        Ok(v) if DivisionCode::level(v) == DivisionLevel::Village => v,
        _ => {
            return error_page(
                StatusCode::BAD_REQUEST,
                "应为12位村（社区）代码 / a 12-digit village code is expected",
            );
        }
    };
    if let Err(e) = crate::board::area_for(&staff.caller(), Some(village)) {
        return api_error_page(e);
    }
    let name = super::division_name(&state, village).await;
    let base = public_base(&state, &headers, &uri);
    let link = app_link(&base, village, &name);
    let Some(svg) = qr_svg(&link) else {
        return error_page(StatusCode::INTERNAL_SERVER_ERROR, "二维码生成失败 / the QR code failed");
    };
    let body = html! {
        div.poster style="text-align:center" {
            h1 style="font-size:40px" { "防止返贫 · 困难早申报" }
            p style="font-size:26px" { (name) }
            div.qr { (PreEscaped(svg)) }
            p style="font-size:26px" { "家里遇到大病、灾害、意外、失业、上学等困难，收入明显下降的，" br; "请用手机扫码申报（微信或浏览器扫一扫）。" }
            p style="font-size:22px" { "不会用手机的，可以请家人、邻居或村干部代为申报，也可以到村委会当面申报。" }
            p style="font-size:22px" { "咨询和反映问题：" (zaofaxian_shared::household_words::HELPLINE) }
            p.link style="font-size:16px;word-break:break-all" { (link) }
        }
        @if !base.starts_with("https://") {
            p.noprint.flash.error {
                (tr(l, "注意：此地址不是HTTPS，手机浏览器将不允许定位和离线使用。请配置HTTPS（见README）或设置 ZAOFAXIAN_PUBLIC_URL。",
                    "Note: this address is not HTTPS, so phones' browsers will refuse location and offline use. Set up HTTPS (see the README) or set ZAOFAXIAN_PUBLIC_URL."))
            }
        }
        p.noprint.muted { (tr(l, "打印：使用浏览器的“打印”（Ctrl+P），A4纸张。", "Print with the browser (Ctrl+P), A4.")) }
    };
    layout("申报二维码", Some(&staff), body).into_response()
}
