//! Command line: `serve` (the default) and `deadline`, a calendar check a county
//! officer can run without the server.

use crate::config::Config;
use crate::state::{AppState, ClockDebug};
use crate::store::{SqlStore, Store};
use crate::{accounts, http};
use chrono::{Datelike, NaiveDate};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use zaofaxian_shared::{Calendar, DivisionCode, RegionalOverlay};
use zaofaxian_shared::{Role, SystemClock};

#[derive(Debug, Parser)]
#[command(
    name = "zaofaxian-server",
    version,
    about = "早发现 防止返贫动态监测 server / Zaofaxian monitoring server"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP server (the default).
    Serve {
        /// Address to listen on (default 127.0.0.1:8080; also ZAOFAXIAN_ADDR).
        #[arg(long)]
        addr: Option<SocketAddr>,
        #[command(flatten)]
        db: DbArgs,
    },
    /// 账号与区划管理 / Accounts and division codes.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
        #[command(flatten)]
        db: DbArgs,
    },
    /// 计算工作日期限 / Compute a working-day deadline: the due date is the Nth working
    /// day after the event (counting from the next day). The ISO date is the last line.
    Deadline {
        /// The event date (e.g. the day a report arrived), YYYY-MM-DD.
        #[arg(long)]
        from: NaiveDate,
        /// Number of working days.
        #[arg(long = "working-days", conflicts_with = "days")]
        working_days: Option<u32>,
        /// Number of calendar days instead ("不少于5天"); a last day on a rest day moves on.
        #[arg(long)]
        days: Option<u32>,
        /// The village or other division whose local days off apply (needs --overlay).
        #[arg(long, requires = "overlay")]
        region: Option<DivisionCode>,
        /// CSV of local days off: region_code,date,kind,name.
        #[arg(long)]
        overlay: Option<std::path::PathBuf>,
        /// Use the calendar loaded into this server's store (its configuration, data
        /// directory or --database-url) instead of the data shipped with the program.
        /// On by default when a store is configured or the default data file exists.
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(Debug, clap::Args)]
pub struct DbArgs {
    /// TOML configuration file (also ZAOFAXIAN_CONFIG).
    #[arg(long, global = true)]
    config: Option<std::path::PathBuf>,
    /// Database URL: sqlite://file or postgres://… (also ZAOFAXIAN_DATABASE_URL).
    #[arg(long, global = true)]
    database_url: Option<String>,
}

impl DbArgs {
    fn config(&self) -> Result<Config, String> {
        let mut c = Config::load(self.config.as_deref(), |k| std::env::var(k).ok())?;
        if let Some(u) = &self.database_url {
            c.database_url = u.clone();
        }
        Ok(c)
    }
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// 创建工作人员账号 / Create a staff account. The password is read from standard
    /// input (one line) or ZAOFAXIAN_PASSWORD, never from the command line.
    CreateStaff {
        #[arg(long)]
        login: String,
        #[arg(long)]
        name: String,
        /// village_cadre, work_team, township, county, department or admin.
        #[arg(long)]
        role: String,
        /// The division the account works in (its area of access).
        #[arg(long)]
        division: DivisionCode,
        /// A work phone shown to households as whom to call (village cadres, work teams).
        #[arg(long)]
        phone: Option<String>,
    },
    /// 设置工作电话 / Set or clear (empty) a staff member's work phone shown to households.
    SetPhone {
        #[arg(long)]
        login: String,
        #[arg(long)]
        phone: String,
    },
    /// 导入区划代码 / Import division codes from a CSV (code,name,level,parent_code).
    ImportDivisions { file: std::path::PathBuf },
    /// 导入节假日安排 / Load a year's holiday schedule (CSV: date,kind,name,year). The
    /// file's years replace the stored ones whole; every open deadline is counted again.
    ImportCalendar {
        file: std::path::PathBuf,
        /// The notice that published it, e.g. 国办发明电〔2026〕7号.
        #[arg(long, default_value = "")]
        source: String,
    },
    /// 设定监测底线 / Set a region's threshold for a year (yuan per person per year).
    SetThreshold {
        /// Province, prefecture or county code (12 digits).
        #[arg(long)]
        region: DivisionCode,
        /// The year the threshold is applied.
        #[arg(long)]
        year: i32,
        #[arg(long)]
        yuan: i64,
        /// The document that set it.
        #[arg(long)]
        source: String,
    },
    /// 备份 / Back the embedded store (SQLite) and its photos up into a new or empty
    /// folder, with a manifest of hashes; safe while the server runs. PostgreSQL: pg_dump.
    Backup { dir: std::path::PathBuf },
    /// 恢复 / Restore a backup into the configured database file (which must not exist)
    /// and photo folder (new or empty), after checking every file's hash.
    Restore { dir: std::path::PathBuf },
}

