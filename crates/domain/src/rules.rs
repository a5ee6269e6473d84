//! The rules of meeting requests and meetings: their life as state machines, the priority
//! range, outcomes, quotas, who may ask whom, and every refusal those rules give, as typed
//! values with their data. The store applies these rules inside its transactions; its unique
//! indexes are the last guard when two writers race.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::i18n::{Args, Language, Message, quoted};
use crate::profile::OrgKind;
use crate::validate::{Issue, kind_label};

/// Where a meeting request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestStatus {
    Pending,
    Accepted,
    Declined,
    Cancelled,
    Expired,
}

/// What can happen to a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RequestEvent {
    /// The recipient accepts: a meeting is created.
    Accept,
    /// The recipient declines.
    Decline,
    /// The requester withdraws it.
    Cancel,
    /// The organisers' time limit passes.
    Expire,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        RequestStatus::Pending,
        RequestStatus::Accepted,
        RequestStatus::Declined,
        RequestStatus::Cancelled,
        RequestStatus::Expired,
    ];

    /// Every transition a request may make; anything else is refused.
    pub const TRANSITIONS: &'static [(RequestStatus, RequestEvent, RequestStatus)] = &[
        (RequestStatus::Pending, RequestEvent::Accept, RequestStatus::Accepted),
        (RequestStatus::Pending, RequestEvent::Decline, RequestStatus::Declined),
        (RequestStatus::Pending, RequestEvent::Cancel, RequestStatus::Cancelled),
        (RequestStatus::Pending, RequestEvent::Expire, RequestStatus::Expired),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::Pending => "pending",
            RequestStatus::Accepted => "accepted",
            RequestStatus::Declined => "declined",
            RequestStatus::Cancelled => "cancelled",
            RequestStatus::Expired => "expired",
        }
    }

    /// The status a stored code names.
    pub fn parse(code: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.into_iter().find(|status| status.as_str() == code)
    }

    /// The status after `event`, or the refusal: only a pending request changes.
    pub fn after(self, request: i64, event: RequestEvent) -> Result<RequestStatus, Refusal> {
        RequestStatus::TRANSITIONS
            .iter()
            .find(|(from, on, _)| *from == self && *on == event)
            .map(|(_, _, to)| *to)
            .ok_or(Refusal::RequestNotPending { request, request_status: self })
    }

    /// Pending or accepted: the pair may not ask again, and it counts towards the quota.
    pub fn is_open(self) -> bool {
        matches!(self, RequestStatus::Pending | RequestStatus::Accepted)
    }
}

impl fmt::Display for RequestStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A meeting's life: scheduled (placed or not yet) → checked in at the table → held or no-show;
/// or cancelled. The organisers may correct a status taken at the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MeetingStatus {
    Scheduled,
    CheckedIn,
    Held,
    NoShow,
    Cancelled,
}

impl MeetingStatus {
    pub const ALL: [MeetingStatus; 5] = [
        MeetingStatus::Scheduled,
        MeetingStatus::CheckedIn,
        MeetingStatus::Held,
        MeetingStatus::NoShow,
        MeetingStatus::Cancelled,
    ];

