//! A participant's meetings: requests sent and received and their answers, the slots it
//! cannot attend, its agenda, and what came of each meeting.

use std::collections::HashMap;

use ketnoi_domain::access::{Action, OrgScope};
use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::rules::{MeetingStatus, Outcome, Priority, RequestEvent, RequestStatus, Resource};
use ketnoi_domain::validate::{self, Issue, ValidationErrors};
use ketnoi_store::{Event, Mailbox, Meeting, MeetingRequest, Slot};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::organizations::given;
use crate::{App, AppError, AppResult, Caller, local, zone};

/// The longest message or note.
pub const MESSAGE_MAX: usize = 1_000;

/// An organization, named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: i64,
    pub name: String,
    /// `startup` or `investor`.
    #[schema(value_type = String)]
    pub kind: OrgKind,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestView {
    pub id: i64,
    pub from: OrgRef,
    pub to: OrgRef,
    pub message: String,
    /// The recipient's note when answering.
    pub note: String,
    /// pending, accepted, declined, cancelled or expired.
    #[schema(value_type = String, example = "pending")]
    pub status: RequestStatus,
    /// 1 to 3: how much the requester wants the meeting; the scheduler favours higher ones.
    #[schema(value_type = u8, minimum = 1, maximum = 3)]
    pub priority: Priority,
    /// Unix seconds, when the organiser set an expiry.
    pub expires_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRequest {
    /// The organization asked: an investor for a startup, a startup for an investor.
    pub to: i64,
    /// A short message, up to 1,000 characters.
    pub message: Option<String>,
    /// 1 (the default), 2 or 3: when not every meeting fits, the scheduler places higher
    /// priorities first.
    #[schema(minimum = 1, maximum = 3)]
    pub priority: Option<u8>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RequestList {
    pub items: Vec<RequestView>,
}

/// Which requests: received or sent.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct MailboxParams {
    /// `inbox` (requests to you, the default) or `outbox` (requests you sent).
    #[param(rename = "box", example = "inbox")]
    #[serde(rename = "box")]
    pub mailbox: Option<String>,
}

impl MailboxParams {
    pub fn parse(&self) -> Result<Mailbox, ValidationErrors> {
        match given(&self.mailbox).unwrap_or("inbox") {
            "inbox" => Ok(Mailbox::Inbox),
            "outbox" => Ok(Mailbox::Outbox),
            other => Err(ValidationErrors::single(
                "box",
                Issue::NotOneOf { value: other.to_owned(), allowed: vec!["inbox".to_owned(), "outbox".to_owned()] },
            )),
        }
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// An optional note for the requester, up to 1,000 characters.
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Answered {
    pub request: RequestView,
    /// The meeting an acceptance created, to be placed by the scheduler.
    pub meeting: Option<MeetingView>,
}

/// The slots an organization cannot attend.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Availability {
    /// Codes of the slots the organization cannot attend (`d1-0900`).
    pub unavailable: Vec<String>,
}

/// Whose meetings or availability: a member's own organization, or another for an organiser.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct OrganizationParams {
    /// The participant's id (organisers); a member's own organization when absent or empty.
    #[param(pattern = "^(|[0-9]{1,18})$")]
    pub organization: Option<String>,
}

impl OrganizationParams {
    pub fn parse(&self) -> Result<Option<i64>, ValidationErrors> {
        given(&self.organization)
            .map(|text| {
                text.parse::<i64>()
                    .map_err(|_| ValidationErrors::single("organization", Issue::NotId { value: text.to_owned() }))
            })
            .transpose()
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: i64,
    pub request_id: i64,
    pub startup: OrgRef,
    pub investor: OrgRef,
    /// The slot's code, once placed.
    pub slot: Option<String>,
    /// RFC 3339 in the event's time zone.
    pub start: Option<String>,
    pub end: Option<String>,
    pub table: Option<u32>,
    pub pinned: bool,
    pub published: bool,
    /// scheduled, checked-in, held, no-show or cancelled.
    #[schema(value_type = String, example = "scheduled")]
    pub status: MeetingStatus,
    #[schema(value_type = Option<String>)]
    pub startup_outcome: Option<Outcome>,
    #[schema(value_type = Option<String>)]
    pub investor_outcome: Option<Outcome>,
    /// The calendar revision (iCalendar SEQUENCE).
    pub sequence: u32,
    /// On an agenda: moved or cancelled after publishing since this agenda last showed it.
    pub changed: bool,
    /// What each side thought of it, once it took place.
    pub startup_feedback: FeedbackView,
    pub investor_feedback: FeedbackView,
    /// It came from a meet-now proposal on the day.
    pub rematched: bool,
    /// The amount each side gave with a term sheet or an investment, in the event's base
    /// currency: private to the pair and the organisers.
    pub startup_amount: Option<i64>,
    pub investor_amount: Option<i64>,
}

/// What one side thought of a meeting: a rating from 1 to 5 and whether it wants to follow up;
/// none until it says.
#[derive(Debug, Clone, Copy, Default, Serialize, ToSchema)]
pub struct FeedbackView {
    pub rating: Option<u8>,
    pub follow_up: Option<bool>,
}

impl From<ketnoi_store::Feedback> for FeedbackView {
    fn from(feedback: ketnoi_store::Feedback) -> Self {
        FeedbackView { rating: feedback.rating, follow_up: feedback.follow_up }
    }
}

/// A side's rating of a meeting that took place, and whether it wants to follow up.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackBody {
    /// From 1 (poor) to 5 (excellent).
    #[schema(minimum = 1, maximum = 5, example = 4)]
    pub rating: i64,
    /// Whether this side wants to meet again.
    #[serde(default)]
    pub follow_up: bool,
}

impl MeetingView {
    /// The other side, for `organization`.
    pub fn counterpart(&self, organization: i64) -> &OrgRef {
        if self.startup.id == organization { &self.investor } else { &self.startup }
    }

    /// The outcome `organization` recorded.
    pub fn outcome_of(&self, organization: i64) -> Option<Outcome> {
        if self.startup.id == organization { self.startup_outcome } else { self.investor_outcome }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Agenda {
    pub event: String,
    pub time_zone: String,
    /// Placed meetings by time, then those not placed yet.
    pub items: Vec<MeetingView>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// follow-up, met-again, term-sheet, not-a-fit or invested.
    #[schema(example = "term-sheet")]
    pub outcome: String,
    /// With a term sheet or an investment, its amount in the event's base currency (optional,
    /// whole, above 0): private to the pair and the organisers.
    #[schema(minimum = 1, example = 500000)]
    pub amount: Option<i64>,
}

/// A message or note: up to [`MESSAGE_MAX`] characters, trimmed.
fn text(field: &'static str, value: Option<&str>) -> AppResult<String> {
    validate::text(value.unwrap_or_default(), 0, MESSAGE_MAX).map_err(|issue| AppError::invalid(field, issue))
}

impl App {
    /// The organizations `ids`, named.
    pub(crate) async fn names(&self, ids: impl IntoIterator<Item = i64>) -> AppResult<HashMap<i64, OrgRef>> {
        let ids: Vec<i64> = ids.into_iter().collect();
        Ok(self
            .store
            .organizations_by_ids(&ids)
            .await?
            .into_iter()
            .map(|o| (o.id, OrgRef { id: o.id, name: o.profile.name.clone(), kind: o.profile.kind() }))
            .collect())
    }

    async fn request_views(&self, requests: Vec<MeetingRequest>) -> AppResult<Vec<RequestView>> {
        let names = self.names(requests.iter().flat_map(|r| [r.requester_id, r.recipient_id])).await?;
        let named =
            |id: i64| names.get(&id).cloned().unwrap_or(OrgRef { id, name: String::new(), kind: OrgKind::Startup });
        Ok(requests
            .into_iter()
            .map(|r| RequestView {
                id: r.id,
                from: named(r.requester_id),
                to: named(r.recipient_id),
                message: r.message,
                note: r.note,
                status: r.status,
                priority: r.priority,
                expires_at: r.expires_at,
                created_at: r.created_at,
            })
            .collect())
    }

    /// Meetings of `event` as their sides and organisers see them, in the given order.
    pub(crate) async fn meeting_views(&self, event: &Event, meetings: Vec<Meeting>) -> AppResult<Vec<MeetingView>> {
        let slots: HashMap<i64, Slot> = self.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
        self.meeting_views_in(event, &slots, meetings).await
    }

    pub(crate) async fn meeting_views_in(
        &self,
        event: &Event,
        slots: &HashMap<i64, Slot>,
        meetings: Vec<Meeting>,
    ) -> AppResult<Vec<MeetingView>> {
        let zone = zone(event);
        let names = self.names(meetings.iter().flat_map(|m| [m.startup_id, m.investor_id])).await?;
        let named = |id: i64, kind| names.get(&id).cloned().unwrap_or(OrgRef { id, name: String::new(), kind });
        Ok(meetings
            .into_iter()
            .map(|m| {
                let slot = m.slot_id.and_then(|id| slots.get(&id));
                MeetingView {
                    id: m.id,
                    request_id: m.request_id,
                    startup: named(m.startup_id, OrgKind::Startup),
                    investor: named(m.investor_id, OrgKind::Investor),
                    slot: slot.map(|s| s.code.clone()),
                    start: slot.map(|s| local(s.starts_at, &zone)),
                    end: slot.map(|s| local(s.ends_at, &zone)),
                    table: m.table,
                    pinned: m.pinned,
                    published: m.published,
                    status: m.status,
                    startup_outcome: m.startup_outcome,
                    investor_outcome: m.investor_outcome,
                    sequence: m.sequence,
                    changed: false,
                    startup_feedback: m.startup_feedback.into(),
                    investor_feedback: m.investor_feedback.into(),
                    rematched: m.rematched,
                    startup_amount: m.startup_amount,
                    investor_amount: m.investor_amount,
                }
            })
            .collect())
    }

    /// The organization a member acts for: organisers neither send nor answer requests.
    fn own(caller: &Caller, resource: Resource) -> AppResult<i64> {
        caller.require_sign_in()?;
        caller.organization().ok_or(AppError::NotFound(resource))
    }

    /// Asks another participant of the event for a meeting, as the caller's organization.
    /// One open request per pair; a startup's quota holds.
    pub async fn send_request(&self, caller: &Caller, slug: &str, input: &NewRequest) -> AppResult<RequestView> {
        caller.require_sign_in()?;
        let from = caller.organization().unwrap_or(-1);
        caller.may(&Action::SendRequest { from }, Resource::Event)?;
        let event = self.event(slug).await?;
        let message = text("message", input.message.as_deref())?;
        let priority = match input.priority {
            Some(value) => Priority::new(value).map_err(|issue| AppError::invalid("priority", issue))?,
            None => Priority::default(),
        };
        let created = self.store.create_request(&event, from, input.to, &message, priority).await?;
        tracing::info!(request = created.id, event = %event.slug, "meeting requested");
        Ok(self.request_views(vec![created]).await?.remove(0))
    }

    /// Whether the caller's organization has sent `to` the same pending request (a form sent
    /// twice): the second send then answers like the first.
    pub async fn sent_already(&self, caller: &Caller, slug: &str, input: &NewRequest) -> AppResult<bool> {
        let from = Self::own(caller, Resource::Request)?;
        let event = self.event(slug).await?;
        let message = input.message.as_deref().unwrap_or_default().trim();
        Ok(self
            .store
            .requests(event.id, from, Mailbox::Outbox)
            .await?
            .iter()
            .any(|r| r.recipient_id == input.to && r.status == RequestStatus::Pending && r.message == message))
    }

    /// The caller's organization's requests at the event, newest first.
    pub async fn requests(&self, caller: &Caller, slug: &str, mailbox: Mailbox) -> AppResult<RequestList> {
        // Mailboxes are the participants' own: an organiser has none.
        let own = Self::own(caller, Resource::Page)?;
        let event = self.event(slug).await?;
        caller.may(&Action::ReadMeetings(OrgScope { id: own, events: vec![event.id] }), Resource::Page)?;
        let items = self.request_views(self.store.requests(event.id, own, mailbox).await?).await?;
        Ok(RequestList { items })
    }

    /// The request `id` of the event, for whoever `action` allows.
    async fn request_for(
        &self,
        caller: &Caller,
        event: &Event,
        id: i64,
        action: fn(&MeetingRequest) -> Action,
    ) -> AppResult<MeetingRequest> {
        let request = self.store.request(id).await?;
        if request.event_id != event.id {
            return Err(AppError::NotFound(Resource::Request));
        }
        caller.may(&action(&request), Resource::Request)?;
        Ok(request)
    }

    /// Accepts (the meeting exists, for the scheduler to place) or declines a request to the
    /// caller's organization, with an optional note.
    pub async fn answer_request(
        &self,
        caller: &Caller,
        slug: &str,
        id: i64,
        accept: bool,
        answer: &AnswerBody,
    ) -> AppResult<Answered> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let request =
            self.request_for(caller, &event, id, |r| Action::AnswerRequest { recipient: r.recipient_id }).await?;
        let note = text("note", answer.note.as_deref())?;
        let on = if accept { RequestEvent::Accept } else { RequestEvent::Decline };
        let (request, meeting) = self.store.change_request(&event, request.id, on, &note).await?;
        tracing::info!(request = request.id, status = request.status.as_str(), "request answered");
        let meeting = match meeting {
            Some(m) => self.meeting_views(&event, vec![m]).await?.pop(),
            None => None,
        };
        let request = self.request_views(vec![request]).await?.remove(0);
        Ok(Answered { request, meeting })
    }

    /// Withdraws a pending request the caller's organization sent.
    pub async fn cancel_request(&self, caller: &Caller, slug: &str, id: i64) -> AppResult<RequestView> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let request =
            self.request_for(caller, &event, id, |r| Action::CancelRequest { requester: r.requester_id }).await?;
        let (cancelled, _) = self.store.change_request(&event, request.id, RequestEvent::Cancel, "").await?;
        Ok(self.request_views(vec![cancelled]).await?.remove(0))
    }

    /// Whose availability or agenda: `organization` for an organiser, else the member's own.
    async fn whose(&self, caller: &Caller, event: &Event, organization: Option<i64>) -> AppResult<OrgScope> {
        let id = match organization.or(caller.organization()) {
            Some(id) => id,
            None => return Err(AppError::invalid("organization", Issue::Empty)),
        };
        let mut scope = self.scope(id).await?;
        scope.events.retain(|e| *e == event.id);
        Ok(scope)
    }

    /// The slots the organization cannot attend.
    pub async fn availability(
        &self,
        caller: &Caller,
        slug: &str,
        organization: Option<i64>,
    ) -> AppResult<Availability> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let scope = self.whose(caller, &event, organization).await?;
        let id = scope.id;
        caller.may(&Action::ReadMeetings(scope), Resource::Participation)?;
        let slots = self.store.slots(event.id).await?;
        let ids = self.store.unavailable(event.id, id).await?;
        Ok(Availability { unavailable: slots.iter().filter(|s| ids.contains(&s.id)).map(|s| s.code.clone()).collect() })
    }

    /// Replaces the slots the organization cannot attend (a keynote, travel). Meetings
    /// already placed stay until the scheduler runs again.
    pub async fn set_availability(
        &self,
        caller: &Caller,
        slug: &str,
        organization: Option<i64>,
        availability: &Availability,
    ) -> AppResult<Availability> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let scope = self.whose(caller, &event, organization).await?;
        let id = scope.id;
        caller.may(&Action::SetAvailability(scope), Resource::Participation)?;
        let slots = self.store.slots(event.id).await?;
        let mut ids = Vec::new();
        let mut errors = ValidationErrors::default();
        for code in &availability.unavailable {
            match slots.iter().find(|s| &s.code == code) {
                Some(slot) => ids.push(slot.id),
                None => errors.add("unavailable", Issue::NotSlot { value: code.clone() }),
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        self.store.set_unavailable(event.id, id, &ids).await?;
        Ok(Availability { unavailable: slots.iter().filter(|s| ids.contains(&s.id)).map(|s| s.code.clone()).collect() })
    }

    /// The organization's meetings at the event, placed ones by time. Until the organisers
    /// publish, where a meeting sits is their preview: its sides see it without a place.
    pub async fn agenda(&self, caller: &Caller, slug: &str, organization: Option<i64>) -> AppResult<Agenda> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let scope = self.whose(caller, &event, organization).await?;
        let id = scope.id;
        caller.may(&Action::ReadMeetings(scope), Resource::Participation)?;
        let meetings = self.store.meetings_of(event.id, id).await?;
        let changed: Vec<bool> = meetings.iter().map(|m| m.changed_for(id)).collect();
        let mut items = self.meeting_views(&event, meetings).await?;
        for (view, changed) in items.iter_mut().zip(changed) {
            view.changed = changed;
        }
        if !caller.is_organiser() {
            for view in items.iter_mut().filter(|v| !v.published) {
                (view.slot, view.start, view.end, view.table) = (None, None, None, None);
            }
        }
        items.sort_by(|a, b| (a.start.is_none(), &a.start).cmp(&(b.start.is_none(), &b.start)));
        Ok(Agenda { event: event.slug.to_string(), time_zone: event.time_zone, items })
    }

    /// Records that the caller's organization has seen its agenda as it is now: the changes it
    /// showed are no longer marked. Organisers looking on mark nothing.
    pub async fn agenda_seen(&self, caller: &Caller, slug: &str) -> AppResult<()> {
        let (Some(organization), false) = (caller.organization(), caller.is_organiser()) else {
            return Ok(());
        };
        let event = self.event(slug).await?;
        self.store.mark_seen(event.id, organization).await?;
        Ok(())
    }

    /// The agenda as an iCalendar file (RFC 5545), times in the event's time zone. Each
    /// meeting keeps its UID; a moved meeting comes with a higher SEQUENCE, so that a calendar
    /// updates its entry instead of adding one.
    pub async fn agenda_calendar(
        &self,
        caller: &Caller,
        slug: &str,
        organization: Option<i64>,
    ) -> AppResult<crate::exports::Export> {
        let agenda = self.agenda(caller, slug, organization).await?;
        let event = self.event(slug).await?;
        let viewer = organization.or(caller.organization());
        let language = caller.user().map(|user| user.language).unwrap_or_default();
        let link = self.mail.link(&format!("/e/{}/agenda", event.slug));
        let body = crate::calendar::agenda(&event, &agenda.items, viewer, language, &link, jiff::Timestamp::now());
        let content_type = "text/calendar; charset=utf-8";
        Ok(crate::exports::Export { filename: format!("{}.ics", event.slug), content_type, body })
    }

    /// Meeting `id` of event `slug`, of which the caller's organization is a side; not found
    /// otherwise.
    async fn own_meeting(&self, caller: &Caller, slug: &str, id: i64) -> AppResult<(Event, Meeting)> {
        caller.require_sign_in()?;
        let event = self.event(slug).await?;
        let meeting = self.store.meeting(id).await?;
        if meeting.event_id != event.id {
            return Err(AppError::NotFound(Resource::Meeting));
        }
        let sides = Action::RecordOutcome { startup: meeting.startup_id, investor: meeting.investor_id };
        caller.may(&sides, Resource::Meeting)?;
        Ok((event, meeting))
    }

    /// Records what came of a meeting, for the caller's side.
    pub async fn record_outcome(
        &self,
        caller: &Caller,
        slug: &str,
        id: i64,
        body: &OutcomeBody,
    ) -> AppResult<MeetingView> {
        let (event, meeting) = self.own_meeting(caller, slug, id).await?;
        let outcome = Outcome::parse(body.outcome.trim()).map_err(|issue| AppError::invalid("outcome", issue))?;
        match body.amount {
            Some(got) if got <= 0 => return Err(AppError::invalid("amount", Issue::NotPositive { got })),
            Some(_) if !outcome.is_deal() => return Err(AppError::invalid("amount", Issue::AmountWithoutDeal)),
            _ => {}
        }
        let side = caller.organization().unwrap_or(-1);
        let updated = self.store.set_outcome(meeting.id, side, outcome, body.amount).await?;
        Ok(self.meeting_views(&event, vec![updated]).await?.remove(0))
    }

    /// Records what the caller's side thought of a meeting: a rating from 1 to 5 and whether it
    /// wants to follow up. Only a side of the meeting may; the answers stay with the pair and
    /// the organisers.
    pub async fn record_feedback(
        &self,
        caller: &Caller,
        slug: &str,
        id: i64,
        body: &FeedbackBody,
    ) -> AppResult<MeetingView> {
        let (event, meeting) = self.own_meeting(caller, slug, id).await?;
        if !(1..=5).contains(&body.rating) {
            let (min, max, got) = ("1".to_owned(), "5".to_owned(), body.rating.to_string());
            return Err(AppError::invalid("rating", ketnoi_domain::validate::Issue::OutOfRange { min, max, got }));
        }
        let feedback =
            ketnoi_store::Feedback { rating: u8::try_from(body.rating).ok(), follow_up: Some(body.follow_up) };
        let side = caller.organization().unwrap_or(-1);
        let updated = self.store.set_feedback(meeting.id, side, feedback).await?;
        Ok(self.meeting_views(&event, vec![updated]).await?.remove(0))
    }
}