const WEEKDAYS_ZH: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];

fn weekday_zh(d: NaiveDate) -> &'static str {
    WEEKDAYS_ZH[d.weekday().num_days_from_monday() as usize]
}

/// Runs the CLI with explicit output streams, so tests can call it in-process.
/// Returns the process exit code.
pub fn run(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> u8 {
    run_on(args, out, err, Arc::new(SystemClock))
}

/// [`run`] with the clock `serve` answers by: tests start the server on a day of
/// their choosing (a working morning, after a holiday).
pub fn run_on(
    args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
    out: &mut dyn Write,
    err: &mut dyn Write,
    clock: Arc<dyn ClockDebug>,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(c) => c,
        Err(e) => {
            // --help and --version are not errors: they go to stdout.
            if e.use_stderr() {
                let _ = write!(err, "{e}");
                return 2;
            }
            let _ = write!(out, "{e}");
            return 0;
        }
    };
    let command = cli.command.unwrap_or(Command::Serve {
        addr: None,
        db: DbArgs {
            config: None,
            database_url: None,
        },
    });
    match command {
        Command::Serve { addr, db } => match db.config().and_then(|mut c| {
            c.addr = addr.unwrap_or(c.addr);
            serve(c, clock)
        }) {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(err, "错误：无法启动服务 / error: cannot start the server: {e}");
                1
            }
        },
        Command::Admin { command, db } => match db.config().and_then(|c| admin(c, command, out)) {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(err, "错误 / error: {e}");
                1
            }
        },
        Command::Deadline {
            from,
            working_days,
            days,
            region,
            overlay,
            db,
        } => match deadline_calendar(&db)
            .and_then(|cal| deadline(&cal, from, working_days, days, region, overlay.as_deref(), out))
        {
            Ok(()) => 0,
            Err(msg) => {
                let _ = writeln!(err, "错误 / error: {msg}");
                1
            }
        },
    }
}

pub fn main_with(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    main_on(args, Arc::new(SystemClock))
}

/// [`main_with`] on the given clock (see [`run_on`]).
pub fn main_on(args: impl IntoIterator<Item = impl Into<OsString> + Clone>, clock: Arc<dyn ClockDebug>) -> ExitCode {
    let code = run_on(args, &mut std::io::stdout(), &mut std::io::stderr(), clock);
    ExitCode::from(code)
}

/// The calendar the `deadline` command counts with: the store's when one is
/// configured (flag, file or environment) or the default data file exists, else the
/// shipped data.
fn deadline_calendar(db: &DbArgs) -> Result<Calendar, String> {
    let configured = db.database_url.is_some()
        || db.config.is_some()
        || std::env::var_os("ZAOFAXIAN_DATABASE_URL").is_some()
        || std::env::var_os("ZAOFAXIAN_CONFIG").is_some();
    let config = db.config()?;
    let default_file_exists = config
        .database_url
        .strip_prefix("sqlite://")
        .is_some_and(|p| std::path::Path::new(p.split('?').next().unwrap_or(p)).exists());
    if !configured && !default_file_exists {
        return Ok(Calendar::national().clone());
    }
    runtime()?.block_on(async move {
        let store = open_store(&config).await?;
        let live = crate::reference::LiveReference::default();
        live.seed_and_load(store.as_ref(), chrono::Utc::now().timestamp_millis())
            .await
            .map_err(|e| e.to_string())?;
        Ok(live.get().calendar.clone())
    })
}

