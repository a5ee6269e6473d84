//! The mail outbox and what it needs: messages queued in the transaction that decides them and
//! claimed by one server at a time to be sent; each shared consumer's position in the event
//! log; mail preferences; single-use tokens sent by mail; the key that signs links.

use std::collections::HashMap;

use ketnoi_domain::i18n::Language;
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, ExprTrait, QueryFilter,
    QueryOrder, QuerySelect, Set, Statement,
};

use crate::entity::{consumer_positions, instance_settings, mail_preferences, notifications, user_tokens, users};
use crate::secrets::{hash_secret, new_secret};
use crate::{LogPosition, Result, Store, StoreError, now};

/// A message to queue, rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMail {
    /// The same key twice queues one message.
    pub dedup_key: String,
    pub user_id: Option<i64>,
    pub event_id: Option<i64>,
    pub recipient: String,
    pub language: Language,
    pub kind: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// The one-click unsubscribe address; empty for security messages.
    pub unsubscribe: String,
}

/// Where a message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MailStatus {
    Queued,
    Sent,
    Failed,
}

impl MailStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MailStatus::Queued => "queued",
            MailStatus::Sent => "sent",
            MailStatus::Failed => "failed",
        }
    }

    fn parse(text: &str) -> Result<MailStatus> {
        match text {
            "queued" => Ok(MailStatus::Queued),
            "sent" => Ok(MailStatus::Sent),
            "failed" => Ok(MailStatus::Failed),
            other => Err(StoreError::Corrupt(format!("notifications.status: {other:?}"))),
        }
    }
}

/// A queued, sent or failed message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: i64,
    pub dedup_key: String,
    pub user_id: Option<i64>,
    pub event_id: Option<i64>,
    pub recipient: String,
    pub language: Language,
    pub kind: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub unsubscribe: String,
    pub status: MailStatus,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
}

fn mail(row: notifications::Model) -> Result<Mail> {
    Ok(Mail {
        id: row.id,
        status: MailStatus::parse(&row.status)?,
        language: Language::parse(&row.language).unwrap_or_default(),
        dedup_key: row.dedup_key,
        user_id: row.user_id,
        event_id: row.event_id,
        recipient: row.recipient,
        kind: row.kind,
        subject: row.subject,
        text_body: row.text_body,
        html_body: row.html_body,
        unsubscribe: row.unsubscribe,
        attempts: u32::try_from(row.attempts).unwrap_or(0),
        next_attempt_at: row.next_attempt_at,
        sent_at: row.sent_at,
        last_error: row.last_error,
        created_at: row.created_at,
    })
}

/// A message without its text: what a listing of the outbox shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailHead {
    pub id: i64,
    pub user_id: Option<i64>,
    pub event_id: Option<i64>,
    pub recipient: String,
    pub language: Language,
    pub kind: String,
    pub subject: String,
    pub status: MailStatus,
    pub attempts: u32,
    pub next_attempt_at: i64,
    pub sent_at: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
}

impl Mail {
    /// The message without its text.
    pub fn head(&self) -> MailHead {
        MailHead {
            id: self.id,
            user_id: self.user_id,
            event_id: self.event_id,
            recipient: self.recipient.clone(),
            language: self.language,
            kind: self.kind.clone(),
            subject: self.subject.clone(),
            status: self.status,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            sent_at: self.sent_at,
            last_error: self.last_error.clone(),
            created_at: self.created_at,
        }
    }
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct HeadRow {
    id: i64,
    user_id: Option<i64>,
    event_id: Option<i64>,
    recipient: String,
    language: String,
    kind: String,
    subject: String,
    status: String,
    attempts: i32,
    next_attempt_at: i64,
    sent_at: Option<i64>,
    last_error: String,
    created_at: i64,
}

fn head(row: HeadRow) -> Result<MailHead> {
    Ok(MailHead {
        id: row.id,
        status: MailStatus::parse(&row.status)?,
        language: Language::parse(&row.language).unwrap_or_default(),
        user_id: row.user_id,
        event_id: row.event_id,
        recipient: row.recipient,
        kind: row.kind,
        subject: row.subject,
        attempts: u32::try_from(row.attempts).unwrap_or(0),
        next_attempt_at: row.next_attempt_at,
        sent_at: row.sent_at,
        last_error: row.last_error,
        created_at: row.created_at,
    })
}

/// The counts of an event's messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MailCounts {
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
}

