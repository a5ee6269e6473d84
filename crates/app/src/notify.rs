//! Notifications: a consumer of the event log decides who is told what and queues each
//! message, rendered in the recipient's language, in the mail outbox; digests of waiting
//! requests and reminders before meetings are queued on a clock; a sender delivers the queue
//! through a [`Mailer`] (SMTP, or `.eml` files), each message by one server, retried with
//! backoff for up to a day.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use ketnoi_domain::i18n::Language;
use ketnoi_domain::log::{Change, Place};
use ketnoi_domain::rules::{MeetingStatus, RequestStatus};
use ketnoi_store::{Event, LogEntry, LogPosition, Mail, Meeting, NewMail, Slot, User};
use sha2::{Digest, Sha256};

use crate::letters::{Letter, MailKind, Mode, text};
use crate::{App, AppResult, zone};

/// The log consumer's name, where its position is kept.
pub(crate) const CONSUMER: &str = "mail";
/// Log rows read per batch.
const BATCH: u64 = 500;
/// How long a server may take to send a claimed message before another may take it.
pub const LEASE_SECONDS: i64 = 120;
/// Temporary failures are retried for this long after the message was queued, then it fails.
pub const GIVE_UP_AFTER_SECONDS: i64 = 24 * 3600;
/// A digest lists requests waiting at least this long (a fresh one was just mailed).
const DIGEST_AFTER_SECONDS: i64 = 3600;

/// Where the links in messages point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailSettings {
    /// The address people open ketnoi at: `https://match.techfest.vn`.
    pub public_url: String,
}

impl Default for MailSettings {
    fn default() -> Self {
        MailSettings { public_url: "http://127.0.0.1:8080".to_owned() }
    }
}

impl MailSettings {
    /// The host of the public address, for Message-IDs.
    pub fn host(&self) -> &str {
        let rest = self.public_url.split_once("://").map_or(self.public_url.as_str(), |(_, rest)| rest);
        rest.split(['/', ':']).next().filter(|host| !host.is_empty()).unwrap_or("ketnoi.invalid")
    }

    pub(crate) fn link(&self, path: &str) -> String {
        format!("{}{path}", self.public_url.trim_end_matches('/'))
    }
}

/// A message ready to go out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutgoingMail {
    pub id: i64,
    /// Stable for the message: a copy sent again after a crash carries the same one.
    pub message_id: String,
    pub recipient: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The one-click unsubscribe address (RFC 8058), for all but security messages.
    pub unsubscribe: Option<String>,
}

/// Why a message did not go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryError {
    /// Try again later: a 4xx answer, a server that cannot be reached.
    Temporary(String),
    /// Never: a 5xx answer (an address the server refuses).
    Permanent(String),
}

/// Delivers messages: SMTP, or `.eml` files.
pub trait Mailer: Send + Sync {
    fn send(&self, mail: &OutgoingMail) -> impl Future<Output = Result<(), DeliveryError>> + Send;
}

/// HMAC-SHA-256 of `message` under `key` (RFC 2104), hex.
fn hmac(key: &str, message: &str) -> String {
    const BLOCK: usize = 64;
    let mut block = [0u8; BLOCK];
    if key.len() > BLOCK {
        block[..32].copy_from_slice(&Sha256::digest(key.as_bytes()));
    } else {
        block[..key.len()].copy_from_slice(key.as_bytes());
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message.as_bytes()).finalize();
    let outer = Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize();
    outer.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares two strings in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The signed path that turns `kind` off for `user`.
fn unsubscribe_path(key: &str, user: i64, kind: MailKind) -> String {
    let mac = &hmac(key, &format!("unsubscribe:{user}:{}", kind.as_str()))[..32];
    format!("/unsubscribe/{user}/{}/{mac}", kind.as_str())
}

/// The signed path of `user`'s calendar feed at `generation`.
pub(crate) fn feed_path(key: &str, user: i64, generation: u32) -> String {
    let mac = &hmac(key, &format!("feed:{user}:{generation}"))[..32];
    format!("/feed/{user}/{generation}/{mac}.ics")
}

/// Whether `mac` signs the feed of `user` at `generation`.
pub(crate) fn feed_signed(key: &str, user: i64, generation: u32, mac: &str) -> bool {
    let expected = &hmac(key, &format!("feed:{user}:{generation}"))[..32];
    same(expected, mac)
}

/// Whether `mac` signs the unsubscribe link of `user` and `kind`.
pub(crate) fn unsubscribe_signed(key: &str, user: i64, kind: MailKind, mac: &str) -> bool {
    let expected = &hmac(key, &format!("unsubscribe:{user}:{}", kind.as_str()))[..32];
    same(expected, mac)
}

/// Who a message goes to and how they want it.
struct Recipient<'a> {
    user: &'a User,
    preferences: Option<&'a HashMap<String, String>>,
}

