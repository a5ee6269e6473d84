//! `ketnoi import`: read the CSV files, validate every row against the event's rates, then
//! write everything in one transaction — or nothing, with every problem listed.

use std::path::{Path, PathBuf};

use ketnoi_domain::event::EventSlug;
use ketnoi_domain::import::{ImportErrors, parse_investors, parse_startups};
use ketnoi_domain::profile::ValidationContext;
use ketnoi_store::{ImportFile, ImportProgress, ImportSummary, NewEvent, Store, StoreError};

use crate::{CommandError, current_year};

/// CSV files to import, as bytes with the name to show in messages.
#[derive(Debug, Clone, Default)]
pub struct ImportSources {
    pub startups: Option<(String, Vec<u8>)>,
    pub investors: Option<(String, Vec<u8>)>,
}

impl ImportSources {
    /// Reads the files given on the command line.
    pub fn read(startups: Option<&Path>, investors: Option<&Path>) -> Result<Self, CommandError> {
        if startups.is_none() && investors.is_none() {
            return Err(CommandError::Usage("give --startups FILE, --investors FILE or both".to_owned()));
        }
        let read = |what: &'static str, path: &Path| -> Result<(String, Vec<u8>), CommandError> {
            let bytes =
                std::fs::read(path).map_err(|source| CommandError::File { what, path: PathBuf::from(path), source })?;
            Ok((path.display().to_string(), bytes))
        };
        Ok(ImportSources {
            startups: startups.map(|p| read("startups file", p)).transpose()?,
            investors: investors.map(|p| read("investors file", p)).transpose()?,
        })
    }

    pub fn row_count_hint(&self) -> usize {
        [&self.startups, &self.investors]
            .into_iter()
            .flatten()
            .map(|(_, bytes)| bytes.iter().filter(|b| **b == b'\n').count())
            .sum()
    }
}

/// Validates every row, then imports them into the event `slug` (created from `new_event`
/// when missing). Validation problems of both files are reported together.
pub async fn run(
    store: &Store,
    new_event: &NewEvent,
    sources: &ImportSources,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, CommandError> {
    let existing = store.find_event(&new_event.slug).await?;
    let rates = existing.as_ref().map_or(&new_event.rates, |event| &event.rates);
    let context = ValidationContext { current_year: current_year(), rates: Some(rates) };
    let startups = sources.startups.as_ref().map(|(label, bytes)| (label, parse_startups(label, bytes, &context)));
    let investors = sources.investors.as_ref().map(|(label, bytes)| (label, parse_investors(label, bytes, &context)));
    let mut files = Vec::new();
    let mut problems: Option<ImportErrors> = None;
    for (label, parsed) in [startups, investors].into_iter().flatten() {
        match parsed {
            Ok(rows) => files.push(ImportFile { label: label.clone(), rows }),
            Err(errors) => {
                problems = Some(match problems {
                    Some(earlier) => earlier.merge(errors),
                    None => errors,
                })
            }
        }
    }
    if let Some(problems) = problems {
        return Err(StoreError::Import(problems).into());
    }
    Ok(store.import(new_event, &files, progress).await?)
}

/// The event an import creates when the slug is new.
pub fn event_for(slug: EventSlug, name: Option<String>) -> NewEvent {
    let mut event = NewEvent::from_slug(slug);
    if let Some(name) = name {
        event.name = name;
    }
    event
}
