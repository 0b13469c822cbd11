//! Texting one-time codes through Tencent Cloud SMS (短信 SendSms, API 3.0), signed with
//! TC3-HMAC-SHA256 as the provider documents it. The signing is a pure function,
//! checked against the provider's published example; the sender posts one request per
//! code and reports the provider's refusal in words. Keys never reach a log.

use crate::auth::{CodeSender, SendError};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use zaofaxian_shared::PhoneNumber;
use zaofaxian_shared::text_messages::{TextKind, TextMessage};

/// The notice templates' ids from `digest=1234567,report_due=…`: every template, each
/// once, or an error naming what is wrong.
pub fn notice_templates(list: &str) -> Result<std::collections::HashMap<TextKind, String>, String> {
    let mut ids = std::collections::HashMap::new();
    let mut wrong = Vec::new();
    for item in list.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item
            .split_once('=')
            .map(|(k, v)| (TextKind::from_name(k.trim()), v.trim()))
        {
            Some((Some(kind), id)) if !id.is_empty() && !ids.contains_key(&kind) => {
                ids.insert(kind, id.to_string());
            }
            _ => wrong.push(item.to_string()),
        }
    }
    let missing: Vec<&str> = TextKind::ALL
        .into_iter()
        .filter(|k| !ids.contains_key(k))
        .map(TextKind::name)
        .collect();
    if wrong.is_empty() && missing.is_empty() {
        return Ok(ids);
    }
    Err(format!(
        "ZAOFAXIAN_SMS_NOTICE_TEMPLATES 有误 / is wrong: 无法识别 / not understood: [{}]; 缺少 / missing: [{}]",
        wrong.join(", "),
        missing.join(", ")
    ))
}

/// The provider's API host and the SMS service's name in signatures.
pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com";
const SERVICE: &str = "sms";
const ACTION: &str = "SendSms";
const VERSION: &str = "2021-01-11";
const CONTENT_TYPE: &str = "application/json; charset=utf-8";

fn hmac_sha256(key: &[u8], msg: &str) -> Vec<u8> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(msg.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// What a TC3 signature covers.
#[derive(Debug, Clone, Copy)]
pub struct SignInput<'a> {
    pub secret_id: &'a str,
    pub secret_key: &'a str,
    pub service: &'a str,
    pub host: &'a str,
    /// Unix seconds (also the `X-TC-Timestamp` header); the credential date is its UTC day.
    pub timestamp: i64,
    pub payload: &'a str,
}

/// The `Authorization` header of a JSON POST, by the provider's four steps: the
/// canonical request (method, URI "/", empty query, `content-type` and `host`, the
/// payload's SHA-256), the string to sign, the derived key (TC3+key → date → service →
/// "tc3_request") and the header itself.
pub fn tc3_authorization(i: &SignInput<'_>) -> String {
    let date = chrono::DateTime::from_timestamp(i.timestamp, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let signed_headers = "content-type;host";
    let canonical_request = format!(
        "POST\n/\n\ncontent-type:{CONTENT_TYPE}\nhost:{}\n\n{signed_headers}\n{}",
        i.host,
        sha256_hex(i.payload)
    );
    let scope = format!("{date}/{}/tc3_request", i.service);
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{}\n{scope}\n{}",
        i.timestamp,
        sha256_hex(&canonical_request)
    );
    let secret_date = hmac_sha256(format!("TC3{}", i.secret_key).as_bytes(), &date);
    let secret_service = hmac_sha256(&secret_date, i.service);
    let secret_signing = hmac_sha256(&secret_service, "tc3_request");
    let signature = hex::encode(hmac_sha256(&secret_signing, &string_to_sign));
    format!(
        "TC3-HMAC-SHA256 Credential={}/{scope}, SignedHeaders={signed_headers}, Signature={signature}",
        i.secret_id
    )
}

/// Tencent Cloud SMS settings (`ZAOFAXIAN_SMS=tencent` and the `ZAOFAXIAN_SMS_*` variables).
#[derive(Clone)]
pub struct TencentSms {
    pub endpoint: String,
    pub region: String,
    pub secret_id: String,
    secret_key: String,
    /// 短信应用 SdkAppId, the approved signature (签名) and the code template's id.
    pub sdk_app_id: String,
    pub sign_name: String,
    pub template_id: String,
    /// The id of each notice template (reminders, a household's stage; see
    /// `zaofaxian_shared::text_messages`). Empty: no notice is sent (codes still are).
    pub notice_templates: std::collections::HashMap<TextKind, String>,
    http: reqwest::Client,
}

/// The key is never printed, not even in debug output.
impl std::fmt::Debug for TencentSms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TencentSms")
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &"********")
            .field("sdk_app_id", &self.sdk_app_id)
            .field("sign_name", &self.sign_name)
            .field("template_id", &self.template_id)
            .field("notice_templates", &self.notice_templates)
            .finish()
    }
}