impl Recipient<'_> {
    fn mode(&self, kind: MailKind) -> Mode {
        if kind.is_security() {
            return Mode::Immediate;
        }
        // Silence is not consent: without it, only messages about the account itself go.
        if self.user.email_consent_at.is_none() {
            return Mode::Off;
        }
        self.preferences
            .and_then(|preferences| preferences.get(kind.as_str()))
            .and_then(|mode| Mode::parse(mode))
            .unwrap_or(Mode::Immediate)
    }
}

/// A time and table as a letter says them, in the event's zone.
fn place_text(
    language: Language,
    zone: &jiff::tz::TimeZone,
    slots: &HashMap<i64, Slot>,
    place: Option<Place>,
) -> String {
    match place.and_then(|p| slots.get(&p.slot).map(|slot| (slot, p.table))) {
        Some((slot, table)) => {
            text(language, "place", &[("when", moment(language, slot.starts_at, zone)), ("table", table.to_string())])
        }
        None => text(language, "place.none", &[]),
    }
}

/// A moment as a letter says it, in the event's zone: `Thứ Sáu 24/11/2023 09:00`,
/// `Friday 24 November 2023, 09:00`, `2023년 11월 24일 (금요일) 09:00`.
fn moment(language: Language, at: jiff::Timestamp, zone: &jiff::tz::TimeZone) -> String {
    let local = at.to_zoned_datetime(zone.clone());
    ketnoi_domain::i18n::day_moment(language, local.date(), &local.strftime("%H:%M").to_string())
}

impl App {
    fn mail_settings(&self) -> &MailSettings {
        &self.mail
    }

    /// A letter as a `NewMail` to `user` (its greeting, footer and unsubscribe link).
    fn to_user(
        &self,
        key: &str,
        event: Option<&Event>,
        user: &User,
        kind: MailKind,
        dedup: String,
        letter: Letter,
    ) -> NewMail {
        let event_name = event.map(|e| e.name.clone()).unwrap_or_else(|| "ketnoi".to_owned());
        let letter = letter.signed(&event_name);
        let (letter, unsubscribe) = if kind.is_security() {
            (letter, String::new())
        } else {
            let url = self.mail_settings().link(&unsubscribe_path(key, user.id, kind));
            (letter.unsubscribe(&event_name, &url), url)
        };
        NewMail {
            dedup_key: dedup,
            user_id: Some(user.id),
            event_id: event.map(|e| e.id),
            recipient: user.email.clone(),
            language: letter.language,
            kind: kind.as_str().to_owned(),
            subject: letter.subject.clone(),
            text_body: letter.plain(),
            html_body: letter.html(),
            unsubscribe,
        }
    }

    /// Reads the event log from where the mail consumer stopped and queues what each change
    /// means for each person; returns the messages queued. On its first run it starts at the
    /// log's head: what happened before mail existed (a demo's seeded history) sends nothing.
    /// Several servers may call it at once: one reads, the others skip their turn.
    pub async fn plan_mail(&self) -> AppResult<u64> {
        let store = self.store.clone();
        let queued = self
            .store
            .with_consumer(CONSUMER, |start| async move {
                let mut position = match start {
                    Some(position) => position,
                    None => store.log_head().await?,
                };
                let mut queued = 0;
                loop {
                    let entries = store.log_after(position, BATCH).await?;
                    let Some(last) = entries.last().map(|entry| entry.position) else { break };
                    let mails = self
                        .letters_for(&entries)
                        .await
                        .map_err(|error| ketnoi_store::StoreError::Corrupt(format!("planning mail: {error}")))?;
                    queued += store.enqueue_mail(&mails).await?;
                    position = last;
                }
                Ok::<(LogPosition, u64), ketnoi_store::StoreError>((position, queued))
            })
            .await?;
        Ok(queued.unwrap_or(0))
    }

