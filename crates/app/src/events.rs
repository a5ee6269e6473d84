//! Events: what anyone may read of one (its slots, its figures), and what its organisers set
//! (sessions, matching weights, request quotas) and bring in (participants from CSV).

use std::collections::BTreeMap;

use ketnoi_domain::event::{EventSlug, SessionSpec};
use ketnoi_domain::matching::Weights;
use ketnoi_domain::rules::{Outcome, RequestRules};
use ketnoi_domain::validate::{Issue, ValidationErrors};
use ketnoi_store::{Event, ImportProgress, ImportSummary, NewEvent};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::organizations::OrganizationView;
use crate::{App, AppError, AppResult, Caller, current_year, local, zone};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SlotView {
    pub code: String,
    /// RFC 3339 in the event's time zone.
    pub start: String,
    pub minutes: i64,
    pub tables: u16,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub slug: String,
    pub name: String,
    pub venue: String,
    pub time_zone: String,
    pub status: &'static str,
    pub startups: u64,
    pub investors: u64,
    pub slots: Vec<SlotView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Participants {
    pub items: Vec<OrganizationView>,
}

/// The weights of the matching factors, each from 0 to 10.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeightsBody {
    pub sector: f64,
    pub stage: f64,
    pub ticket: f64,
    pub geography: f64,
    pub text: f64,
}

impl From<Weights> for WeightsBody {
    fn from(w: Weights) -> Self {
        WeightsBody { sector: w.sector, stage: w.stage, ticket: w.ticket, geography: w.geography, text: w.text }
    }
}

impl From<WeightsBody> for Weights {
    fn from(w: WeightsBody) -> Self {
        Weights { sector: w.sector, stage: w.stage, ticket: w.ticket, geography: w.geography, text: w.text }
    }
}

/// One session of an event: a day's block of meetings.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionBody {
    #[schema(example = "Ngày 1 – sáng")]
    pub name: String,
    /// The local date, `2023-11-24`.
    #[schema(example = "2023-11-24")]
    pub date: String,
    /// Local start time, `09:00`.
    #[schema(example = "09:00")]
    pub start: String,
    /// Local end time, `12:00`.
    #[schema(example = "12:00")]
    pub end: String,
    #[schema(minimum = 5, maximum = 240, example = 20)]
    pub slot_minutes: u16,
    #[schema(minimum = 1, maximum = 1000, example = 20)]
    pub tables: u16,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SessionsBody {
    pub sessions: Vec<SessionBody>,
}

/// CSV files to import, as text: the columns of the command line's import (docs/api.md).
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportInput {
    /// `name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description`
    pub startups: Option<String>,
    /// `name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis`
    pub investors: Option<String>,
    /// Check everything and report what would change, writing nothing.
    #[serde(default)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportResult {
    pub dry_run: bool,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The records updated (or, in a preview, that would be), with what changes: the first 200.
    pub changes: Vec<RecordChangeView>,
}

/// A record an import updates: its name, and each field it changes.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RecordChangeView {
    pub name: String,
    pub fields: Vec<FieldChangeView>,
}

/// A field an import changes, by its CSV column, with both values as a CSV would hold them.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldChangeView {
    pub field: String,
    pub before: String,
    pub after: String,
}

/// The event's figures: aggregates only.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FiguresView {
    pub startups: u64,
    pub investors: u64,
    pub requests: u64,
    pub accepted: u64,
    pub declined: u64,
    pub pending: u64,
    /// Accepted over answered requests, from 0 to 1.
    pub acceptance_rate: f64,
    pub meetings: u64,
    pub placed: u64,
    pub checked_in: u64,
    pub held: u64,
    pub no_show: u64,
    /// Outcomes reported by either side, by code.
    pub outcomes: BTreeMap<String, u64>,
    /// The event's messages: waiting, sent, failed.
    pub mail: crate::outbox::MailCountsView,
}

/// The organisers' rules for requests: none is no limit.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RulesBody {
    /// Requests a startup may have pending or accepted; none for no limit.
    #[schema(minimum = 1)]
    pub request_quota: Option<u32>,
    /// Meetings an investor will take; none for no limit.
    #[schema(minimum = 1)]
    pub meeting_quota: Option<u32>,
    /// Hours until a pending request expires; none for never.
    #[schema(minimum = 1)]
    pub request_ttl_hours: Option<u32>,
    /// Hours between two digests of the requests waiting for a member's answer; none for 24.
    #[schema(minimum = 1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub digest_hours: Option<u32>,
    /// Minutes before a meeting that its reminder is sent; none for 15.
    #[schema(minimum = 1)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reminder_minutes: Option<u32>,
}