    /// Every change of status the organisers may make; staying as it is is always allowed.
    /// A cancelled meeting has given up its place: it stays cancelled.
    pub const TRANSITIONS: &'static [(MeetingStatus, MeetingStatus)] = &[
        (MeetingStatus::Scheduled, MeetingStatus::CheckedIn),
        (MeetingStatus::Scheduled, MeetingStatus::Held),
        (MeetingStatus::Scheduled, MeetingStatus::NoShow),
        (MeetingStatus::Scheduled, MeetingStatus::Cancelled),
        (MeetingStatus::CheckedIn, MeetingStatus::Scheduled),
        (MeetingStatus::CheckedIn, MeetingStatus::Held),
        (MeetingStatus::CheckedIn, MeetingStatus::NoShow),
        (MeetingStatus::CheckedIn, MeetingStatus::Cancelled),
        (MeetingStatus::Held, MeetingStatus::Scheduled),
        (MeetingStatus::Held, MeetingStatus::CheckedIn),
        (MeetingStatus::Held, MeetingStatus::NoShow),
        (MeetingStatus::NoShow, MeetingStatus::Scheduled),
        (MeetingStatus::NoShow, MeetingStatus::CheckedIn),
        (MeetingStatus::NoShow, MeetingStatus::Held),
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeetingStatus::Scheduled => "scheduled",
            MeetingStatus::CheckedIn => "checked-in",
            MeetingStatus::Held => "held",
            MeetingStatus::NoShow => "no-show",
            MeetingStatus::Cancelled => "cancelled",
        }
    }

    /// The status a code names (`checked-in`), or the issue naming the codes allowed.
    pub fn parse(code: &str) -> Result<MeetingStatus, Issue> {
        MeetingStatus::ALL.into_iter().find(|status| status.as_str() == code).ok_or_else(|| Issue::NotOneOf {
            value: code.to_owned(),
            allowed: MeetingStatus::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
        })
    }

    /// Whether the status is taken at the table: the meeting needs a slot.
    pub fn at_table(self) -> bool {
        matches!(self, MeetingStatus::CheckedIn | MeetingStatus::Held | MeetingStatus::NoShow)
    }

    /// Changes the status of `meeting` (placed or not) to `to`, or says why not.
    pub fn change(self, meeting: i64, placed: bool, to: MeetingStatus) -> Result<MeetingStatus, Refusal> {
        if self == to {
            return Ok(to);
        }
        if !MeetingStatus::TRANSITIONS.contains(&(self, to)) {
            return Err(Refusal::MeetingStatusChange { meeting, from: self, to });
        }
        if to.at_table() && !placed {
            return Err(Refusal::MeetingNotPlaced { meeting });
        }
        Ok(to)
    }
}

impl fmt::Display for MeetingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What one side says came of a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    FollowUp,
    MetAgain,
    TermSheet,
    NotAFit,
    Invested,
}

impl Outcome {
    pub const ALL: [Outcome; 5] =
        [Outcome::FollowUp, Outcome::MetAgain, Outcome::TermSheet, Outcome::NotAFit, Outcome::Invested];

    /// A deal: a term sheet or an investment, the outcomes an amount may go with.
    pub fn is_deal(self) -> bool {
        matches!(self, Outcome::TermSheet | Outcome::Invested)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::FollowUp => "follow-up",
            Outcome::MetAgain => "met-again",
            Outcome::TermSheet => "term-sheet",
            Outcome::NotAFit => "not-a-fit",
            Outcome::Invested => "invested",
        }
    }

    pub fn parse(code: &str) -> Result<Outcome, Issue> {
        Outcome::ALL.into_iter().find(|outcome| outcome.as_str() == code).ok_or_else(|| Issue::NotOneOf {
            value: code.to_owned(),
            allowed: Outcome::ALL.iter().map(|o| o.as_str().to_owned()).collect(),
        })
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How much a requester wants a meeting, 1 (the default) to 3: the scheduler's weight, so
/// that when not every meeting fits, higher ones are placed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(into = "u8")]
pub struct Priority(u8);

impl Priority {
    pub const LOWEST: Priority = Priority(1);
    pub const HIGHEST: Priority = Priority(3);

    pub fn new(value: u8) -> Result<Priority, Issue> {
        if (Priority::LOWEST.0..=Priority::HIGHEST.0).contains(&value) {
            Ok(Priority(value))
        } else {
            Err(Issue::NotPriority { got: value.to_string() })
        }
    }

    /// A stored priority, clamped into the range.
    pub fn clamped(value: i64) -> Priority {
        Priority(value.clamp(1, 3) as u8)
    }

    pub fn get(self) -> u8 {
        self.0
    }

    /// The scheduler's weight of a meeting with this priority.
    pub fn weight(self) -> f64 {
        f64::from(self.0)
    }
}

impl Default for Priority {
    fn default() -> Self {
        Priority::LOWEST
    }
}

impl From<Priority> for u8 {
    fn from(priority: Priority) -> u8 {
        priority.0
    }
}

impl<'de> Deserialize<'de> for Priority {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = u8::deserialize(deserializer)?;
        Priority::new(value).map_err(serde::de::Error::custom)
    }
}