/// Queues `mails` in the transaction `db` is; a message whose key is queued already is left
/// alone. Returns how many are new.
pub(crate) async fn enqueue(db: &impl ConnectionTrait, mails: &[NewMail]) -> Result<u64> {
    let at = now();
    let mut added = 0;
    for chunk in mails.chunks(200) {
        let rows = chunk.iter().map(|m| notifications::ActiveModel {
            dedup_key: Set(m.dedup_key.clone()),
            user_id: Set(m.user_id),
            event_id: Set(m.event_id),
            recipient: Set(m.recipient.clone()),
            language: Set(m.language.code().to_owned()),
            kind: Set(m.kind.clone()),
            subject: Set(m.subject.clone()),
            text_body: Set(m.text_body.clone()),
            html_body: Set(m.html_body.clone()),
            unsubscribe: Set(m.unsubscribe.clone()),
            status: Set(MailStatus::Queued.as_str().to_owned()),
            attempts: Set(0),
            next_attempt_at: Set(at),
            lease_until: Set(None),
            sent_at: Set(None),
            last_error: Set(String::new()),
            created_at: Set(at),
            ..Default::default()
        });
        added += notifications::Entity::insert_many(rows)
            .on_conflict(OnConflict::column(notifications::Column::DedupKey).do_nothing().to_owned())
            .exec_without_returning(db)
            .await?;
    }
    Ok(added)
}

/// What a single-use token is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenPurpose {
    PasswordReset,
    ConfirmEmail,
}

impl TokenPurpose {
    fn as_str(self) -> &'static str {
        match self {
            TokenPurpose::PasswordReset => "password-reset",
            TokenPurpose::ConfirmEmail => "confirm-email",
        }
    }
}

