//! The event log under concurrent writers: a reader sees every committed change exactly once
//! and in order, while writers of two events go on without waiting for each other.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use ketnoi_domain::event::EventSlug;
use ketnoi_domain::log::Change;
use ketnoi_domain::rules::Priority;
use ketnoi_store::entity::event_log;
use ketnoi_store::testing::TestDatabase;
use ketnoi_store::{Event, LogPosition, NewEvent, OrganizationQuery, Store};
use sea_orm::{ConnectionTrait, DbBackend, EntityTrait, Statement, TransactionTrait};

const STARTUPS_PER_EVENT: usize = 4;
const INVESTORS_PER_EVENT: usize = 5;

/// An event with its own startups and investors, all new.
async fn event_with_participants(store: &Store, slug: &str) -> (Event, Vec<i64>, Vec<i64>) {
    let startups: String =
        (0..STARTUPS_PER_EVENT).map(|i| format!("Startup {slug} {i},agritech,seed,VN,,,,,,,,\n")).collect();
    let investors: String =
        (0..INVESTORS_PER_EVENT).map(|i| format!("Investor {slug} {i},vc,agritech,seed,,,,VN,,,\n")).collect();
    let startups = format!(
        "name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description\n{startups}"
    );
    let investors = format!(
        "name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis\n{investors}"
    );
    let new = NewEvent::from_slug(EventSlug::parse(slug).expect("slug"));
    store
        .import_csv(
            &new,
            Some(("startups", startups.as_bytes())),
            Some(("investors", investors.as_bytes())),
            2026,
            &(),
            true,
        )
        .await
        .expect("import");
    let event = store.event(&new.slug).await.expect("event");
    let ids = |kind| async move {
        let query = OrganizationQuery { event_id: Some(event.id), kind: Some(kind), limit: 100, ..Default::default() };
        store.organizations(&query).await.expect("list").items.into_iter().map(|o| o.id).collect::<Vec<i64>>()
    };
    let startups = ids(ketnoi_domain::profile::OrgKind::Startup).await;
    let investors = ids(ketnoi_domain::profile::OrgKind::Investor).await;
    (event, startups, investors)
}

