//! What anyone may read of an event and everyone reads at once — the event, its description,
//! its figures and its participants' countries, on the public pages and through the API — kept
//! in memory, so that a crowd opening the page after a keynote costs a lookup per visit, not a
//! dozen queries.
//!
//! An answer is kept for at most [`KEPT_FOR`], and only while this server has begun no write
//! since it was made ([`ketnoi_store::Store::writes`]): a change made through this server shows
//! at once (unless a read ran alongside the writing transaction: then within the second), one
//! made through another replica, or an expiry by the clock, within the second.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use ketnoi_store::Event;

use crate::events::{EventView, FiguresView};
use crate::{App, AppResult};

/// How long a public answer is served from memory at most.
pub const KEPT_FOR: Duration = Duration::from_secs(1);

/// The kept answers, by event slug as asked.
#[derive(Debug, Default)]
pub struct PublicCache {
    events: Mutex<HashMap<String, Kept<Event>>>,
    views: Mutex<HashMap<String, Kept<EventView>>>,
    figures: Mutex<HashMap<String, Kept<FiguresView>>>,
    countries: Mutex<HashMap<String, Kept<Vec<String>>>>,
}

#[derive(Debug)]
struct Kept<T> {
    /// The store's write count when the answer began to be made.
    writes: u64,
    at: Instant,
    value: T,
}

/// The answer kept for `slug` in `map` if it is still good, else the one `make` makes, kept.
async fn kept<T: Clone, F>(map: &Mutex<HashMap<String, Kept<T>>>, slug: &str, writes: u64, make: F) -> AppResult<T>
where
    F: Future<Output = AppResult<T>>,
{
    {
        let map = map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = map.get(slug)
            && kept.writes == writes
            && kept.at.elapsed() < KEPT_FOR
        {
            return Ok(kept.value.clone());
        }
    }
    let at = Instant::now();
    let value = make.await?;
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    // Slugs as asked: an unknown one fails above and is never kept.
    map.insert(slug.to_owned(), Kept { writes, at, value: value.clone() });
    Ok(value)
}

impl App {
    /// [`App::event`], kept for the crowd: for public pages only.
    pub async fn public_event(&self, slug: &str) -> AppResult<Event> {
        kept(&self.public.events, slug, self.store.writes(), self.event(slug)).await
    }

    /// [`App::participant_countries`], kept for the crowd: the search page's filter.
    pub async fn public_countries(&self, slug: &str) -> AppResult<Vec<String>> {
        kept(&self.public.countries, slug, self.store.writes(), self.participant_countries(slug)).await
    }

    /// [`App::event_view`], kept for the crowd: for public pages and the public API.
    pub async fn public_event_view(&self, slug: &str) -> AppResult<EventView> {
        kept(&self.public.views, slug, self.store.writes(), self.event_view(slug)).await
    }

    /// [`App::figures`], kept for the crowd: for public pages and the public API. Organisers'
    /// pages read them fresh.
    pub async fn public_figures(&self, slug: &str) -> AppResult<FiguresView> {
        kept(&self.public.figures, slug, self.store.writes(), self.figures(slug)).await
    }
}
