//! Users: organisers of an event, members of an organization and the instance's
//! administrators, with argon2id password hashes (19 MiB, 2 passes: the OWASP minimum).
//! Hashing runs on the blocking pool.

use std::sync::OnceLock;

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use jiff::Timestamp;
use ketnoi_domain::i18n::Language;
use ketnoi_domain::profile::Profile;
use ketnoi_domain::validate::Email;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};

use crate::entity::{api_tokens, participations, sessions, users};
use crate::log;
use crate::notifications::{NewMail, TokenPurpose};
use crate::organizations::profile_columns;
use crate::{Result, Store, StoreError, now};
use ketnoi_domain::log::Change;
use ketnoi_domain::rules::{Refusal, Resource};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Organiser,
    Member,
    /// The instance's administrator: no event, no organization (stored as `admin`).
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organiser => "organiser",
            Role::Member => "member",
            Role::Admin => "admin",
        }
    }
}

/// An organiser an administrator names: the account is made without a password anyone knows,
/// and a link to choose one is mailed.
#[derive(Debug, Clone)]
pub struct NewOrganiser {
    pub email: Email,
    pub display_name: String,
    pub event_id: i64,
    pub language: Language,
}

/// How long the link mailed to a named organiser works: a week.
pub const ORGANISER_LINK_SECONDS: i64 = 7 * 24 * 3600;

/// A user to create, or to reset when the e-mail is known.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub organization_id: Option<i64>,
    pub event_id: Option<i64>,
    /// Whether the person agreed to receive e-mail about requests, the schedule and
    /// reminders; a reset keeps an agreement already given.
    pub email_consent: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<i64>,
    pub event_id: Option<i64>,
    pub disabled: bool,
    /// The language of the user's messages.
    pub language: Language,
    /// When the user agreed to receive e-mail.
    pub email_consent_at: Option<i64>,
    /// Whether the user proved the address is theirs.
    pub email_confirmed: bool,
    /// The generation of the calendar feed's address; 0 for none.
    pub calendar_feed: u32,
    pub created_at: Timestamp,
}

/// A new organization with its first member, registered for an event.
#[derive(Debug, Clone)]
pub struct Registration {
    pub event_id: i64,
    pub profile: Profile,
    pub phone: String,
    pub funding_private: bool,
    pub email: Email,
    pub display_name: String,
    pub password: String,
    pub language: Language,
    /// Whether the person agreed to receive e-mail (recorded with its time).
    pub consent: bool,
}

/// How a new member joins: by proving the address later (registration), or by the
/// invitation sent to it (the address is proven).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Joining {
    pub language: Language,
    pub consent: bool,
    pub confirmed: bool,
}

pub(crate) async fn hash(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|hash| hash.to_string())
            .map_err(|error| StoreError::Corrupt(format!("cannot hash password: {error}")))
    })
    .await
    .map_err(|error| StoreError::Corrupt(format!("password hashing stopped: {error}")))?
}

/// Whether `password` matches `stored`, checked on the blocking pool.
async fn matches(password: &str, stored: String) -> bool {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        PasswordHash::new(&stored)
            .is_ok_and(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
    })
    .await
    .unwrap_or(false)
}

/// A hash of a password nobody knows, checked when the e-mail is unknown so that an unknown
/// e-mail costs the same time as a wrong password.
async fn decoy_hash() -> String {
    static DECOY: OnceLock<String> = OnceLock::new();
    if let Some(decoy) = DECOY.get() {
        return decoy.clone();
    }
    let decoy = hash("ketnoi decoy password, never valid").await.unwrap_or_default();
    DECOY.get_or_init(|| decoy).clone()
}

pub(crate) fn to_user(row: users::Model) -> Result<User> {
    let role = match row.role.as_str() {
        "organiser" => Role::Organiser,
        "member" => Role::Member,
        "admin" => Role::Admin,
        other => return Err(StoreError::Corrupt(format!("users.role: {other:?}"))),
    };
    Ok(User {
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        role,
        organization_id: row.organization_id,
        event_id: row.event_id,
        disabled: row.disabled,
        language: Language::parse(&row.language).unwrap_or_default(),
        email_consent_at: row.email_consent_at,
        email_confirmed: row.email_confirmed_at.is_some(),
        calendar_feed: u32::try_from(row.calendar_feed).unwrap_or(0),
        created_at: Timestamp::from_second(row.created_at)
            .map_err(|e| StoreError::Corrupt(format!("users.created_at: {e}")))?,
    })
}

/// How long a password reset link works: an hour.
pub const RESET_SECONDS: i64 = 3600;
/// How long an address confirmation link works: a week.
pub const CONFIRM_SECONDS: i64 = 7 * 24 * 3600;

fn email_taken() -> StoreError {
    Refusal::EmailTaken.into()
}

