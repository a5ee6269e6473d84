//! The migration set: every table is reachable through its entity, the database keeps the
//! invariants (one pending request per pair, no double booking), and down/up round-trips.

use ketnoi_migrations::Migrator;
use ketnoi_store::entity::{
    event_log, event_sessions, events, meeting_requests, meetings, organizations, participations, slots,
    unavailable_slots, users,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::NotSet, ColumnTrait, Database, DatabaseConnection, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, Set, SqlErr,
};
use sea_orm_migration::{MigratorTrait, SchemaManager};

use ketnoi_store::Store;
use ketnoi_store::testing::TestDatabase;

const TABLES: [&str; 10] = [
    "events",
    "event_sessions",
    "slots",
    "organizations",
    "users",
    "participations",
    "unavailable_slots",
    "meeting_requests",
    "meetings",
    "event_log",
];

const T0: i64 = 1_764_230_400; // 2025-11-27T08:00:00Z

/// A row of the event log telling that `organization` changed.
fn log_row(organization: i64) -> event_log::ActiveModel {
    event_log::ActiveModel {
        tx: Set(0),
        event_id: Set(None),
        kind: Set("organization-changed".to_owned()),
        payload: Set(format!("{{\"type\":\"organization-changed\",\"organization\":{organization}}}")),
        created_at: Set(T0),
        ..Default::default()
    }
}

#[tokio::test]
async fn migrations_build_the_schema_and_its_invariants() {
    let db = TestDatabase::new().await;
    let store = Store::connect(db.url()).await.expect("connect");
    let conn = store.connection();
    // The migrator on a connection of its own (sea-orm opens one to SQLite unless told), as
    // `Store::migrate` runs it: a migration that drops and re-creates an index must not find
    // the pool's other connections on an older schema.
    let migrator = Database::connect(db.url()).await.expect("connect the migrator");

    Migrator::up(&migrator, None).await.expect("migrate up");
    assert_tables(conn, true).await;
    exercise_schema(conn).await;

    // A second connection made from the URL reaches the same database (schema, on PostgreSQL).
    let again = Database::connect(db.url()).await.expect("connect through the test URL");
    log_row(1).insert(&again).await.expect("insert through the URL");
    again.close().await.expect("close");
    assert_eq!(event_log::Entity::find().count(conn).await.expect("count log"), 1);

    Migrator::down(&migrator, None).await.expect("migrate down");
    assert_tables(conn, false).await;

    Migrator::up(&migrator, None).await.expect("migrate up again");
    assert_tables(conn, true).await;
    exercise_schema(conn).await;

    eprintln!("migrations checked on {}", if db.is_postgres() { "PostgreSQL" } else { "SQLite" });
}

async fn assert_tables(conn: &DatabaseConnection, present: bool) {
    let manager = SchemaManager::new(conn);
    for table in TABLES {
        assert_eq!(manager.has_table(table).await.expect("has_table"), present, "table {table}");
    }
}

fn assert_unique_violation<T: std::fmt::Debug>(result: Result<T, DbErr>, what: &str) {
    match result {
        Err(error) => assert!(
            matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))),
            "{what}: expected a unique violation, got {error:?}"
        ),
        Ok(row) => panic!("{what}: expected a unique violation, inserted {row:?}"),
    }
}