/// What the organisers set for meeting requests at an event; none means no limit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRules {
    /// Requests a startup may have pending or accepted.
    pub request_quota: Option<u32>,
    /// Meetings an investor will take.
    pub meeting_quota: Option<u32>,
    /// Hours until a pending request expires.
    pub request_ttl_hours: Option<u32>,
    /// Hours between two digests of the requests waiting for a member's answer (none: 24).
    pub digest_hours: Option<u32>,
    /// Minutes before a meeting that its reminder is sent (none: 15).
    pub reminder_minutes: Option<u32>,
}

impl RequestRules {
    /// The hours between digests, the default when not set.
    pub fn digest_hours(&self) -> u32 {
        self.digest_hours.unwrap_or(24)
    }

    /// The minutes before a meeting for its reminder, the default when not set.
    pub fn reminder_minutes(&self) -> u32 {
        self.reminder_minutes.unwrap_or(15)
    }

    /// A limit is at least 1; none is no limit (or the default).
    pub fn validate(&self) -> Result<(), crate::validate::ValidationErrors> {
        let mut errors = crate::validate::ValidationErrors::default();
        for (field, value) in [
            ("request_quota", self.request_quota),
            ("meeting_quota", self.meeting_quota),
            ("request_ttl_hours", self.request_ttl_hours),
            ("digest_hours", self.digest_hours),
            ("reminder_minutes", self.reminder_minutes),
        ] {
            if value == Some(0) {
                errors.add(field, Issue::ZeroLimit);
            }
        }
        errors.into_result(|| ())
    }
}

/// An organization as a rule's refusal names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Named {
    pub id: i64,
    pub name: String,
}

/// A party to a new request, with the facts the rules need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Party {
    pub id: i64,
    pub kind: OrgKind,
    /// Whether it takes part in the event.
    pub takes_part: bool,
}

/// Whether `from` may ask `to` for a meeting at all: never itself, both taking part, one a
/// startup and the other an investor.
pub fn may_request(from: i64, to: i64) -> Result<(), Refusal> {
    if from == to { Err(Refusal::RequestToSelf) } else { Ok(()) }
}

/// The rest of [`may_request`], once both parties are known.
pub fn may_meet(from: Party, to: Party) -> Result<(), Refusal> {
    may_request(from.id, to.id)?;
    for party in [from, to] {
        if !party.takes_part {
            return Err(Refusal::NotAParticipant { organization: party.id });
        }
    }
    if from.kind == to.kind {
        return Err(Refusal::SameKind { kind: to.kind });
    }
    Ok(())
}

/// Whether a startup with `open` requests (pending or accepted) may send one more.
pub fn request_quota(open: u64, quota: Option<u32>) -> Result<(), Refusal> {
    match quota {
        Some(quota) if open >= u64::from(quota) => Err(Refusal::RequestQuotaReached { quota }),
        _ => Ok(()),
    }
}

/// Whether an investor with `meetings` live meetings may accept one more.
pub fn meeting_quota(meetings: u64, quota: Option<u32>) -> Result<(), Refusal> {
    match quota {
        Some(quota) if meetings >= u64::from(quota) => Err(Refusal::MeetingQuotaReached { quota }),
        _ => Ok(()),
    }
}

/// Something ketnoi keeps, as "not found" names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Resource {
    Event,
    Organization,
    Participation,
    Request,
    Meeting,
    Slot,
    Invitation,
    Token,
    User,
    Message,
    Page,
    Proposal,
}