/// Adds a member to an organization; a taken e-mail is a conflict.
pub(crate) async fn insert_member(
    txn: &sea_orm::DatabaseTransaction,
    email: &str,
    display_name: &str,
    password_hash: String,
    organization_id: i64,
    joining: Joining,
) -> Result<users::Model> {
    if users::Entity::find().filter(users::Column::Email.eq(email)).one(txn).await?.is_some() {
        return Err(email_taken());
    }
    let timestamp = now();
    let inserted = users::ActiveModel {
        email: Set(email.to_owned()),
        password_hash: Set(password_hash),
        display_name: Set(display_name.to_owned()),
        role: Set(Role::Member.as_str().to_owned()),
        organization_id: Set(Some(organization_id)),
        event_id: Set(None),
        disabled: Set(false),
        language: Set(joining.language.code().to_owned()),
        email_consent_at: Set(joining.consent.then_some(timestamp)),
        email_confirmed_at: Set(joining.confirmed.then_some(timestamp)),
        created_at: Set(timestamp),
        updated_at: Set(timestamp),
        ..Default::default()
    }
    .insert(txn)
    .await;
    // Another registration of the e-mail committed first.
    inserted.map_err(|error| match StoreError::from(error) {
        StoreError::Duplicate => email_taken(),
        other => other,
    })
}

