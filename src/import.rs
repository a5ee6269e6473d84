//! `ketnoi import`: read the CSV files, validate every row against the event's rates, then
//! write everything in one transaction — or nothing, with every problem listed.

use std::path::{Path, PathBuf};

use ketnoi_app::App;
use ketnoi_domain::event::EventSlug;
use ketnoi_store::{ImportProgress, ImportSummary, NewEvent};

use crate::CommandError;

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
    app: &App,
    new_event: &NewEvent,
    sources: &ImportSources,
    progress: &dyn ImportProgress,
) -> Result<ImportSummary, CommandError> {
    Ok(app.import_files(new_event, file(&sources.startups), file(&sources.investors), progress).await?)
}

fn file(source: &Option<(String, Vec<u8>)>) -> Option<(&str, &[u8])> {
    source.as_ref().map(|(label, bytes)| (label.as_str(), bytes.as_slice()))
}

/// The event an import creates when the slug is new.
pub fn event_for(slug: EventSlug, name: Option<String>) -> NewEvent {
    let mut event = NewEvent::from_slug(slug);
    if let Some(name) = name {
        event.name = name;
    }
    event
}