impl From<RulesBody> for RequestRules {
    fn from(body: RulesBody) -> Self {
        RequestRules {
            request_quota: body.request_quota,
            meeting_quota: body.meeting_quota,
            request_ttl_hours: body.request_ttl_hours,
            digest_hours: body.digest_hours,
            reminder_minutes: body.reminder_minutes,
        }
    }
}

impl From<RequestRules> for RulesBody {
    fn from(rules: RequestRules) -> Self {
        RulesBody {
            request_quota: rules.request_quota,
            meeting_quota: rules.meeting_quota,
            request_ttl_hours: rules.request_ttl_hours,
            digest_hours: rules.digest_hours,
            reminder_minutes: rules.reminder_minutes,
        }
    }
}

impl SessionsBody {
    /// The sessions in the domain's terms, each problem named `sessions[i].field`.
    fn specs(&self) -> Result<Vec<SessionSpec>, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut sessions = Vec::with_capacity(self.sessions.len());
        for (index, session) in self.sessions.iter().enumerate() {
            let field = |name: &str| format!("sessions[{index}].{name}");
            let date = session
                .date
                .trim()
                .parse::<jiff::civil::Date>()
                .map_err(|_| Issue::NotDate { value: session.date.clone() });
            let time = |text: &str| {
                text.trim().parse::<jiff::civil::Time>().map_err(|_| Issue::NotTime { value: text.to_owned() })
            };
            let date = errors.check(field("date"), date);
            let start = errors.check(field("start"), time(&session.start));
            let end = errors.check(field("end"), time(&session.end));
            if let (Some(date), Some(start), Some(end)) = (date, start, end) {
                sessions.push(SessionSpec {
                    name: session.name.clone(),
                    date,
                    start,
                    end,
                    slot_minutes: session.slot_minutes,
                    tables: session.tables,
                });
            }
        }
        errors.into_result(|| sessions)
    }
}

impl App {
    /// An event, its slots and how many startups and investors take part.
    pub async fn event_view(&self, slug: &str) -> AppResult<EventView> {
        let event = self.event(slug).await?;
        self.describe(&event).await
    }

    pub(crate) async fn describe(&self, event: &Event) -> AppResult<EventView> {
        let zone = zone(event);
        let ((startups, investors), slots) =
            tokio::try_join!(self.store.participant_counts(event.id), self.store.slots(event.id))?;
        let slots = slots
            .into_iter()
            .map(|slot| SlotView {
                start: local(slot.starts_at, &zone),
                minutes: (slot.ends_at.as_second() - slot.starts_at.as_second()) / 60,
                code: slot.code,
                tables: slot.tables,
            })
            .collect();
        Ok(EventView {
            slug: event.slug.to_string(),
            name: event.name.clone(),
            venue: event.venue.clone(),
            time_zone: event.time_zone.clone(),
            status: event.status.as_str(),
            startups,
            investors,
            slots,
        })
    }

    /// Every participant of the event with contacts and private figures: for its organisers.
    pub async fn participants(&self, caller: &Caller, slug: &str) -> AppResult<Participants> {
        let event = self.managed(caller, slug).await?;
        let items = self.store.event_participants(event.id).await?.into_iter().map(OrganizationView::private).collect();
        Ok(Participants { items })
    }

    /// Sets how much each matching factor counts in this event's recommendations.
    pub async fn set_weights(&self, caller: &Caller, slug: &str, weights: WeightsBody) -> AppResult<WeightsBody> {
        let event = self.managed(caller, slug).await?;
        self.store.set_matching_weights(&event.slug, &weights.into()).await?;
        Ok(weights)
    }

    /// The event's matching weights: for its organisers.
    pub async fn weights(&self, caller: &Caller, slug: &str) -> AppResult<WeightsBody> {
        Ok(self.managed(caller, slug).await?.weights.into())
    }

    /// The event's request quotas and expiry: for its organisers.
    pub async fn rules(&self, caller: &Caller, slug: &str) -> AppResult<RulesBody> {
        Ok(self.managed(caller, slug).await?.rules.into())
    }

    /// The event's matching weights, some of them changed: for the command line, which acts
    /// as the operator.
    pub async fn change_weights(&self, slug: &str, change: impl FnOnce(&mut Weights)) -> AppResult<Weights> {
        let event = self.event(slug).await?;
        let mut weights = event.weights;
        change(&mut weights);
        if weights != event.weights {
            self.store.set_matching_weights(&event.slug, &weights).await?;
        }
        Ok(weights)
    }

