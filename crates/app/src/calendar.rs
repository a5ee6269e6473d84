//! iCalendar (RFC 5545): the agenda download and the calendar feed a person subscribes to.
//!
//! Each meeting keeps one UID for life; every change a calendar must follow (a move, a
//! cancellation, a return) raises its SEQUENCE. A meeting cancelled or unplaced after publishing
//! stays in the feed with `STATUS:CANCELLED`, so that subscribed calendars remove it rather than
//! keep a stale entry. Times are local to the event's zone, described by a VTIMEZONE built from
//! the tz database's own transitions around the meetings: right for zones with daylight saving
//! (Europe/Amsterdam, Australia/Sydney) as for those without (Asia/Ho_Chi_Minh).
//!
//! The writer is ours (about a hundred lines): the iCalendar crates either pull in a second
//! date library or cannot derive a VTIMEZONE from the tz database; what we write is read back
//! by a real parser in the tests.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use ketnoi_domain::i18n::Language;
use ketnoi_domain::rules::{MeetingStatus, Resource};
use ketnoi_store::{Event, Meeting};
use sha2::{Digest, Sha256};

use crate::letters::text;
use crate::meetings::MeetingView;
use crate::{App, AppError, AppResult};

/// One meeting as a calendar shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub uid: String,
    pub sequence: u32,
    /// When this revision was made.
    pub stamp: Timestamp,
    pub start: Timestamp,
    pub end: Timestamp,
    /// The event's zone, by its tz database name.
    pub zone: String,
    pub summary: String,
    pub location: String,
    pub description: String,
    pub url: Option<String>,
    pub cancelled: bool,
    /// A reminder this many minutes before.
    pub alarm_minutes: Option<u32>,
}

/// Text escaped as RFC 5545 §3.3.11 says.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// A content line, folded at 75 octets without splitting a character, CRLF-terminated.
fn line(out: &mut String, content: &str) {
    let mut width = 0;
    for c in content.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

/// `20231124T090000`: local to `zone`.
fn local(at: Timestamp, zone: &TimeZone) -> String {
    at.to_zoned_datetime(zone.clone()).strftime("%Y%m%dT%H%M%S").to_string()
}

/// `+0700`, `-0330`.
fn offset(offset: jiff::tz::Offset) -> String {
    let seconds = offset.seconds();
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.unsigned_abs() / 60;
    format!("{sign}{:02}{:02}", minutes / 60, minutes % 60)
}

/// The VTIMEZONE of `name` for times from `first` to `last`: the observance in force at `first`
/// and each change up to `last`, as the tz database has them.
fn vtimezone(out: &mut String, name: &str, first: Timestamp, last: Timestamp) {
    let Ok(zone) = ketnoi_domain::event::time_zone(name) else { return };
    line(out, "BEGIN:VTIMEZONE");
    line(out, &format!("TZID:{name}"));
    let in_force = zone.preceding(first.checked_add(jiff::SignedDuration::from_secs(1)).unwrap_or(first)).next();
    let changes: Vec<_> =
        in_force.into_iter().chain(zone.following(first).take_while(|t| t.timestamp() <= last)).collect();
    if changes.is_empty() {
        // A zone that never changed: one observance since the epoch.
        let now = zone.to_offset(first);
        line(out, "BEGIN:STANDARD");
        line(out, "DTSTART:19700101T000000");
        line(out, &format!("TZOFFSETFROM:{}", offset(now)));
        line(out, &format!("TZOFFSETTO:{}", offset(now)));
        line(out, "END:STANDARD");
    }
    for change in changes {
        let at = change.timestamp();
        let before = zone.to_offset(at.checked_sub(jiff::SignedDuration::from_secs(1)).unwrap_or(at));
        let kind = if change.dst().is_dst() { "DAYLIGHT" } else { "STANDARD" };
        // The onset is the local time just before the change, in the offset it changes from.
        let onset = at.to_zoned_datetime(TimeZone::fixed(before)).strftime("%Y%m%dT%H%M%S").to_string();
        line(out, &format!("BEGIN:{kind}"));
        line(out, &format!("DTSTART:{onset}"));
        line(out, &format!("TZOFFSETFROM:{}", offset(before)));
        line(out, &format!("TZOFFSETTO:{}", offset(change.offset())));
        if !change.abbreviation().is_empty() && !change.abbreviation().starts_with(['+', '-']) {
            line(out, &format!("TZNAME:{}", change.abbreviation()));
        }
        line(out, &format!("END:{kind}"));
    }
    line(out, "END:VTIMEZONE");
}

/// A calendar named `name` of `entries`.
pub(crate) fn write(name: &str, entries: &[Entry]) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//ketnoi//agenda//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    let mut spans: BTreeMap<&str, (Timestamp, Timestamp)> = BTreeMap::new();
    for entry in entries {
        let span = spans.entry(&entry.zone).or_insert((entry.start, entry.end));
        *span = (span.0.min(entry.start), span.1.max(entry.end));
    }
    if let [(zone, _)] = spans.iter().collect::<Vec<_>>()[..] {
        line(&mut out, &format!("X-WR-TIMEZONE:{zone}"));
    }
    for (zone, (first, last)) in &spans {
        vtimezone(&mut out, zone, *first, *last);
    }
    for entry in entries {
        let zone = ketnoi_domain::event::time_zone(&entry.zone).unwrap_or(TimeZone::UTC);
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:{}", entry.uid));
        line(&mut out, &format!("DTSTAMP:{}", entry.stamp.strftime("%Y%m%dT%H%M%SZ")));
        line(&mut out, &format!("SEQUENCE:{}", entry.sequence));
        line(&mut out, &format!("DTSTART;TZID={}:{}", entry.zone, local(entry.start, &zone)));
        line(&mut out, &format!("DTEND;TZID={}:{}", entry.zone, local(entry.end, &zone)));
        line(&mut out, &format!("SUMMARY:{}", escape(&entry.summary)));
        line(&mut out, &format!("LOCATION:{}", escape(&entry.location)));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&entry.description)));
        if let Some(url) = &entry.url {
            line(&mut out, &format!("URL:{url}"));
        }
        line(&mut out, &format!("STATUS:{}", if entry.cancelled { "CANCELLED" } else { "CONFIRMED" }));
        if let Some(minutes) = entry.alarm_minutes.filter(|_| !entry.cancelled) {
            line(&mut out, "BEGIN:VALARM");
            line(&mut out, "ACTION:DISPLAY");
            line(&mut out, &format!("TRIGGER:-PT{minutes}M"));
            line(&mut out, &format!("DESCRIPTION:{}", escape(&entry.summary)));
            line(&mut out, "END:VALARM");
        }
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// A meeting's UID: the same in the download and the feed, for life.
fn uid(event: &Event, meeting: i64) -> String {
    format!("meeting-{meeting}@{}.ketnoi", event.slug)
}

