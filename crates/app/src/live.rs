//! Live updates: the changes that concern a signed-in user, as they commit, for the event
//! stream (`GET /api/v1/me/stream`). One tailer per process reads the event log — on
//! PostgreSQL the log every replica writes, so a client of any replica hears of a change made
//! on any other — works out once whom each change concerns, and fans it out to the open
//! streams. A stream that comes back with the last id it saw replays what it missed from the
//! log, and so does one that fell too far behind the fan-out.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use ketnoi_domain::access::Actor;
use ketnoi_domain::log::Change;
use ketnoi_store::{LogEntry, LogPosition};
use tokio::sync::broadcast;

use crate::{App, AppError, AppResult, Caller};

/// How often the tailer reads the log.
const TAIL_EVERY: Duration = Duration::from_millis(150);
/// How many rows one read of the log takes.
const PAGE: u64 = 500;
/// How many changes the fan-out holds for a slow stream before it must read the log instead.
const FAN_OUT: usize = 4096;

/// A change of the log, with whom it concerns.
#[derive(Debug, Clone, PartialEq)]
pub struct LiveChange {
    /// Its place in the log: the stream's event id (`tx.id`).
    pub position: LogPosition,
    pub event_id: Option<i64>,
    pub change: Change,
    /// The organizations it concerns: a request's two sides, a meeting's two sides.
    concerns: Vec<i64>,
    /// It concerns every participant of its event (the schedule was published).
    everyone: bool,
}

/// Who a stream is for.
#[derive(Debug, Clone)]
enum Audience {
    /// A member hears of its organization's requests and meetings, and of the publication of
    /// the schedule of an event it takes part in.
    Member { organization: i64, events: HashSet<i64> },
    /// An organiser hears of everything that happens at its event.
    Organiser { event: i64 },
}

impl Audience {
    fn hears(&self, change: &LiveChange) -> bool {
        match self {
            Audience::Member { organization, events } => {
                change.concerns.contains(organization)
                    || (change.everyone && change.event_id.is_some_and(|e| events.contains(&e)))
            }
            Audience::Organiser { event } => change.event_id == Some(*event),
        }
    }
}

/// The fan-out of one process: the tailer's position and the channel it sends on.
#[derive(Debug)]
pub struct LiveHub {
    sender: broadcast::Sender<Arc<LiveChange>>,
    /// Where the tailer has read up to; set when it starts.
    position: Mutex<Option<LogPosition>>,
    started: OnceLock<()>,
}

impl Default for LiveHub {
    fn default() -> Self {
        LiveHub { sender: broadcast::channel(FAN_OUT).0, position: Mutex::new(None), started: OnceLock::new() }
    }
}

/// One open stream: the changes it missed, then the live ones, each once and in log order.
#[derive(Debug)]
pub struct LiveStream {
    app: Arc<App>,
    audience: Audience,
    receiver: broadcast::Receiver<Arc<LiveChange>>,
    /// Missed changes still to send.
    backlog: std::collections::VecDeque<Arc<LiveChange>>,
    /// The last position sent (or, at the start, the position the stream starts after).
    last: LogPosition,
}

impl Drop for LiveStream {
    fn drop(&mut self) {
        self.app.metrics.stream_closed();
    }
}

