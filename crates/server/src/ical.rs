//! iCalendar (RFC 5545) for agendas: one VEVENT per placed meeting, times in the event's time
//! zone with its VTIMEZONE, a UID that never changes and the meeting's SEQUENCE, so that a
//! moved meeting updates the entry a calendar already holds.

use ketnoi_store::Event;

use crate::meetings::MeetingView;

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

/// `20231124T090000` from an RFC 3339 local time.
fn local(rfc3339: &str) -> String {
    rfc3339.get(..19).unwrap_or_default().replace(['-', ':'], "")
}

/// `+0700` from an RFC 3339 local time.
fn offset(rfc3339: &str) -> String {
    rfc3339.get(19..).unwrap_or("+00:00").replace(':', "")
}

/// The calendar of `meetings` for `viewer` (the organization whose agenda it is).
pub fn calendar(event: &Event, meetings: &[MeetingView], viewer: Option<i64>, now: jiff::Timestamp) -> String {
    let mut out = String::new();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, "VERSION:2.0");
    line(&mut out, "PRODID:-//ketnoi//agenda//EN");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, "METHOD:PUBLISH");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(&event.name)));
    line(&mut out, &format!("X-WR-TIMEZONE:{}", event.time_zone));
    let placed: Vec<&MeetingView> = meetings.iter().filter(|m| m.start.is_some() && m.end.is_some()).collect();
    if let Some(first) = placed.first().and_then(|m| m.start.as_deref()) {
        // The offset in force at the event: ketnoi's events are in zones without daylight saving
        // (Asia/Ho_Chi_Minh); one STANDARD block states it.
        let offset = offset(first);
        line(&mut out, "BEGIN:VTIMEZONE");
        line(&mut out, &format!("TZID:{}", event.time_zone));
        line(&mut out, "BEGIN:STANDARD");
        line(&mut out, "DTSTART:19700101T000000");
        line(&mut out, &format!("TZOFFSETFROM:{offset}"));
        line(&mut out, &format!("TZOFFSETTO:{offset}"));
        line(&mut out, "END:STANDARD");
        line(&mut out, "END:VTIMEZONE");
    }
    let stamp = now.strftime("%Y%m%dT%H%M%SZ").to_string();
    for meeting in placed {
        let (Some(start), Some(end)) = (meeting.start.as_deref(), meeting.end.as_deref()) else { continue };
        let counterpart = if viewer == Some(meeting.startup.id) { &meeting.investor } else { &meeting.startup };
        let table = meeting.table.map(|t| format!(", table {t}")).unwrap_or_default();
        line(&mut out, "BEGIN:VEVENT");
        line(&mut out, &format!("UID:meeting-{}@{}.ketnoi", meeting.id, event.slug));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        line(&mut out, &format!("SEQUENCE:{}", meeting.sequence));
        line(&mut out, &format!("DTSTART;TZID={}:{}", event.time_zone, local(start)));
        line(&mut out, &format!("DTEND;TZID={}:{}", event.time_zone, local(end)));
        line(
            &mut out,
            &format!("SUMMARY:{}", escape(&format!("{} × {}{table}", meeting.startup.name, meeting.investor.name))),
        );
        let place = if event.venue.is_empty() { event.name.clone() } else { event.venue.clone() };
        line(&mut out, &format!("LOCATION:{}", escape(&format!("{place}{table}"))));
        line(
            &mut out,
            &format!(
                "DESCRIPTION:{}",
                escape(&format!("Business matching at {} with {}.", event.name, counterpart.name))
            ),
        );
        let status = if meeting.status == "cancelled" { "CANCELLED" } else { "CONFIRMED" };
        line(&mut out, &format!("STATUS:{status}"));
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_fold_between_characters() {
        let mut out = String::new();
        line(&mut out, &format!("SUMMARY:{}", "Đổi mới sáng tạo ".repeat(8)));
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{physical:?} is {} octets", physical.len());
        }
        assert_eq!(out.replace("\r\n ", ""), format!("SUMMARY:{}\r\n", "Đổi mới sáng tạo ".repeat(8)));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a, b; c\\d\ne"), "a\\, b\\; c\\\\d\\ne");
    }
}