impl Resource {
    pub const ALL: [Resource; 12] = [
        Resource::Event,
        Resource::Organization,
        Resource::Participation,
        Resource::Request,
        Resource::Meeting,
        Resource::Slot,
        Resource::Invitation,
        Resource::Token,
        Resource::User,
        Resource::Message,
        Resource::Page,
        Resource::Proposal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Resource::Event => "event",
            Resource::Organization => "organization",
            Resource::Participation => "participation",
            Resource::Request => "request",
            Resource::Meeting => "meeting",
            Resource::Slot => "slot",
            Resource::Invitation => "invitation",
            Resource::Token => "token",
            Resource::User => "user",
            Resource::Message => "message",
            Resource::Page => "page",
            Resource::Proposal => "proposal",
        }
    }

    /// The resource's name in `language`.
    pub fn label(self, language: Language) -> &'static str {
        crate::i18n::text(language, &format!("resource.{}", self.as_str())).unwrap_or(self.as_str())
    }
}

/// A rule refused what was asked, with what the person needs to know to act on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "kebab-case")]
#[error("{}", self.text(Language::En))]
pub enum Refusal {
    /// An organization asked itself for a meeting.
    RequestToSelf,
    /// A side of the request does not take part in the event.
    NotAParticipant {
        organization: i64,
    },
    /// Two startups, or two investors.
    SameKind {
        kind: OrgKind,
    },
    /// The pair has a pending or accepted request already.
    RequestExists {
        request: Option<i64>,
        request_status: RequestStatus,
    },
    /// The startup has as many open requests as the organisers allow.
    RequestQuotaReached {
        quota: u32,
    },
    /// The investor has as many meetings as the organisers allow.
    MeetingQuotaReached {
        quota: u32,
    },
    /// The request was answered, withdrawn or expired already.
    RequestNotPending {
        request: i64,
        request_status: RequestStatus,
    },
    /// A slot code the event does not have.
    UnknownSlot {
        slot: String,
    },
    /// A table the slot does not have.
    UnknownTable {
        slot: String,
        /// When the slot is, in words (`09:40 23/11`), for people; empty when not known.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        at: String,
        table: u32,
        tables: u16,
    },
    /// A side of the meeting cannot attend the slot.
    SlotUnavailable {
        slot: String,
        /// When the slot is, in words (`09:40 23/11`), for people; empty when not known.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        at: String,
        organization: Named,
    },
    /// A side of the meeting meets someone else in the slot: `meeting`, at `table`, `with`.
    ParticipantBusy {
        slot: String,
        /// When the slot is, in words (`09:40 23/11`), for people; empty when not known.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        at: String,
        organization: Named,
        meeting: i64,
        table: u32,
        /// The other side of that meeting, by name.
        with: String,
    },
    /// Another meeting, of `startup` and `investor`, sits at the table in the slot.
    TableTaken {
        slot: String,
        /// When the slot is, in words (`09:40 23/11`), for people; empty when not known.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        at: String,
        table: u32,
        meeting: i64,
        /// The two sides of that meeting, by name.
        startup: String,
        investor: String,
    },
    /// A pinned (or published) meeting sits in a slot a side can no longer attend.
    PinUnavailable {
        meeting: i64,
        slot: String,
        /// When the slot is, in words (`09:40 23/11`), for people; empty when not known.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        at: String,
        organization: Named,
    },
    MeetingCancelled {
        meeting: i64,
    },
    /// The status is taken at the table, and the meeting has no slot yet.
    MeetingNotPlaced {
        meeting: i64,
    },
    MeetingStatusChange {
        meeting: i64,
        from: MeetingStatus,
        to: MeetingStatus,
    },
    /// Meetings are placed in the current slots: sessions cannot change under them.
    SessionsLocked {
        placed: u64,
    },
    /// The e-mail address has an account.
    EmailTaken,
    /// An organiser is named with an address that has an account already (a member's, or
    /// another event's organiser's): an account belongs to one organization or one event.
    AccountExists {
        email: String,
    },
    /// An event with this slug exists.
    EventExists {
        slug: String,
    },
    /// The account's address is not confirmed yet: its link is in the mailbox.
    EmailNotConfirmed,
    /// A link's token is unknown, used or expired.
    TokenInvalid,
    /// Only a failed message is queued again; this one waits or went.
    MailNotFailed {
        mail: i64,
    },
    /// A meet-now proposal another pair took the table (or a side) of first, that a side
    /// declined, or whose slot is over.
    ProposalGone {
        proposal: i64,
    },
    /// A slot that is over: no one can be free in it any more.
    SlotOver {
        slot: String,
        at: String,
    },
    /// The follow-up round opens once the event's last slot is over.
    EventNotOver {
        ends: String,
    },
}

