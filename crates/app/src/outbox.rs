//! The mail outbox as organisers and account owners see it: an event's messages (queued, sent,
//! failed with the reason), a retry for failed ones, and the counts.

use ketnoi_store::{Mail, MailCounts, MailHead, MailStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{App, AppError, AppResult, Caller};

/// How many of an event's messages wait, went, and failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct MailCountsView {
    pub queued: u64,
    pub sent: u64,
    pub failed: u64,
}

impl From<MailCounts> for MailCountsView {
    fn from(counts: MailCounts) -> Self {
        MailCountsView { queued: counts.queued, sent: counts.sent, failed: counts.failed }
    }
}

/// One message of the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct MailView {
    pub id: i64,
    pub recipient: String,
    /// `request-received`, `request-answered`, `request-cancelled`, `request-expired`,
    /// `digest`, `schedule`, `reminder`, `invitation`, `password-reset`,
    /// `registration-attempt` or `confirm-email`.
    pub kind: String,
    /// `vi` or `en`.
    pub language: String,
    pub subject: String,
    /// `queued`, `sent` or `failed`.
    pub status: String,
    pub attempts: u32,
    /// Why the last attempt failed; empty when none did.
    pub last_error: String,
    /// RFC 3339.
    pub created_at: String,
    /// When the next attempt is due, for a queued message (RFC 3339).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_attempt_at: Option<String>,
    /// RFC 3339.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<String>,
}

fn rfc3339(seconds: i64) -> String {
    jiff::Timestamp::from_second(seconds).map(|t| t.to_string()).unwrap_or_default()
}

impl From<&MailHead> for MailView {
    fn from(mail: &MailHead) -> Self {
        MailView {
            id: mail.id,
            recipient: mail.recipient.clone(),
            kind: mail.kind.clone(),
            language: mail.language.code().to_owned(),
            subject: mail.subject.clone(),
            status: mail.status.as_str().to_owned(),
            attempts: mail.attempts,
            last_error: mail.last_error.clone(),
            created_at: rfc3339(mail.created_at),
            next_attempt_at: (mail.status == MailStatus::Queued).then(|| rfc3339(mail.next_attempt_at)),
            sent_at: mail.sent_at.map(rfc3339),
        }
    }
}

impl From<&Mail> for MailView {
    fn from(mail: &Mail) -> Self {
        MailView::from(&mail.head())
    }
}

/// An event's messages, newest first, with the counts.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailList {
    pub counts: MailCountsView,
    pub items: Vec<MailView>,
}

/// Which of an event's messages.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MailParams {
    /// `queued`, `sent` or `failed`; all when absent.
    pub status: Option<String>,
}

/// The most messages a listing shows.
pub const MAIL_LIST_MAX: u64 = 500;

impl App {
    /// The event's messages, for its organisers: the newest first, only those of `status` when
    /// given.
    pub async fn event_mail(&self, caller: &Caller, slug: &str, status: Option<&str>) -> AppResult<MailList> {
        let event = self.managed(caller, slug).await?;
        let status = match status.map(str::trim).filter(|s| !s.is_empty()) {
            None => None,
            Some(code) => Some(
                [MailStatus::Queued, MailStatus::Sent, MailStatus::Failed]
                    .into_iter()
                    .find(|s| s.as_str() == code)
                    .ok_or_else(|| {
                        let allowed = ["queued", "sent", "failed"].map(str::to_owned).to_vec();
                        AppError::invalid(
                            "status",
                            ketnoi_domain::validate::Issue::NotOneOf { value: code.to_owned(), allowed },
                        )
                    })?,
            ),
        };
        let counts = self.store.mail_counts(event.id).await?.into();
        let items = self.store.event_mail(event.id, status, MAIL_LIST_MAX).await?.iter().map(MailView::from).collect();
        Ok(MailList { counts, items })
    }

    /// Queues a failed message of the event again, for its organisers.
    pub async fn retry_mail(&self, caller: &Caller, slug: &str, id: i64) -> AppResult<MailView> {
        let event = self.managed(caller, slug).await?;
        let mail = self.store.retry_mail(event.id, id).await.map_err(|error| match error {
            ketnoi_store::StoreError::Duplicate => {
                AppError::from(ketnoi_domain::rules::Refusal::MailNotFailed { mail: id })
            }
            other => other.into(),
        })?;
        tracing::info!(event = %event.slug, mail = id, "failed message queued again");
        Ok(MailView::from(&mail))
    }

    /// The messages sent to the caller, for the personal data download.
    pub(crate) async fn own_mail(&self, user: i64) -> AppResult<Vec<MailView>> {
        Ok(self.store.user_mail(user).await?.iter().map(MailView::from).collect())
    }

    /// The event's message counts, for its figures.
    pub(crate) async fn mail_counts(&self, event: i64) -> AppResult<MailCountsView> {
        Ok(self.store.mail_counts(event).await?.into())
    }
}