/// The texts of a meeting's entry, in `language`.
struct Words {
    summary: String,
    location: String,
    description: String,
}

fn words(language: Language, event: &Event, counterpart: &str, table: u32, link: &str) -> Words {
    let place = if event.venue.is_empty() { event.name.clone() } else { event.venue.clone() };
    let args = [
        ("counterpart", counterpart.to_owned()),
        ("event", event.name.clone()),
        ("place", place),
        ("table", table.to_string()),
        ("link", link.to_owned()),
    ];
    Words {
        summary: text(language, "calendar.summary", &args),
        location: text(language, "calendar.location", &args),
        description: text(language, "calendar.description", &args),
    }
}

/// The agenda download of `meetings` for `viewer`: placed meetings only, stamped `now`.
pub(crate) fn agenda(
    event: &Event,
    meetings: &[MeetingView],
    viewer: Option<i64>,
    language: Language,
    link: &str,
    now: Timestamp,
) -> String {
    let entries: Vec<Entry> = meetings
        .iter()
        .filter_map(|meeting| {
            let start: Timestamp = meeting.start.as_deref()?.parse().ok()?;
            let end: Timestamp = meeting.end.as_deref()?.parse().ok()?;
            let counterpart = match viewer {
                Some(viewer) => meeting.counterpart(viewer).name.clone(),
                None => format!("{} × {}", meeting.startup.name, meeting.investor.name),
            };
            let words = words(language, event, &counterpart, meeting.table.unwrap_or_default(), link);
            Some(Entry {
                uid: uid(event, meeting.id),
                sequence: meeting.sequence,
                stamp: now,
                start,
                end,
                zone: event.time_zone.clone(),
                summary: words.summary,
                location: words.location,
                description: words.description,
                url: Some(link.to_owned()),
                cancelled: meeting.status == MeetingStatus::Cancelled,
                alarm_minutes: Some(event.rules.reminder_minutes()),
            })
        })
        .collect();
    write(&event.name, &entries)
}

/// A calendar feed: its body, and its entity tag for `If-None-Match`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Feed {
    pub body: String,
    /// A strong ETag, quoted.
    pub etag: String,
}