/// Makes a single-use token for `user_id`, valid `seconds`, in the transaction `db` is: the
/// clear value, to send, once.
pub(crate) async fn new_token(
    db: &impl ConnectionTrait,
    user_id: i64,
    purpose: TokenPurpose,
    seconds: i64,
) -> Result<String> {
    let secret = new_secret("")?;
    let at = now();
    user_tokens::ActiveModel {
        user_id: Set(user_id),
        purpose: Set(purpose.as_str().to_owned()),
        token_hash: Set(secret.hash),
        created_at: Set(at),
        expires_at: Set(at + seconds),
        used_at: Set(None),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(secret.clear)
}

/// The first halves of the PostgreSQL advisory locks of the shared consumers, by name.
const CONSUMER_LOCK: i32 = 0x6b63_6f6e; // "kcon"

impl Store {
    /// Queues `mails`, each once; returns how many are new.
    pub async fn enqueue_mail(&self, mails: &[NewMail]) -> Result<u64> {
        if mails.is_empty() {
            return Ok(0);
        }
        let txn = self.begin_write().await?;
        let added = enqueue(&txn, mails).await?;
        txn.commit().await?;
        Ok(added)
    }

    /// Takes up to `limit` messages due now for this server to send: each is leased for
    /// `lease` seconds, and no other server takes it meanwhile (on PostgreSQL rows another
    /// server is taking are skipped, `FOR UPDATE SKIP LOCKED`). Its attempt is counted.
    pub async fn claim_mail(&self, limit: u64, lease: i64) -> Result<Vec<Mail>> {
        let at = now();
        let txn = self.begin_write().await?;
        let due = Condition::all()
            .add(notifications::Column::Status.eq(MailStatus::Queued.as_str()))
            .add(notifications::Column::NextAttemptAt.lte(at))
            .add(
                Condition::any()
                    .add(notifications::Column::LeaseUntil.is_null())
                    .add(notifications::Column::LeaseUntil.lte(at)),
            );
        let mut select = notifications::Entity::find()
            .filter(due.clone())
            .order_by_asc(notifications::Column::NextAttemptAt)
            .order_by_asc(notifications::Column::Id)
            .limit(limit);
        if txn.get_database_backend() == DbBackend::Postgres {
            select = select
                .lock_with_behavior(sea_orm::sea_query::LockType::Update, sea_orm::sea_query::LockBehavior::SkipLocked);
        }
        let rows = select.all(&txn).await?;
        let ids: Vec<i64> = rows.iter().map(|row| row.id).collect();
        if !ids.is_empty() {
            notifications::Entity::update_many()
                .col_expr(notifications::Column::LeaseUntil, Expr::value(at + lease))
                .col_expr(notifications::Column::Attempts, Expr::col(notifications::Column::Attempts).add(1))
                .filter(notifications::Column::Id.is_in(ids))
                .filter(due)
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        rows.into_iter().map(|row| mail(notifications::Model { attempts: row.attempts + 1, ..row })).collect()
    }

    /// Records that messages `ids` were sent, in one statement.
    pub async fn mail_sent(&self, ids: &[i64]) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        notifications::Entity::update_many()
            .col_expr(notifications::Column::Status, Expr::value(MailStatus::Sent.as_str()))
            .col_expr(notifications::Column::SentAt, Expr::value(now()))
            .col_expr(notifications::Column::LeaseUntil, Expr::value(Option::<i64>::None))
            .col_expr(notifications::Column::LastError, Expr::value(""))
            .filter(notifications::Column::Id.is_in(ids.iter().copied()))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// Records that sending message `id` failed with `error`: tried again at `retry_at`, or
    /// failed for good when there is none.
    pub async fn mail_failed(&self, id: i64, error: &str, retry_at: Option<i64>) -> Result<()> {
        let mut update = notifications::Entity::update_many()
            .col_expr(notifications::Column::LastError, Expr::value(error))
            .col_expr(notifications::Column::LeaseUntil, Expr::value(Option::<i64>::None));
        update = match retry_at {
            Some(at) => update.col_expr(notifications::Column::NextAttemptAt, Expr::value(at)),
            None => update.col_expr(notifications::Column::Status, Expr::value(MailStatus::Failed.as_str())),
        };
        update.filter(notifications::Column::Id.eq(id)).exec(&self.db).await?;
        Ok(())
    }

    /// An event's messages (of `status` when given), newest first, at most `limit`, without
    /// their text.
    pub async fn event_mail(&self, event_id: i64, status: Option<MailStatus>, limit: u64) -> Result<Vec<MailHead>> {
        use notifications::Column as C;
        let mut select = notifications::Entity::find().filter(C::EventId.eq(event_id));
        if let Some(status) = status {
            select = select.filter(C::Status.eq(status.as_str()));
        }
        let rows = select
            .select_only()
            .columns([
                C::Id,
                C::UserId,
                C::EventId,
                C::Recipient,
                C::Language,
                C::Kind,
                C::Subject,
                C::Status,
                C::Attempts,
                C::NextAttemptAt,
                C::SentAt,
                C::LastError,
                C::CreatedAt,
            ])
            .order_by_desc(C::Id)
            .limit(limit)
            .into_model::<HeadRow>()
            .all(&self.db)
            .await?;
        rows.into_iter().map(head).collect()
    }

    /// One message, by id.
    pub async fn mail(&self, id: i64) -> Result<Mail> {
        let row = notifications::Entity::find_by_id(id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::not_found(ketnoi_domain::rules::Resource::Message))?;
        mail(row)
    }

    /// The messages to a user, newest first: for the personal data download.
    pub async fn user_mail(&self, user_id: i64) -> Result<Vec<Mail>> {
        let rows = notifications::Entity::find()
            .filter(notifications::Column::UserId.eq(user_id))
            .order_by_desc(notifications::Column::Id)
            .all(&self.db)
            .await?;
        rows.into_iter().map(mail).collect()
    }

    /// Queues a failed message of the event again, now, with its attempts counted afresh.
    pub async fn retry_mail(&self, event_id: i64, id: i64) -> Result<Mail> {
        let changed = notifications::Entity::update_many()
            .col_expr(notifications::Column::Status, Expr::value(MailStatus::Queued.as_str()))
            .col_expr(notifications::Column::NextAttemptAt, Expr::value(now()))
            .col_expr(notifications::Column::Attempts, Expr::value(0))
            .col_expr(notifications::Column::CreatedAt, Expr::value(now()))
            .filter(notifications::Column::Id.eq(id))
            .filter(notifications::Column::EventId.eq(event_id))
            .filter(notifications::Column::Status.eq(MailStatus::Failed.as_str()))
            .exec(&self.db)
            .await?;
        let current = self.mail(id).await?;
        if current.event_id != Some(event_id) {
            return Err(StoreError::not_found(ketnoi_domain::rules::Resource::Message));
        }
        if changed.rows_affected == 0 && current.status != MailStatus::Queued {
            return Err(StoreError::Duplicate);
        }
        Ok(current)
    }

    /// How many of the event's messages are queued, sent and failed.
    pub async fn mail_counts(&self, event_id: i64) -> Result<MailCounts> {
        let rows: Vec<(String, i64)> = notifications::Entity::find()
            .select_only()
            .column(notifications::Column::Status)
            .column_as(notifications::Column::Id.count(), "n")
            .filter(notifications::Column::EventId.eq(event_id))
            .group_by(notifications::Column::Status)
            .into_tuple()
            .all(&self.db)
            .await?;
        let mut counts = MailCounts::default();
        for (status, n) in rows {
            let n = u64::try_from(n).unwrap_or(0);
            match status.as_str() {
                s if s == MailStatus::Queued.as_str() => counts.queued = n,
                s if s == MailStatus::Sent.as_str() => counts.sent = n,
                s if s == MailStatus::Failed.as_str() => counts.failed = n,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// Where the shared consumer `name` has read the event log up to.
    pub async fn consumer_position(&self, name: &str) -> Result<Option<LogPosition>> {
        let row = consumer_positions::Entity::find_by_id(name.to_owned()).one(&self.db).await?;
        Ok(row.map(|row| LogPosition { tx: row.tx, id: row.position }))
    }

    /// Runs `work` as the only server consuming for `name` until it returns (on PostgreSQL a
    /// transaction holds an advisory lock; others skip their turn), then records the position
    /// it returns. `None` when another server holds the turn.
    pub async fn with_consumer<T, F, Fut>(&self, name: &str, work: F) -> Result<Option<T>>
    where
        F: FnOnce(Option<LogPosition>) -> Fut,
        Fut: std::future::Future<Output = Result<(LogPosition, T)>>,
    {
        let lock = if self.db.get_database_backend() == DbBackend::Postgres {
            let txn = sea_orm::TransactionTrait::begin(&self.db).await?;
            let key = name.bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193)) as i32;
            let row = txn
                .query_one_raw(Statement::from_sql_and_values(
                    DbBackend::Postgres,
                    "SELECT pg_try_advisory_xact_lock($1, $2) AS taken",
                    [CONSUMER_LOCK.into(), key.into()],
                ))
                .await?;
            let taken: bool = row.map(|row| row.try_get("", "taken")).transpose()?.unwrap_or(false);
            if !taken {
                return Ok(None);
            }
            Some(txn)
        } else {
            None
        };
        let start = self.consumer_position(name).await?;
        let (position, value) = work(start).await?;
        if Some(position) != start {
            let at = now();
            consumer_positions::Entity::insert(consumer_positions::ActiveModel {
                consumer: Set(name.to_owned()),
                tx: Set(position.tx),
                position: Set(position.id),
                updated_at: Set(at),
            })
            .on_conflict(
                OnConflict::column(consumer_positions::Column::Consumer)
                    .update_columns([
                        consumer_positions::Column::Tx,
                        consumer_positions::Column::Position,
                        consumer_positions::Column::UpdatedAt,
                    ])
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await?;
        }
        drop(lock);
        Ok(Some(value))
    }

    /// A user's mail preferences: kind → mode, for the kinds set.
    pub async fn mail_preferences(&self, user_id: i64) -> Result<HashMap<String, String>> {
        let rows =
            mail_preferences::Entity::find().filter(mail_preferences::Column::UserId.eq(user_id)).all(&self.db).await?;
        Ok(rows.into_iter().map(|row| (row.kind, row.mode)).collect())
    }

    /// The mail preferences of several users: user → kind → mode.
    pub async fn mail_preferences_of(&self, user_ids: &[i64]) -> Result<HashMap<i64, HashMap<String, String>>> {
        let mut all: HashMap<i64, HashMap<String, String>> = HashMap::new();
        for chunk in user_ids.chunks(500) {
            let rows = mail_preferences::Entity::find()
                .filter(mail_preferences::Column::UserId.is_in(chunk.iter().copied()))
                .all(&self.db)
                .await?;
            for row in rows {
                all.entry(row.user_id).or_default().insert(row.kind, row.mode);
            }
        }
        Ok(all)
    }

    /// Sets how `user_id` wants messages of `kind`.
    pub async fn set_mail_preference(&self, user_id: i64, kind: &str, mode: &str) -> Result<()> {
        mail_preferences::Entity::insert(mail_preferences::ActiveModel {
            user_id: Set(user_id),
            kind: Set(kind.to_owned()),
            mode: Set(mode.to_owned()),
        })
        .on_conflict(
            OnConflict::columns([mail_preferences::Column::UserId, mail_preferences::Column::Kind])
                .update_column(mail_preferences::Column::Mode)
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await?;
        Ok(())
    }

    /// The user a live token of `purpose` is for, without using it up.
    pub async fn mailed_token_user(&self, purpose: TokenPurpose, clear: &str) -> Result<Option<i64>> {
        let row = user_tokens::Entity::find()
            .filter(user_tokens::Column::TokenHash.eq(hash_secret(clear)))
            .filter(user_tokens::Column::Purpose.eq(purpose.as_str()))
            .one(&self.db)
            .await?;
        Ok(row.filter(|row| row.used_at.is_none() && row.expires_at > now()).map(|row| row.user_id))
    }

    /// The user a live token of `purpose` is for, using it up: `None` for an unknown, used or
    /// expired token. Of two uses at once, one wins.
    pub async fn use_token(&self, purpose: TokenPurpose, clear: &str) -> Result<Option<i64>> {
        let at = now();
        let hash = hash_secret(clear);
        let txn = self.begin_write().await?;
        let row = user_tokens::Entity::find()
            .filter(user_tokens::Column::TokenHash.eq(hash))
            .filter(user_tokens::Column::Purpose.eq(purpose.as_str()))
            .one(&txn)
            .await?;
        let Some(row) = row.filter(|row| row.used_at.is_none() && row.expires_at > at) else { return Ok(None) };
        let used = user_tokens::Entity::update_many()
            .col_expr(user_tokens::Column::UsedAt, Expr::value(at))
            .filter(user_tokens::Column::Id.eq(row.id))
            .filter(user_tokens::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        txn.commit().await?;
        Ok((used.rows_affected == 1).then_some(row.user_id))
    }

    /// The installation's key for signing links in messages (made on first use, shared by every
    /// server through the database).
    pub async fn link_key(&self) -> Result<String> {
        const KEY: &str = "link-key";
        if let Some(row) = instance_settings::Entity::find_by_id(KEY.to_owned()).one(&self.db).await? {
            return Ok(row.value);
        }
        let candidate = new_secret("")?.clear;
        instance_settings::Entity::insert(instance_settings::ActiveModel {
            key: Set(KEY.to_owned()),
            value: Set(candidate),
        })
        .on_conflict(OnConflict::column(instance_settings::Column::Key).do_nothing().to_owned())
        .exec_without_returning(&self.db)
        .await?;
        let row = instance_settings::Entity::find_by_id(KEY.to_owned())
            .one(&self.db)
            .await?
            .ok_or_else(|| StoreError::Corrupt("the link key vanished".to_owned()))?;
        Ok(row.value)
    }

    /// Sets a user's language for messages.
    pub async fn set_user_language(&self, user_id: i64, language: Language) -> Result<()> {
        users::ActiveModel { id: Set(user_id), language: Set(language.code().to_owned()), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(())
    }

    /// A new generation of the user's calendar feed address (the old one stops working), or
    /// none (0) to revoke it; returns the generation.
    pub async fn set_calendar_feed(&self, user_id: i64, renew: bool) -> Result<u32> {
        let row = users::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::not_found(ketnoi_domain::rules::Resource::User))?;
        let generation = if renew { Ord::max(row.calendar_feed, 0) + 1 } else { 0 };
        users::ActiveModel { id: Set(user_id), calendar_feed: Set(generation), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(u32::try_from(generation).unwrap_or(0))
    }
}