impl LiveHub {
    /// Where the tailer has read the log up to; none before the first stream opened.
    pub(crate) fn read_up_to(&self) -> Option<LogPosition> {
        *self.position.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl LiveStream {
    /// The position this stream starts after: the id a client gives back to resume.
    pub fn start(&self) -> LogPosition {
        self.last
    }

    /// The next change for this stream, waiting for one; none when the process stops.
    pub async fn next(&mut self) -> AppResult<Option<Arc<LiveChange>>> {
        loop {
            if let Some(change) = self.backlog.pop_front() {
                self.last = change.position;
                return Ok(Some(change));
            }
            match self.receiver.recv().await {
                Ok(change) if change.position > self.last && self.audience.hears(&change) => {
                    self.last = change.position;
                    return Ok(Some(change));
                }
                Ok(_) => {}
                // Too far behind the fan-out: what was dropped is read from the log.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    self.backlog = missed(&self.app, &self.audience, self.last).await?.into();
                }
                Err(broadcast::error::RecvError::Closed) => return Ok(None),
            }
        }
    }
}

/// Whom a row of the log concerns.
async fn resolve(app: &App, entry: LogEntry) -> LiveChange {
    let (concerns, everyone) = match &entry.change {
        Change::RequestSent { from, to, .. }
        | Change::RequestAccepted { from, to, .. }
        | Change::RequestDeclined { from, to, .. }
        | Change::RequestCancelled { from, to, .. }
        | Change::RequestExpired { from, to, .. } => (vec![*from, *to], false),
        Change::ProposalMade { startup, investor, .. }
        | Change::ProposalDeclined { startup, investor, .. }
        | Change::ProposalGone { startup, investor, .. }
        | Change::Rematched { startup, investor, .. } => (vec![*startup, *investor], false),
        Change::MeetingMoved { meeting, .. }
        | Change::MeetingCancelled { meeting }
        | Change::MeetingStatusChanged { meeting, .. } => {
            // A meeting deleted since concerns no one any more.
            let sides = app.store.meeting(*meeting).await.map(|m| vec![m.startup_id, m.investor_id]);
            (sides.unwrap_or_default(), false)
        }
        Change::SchedulePublished { .. } | Change::FollowUpOpened { .. } => (Vec::new(), true),
        _ => (Vec::new(), false),
    };
    LiveChange { position: entry.position, event_id: entry.event_id, change: entry.change, concerns, everyone }
}

/// The changes after `after` that `audience` hears of, read from the log.
async fn missed(app: &App, audience: &Audience, after: LogPosition) -> AppResult<Vec<Arc<LiveChange>>> {
    let mut found = Vec::new();
    let mut position = after;
    loop {
        let page = app.store.log_after(position, PAGE).await?;
        let done = (page.len() as u64) < PAGE;
        for entry in page {
            position = entry.position;
            let change = resolve(app, entry).await;
            if audience.hears(&change) {
                found.push(Arc::new(change));
            }
        }
        if done {
            return Ok(found);
        }
    }
}

/// Reads the log from its head as it is now, for as long as the app lives, sending each row on.
async fn tail(app: Weak<App>, mut position: LogPosition) {
    loop {
        tokio::time::sleep(TAIL_EVERY).await;
        let Some(app) = app.upgrade() else { return };
        let page = match app.store.log_after(position, PAGE).await {
            Ok(page) => page,
            Err(error) => {
                tracing::warn!(%error, "live updates cannot read the event log; trying again");
                continue;
            }
        };
        let mut changes = Vec::with_capacity(page.len());
        for entry in page {
            position = entry.position;
            changes.push(Arc::new(resolve(&app, entry).await));
        }
        // Sent and the position moved under one lock, which a new stream subscribes under: it
        // gets each change either from the channel or not at all, being already past it.
        let mut read_up_to = app.live.position.lock().unwrap_or_else(|e| e.into_inner());
        for change in changes {
            // No stream open: nothing to send to, and that is no error.
            app.live.sender.send(change).ok();
        }
        *read_up_to = Some(position);
    }
}

impl App {
    /// Opens the caller's stream, after `last_event_id` (the last id it saw) when it comes
    /// back, else from now. Members and organisers only.
    pub async fn live_stream(self: &Arc<Self>, caller: &Caller, last_event_id: Option<&str>) -> AppResult<LiveStream> {
        caller.require_sign_in()?;
        let audience = match caller.actor {
            Actor::Member { organization, .. } => {
                let events = self.store.events_of_organization(organization).await?;
                Audience::Member { organization, events: events.iter().map(|e| e.id).collect() }
            }
            Actor::Organiser { event, .. } => Audience::Organiser { event },
            Actor::Admin { .. } | Actor::Anonymous => {
                return Err(AppError::NotFound(ketnoi_domain::rules::Resource::Page));
            }
        };
        let (receiver, now) = self.subscribe().await?;
        let resumed = last_event_id.and_then(|id| id.trim().parse::<LogPosition>().ok());
        let (backlog, last) = match resumed {
            Some(after) => (missed(self, &audience, after).await?, after),
            // From now: what committed before the client asked (its page shows it already) is
            // not sent, even when the tailer has not read it yet.
            None => (Vec::new(), now.max(self.store.log_head().await?)),
        };
        self.metrics.stream_opened();
        Ok(LiveStream { app: Arc::clone(self), audience, receiver, backlog: backlog.into(), last })
    }

    /// A receiver of the fan-out and the position it starts after, starting the tailer on the
    /// first call.
    async fn subscribe(self: &Arc<Self>) -> AppResult<(broadcast::Receiver<Arc<LiveChange>>, LogPosition)> {
        if self.live.started.get().is_none() {
            let head = self.store.log_head().await?;
            if self.live.started.set(()).is_ok() {
                *self.live.position.lock().unwrap_or_else(|e| e.into_inner()) = Some(head);
                tokio::spawn(tail(Arc::downgrade(self), head));
            }
        }
        loop {
            {
                let read_up_to = self.live.position.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(position) = *read_up_to {
                    return Ok((self.live.sender.subscribe(), position));
                }
            }
            tokio::task::yield_now().await;
        }
    }
}
