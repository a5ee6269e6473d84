//! Events, import and listing through the store's API, on SQLite or PostgreSQL.

use ketnoi_domain::event::{EventSlug, techfest_sessions};
use ketnoi_domain::import::{ImportRow, parse_investors, parse_startups};
use ketnoi_domain::log::Change;
use ketnoi_domain::money::Rates;
use ketnoi_domain::profile::{OrgKind, ValidationContext};
use ketnoi_domain::taxonomy::Sector;
use ketnoi_store::testing::TestDatabase;
use ketnoi_store::{ErrorKind, ImportFile, LogPosition, NewEvent, OrganizationQuery, Store};

const STARTUPS: &str = "\
name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description
Cảng Số,logistics;maritime,seed,VN,Hải Phòng,5000000000,VND,2021,14,cangso.vn,contact@cangso.vn,Cảng số
Nông Sản Xanh,agritech;food,pre-seed,VN,Hải Phòng,,,2022,6,,,OCOP
";
const INVESTORS: &str = "\
name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis
Han River Ventures,vc,logistics,seed;series-a,100000,1000000,USD,VN;KR,,deals@hanriver.example.kr,Ports
";

/// The log after `position` once every row committed so far is settled: on PostgreSQL an open
/// transaction of another test of the cluster may hold rows back for a while.
async fn settled(store: &Store, position: LogPosition) -> Vec<ketnoi_store::LogEntry> {
    let tail = store.log_tail().await.expect("tail");
    for _ in 0..2000 {
        let entries = store.log_after(position, 100).await.expect("log");
        if entries.last().map_or(position, |e| e.position) >= tail {
            return entries;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the log did not settle up to {tail}");
}

async fn store(db: &TestDatabase) -> Store {
    let store = Store::connect(db.url()).await.expect("connect");
    store.migrate().await.expect("migrate");
    store
}

fn rows(startups: &str, investors: &str) -> Vec<ImportFile> {
    let rates = Rates::vietnam_default();
    let context = ValidationContext { current_year: 2026, rates: Some(&rates) };
    let file = |label: &str, rows: Vec<ImportRow>| ImportFile { label: label.to_owned(), rows };
    vec![
        file("startups.csv", parse_startups("startups.csv", startups.as_bytes(), &context).expect("valid startups")),
        file(
            "investors.csv",
            parse_investors("investors.csv", investors.as_bytes(), &context).expect("valid investors"),
        ),
    ]
}

fn event(slug: &str) -> NewEvent {
    NewEvent::from_slug(EventSlug::parse(slug).expect("slug"))
}

#[tokio::test]
async fn import_is_idempotent_and_writes_the_event_log() {
    let db = TestDatabase::new().await;
    let store = store(&db).await;
    let first = store.import(&event("techfest-x"), &rows(STARTUPS, INVESTORS), &()).await.expect("import");
    assert!(first.event_created);
    assert_eq!((first.created, first.updated, first.unchanged), (3, 0, 0));
    let created = settled(&store, LogPosition::START).await;
    assert_eq!(created.len(), 3);
    assert!(created.iter().all(|entry| matches!(entry.change, Change::OrganizationCreated { .. })));

    let again = store.import(&event("techfest-x"), &rows(STARTUPS, INVESTORS), &()).await.expect("import");
    assert!(!again.event_created);
    assert_eq!((again.created, again.updated, again.unchanged), (0, 0, 3));
    assert_eq!(settled(&store, LogPosition::START).await.len(), 3, "no change, no log row");

    // Matched by e-mail: a renamed organization is updated, not duplicated.
    let before = store.log_head().await.expect("head");
    assert_eq!(before, created[2].position);
    let renamed = STARTUPS.replace("Cảng Số,", "Cảng Số Hải Phòng,");
    let third = store.import(&event("techfest-x"), &rows(&renamed, INVESTORS), &()).await.expect("import");
    assert_eq!((third.created, third.updated, third.unchanged), (0, 1, 2));
    let log = settled(&store, before).await;
    assert_eq!(log.len(), 1);
    assert!(log[0].position > before);
    assert!(matches!(log[0].change, Change::OrganizationChanged { .. }));

    let all = store.organizations(&OrganizationQuery { limit: 10, ..Default::default() }).await.expect("list");
    assert_eq!(all.total, 3);
    assert_eq!(all.items[0].profile.name, "Cảng Số Hải Phòng");
}

#[tokio::test]
async fn same_organizations_join_a_second_event_without_duplicates() {
    let db = TestDatabase::new().await;
    let store = store(&db).await;
    store.import(&event("techfest-a"), &rows(STARTUPS, INVESTORS), &()).await.expect("import a");
    let second = store.import(&event("techfest-b"), &rows(STARTUPS, INVESTORS), &()).await.expect("import b");
    // Those with an e-mail are recognised; the one without is new to this event.
    assert_eq!((second.created, second.updated, second.unchanged), (1, 2, 0));
    let b = store.event(&EventSlug::parse("techfest-b").expect("slug")).await.expect("event");
    let in_b =
        store.organizations(&OrganizationQuery { event_id: Some(b.id), ..Default::default() }).await.expect("list");
    assert_eq!(in_b.total, 3);
}

#[tokio::test]
async fn a_conflicting_import_is_rolled_back_whole() {
    let db = TestDatabase::new().await;
    let store = store(&db).await;
    store.import(&event("techfest-x"), &rows(STARTUPS, INVESTORS), &()).await.expect("import");
    // The investor's e-mail now appears on a startup row: refused, and the new startup in the
    // same file is not written either.
    let startups =
        format!("{STARTUPS}Thief,ai,seed,VN,,,,,,,deals@hanriver.example.kr,\nBrand New,ai,seed,VN,,,,,,,,\n");
    let error = store.import(&event("techfest-x"), &rows(&startups, INVESTORS), &()).await.expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Invalid);
    assert!(error.to_string().contains("startups.csv:4: column email = \"deals@hanriver.example.kr\": already belongs to the investor \"Han River Ventures\""), "{error}");
    let all = store.organizations(&OrganizationQuery::default()).await.expect("list");
    assert_eq!(all.total, 3);
}

#[tokio::test]
async fn filters_and_pages() {
    let db = TestDatabase::new().await;
    let store = store(&db).await;
    store.import(&event("techfest-x"), &rows(STARTUPS, INVESTORS), &()).await.expect("import");
    let query = |q: OrganizationQuery| {
        let store = store.clone();
        async move {
            let page = store.organizations(&OrganizationQuery { limit: 10, ..q }).await.expect("list");
            (page.total, page.items.into_iter().map(|o| o.profile.name).collect::<Vec<_>>())
        }
    };
    assert_eq!(
        query(OrganizationQuery { kind: Some(OrgKind::Investor), ..Default::default() }).await.1,
        ["Han River Ventures"]
    );
    assert_eq!(query(OrganizationQuery { sector: Some(Sector::Logistics), ..Default::default() }).await.0, 2);
    assert_eq!(
        query(OrganizationQuery { name: Some("NONG SAN".into()), ..Default::default() }).await.1,
        ["Nông Sản Xanh"]
    );
    assert_eq!(query(OrganizationQuery { name: Some("_".into()), ..Default::default() }).await.0, 0);
    let page =
        store.organizations(&OrganizationQuery { limit: 1, offset: 1, ..Default::default() }).await.expect("list");
    assert_eq!((page.total, page.items.len()), (3, 1));
}

#[tokio::test]
async fn events_get_their_slots_and_refuse_duplicates() {
    let db = TestDatabase::new().await;
    let store = store(&db).await;
    let mut new = event("techfest-haiphong-2023");
    new.sessions = techfest_sessions();
    let created = store.create_event(&new).await.expect("create");
    let slots = store.slots(created.id).await.expect("slots");
    assert_eq!(slots.len(), 36);
    assert_eq!(slots[0].code, "d1-0900");
    let again = store.create_event(&new).await.expect_err("duplicate");
    assert_eq!(again.kind(), ErrorKind::Conflict);

    // Sessions can be replaced while no meeting is placed; the slots follow.
    let mut one_morning = techfest_sessions();
    one_morning.truncate(1);
    store.replace_sessions(&new.slug, &one_morning).await.expect("replace");
    assert_eq!(store.slots(created.id).await.expect("slots").len(), 9);
    one_morning[0].slot_minutes = 0;
    let error = store.replace_sessions(&new.slug, &one_morning).await.expect_err("invalid");
    assert_eq!(error.kind(), ErrorKind::Invalid);
    assert_eq!(store.slots(created.id).await.expect("slots").len(), 9, "a refused change keeps the old slots");

    let mut bad = event("bad-sessions");
    bad.sessions = techfest_sessions();
    bad.sessions[0].tables = 0;
    let error = store.create_event(&bad).await.expect_err("invalid");
    assert_eq!(error.kind(), ErrorKind::Invalid);
    assert!(store.find_event(&bad.slug).await.expect("query").is_none(), "nothing half-written");
}

#[tokio::test]
async fn users_log_in_with_their_password_only() {
    let db = TestDatabase::new().await;
    let store = store(&db).await;
    let email = ketnoi_domain::validate::Email::parse("Organiser@Example.vn").expect("email");
    let user = ketnoi_store::NewUser {
        email,
        display_name: "Organiser".into(),
        password: "correct horse battery".into(),
        role: ketnoi_store::Role::Organiser,
        organization_id: None,
        event_id: None,
        email_consent: false,
    };
    store.upsert_user(&user).await.expect("create");
    store.upsert_user(&user).await.expect("idempotent");
    assert!(store.verify_login("organiser@example.vn", "correct horse battery").await.expect("login").is_some());
    assert!(store.verify_login("organiser@example.vn", "wrong").await.expect("login").is_none());
    assert!(store.verify_login("nobody@example.vn", "correct horse battery").await.expect("login").is_none());
}

/// SQLite-only: the connection settings the store promises (WAL, foreign keys, busy timeout).
#[tokio::test]
async fn sqlite_is_opened_in_wal_with_foreign_keys_and_a_busy_timeout() {
    use sea_orm::{ConnectionTrait, DbBackend, Statement};
    let db = TestDatabase::new().await;
    if db.is_postgres() {
        return;
    }
    let store = store(&db).await;
    for (pragma, expected) in [("journal_mode", "wal"), ("foreign_keys", "1"), ("busy_timeout", "5000")] {
        let row = store
            .connection()
            .query_one_raw(Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {pragma}")))
            .await
            .expect("pragma")
            .expect("a row");
        let value =
            row.try_get_by_index::<String>(0).or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()));
        assert_eq!(value.expect("value"), expected, "PRAGMA {pragma}");
    }
}

