//! Sessions for browsers and API tokens for scripts. Both are secrets the client holds and the
//! database knows only by hash; both end server-side (logout, revocation, a disabled account).

use jiff::Timestamp;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{api_tokens, sessions, users};
use crate::secrets::{hash_secret, new_secret};
use crate::users::to_user;
use crate::{Result, Store, StoreError, User, now};

/// The prefix of every API token.
pub const TOKEN_PREFIX: &str = "ktn_";
/// Activity is recorded at most this often (seconds), so that reads stay reads.
const TOUCH_EVERY: i64 = 60;

/// How long a session lives: `idle` seconds after its last use, `absolute` after sign-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionLifetime {
    pub idle: i64,
    pub absolute: i64,
}

impl Default for SessionLifetime {
    /// Twelve hours idle (an event day), seven days at most.
    fn default() -> Self {
        SessionLifetime { idle: 12 * 3600, absolute: 7 * 24 * 3600 }
    }
}

/// A signed-in session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: i64,
    pub user: User,
    pub expires_at: Timestamp,
}

/// A session as its owner sees it in the data export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
}

/// An API token, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    /// The start of the secret, to recognise it.
    pub prefix: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

fn token(row: api_tokens::Model) -> ApiToken {
    ApiToken {
        id: row.id,
        name: row.name,
        prefix: row.prefix,
        created_at: row.created_at,
        last_used_at: row.last_used_at,
        expires_at: row.expires_at,
        revoked_at: row.revoked_at,
    }
}

impl Store {
    /// Starts a session for `user_id`; returns its id and the secret for the cookie. Every
    /// sign-in gets a new secret, so a session id planted before sign-in is worthless.
    pub async fn create_session(&self, user_id: i64, lifetime: SessionLifetime) -> Result<(Session, String)> {
        let secret = new_secret("")?;
        let at = now();
        let row = sessions::ActiveModel {
            user_id: Set(user_id),
            token_hash: Set(secret.hash),
            created_at: Set(at),
            last_seen_at: Set(at),
            expires_at: Set(at + lifetime.absolute),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        let session = Session { id: row.id, user: self.user(user_id).await?, expires_at: timestamp(row.expires_at)? };
        Ok((session, secret.clear))
    }

    /// The live session holding `secret`, its activity recorded; `None` when unknown, idle for
    /// longer than `lifetime.idle`, past its absolute end, or its user disabled. An expired
    /// session is deleted.
    pub async fn session(&self, secret: &str, lifetime: SessionLifetime) -> Result<Option<Session>> {
        let found =
            sessions::Entity::find().filter(sessions::Column::TokenHash.eq(hash_secret(secret))).one(&self.db).await?;
        let Some(row) = found else { return Ok(None) };
        let Some(user) = users::Entity::find_by_id(row.user_id).one(&self.db).await? else { return Ok(None) };
        let at = now();
        if at >= row.expires_at || at - row.last_seen_at >= lifetime.idle {
            sessions::Entity::delete_by_id(row.id).exec(&self.db).await?;
            return Ok(None);
        }
        if user.disabled {
            return Ok(None);
        }
        if at - row.last_seen_at >= TOUCH_EVERY {
            sessions::ActiveModel { id: Set(row.id), last_seen_at: Set(at), ..Default::default() }
                .update(&self.db)
                .await?;
        }
        Ok(Some(Session { id: row.id, user: to_user(user)?, expires_at: timestamp(row.expires_at)? }))
    }

    /// Ends the session holding `secret`, if any.
    pub async fn end_session(&self, secret: &str) -> Result<()> {
        sessions::Entity::delete_many()
            .filter(sessions::Column::TokenHash.eq(hash_secret(secret)))
            .exec(&self.db)
            .await?;
        Ok(())
    }

    /// The user's live sessions, newest first.
    pub async fn sessions_of(&self, user_id: i64) -> Result<Vec<SessionInfo>> {
        let rows = sessions::Entity::find()
            .filter(sessions::Column::UserId.eq(user_id))
            .order_by_desc(sessions::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| SessionInfo {
                created_at: row.created_at,
                last_seen_at: row.last_seen_at,
                expires_at: row.expires_at,
            })
            .collect())
    }

    /// Creates an API token for `user_id`; the secret is returned once and never stored.
    pub async fn create_token(&self, user_id: i64, name: &str, expires_at: Option<i64>) -> Result<(ApiToken, String)> {
        let secret = new_secret(TOKEN_PREFIX)?;
        let row = api_tokens::ActiveModel {
            user_id: Set(user_id),
            name: Set(name.to_owned()),
            token_hash: Set(secret.hash),
            prefix: Set(secret.clear.chars().take(TOKEN_PREFIX.len() + 6).collect()),
            created_at: Set(now()),
            last_used_at: Set(None),
            expires_at: Set(expires_at),
            revoked_at: Set(None),
            ..Default::default()
        }
        .insert(&self.db)
        .await?;
        Ok((token(row), secret.clear))
    }

    /// The user's tokens, newest first, revoked ones included.
    pub async fn tokens(&self, user_id: i64) -> Result<Vec<ApiToken>> {
        let rows = api_tokens::Entity::find()
            .filter(api_tokens::Column::UserId.eq(user_id))
            .order_by_desc(api_tokens::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(token).collect())
    }

    /// Revokes one of the user's tokens. Another user's token is "not found".
    pub async fn revoke_token(&self, user_id: i64, token_id: i64) -> Result<ApiToken> {
        let row = api_tokens::Entity::find_by_id(token_id)
            .filter(api_tokens::Column::UserId.eq(user_id))
            .one(&self.db)
            .await?
            .ok_or(StoreError::not_found(ketnoi_domain::rules::Resource::Token))?;
        if row.revoked_at.is_some() {
            return Ok(token(row));
        }
        let row = api_tokens::ActiveModel { id: Set(row.id), revoked_at: Set(Some(now())), ..Default::default() }
            .update(&self.db)
            .await?;
        Ok(token(row))
    }

    /// The user a bearer token signs in, when it is live and its user enabled.
    pub async fn token_user(&self, secret: &str) -> Result<Option<User>> {
        if !secret.starts_with(TOKEN_PREFIX) {
            return Ok(None);
        }
        let at = now();
        let found = api_tokens::Entity::find()
            .filter(api_tokens::Column::TokenHash.eq(hash_secret(secret)))
            .filter(api_tokens::Column::RevokedAt.is_null())
            .filter(
                Condition::any().add(api_tokens::Column::ExpiresAt.is_null()).add(api_tokens::Column::ExpiresAt.gt(at)),
            )
            .one(&self.db)
            .await?;
        let Some(row) = found else { return Ok(None) };
        let Some(user) = users::Entity::find_by_id(row.user_id).one(&self.db).await? else { return Ok(None) };
        if user.disabled {
            return Ok(None);
        }
        if row.last_used_at.is_none_or(|used| at - used >= TOUCH_EVERY) {
            api_tokens::Entity::update_many()
                .col_expr(api_tokens::Column::LastUsedAt, Expr::value(at))
                .filter(api_tokens::Column::Id.eq(row.id))
                .exec(&self.db)
                .await?;
        }
        to_user(user).map(Some)
    }
}

fn timestamp(seconds: i64) -> Result<Timestamp> {
    Timestamp::from_second(seconds).map_err(|e| StoreError::Corrupt(format!("bad timestamp {seconds}: {e}")))
}
