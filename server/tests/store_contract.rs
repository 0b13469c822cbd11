//! One contract, two backends: every test runs against SQLite and PostgreSQL.

#![allow(clippy::unwrap_used)] // test code: a panic is the failure report

mod common;

use chrono::NaiveDate;
use zaofaxian_server::store::*;
use zaofaxian_shared::lifecycle::{Channel, Ctx, Event, open, transition};
use zaofaxian_shared::{Calendar, DivisionCode, Policy, RecordId, Role};

fn code(s: &str) -> DivisionCode {
    s.parse().unwrap()
}

fn new_case(village: &str, owner: Option<&str>, on: &str) -> CaseRecord {
    let profile = Policy::embedded().profile_for(code(village)).unwrap();
    let ctx = Ctx {
        actor: Role::Household,
        today: on.parse::<NaiveDate>().unwrap(),
        calendar: Calendar::national(),
        profile,
        evidence: None,
    };
    CaseRecord {
        id: RecordId::new().to_string(),
        division: code(village),
        owner_account: owner.map(str::to_string),
        profile_id: profile.id.clone(),
        state: open(Channel::SelfReport, &ctx).unwrap(),
        report: serde_json::json!({ "hardship": "illness" }),
        photos_missing: 0,
        household: None,
    }
}

/// `case` after a village cadre's verification on `on` (at risk or not).
fn after_verification(case: &CaseRecord, at_risk: bool, on: &str) -> zaofaxian_shared::CaseState {
    let ctx = Ctx {
        actor: Role::VillageCadre,
        today: on.parse().unwrap(),
        calendar: Calendar::national(),
        profile: Policy::embedded().profile(&case.profile_id).unwrap(),
        evidence: None,
    };
    transition(&case.state, &Event::RecordVerification { at_risk }, &ctx).unwrap()
}

/// The write storing `state` over the version of `case` read.
fn as_update(case: &CaseRecord, state: zaofaxian_shared::CaseState) -> CaseWrite {
    CaseWrite::Update {
        case_id: case.id.clone(),
        expected_version: case.state.version,
        state,
    }
}

fn entry(actor: &str, role: Role, what: &str) -> NewEntry {
    NewEntry {
        at: chrono::Utc::now().timestamp_millis(),
        actor_account: actor.into(),
        actor_role: role,
        entry: serde_json::json!({ "event": what }),
        photos: vec![],
        text: None,
    }
}

fn claim(record: &str, device: &str, seq: i64) -> SyncClaim {
    SyncClaim {
        record_id: record.into(),
        device_id: device.into(),
        device_seq: seq,
        account_id: "hh1".into(),
    }
}

#[tokio::test]
async fn migrations_are_idempotent_and_detect_edits() {
    for db in common::backends().await {
        db.store.migrate().await.unwrap();
        db.store.migrate().await.unwrap();
    }
}

#[tokio::test]
async fn accounts_sessions_and_duplicate_logins() {
    for db in common::backends().await {
        let s = &db.store;
        let a = Account {
            id: "a1".into(),
            login: "cadre01".into(),
            name: "张村干".into(),
            role: Role::VillageCadre,
            division: Some(code("530402001001")),
            password_hash: Some("hash".into()),
        };
        s.create_account(&a).await.unwrap();
        assert!(
            matches!(s.create_account(&a).await, Err(StoreError::Conflict(_))),
            "{}",
            db.name
        );
        assert_eq!(
            s.account_by_login("cadre01").await.unwrap().unwrap().division,
            a.division
        );
        s.create_session("tok", "a1", 2_000).await.unwrap();
        let (found, expires) = s.session_account("tok", 1_000).await.unwrap().unwrap();
        assert_eq!((found.id.as_str(), expires), ("a1", 2_000));
        assert!(
            s.session_account("tok", 2_000).await.unwrap().is_none(),
            "expired at 2000"
        );
        assert!(s.session_account("other", 1_000).await.unwrap().is_none());
    }
}