impl TencentSms {
    /// From the environment (`get`): every setting required but the endpoint and region.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<TencentSms, String> {
        let need = |k: &str| {
            get(k)
                .filter(|v| !v.trim().is_empty())
                .ok_or_else(|| format!("缺少 {k} / {k} is not set"))
        };
        let endpoint = get("ZAOFAXIAN_SMS_ENDPOINT").unwrap_or_else(|| DEFAULT_ENDPOINT.to_string());
        let roots = rustls::RootCertStore {
            roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        };
        let tls =
            rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(rustls::crypto::ring::default_provider()))
                .with_safe_default_protocol_versions()
                .map_err(|e| e.to_string())?
                .with_root_certificates(roots)
                .with_no_client_auth();
        let http = reqwest::Client::builder()
            .use_preconfigured_tls(tls)
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(TencentSms {
            endpoint: endpoint.trim_end_matches('/').to_string(),
            region: get("ZAOFAXIAN_SMS_REGION").unwrap_or_else(|| "ap-guangzhou".into()),
            secret_id: need("ZAOFAXIAN_SMS_SECRET_ID")?,
            secret_key: need("ZAOFAXIAN_SMS_SECRET_KEY")?,
            sdk_app_id: need("ZAOFAXIAN_SMS_APP_ID")?,
            sign_name: need("ZAOFAXIAN_SMS_SIGN")?,
            template_id: need("ZAOFAXIAN_SMS_TEMPLATE")?,
            notice_templates: match get("ZAOFAXIAN_SMS_NOTICE_TEMPLATES").filter(|v| !v.trim().is_empty()) {
                Some(list) => notice_templates(&list)?,
                None => std::collections::HashMap::new(),
            },
            http,
        })
    }

    fn host(&self) -> &str {
        let rest = self
            .endpoint
            .split_once("://")
            .map_or(self.endpoint.as_str(), |(_, r)| r);
        rest.split('/').next().unwrap_or(rest)
    }
}

#[async_trait::async_trait]
impl CodeSender for TencentSms {
    async fn send(&self, phone: &PhoneNumber, code: &str) -> Result<(), SendError> {
        self.send_template(phone, &self.template_id, &[code]).await
    }
}

#[async_trait::async_trait]
impl crate::texts::TextSender for TencentSms {
    async fn send_text(&self, phone: &PhoneNumber, text: &TextMessage) -> Result<(), SendError> {
        let Some(template) = self.notice_templates.get(&text.kind) else {
            return Err(SendError(format!("no template for {}", text.kind.name())));
        };
        let params: Vec<&str> = text.params.iter().map(String::as_str).collect();
        self.send_template(phone, template, &params).await
    }

    fn configured(&self) -> bool {
        !self.notice_templates.is_empty()
    }
}

impl TencentSms {
    /// Sends one templated message (SendSms) and reports the provider's refusal.
    async fn send_template(&self, phone: &PhoneNumber, template: &str, params: &[&str]) -> Result<(), SendError> {
        let payload = serde_json::json!({
            "PhoneNumberSet": [format!("+86{}", phone.as_str())],
            "SmsSdkAppId": self.sdk_app_id,
            "SignName": self.sign_name,
            "TemplateId": template,
            "TemplateParamSet": params,
        })
        .to_string();
        let timestamp = chrono::Utc::now().timestamp();
        let authorization = tc3_authorization(&SignInput {
            secret_id: &self.secret_id,
            secret_key: &self.secret_key,
            service: SERVICE,
            host: self.host(),
            timestamp,
            payload: &payload,
        });
        let answer = self
            .http
            .post(format!("{}/", self.endpoint))
            .header("Authorization", authorization)
            .header("Content-Type", CONTENT_TYPE)
            .header("Host", self.host())
            .header("X-TC-Action", ACTION)
            .header("X-TC-Version", VERSION)
            .header("X-TC-Timestamp", timestamp.to_string())
            .header("X-TC-Region", &self.region)
            .body(payload)
            .send()
            .await
            .map_err(|e| SendError(format!("短信服务无法连接 / the SMS service cannot be reached: {e}")))?;
        let body: serde_json::Value = answer
            .json()
            .await
            .map_err(|e| SendError(format!("短信服务答复无法识别 / unreadable answer: {e}")))?;
        let response = &body["Response"];
        if let Some(err) = response.get("Error") {
            return Err(SendError(format!(
                "短信服务拒绝 / refused by the SMS service: {} {}",
                err["Code"].as_str().unwrap_or("?"),
                err["Message"].as_str().unwrap_or("")
            )));
        }
        match response["SendStatusSet"][0]["Code"].as_str() {
            Some("Ok") => Ok(()),
            other => Err(SendError(format!(
                "短信未发出 / not sent: {} {}",
                other.unwrap_or("?"),
                response["SendStatusSet"][0]["Message"].as_str().unwrap_or("")
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The provider's own worked example (Signature v3, CVM DescribeInstances): the
    /// published payload, timestamp and example keys give the published signature.
    #[test]
    fn the_providers_published_example_signs_the_same() {
        let payload = r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
        assert_eq!(
            sha256_hex(payload),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let auth = tc3_authorization(&SignInput {
            secret_id: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
            secret_key: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
            service: "cvm",
            host: "cvm.tencentcloudapi.com",
            timestamp: 1_551_113_065,
            payload,
        });
        assert_eq!(
            auth,
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    #[test]
    fn the_key_is_never_printed() {
        let get = |k: &str| (k != "ZAOFAXIAN_SMS_NOTICE_TEMPLATES").then(|| format!("value-of-{k}"));
        let s = TencentSms::from_env(get).unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("value-of-ZAOFAXIAN_SMS_SECRET_KEY"), "{shown}");
        assert!(shown.contains("value-of-ZAOFAXIAN_SMS_SECRET_ID"));
        let missing = TencentSms::from_env(|k| (k != "ZAOFAXIAN_SMS_TEMPLATE").then(|| "x".to_string())).unwrap_err();
        assert!(missing.contains("ZAOFAXIAN_SMS_TEMPLATE"), "{missing}");
    }
}
