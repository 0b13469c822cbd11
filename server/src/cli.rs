//! Command line: `serve` (the default) and `deadline`, a calendar check a county
//! officer can run without the server.

use crate::auth::LogSender;
use crate::config::Config;
use crate::state::AppState;
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
    },
    /// 导入区划代码 / Import division codes from a CSV (code,name,level,parent_code).
    ImportDivisions { file: std::path::PathBuf },
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
            serve(c)
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
        } => match deadline(from, working_days, days, region, overlay.as_deref(), out) {
            Ok(()) => 0,
            Err(msg) => {
                let _ = writeln!(err, "错误 / error: {msg}");
                1
            }
        },
    }
}

pub fn main_with(args: impl IntoIterator<Item = impl Into<OsString> + Clone>) -> ExitCode {
    let code = run(args, &mut std::io::stdout(), &mut std::io::stderr());
    ExitCode::from(code)
}

fn deadline(
    from: NaiveDate,
    working_days: Option<u32>,
    days: Option<u32>,
    region: Option<DivisionCode>,
    overlay: Option<&std::path::Path>,
    out: &mut dyn Write,
) -> Result<(), String> {
    let national = Calendar::national();
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
            calendar.add_working_days(from, n),
            format!("{n}个工作日"),
            format!("{n} working days"),
        ),
        (None, Some(n)) => (
            calendar.add_calendar_days(from, n),
            format!("{n}天"),
            format!("{n} calendar days"),
        ),
        (None, None) => return Err("请给出 --working-days 或 --days / give --working-days or --days".into()),
    };
    let due = due.map_err(|e| e.to_string())?;
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
        if !calendar.is_working_day(d).map_err(|e| e.to_string())? {
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
    w(out, due.to_string())
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
}

async fn open_store(config: &Config) -> Result<Arc<SqlStore>, String> {
    let store = SqlStore::connect(&config.database_url)
        .await
        .map_err(|e| e.to_string())?;
    store.migrate().await.map_err(|e| e.to_string())?;
    Ok(Arc::new(store))
}

fn serve(config: Config) -> Result<(), String> {
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
            Arc::new(SystemClock),
            Arc::new(LogSender),
            config.photo_dir.clone(),
        );
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| format!("{}: {e}", config.addr))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        let backend = config.database_url.split(':').next().unwrap_or("?").to_string();
        tracing::info!(%addr, backend, "zaofaxian server listening / 服务已启动");
        axum::serve(listener, http::app(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    })
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
        let store = open_store(&config).await?;
        match command {
            AdminCommand::CreateStaff {
                login,
                name,
                role,
                division,
            } => {
                let role: Role = serde_json::from_value(serde_json::Value::String(role.clone()))
                    .map_err(|_| format!("未知角色 / unknown role: {role}"))?;
                let password = read_password()?;
                let a = accounts::create_staff(store.as_ref(), &login, &name, role, division, &password).await?;
                writeln!(
                    out,
                    "已创建 / created: {} ({}, {:?}, {})",
                    a.login, a.name, a.role, division
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
        }
    })
}
