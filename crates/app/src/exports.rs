//! What leaves ketnoi as a file: CSV for spreadsheets, all written by one writer, and the
//! agenda as iCalendar.

use std::collections::HashMap;

use ketnoi_domain::profile::Details;
use ketnoi_store::{Event, Slot};

use crate::meetings::MeetingView;
use crate::{App, AppError, AppResult, Caller, local, zone};

/// A file to download: its name and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Export {
    pub filename: String,
    /// `text/csv; charset=utf-8` or `text/calendar; charset=utf-8`.
    pub content_type: &'static str,
    pub body: String,
}

/// The CSV exports an organiser can download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CsvExport {
    Participants,
    Requests,
    Meetings,
    /// The table sheet: every slot's meetings by table.
    Tables,
}

impl CsvExport {
    pub const ALL: [CsvExport; 4] =
        [CsvExport::Participants, CsvExport::Requests, CsvExport::Meetings, CsvExport::Tables];

    /// The file's name after the event's slug: `participants.csv`.
    pub fn file(self) -> &'static str {
        match self {
            CsvExport::Participants => "participants.csv",
            CsvExport::Requests => "requests.csv",
            CsvExport::Meetings => "meetings.csv",
            CsvExport::Tables => "tables.csv",
        }
    }

    pub fn parse(file: &str) -> Option<CsvExport> {
        CsvExport::ALL.into_iter().find(|export| export.file() == file)
    }
}

/// Text a spreadsheet would take for a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return first) is prefixed with `'`, so that opening the export runs nothing.
fn guarded(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// Writes CSV for spreadsheets: a byte-order mark first, so that Excel reads the names as
/// UTF-8; every field guarded against formulas; quoted as needed.
#[derive(Debug)]
pub struct CsvWriter {
    writer: csv::Writer<Vec<u8>>,
}

impl CsvWriter {
    /// A file that starts with `header`.
    pub fn new(header: &[&str]) -> AppResult<CsvWriter> {
        let mut bytes = Vec::with_capacity(4096);
        bytes.extend_from_slice("\u{feff}".as_bytes());
        let mut writer = CsvWriter { writer: csv::Writer::from_writer(bytes) };
        writer.row(header)?;
        Ok(writer)
    }

    pub fn row<I, S>(&mut self, fields: I) -> AppResult<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let record: Vec<String> = fields.into_iter().map(|f| guarded(f.as_ref()).into_owned()).collect();
        self.writer.write_record(&record).map_err(crate::error::internal)
    }

    pub fn finish(self) -> AppResult<String> {
        let bytes = self.writer.into_inner().map_err(crate::error::internal)?;
        String::from_utf8(bytes).map_err(crate::error::internal)
    }
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

/// `20231124T090000` from an RFC 3339 local time.
fn ical_local(rfc3339: &str) -> String {
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
        line(&mut out, &format!("DTSTART;TZID={}:{}", event.time_zone, ical_local(start)));
        line(&mut out, &format!("DTEND;TZID={}:{}", event.time_zone, ical_local(end)));
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
        let status =
            if meeting.status == ketnoi_domain::rules::MeetingStatus::Cancelled { "CANCELLED" } else { "CONFIRMED" };
        line(&mut out, &format!("STATUS:{status}"));
        line(&mut out, "END:VEVENT");
    }
    line(&mut out, "END:VCALENDAR");
    out
}

impl App {
    /// One of the event's CSV exports, for its organisers.
    pub async fn export(&self, caller: &Caller, slug: &str, export: CsvExport) -> AppResult<Export> {
        let event = self.managed(caller, slug).await?;
        let body = match export {
            CsvExport::Participants => self.participants_csv(&event).await?,
            CsvExport::Requests => self.requests_csv(&event).await?,
            CsvExport::Meetings => self.meetings_csv(&event).await?,
            CsvExport::Tables => self.tables_csv(caller, &event, None).await?,
        };
        Ok(Export { filename: format!("{}-{}", event.slug, export.file()), content_type: CSV, body })
    }

    /// The table sheet of one slot (by code), or of every slot: `slot,start,table,startup,
    /// investor,status`.
    pub async fn table_sheet(&self, caller: &Caller, slug: &str, slot: Option<&str>) -> AppResult<Export> {
        let event = self.managed(caller, slug).await?;
        let body = self.tables_csv(caller, &event, slot).await?;
        Ok(Export { filename: format!("{}-tables.csv", event.slug), content_type: CSV, body })
    }