#[tokio::test]
async fn a_replayed_record_returns_the_first_answer_and_stores_once() {
    for db in common::backends().await {
        let s = &db.store;
        let case = new_case("530402001001", Some("hh1"), "2025-09-30");
        let c = claim(&case.id, "dev1", 1);
        let e = entry("hh1", Role::Household, "report");
        let first = s
            .write_case(Some(&c), &CaseWrite::Create(case.clone()), &e)
            .await
            .unwrap();
        let WriteOutcome::Stored(answer) = first else {
            panic!("{}: first write not stored", db.name)
        };
        let again = s
            .write_case(Some(&c), &CaseWrite::Create(case.clone()), &e)
            .await
            .unwrap();
        assert_eq!(again, WriteOutcome::Replayed(answer.clone()), "{}", db.name);
        assert_eq!(s.replay_answer(&case.id).await.unwrap(), Some(answer));
        assert_eq!(
            s.history(&case.id).await.unwrap().len(),
            1,
            "{}: history written once",
            db.name
        );
        // Same device sequence, different record: a client bug, refused.
        let other = new_case("530402001001", Some("hh1"), "2025-09-30");
        let reused = s
            .write_case(
                Some(&claim(&other.id, "dev1", 1)),
                &CaseWrite::Create(other.clone()),
                &e,
            )
            .await;
        assert!(matches!(reused, Err(StoreError::SeqReused)), "{}", db.name);
        assert!(
            s.case(&other.id).await.unwrap().is_none(),
            "{}: nothing half-written",
            db.name
        );
    }
}

#[tokio::test]
async fn concurrent_duplicates_store_one_copy() {
    for db in common::backends().await {
        let case = new_case("530402001001", Some("hh1"), "2025-09-30");
        let mut tasks = Vec::new();
        for _ in 0..16 {
            let s = db.store.clone();
            let case = case.clone();
            tasks.push(tokio::spawn(async move {
                let c = claim(&case.id, "dev9", 7);
                s.write_case(
                    Some(&c),
                    &CaseWrite::Create(case),
                    &entry("hh1", Role::Household, "report"),
                )
                .await
                .unwrap()
            }));
        }
        let mut stored = 0;
        for t in tasks {
            if matches!(t.await.unwrap(), WriteOutcome::Stored(_)) {
                stored += 1;
            }
        }
        assert_eq!(stored, 1, "{}", db.name);
        assert_eq!(db.store.history(&case.id).await.unwrap().len(), 1, "{}", db.name);
    }
}

#[tokio::test]
async fn stale_versions_are_refused_and_history_chains() {
    for db in common::backends().await {
        let s = &db.store;
        let case = new_case("530402001001", None, "2025-09-30");
        s.write_case(
            None,
            &CaseWrite::Create(case.clone()),
            &entry("c1", Role::VillageCadre, "open"),
        )
        .await
        .unwrap();
        let verified = after_verification(&case, true, "2025-10-09");
        let update = as_update(&case, verified.clone());
        s.write_case(None, &update, &entry("c1", Role::VillageCadre, "verify"))
            .await
            .unwrap();
        // A second writer that read version 0 is too late.
        let late = s
            .write_case(None, &update, &entry("c2", Role::WorkTeam, "verify"))
            .await;
        assert!(matches!(late, Err(StoreError::Stale)), "{}", db.name);
        let missing = CaseWrite::Update {
            case_id: "nope".into(),
            expected_version: 0,
            state: verified,
        };
        assert!(matches!(
            s.write_case(None, &missing, &entry("c1", Role::VillageCadre, "x"))
                .await,
            Err(StoreError::NotFound)
        ));
        let stored = s.case(&case.id).await.unwrap().unwrap();
        assert_eq!(stored.state.version, 1);
        let history = s.history(&case.id).await.unwrap();
        assert_eq!(history.len(), 2, "{}", db.name);
        assert_eq!(zaofaxian_server::audit::verify_chain(&history), Ok(()), "{}", db.name);
    }
}