impl App {
    /// The calendar a secret feed address serves: every meeting of the user's organization the
    /// organisers published, cancelled ones kept as cancelled. An address that was renewed or
    /// revoked, or that was never signed, is not found.
    pub async fn calendar_feed_body(&self, user: i64, generation: u32, mac: &str) -> AppResult<Feed> {
        let key = self.store.link_key().await?;
        let gone = || AppError::NotFound(Resource::Page);
        if generation == 0 || !crate::notify::feed_signed(&key, user, generation, mac) {
            return Err(gone());
        }
        let user = self.store.user(user).await.map_err(|_| gone())?;
        if user.calendar_feed != generation || user.disabled {
            return Err(gone());
        }
        let mut entries = Vec::new();
        if let Some(organization) = user.organization_id {
            let meetings: Vec<Meeting> = self.store.announced_meetings(organization).await?;
            let events: HashMap<i64, Event> = self.store.events().await?.into_iter().map(|e| (e.id, e)).collect();
            let names = self.names(meetings.iter().flat_map(|m| [m.startup_id, m.investor_id])).await?;
            for meeting in &meetings {
                let (Some(event), Some(announced)) = (events.get(&meeting.event_id), meeting.announced) else {
                    continue;
                };
                let counterpart =
                    if meeting.startup_id == organization { meeting.investor_id } else { meeting.startup_id };
                let counterpart = names.get(&counterpart).map(|o| o.name.clone()).unwrap_or_default();
                let link = self.mail.link(&format!("/e/{}/agenda", event.slug));
                let words = words(user.language, event, &counterpart, announced.table, &link);
                let cancelled = meeting.status == MeetingStatus::Cancelled || !meeting.published;
                entries.push(Entry {
                    uid: uid(event, meeting.id),
                    sequence: meeting.sequence,
                    stamp: Timestamp::from_second(meeting.updated_at).unwrap_or(Timestamp::UNIX_EPOCH),
                    start: announced.start,
                    end: announced.end,
                    zone: event.time_zone.clone(),
                    summary: words.summary,
                    location: words.location,
                    description: words.description,
                    url: Some(link),
                    cancelled,
                    alarm_minutes: Some(event.rules.reminder_minutes()),
                });
            }
        }
        entries.sort_by(|a, b| (a.start, &a.uid).cmp(&(b.start, &b.uid)));
        let body = write(&format!("ketnoi: {}", user.display_name), &entries);
        let digest = Sha256::digest(body.as_bytes());
        let etag = format!("\"{}\"", digest.iter().take(16).map(|b| format!("{b:02x}")).collect::<String>());
        Ok(Feed { body, etag })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(zone: &str, start: &str, minutes: i64) -> Entry {
        let start: Timestamp = start.parse().expect("start");
        Entry {
            uid: format!("meeting-{}@x.ketnoi", start.as_second()),
            sequence: 0,
            stamp: Timestamp::UNIX_EPOCH,
            start,
            end: start.checked_add(jiff::SignedDuration::from_mins(minutes)).expect("end"),
            zone: zone.to_owned(),
            summary: "Meeting with Sen, Lotus; and co".to_owned(),
            location: "Hall A, table 3".to_owned(),
            description: "With Sen".to_owned(),
            url: None,
            cancelled: false,
            alarm_minutes: Some(15),
        }
    }

    #[test]
    fn long_lines_fold_between_characters() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "Gặp quỹ đầu tư Sông Hồng ".repeat(8)));
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{physical:?} is {} octets", physical.len());
        }
    }

    #[test]
    fn text_is_escaped() {
        let body = write("Techfest", &[entry("Asia/Ho_Chi_Minh", "2023-11-24T02:00:00Z", 20)]);
        assert!(body.contains("SUMMARY:Meeting with Sen\\, Lotus\\; and co"), "{body}");
    }

    #[test]
    fn a_zone_with_daylight_saving_has_both_observances() {
        // The last Sunday of March 2024: Amsterdam went from +01:00 to +02:00 at 01:00 UTC.
        let body = write(
            "Amsterdam",
            &[
                entry("Europe/Amsterdam", "2024-03-30T09:00:00Z", 20),
                entry("Europe/Amsterdam", "2024-04-01T08:00:00Z", 20),
            ],
        );
        assert!(
            body.contains("BEGIN:DAYLIGHT\r\nDTSTART:20240331T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200"),
            "{body}"
        );
        assert!(
            body.contains("BEGIN:STANDARD\r\nDTSTART:20231029T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100"),
            "{body}"
        );
        assert!(body.contains("DTSTART;TZID=Europe/Amsterdam:20240330T100000"), "{body}");
        assert!(body.contains("DTSTART;TZID=Europe/Amsterdam:20240401T100000"), "{body}");
    }

    #[test]
    fn a_zone_without_daylight_saving_has_one_observance() {
        let body = write("Techfest", &[entry("Asia/Ho_Chi_Minh", "2023-11-24T02:00:00Z", 20)]);
        assert_eq!(body.matches("BEGIN:STANDARD").count(), 1, "{body}");
        assert!(!body.contains("DAYLIGHT"), "{body}");
        assert!(body.contains("TZOFFSETTO:+0700"), "{body}");
        assert!(body.contains("DTSTART;TZID=Asia/Ho_Chi_Minh:20231124T090000"), "{body}");
        assert!(body.contains("BEGIN:VALARM\r\nACTION:DISPLAY\r\nTRIGGER:-PT15M"), "{body}");
    }
}