    /// The messages the log's `entries` call for.
    async fn letters_for(&self, entries: &[LogEntry]) -> AppResult<Vec<NewMail>> {
        let mut mails = Vec::new();
        let key = self.store.link_key().await?;
        let events: HashMap<i64, Event> = self.store.events().await?.into_iter().map(|e| (e.id, e)).collect();
        for entry in entries {
            let Some(event) = entry.event_id.and_then(|id| events.get(&id)) else { continue };
            match &entry.change {
                Change::RequestSent { request, from, to } => {
                    mails.extend(
                        self.about_request(&key, event, *request, *from, *to, *to, MailKind::RequestReceived).await?,
                    );
                }
                Change::RequestAccepted { request, from, to, .. } | Change::RequestDeclined { request, from, to } => {
                    mails.extend(
                        self.about_request(&key, event, *request, *from, *to, *from, MailKind::RequestAnswered).await?,
                    );
                }
                Change::RequestCancelled { request, from, to } => {
                    mails.extend(
                        self.about_request(&key, event, *request, *from, *to, *to, MailKind::RequestCancelled).await?,
                    );
                }
                Change::RequestExpired { request, from, to } => {
                    mails.extend(
                        self.about_request(&key, event, *request, *from, *to, *from, MailKind::RequestExpired).await?,
                    );
                }
                Change::SchedulePublished { .. } => {
                    mails.extend(self.schedule_published(&key, event, entry.position.id).await?);
                }
                Change::MeetingMoved { meeting, from, to, published: true } => {
                    mails.extend(self.meeting_changed(&key, event, *meeting, *from, *to, entry.position.id).await?);
                }
                Change::MeetingCancelled { meeting } => {
                    mails.extend(self.meeting_cancelled(&key, event, *meeting, entry.position.id).await?);
                }
                Change::ProposalMade { proposal, .. } => {
                    mails.extend(self.proposal_made(&key, event, *proposal, entry.position.id).await?);
                }
                Change::FollowUpOpened { .. } => {
                    mails.extend(self.follow_up_opened(&key, event, entry.position.id).await?);
                }
                _ => {}
            }
        }
        Ok(mails)
    }

    /// A request's message to each member of `audience` (the recipient's or the requester's).
    #[expect(clippy::too_many_arguments, reason = "the request's parts and who is told")]
    async fn about_request(
        &self,
        key: &str,
        event: &Event,
        request: i64,
        from: i64,
        to: i64,
        audience: i64,
        kind: MailKind,
    ) -> AppResult<Vec<NewMail>> {
        let request = self.store.request(request).await?;
        let names = self.names([from, to]).await?;
        let name = |id: i64| names.get(&id).map(|o| o.name.clone()).unwrap_or_default();
        let members = self.store.members_of(&[audience]).await?.remove(&audience).unwrap_or_default();
        let preferences = self.store.mail_preferences_of(&members.iter().map(|u| u.id).collect::<Vec<_>>()).await?;
        let requests_page = self.mail_settings().link(&format!("/e/{}/requests", event.slug));
        let mut mails = Vec::new();
        for user in &members {
            let recipient = Recipient { user, preferences: preferences.get(&user.id) };
            if recipient.mode(kind) != Mode::Immediate {
                continue;
            }
            let language = user.language;
            let args = [("from", name(from)), ("to", name(to)), ("event", event.name.clone())];
            let (subject, body, action, page) = match (kind, request.status) {
                (MailKind::RequestReceived, _) => {
                    ("request-received.subject", "request-received.body", "request-received.action", "inbox")
                }
                (MailKind::RequestAnswered, RequestStatus::Declined) => {
                    ("request-declined.subject", "request-declined.body", "request-answered.action", "outbox")
                }
                (MailKind::RequestAnswered, _) => {
                    ("request-accepted.subject", "request-accepted.body", "request-answered.action", "outbox")
                }
                (MailKind::RequestCancelled, _) => {
                    ("request-cancelled.subject", "request-cancelled.body", "requests.action", "inbox")
                }
                _ => ("request-expired.subject", "request-expired.body", "requests.action", "outbox"),
            };
            let mut letter = Letter::new(language, subject, Some(&user.display_name), &args).line(body, &args);
            if kind == MailKind::RequestReceived && !request.message.is_empty() {
                letter = letter.line("request-received.message", &[("message", request.message.clone())]);
            }
            if kind == MailKind::RequestAnswered && !request.note.is_empty() {
                letter = letter.line("request.note", &[("note", request.note.clone())]);
            }
            let letter = letter.action(action, format!("{requests_page}?box={page}"));
            let dedup = format!("{}:{}:{}:{}", kind.as_str(), request.id, request.status.as_str(), user.id);
            mails.push(self.to_user(key, Some(event), user, kind, dedup, letter));
        }
        Ok(mails)
    }

