//! Events, their matching sessions and the slots the sessions yield, in the event's time zone.

use std::fmt;

use jiff::civil::{Date, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};

use crate::validate::{Issue, ValidationErrors};

/// An event's URL name: 3–64 of `a-z`, `0-9` and inner hyphens (`techfest-haiphong-2023`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventSlug(String);

impl EventSlug {
    pub fn parse(input: &str) -> Result<Self, Issue> {
        let slug = input.trim();
        let valid = (3..=64).contains(&slug.len())
            && slug.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !slug.starts_with('-')
            && !slug.ends_with('-')
            && !slug.contains("--");
        if valid { Ok(EventSlug(slug.to_owned())) } else { Err(Issue::NotEventSlug { value: slug.to_owned() }) }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for EventSlug {
    type Error = Issue;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        EventSlug::parse(&value)
    }
}

impl From<EventSlug> for String {
    fn from(value: EventSlug) -> Self {
        value.0
    }
}

impl fmt::Display for EventSlug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Where an event is in its life: draft → open for requests → scheduled → published → closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    Draft,
    Open,
    Scheduled,
    Published,
    Closed,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Draft => "draft",
            EventStatus::Open => "open",
            EventStatus::Scheduled => "scheduled",
            EventStatus::Published => "published",
            EventStatus::Closed => "closed",
        }
    }

    pub fn parse(input: &str) -> Result<Self, String> {
        [EventStatus::Draft, EventStatus::Open, EventStatus::Scheduled, EventStatus::Published, EventStatus::Closed]
            .into_iter()
            .find(|status| status.as_str() == input)
            .ok_or_else(|| format!("{input:?} is not an event status"))
    }
}

/// Parses an IANA time-zone name (`Asia/Ho_Chi_Minh`).
pub fn time_zone(name: &str) -> Result<TimeZone, Issue> {
    TimeZone::get(name.trim()).map_err(|_| Issue::NotTimeZone { value: name.trim().to_owned() })
}

/// A day's block of meetings as an organiser describes it, in the event's local time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSpec {
    pub name: String,
    pub date: Date,
    pub start: Time,
    pub end: Time,
    pub slot_minutes: u16,
    pub tables: u16,
}

/// One meeting slot: a stable code (`d1-0900`: day number of the event, local start time),
/// its span in UTC and how many tables it has.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SlotSpec {
    pub code: String,
    /// Index of the session (in the order given) this slot belongs to.
    pub session: usize,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub tables: u16,
}

/// A session, resolved to instants in the event's time zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedSession {
    pub name: String,
    pub starts_at: Timestamp,
    pub ends_at: Timestamp,
    pub slot_minutes: u16,
    pub tables: u16,
}

/// The most tables a slot may have and the shortest and longest slot.
pub const TABLES_MAX: u16 = 1_000;
pub const SLOT_MINUTES_RANGE: std::ops::RangeInclusive<u16> = 5..=240;