/// Inserts and reads one row of every table, then checks the constraints.
async fn exercise_schema(conn: &DatabaseConnection) {
    let event = events::ActiveModel {
        slug: Set("techfest-haiphong-2026".to_owned()),
        name: Set("Techfest Hải Phòng".to_owned()),
        time_zone: Set("Asia/Ho_Chi_Minh".to_owned()),
        status: Set("open".to_owned()),
        created_at: Set(T0),
        updated_at: Set(T0),
        ..Default::default()
    }
    .insert(conn)
    .await
    .expect("insert event");
    // Column defaults come from the database.
    assert_eq!(event.venue, "");
    assert_eq!(event.base_currency, "USD");
    assert_eq!(event.currency_rates, "{}");
    assert_eq!(events::Entity::find_by_id(event.id).one(conn).await.expect("read event"), Some(event.clone()));
    assert_unique_violation(
        events::ActiveModel {
            id: NotSet,
            slug: Set(event.slug.clone()),
            name: Set("dup".to_owned()),
            time_zone: Set("UTC".to_owned()),
            status: Set("draft".to_owned()),
            created_at: Set(T0),
            updated_at: Set(T0),
            ..Default::default()
        }
        .insert(conn)
        .await,
        "duplicate event slug",
    );

    let session = event_sessions::ActiveModel {
        event_id: Set(event.id),
        name: Set("Day 1".to_owned()),
        starts_at: Set(T0),
        ends_at: Set(T0 + 3 * 3600),
        slot_minutes: Set(20),
        tables: Set(10),
        ..Default::default()
    }
    .insert(conn)
    .await
    .expect("insert session");
    assert_eq!(
        event_sessions::Entity::find_by_id(session.id).one(conn).await.expect("read session"),
        Some(session.clone())
    );

    let new_slot = |code: &str, starts_at: i64| slots::ActiveModel {
        event_id: Set(event.id),
        session_id: Set(session.id),
        code: Set(code.to_owned()),
        starts_at: Set(starts_at),
        ends_at: Set(starts_at + 1200),
        tables: Set(10),
        ..Default::default()
    };
    let slot = new_slot("d1-0800", T0).insert(conn).await.expect("insert slot");
    let spare_slot = new_slot("d1-0820", T0 + 1200).insert(conn).await.expect("insert second slot");
    assert_eq!(slots::Entity::find_by_id(slot.id).one(conn).await.expect("read slot"), Some(slot.clone()));
    assert_unique_violation(new_slot("d1-0800", T0).insert(conn).await, "duplicate slot code");

    let new_org = |kind: &str, name: &str, email: Option<&str>| organizations::ActiveModel {
        kind: Set(kind.to_owned()),
        name: Set(name.to_owned()),
        name_key: Set(name.to_lowercase()),
        email: Set(email.map(str::to_owned)),
        created_at: Set(T0),
        updated_at: Set(T0),
        ..Default::default()
    };
    let startup = organizations::ActiveModel {
        sectors: Set(";fintech;agritech;".to_owned()),
        country: Set("VN".to_owned()),
        stage: Set(Some("seed".to_owned())),
        funding_ask: Set(Some(500_000)),
        funding_currency: Set(Some("USD".to_owned())),
        founded: Set(Some(2023)),
        team_size: Set(Some(12)),
        ..new_org("startup", "Nông Sản Số", Some("hello@nongsanso.vn"))
    }
    .insert(conn)
    .await
    .expect("insert startup");
    assert!(!startup.funding_private);
    assert_eq!(startup.thesis, "");
    assert_eq!(organizations::Entity::find_by_id(startup.id).one(conn).await.expect("read org"), Some(startup.clone()));
    let other_startup = new_org("startup", "Second Startup", None).insert(conn).await.expect("insert startup 2");
    let investor = organizations::ActiveModel {
        investor_type: Set(Some("vc".to_owned())),
        stages: Set(";seed;series_a;".to_owned()),
        ticket_min: Set(Some(100_000)),
        ticket_max: Set(Some(2_000_000)),
        ticket_currency: Set(Some("USD".to_owned())),
        countries: Set(";VN;SG;".to_owned()),
        ..new_org("investor", "Mekong Ventures", Some("deals@mekong.vc"))
    }
    .insert(conn)
    .await
    .expect("insert investor");
    let other_investor = new_org("investor", "Second Fund", None).insert(conn).await.expect("insert investor 2");
    // Emails are unique, but any number of organizations may have none.
    assert_unique_violation(
        new_org("startup", "Copy", Some("hello@nongsanso.vn")).insert(conn).await,
        "duplicate email",
    );
    let matching = organizations::Entity::find()
        .filter(organizations::Column::Sectors.like("%;fintech;%"))
        .all(conn)
        .await
        .expect("filter by sector");
    assert_eq!(matching.iter().map(|org| org.id).collect::<Vec<_>>(), [startup.id]);

    let user = users::ActiveModel {
        email: Set("founder@nongsanso.vn".to_owned()),
        password_hash: Set("$argon2id$stub".to_owned()),
        role: Set("member".to_owned()),
        organization_id: Set(Some(startup.id)),
        created_at: Set(T0),
        updated_at: Set(T0),
        ..Default::default()
    }
    .insert(conn)
    .await
    .expect("insert user");
    assert_eq!(user.display_name, "");
    assert!(!user.disabled);
    assert_eq!(users::Entity::find_by_id(user.id).one(conn).await.expect("read user"), Some(user.clone()));

    let participate = |organization_id: i64| participations::ActiveModel {
        event_id: Set(event.id),
        organization_id: Set(organization_id),
        created_at: Set(T0),
        ..Default::default()
    };
    let participation = participate(startup.id).insert(conn).await.expect("insert participation");
    for org in [&other_startup, &investor, &other_investor] {
        participate(org.id).insert(conn).await.expect("insert participation");
    }
    assert_eq!(
        participations::Entity::find_by_id(participation.id).one(conn).await.expect("read participation"),
        Some(participation.clone())
    );
    assert_unique_violation(participate(startup.id).insert(conn).await, "duplicate participation");

    let unavailable =
        unavailable_slots::ActiveModel { participation_id: Set(participation.id), slot_id: Set(spare_slot.id) }
            .insert(conn)
            .await
            .expect("insert unavailable slot");
    assert_eq!(
        unavailable_slots::Entity::find_by_id((participation.id, spare_slot.id)).one(conn).await.expect("read"),
        Some(unavailable.clone())
    );
    assert_unique_violation(
        unavailable_slots::ActiveModel { participation_id: Set(participation.id), slot_id: Set(spare_slot.id) }
            .insert(conn)
            .await,
        "duplicate unavailable slot",
    );

    let request = |requester: i64, recipient: i64, status: &str| meeting_requests::ActiveModel {
        event_id: Set(event.id),
        requester_id: Set(requester),
        recipient_id: Set(recipient),
        pair_low: Set(requester.min(recipient)),
        pair_high: Set(requester.max(recipient)),
        status: Set(status.to_owned()),
        created_at: Set(T0),
        updated_at: Set(T0),
        ..Default::default()
    };
    let pending = request(startup.id, investor.id, "pending").insert(conn).await.expect("insert request");
    assert_eq!((pending.message.as_str(), pending.note.as_str(), pending.priority), ("", "", 0));
    assert_eq!(pending.expires_at, None);
    assert_eq!(
        meeting_requests::Entity::find_by_id(pending.id).one(conn).await.expect("read request"),
        Some(pending.clone())
    );
    // The same pair, asked from the other side, while the first is pending.
    assert_unique_violation(
        request(investor.id, startup.id, "pending").insert(conn).await,
        "second pending request for the pair",
    );
    // Settled requests for the pair do not count.
    request(investor.id, startup.id, "declined").insert(conn).await.expect("declined request for the same pair");
    // Nobody asks themselves.
    assert!(request(startup.id, startup.id, "pending").insert(conn).await.is_err(), "self request");

    let accepted = |requester: i64, recipient: i64| request(requester, recipient, "accepted");
    let request_a = accepted(startup.id, other_investor.id).insert(conn).await.expect("insert request");
    let request_b = accepted(other_startup.id, investor.id).insert(conn).await.expect("insert request");
    let request_c = accepted(other_startup.id, other_investor.id).insert(conn).await.expect("insert request");

    let meeting =
        |request: &meeting_requests::Model, startup_id: i64, investor_id: i64, table: i32| meetings::ActiveModel {
            event_id: Set(event.id),
            request_id: Set(request.id),
            startup_id: Set(startup_id),
            investor_id: Set(investor_id),
            slot_id: Set(Some(slot.id)),
            table_no: Set(Some(table)),
            status: Set("scheduled".to_owned()),
            created_at: Set(T0),
            updated_at: Set(T0),
            ..Default::default()
        };
    let placed = meeting(&pending, startup.id, investor.id, 1).insert(conn).await.expect("insert meeting");
    assert!(!placed.pinned);
    assert_eq!(placed.startup_outcome, None);
    assert_eq!(meetings::Entity::find_by_id(placed.id).one(conn).await.expect("read meeting"), Some(placed.clone()));

    // Same slot, same startup (another investor, another table).
    assert_unique_violation(
        meeting(&request_a, startup.id, other_investor.id, 2).insert(conn).await,
        "startup twice in a slot",
    );
    // Same slot, same investor.
    assert_unique_violation(
        meeting(&request_b, other_startup.id, investor.id, 3).insert(conn).await,
        "investor twice in a slot",
    );
    // Same slot, same table, nobody in common.
    assert_unique_violation(
        meeting(&request_c, other_startup.id, other_investor.id, 1).insert(conn).await,
        "table twice in a slot",
    );
    // One meeting per request.
    assert_unique_violation(
        meetings::ActiveModel {
            slot_id: Set(None),
            table_no: Set(None),
            ..meeting(&pending, startup.id, investor.id, 1)
        }
        .insert(conn)
        .await,
        "second meeting for a request",
    );
    // Table numbers start at 1.
    assert!(meeting(&request_c, other_startup.id, other_investor.id, 0).insert(conn).await.is_err(), "table 0");

    // A cancelled meeting collides with nothing: same slot, startup and table.
    let cancelled = meetings::ActiveModel {
        status: Set("cancelled".to_owned()),
        ..meeting(&request_a, startup.id, other_investor.id, 1)
    }
    .insert(conn)
    .await
    .expect("a cancelled meeting does not collide");
    // Unscheduled meetings (no slot, no table) never collide.
    let unscheduled = |request: &meeting_requests::Model| meetings::ActiveModel {
        slot_id: Set(None),
        table_no: Set(None),
        ..meeting(request, other_startup.id, other_investor.id, 1)
    };
    unscheduled(&request_c).insert(conn).await.expect("unscheduled meeting");
    unscheduled(&request_b).insert(conn).await.expect("second unscheduled meeting for the same pair of orgs");

    let logged = log_row(startup.id).insert(conn).await.expect("insert a log row");
    let later = log_row(987_654).insert(conn).await.expect("log rows need no live organization");
    assert!(later.id > logged.id);
    assert_eq!(event_log::Entity::find_by_id(logged.id).one(conn).await.expect("read log"), Some(logged));

    // Deleting a slot unschedules its meetings instead of deleting them.
    slots::Entity::delete_by_id(slot.id).exec(conn).await.expect("delete slot");
    let unplaced = meetings::Entity::find_by_id(placed.id).one(conn).await.expect("read").expect("meeting kept");
    assert_eq!(unplaced.slot_id, None);
    assert!(meetings::Entity::find_by_id(cancelled.id).one(conn).await.expect("read").is_some());

    // Deleting an organization takes its participations, requests, meetings and users along.
    organizations::Entity::delete_by_id(startup.id).exec(conn).await.expect("delete startup");
    assert_eq!(users::Entity::find_by_id(user.id).one(conn).await.expect("read"), None);
    assert_eq!(participations::Entity::find_by_id(participation.id).one(conn).await.expect("read"), None);
    assert_eq!(unavailable_slots::Entity::find().count(conn).await.expect("count"), 0);
    assert_eq!(meeting_requests::Entity::find_by_id(pending.id).one(conn).await.expect("read"), None);
    assert_eq!(meetings::Entity::find_by_id(placed.id).one(conn).await.expect("read"), None);
    assert_eq!(event_log::Entity::find().count(conn).await.expect("count"), 2, "the log outlives what it tells of");

    // Deleting the event takes everything of the event along, and leaves organizations.
    events::Entity::delete_by_id(event.id).exec(conn).await.expect("delete event");
    assert_eq!(event_sessions::Entity::find().count(conn).await.expect("count"), 0);
    assert_eq!(slots::Entity::find().count(conn).await.expect("count"), 0);
    assert_eq!(participations::Entity::find().count(conn).await.expect("count"), 0);
    assert_eq!(meeting_requests::Entity::find().count(conn).await.expect("count"), 0);
    assert_eq!(meetings::Entity::find().count(conn).await.expect("count"), 0);
    assert_eq!(organizations::Entity::find().count(conn).await.expect("count"), 3);

    // Leave the tables empty so that the next round starts from scratch.
    organizations::Entity::delete_many().exec(conn).await.expect("clear organizations");
    event_log::Entity::delete_many().exec(conn).await.expect("clear the log");
}