    /// The published schedule: each participant's members get their meetings.
    async fn schedule_published(&self, key: &str, event: &Event, log_id: i64) -> AppResult<Vec<NewMail>> {
        let zone = zone(event);
        let slots: HashMap<i64, Slot> = self.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
        let meetings: Vec<Meeting> =
            self.store.meetings(event.id).await?.into_iter().filter(|m| m.published && m.slot_id.is_some()).collect();
        let mut by_organization: BTreeMap<i64, Vec<&Meeting>> = BTreeMap::new();
        for meeting in &meetings {
            by_organization.entry(meeting.startup_id).or_default().push(meeting);
            by_organization.entry(meeting.investor_id).or_default().push(meeting);
        }
        let ids: Vec<i64> = by_organization.keys().copied().collect();
        let names = self.names(ids.iter().copied()).await?;
        let name = |id: i64| names.get(&id).map(|o| o.name.clone()).unwrap_or_default();
        let members = self.store.members_of(&ids).await?;
        let user_ids: Vec<i64> = members.values().flatten().map(|u| u.id).collect();
        let preferences = self.store.mail_preferences_of(&user_ids).await?;
        let agenda = self.mail_settings().link(&format!("/e/{}/agenda", event.slug));
        let mut mails = Vec::new();
        for (organization, mut own) in by_organization {
            own.sort_by_key(|m| m.slot_id.and_then(|s| slots.get(&s)).map(|s| s.starts_at));
            for user in members.get(&organization).into_iter().flatten() {
                let recipient = Recipient { user, preferences: preferences.get(&user.id) };
                if recipient.mode(MailKind::Schedule) != Mode::Immediate {
                    continue;
                }
                let language = user.language;
                let args = [("event", event.name.clone()), ("name", name(organization))];
                let mut letter = Letter::new(language, "schedule-published.subject", Some(&user.display_name), &args)
                    .line("schedule-published.body", &args);
                for meeting in &own {
                    let counterpart =
                        if meeting.startup_id == organization { meeting.investor_id } else { meeting.startup_id };
                    let Some(slot) = meeting.slot_id.and_then(|s| slots.get(&s)) else { continue };
                    letter = letter.item(
                        "meeting.item",
                        &[
                            ("when", moment(language, slot.starts_at, &zone)),
                            ("table", meeting.table.unwrap_or_default().to_string()),
                            ("counterpart", name(counterpart)),
                        ],
                    );
                }
                let letter = letter.action("agenda.action", agenda.clone());
                let dedup = format!("schedule-published:{log_id}:{}", user.id);
                mails.push(self.to_user(key, Some(event), user, MailKind::Schedule, dedup, letter));
            }
        }
        Ok(mails)
    }

    /// A published meeting moved: both sides' members, the old and the new place.
    async fn meeting_changed(
        &self,
        key: &str,
        event: &Event,
        meeting: i64,
        from: Option<Place>,
        to: Option<Place>,
        log_id: i64,
    ) -> AppResult<Vec<NewMail>> {
        let meeting = self.store.meeting(meeting).await?;
        if meeting.status == MeetingStatus::Cancelled {
            return Ok(Vec::new());
        }
        let zone = zone(event);
        let slots: HashMap<i64, Slot> = self.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
        let places = |language| {
            vec![
                ("before", place_text(language, &zone, &slots, from)),
                ("after", place_text(language, &zone, &slots, to)),
            ]
        };
        self.to_both_sides(key, event, (meeting.startup_id, meeting.investor_id), log_id, "meeting-moved", places).await
    }

    /// A published meeting cancelled: both sides' members.
    async fn meeting_cancelled(&self, key: &str, event: &Event, meeting: i64, log_id: i64) -> AppResult<Vec<NewMail>> {
        let meeting = self.store.meeting(meeting).await?;
        if !meeting.published {
            return Ok(Vec::new());
        }
        let zone = zone(event);
        let slots: HashMap<i64, Slot> = self.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
        let place = meeting.place();
        let places = |language| vec![("place", place_text(language, &zone, &slots, place))];
        self.to_both_sides(key, event, (meeting.startup_id, meeting.investor_id), log_id, "meeting-cancelled", places)
            .await
    }

