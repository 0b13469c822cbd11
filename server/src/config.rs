//! Configuration: built-in defaults, then a TOML file, then environment variables.

use serde::Deserialize;
use std::net::SocketAddr;
use std::path::Path;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub addr: SocketAddr,
    /// `sqlite://path` (the embedded default) or `postgres://…`.
    pub database_url: String,
    /// Database connections this process keeps (`ZAOFAXIAN_DATABASE_POOL`); none:
    /// the store's default for its backend (see `SqlStore::connect_with`).
    pub database_pool: Option<u32>,
    /// Photo files (and nothing else unless the database URL points here too).
    pub photo_dir: std::path::PathBuf,
    /// A bucket of S3-compatible storage for the photo files instead of `photo_dir`
    /// (`ZAOFAXIAN_PHOTO_BUCKET`; reached through the standard `AWS_*` variables), for
    /// several server processes.
    pub photo_bucket: Option<String>,
    /// The built field app for browsers (scripts/build-web.sh), served at `/app/`.
    pub web_app_dir: std::path::PathBuf,
    /// Where `/metrics` is served for Prometheus (`ZAOFAXIAN_METRICS_ADDR`); none: off.
    /// An address only operators reach (loopback or a private network): no sign-in.
    pub metrics_addr: Option<SocketAddr>,
    /// HTTPS: a PEM certificate chain and its private key. Browsers give the app GPS
    /// and offline start only on HTTPS (or on localhost).
    pub tls: Option<TlsFiles>,
    /// Text messages for household sign-in codes (see `crate::sms`).
    pub sms: SmsSettings,
}

/// The `[sms]` section; each key's `ZAOFAXIAN_SMS*` variable overrides it.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsSettings {
    /// `tencent`, or `log` (trials only: codes in the log); none: code sign-in off.
    pub provider: Option<String>,
    pub secret_id: Option<String>,
    pub secret_key: Option<String>,
    pub app_id: Option<String>,
    pub sign: Option<String>,
    pub template: Option<String>,
    /// The ids of the reminder and household notice templates:
    /// `digest=1234567,digest_below=…` (every name in `zaofaxian_shared::text_messages`).
    pub notice_templates: Option<String>,
    pub region: Option<String>,
    pub endpoint: Option<String>,
}

impl SmsSettings {
    /// The variable each key answers to.
    const VARS: [&'static str; 9] = [
        "ZAOFAXIAN_SMS",
        "ZAOFAXIAN_SMS_SECRET_ID",
        "ZAOFAXIAN_SMS_SECRET_KEY",
        "ZAOFAXIAN_SMS_APP_ID",
        "ZAOFAXIAN_SMS_SIGN",
        "ZAOFAXIAN_SMS_TEMPLATE",
        "ZAOFAXIAN_SMS_NOTICE_TEMPLATES",
        "ZAOFAXIAN_SMS_REGION",
        "ZAOFAXIAN_SMS_ENDPOINT",
    ];

    fn slot(&mut self, var: &str) -> Option<&mut Option<String>> {
        Some(match var {
            "ZAOFAXIAN_SMS" => &mut self.provider,
            "ZAOFAXIAN_SMS_SECRET_ID" => &mut self.secret_id,
            "ZAOFAXIAN_SMS_SECRET_KEY" => &mut self.secret_key,
            "ZAOFAXIAN_SMS_APP_ID" => &mut self.app_id,
            "ZAOFAXIAN_SMS_SIGN" => &mut self.sign,
            "ZAOFAXIAN_SMS_TEMPLATE" => &mut self.template,
            "ZAOFAXIAN_SMS_NOTICE_TEMPLATES" => &mut self.notice_templates,
            "ZAOFAXIAN_SMS_REGION" => &mut self.region,
            "ZAOFAXIAN_SMS_ENDPOINT" => &mut self.endpoint,
            _ => return None,
        })
    }

    /// A setting by its variable's name.
    pub fn get(&self, var: &str) -> Option<String> {
        self.clone().slot(var).and_then(|v| v.take())
    }
}