#[tokio::test]
async fn history_is_append_only_in_the_database() {
    for db in common::backends().await {
        let case = new_case("530402001001", None, "2025-09-30");
        db.store
            .write_case(
                None,
                &CaseWrite::Create(case.clone()),
                &entry("c1", Role::VillageCadre, "open"),
            )
            .await
            .unwrap();
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        let tamper = sqlx::query("UPDATE case_events SET actor_account = 'x' WHERE case_id = $1")
            .bind(&case.id)
            .execute(&pool)
            .await;
        assert!(tamper.is_err(), "{}: update must be refused", db.name);
        let delete = sqlx::query("DELETE FROM case_events WHERE case_id = $1")
            .bind(&case.id)
            .execute(&pool)
            .await;
        assert!(delete.is_err(), "{}: delete must be refused", db.name);
    }
}

#[tokio::test]
async fn lists_and_pulls_are_scoped() {
    for db in common::backends().await {
        let s = &db.store;
        let mine = new_case("530402001001", Some("hh1"), "2025-09-30");
        let neighbour = new_case("530402001002", Some("hh2"), "2025-11-03");
        let other_township = new_case("530402002001", None, "2025-11-03");
        for c in [&mine, &neighbour, &other_township] {
            s.write_case(
                None,
                &CaseWrite::Create(c.clone()),
                &entry("x", Role::Household, "report"),
            )
            .await
            .unwrap();
        }
        let ids = |v: Vec<CaseRecord>| v.into_iter().map(|c| c.id).collect::<Vec<_>>();
        let township = Scope::Within(code("530402001000"));
        // Earliest due date first.
        assert_eq!(
            ids(s.cases(&CaseFilter::scope(township.clone())).await.unwrap()),
            [mine.id.clone(), neighbour.id.clone()]
        );
        assert_eq!(
            ids(s.cases(&CaseFilter::scope(Scope::Owner("hh2".into()))).await.unwrap()),
            vec![neighbour.id.clone()]
        );
        let village = Scope::Within(code("530402001001"));
        let (page, cursor) = s.changes_since(0, &village, 100).await.unwrap();
        assert_eq!(ids(page), vec![mine.id.clone()], "{}", db.name);
        let (page, cursor2) = s.changes_since(cursor, &village, 100).await.unwrap();
        assert!(page.is_empty());
        assert_eq!(cursor2, cursor);
        // Paging: one case at a time across the township.
        let (p1, c1) = s.changes_since(0, &township, 1).await.unwrap();
        let (p2, _) = s.changes_since(c1, &township, 1).await.unwrap();
        assert_eq!(
            ids(p1).into_iter().chain(ids(p2)).collect::<Vec<_>>(),
            [mine.id.clone(), neighbour.id.clone()]
        );
    }
}

