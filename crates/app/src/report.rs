//! The event's report: the figures an organiser publishes after the fair. Counts only, no
//! name, no amount, nothing of a single organization: anyone may read it, as anyone may read
//! the figures on the event's page.

use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::rules::{MeetingStatus, Outcome, RequestStatus};
use serde::Serialize;
use utoipa::ToSchema;

use crate::exports::{CsvWriter, Export};
use crate::{App, AppResult, Caller};

/// The two countries of the connections the fair's Vietnam–Korea business conference counts.
pub const VIETNAM_KOREA: (&str, &str) = ("KR", "VN");

/// A count of participants with one code: a country's (ISO 3166-1 alpha-2) or a sector's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CodeCount {
    /// `VN`, `agritech`; `""` for participants that gave no country.
    #[schema(example = "VN")]
    pub code: String,
    pub count: u64,
}

/// Who took part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParticipantCounts {
    pub total: u64,
    pub startups: u64,
    pub investors: u64,
    /// By country, the most first.
    pub by_country: Vec<CodeCount>,
    /// By sector, the most first: an organization counts once in each of its sectors.
    pub by_sector: Vec<CodeCount>,
}

/// The requests for meetings, by where they stand now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RequestCounts {
    /// Every request sent: the sum of the five below.
    pub sent: u64,
    pub accepted: u64,
    pub declined: u64,
    /// Withdrawn by the side that sent it.
    pub cancelled: u64,
    /// Not answered before the organisers' deadline.
    pub expired: u64,
    /// Still waiting for an answer.
    pub pending: u64,
    /// Accepted over answered (accepted and declined), from 0 to 1.
    pub acceptance_rate: f64,
}

/// The meetings: one per accepted request.
///
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MeetingCounts {
    /// Every meeting: one per accepted request, cancelled ones included.
    pub accepted: u64,
    /// Given a slot and a table, and not cancelled.
    pub placed: u64,
    /// Not taken place yet: no status from the table (placed or still waiting for a slot).
    pub scheduled: u64,
    /// Both sides at the table, not marked held afterwards.
    pub checked_in: u64,
    pub held: u64,
    pub no_show: u64,
    pub cancelled: u64,
    /// Made on the day from a meet-now proposal (after a no-show, a cancellation or a free
    /// slot), not cancelled; counted in the statuses above too.
    pub rematched: u64,
}

/// What the two sides said came of their meetings: each side's answer counts once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OutcomeCounts {
    pub follow_up: u64,
    pub met_again: u64,
    pub term_sheet: u64,
    pub not_a_fit: u64,
    pub invested: u64,
    /// Meetings of which a side reported a term sheet or an investment, each once. Amounts
    /// are private: never published.
    pub deals: u64,
}

/// The follow-up round of an event.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FollowUpRound {
    /// When it opened (RFC 3339, the event's zone).
    pub opened_at: String,
    /// It opened with this call (the sides are being asked); false when it was open already.
    pub opened_now: bool,
    /// Meetings that took place (checked in or held): their sides are asked.
    pub meetings: u64,
}

/// What the sides thought of their meetings: each side's answer counts once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RatingCounts {
    /// Answers with a rating.
    pub rated: u64,
    /// The mean rating, from 1 to 5, to two decimals; 0 with no answer.
    pub mean: f64,
    /// How many answers gave each rating: `[ones, twos, threes, fours, fives]`.
    pub by_rating: [u64; 5],
    /// Sides that want to follow up.
    pub follow_ups: u64,
}

/// Business connections: the meetings that took place, held or checked in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Connections {
    /// Meetings held or checked in (a check-in the organisers did not mark held afterwards
    /// still took place; a no-show did not).
    pub total: u64,
    /// Those between a Vietnamese organization and a Korean one (by the country of each
    /// side's profile): the figure of the fair's Vietnam–Korea business conference.
    pub vietnam_korea: u64,
}

/// The event's report: counts only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Report {
    pub slug: String,
    pub name: String,
    pub venue: String,
    /// `draft`, `open`, `scheduled`, `published` or `closed`: before the fair, the figures
    /// are the story so far.
    pub status: &'static str,
    pub participants: ParticipantCounts,
    pub requests: RequestCounts,
    pub meetings: MeetingCounts,
    pub outcomes: OutcomeCounts,
    pub ratings: RatingCounts,
    pub connections: Connections,
}

