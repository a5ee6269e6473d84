//! Invitations: a member (or an organiser of its event) invites a colleague to join an
//! organization. The invitation code is the secret; whoever holds it sets a password and
//! becomes a member. ketnoi sends no e-mail: the inviter passes the code on.

use ketnoi_domain::log::Change;
use ketnoi_domain::rules::{Refusal, Resource};
use ketnoi_domain::validate::Email;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

use crate::entity::invitations;
use crate::secrets::{hash_secret, new_secret};
use crate::users::{hash, insert_member, to_user};
use crate::{Result, Store, StoreError, User, now};

/// How long an invitation can be accepted: seven days.
pub const INVITATION_SECONDS: i64 = 7 * 24 * 3600;

/// An invitation, without its code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: i64,
    pub organization_id: i64,
    pub email: String,
    pub created_at: i64,
    pub expires_at: i64,
    pub accepted_at: Option<i64>,
}

fn invitation(row: invitations::Model) -> Invitation {
    Invitation {
        id: row.id,
        organization_id: row.organization_id,
        email: row.email,
        created_at: row.created_at,
        expires_at: row.expires_at,
        accepted_at: row.accepted_at,
    }
}

impl Store {
    /// Invites `email` to join the organization; returns the invitation and its code. An
    /// e-mail that already has an account is a conflict.
    pub async fn invite(
        &self,
        organization_id: i64,
        email: &Email,
        invited_by: i64,
        mail: &(dyn Fn(&Invitation, &str) -> crate::NewMail + Sync),
    ) -> Result<(Invitation, String)> {
        if self.user_by_email(email).await?.is_some() {
            return Err(Refusal::EmailTaken.into());
        }
        self.organization(organization_id).await?;
        let txn = self.begin_write().await?;
        let secret = new_secret("inv_")?;
        let at = now();
        let row = invitations::ActiveModel {
            organization_id: Set(organization_id),
            email: Set(email.as_str().to_owned()),
            token_hash: Set(secret.hash),
            invited_by: Set(Some(invited_by)),
            created_at: Set(at),
            expires_at: Set(at + INVITATION_SECONDS),
            accepted_at: Set(None),
            ..Default::default()
        }
        .insert(&txn)
        .await?;
        let change = Change::UserInvited { organization: organization_id, invitation: row.id };
        crate::log::record(&txn, None, &[change]).await?;
        let invitation = invitation(row);
        crate::notifications::enqueue(&txn, &[mail(&invitation, &secret.clear)]).await?;
        txn.commit().await?;
        Ok((invitation, secret.clear))
    }

    /// Accepts an invitation: creates the member with this password. An unknown, used or
    /// expired code is "not found", and nothing is written.
    pub async fn accept_invitation(
        &self,
        code: &str,
        display_name: &str,
        password: &str,
        language: ketnoi_domain::i18n::Language,
        consent: bool,
    ) -> Result<User> {
        let password_hash = hash(password).await?;
        let txn = self.begin_write().await?;
        let row = invitations::Entity::find()
            .filter(invitations::Column::TokenHash.eq(hash_secret(code)))
            .one(&txn)
            .await?
            .filter(|row| row.accepted_at.is_none() && row.expires_at > now())
            .ok_or(StoreError::not_found(Resource::Invitation))?;
        // The code came to this address: it is proven.
        let joining = crate::users::Joining { language, consent, confirmed: true };
        let user = insert_member(&txn, &row.email, display_name, password_hash, row.organization_id, joining).await?;
        invitations::ActiveModel { id: Set(row.id), accepted_at: Set(Some(now())), ..Default::default() }
            .update(&txn)
            .await?;
        let change = Change::UserRegistered { user: user.id, organization: Some(row.organization_id) };
        crate::log::record(&txn, None, &[change]).await?;
        txn.commit().await?;
        to_user(user)
    }

    /// The e-mail an invitation code is for, while it can be accepted: for checking a new
    /// password against it before accepting.
    pub async fn invitation_email(&self, code: &str) -> Result<Option<String>> {
        let row = invitations::Entity::find()
            .filter(invitations::Column::TokenHash.eq(hash_secret(code)))
            .one(&self.db)
            .await?;
        Ok(row.filter(|row| row.accepted_at.is_none() && row.expires_at > now()).map(|row| row.email))
    }

    /// Invitations to an organization, newest first.
    pub async fn invitations_of(&self, organization_id: i64) -> Result<Vec<Invitation>> {
        use sea_orm::QueryOrder;
        let rows = invitations::Entity::find()
            .filter(invitations::Column::OrganizationId.eq(organization_id))
            .order_by_desc(invitations::Column::Id)
            .all(&self.db)
            .await?;
        Ok(rows.into_iter().map(invitation).collect())
    }
}