/// A request's status as a message says it.
pub fn request_status_label(status: RequestStatus, language: Language) -> &'static str {
    crate::i18n::text(language, &format!("request-status.{}", status.as_str())).unwrap_or(status.as_str())
}

/// A meeting's status as a message says it.
pub fn meeting_status_label(status: MeetingStatus, language: Language) -> &'static str {
    crate::i18n::text(language, &format!("meeting-status.{}", status.as_str())).unwrap_or(status.as_str())
}

impl Refusal {
    /// The stable code: `request-exists`, `table-taken`.
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::RequestToSelf => "request-to-self",
            Refusal::NotAParticipant { .. } => "not-a-participant",
            Refusal::SameKind { .. } => "same-kind",
            Refusal::RequestExists { .. } => "request-exists",
            Refusal::RequestQuotaReached { .. } => "request-quota-reached",
            Refusal::MeetingQuotaReached { .. } => "meeting-quota-reached",
            Refusal::RequestNotPending { .. } => "request-not-pending",
            Refusal::UnknownSlot { .. } => "unknown-slot",
            Refusal::UnknownTable { .. } => "unknown-table",
            Refusal::SlotUnavailable { .. } => "slot-unavailable",
            Refusal::ParticipantBusy { .. } => "participant-busy",
            Refusal::TableTaken { .. } => "table-taken",
            Refusal::PinUnavailable { .. } => "pin-unavailable",
            Refusal::MeetingCancelled { .. } => "meeting-cancelled",
            Refusal::MeetingNotPlaced { .. } => "meeting-not-placed",
            Refusal::MeetingStatusChange { .. } => "meeting-status-change",
            Refusal::SessionsLocked { .. } => "sessions-locked",
            Refusal::EmailTaken => "email-taken",
            Refusal::AccountExists { .. } => "account-exists",
            Refusal::EventExists { .. } => "event-exists",
            Refusal::EmailNotConfirmed => "email-not-confirmed",
            Refusal::TokenInvalid => "token-invalid",
            Refusal::MailNotFailed { .. } => "mail-not-failed",
            Refusal::ProposalGone { .. } => "proposal-gone",
            Refusal::SlotOver { .. } => "slot-over",
            Refusal::EventNotOver { .. } => "event-not-over",
        }
    }

    /// The field of the request the refusal is about, when there is one.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Refusal::RequestToSelf | Refusal::SameKind { .. } => Some("to"),
            Refusal::NotAParticipant { .. } => Some("to"),
            Refusal::UnknownSlot { .. } => Some("slot"),
            Refusal::UnknownTable { .. } => Some("table"),
            Refusal::EmailTaken | Refusal::AccountExists { .. } => Some("email"),
            Refusal::EventExists { .. } => Some("slug"),
            Refusal::TokenInvalid => Some("token"),
            _ => None,
        }
    }

    /// Whether the refusal is about the input (400) rather than the state of things (409).
    pub fn is_invalid_input(&self) -> bool {
        matches!(
            self,
            Refusal::RequestToSelf
                | Refusal::NotAParticipant { .. }
                | Refusal::SameKind { .. }
                | Refusal::UnknownSlot { .. }
                | Refusal::UnknownTable { .. }
                | Refusal::TokenInvalid
        )
    }

    /// One refusal of each kind, for tests that every language writes every refusal.
    pub fn samples() -> Vec<Refusal> {
        let lotus = Named { id: 7, name: "Sen and Lotus Ventures".to_owned() };
        vec![
            Refusal::RequestToSelf,
            Refusal::NotAParticipant { organization: 12 },
            Refusal::SameKind { kind: OrgKind::Startup },
            Refusal::RequestExists { request: Some(4), request_status: RequestStatus::Pending },
            Refusal::RequestQuotaReached { quota: 3 },
            Refusal::MeetingQuotaReached { quota: 10 },
            Refusal::RequestNotPending { request: 4, request_status: RequestStatus::Accepted },
            Refusal::UnknownSlot { slot: "d9-0900".to_owned() },
            Refusal::UnknownTable { slot: "d1-0900".to_owned(), at: "09:00 23/11".to_owned(), table: 21, tables: 20 },
            Refusal::SlotUnavailable { slot: "d1-0900".to_owned(), at: String::new(), organization: lotus.clone() },
            Refusal::ParticipantBusy {
                slot: "d1-0940".to_owned(),
                at: "09:40 23/11".to_owned(),
                organization: lotus.clone(),
                meeting: 9,
                table: 3,
                with: "An Khang Foods".to_owned(),
            },
            Refusal::TableTaken {
                slot: "d1-0940".to_owned(),
                at: "09:40 23/11".to_owned(),
                table: 3,
                meeting: 9,
                startup: "An Khang Foods".to_owned(),
                investor: lotus.name.clone(),
            },
            Refusal::PinUnavailable { meeting: 9, slot: "d1-0900".to_owned(), at: String::new(), organization: lotus },
            Refusal::MeetingCancelled { meeting: 9 },
            Refusal::MeetingNotPlaced { meeting: 9 },
            Refusal::MeetingStatusChange { meeting: 9, from: MeetingStatus::Cancelled, to: MeetingStatus::Held },
            Refusal::SessionsLocked { placed: 12 },
            Refusal::EmailTaken,
            Refusal::AccountExists { email: "lan@techfest.vn".to_owned() },
            Refusal::EventExists { slug: "techfest-haiphong-2023".to_owned() },
            Refusal::EmailNotConfirmed,
            Refusal::TokenInvalid,
            Refusal::MailNotFailed { mail: 31 },
            Refusal::ProposalGone { proposal: 5 },
            Refusal::SlotOver { slot: "d1-0900".to_owned(), at: "09:00 23/11".to_owned() },
            Refusal::EventNotOver { ends: "17:00 24/11".to_owned() },
        ]
    }
}