impl Store {
    /// Creates the user, or resets its password, name and role when the e-mail exists: for the
    /// demo and for operators. Sessions of a reset user end.
    pub async fn upsert_user(&self, new: &NewUser) -> Result<User> {
        let password_hash = hash(&new.password).await?;
        let txn = self.begin_write().await?;
        let existing = users::Entity::find().filter(users::Column::Email.eq(new.email.as_str())).one(&txn).await?;
        let timestamp = now();
        let mut model = users::ActiveModel {
            email: Set(new.email.as_str().to_owned()),
            password_hash: Set(password_hash),
            display_name: Set(new.display_name.clone()),
            role: Set(new.role.as_str().to_owned()),
            organization_id: Set(new.organization_id),
            event_id: Set(new.event_id),
            disabled: Set(false),
            // The operator vouches for the address.
            email_confirmed_at: Set(Some(timestamp)),
            updated_at: Set(timestamp),
            ..Default::default()
        };
        let row = match existing {
            Some(existing) => {
                model.id = Set(existing.id);
                if existing.email_consent_at.is_none() && new.email_consent {
                    model.email_consent_at = Set(Some(timestamp));
                }
                sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(existing.id)).exec(&txn).await?;
                model.update(&txn).await?
            }
            None => {
                model.created_at = Set(timestamp);
                model.email_consent_at = Set(new.email_consent.then_some(timestamp));
                model.insert(&txn).await?
            }
        };
        txn.commit().await?;
        to_user(row)
    }

    /// The user with this e-mail and password, if both match and the account is enabled. An
    /// unknown e-mail, a wrong password and a disabled account take the same time.
    pub async fn verify_login(&self, email: &str, password: &str) -> Result<Option<User>> {
        let row = match Email::parse(email) {
            Ok(email) => users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(&self.db).await?,
            Err(_) => None,
        };
        let stored = match &row {
            Some(row) => row.password_hash.clone(),
            None => decoy_hash().await,
        };
        let correct = matches(password, stored).await;
        match row {
            Some(row) if correct && !row.disabled => to_user(row).map(Some),
            _ => Ok(None),
        }
    }

    pub async fn user(&self, id: i64) -> Result<User> {
        let row = users::Entity::find_by_id(id).one(&self.db).await?.ok_or(StoreError::not_found(Resource::User))?;
        to_user(row)
    }

    pub async fn user_by_email(&self, email: &Email) -> Result<Option<User>> {
        let row = users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(&self.db).await?;
        row.map(to_user).transpose()
    }

    /// Creates an organization, its participation in the event and its first member, whose
    /// address is confirmed by the link of the message `confirm` renders (given the link's
    /// token), queued in the same transaction. A taken e-mail is a conflict and writes nothing.
    pub async fn register(
        &self,
        registration: &Registration,
        confirm: &(dyn Fn(&str) -> NewMail + Sync),
    ) -> Result<User> {
        let password_hash = hash(&registration.password).await?;
        let txn = self.begin_write().await?;
        let email = registration.email.as_str();
        let timestamp = now();
        let mut organization = profile_columns(&registration.profile);
        organization.phone = Set(registration.phone.clone());
        organization.funding_private = Set(registration.funding_private);
        organization.created_at = Set(timestamp);
        organization.updated_at = Set(timestamp);
        let organization = organization.insert(&txn).await?;
        participations::ActiveModel {
            event_id: Set(registration.event_id),
            organization_id: Set(organization.id),
            created_at: Set(timestamp),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let joining = Joining { language: registration.language, consent: registration.consent, confirmed: false };
        let user =
            insert_member(&txn, email, &registration.display_name, password_hash, organization.id, joining).await?;
        let token = crate::notifications::new_token(&txn, user.id, TokenPurpose::ConfirmEmail, CONFIRM_SECONDS).await?;
        let mail = NewMail { user_id: Some(user.id), ..confirm(&token) };
        crate::notifications::enqueue(&txn, &[mail]).await?;
        let changes = [
            Change::OrganizationCreated { organization: organization.id },
            Change::UserRegistered { user: user.id, organization: Some(organization.id) },
        ];
        log::record(&txn, Some(registration.event_id), &changes).await?;
        txn.commit().await?;
        to_user(user)
    }

    /// Changes a password after checking the current one; every other session of the user
    /// ends. Returns false, changing nothing, when `current` is wrong.
    pub async fn change_password(
        &self,
        user_id: i64,
        current: &str,
        new: &str,
        keep_session: Option<i64>,
    ) -> Result<bool> {
        let row =
            users::Entity::find_by_id(user_id).one(&self.db).await?.ok_or(StoreError::not_found(Resource::User))?;
        if !matches(current, row.password_hash.clone()).await {
            return Ok(false);
        }
        let password_hash = hash(new).await?;
        let txn = self.begin_write().await?;
        users::ActiveModel {
            id: Set(user_id),
            password_hash: Set(password_hash),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        let mut others = sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id));
        if let Some(keep) = keep_session {
            others = others.filter(sessions::Column::Id.ne(keep));
        }
        others.exec(&txn).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Makes a password reset token for the account of `email`, if there is one, and queues the
    /// message `mail` renders with it, in one transaction. Returns whether there was one.
    pub async fn password_reset(&self, email: &Email, mail: &(dyn Fn(&User, &str) -> NewMail + Sync)) -> Result<bool> {
        let txn = self.begin_write().await?;
        let Some(row) = users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(&txn).await? else {
            return Ok(false);
        };
        if row.disabled {
            return Ok(false);
        }
        let user = to_user(row)?;
        let token = crate::notifications::new_token(&txn, user.id, TokenPurpose::PasswordReset, RESET_SECONDS).await?;
        crate::notifications::enqueue(&txn, &[mail(&user, &token)]).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Sets the password of the account a live reset token is for, using the token up and
    /// ending every session of the account. `None` for an unknown, used or expired token.
    pub async fn reset_password(&self, token: &str, new: &str) -> Result<Option<User>> {
        let Some(user_id) = self.use_token(TokenPurpose::PasswordReset, token).await? else { return Ok(None) };
        let password_hash = hash(new).await?;
        let txn = self.begin_write().await?;
        let row = users::ActiveModel {
            id: Set(user_id),
            password_hash: Set(password_hash),
            // The link proved the address.
            email_confirmed_at: Set(Some(now())),
            updated_at: Set(now()),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(user_id)).exec(&txn).await?;
        txn.commit().await?;
        to_user(row).map(Some)
    }

    /// Confirms the address of the account a live confirmation token is for. `None` for an
    /// unknown, used or expired token.
    pub async fn confirm_email(&self, token: &str) -> Result<Option<User>> {
        let Some(user_id) = self.use_token(TokenPurpose::ConfirmEmail, token).await? else { return Ok(None) };
        let row = users::ActiveModel { id: Set(user_id), email_confirmed_at: Set(Some(now())), ..Default::default() }
            .update(&self.db)
            .await?;
        to_user(row).map(Some)
    }

    /// The members of organizations `ids` able to receive mail (not disabled), by organization.
    pub async fn members_of(&self, ids: &[i64]) -> Result<std::collections::HashMap<i64, Vec<User>>> {
        let mut members: std::collections::HashMap<i64, Vec<User>> = std::collections::HashMap::new();
        for chunk in ids.chunks(500) {
            let rows = users::Entity::find()
                .filter(users::Column::OrganizationId.is_in(chunk.iter().copied()))
                .filter(users::Column::Disabled.eq(false))
                .order_by_asc(users::Column::Id)
                .all(&self.db)
                .await?;
            for row in rows {
                let organization = row.organization_id;
                let user = to_user(row)?;
                if let Some(organization) = organization {
                    members.entry(organization).or_default().push(user);
                }
            }
        }
        Ok(members)
    }

    /// Hashes a password and forgets it: what a refused registration spends, so that it takes
    /// as long as one that creates an account.
    pub async fn spend_like_registration(&self, password: &str) -> Result<()> {
        hash(password).await.map(drop)
    }

    /// Records that the user agreed to receive e-mail, now (an agreement already given keeps its
    /// time), or withdrew it.
    pub async fn set_email_consent(&self, user_id: i64, consent: bool) -> Result<()> {
        let row = users::Entity::find_by_id(user_id)
            .one(&self.db)
            .await?
            .ok_or(StoreError::not_found(ketnoi_domain::rules::Resource::User))?;
        let at = match (consent, row.email_consent_at) {
            (true, Some(given)) => Some(given),
            (true, None) => Some(now()),
            (false, _) => None,
        };
        if at != row.email_consent_at {
            users::ActiveModel { id: Set(user_id), email_consent_at: Set(at), ..Default::default() }
                .update(&self.db)
                .await?;
        }
        Ok(())
    }

    /// Checks a user's password, for confirming a destructive action.
    pub async fn check_password(&self, user_id: i64, password: &str) -> Result<bool> {
        let row =
            users::Entity::find_by_id(user_id).one(&self.db).await?.ok_or(StoreError::not_found(Resource::User))?;
        Ok(matches(password, row.password_hash).await)
    }

    /// Disables or enables an account. Disabling ends its sessions and revokes its API tokens
    /// at once, server-side.
    pub async fn set_disabled(&self, email: &Email, disabled: bool) -> Result<User> {
        let txn = self.begin_write().await?;
        let row = users::Entity::find()
            .filter(users::Column::Email.eq(email.as_str()))
            .one(&txn)
            .await?
            .ok_or(StoreError::not_found(Resource::User))?;
        let timestamp = now();
        let row = users::ActiveModel {
            id: Set(row.id),
            disabled: Set(disabled),
            updated_at: Set(timestamp),
            ..Default::default()
        }
        .update(&txn)
        .await?;
        if disabled {
            sessions::Entity::delete_many().filter(sessions::Column::UserId.eq(row.id)).exec(&txn).await?;
            api_tokens::Entity::update_many()
                .col_expr(api_tokens::Column::RevokedAt, sea_orm::sea_query::Expr::value(timestamp))
                .filter(api_tokens::Column::UserId.eq(row.id))
                .filter(api_tokens::Column::RevokedAt.is_null())
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        to_user(row)
    }

    /// Deletes an account with its sessions and tokens; its organization stays.
    pub async fn delete_user(&self, user_id: i64) -> Result<()> {
        let deleted = users::Entity::delete_by_id(user_id).exec(&self.db).await?;
        if deleted.rows_affected == 0 {
            return Err(StoreError::not_found(Resource::User));
        }
        Ok(())
    }

    /// Creates an event's organiser named by an administrator, with a password nobody knows,
    /// and queues the message `mail` renders with the link to choose one (a password reset
    /// token valid [`ORGANISER_LINK_SECONDS`]), in one transaction. An address that has an
    /// account already is refused, whatever the account: nothing is written.
    pub async fn add_named_organiser(
        &self,
        new: &NewOrganiser,
        mail: &(dyn Fn(&User, &str) -> NewMail + Sync),
    ) -> Result<User> {
        let unknown = crate::secrets::new_secret("")?;
        let password_hash = hash(&unknown.clear).await?;
        let txn = self.begin_write().await?;
        let email = new.email.as_str();
        let taken = |email: &str| Refusal::AccountExists { email: email.to_owned() };
        if users::Entity::find().filter(users::Column::Email.eq(email)).one(&txn).await?.is_some() {
            return Err(taken(email).into());
        }
        let timestamp = now();
        let inserted = users::ActiveModel {
            email: Set(email.to_owned()),
            password_hash: Set(password_hash),
            display_name: Set(new.display_name.clone()),
            role: Set(Role::Organiser.as_str().to_owned()),
            organization_id: Set(None),
            event_id: Set(Some(new.event_id)),
            disabled: Set(false),
            language: Set(new.language.code().to_owned()),
            email_consent_at: Set(None),
            // Proven when the mailed link is used.
            email_confirmed_at: Set(None),
            created_at: Set(timestamp),
            updated_at: Set(timestamp),
            ..Default::default()
        }
        .insert(&txn)
        .await
        // Another writer took the address first.
        .map_err(|error| match StoreError::from(error) {
            StoreError::Duplicate => taken(email).into(),
            other => other,
        })?;
        let user = to_user(inserted)?;
        let token =
            crate::notifications::new_token(&txn, user.id, TokenPurpose::PasswordReset, ORGANISER_LINK_SECONDS).await?;
        crate::notifications::enqueue(&txn, &[mail(&user, &token)]).await?;
        txn.commit().await?;
        Ok(user)
    }

    /// The organisers of an event, by e-mail.
    pub async fn organisers(&self, event_id: i64) -> Result<Vec<User>> {
        let rows = users::Entity::find()
            .filter(users::Column::EventId.eq(event_id))
            .filter(users::Column::Role.eq(Role::Organiser.as_str()))
            .order_by_asc(users::Column::Email)
            .all(&self.db)
            .await?;
        rows.into_iter().map(to_user).collect()
    }
}