    /// The follow-up round: the members of each side of a meeting that took place are asked
    /// what came of it, their meetings listed.
    async fn follow_up_opened(&self, key: &str, event: &Event, log_id: i64) -> AppResult<Vec<NewMail>> {
        let met: Vec<Meeting> = self
            .store
            .meetings(event.id)
            .await?
            .into_iter()
            .filter(|m| matches!(m.status, MeetingStatus::CheckedIn | MeetingStatus::Held))
            .collect();
        let mut by_organization: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for meeting in &met {
            by_organization.entry(meeting.startup_id).or_default().push(meeting.investor_id);
            by_organization.entry(meeting.investor_id).or_default().push(meeting.startup_id);
        }
        let ids: Vec<i64> = by_organization.keys().copied().collect();
        let names = self.names(ids.iter().copied()).await?;
        let name = |id: i64| names.get(&id).map(|o| o.name.clone()).unwrap_or_default();
        let members = self.store.members_of(&ids).await?;
        let user_ids: Vec<i64> = members.values().flatten().map(|u| u.id).collect();
        let preferences = self.store.mail_preferences_of(&user_ids).await?;
        let agenda = self.mail_settings().link(&format!("/e/{}/agenda", event.slug));
        let mut mails = Vec::new();
        for (organization, counterparts) in &by_organization {
            for user in members.get(organization).into_iter().flatten() {
                let recipient = Recipient { user, preferences: preferences.get(&user.id) };
                if recipient.mode(MailKind::Schedule) != Mode::Immediate {
                    continue;
                }
                let args = [("event", event.name.clone()), ("name", name(*organization))];
                let mut letter = Letter::new(user.language, "follow-up.subject", Some(&user.display_name), &args)
                    .line("follow-up.body", &args);
                for counterpart in counterparts {
                    letter = letter.item("follow-up.item", &[("counterpart", name(*counterpart))]);
                }
                let letter = letter.line("follow-up.private", &args).action("follow-up.action", agenda.clone());
                let dedup = format!("follow-up:{log_id}:{}", user.id);
                mails.push(self.to_user(key, Some(event), user, MailKind::Schedule, dedup, letter));
            }
        }
        Ok(mails)
    }

    /// A meet-now proposal: both sides' members, with the place and the table.
    async fn proposal_made(&self, key: &str, event: &Event, proposal: i64, log_id: i64) -> AppResult<Vec<NewMail>> {
        let proposal = self.store.proposal(proposal).await?;
        if proposal.status != ketnoi_store::ProposalStatus::Open {
            return Ok(Vec::new());
        }
        let zone = zone(event);
        let slots: HashMap<i64, Slot> = self.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
        let place = Some(Place { slot: proposal.slot_id, table: proposal.table });
        let places = |language| {
            vec![("place", place_text(language, &zone, &slots, place)), ("table", proposal.table.to_string())]
        };
        self.to_both_sides(key, event, (proposal.startup_id, proposal.investor_id), log_id, "meet-now", places).await
    }