fn sorted(counts: impl IntoIterator<Item = (String, u64)>) -> Vec<CodeCount> {
    let mut items: Vec<CodeCount> =
        counts.into_iter().filter(|(_, n)| *n > 0).map(|(code, count)| CodeCount { code, count }).collect();
    items.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.code.cmp(&b.code)));
    items
}

impl Report {
    /// Every figure as a `figure,value` pair, in the report's order: the CSV's rows.
    pub fn figures(&self) -> Vec<(String, String)> {
        let mut rows: Vec<(String, String)> = Vec::new();
        let mut add = |name: &str, value: &dyn ToString| rows.push((name.to_owned(), value.to_string()));
        let p = &self.participants;
        add("participants", &p.total);
        add("participants.startup", &p.startups);
        add("participants.investor", &p.investors);
        for c in &p.by_country {
            let code = if c.code.is_empty() { "none" } else { &c.code };
            add(&format!("participants.country.{code}"), &c.count);
        }
        for c in &p.by_sector {
            add(&format!("participants.sector.{}", c.code), &c.count);
        }
        let r = &self.requests;
        add("requests.sent", &r.sent);
        add("requests.accepted", &r.accepted);
        add("requests.declined", &r.declined);
        add("requests.cancelled", &r.cancelled);
        add("requests.expired", &r.expired);
        add("requests.pending", &r.pending);
        add("requests.acceptance_rate", &r.acceptance_rate);
        let m = &self.meetings;
        add("meetings.accepted", &m.accepted);
        add("meetings.placed", &m.placed);
        add("meetings.scheduled", &m.scheduled);
        add("meetings.checked_in", &m.checked_in);
        add("meetings.held", &m.held);
        add("meetings.no_show", &m.no_show);
        add("meetings.cancelled", &m.cancelled);
        add("meetings.rematched", &m.rematched);
        let o = &self.outcomes;
        add("outcomes.follow_up", &o.follow_up);
        add("outcomes.met_again", &o.met_again);
        add("outcomes.term_sheet", &o.term_sheet);
        add("outcomes.not_a_fit", &o.not_a_fit);
        add("outcomes.invested", &o.invested);
        add("outcomes.deals", &o.deals);
        let g = &self.ratings;
        add("ratings.rated", &g.rated);
        add("ratings.mean", &g.mean);
        for (i, n) in g.by_rating.iter().enumerate() {
            add(&format!("ratings.{}", i + 1), n);
        }
        add("ratings.follow_ups", &g.follow_ups);
        add("connections", &self.connections.total);
        add("connections.vietnam_korea", &self.connections.vietnam_korea);
        rows
    }
}

