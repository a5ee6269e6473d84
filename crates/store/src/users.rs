//! Users: organisers and members of organizations, with argon2 password hashes.

use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use ketnoi_domain::validate::Email;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::users;
use crate::{Result, Store, StoreError, now};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Organiser,
    Member,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Organiser => "organiser",
            Role::Member => "member",
        }
    }
}

/// A user to create, or to reset when the e-mail is known.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: Email,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub organization_id: Option<i64>,
    pub event_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub role: Role,
    pub organization_id: Option<i64>,
    pub event_id: Option<i64>,
}

fn hash(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|error| StoreError::Corrupt(format!("cannot hash password: {error}")))
}

fn to_user(row: users::Model) -> Result<User> {
    let role = match row.role.as_str() {
        "organiser" => Role::Organiser,
        "member" => Role::Member,
        other => return Err(StoreError::Corrupt(format!("users.role: {other:?}"))),
    };
    Ok(User {
        id: row.id,
        email: row.email,
        display_name: row.display_name,
        role,
        organization_id: row.organization_id,
        event_id: row.event_id,
    })
}

impl Store {
    /// Creates the user, or resets its password, name and role when the e-mail exists.
    pub async fn upsert_user(&self, new: &NewUser) -> Result<User> {
        let password_hash = hash(&new.password)?;
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
            updated_at: Set(timestamp),
            ..Default::default()
        };
        let row = match existing {
            Some(existing) => {
                model.id = Set(existing.id);
                model.update(&txn).await?
            }
            None => {
                model.created_at = Set(timestamp);
                model.insert(&txn).await?
            }
        };
        txn.commit().await?;
        to_user(row)
    }

    /// The user with this e-mail and password, if both match and the account is enabled.
    pub async fn verify_login(&self, email: &str, password: &str) -> Result<Option<User>> {
        let Ok(email) = Email::parse(email) else { return Ok(None) };
        let row = users::Entity::find().filter(users::Column::Email.eq(email.as_str())).one(&self.db).await?;
        match row {
            Some(row)
                if !row.disabled
                    && Argon2::default().verify_password(password.as_bytes(), row.password_hash.as_str()).is_ok() =>
            {
                to_user(row).map(Some)
            }
            _ => Ok(None),
        }
    }
}