/// The log's end once every row committed so far can be read: on PostgreSQL an open
/// transaction of another test of the cluster may hold rows back for a while.
async fn settled(store: &Store) -> LogPosition {
    let tail = store.log_tail().await.expect("tail");
    for _ in 0..2000 {
        if store.log_head().await.expect("head") >= tail {
            return tail;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the log did not settle up to {tail}");
}

#[tokio::test]
async fn every_committed_change_is_read_once_and_in_order_while_two_events_are_written() {
    let db = TestDatabase::new().await;
    let store = Store::connect(db.url()).await.expect("connect");
    store.migrate().await.expect("migrate");
    let a = event_with_participants(&store, "log-event-a").await;
    let b = event_with_participants(&store, "log-event-b").await;
    let start = settled(&store).await;

    // A reader follows the log while every startup of both events asks every investor of its
    // event, each startup in a task of its own.
    let done = Arc::new(tokio::sync::Notify::new());
    let reader = {
        let (store, done) = (store.clone(), Arc::clone(&done));
        tokio::spawn(async move {
            let mut seen = Vec::new();
            let mut position = start;
            // Once the writers are done: the last row they committed, to read up to.
            let mut tail = None;
            loop {
                let batch = store.log_after(position, 7).await.expect("read the log");
                for entry in &batch {
                    assert!(entry.position > position, "{} came after {position}", entry.position);
                    position = entry.position;
                }
                let empty = batch.is_empty();
                seen.extend(batch);
                if tail.is_some_and(|tail| position >= tail) {
                    return seen;
                }
                if empty {
                    tokio::select! {
                        () = done.notified(), if tail.is_none() => {
                            tail = Some(store.log_tail().await.expect("tail"));
                        }
                        () = tokio::time::sleep(Duration::from_millis(5)) => {}
                    }
                }
            }
        })
    };
    let mut writers = Vec::new();
    for (event, startups, investors) in [a.clone(), b.clone()] {
        for startup in startups {
            let (store, event, investors) = (store.clone(), event.clone(), investors.clone());
            writers.push(tokio::spawn(async move {
                for investor in investors {
                    store
                        .create_request(&event, startup, investor, "", Priority::LOWEST)
                        .await
                        .expect("send a request");
                }
            }));
        }
    }
    for writer in writers {
        writer.await.expect("writer");
    }
    done.notify_one();
    let seen = reader.await.expect("reader");

    // Exactly what was committed, each once: the log's rows after the start, all requests.
    let expected = 2 * STARTUPS_PER_EVENT * INVESTORS_PER_EVENT;
    assert_eq!(seen.len(), expected);
    let ids: BTreeSet<i64> = seen.iter().map(|entry| entry.position.id).collect();
    assert_eq!(ids.len(), expected, "no row read twice");
    let stored: BTreeSet<i64> = event_log::Entity::find()
        .all(store.connection())
        .await
        .expect("rows")
        .into_iter()
        .filter(|row| LogPosition { tx: row.tx, id: row.id } > start)
        .map(|row| row.id)
        .collect();
    assert_eq!(ids, stored, "every committed row read");
    let mut per_event: HashMap<Option<i64>, usize> = HashMap::new();
    for entry in &seen {
        assert!(matches!(entry.change, Change::RequestSent { .. }), "{:?}", entry.change);
        *per_event.entry(entry.event_id).or_default() += 1;
    }
    assert_eq!(per_event[&Some(a.0.id)], expected / 2);
    assert_eq!(per_event[&Some(b.0.id)], expected / 2);
}

/// On PostgreSQL, a transaction of event A that is still open does not stop a writer of event
/// B (no global lock), and the reader waits for it instead of skipping past it: the row it
/// commits late is read, in its place, before B's.
#[tokio::test]
async fn an_open_transaction_holds_readers_back_but_not_writers_of_other_events() {
    let db = TestDatabase::new().await;
    if !db.is_postgres() {
        eprintln!("SQLite has one writer at a time: checked on PostgreSQL only");
        return;
    }
    let store = Store::connect(db.url()).await.expect("connect");
    store.migrate().await.expect("migrate");
    let (_, _, _) = event_with_participants(&store, "log-event-a").await;
    let (b, b_startups, b_investors) = event_with_participants(&store, "log-event-b").await;
    let start = settled(&store).await;

    // A's writer: a transaction that has written to the log and stays open.
    let open = store.connection().begin().await.expect("begin");
    open.execute_raw(Statement::from_string(
        DbBackend::Postgres,
        "INSERT INTO event_log (tx, event_id, kind, payload, created_at) \
         VALUES (pg_current_xact_id()::text::bigint, NULL, 'organization-changed', \
         '{\"type\":\"organization-changed\",\"organization\":1}', 0)",
    ))
    .await
    .expect("write in the open transaction");

    // B's writer commits meanwhile, without waiting for A.
    let sent = tokio::time::timeout(
        Duration::from_secs(10),
        store.create_request(&b, b_startups[0], b_investors[0], "", Priority::LOWEST),
    )
    .await
    .expect("a writer of another event does not wait")
    .expect("request");
    assert!(sent.id > 0);
    // The reader sees nothing yet: B's row sits after A's, which may still commit.
    assert_eq!(store.log_after(start, 100).await.expect("read"), Vec::new(), "B's row waits for A's transaction");

    open.commit().await.expect("commit A");
    let tail = store.log_tail().await.expect("tail");
    let mut seen = Vec::new();
    for _ in 0..2000 {
        seen = store.log_after(start, 100).await.expect("read");
        if seen.last().is_some_and(|entry| entry.position >= tail) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let kinds: Vec<&str> = seen.iter().map(|entry| entry.change.kind()).collect();
    assert_eq!(kinds, ["organization-changed", "request-sent"], "A's row first, then B's");
}
