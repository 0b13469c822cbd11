//! A TCP proxy on loopback that damages a share of the connections it carries, the
//! way a village's mobile signal does: the request is cut off part-way, the answer is
//! lost after the server has acted, or nothing moves until the client gives up. With
//! several upstreams it hands connections to them in turn, as a load balancer in
//! front of several server processes does.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

/// What happens to one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    None,
    /// The client's bytes stop after this many; both sides are then closed.
    CutRequest(usize),
    /// The server's bytes stop after this many (the request was served).
    CutAnswer(usize),
    /// The client's bytes stop after this many and the connection hangs, neither
    /// side hearing anything, until it is closed after the duration.
    Stall(Duration, usize),
}

/// How many connections met each fault.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct FaultCounts {
    pub connections: u64,
    pub cut_requests: u64,
    pub cut_answers: u64,
    pub stalled: u64,
    /// The server was not listening (killed): the client's connection was closed.
    pub upstream_down: u64,
}

#[derive(Debug, Default)]
struct Counters {
    connections: AtomicU64,
    cut_requests: AtomicU64,
    cut_answers: AtomicU64,
    stalled: AtomicU64,
    upstream_down: AtomicU64,
}

#[derive(Debug)]
struct Shared {
    upstreams: Vec<SocketAddr>,
    /// The upstream the next connection goes to (round robin).
    next: AtomicUsize,
    rng: Mutex<StdRng>,
    /// Share of connections damaged, in percent; 0 once calm.
    fault_percent: u32,
    calm: AtomicBool,
    /// The next connection loses its whole answer (for a test of one exact fault).
    lose_next_answer: AtomicBool,
    stall: Duration,
    counters: Counters,
}

#[derive(Debug, Clone)]
pub struct FaultProxy {
    pub addr: SocketAddr,
    shared: Arc<Shared>,
}

impl FaultProxy {
    /// Listens on 127.0.0.1 and forwards to `upstream`, damaging `fault_percent` of
    /// the connections (split evenly between the three faults; a stall lasts `stall`).
    /// The same `seed` gives the same sequence of choices.
    pub async fn start(
        upstream: SocketAddr,
        seed: u64,
        fault_percent: u32,
        stall: Duration,
    ) -> std::io::Result<FaultProxy> {
        FaultProxy::round_robin(vec![upstream], seed, fault_percent, stall).await
    }

    /// As [`FaultProxy::start`], handing connections to `upstreams` in turn.
    pub async fn round_robin(
        upstreams: Vec<SocketAddr>,
        seed: u64,
        fault_percent: u32,
        stall: Duration,
    ) -> std::io::Result<FaultProxy> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            upstreams,
            next: AtomicUsize::new(0),
            rng: Mutex::new(StdRng::seed_from_u64(seed)),
            fault_percent,
            calm: AtomicBool::new(false),
            lose_next_answer: AtomicBool::new(false),
            stall,
            counters: Counters::default(),
        });
        let s = shared.clone();
        tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let fault = s.choose();
                tokio::spawn(carry(s.clone(), client, fault));
            }
        });
        Ok(FaultProxy { addr, shared })
    }

    /// From now on every connection passes untouched.
    pub fn calm(&self) {
        self.shared.calm.store(true, Ordering::SeqCst);
    }

    /// The next connection carries its request but none of the answer.
    pub fn lose_next_answer(&self) {
        self.shared.lose_next_answer.store(true, Ordering::SeqCst);
    }

    pub fn counts(&self) -> FaultCounts {
        let c = &self.shared.counters;
        FaultCounts {
            connections: c.connections.load(Ordering::Relaxed),
            cut_requests: c.cut_requests.load(Ordering::Relaxed),
            cut_answers: c.cut_answers.load(Ordering::Relaxed),
            stalled: c.stalled.load(Ordering::Relaxed),
            upstream_down: c.upstream_down.load(Ordering::Relaxed),
        }
    }
}

impl Shared {
    fn choose(&self) -> Fault {
        self.counters.connections.fetch_add(1, Ordering::Relaxed);
        if self.lose_next_answer.swap(false, Ordering::SeqCst) {
            return Fault::CutAnswer(0);
        }
        if self.calm.load(Ordering::SeqCst) {
            return Fault::None;
        }
        let mut rng = self.rng.lock().unwrap_or_else(|e| e.into_inner());
        let roll = rng.random_range(0..300);
        let share = self.fault_percent;
        if roll < share {
            // Anywhere in a request: its head, a push body, a 64 KiB photo chunk.
            Fault::CutRequest(rng.random_range(1..70_000))
        } else if roll < 2 * share {
            // Answers are short: cut inside the head or the first part of the body.
            Fault::CutAnswer(rng.random_range(0..400))
        } else if roll < 3 * share {
            Fault::Stall(self.stall, rng.random_range(0..20_000))
        } else {
            Fault::None
        }
    }
}

async fn carry(s: Arc<Shared>, client: TcpStream, fault: Fault) {
    let c = &s.counters;
    let upstream = s.upstreams[s.next.fetch_add(1, Ordering::Relaxed) % s.upstreams.len()];
    let Ok(server) = TcpStream::connect(upstream).await else {
        c.upstream_down.fetch_add(1, Ordering::Relaxed);
        return;
    };
    let (up_limit, down_limit, hang) = match fault {
        Fault::CutRequest(n) => (Some(n), None, None),
        Fault::CutAnswer(n) => (None, Some(n), None),
        Fault::Stall(d, n) => (Some(n), None, Some(d)),
        Fault::None => (None, None, None),
    };
    let (cr, cw) = client.into_split();
    let (sr, sw) = server.into_split();
    let up = pump(cr, sw, up_limit);
    let down = pump(sr, cw, down_limit);
    tokio::pin!(up, down);
    let (mut up_done, mut down_done) = (false, false);
    while !(up_done && down_done) {
        tokio::select! {
            cut = &mut up, if !up_done => {
                if cut {
                    match hang {
                        Some(d) => {
                            c.stalled.fetch_add(1, Ordering::Relaxed);
                            tokio::time::sleep(d).await;
                        }
                        None => {
                            c.cut_requests.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                    return; // dropping both halves closes both connections
                }
                up_done = true;
            }
            cut = &mut down, if !down_done => {
                if cut {
                    c.cut_answers.fetch_add(1, Ordering::Relaxed);
                    return;
                }
                down_done = true;
            }
        }
    }
}

/// Copies until end of stream (false) or until `limit` bytes have gone (true: cut).
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, limit: Option<usize>) -> bool {
    let mut buf = vec![0u8; 16 * 1024];
    let mut sent = 0usize;
    loop {
        let n = match from.read(&mut buf).await {
            Ok(0) | Err(_) => {
                let _ = to.shutdown().await;
                return false;
            }
            Ok(n) => n,
        };
        let allowed = limit.map_or(n, |l| n.min(l - sent));
        if to.write_all(&buf[..allowed]).await.is_err() {
            return false;
        }
        sent += allowed;
        if limit.is_some_and(|l| sent >= l) {
            return true;
        }
    }
}