impl Message for Refusal {
    fn namespace(&self) -> &'static str {
        "refusal"
    }

    fn key(&self) -> &'static str {
        self.code()
    }

    fn args(&self, language: Language) -> Args {
        let named = |organization: &Named| quoted(&organization.name);
        // A slot in words when the refusal knows when it is, else by its code.
        let when = |slot: &String, at: &String| if at.is_empty() { slot.clone() } else { at.clone() };
        match self {
            Refusal::RequestToSelf | Refusal::EmailTaken | Refusal::EmailNotConfirmed | Refusal::TokenInvalid => {
                Vec::new()
            }
            Refusal::NotAParticipant { organization } => vec![("organization", organization.to_string())],
            Refusal::SameKind { kind } => vec![("kind", kind_label(*kind, language).to_owned())],
            Refusal::RequestExists { request_status, .. } => {
                vec![("status", request_status_label(*request_status, language).to_owned())]
            }
            Refusal::RequestQuotaReached { quota } | Refusal::MeetingQuotaReached { quota } => {
                vec![("quota", quota.to_string())]
            }
            Refusal::RequestNotPending { request_status, .. } => {
                vec![("status", request_status_label(*request_status, language).to_owned())]
            }
            Refusal::UnknownSlot { slot } => vec![("slot", quoted(slot))],
            Refusal::UnknownTable { slot, at, table, tables } => {
                vec![("slot", when(slot, at)), ("table", table.to_string()), ("tables", tables.to_string())]
            }
            Refusal::SlotUnavailable { slot, at, organization } => {
                vec![("slot", when(slot, at)), ("organization", named(organization))]
            }
            Refusal::ParticipantBusy { slot, at, organization, table, with, .. } => vec![
                ("slot", when(slot, at)),
                ("organization", named(organization)),
                ("table", table.to_string()),
                ("with", quoted(with)),
            ],
            Refusal::TableTaken { slot, at, table, startup, investor, .. } => vec![
                ("slot", when(slot, at)),
                ("table", table.to_string()),
                ("startup", quoted(startup)),
                ("investor", quoted(investor)),
            ],
            Refusal::PinUnavailable { meeting, slot, at, organization } => {
                vec![("meeting", meeting.to_string()), ("slot", when(slot, at)), ("organization", named(organization))]
            }
            Refusal::MeetingCancelled { meeting } | Refusal::MeetingNotPlaced { meeting } => {
                vec![("meeting", meeting.to_string())]
            }
            Refusal::MeetingStatusChange { meeting, from, to } => vec![
                ("meeting", meeting.to_string()),
                ("from", meeting_status_label(*from, language).to_owned()),
                ("to", meeting_status_label(*to, language).to_owned()),
            ],
            Refusal::SessionsLocked { placed } => vec![("placed", placed.to_string())],
            Refusal::EventExists { slug } => vec![("slug", slug.clone())],
            Refusal::AccountExists { email } => vec![("email", quoted(email))],
            Refusal::MailNotFailed { mail } => vec![("mail", mail.to_string())],
            Refusal::ProposalGone { proposal } => vec![("proposal", proposal.to_string())],
            Refusal::SlotOver { slot, at } => vec![("slot", when(slot, at))],
            Refusal::EventNotOver { ends } => vec![("ends", ends.clone())],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_change_only_while_pending() {
        let events = [RequestEvent::Accept, RequestEvent::Decline, RequestEvent::Cancel, RequestEvent::Expire];
        for from in RequestStatus::ALL {
            for event in events {
                let expected = match (from, event) {
                    (RequestStatus::Pending, RequestEvent::Accept) => Ok(RequestStatus::Accepted),
                    (RequestStatus::Pending, RequestEvent::Decline) => Ok(RequestStatus::Declined),
                    (RequestStatus::Pending, RequestEvent::Cancel) => Ok(RequestStatus::Cancelled),
                    (RequestStatus::Pending, RequestEvent::Expire) => Ok(RequestStatus::Expired),
                    (status, _) => Err(Refusal::RequestNotPending { request: 1, request_status: status }),
                };
                assert_eq!(from.after(1, event), expected, "{from} on {event:?}");
            }
        }
        assert!(RequestStatus::Pending.is_open() && RequestStatus::Accepted.is_open());
        assert!(!RequestStatus::Declined.is_open() && !RequestStatus::Expired.is_open());
    }

    #[test]
    fn meeting_statuses_follow_their_table() {
        for from in MeetingStatus::ALL {
            for to in MeetingStatus::ALL {
                let allowed = from == to || MeetingStatus::TRANSITIONS.contains(&(from, to));
                let placed = from.change(5, true, to);
                assert_eq!(placed.is_ok(), allowed, "{from} → {to}");
                if !allowed {
                    assert_eq!(placed, Err(Refusal::MeetingStatusChange { meeting: 5, from, to }));
                }
                let unplaced = from.change(5, false, to);
                let needs_slot = from != to && allowed && to.at_table();
                assert_eq!(unplaced.is_ok(), allowed && !needs_slot, "{from} → {to} unplaced");
                if needs_slot {
                    assert_eq!(unplaced, Err(Refusal::MeetingNotPlaced { meeting: 5 }));
                }
            }
        }
        // A cancelled meeting gave up its place.
        assert!(MeetingStatus::TRANSITIONS.iter().all(|(from, _)| *from != MeetingStatus::Cancelled));
    }

    #[test]
    fn statuses_and_outcomes_round_trip_through_their_codes() {
        for status in RequestStatus::ALL {
            assert_eq!(RequestStatus::parse(status.as_str()), Some(status));
        }
        for status in MeetingStatus::ALL {
            assert_eq!(MeetingStatus::parse(status.as_str()), Ok(status));
            let json = serde_json::to_value(status).expect("json");
            assert_eq!(json, status.as_str());
        }
        for outcome in Outcome::ALL {
            assert_eq!(Outcome::parse(outcome.as_str()), Ok(outcome));
        }
        assert!(matches!(Outcome::parse("married"), Err(Issue::NotOneOf { .. })));
    }

    #[test]
    fn priorities_are_one_to_three() {
        assert_eq!(Priority::new(0), Err(Issue::NotPriority { got: "0".to_owned() }));
        assert_eq!(Priority::new(4), Err(Issue::NotPriority { got: "4".to_owned() }));
        assert_eq!(Priority::new(2).map(Priority::get), Ok(2));
        assert_eq!(Priority::clamped(9), Priority::HIGHEST);
        assert!(serde_json::from_str::<Priority>("7").is_err());
        assert_eq!(serde_json::from_str::<Priority>("3").ok(), Some(Priority::HIGHEST));
    }

    #[test]
    fn who_may_ask_whom() {
        let startup = Party { id: 1, kind: OrgKind::Startup, takes_part: true };
        let investor = Party { id: 2, kind: OrgKind::Investor, takes_part: true };
        assert_eq!(may_meet(startup, investor), Ok(()));
        assert_eq!(may_meet(investor, startup), Ok(()));
        assert_eq!(may_meet(startup, startup), Err(Refusal::RequestToSelf));
        assert_eq!(may_meet(startup, Party { id: 3, ..startup }), Err(Refusal::SameKind { kind: OrgKind::Startup }));
        assert_eq!(
            may_meet(startup, Party { takes_part: false, ..investor }),
            Err(Refusal::NotAParticipant { organization: 2 })
        );
    }

    #[test]
    fn quotas_count_what_is_open() {
        assert_eq!(request_quota(2, Some(3)), Ok(()));
        assert_eq!(request_quota(3, Some(3)), Err(Refusal::RequestQuotaReached { quota: 3 }));
        assert_eq!(request_quota(1000, None), Ok(()));
        assert_eq!(meeting_quota(10, Some(10)), Err(Refusal::MeetingQuotaReached { quota: 10 }));
    }

    #[test]
    fn every_refusal_reads_in_every_language() {
        let samples = Refusal::samples();
        let codes: std::collections::HashSet<&str> = samples.iter().map(Refusal::code).collect();
        assert_eq!(codes.len(), 26, "a refusal has no sample");
        for refusal in &samples {
            let key = format!("refusal.{}", refusal.key());
            assert!(crate::i18n::has(&key), "{} is not in the catalogue", refusal.code());
            for language in Language::ALL {
                assert!(!refusal.text(language).contains('{'), "{}", refusal.text(language));
            }
        }
        let busy = &samples[10];
        assert!(busy.text(Language::Vi).contains("\"Sen and Lotus Ventures\""), "{}", busy.text(Language::Vi));
        assert!(crate::i18n::english_words(request_status_label(RequestStatus::Pending, Language::Vi)).is_empty());
    }

    #[test]
    fn refusals_serialize_with_their_code_and_data() {
        let refusal = Refusal::RequestQuotaReached { quota: 3 };
        let json = serde_json::to_value(&refusal).expect("json");
        assert_eq!(json, serde_json::json!({"code": "request-quota-reached", "quota": 3}));
        for refusal in Refusal::samples() {
            assert_eq!(serde_json::to_value(&refusal).expect("json")["code"], refusal.code());
        }
    }
}