impl App {
    /// The event's report: participants by kind, country and sector; requests and meetings
    /// by status; outcomes; business connections. Counts only: anyone may read it, signed in
    /// or not, as anyone reads the event's figures.
    pub async fn report(&self, _caller: &Caller, slug: &str) -> AppResult<Report> {
        let event = self.event(slug).await?;
        let counts = self.store.report_counts(event.id).await?;
        let kind = |k: OrgKind| counts.kinds.get(k.as_str()).copied().unwrap_or(0);
        let request = |s: RequestStatus| counts.requests.get(&s).copied().unwrap_or(0);
        let meeting = |s: MeetingStatus| counts.meetings.get(&s).copied().unwrap_or(0);
        let outcome = |o: Outcome| counts.outcomes.get(&o).copied().unwrap_or(0);
        let (accepted, declined) = (request(RequestStatus::Accepted), request(RequestStatus::Declined));
        let answered = accepted + declined;
        let pair = (VIETNAM_KOREA.0.to_owned(), VIETNAM_KOREA.1.to_owned());
        Ok(Report {
            slug: event.slug.to_string(),
            name: event.name.clone(),
            venue: event.venue.clone(),
            status: event.status.as_str(),
            participants: ParticipantCounts {
                total: counts.kinds.values().sum(),
                startups: kind(OrgKind::Startup),
                investors: kind(OrgKind::Investor),
                by_country: sorted(counts.countries.clone()),
                by_sector: sorted(counts.sectors.clone()),
            },
            requests: RequestCounts {
                sent: counts.requests.values().sum(),
                accepted,
                declined,
                cancelled: request(RequestStatus::Cancelled),
                expired: request(RequestStatus::Expired),
                pending: request(RequestStatus::Pending),
                acceptance_rate: if answered == 0 {
                    0.0
                } else {
                    (accepted as f64 / answered as f64 * 1000.0).round() / 1000.0
                },
            },
            meetings: MeetingCounts {
                accepted: counts.meetings.values().sum(),
                placed: counts.placed,
                scheduled: meeting(MeetingStatus::Scheduled),
                checked_in: meeting(MeetingStatus::CheckedIn),
                held: meeting(MeetingStatus::Held),
                no_show: meeting(MeetingStatus::NoShow),
                cancelled: meeting(MeetingStatus::Cancelled),
                rematched: counts.rematched,
            },
            outcomes: OutcomeCounts {
                follow_up: outcome(Outcome::FollowUp),
                met_again: outcome(Outcome::MetAgain),
                term_sheet: outcome(Outcome::TermSheet),
                not_a_fit: outcome(Outcome::NotAFit),
                invested: outcome(Outcome::Invested),
                deals: counts.deals,
            },
            ratings: {
                let by_rating: [u64; 5] =
                    std::array::from_fn(|i| counts.ratings.get(&(i as u8 + 1)).copied().unwrap_or(0));
                let rated: u64 = by_rating.iter().sum();
                let sum: u64 = by_rating.iter().enumerate().map(|(i, n)| (i as u64 + 1) * n).sum();
                let mean = if rated == 0 { 0.0 } else { (sum as f64 / rated as f64 * 100.0).round() / 100.0 };
                RatingCounts { rated, mean, by_rating, follow_ups: counts.follow_ups }
            },
            connections: Connections {
                total: counts.met_by_countries.values().sum(),
                vietnam_korea: counts.met_by_countries.get(&pair).copied().unwrap_or(0),
            },
        })
    }

    /// Opens the follow-up round, weeks after the fair: each pair that met is asked for its
    /// outcome (met again, term sheet, invested, with an optional private amount). Once the
    /// event's last slot is over, and once: opening it again changes nothing.
    pub async fn open_follow_up(&self, caller: &Caller, slug: &str) -> AppResult<FollowUpRound> {
        let event = self.managed(caller, slug).await?;
        let slots = self.store.slots(event.id).await?;
        let zone = crate::zone(&event);
        if let Some(last) = slots.iter().max_by_key(|s| s.ends_at)
            && last.ends_at > jiff::Timestamp::now()
        {
            let ends = last.ends_at.to_zoned_datetime(zone.clone());
            let ends = format!("{:02}:{:02} {:02}/{:02}", ends.hour(), ends.minute(), ends.day(), ends.month());
            return Err(ketnoi_domain::rules::Refusal::EventNotOver { ends }.into());
        }
        let (at, opened_now, meetings) = self.store.open_follow_up(event.id).await?;
        let at = jiff::Timestamp::from_second(at).unwrap_or_default();
        Ok(FollowUpRound { opened_at: crate::local(at, &zone), opened_now, meetings })
    }

    /// The report's figures as CSV (`figure,value`), for a spreadsheet.
    pub async fn report_csv(&self, caller: &Caller, slug: &str) -> AppResult<Export> {
        let report = self.report(caller, slug).await?;
        let mut csv = CsvWriter::new(&["figure", "value"])?;
        for (figure, value) in report.figures() {
            csv.row([figure, value])?;
        }
        Ok(Export {
            filename: format!("{}-report.csv", report.slug),
            content_type: "text/csv; charset=utf-8",
            body: csv.finish()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_first_and_no_zeros() {
        let counts = [("VN".to_owned(), 3), ("KR".to_owned(), 5), ("SG".to_owned(), 0), ("".to_owned(), 3)];
        let sorted = sorted(counts);
        let codes: Vec<&str> = sorted.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["KR", "", "VN"]);
    }
}