fn deadline(
    calendar: &Calendar,
    from: NaiveDate,
    working_days: Option<u32>,
    days: Option<u32>,
    region: Option<DivisionCode>,
    overlay: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> Result<(), String> {
    let national = calendar;
    let calendar = match (region, overlay) {
        (Some(region), Some(path)) => {
            let text = std::fs::read_to_string(path)
                .map_err(|e| format!("无法读取 {} / cannot read {}: {e}", path.display(), path.display()))?;
            let overlays = RegionalOverlay::parse_csv(&text).map_err(|e| e.to_string())?;
            national.for_division(&overlays, region).map_err(|e| e.to_string())?
        }
        _ => national.clone(),
    };
    let (due, what_zh, what_en) = match (working_days, days) {
        (Some(n), _) => (
            calendar.due_in_working_days(from, n),
            format!("{n}个工作日"),
            format!("{n} working days"),
        ),
        (None, Some(n)) => (
            calendar.due_in_calendar_days(from, n),
            format!("{n}天"),
            format!("{n} calendar days"),
        ),
        (None, None) => return Err("请给出 --working-days 或 --days / give --working-days or --days".into()),
    };
    let zaofaxian_shared::calendar::Due { date: due, provisional } = due.map_err(|e| e.to_string())?;
    let w = |out: &mut dyn Write, line: String| writeln!(out, "{line}").map_err(|e| e.to_string());
    w(out, format!("起算日 / event: {from}（星期{}）", weekday_zh(from)))?;
    w(
        out,
        format!("期限 / period: {what_zh}，自次日起算 / {what_en}, counted from the next day"),
    )?;
    let mut skipped = Vec::new();
    let mut d = from;
    while d < due {
        d = d.succ_opt().ok_or("date out of range")?;
        if !calendar.working_day_provisional(d).0 {
            match calendar.day_name(d) {
                Some(name) => skipped.push(format!("{d} {name}")),
                None => skipped.push(format!("{d} 周{}", weekday_zh(d))),
            }
        }
    }
    if !skipped.is_empty() {
        w(out, format!("跳过休息日 / rest days skipped: {}", skipped.join(", ")))?;
    }
    w(out, format!("到期日 / due: 星期{}", weekday_zh(due)))?;
    if let Some(year) = provisional {
        let note = zaofaxian_shared::lifecycle::provisional_note(year);
        w(out, format!("暂定 / provisional: {} / {}", note.zh, note.en))?;
    }
    w(out, due.to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

async fn open_store(config: &Config) -> Result<Arc<SqlStore>, String> {
    let store = SqlStore::connect_with(&config.database_url, config.database_pool)
        .await
        .map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    Ok(Arc::new(store))
}

/// The configured photo store: the bucket when one is named, else the folder.
fn photo_files(config: &Config) -> Result<crate::photo_files::PhotoFiles, String> {
    let files = match &config.photo_bucket {
        Some(bucket) => crate::photo_files::PhotoFiles::bucket(bucket)
            .map_err(|e| format!("照片存储桶 / photo bucket {bucket}: {e}"))?,
        None => crate::photo_files::PhotoFiles::folder(&config.photo_dir)
            .map_err(|e| format!("照片目录 / photo folder {}: {e}", config.photo_dir.display()))?,
    };
    tracing::info!(photos = %files.describe(), "照片存放处 / photo files");
    Ok(files)
}

fn serve(config: Config, clock: Arc<dyn ClockDebug>) -> Result<(), String> {
    // ZAOFAXIAN_LOG_FORMAT=json for machine-read logs; RUST_LOG for levels.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("ZAOFAXIAN_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init();
    }
    runtime()?.block_on(async move {
        let store = open_store(&config).await?;
        let state = AppState::new(
            store,
            clock,
            crate::auth::sender_from_settings(&config.sms)?,
            photo_files(&config)?,
        );
        let mut state = state;
        state.texts = crate::texts::from_settings(&config.sms)?;
        state.web_app_dir = Some(config.web_app_dir.clone());
        state.public_url = std::env::var("ZAOFAXIAN_PUBLIC_URL").ok().filter(|u| !u.is_empty());
        // Household quotas (per account and day) from the environment, for pilots that
        // need other figures; the defaults are in `crate::limits`.
        let quota = |var: &str| std::env::var(var).ok().and_then(|v| v.parse().ok());
        state.limits = state.limits.with_household_quotas(
            quota("ZAOFAXIAN_HOUSEHOLD_REPORTS_PER_DAY"),
            quota("ZAOFAXIAN_HOUSEHOLD_PROXY_PER_DAY"),
        );
        if let Some(dir) = state.photo_files.folder_path() {
            match crate::photos::tighten(dir) {
                Ok(true) => tracing::warn!(
                    dir = %dir.display(),
                    "照片目录原先他人可读，已改为仅本服务可读 / the photo folder was readable by others: now this service's only"
                ),
                Ok(false) => {}
                Err(e) => return Err(format!("{}: {e}", dir.display())),
            }
        }
        state
            .load_reference()
            .await
            .map_err(|e| format!("节假日和监测底线数据 / reference data: {e}"))?;
        tokio::spawn(follow_reference(state.clone()));
        // Reminder digests and household texts, every minute (idempotent across processes).
        tokio::spawn(crate::reminders::run(state.clone()));
        if let Some(at) = config.metrics_addr {
            let admin = tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| format!("{at}: {e}"))?;
            tracing::info!(addr = %at, "指标地址 / metrics at /metrics");
            tokio::spawn(http::serve_on(admin, crate::metrics::admin_app(state.clone())));
        }
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| format!("{}: {e}", config.addr))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let backend = config.database_url.split(':').next().unwrap_or("?").to_string();
        let scheme = if config.tls.is_some() { "https" } else { "http" };
        tracing::info!(%addr, backend, scheme, "zaofaxian server listening / 服务已启动");
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        crate::listen::serve(listener, http::app(state), config.tls.as_ref(), shutdown).await
    })
}

