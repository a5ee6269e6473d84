//! What leaves ketnoi as a file: CSV for spreadsheets, all written by one writer (the agenda's
//! iCalendar is in `calendar`).

use std::collections::HashMap;

use ketnoi_domain::profile::Details;
use ketnoi_store::{Event, Slot};

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

/// The template of an import file (`startups.csv` or `investors.csv`): its columns and one
/// example row, to fill in with a spreadsheet.
pub fn import_template(file: &str) -> Option<AppResult<Export>> {
    use ketnoi_domain::import::{INVESTOR_COLUMNS, INVESTOR_EXAMPLE, STARTUP_COLUMNS, STARTUP_EXAMPLE};
    let (columns, example): (&[&str], &[&str]) = match file {
        "startups.csv" => (&STARTUP_COLUMNS, &STARTUP_EXAMPLE),
        "investors.csv" => (&INVESTOR_COLUMNS, &INVESTOR_EXAMPLE),
        _ => return None,
    };
    let body = CsvWriter::new(columns).and_then(|mut csv| {
        csv.row(example)?;
        csv.finish()
    });
    Some(body.map(|body| Export { filename: format!("ketnoi-{file}"), content_type: "text/csv; charset=utf-8", body }))
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
}