    async fn tables_csv(&self, caller: &Caller, event: &Event, only: Option<&str>) -> AppResult<String> {
        let slots = self.placements(caller, event.slug.as_str()).await?;
        if let Some(code) = only
            && !slots.iter().any(|s| s.code == code)
        {
            let issue = ketnoi_domain::validate::Issue::NotSlot { value: code.to_owned() };
            return Err(AppError::invalid("slot", issue));
        }
        let mut csv = CsvWriter::new(&["slot", "start", "table", "startup", "investor", "status"])?;
        for slot in slots.iter().filter(|s| only.is_none_or(|code| code == s.code)) {
            for m in &slot.meetings {
                let table = m.table.map(|t| t.to_string()).unwrap_or_default();
                csv.row([&slot.code, &slot.start, &table, &m.startup.name, &m.investor.name, m.status.as_str()])?;
            }
        }
        csv.finish()
    }

    async fn participants_csv(&self, event: &Event) -> AppResult<String> {
        let header = [
            "id",
            "kind",
            "name",
            "sectors",
            "stage",
            "investor_type",
            "country",
            "province",
            "email",
            "phone",
            "website",
        ];
        let mut csv = CsvWriter::new(&header)?;
        for o in self.store.event_participants(event.id).await? {
            let p = &o.profile;
            let (stage, investor_type) = match &p.details {
                Details::Startup(s) => (s.stage.code(), ""),
                Details::Investor(i) => ("", i.investor_type.code()),
            };
            let sectors: Vec<&str> = p.sectors.iter().map(|s| s.code()).collect();
            csv.row([
                o.id.to_string().as_str(),
                p.kind().as_str(),
                &p.name,
                &sectors.join(";"),
                stage,
                investor_type,
                &p.country.as_ref().map(ToString::to_string).unwrap_or_default(),
                &p.province,
                p.email.as_ref().map(|e| e.as_str()).unwrap_or_default(),
                &o.phone,
                p.website.as_ref().map(|w| w.as_str()).unwrap_or_default(),
            ])?;
        }
        csv.finish()
    }

    async fn requests_csv(&self, event: &Event) -> AppResult<String> {
        let zone = zone(event);
        let requests = self.store.event_requests(event.id).await?;
        let names = self.names(requests.iter().flat_map(|r| [r.requester_id, r.recipient_id])).await?;
        let name = |id: i64| names.get(&id).map(|o| o.name.clone()).unwrap_or_default();
        let mut csv = CsvWriter::new(&["id", "from", "to", "status", "priority", "created", "message", "note"])?;
        for r in requests {
            let created = jiff::Timestamp::from_second(r.created_at).map(|t| local(t, &zone)).unwrap_or_default();
            csv.row([
                r.id.to_string(),
                name(r.requester_id),
                name(r.recipient_id),
                r.status.as_str().to_owned(),
                r.priority.get().to_string(),
                created,
                r.message,
                r.note,
            ])?;
        }
        csv.finish()
    }

    async fn meetings_csv(&self, event: &Event) -> AppResult<String> {
        let slots: HashMap<i64, Slot> = self.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
        let views = self.meeting_views_in(event, &slots, self.store.meetings(event.id).await?).await?;
        let header = [
            "id",
            "slot",
            "start",
            "table",
            "startup",
            "investor",
            "status",
            "published",
            "startup_outcome",
            "investor_outcome",
        ];
        let mut csv = CsvWriter::new(&header)?;
        for m in views {
            let outcome =
                |o: Option<ketnoi_domain::rules::Outcome>| o.map(|o| o.as_str().to_owned()).unwrap_or_default();
            csv.row([
                m.id.to_string(),
                m.slot.clone().unwrap_or_default(),
                m.start.clone().unwrap_or_default(),
                m.table.map(|t| t.to_string()).unwrap_or_default(),
                m.startup.name.clone(),
                m.investor.name.clone(),
                m.status.as_str().to_owned(),
                m.published.to_string(),
                outcome(m.startup_outcome),
                outcome(m.investor_outcome),
            ])?;
        }
        csv.finish()
    }
}

const CSV: &str = "text/csv; charset=utf-8";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_starts_with_a_bom_and_guards_formulas() {
        let mut csv = CsvWriter::new(&["name", "note"]).expect("header");
        csv.row(["Cảng Số, Hải Phòng", "=HYPERLINK(\"x\")"]).expect("row");
        csv.row(["+84 912", "say \"hi\""]).expect("row");
        let text = csv.finish().expect("finish");
        assert_eq!(
            text,
            "\u{feff}name,note\n\"Cảng Số, Hải Phòng\",\"'=HYPERLINK(\"\"x\"\")\"\n'+84 912,\"say \"\"hi\"\"\"\n"
        );
    }

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