/// The board's row follows its case in the case's own transaction: written on
/// opening, replaced on each step, gone when the case closes; and rows missing for
/// cases opened before the board table are filled in at start without overwriting
/// a newer one.
#[tokio::test]
async fn board_rows_follow_their_cases() {
    for db in common::backends().await {
        let s = &db.store;
        let name = db.name;
        let area = BoardFilter {
            area: code("530402001000"),
            stage: None,
            channel: None,
            category: None,
        };
        let mut case = new_case("530402001001", None, "2025-09-30");
        case.report = serde_json::json!({ "hardship": "illness", "household_name": "王秀英",
                                          "national_id": "11010519491231002X" });
        let closing = new_case("530402001002", None, "2025-11-03");
        for c in [&case, &closing] {
            s.write_case(
                None,
                &CaseWrite::Create(c.clone()),
                &entry("c1", Role::VillageCadre, "open"),
            )
            .await
            .unwrap();
        }
        let rows = s.board_rows(&area, None, None).await.unwrap();
        assert_eq!(rows.len(), 2, "{name}");
        let row = &rows[0];
        assert_eq!(row.case_id, case.id, "{name}: earliest due first");
        assert_eq!(row.household_name, "王秀英");
        assert_eq!(
            row.masked_id.as_deref(),
            Some("110105********002X"),
            "{name}: masked, never whole"
        );
        assert_eq!((row.stage, row.version), (case.state.stage, 0));
        assert_eq!(row.deadline, case.state.deadline, "{name}");

        // A step replaces the row; closing deletes it.
        let verified = after_verification(&case, true, "2025-10-09");
        s.write_case(
            None,
            &as_update(&case, verified.clone()),
            &entry("c1", Role::VillageCadre, "verify"),
        )
        .await
        .unwrap();
        let closed = after_verification(&closing, false, "2025-11-04");
        assert!(closed.stage.is_closed());
        let close = as_update(&closing, closed);
        s.write_case(None, &close, &entry("c1", Role::VillageCadre, "verify"))
            .await
            .unwrap();
        let rows = s.board_rows(&area, None, None).await.unwrap();
        assert_eq!(rows.len(), 1, "{name}: a closed case leaves the board");
        assert_eq!((rows[0].stage, rows[0].version), (verified.stage, 1), "{name}");
        assert_eq!(rows[0].deadline, verified.deadline);
        let counts = s
            .village_counts(&area, "2025-10-09".parse().unwrap(), "2025-10-08".parse().unwrap())
            .await
            .unwrap();
        assert_eq!(counts.iter().map(|c| c.open).sum::<i64>(), 1, "{name}");

        // An older database: the row is missing until the server starts again.
        let pool = sqlx::AnyPool::connect(&db.url).await.unwrap();
        sqlx::query("DELETE FROM board_rows").execute(&pool).await.unwrap();
        assert!(s.board_rows(&area, None, None).await.unwrap().is_empty());
        s.migrate().await.unwrap();
        let filled = s.board_rows(&area, None, None).await.unwrap();
        assert_eq!(filled, rows, "{name}: filled in from the case as it stands");
        // Filling never overwrites a row that is there (another process's, newer).
        sqlx::query("UPDATE board_rows SET photos_missing = 99")
            .execute(&pool)
            .await
            .unwrap();
        s.migrate().await.unwrap();
        assert_eq!(
            s.board_rows(&area, None, None).await.unwrap()[0].photos_missing,
            99,
            "{name}"
        );
        pool.close().await;
    }
}

