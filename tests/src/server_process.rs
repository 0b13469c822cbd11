//! The real server binary as a child process on a fixed port, so a test can kill it
//! (SIGKILL: no shutdown code runs) and start it again over the same data.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct ServerProcess {
    exe: PathBuf,
    pub addr: SocketAddr,
    database_url: String,
    photo_dir: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    /// Times the process was killed.
    pub kills: u32,
    /// More environment for the process (e.g. `ZAOFAXIAN_WEB_APP_DIR`).
    pub env: Vec<(String, String)>,
}

impl ServerProcess {
    /// Picks a free loopback port; nothing runs until `start`.
    pub fn new(exe: &Path, database_url: &str, photo_dir: &Path, log: &Path) -> std::io::Result<ServerProcess> {
        let addr = std::net::TcpListener::bind("127.0.0.1:0")?.local_addr()?;
        Ok(ServerProcess {
            exe: exe.to_path_buf(),
            addr,
            database_url: database_url.to_string(),
            photo_dir: photo_dir.to_path_buf(),
            log: log.to_path_buf(),
            child: None,
            kills: 0,
            env: Vec::new(),
        })
    }

    /// Starts the server and waits until `/health` answers (at most 30 s).
    pub fn start(&mut self) -> Result<(), String> {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| e.to_string())?;
        let child = Command::new(&self.exe)
            .arg("serve")
            .env("ZAOFAXIAN_ADDR", self.addr.to_string())
            .env("ZAOFAXIAN_DATABASE_URL", &self.database_url)
            .env("ZAOFAXIAN_PHOTO_DIR", &self.photo_dir)
            // Warnings, and the one-time codes the log sender writes (read by [`last_code`]).
            .env("RUST_LOG", "warn,zaofaxian_server::auth=info")
            .env("ZAOFAXIAN_LOG_FORMAT", "json")
            // The test reads codes from the log as a household reads its text.
            .env("ZAOFAXIAN_SMS", "log")
            // Each fault phone files for 50 households (代为申报), far above a family's quota.
            .env("ZAOFAXIAN_HOUSEHOLD_REPORTS_PER_DAY", "100000")
            .env("ZAOFAXIAN_HOUSEHOLD_PROXY_PER_DAY", "100000")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", self.exe.display()))?;
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(30) {
            if self.healthy() {
                return Ok(());
            }
            if let Some(c) = self.child.as_mut()
                && let Ok(Some(status)) = c.try_wait()
            {
                return Err(format!("the server exited: {status} (log: {})", self.log.display()));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Err(format!(
            "no answer from the server in 30 s (log: {})",
            self.log.display()
        ))
    }

    /// SIGKILL, then wait for the process to be gone.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
            self.kills += 1;
        }
    }

    fn healthy(&self) -> bool {
        use std::io::{Read, Write};
        let Ok(mut s) = std::net::TcpStream::connect_timeout(&self.addr, Duration::from_millis(200)) else {
            return false;
        };
        let _ = s.set_read_timeout(Some(Duration::from_secs(2)));
        if s.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
            .is_err()
        {
            return false;
        }
        let mut head = [0u8; 12];
        s.read_exact(&mut head).is_ok() && head.starts_with(b"HTTP/1.1 200")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// The last one-time code the server logged in `log` for `masked_phone` (139****0001),
/// as a household would read it from the text message. Lines cut by a kill are skipped.
pub fn last_code(log: &Path, masked_phone: &str) -> Option<String> {
    let log = std::fs::read_to_string(log).ok()?;
    log.lines()
        .rev()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["fields"]["phone"] == masked_phone)
        .find_map(|v| v["fields"]["code"].as_str().map(str::to_string))
}
