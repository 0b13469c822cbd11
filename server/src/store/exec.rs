//! The statements of a case write, run by either of two drivers: sqlx (PostgreSQL, and
//! SQLite's other writes) or rusqlite on the SQLite write lane's own thread
//! (`write_lane.rs`). The write's rules (`sql::write_case`) are written once, against
//! [`Exec`].
//!
//! Why two drivers: through sqlx a SQLite statement is a round trip to the connection's
//! own thread, about 0.1 ms each on the 2-core machine, and SQLite has one writer at a
//! time, so a ten-statement case write capped a process at about 1,000 writes a second.
//! On the lane's thread the same statements run in place.

use super::{StoreError, StoreResult};
use sqlx::{AssertSqlSafe, Row as _};
use std::future::Future;

/// A bound value: the writes bind only integers and (possibly null) texts.
#[derive(Debug, Clone)]
pub(crate) enum Val {
    Int(i64),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::Int(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Val {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Val {
        Val::Text(Some(v.to_string()))
    }
}
impl From<&String> for Val {
    fn from(v: &String) -> Val {
        Val::Text(Some(v.clone()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Val {
        Val::Text(v)
    }
}

/// How to read a column of an answer.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Int,
    Text,
}

/// One row of an answer, its columns read as the query's [`Kind`]s said.
#[derive(Debug)]
pub(crate) struct Row(Vec<Val>);

impl Row {
    /// A row of `kinds.len()` columns, each read by `get` as its kind says.
    fn read(kinds: &[Kind], get: impl Fn(usize, Kind) -> StoreResult<Val>) -> StoreResult<Row> {
        kinds
            .iter()
            .enumerate()
            .map(|(i, k)| get(i, *k))
            .collect::<StoreResult<_>>()
            .map(Row)
    }

    pub fn int(&self, i: usize) -> StoreResult<i64> {
        match self.0.get(i) {
            Some(Val::Int(v)) => Ok(*v),
            _ => Err(StoreError::Corrupt(format!("column {i} is not an integer"))),
        }
    }

    pub fn opt_text(&self, i: usize) -> StoreResult<Option<String>> {
        match self.0.get(i) {
            Some(Val::Text(v)) => Ok(v.clone()),
            _ => Err(StoreError::Corrupt(format!("column {i} is not text"))),
        }
    }

    pub fn text(&self, i: usize) -> StoreResult<String> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::Corrupt(format!("column {i} is null")))
    }
}

/// Runs statements with `$1`-style placeholders inside an open transaction.
pub(crate) trait Exec {
    /// Runs a statement: the rows it changed.
    fn execute(&mut self, sql: &str, args: Vec<Val>) -> impl Future<Output = StoreResult<u64>> + Send;

    /// The first row of a query's answer, if any.
    fn first_row(
        &mut self,
        sql: &str,
        args: Vec<Val>,
        kinds: &[Kind],
    ) -> impl Future<Output = StoreResult<Option<Row>>> + Send;
}

fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    args: Vec<Val>,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for a in args {
        q = match a {
            Val::Int(v) => q.bind(v),
            Val::Text(v) => q.bind(v),
        };
    }
    q
}

impl Exec for sqlx::AnyConnection {
    fn execute(&mut self, sql: &str, args: Vec<Val>) -> impl Future<Output = StoreResult<u64>> + Send {
        let q = bind_all(sqlx::query(AssertSqlSafe(sql)), args);
        async move { Ok(q.execute(self).await?.rows_affected()) }
    }

    fn first_row(
        &mut self,
        sql: &str,
        args: Vec<Val>,
        kinds: &[Kind],
    ) -> impl Future<Output = StoreResult<Option<Row>>> + Send {
        let q = bind_all(sqlx::query(AssertSqlSafe(sql)), args);
        async move {
            let Some(row) = q.fetch_optional(self).await? else {
                return Ok(None);
            };
            Row::read(kinds, |i, k| match k {
                Kind::Int => Ok(Val::Int(row.try_get(i)?)),
                Kind::Text => Ok(Val::Text(row.try_get(i)?)),
            })
            .map(Some)
        }
    }
}

/// A rusqlite connection inside the write lane's transaction. Its futures are ready
/// at once: the statement has run when the call returns.
pub(crate) struct Lite<'c>(pub &'c rusqlite::Connection);

impl Lite<'_> {
    fn statement(&self, sql: &str, args: Vec<Val>) -> StoreResult<rusqlite::CachedStatement<'_>> {
        let mut st = self.0.prepare_cached(sql)?;
        for (i, a) in args.into_iter().enumerate() {
            // `$N` is a named parameter to SQLite, numbered by first appearance.
            let name = format!("${}", i + 1);
            let at = st
                .parameter_index(&name)?
                .ok_or_else(|| StoreError::Corrupt(format!("statement has no {name}: {sql}")))?;
            match a {
                Val::Int(v) => st.raw_bind_parameter(at, v)?,
                Val::Text(v) => st.raw_bind_parameter(at, v)?,
            }
        }
        Ok(st)
    }
}

impl Exec for Lite<'_> {
    fn execute(&mut self, sql: &str, args: Vec<Val>) -> impl Future<Output = StoreResult<u64>> + Send {
        let done = self
            .statement(sql, args)
            .and_then(|mut st| Ok(st.raw_execute()? as u64));
        std::future::ready(done)
    }

    fn first_row(
        &mut self,
        sql: &str,
        args: Vec<Val>,
        kinds: &[Kind],
    ) -> impl Future<Output = StoreResult<Option<Row>>> + Send {
        let row = self.statement(sql, args).and_then(|mut st| {
            let mut rows = st.raw_query();
            let Some(row) = rows.next()? else {
                return Ok(None);
            };
            Row::read(kinds, |i, k| match k {
                Kind::Int => Ok(Val::Int(row.get(i)?)),
                Kind::Text => Ok(Val::Text(row.get(i)?)),
            })
            .map(Some)
        });
        std::future::ready(row)
    }
}

/// Runs a future whose every await is ready at once (one over [`Lite`]) to its end on
/// this thread.
pub(crate) fn run_ready<T>(fut: impl Future<Output = StoreResult<T>>) -> StoreResult<T> {
    let mut fut = std::pin::pin!(fut);
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match fut.as_mut().poll(&mut cx) {
        std::task::Poll::Ready(r) => r,
        std::task::Poll::Pending => Err(StoreError::Corrupt("a lane write waited on I/O".into())),
    }
}