/// The key is never printed, not even in debug output.
impl std::fmt::Debug for SmsSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsSettings")
            .field("provider", &self.provider)
            .field("secret_id", &self.secret_id)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "********"))
            .field("app_id", &self.app_id)
            .field("sign", &self.sign)
            .field("template", &self.template)
            .field("notice_templates", &self.notice_templates)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .finish()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            addr: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: "sqlite://zaofaxian-data/zaofaxian.sqlite".into(),
            database_pool: None,
            photo_dir: "zaofaxian-data/photos".into(),
            photo_bucket: None,
            web_app_dir: "web-app".into(),
            metrics_addr: None,
            tls: None,
            sms: SmsSettings::default(),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    addr: Option<SocketAddr>,
    database_url: Option<String>,
    database_pool: Option<u32>,
    photo_dir: Option<std::path::PathBuf>,
    photo_bucket: Option<String>,
    web_app_dir: Option<std::path::PathBuf>,
    metrics_addr: Option<SocketAddr>,
    tls: Option<TlsFiles>,
    sms: Option<SmsSettings>,
}

impl Config {
    /// `file` (or `ZAOFAXIAN_CONFIG`) may be absent; `ZAOFAXIAN_ADDR` and
    /// `ZAOFAXIAN_DATABASE_URL` override what it says.
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> Result<Config, String> {
        let mut c = Config::default();
        let path = file
            .map(Path::to_path_buf)
            .or_else(|| env("ZAOFAXIAN_CONFIG").map(Into::into));
        if let Some(path) = path {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("无法读取配置文件 {0} / cannot read config {0}: {e}", path.display()))?;
            let f: FileConfig =
                toml::from_str(&text).map_err(|e| format!("配置文件有误 / bad config {}: {e}", path.display()))?;
            c.addr = f.addr.unwrap_or(c.addr);
            c.database_url = f.database_url.unwrap_or(c.database_url);
            c.database_pool = f.database_pool.or(c.database_pool);
            c.photo_dir = f.photo_dir.unwrap_or(c.photo_dir);
            c.photo_bucket = f.photo_bucket.or(c.photo_bucket);
            c.web_app_dir = f.web_app_dir.unwrap_or(c.web_app_dir);
            c.metrics_addr = f.metrics_addr.or(c.metrics_addr);
            c.tls = f.tls.or(c.tls);
            c.sms = f.sms.unwrap_or_default();
        }
        for var in SmsSettings::VARS {
            if let (Some(v), Some(slot)) = (env(var), c.sms.slot(var)) {
                *slot = Some(v);
            }
        }
        if let Some(a) = env("ZAOFAXIAN_ADDR") {
            c.addr = a
                .parse()
                .map_err(|_| format!("ZAOFAXIAN_ADDR 不是地址 / not an address: {a}"))?;
        }
        if let Some(a) = env("ZAOFAXIAN_METRICS_ADDR").filter(|a| !a.trim().is_empty()) {
            c.metrics_addr = Some(
                a.parse()
                    .map_err(|_| format!("ZAOFAXIAN_METRICS_ADDR 不是地址 / not an address: {a}"))?,
            );
        }
        if let Some(u) = env("ZAOFAXIAN_DATABASE_URL") {
            c.database_url = u;
        }
        if let Some(n) = env("ZAOFAXIAN_DATABASE_POOL").filter(|n| !n.trim().is_empty()) {
            c.database_pool = Some(
                n.trim()
                    .parse()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| format!("ZAOFAXIAN_DATABASE_POOL 应为 1–1000 / must be 1 to 1000: {n}"))?,
            );
        }
        if let Some(d) = env("ZAOFAXIAN_PHOTO_DIR") {
            c.photo_dir = d.into();
        }
        if let Some(b) = env("ZAOFAXIAN_PHOTO_BUCKET").filter(|b| !b.trim().is_empty()) {
            c.photo_bucket = Some(b);
        }
        if let Some(d) = env("ZAOFAXIAN_WEB_APP_DIR") {
            c.web_app_dir = d.into();
        }
        match (env("ZAOFAXIAN_TLS_CERT"), env("ZAOFAXIAN_TLS_KEY")) {
            (Some(cert), Some(key)) => {
                c.tls = Some(TlsFiles {
                    cert: cert.into(),
                    key: key.into(),
                })
            }
            (None, None) => {}
            _ => {
                return Err(
                    "ZAOFAXIAN_TLS_CERT 与 ZAOFAXIAN_TLS_KEY 须同时设置 / set both ZAOFAXIAN_TLS_CERT and ZAOFAXIAN_TLS_KEY"
                        .into(),
                );
            }
        }
        Ok(c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sms_settings_come_from_the_file_and_the_environment_and_the_key_is_never_printed() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("z.toml");
        std::fs::write(
            &file,
            "[sms]\nprovider = \"tencent\"\nsecret_id = \"AKIDfile\"\nsecret_key = \"file-secret\"\napp_id = \"1400000000\"\nsign = \"早发现\"\ntemplate = \"123\"\n",
        )
        .unwrap();
        let env = |k: &str| match k {
            "ZAOFAXIAN_SMS_SECRET_KEY" => Some("env-secret".to_string()),
            "ZAOFAXIAN_SMS_NOTICE_TEMPLATES" => Some("456".to_string()),
            _ => None,
        };
        let c = Config::load(Some(&file), env).unwrap();
        assert_eq!(c.sms.get("ZAOFAXIAN_SMS_NOTICE_TEMPLATES").as_deref(), Some("456"));
        assert_eq!(c.sms.get("ZAOFAXIAN_SMS").as_deref(), Some("tencent"));
        assert_eq!(c.sms.get("ZAOFAXIAN_SMS_SECRET_ID").as_deref(), Some("AKIDfile"));
        assert_eq!(c.sms.get("ZAOFAXIAN_SMS_SECRET_KEY").as_deref(), Some("env-secret"));
        assert_eq!(c.sms.get("ZAOFAXIAN_SMS_REGION"), None);
        let printed = format!("{c:?}");
        assert!(
            printed.contains("AKIDfile") && !printed.contains("-secret"),
            "{printed}"
        );
        std::fs::write(&file, "[sms]\nprovider = \"tencent\"\nkey = \"x\"\n").unwrap();
        let none = |_: &str| None;
        assert!(
            Config::load(Some(&file), none).unwrap_err().contains("key"),
            "a misspelt key is refused"
        );
    }

    #[test]
    fn env_overrides_file_overrides_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("z.toml");
        std::fs::write(&file, "addr = \"0.0.0.0:9000\"\ndatabase_url = \"sqlite://a.db\"\n").unwrap();
        let none = |_: &str| None;
        assert_eq!(Config::load(None, none).unwrap(), Config::default());
        let from_file = Config::load(Some(&file), none).unwrap();
        assert_eq!(from_file.addr.port(), 9000);
        assert_eq!(from_file.database_url, "sqlite://a.db");
        let env = |k: &str| (k == "ZAOFAXIAN_DATABASE_URL").then(|| "postgres://x/y".to_string());
        assert_eq!(Config::load(Some(&file), env).unwrap().database_url, "postgres://x/y");
        let tls = |k: &str| (k == "ZAOFAXIAN_TLS_CERT").then(|| "cert.pem".to_string());
        assert!(Config::load(None, tls).unwrap_err().contains("ZAOFAXIAN_TLS_KEY"));
        std::fs::write(&file, "[tls]\ncert = \"c.pem\"\nkey = \"k.pem\"\n").unwrap();
        assert_eq!(
            Config::load(Some(&file), none).unwrap().tls.unwrap().key,
            Path::new("k.pem")
        );
        std::fs::write(&file, "database_pool = 6\n").unwrap();
        assert_eq!(Config::load(Some(&file), none).unwrap().database_pool, Some(6));
        let pool = |n: &'static str| move |k: &str| (k == "ZAOFAXIAN_DATABASE_POOL").then(|| n.to_string());
        assert_eq!(Config::load(Some(&file), pool("12")).unwrap().database_pool, Some(12));
        for bad in ["0", "many", "5000"] {
            assert!(Config::load(None, pool(bad)).unwrap_err().contains("1–1000"), "{bad}");
        }
        std::fs::write(&file, "adr = 1\n").unwrap();
        assert!(Config::load(Some(&file), none).unwrap_err().contains("bad config"));
    }
}
