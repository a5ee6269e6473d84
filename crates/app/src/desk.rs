//! The organisers' desk: the event's settings (request quotas and expiry, matching weights)
//! as a form types them, every problem found at once, saved through [`App::set_rules`] and
//! [`App::set_weights`]; and finding a participant by name.

use ketnoi_domain::matching::Weights;
use ketnoi_domain::validate::{self, Issue, ValidationErrors};
use ketnoi_store::OrganizationQuery;
use serde::Serialize;

use crate::events::{RulesBody, WeightsBody};
use crate::{App, AppResult, Caller};

/// The event's settings now in force.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct EventSettings {
    pub rules: RulesBody,
    pub weights: WeightsBody,
}

/// The settings as a form types them: every value as text; an empty limit is none (no limit,
/// or the default).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SettingsInput {
    pub request_quota: String,
    pub meeting_quota: String,
    pub request_ttl_hours: String,
    pub digest_hours: String,
    pub reminder_minutes: String,
    pub sector: String,
    pub stage: String,
    pub ticket: String,
    pub geography: String,
    pub text: String,
}

/// The largest limit the database keeps.
const LIMIT_MAX: i64 = i32::MAX as i64;

/// A weight as text: `1.5`, or `1,5` as Vietnamese writes it.
fn weight_text(value: f64) -> String {
    value.to_string()
}

impl SettingsInput {
    /// The settings in force, as the form shows them.
    pub fn of(settings: &EventSettings) -> SettingsInput {
        let limit = |value: Option<u32>| value.map(|v| v.to_string()).unwrap_or_default();
        let (rules, weights) = (&settings.rules, &settings.weights);
        SettingsInput {
            request_quota: limit(rules.request_quota),
            meeting_quota: limit(rules.meeting_quota),
            request_ttl_hours: limit(rules.request_ttl_hours),
            digest_hours: limit(rules.digest_hours),
            reminder_minutes: limit(rules.reminder_minutes),
            sector: weight_text(weights.sector),
            stage: weight_text(weights.stage),
            ticket: weight_text(weights.ticket),
            geography: weight_text(weights.geography),
            text: weight_text(weights.text),
        }
    }

    /// The rules and weights typed, or every problem of the form at once, each named by its
    /// field (`request_quota`, `sector`…, as the API names them).
    pub fn parse(&self) -> Result<(RulesBody, WeightsBody), ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let mut limit = |field: &'static str, typed: &str| -> Option<u32> {
            let typed = typed.trim();
            if typed.is_empty() {
                return None;
            }
            errors.check(field, validate::whole_number(typed, 1, LIMIT_MAX)).and_then(|n| u32::try_from(n).ok())
        };
        let rules = RulesBody {
            request_quota: limit("request_quota", &self.request_quota),
            meeting_quota: limit("meeting_quota", &self.meeting_quota),
            request_ttl_hours: limit("request_ttl_hours", &self.request_ttl_hours),
            digest_hours: limit("digest_hours", &self.digest_hours),
            reminder_minutes: limit("reminder_minutes", &self.reminder_minutes),
        };
        let mut weight = |field: &'static str, typed: &str| -> f64 {
            let typed = typed.trim();
            match typed.replace(',', ".").parse::<f64>() {
                Ok(value) if value.is_finite() => value,
                _ => {
                    let issue =
                        if typed.is_empty() { Issue::Empty } else { Issue::NotNumber { value: typed.to_owned() } };
                    errors.add(field, issue);
                    f64::NAN
                }
            }
        };
        let weights = Weights {
            sector: weight("sector", &self.sector),
            stage: weight("stage", &self.stage),
            ticket: weight("ticket", &self.ticket),
            geography: weight("geography", &self.geography),
            text: weight("text", &self.text),
        };
        // The range of the weights that are numbers, and each side's weight once all are.
        if let Err(invalid) = weights.validate() {
            for problem in invalid.0 {
                if !errors.has(&problem.field) {
                    errors.add(problem.field, problem.issue);
                }
            }
        }
        errors.into_result(|| (rules, weights.into()))
    }
}

/// A participant found by name.
#[derive(Debug, Clone, Serialize)]
pub struct ParticipantItem {
    pub id: i64,
    pub name: String,
    /// `startup` or `investor`.
    pub kind: &'static str,
}