/// Checks the sessions and lays out their slots: back to back from each session's start, as
/// many whole slots as fit before its end. Day numbers count the distinct dates in order.
pub fn plan_slots(
    sessions: &[SessionSpec],
    zone: &TimeZone,
) -> Result<(Vec<ResolvedSession>, Vec<SlotSpec>), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    let mut resolved = Vec::with_capacity(sessions.len());
    for (index, session) in sessions.iter().enumerate() {
        let at = |time: Time| session.date.to_datetime(time).to_zoned_datetime(zone.clone()).map(|z| z.timestamp());
        let span = (at(session.start), at(session.end));
        let field = |name: &str| format!("sessions[{index}].{name}");
        if session.name.trim().is_empty() {
            errors.add(field("name"), Issue::Empty);
        }
        let (shortest, longest) = (*SLOT_MINUTES_RANGE.start(), *SLOT_MINUTES_RANGE.end());
        if session.slot_minutes < shortest {
            errors
                .add(field("slot_minutes"), Issue::TooSmall { min: shortest.into(), got: session.slot_minutes.into() });
        } else if session.slot_minutes > longest {
            errors
                .add(field("slot_minutes"), Issue::TooLarge { max: longest.into(), got: session.slot_minutes.into() });
        }
        if session.tables == 0 {
            errors.add(field("tables"), Issue::TooSmall { min: 1, got: 0 });
        } else if session.tables > TABLES_MAX {
            errors.add(field("tables"), Issue::TooLarge { max: TABLES_MAX.into(), got: session.tables.into() });
        }
        match span {
            (Ok(starts_at), Ok(ends_at)) if starts_at < ends_at => resolved.push((
                index,
                ResolvedSession {
                    name: session.name.trim().to_owned(),
                    starts_at,
                    ends_at,
                    slot_minutes: session.slot_minutes,
                    tables: session.tables,
                },
            )),
            _ => errors.add(field("end"), Issue::EndsBeforeStart),
        }
    }
    for (i, (_, a)) in resolved.iter().enumerate() {
        for (index, b) in &resolved[i + 1..] {
            if a.starts_at < b.ends_at && b.starts_at < a.ends_at {
                errors.add(format!("sessions[{index}].start"), Issue::Overlaps { other: a.name.clone() });
            }
        }
    }
    let resolved: Vec<ResolvedSession> = resolved.into_iter().map(|(_, session)| session).collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut dates: Vec<Date> = sessions.iter().map(|s| s.date).collect();
    dates.sort();
    dates.dedup();
    let mut slots = Vec::new();
    for (index, (spec, session)) in sessions.iter().zip(&resolved).enumerate() {
        let day = dates.iter().position(|d| *d == spec.date).map_or(1, |p| p + 1);
        let length = i64::from(session.slot_minutes).minutes();
        let mut start = session.starts_at;
        while let Ok(end) = start.checked_add(length) {
            if end > session.ends_at {
                break;
            }
            let local = start.to_zoned_datetime(zone.clone());
            slots.push(SlotSpec {
                code: format!("d{day}-{:02}{:02}", local.hour(), local.minute()),
                session: index,
                starts_at: start,
                ends_at: end,
                tables: session.tables,
            });
            start = end;
        }
    }
    if slots.is_empty() {
        errors.add("sessions", Issue::NoSlot);
        return Err(errors);
    }
    Ok((resolved, slots))
}

/// Techfest Hải Phòng 2023's matching sessions: two days, a morning and an afternoon each,
/// 20-minute slots at 20 tables.
pub fn techfest_sessions() -> Vec<SessionSpec> {
    let mut sessions = Vec::new();
    for (day, date) in [jiff::civil::date(2023, 11, 23), jiff::civil::date(2023, 11, 24)].into_iter().enumerate() {
        for (part, start, end) in [("sáng", 9, 12), ("chiều", 14, 17)] {
            sessions.push(SessionSpec {
                name: format!("Ngày {} – {part}", day + 1),
                date,
                start: jiff::civil::time(start, 0, 0, 0),
                end: jiff::civil::time(end, 0, 0, 0),
                slot_minutes: 20,
                tables: 20,
            });
        }
    }
    sessions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert!(EventSlug::parse("techfest-haiphong-2023").is_ok());
        for bad in ["ab", "Techfest", "tech fest", "-x-y", "a--b", "hải-phòng"] {
            assert!(EventSlug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn techfest_yields_36_slots_in_local_time() {
        let zone = time_zone("Asia/Ho_Chi_Minh").unwrap();
        let (sessions, slots) = plan_slots(&techfest_sessions(), &zone).unwrap();
        assert_eq!(sessions.len(), 4);
        assert_eq!(slots.len(), 4 * 9);
        assert_eq!(slots[0].code, "d1-0900");
        assert_eq!(slots[0].starts_at.to_string(), "2023-11-23T02:00:00Z");
        assert_eq!(slots.last().unwrap().code, "d2-1640");
        assert!(slots.iter().all(|s| s.tables == 20));
        let mut codes: Vec<&str> = slots.iter().map(|s| s.code.as_str()).collect();
        codes.dedup();
        assert_eq!(codes.len(), slots.len());
    }

    #[test]
    fn refuses_overlaps_and_bad_lengths() {
        let zone = time_zone("Asia/Ho_Chi_Minh").unwrap();
        let mut sessions = techfest_sessions();
        sessions[1].start = jiff::civil::time(11, 0, 0, 0);
        sessions[2].slot_minutes = 1;
        sessions[3].tables = 0;
        let errors = plan_slots(&sessions, &zone).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["sessions[2].slot_minutes", "sessions[3].tables", "sessions[1].start"]);
        assert_eq!(errors.0[0].issue, Issue::TooSmall { min: 5, got: 1 });
        assert_eq!(errors.0[2].issue, Issue::Overlaps { other: sessions[0].name.clone() });
    }

    #[test]
    fn unknown_time_zone() {
        assert!(time_zone("Asia/Hai_Phong").is_err());
    }
}