    /// A letter `key` about a meeting (or a proposal) to each member of both its sides, startup
    /// and investor; `places` gives the places the letter names, in the recipient's language.
    async fn to_both_sides(
        &self,
        link_key: &str,
        event: &Event,
        (startup, investor): (i64, i64),
        log_id: i64,
        key: &str,
        places: impl Fn(Language) -> Vec<(&'static str, String)>,
    ) -> AppResult<Vec<NewMail>> {
        let sides = [startup, investor];
        let names = self.names(sides).await?;
        let name = |id: i64| names.get(&id).map(|o| o.name.clone()).unwrap_or_default();
        let members = self.store.members_of(&sides).await?;
        let user_ids: Vec<i64> = members.values().flatten().map(|u| u.id).collect();
        let preferences = self.store.mail_preferences_of(&user_ids).await?;
        let agenda = self.mail_settings().link(&format!("/e/{}/agenda", event.slug));
        let mut mails = Vec::new();
        for side in sides {
            let counterpart = if side == startup { investor } else { startup };
            for user in members.get(&side).into_iter().flatten() {
                let recipient = Recipient { user, preferences: preferences.get(&user.id) };
                if recipient.mode(MailKind::Schedule) != Mode::Immediate {
                    continue;
                }
                let language = user.language;
                let mut args = vec![("name", name(side)), ("counterpart", name(counterpart))];
                args.extend(places(language));
                let mut letter = Letter::new(language, &format!("{key}.subject"), Some(&user.display_name), &args)
                    .line(&format!("{key}.body"), &args);
                if key == "meeting-moved" {
                    letter = letter.line("meeting-moved.before", &args).line("meeting-moved.after", &args);
                }
                let letter = letter.action("agenda.action", agenda.clone());
                let dedup = format!("{key}:{log_id}:{}", user.id);
                mails.push(self.to_user(link_key, Some(event), user, MailKind::Schedule, dedup, letter));
            }
        }
        Ok(mails)
    }

    /// Queues, for each member with requests waiting for an answer, a digest of them: at most one
    /// per the event's period (its organisers' setting, 24 hours by default).
    pub async fn queue_digests(&self) -> AppResult<u64> {
        let now = jiff::Timestamp::now();
        let key = self.store.link_key().await?;
        let mut mails = Vec::new();
        for event in self.store.events().await? {
            let period = i64::from(event.rules.digest_hours().max(1)) * 3600;
            let zone = zone(&event);
            let pending = self.store.pending_requests(event.id).await?;
            let mut by_recipient: BTreeMap<i64, Vec<&ketnoi_store::MeetingRequest>> = BTreeMap::new();
            for request in &pending {
                by_recipient.entry(request.recipient_id).or_default().push(request);
            }
            if by_recipient.is_empty() {
                continue;
            }
            let ids: Vec<i64> = by_recipient.keys().copied().collect();
            let members = self.store.members_of(&ids).await?;
            let user_ids: Vec<i64> = members.values().flatten().map(|u| u.id).collect();
            let preferences = self.store.mail_preferences_of(&user_ids).await?;
            let names = self.names(pending.iter().flat_map(|r| [r.requester_id, r.recipient_id])).await?;
            let name = |id: i64| names.get(&id).map(|o| o.name.clone()).unwrap_or_default();
            let page = self.mail_settings().link(&format!("/e/{}/requests?box=inbox", event.slug));
            for (organization, requests) in &by_recipient {
                for user in members.get(organization).into_iter().flatten() {
                    let recipient = Recipient { user, preferences: preferences.get(&user.id) };
                    if recipient.mode(MailKind::Digest) == Mode::Off {
                        continue;
                    }
                    // Fresh requests were just mailed one by one, unless this person gets them here.
                    let all = recipient.mode(MailKind::RequestReceived) == Mode::Digest;
                    let listed: Vec<&&ketnoi_store::MeetingRequest> = requests
                        .iter()
                        .filter(|r| all || r.created_at + DIGEST_AFTER_SECONDS <= now.as_second())
                        .collect();
                    if listed.is_empty() {
                        continue;
                    }
                    let language = user.language;
                    let args = [
                        ("count", listed.len().to_string()),
                        ("event", event.name.clone()),
                        ("to", name(*organization)),
                    ];
                    let mut letter = Letter::new(language, "digest.subject", Some(&user.display_name), &args)
                        .line("digest.body", &args);
                    for request in listed {
                        let when = jiff::Timestamp::from_second(request.created_at)
                            .map(|at| moment(language, at, &zone))
                            .unwrap_or_default();
                        letter = letter.item("digest.item", &[("from", name(request.requester_id)), ("when", when)]);
                    }
                    let letter = letter.action("request-received.action", page.clone());
                    let dedup = format!("digest:{}:{}:{}", event.id, user.id, now.as_second() / period);
                    mails.push(self.to_user(&key, Some(&event), user, MailKind::Digest, dedup, letter));
                }
            }
        }
        Ok(self.store.enqueue_mail(&mails).await?)
    }

    /// Queues a reminder to each side's members of every published meeting that starts within
    /// the event's reminder time (its organisers' setting, 15 minutes by default), once per
    /// place of the meeting.
    pub async fn queue_reminders(&self) -> AppResult<u64> {
        let now = jiff::Timestamp::now().as_second();
        let key = self.store.link_key().await?;
        let mut mails = Vec::new();
        for event in self.store.events().await? {
            let ahead = i64::from(event.rules.reminder_minutes()) * 60;
            let slots: HashMap<i64, Slot> = self.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
            let soon: Vec<&Slot> = slots
                .values()
                .filter(|s| s.starts_at.as_second() > now && s.starts_at.as_second() <= now + ahead)
                .collect();
            if soon.is_empty() {
                continue;
            }
            let zone = zone(&event);
            let ids: Vec<i64> = soon.iter().map(|slot| slot.id).collect();
            let meetings: Vec<Meeting> = self
                .store
                .meetings_in(event.id, &ids)
                .await?
                .into_iter()
                .filter(|m| m.published && m.status == MeetingStatus::Scheduled)
                .collect();
            // Everyone's names, members and preferences at once: a slot of a national event
            // holds a thousand meetings.
            let sides: Vec<i64> = meetings.iter().flat_map(|m| [m.startup_id, m.investor_id]).collect();
            let names = self.names(sides.iter().copied()).await?;
            let name = |id: i64| names.get(&id).map(|o| o.name.clone()).unwrap_or_default();
            let members = self.store.members_of(&sides).await?;
            let user_ids: Vec<i64> = members.values().flatten().map(|u| u.id).collect();
            let preferences = self.store.mail_preferences_of(&user_ids).await?;
            for meeting in &meetings {
                let Some(slot) = meeting.slot_id.and_then(|s| soon.iter().find(|slot| slot.id == s)) else { continue };
                let table = meeting.table.unwrap_or_default().to_string();
                let when = |language| moment(language, slot.starts_at, &zone);
                let time = slot.starts_at.to_zoned_datetime(zone.clone()).strftime("%H:%M").to_string();
                for side in [meeting.startup_id, meeting.investor_id] {
                    let counterpart = if side == meeting.startup_id { meeting.investor_id } else { meeting.startup_id };
                    for user in members.get(&side).into_iter().flatten() {
                        let recipient = Recipient { user, preferences: preferences.get(&user.id) };
                        if recipient.mode(MailKind::Reminder) != Mode::Immediate {
                            continue;
                        }
                        let language = user.language;
                        let args = [
                            ("name", name(side)),
                            ("counterpart", name(counterpart)),
                            ("time", time.clone()),
                            ("when", when(language)),
                            ("table", table.clone()),
                        ];
                        let letter = Letter::new(language, "reminder.subject", Some(&user.display_name), &args)
                            .line("reminder.body", &args)
                            .action("agenda.action", self.mail_settings().link(&format!("/e/{}/agenda", event.slug)));
                        let dedup = format!("reminder:{}:{}:{}", meeting.id, meeting.sequence, user.id);
                        mails.push(self.to_user(&key, Some(&event), user, MailKind::Reminder, dedup, letter));
                    }
                }
            }
        }
        Ok(self.store.enqueue_mail(&mails).await?)
    }

    /// A message as it goes out: the same Message-ID every time it is sent.
    pub fn outgoing(&self, mail: &Mail) -> OutgoingMail {
        let digest = Sha256::digest(mail.dedup_key.as_bytes());
        let tag: String = digest.iter().take(6).map(|b| format!("{b:02x}")).collect();
        OutgoingMail {
            id: mail.id,
            message_id: format!("<ketnoi.{}.{tag}@{}>", mail.id, self.mail_settings().host()),
            recipient: mail.recipient.clone(),
            subject: mail.subject.clone(),
            text: mail.text_body.clone(),
            html: mail.html_body.clone(),
            unsubscribe: (!mail.unsubscribe.is_empty()).then(|| mail.unsubscribe.clone()),
        }
    }

    /// Sends up to `limit` due messages through `mailer`, `loops.concurrency` at a time; returns
    /// how many were due and how many went. A temporary failure is tried again later (`loops.retry`, doubling, at most
    /// an hour apart) for up to a day; a permanent one fails the message at once.
    pub async fn send_mail<M: Mailer>(&self, mailer: &M, limit: u64, loops: &MailLoops) -> AppResult<Round> {
        let claimed = self.store.claim_mail(limit, LEASE_SECONDS).await?;
        let mut sent = 0;
        let retry = i64::try_from(loops.retry.as_secs()).unwrap_or(30).max(1);
        // At most `loops.rate` a second, evenly spaced (each message of a batch starts its turn
        // after the one before): the service's pages and searches keep their speed while a
        // published schedule's thousands of messages go out.
        let spacing = Duration::from_secs_f64(1.0 / f64::from(loops.rate.max(1)));
        let mut next = tokio::time::Instant::now();
        for batch in claimed.chunks(loops.concurrency.max(1)) {
            // A batch that ran late does not make the next one hurry.
            let start = next.max(tokio::time::Instant::now() - spacing);
            let outgoing: Vec<OutgoingMail> = batch.iter().map(|mail| self.outgoing(mail)).collect();
            let results = futures_join(outgoing.iter().zip(0u32..).map(|(mail, turn)| async move {
                tokio::time::sleep_until(start + spacing * turn).await;
                mailer.send(mail).await
            }))
            .await;
            next = start + spacing * u32::try_from(batch.len()).unwrap_or(u32::MAX);
            let mut went = Vec::with_capacity(batch.len());
            let failed = results.iter().filter(|result| result.is_err()).count() as u64;
            for (mail, result) in batch.iter().zip(results) {
                match result {
                    Ok(()) => went.push(mail.id),
                    Err(DeliveryError::Permanent(error)) => {
                        tracing::warn!(mail = mail.id, %error, "mail refused for good");
                        self.store.mail_failed(mail.id, &error, None).await?;
                    }
                    Err(DeliveryError::Temporary(error)) => {
                        let now = jiff::Timestamp::now().as_second();
                        let backoff = (retry << mail.attempts.saturating_sub(1).min(12)).min(3600);
                        let retry = (now - mail.created_at < GIVE_UP_AFTER_SECONDS).then_some(now + backoff);
                        tracing::info!(mail = mail.id, %error, attempts = mail.attempts, ?retry, "mail not sent yet");
                        self.store.mail_failed(mail.id, &error, retry).await?;
                    }
                }
            }
            self.store.mail_sent(&went).await?;
            self.metrics.mail(went.len() as u64, failed);
            sent += went.len() as u64;
            tokio::time::sleep_until(next).await;
        }
        Ok(Round { claimed: claimed.len() as u64, sent })
    }
}

/// One round of sending: the messages taken, and those that went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub claimed: u64,
    pub sent: u64,
}

