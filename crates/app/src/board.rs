//! The organiser's live board: the slot in progress and the day so far, as it happens —
//! meetings scheduled, checked in, held, no-show, re-matched; tables in use now; no-shows by hour; the
//! tables slowest to check in.

use std::collections::BTreeMap;

use jiff::Timestamp;
use ketnoi_domain::rules::MeetingStatus;
use ketnoi_store::Meeting;
use serde::Serialize;

use crate::{App, AppResult, Caller, local, zone};

/// How many meetings of a group are in each status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StatusCounts {
    pub scheduled: u64,
    pub checked_in: u64,
    pub held: u64,
    pub no_show: u64,
    pub cancelled: u64,
    /// Made on the day from a meet-now proposal (counted in their status too).
    pub rematched: u64,
}

impl StatusCounts {
    fn add(&mut self, meeting: &Meeting) {
        self.rematched += u64::from(meeting.rematched && meeting.status != MeetingStatus::Cancelled);
        match meeting.status {
            MeetingStatus::Scheduled => self.scheduled += 1,
            MeetingStatus::CheckedIn => self.checked_in += 1,
            MeetingStatus::Held => self.held += 1,
            MeetingStatus::NoShow => self.no_show += 1,
            MeetingStatus::Cancelled => self.cancelled += 1,
        }
    }

    /// The meetings that were to take place: all but the cancelled.
    pub fn planned(&self) -> u64 {
        self.scheduled + self.checked_in + self.held + self.no_show
    }
}

/// A table slow to check in: its meetings of the day so far still waiting after their start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SlowTable {
    pub table: u32,
    pub waiting: u64,
}

/// The board at one moment.
#[derive(Debug, Clone, Serialize)]
pub struct Board {
    /// The slot in progress, or the next to come; the last one when the day is over. RFC 3339
    /// in the event's time zone.
    pub slot: Option<(String, String)>,
    /// The meetings of that slot by status.
    pub now: StatusCounts,
    /// Tables in use in that slot (a meeting checked in or held there), and its tables.
    pub tables_in_use: u64,
    pub tables: u64,
    /// The day's slots that have started (all of them once the day is over), their meetings by
    /// status.
    pub day: StatusCounts,
    /// The local date of the day shown.
    pub date: Option<String>,
    /// No-shows by the hour their slot started, `09` → 3, in time order.
    pub no_shows_by_hour: Vec<(String, u64)>,
    /// The tables with meetings of the day so far still not checked in after their start, the
    /// slowest first (at most five).
    pub slowest_tables: Vec<SlowTable>,
}

impl App {
    /// The event's board at `at`, for its organisers: the day of the slot in progress or next
    /// to come (the last day once the event is over).
    pub async fn board(&self, caller: &Caller, slug: &str, at: Timestamp) -> AppResult<Board> {
        let event = self.managed(caller, slug).await?;
        let zone = zone(&event);
        let slots = self.store.slots(event.id).await?;
        let current = slots.iter().find(|s| s.ends_at > at).or(slots.last());
        let day = current.map(|s| zone.to_datetime(s.starts_at).date());
        let meetings = self.store.meetings(event.id).await?;
        let mut board = Board {
            slot: current.map(|s| (local(s.starts_at, &zone), local(s.ends_at, &zone))),
            now: StatusCounts::default(),
            tables_in_use: 0,
            tables: current.map_or(0, |s| u64::from(s.tables)),
            day: StatusCounts::default(),
            date: day.map(|d| d.to_string()),
            no_shows_by_hour: Vec::new(),
            slowest_tables: Vec::new(),
        };
        let mut by_hour: BTreeMap<String, u64> = BTreeMap::new();
        let mut waiting: BTreeMap<u32, u64> = BTreeMap::new();
        for meeting in &meetings {
            let Some(slot) = meeting.slot_id.and_then(|id| slots.iter().find(|s| s.id == id)) else { continue };
            if Some(slot.id) == current.map(|s| s.id) {
                board.now.add(meeting);
                if matches!(meeting.status, MeetingStatus::CheckedIn | MeetingStatus::Held) {
                    board.tables_in_use += 1;
                }
            }
            let start = zone.to_datetime(slot.starts_at);
            let started = slot.starts_at <= at || current.is_some_and(|c| c.ends_at <= at);
            if Some(start.date()) != day || !started {
                continue;
            }
            board.day.add(meeting);
            let hour = format!("{:02}", start.hour());
            let no_shows = by_hour.entry(hour).or_default();
            if meeting.status == MeetingStatus::NoShow {
                *no_shows += 1;
            }
            if meeting.status == MeetingStatus::Scheduled {
                *waiting.entry(meeting.table.unwrap_or_default()).or_default() += 1;
            }
        }
        board.no_shows_by_hour = by_hour.into_iter().collect();
        let mut slowest: Vec<SlowTable> =
            waiting.into_iter().map(|(table, waiting)| SlowTable { table, waiting }).collect();
        slowest.sort_by(|a, b| b.waiting.cmp(&a.waiting).then(a.table.cmp(&b.table)));
        slowest.truncate(5);
        board.slowest_tables = slowest;
        Ok(board)
    }
}