    /// Sets the event's request quotas and expiry.
    pub async fn set_rules(&self, caller: &Caller, slug: &str, rules: RulesBody) -> AppResult<RulesBody> {
        let event = self.managed(caller, slug).await?;
        let domain: RequestRules = rules.into();
        domain.validate()?;
        self.store.set_request_rules(event.id, domain).await?;
        Ok(rules)
    }

    /// The event's sessions as they were set, in local dates and times: for its organisers.
    pub async fn sessions(&self, caller: &Caller, slug: &str) -> AppResult<Vec<SessionBody>> {
        let event = self.managed(caller, slug).await?;
        Ok(self
            .store
            .sessions(&event)
            .await?
            .into_iter()
            .map(|s| SessionBody {
                name: s.name,
                date: s.date.to_string(),
                start: s.start.strftime("%H:%M").to_string(),
                end: s.end.strftime("%H:%M").to_string(),
                slot_minutes: s.slot_minutes,
                tables: s.tables,
            })
            .collect())
    }

    /// Replaces the event's sessions, and so its slots and tables. Refused once meetings are
    /// placed in the current slots.
    pub async fn set_sessions(&self, caller: &Caller, slug: &str, body: &SessionsBody) -> AppResult<EventView> {
        let event = self.managed(caller, slug).await?;
        let sessions = body.specs()?;
        self.store.replace_sessions(&event.slug, &sessions).await?;
        self.describe(&event).await
    }

    /// Imports startups and investors into the event from CSV text, all or nothing; with
    /// `dry_run`, a preview that writes nothing.
    pub async fn import(&self, caller: &Caller, slug: &str, input: &ImportInput) -> AppResult<ImportResult> {
        let event = self.managed(caller, slug).await?;
        if input.startups.is_none() && input.investors.is_none() {
            return Err(AppError::invalid("startups", Issue::NoFile));
        }
        let new_event = NewEvent::from_slug(event.slug.clone());
        let summary = self
            .store
            .import_csv(
                &new_event,
                input.startups.as_deref().map(|text| ("startups", text.as_bytes())),
                input.investors.as_deref().map(|text| ("investors", text.as_bytes())),
                current_year(),
                &(),
                !input.dry_run,
            )
            .await?;
        if !input.dry_run {
            tracing::info!(event = %event.slug, created = summary.created, updated = summary.updated, "participants imported");
        }
        Ok(ImportResult {
            dry_run: input.dry_run,
            created: summary.created,
            updated: summary.updated,
            unchanged: summary.unchanged,
            changes: summary
                .changes
                .into_iter()
                .map(|record| RecordChangeView {
                    name: record.name,
                    fields: record
                        .fields
                        .into_iter()
                        .map(|f| FieldChangeView { field: f.field.to_owned(), before: f.before, after: f.after })
                        .collect(),
                })
                .collect(),
        })
    }

    /// Imports CSV files (name and bytes) into the event `new_event` names, creating it when
    /// it is new: for the command line, which acts as the operator.
    pub async fn import_files(
        &self,
        new_event: &NewEvent,
        startups: Option<(&str, &[u8])>,
        investors: Option<(&str, &[u8])>,
        progress: &dyn ImportProgress,
    ) -> AppResult<ImportSummary> {
        if startups.is_none() && investors.is_none() {
            return Err(AppError::invalid("startups", Issue::NoFile));
        }
        Ok(self.store.import_csv(new_event, startups, investors, current_year(), progress, true).await?)
    }

    /// The event's figures: participants, requests, acceptance, meetings placed, held,
    /// no-shows, outcomes. Aggregates only: public.
    pub async fn figures(&self, slug: &str) -> AppResult<FiguresView> {
        let event = self.event(slug).await?;
        let (f, mail) = tokio::try_join!(
            async { Ok::<_, AppError>(self.store.figures(event.id).await?) },
            self.mail_counts(event.id)
        )?;
        let answered = f.accepted + f.declined;
        Ok(FiguresView {
            startups: f.startups,
            investors: f.investors,
            requests: f.requests,
            accepted: f.accepted,
            declined: f.declined,
            pending: f.pending,
            acceptance_rate: if answered == 0 {
                0.0
            } else {
                (f.accepted as f64 / answered as f64 * 1000.0).round() / 1000.0
            },
            meetings: f.meetings,
            placed: f.placed,
            checked_in: f.checked_in,
            held: f.held,
            no_show: f.no_show,
            outcomes: f.outcomes.into_iter().map(|(o, n): (Outcome, u64)| (o.as_str().to_owned(), n)).collect(),
            mail,
        })
    }

    /// Creates an event (or finds it) for the command line's import and demo.
    pub async fn find_event(&self, slug: &EventSlug) -> AppResult<Option<Event>> {
        Ok(self.store.find_event(slug).await?)
    }
}
