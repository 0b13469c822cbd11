//! Command line: `serve` (the default) and `deadline`, a calendar check a county
//! officer can run without the server.

use crate::http;
use chrono::{Datelike, NaiveDate};
use clap::{Parser, Subcommand};
use std::ffi::OsString;
use std::io::Write;
use std::net::SocketAddr;
use std::process::ExitCode;
use zaofaxian_shared::{Calendar, DivisionCode, RegionalOverlay};

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
        /// Address to listen on; also ZAOFAXIAN_ADDR.
        #[arg(long, env = "ZAOFAXIAN_ADDR", default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
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
    match cli.command.unwrap_or(Command::Serve { addr: default_addr() }) {
        Command::Serve { addr } => match serve(addr) {
            Ok(()) => 0,
            Err(e) => {
                let _ = writeln!(err, "错误：无法启动服务 / error: cannot start the server: {e}");
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

fn default_addr() -> SocketAddr {
    std::env::var("ZAOFAXIAN_ADDR")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8080)))
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

fn serve(addr: SocketAddr) -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    rt.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        tracing::info!(addr = %listener.local_addr()?, "zaofaxian server listening / 服务已启动");
        axum::serve(listener, http::app())
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })
}