/// Runs the futures together, their results in order.
async fn futures_join<F: Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let futures: Vec<std::pin::Pin<Box<F>>> = futures.map(Box::pin).collect();
    let mut results: Vec<Option<F::Output>> = futures.iter().map(|_| None).collect();
    let mut futures: Vec<Option<std::pin::Pin<Box<F>>>> = futures.into_iter().map(Some).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (slot, result) in futures.iter_mut().zip(results.iter_mut()) {
            if let Some(future) = slot {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(output) => {
                        *result = Some(output);
                        *slot = None;
                    }
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending { std::task::Poll::Pending } else { std::task::Poll::Ready(()) }
    })
    .await;
    results.into_iter().flatten().collect()
}

/// How often the mail loops run.
#[derive(Debug, Clone, Copy)]
pub struct MailLoops {
    /// Reading the log for new messages, and sending what is due.
    pub every: Duration,
    /// Digests and reminders.
    pub clock: Duration,
    /// Messages sent at once.
    pub concurrency: usize,
    /// The wait before the first retry of a temporary failure; it doubles with each attempt.
    pub retry: Duration,
    /// Messages sent a second, at most.
    pub rate: u32,
}

impl Default for MailLoops {
    fn default() -> Self {
        MailLoops {
            every: Duration::from_millis(500),
            clock: Duration::from_secs(30),
            concurrency: 8,
            retry: Duration::from_secs(30),
            rate: 220,
        }
    }
}