/// Regression: a new startup and a new investor with the same name in one import were both
/// created, and re-importing could not tell them apart.
#[tokio::test]
async fn a_new_name_in_both_files_is_refused() {
    let db = TestDatabase::new().await;
    let store = store(&db).await;
    let investors = INVESTORS.replace("Han River Ventures,", "Cảng Số,").replace("deals@hanriver.example.kr", "");
    let error = store.import(&event("techfest-x"), &rows(STARTUPS, &investors), &()).await.expect_err("refused");
    assert!(
        error.to_string().contains("investors.csv:2: column name = \"Cảng Số\": same name as startups.csv:2"),
        "{error}"
    );
    assert_eq!(store.organizations(&OrganizationQuery::default()).await.expect("list").total, 0);
}

#[tokio::test]
async fn a_round_of_proposals_leaves_out_sides_another_round_took_meanwhile() {
    let db = TestDatabase::new().await;
    let store = store(&db).await;
    let startups = format!("{STARTUPS}PortLink,logistics,seed,SG,,,,2018,40,,,Port\n");
    let investors = format!("{INVESTORS}Sông Hồng Angels,angel,food,seed,,,,VN,,,Food\n");
    let mut new = event("techfest-x");
    new.sessions = techfest_sessions();
    store.create_event(&new).await.expect("create");
    let summary = store.import(&new, &rows(&startups, &investors), &()).await.expect("import");
    assert_eq!(summary.created, 5);
    let created = store.event(&new.slug).await.expect("event");
    let slot = store.slots(created.id).await.expect("slots")[0].id;
    let ids: std::collections::HashMap<String, i64> = store
        .event_participants(created.id)
        .await
        .expect("participants")
        .into_iter()
        .map(|o| (o.profile.name.clone(), o.id))
        .collect();
    let proposal = |startup: &str, investor: &str, table| ketnoi_store::NewProposal {
        table,
        startup_id: ids[startup],
        investor_id: ids[investor],
        score: 0.5,
    };
    // One round proposes Cảng Số and Han River; another, from facts read before it, wants
    // Cảng Số with Sông Hồng and PortLink with Han River: only a pair with both sides free is made.
    let first = store.add_proposals(created.id, slot, &[proposal("Cảng Số", "Han River Ventures", 1)]).await;
    assert_eq!(first.expect("first round").len(), 1);
    let second = store
        .add_proposals(
            created.id,
            slot,
            &[
                proposal("Cảng Số", "Sông Hồng Angels", 2),
                proposal("PortLink", "Han River Ventures", 2),
                proposal("Nông Sản Xanh", "Sông Hồng Angels", 3),
            ],
        )
        .await
        .expect("second round");
    let made: Vec<(i64, i64)> = second.iter().map(|p| (p.startup_id, p.investor_id)).collect();
    assert_eq!(made, vec![(ids["Nông Sản Xanh"], ids["Sông Hồng Angels"])]);
    assert_eq!(store.open_proposals(created.id, None).await.expect("open").len(), 2);
}