/// The participants found, the first [`FOUND_MAX`] by name, and how many match.
#[derive(Debug, Clone, Serialize)]
pub struct ParticipantsFound {
    pub items: Vec<ParticipantItem>,
    pub total: u64,
}

/// How many participants a search lists.
pub const FOUND_MAX: u64 = 50;

impl App {
    /// The event's quotas, expiry and matching weights: for its organisers.
    pub async fn event_settings(&self, caller: &Caller, slug: &str) -> AppResult<EventSettings> {
        let event = self.managed(caller, slug).await?;
        Ok(EventSettings { rules: event.rules.into(), weights: event.weights.into() })
    }

    /// Saves the settings form: nothing is saved unless every value is right.
    pub async fn save_settings(&self, caller: &Caller, slug: &str, input: &SettingsInput) -> AppResult<EventSettings> {
        self.managed(caller, slug).await?;
        let (rules, weights) = input.parse()?;
        let rules = self.set_rules(caller, slug, rules).await?;
        let weights = self.set_weights(caller, slug, weights).await?;
        tracing::info!(event = slug, "event settings saved");
        Ok(EventSettings { rules, weights })
    }

    /// The event's participants whose name holds `name` (case and diacritics ignored), by
    /// name; every participant when it is empty. For the event's organisers.
    pub async fn find_participants(&self, caller: &Caller, slug: &str, name: &str) -> AppResult<ParticipantsFound> {
        let event = self.managed(caller, slug).await?;
        let name = Some(name.trim().to_owned()).filter(|name| !name.is_empty());
        let query = OrganizationQuery { event_id: Some(event.id), name, limit: FOUND_MAX, ..Default::default() };
        let page = self.store.organizations(&query).await?;
        let items = page
            .items
            .into_iter()
            .map(|o| ParticipantItem { id: o.id, kind: o.profile.kind().as_str(), name: o.profile.name })
            .collect();
        Ok(ParticipantsFound { items, total: page.total })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(quota: &str, sector: &str) -> SettingsInput {
        SettingsInput {
            request_quota: quota.to_owned(),
            sector: sector.to_owned(),
            stage: "2".to_owned(),
            ticket: "2".to_owned(),
            geography: "1".to_owned(),
            text: "1".to_owned(),
            ..SettingsInput::default()
        }
    }

    #[test]
    fn a_form_reads_limits_and_weights_with_a_decimal_comma() {
        let (rules, weights) = typed(" 5 ", "2,5").parse().expect("valid");
        assert_eq!(rules.request_quota, Some(5));
        assert_eq!(rules.request_ttl_hours, None);
        assert!((weights.sector - 2.5).abs() < f64::EPSILON);
    }

    #[test]
    fn every_problem_of_a_form_is_named_at_once() {
        let mut input = typed("-1", "abc");
        input.stage = "11".to_owned();
        input.reminder_minutes = "0".to_owned();
        input.request_ttl_hours = "ba ngày".to_owned();
        let errors = input.parse().expect_err("invalid");
        let fields: Vec<(&str, &str)> = errors.0.iter().map(|e| (e.field.as_str(), e.issue.code())).collect();
        assert_eq!(
            fields,
            [
                ("request_quota", "not-positive"),
                ("request_ttl_hours", "not-whole-number"),
                ("reminder_minutes", "not-positive"),
                ("sector", "not-number"),
                ("stage", "out-of-range"),
            ]
        );
    }

    #[test]
    fn the_settings_in_force_read_back_as_typed() {
        let settings = EventSettings {
            rules: RulesBody {
                request_quota: Some(3),
                meeting_quota: None,
                request_ttl_hours: Some(72),
                digest_hours: None,
                reminder_minutes: None,
            },
            weights: Weights::default().into(),
        };
        let input = SettingsInput::of(&settings);
        assert_eq!((input.request_quota.as_str(), input.meeting_quota.as_str()), ("3", ""));
        let (rules, weights) = input.parse().expect("valid");
        assert_eq!(rules.request_ttl_hours, Some(72));
        assert!((weights.sector - 3.0).abs() < f64::EPSILON);
    }
}