/// Messages claimed per round trip to the database.
const SEND_BATCH: u64 = 64;

/// The mail loops, running until the process ends; failures are logged and tried again. The
/// planner reads the event log and queues digests and reminders; the sender delivers what is
/// due. They run apart, so that a long delivery (a published schedule's thousands of
/// messages) does not hold back the next request's message.
#[derive(Debug)]
pub struct MailTasks {
    planner: tokio::task::JoinHandle<()>,
    sender: tokio::task::JoinHandle<()>,
}

impl Drop for MailTasks {
    fn drop(&mut self) {
        self.planner.abort();
        self.sender.abort();
    }
}

/// Starts the mail loops over `app`, delivering through `mailer`.
pub fn spawn<M: Mailer + 'static>(app: Arc<App>, mailer: M, loops: MailLoops) -> MailTasks {
    let planning = Arc::clone(&app);
    let planner = tokio::spawn(async move {
        let mut interval = tokio::time::interval(loops.every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_clock: Option<tokio::time::Instant> = None;
        loop {
            interval.tick().await;
            if let Err(error) = planning.plan_mail().await {
                tracing::warn!(%error, "planning mail failed, retrying");
            }
            if last_clock.is_none_or(|at| at.elapsed() >= loops.clock) {
                last_clock = Some(tokio::time::Instant::now());
                for (what, result) in
                    [("digests", planning.queue_digests().await), ("reminders", planning.queue_reminders().await)]
                {
                    if let Err(error) = result {
                        tracing::warn!(%error, what, "queueing mail failed, retrying");
                    }
                }
            }
        }
    });
    let sender = tokio::spawn(async move {
        let mut interval = tokio::time::interval(loops.every);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            loop {
                match app.send_mail(&mailer, SEND_BATCH, &loops).await {
                    // A full batch: more may be due at once.
                    Ok(round) if round.claimed >= SEND_BATCH => continue,
                    Ok(_) => break,
                    Err(error) => {
                        tracing::warn!(%error, "sending mail failed, retrying");
                        break;
                    }
                }
            }
        }
    });
    MailTasks { planner, sender }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // RFC 4231 test case 2.
        assert_eq!(
            hmac("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn signed_links_check_their_user_and_kind() {
        let path = unsubscribe_path("key", 7, MailKind::Digest);
        let mac = path.rsplit('/').next().expect("mac");
        assert!(unsubscribe_signed("key", 7, MailKind::Digest, mac));
        assert!(!unsubscribe_signed("key", 8, MailKind::Digest, mac));
        assert!(!unsubscribe_signed("key", 7, MailKind::Reminder, mac));
        assert!(!unsubscribe_signed("other key", 7, MailKind::Digest, mac));
        let feed = feed_path("key", 7, 2);
        let mac = feed.rsplit('/').next().and_then(|m| m.strip_suffix(".ics")).expect("mac");
        assert!(feed_signed("key", 7, 2, mac) && !feed_signed("key", 7, 3, mac));
    }

    #[test]
    fn the_public_host_names_message_ids() {
        let settings = MailSettings { public_url: "https://match.techfest.vn:8443/base".to_owned() };
        assert_eq!(settings.host(), "match.techfest.vn");
        assert_eq!(settings.link("/e/x"), "https://match.techfest.vn:8443/base/e/x");
    }
}