/// Keeps this process's reference data in step with the store (another process may
/// load a year) and warns in the log, once a day, while a schedule is missing.
async fn follow_reference(state: AppState) {
    let (mut warned_on, mut cleaned_on) = (None, None);
    loop {
        if let Err(e) = state.reference.refresh(state.store.as_ref()).await {
            tracing::error!(error = %e, "reloading reference data failed");
        }
        let today = state.clock.today();
        if cleaned_on != Some(today) {
            cleaned_on = Some(today);
            // Once a day: uploads that never finished in a week are forgotten.
            match crate::photos::drop_stale_uploads(&state).await {
                Ok(n) if n > 0 => tracing::info!(n, "stale unfinished uploads removed"),
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "removing stale uploads failed"),
            }
        }
        if let Some(year) = state.reference().missing_schedule(today)
            && warned_on != Some(today)
        {
            let w = http::missing_schedule_warning(year);
            tracing::warn!(year, "{} / {}", w.zh, w.en);
            warned_on = Some(today);
        }
        tokio::time::sleep(crate::reference::POLL).await;
    }
}

fn read_password() -> Result<String, String> {
    if let Ok(p) = std::env::var("ZAOFAXIAN_PASSWORD") {
        return Ok(p);
    }
    let mut line = String::new();
    std::io::stdin().read_line(&mut line).map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

fn admin(config: Config, command: AdminCommand, out: &mut dyn Write) -> Result<(), String> {
    runtime()?.block_on(async move {
        // These two copy files: a restore must not find a store opened (and made) first.
        let copied = match &command {
            AdminCommand::Backup { dir } => Some(("已备份 / backed up", crate::backup::backup(&config, dir).await?)),
            AdminCommand::Restore { dir } => Some(("已恢复 / restored", crate::backup::restore(&config, dir).await?)),
            _ => None,
        };
        if let Some((what, c)) = copied {
            return writeln!(
                out,
                "{what}: {} 张照片和录音 / photos and voice notes, {} 个文件 / files, {:.1} MB",
                c.photos,
                c.files,
                c.bytes as f64 / 1e6
            )
            .map_err(|e| e.to_string());
        }
        let store = open_store(&config).await?;
        match command {
            AdminCommand::CreateStaff {
                login,
                name,
                role,
                division,
                phone,
            } => {
                let role: Role = serde_json::from_value(serde_json::Value::String(role.clone()))
                    .map_err(|_| format!("未知角色 / unknown role: {role}"))?;
                let phone = phone.map(|p| accounts::staff_phone(&p)).transpose()?;
                let password = read_password()?;
                let a = accounts::create_staff(store.as_ref(), &login, &name, role, division, &password).await?;
                if let Some(p) = phone.flatten() {
                    store
                        .set_staff_phone(&a.id, Some(&p))
                        .await
                        .map_err(|e| e.to_string())?;
                }
                writeln!(
                    out,
                    "已创建 / created: {} ({}, {:?}, {})",
                    a.login, a.name, a.role, division
                )
                .map_err(|e| e.to_string())
            }
            AdminCommand::SetPhone { login, phone } => {
                let phone = accounts::staff_phone(&phone)?;
                let a = store
                    .account_by_login(&login)
                    .await
                    .map_err(|e| e.to_string())?
                    .filter(|a| a.role != Role::Household)
                    .ok_or_else(|| format!("没有该工作人员账号 / no such staff account: {login}"))?;
                store
                    .set_staff_phone(&a.id, phone.as_deref())
                    .await
                    .map_err(|e| e.to_string())?;
                writeln!(
                    out,
                    "已设置 / set: {} {}",
                    a.login,
                    phone.as_deref().unwrap_or("（已清除 / cleared）")
                )
                .map_err(|e| e.to_string())
            }
            AdminCommand::ImportDivisions { file } => {
                let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
                let total = text.lines().count().saturating_sub(1);
                let n = accounts::import_divisions(store.as_ref(), &text, |n| {
                    eprintln!("导入中 / importing: {n}/{total}");
                })
                .await?;
                writeln!(out, "已导入 {n} 个区划 / imported {n} divisions").map_err(|e| e.to_string())
            }
            AdminCommand::ImportCalendar { file, source } => {
                let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
                let live = crate::reference::LiveReference::default();
                let now = chrono::Utc::now();
                live.seed_and_load(store.as_ref(), now.timestamp_millis())
                    .await
                    .map_err(|e| e.to_string())?;
                let done = crate::policy_data::import_calendar(
                    store.as_ref(),
                    &live,
                    &text,
                    &source,
                    "cli",
                    zaofaxian_shared::Clock::today(&SystemClock),
                    now.timestamp_millis(),
                )
                .await
                .map_err(|e| format!("{} 未导入，数据未更改 / nothing changed:\n{e}", file.display()))?;
                for line in crate::policy_data::describe_import(&done) {
                    writeln!(out, "{line}").map_err(|e| e.to_string())?;
                }
                Ok(())
            }
            AdminCommand::SetThreshold {
                region,
                year,
                yuan,
                source,
            } => {
                let t = zaofaxian_shared::policy::Threshold::checked(region, year, yuan, &source)
                    .map_err(|e| e.to_string())?;
                let live = crate::reference::LiveReference::default();
                let now = chrono::Utc::now().timestamp_millis();
                live.seed_and_load(store.as_ref(), now)
                    .await
                    .map_err(|e| e.to_string())?;
                let done = crate::policy_data::set_threshold(store.as_ref(), &live, t, "cli", now)
                    .await
                    .map_err(|e| format!("未设定 / not set: {e}"))?;
                writeln!(
                    out,
                    "已设定 / set: {} {}年 {}元（原为 / was {}）",
                    done.threshold.region,
                    done.threshold.year,
                    done.threshold.amount,
                    done.previous.map_or_else(|| "无 / none".to_string(), |p| p.to_string())
                )
                .map_err(|e| e.to_string())?;
                writeln!(out, "{}", crate::policy_data::describe_recount(&done.recount)).map_err(|e| e.to_string())
            }
            AdminCommand::Backup { .. } | AdminCommand::Restore { .. } => Ok(()),
        }
    })
}