/// Writes arriving together (on SQLite, committed together by the write lane, each in
/// a savepoint): every one gets its own outcome, and a refused one leaves nothing
/// behind, not even its record's claim, while the others it shared a commit with stay.
#[tokio::test]
async fn writes_arriving_together_keep_their_own_outcomes() {
    use zaofaxian_server::limits::LimitPolicy;
    for db in common::backends().await {
        let s = &db.store;
        let quota = vec![("reports:hh-q".to_string(), LimitPolicy::fixed(1, 86_400_000))];
        let taken = new_case("530402001001", Some("hh1"), "2025-09-30");
        s.write_case(
            Some(&claim(&taken.id, "dev-seq", 1)),
            &CaseWrite::Create(taken.clone()),
            &entry("hh1", Role::Household, "report"),
        )
        .await
        .unwrap();
        let moved_on = new_case("530402001001", None, "2025-09-30");
        s.write_case(
            None,
            &CaseWrite::Create(moved_on.clone()),
            &entry("c1", Role::VillageCadre, "report"),
        )
        .await
        .unwrap();
        s.write_case(
            None,
            &as_update(&moved_on, after_verification(&moved_on, true, "2025-10-01")),
            &entry("c1", Role::VillageCadre, "verify"),
        )
        .await
        .unwrap();

        // 24 plain reports, 3 against a quota of one, a reused device number and a
        // stale step, all at once.
        let plain: Vec<CaseRecord> = (0..24)
            .map(|_| new_case("530402001002", Some("hh1"), "2025-09-30"))
            .collect();
        let quoted: Vec<CaseRecord> = (0..3)
            .map(|_| new_case("530402001003", Some("hh1"), "2025-09-30"))
            .collect();
        let reused = new_case("530402001001", Some("hh1"), "2025-09-30");
        let mut tasks = Vec::new();
        for (i, c) in plain.iter().chain(&quoted).chain([&reused]).enumerate() {
            let (s, c, limits) = (
                s.clone(),
                c.clone(),
                if quoted.iter().any(|q| q.id == c.id) {
                    quota.clone()
                } else {
                    vec![]
                },
            );
            let seq = if c.id == reused.id { 1 } else { 100 + i as i64 };
            let device = if c.id == reused.id { "dev-seq" } else { "dev-many" };
            tasks.push(tokio::spawn(async move {
                let cl = claim(&c.id, device, seq);
                (
                    c.id.clone(),
                    s.write_case_within(
                        Some(&cl),
                        &CaseWrite::Create(c),
                        &entry("hh1", Role::Household, "report"),
                        &limits,
                    )
                    .await,
                )
            }));
        }
        let (s2, stale) = (
            s.clone(),
            as_update(&moved_on, after_verification(&moved_on, false, "2025-10-01")),
        );
        tasks.push(tokio::spawn(async move {
            (
                String::from("stale"),
                s2.write_case(None, &stale, &entry("c1", Role::VillageCadre, "verify"))
                    .await,
            )
        }));
        let mut outcomes = std::collections::HashMap::new();
        for t in tasks {
            let (id, r) = t.await.unwrap();
            outcomes.insert(id, r);
        }
        for c in &plain {
            assert!(
                matches!(outcomes[&c.id], Ok(WriteOutcome::Stored(_))),
                "{}: {:?}",
                db.name,
                outcomes[&c.id]
            );
            assert_eq!(s.history(&c.id).await.unwrap().len(), 1, "{}", db.name);
        }
        let quota_stored: Vec<&CaseRecord> = quoted
            .iter()
            .filter(|c| matches!(outcomes[&c.id], Ok(WriteOutcome::Stored(_))))
            .collect();
        assert_eq!(quota_stored.len(), 1, "{}: one report within the quota", db.name);
        assert!(
            matches!(outcomes[&reused.id], Err(StoreError::SeqReused)),
            "{}: {:?}",
            db.name,
            outcomes[&reused.id]
        );
        assert!(
            matches!(outcomes["stale"], Err(StoreError::Stale)),
            "{}: {:?}",
            db.name,
            outcomes["stale"]
        );

        // The refused left nothing: no case, no history, no board row, no claim.
        let refused: Vec<&CaseRecord> = quoted
            .iter()
            .filter(|c| !quota_stored.iter().any(|k| k.id == c.id))
            .chain([&reused])
            .collect();
        for c in &refused {
            assert!(s.case(&c.id).await.unwrap().is_none(), "{}", db.name);
            assert!(s.history(&c.id).await.unwrap().is_empty(), "{}", db.name);
            assert!(
                s.replay_answer(&c.id).await.unwrap().is_none(),
                "{}: claim undone",
                db.name
            );
        }
        assert_eq!(
            s.case(&moved_on.id).await.unwrap().unwrap().state.version,
            moved_on.state.version + 1,
            "{}",
            db.name
        );
        let area = BoardFilter {
            area: code("530402001000"),
            stage: None,
            channel: None,
            category: None,
        };
        let board = s.board_rows(&area, None, None).await.unwrap();
        assert_eq!(
            board.len(),
            2 + plain.len() + 1,
            "{}: rows for the stored only",
            db.name
        );
        // The quota counted the one stored report only: a refused one's later retry,
        // without the quota, is stored as new (its claim had been undone).
        let again = s
            .write_case(
                Some(&claim(&refused[0].id, "dev-many", 999)),
                &CaseWrite::Create(refused[0].clone()),
                &entry("hh1", Role::Household, "report"),
            )
            .await
            .unwrap();
        assert!(matches!(again, WriteOutcome::Stored(_)), "{}", db.name);
        assert!(
            matches!(
                s.limit_attempts(&quota, chrono::Utc::now().timestamp_millis())
                    .await
                    .unwrap(),
                Err((0, _))
            ),
            "{}: the quota holds its one report",
            db.name
        );
    }
}
