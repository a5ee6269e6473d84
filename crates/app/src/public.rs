//! What anyone may read of an event and everyone reads at once — the event, its description,
//! its figures, its participants' countries, its profiles and searches of them, on the public
//! pages and through the API — kept in memory, so that a crowd opening the page after a keynote costs
//! a lookup per visit, not a dozen queries.
//!
//! An answer is kept for at most [`KEPT_FOR`], and only while this server has begun no write
//! since it was made ([`ketnoi_store::Store::writes`]): a change made through this server shows
//! at once (unless a read ran alongside the writing transaction: then within the second), one
//! made through another replica, or an expiry by the clock, within the second. A search or a
//! profile is also read again once the search index has committed since: profile changes from
//! any replica reach it through the event log.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ketnoi_store::Event;

use crate::events::{EventView, FiguresView};
use crate::organizations::{Listing, OrganizationView, Search};
use crate::{Actor, App, AppResult, Caller};

/// How long a public answer is served from memory at most.
pub const KEPT_FOR: Duration = Duration::from_secs(1);

/// Answers kept at most of each sort: past it, the expired ones go, and all of them if none
/// has expired, so that a crawler asking a million different searches costs no more than this.
const KEPT_MAX: usize = 1_024;

/// The kept answers, by event slug as asked, and searches by what they ask.
#[derive(Debug, Default)]
pub struct PublicCache {
    events: Mutex<HashMap<String, Kept<Event>>>,
    views: Mutex<HashMap<String, Kept<EventView>>>,
    figures: Mutex<HashMap<String, Kept<FiguresView>>>,
    countries: Mutex<HashMap<String, Kept<Vec<String>>>>,
    searches: Mutex<HashMap<Search, Kept<Arc<Listing>>>>,
    profiles: Mutex<HashMap<i64, Kept<Arc<OrganizationView>>>>,
    pages: Mutex<HashMap<String, Kept<Arc<str>>>>,
}

/// What an answer was made from: the store's write count and, for searches, the index's
/// generation, both read when the answer began to be made.
type Stamp = (u64, u64);

#[derive(Debug)]
struct Kept<T> {
    stamp: Stamp,
    at: Instant,
    value: T,
}

impl<T> Kept<T> {
    fn good(&self, stamp: Stamp) -> bool {
        self.stamp == stamp && self.at.elapsed() < KEPT_FOR
    }
}

/// The answer kept for `key` in `map` if it is still good, else the one `make` makes, kept.
/// Keys are kept as asked only once `make` succeeded: an unknown slug fails and is never kept.
async fn kept<K, Q, T, F>(map: &Mutex<HashMap<K, Kept<T>>>, key: &Q, stamp: Stamp, make: F) -> AppResult<T>
where
    K: Eq + Hash + std::borrow::Borrow<Q>,
    Q: Eq + Hash + ToOwned<Owned = K> + ?Sized,
    T: Clone,
    F: Future<Output = AppResult<T>>,
{
    {
        let map = map.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(kept) = map.get(key).filter(|kept| kept.good(stamp)) {
            return Ok(kept.value.clone());
        }
    }
    let at = Instant::now();
    let value = make.await?;
    keep(map, key.to_owned(), Kept { stamp, at, value: value.clone() });
    Ok(value)
}

/// Keeps `kept` for `key` in `map`, making room first if it is full.
fn keep<K: Eq + Hash, T>(map: &Mutex<HashMap<K, Kept<T>>>, key: K, kept: Kept<T>) {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= KEPT_MAX {
        map.retain(|_, kept| kept.at.elapsed() < KEPT_FOR);
        if map.len() >= KEPT_MAX {
            map.clear();
        }
    }
    map.insert(key, kept);
}

/// When a page began to be made, to keep it under: see [`App::public_page`].
#[derive(Debug)]
pub struct PageStamp {
    stamp: Stamp,
    at: Instant,
}

impl App {
    /// [`App::event`], kept for the crowd: for public pages only.
    pub async fn public_event(&self, slug: &str) -> AppResult<Event> {
        kept(&self.public.events, slug, (self.store.writes(), 0), self.event(slug)).await
    }

    /// [`App::participant_countries`], kept for the crowd: the search page's filter.
    pub async fn public_countries(&self, slug: &str) -> AppResult<Vec<String>> {
        kept(&self.public.countries, slug, (self.store.writes(), 0), self.participant_countries(slug)).await
    }

    /// [`App::event_view`], kept for the crowd: for public pages and the public API.
    pub async fn public_event_view(&self, slug: &str) -> AppResult<EventView> {
        kept(&self.public.views, slug, (self.store.writes(), 0), self.event_view(slug)).await
    }

    /// [`App::figures`], kept for the crowd: for public pages and the public API. Organisers'
    /// pages read them fresh.
    pub async fn public_figures(&self, slug: &str) -> AppResult<FiguresView> {
        kept(&self.public.figures, slug, (self.store.writes(), 0), self.figures(slug)).await
    }

    /// [`App::find`], kept for the crowd: searches are public, and a keynote sends many people
    /// to the same few words at once. Kept while neither this server has begun a write nor the
    /// index has committed since, and a second at most: a profile changed on another replica
    /// is found (or no longer found) as soon as this server's index has it.
    pub async fn search(&self, search: &Search) -> AppResult<Arc<Listing>> {
        kept(&self.public.searches, search, self.index_stamp(), async { Ok(Arc::new(self.find(search).await?)) }).await
    }

    /// [`App::organization`], the public profile kept for callers who are not signed in: a
    /// profile changed anywhere is logged, and the index commits it, so it is kept as searches
    /// are.
    pub async fn profile(&self, caller: &Caller, id: i64) -> AppResult<Arc<OrganizationView>> {
        if !matches!(caller.actor, Actor::Anonymous) {
            return Ok(Arc::new(self.organization(caller, id).await?));
        }
        let make = async { Ok(Arc::new(OrganizationView::public(self.store.organization(id).await?))) };
        kept(&self.public.profiles, &id, self.index_stamp(), make).await
    }

    /// The page kept for `key` (a language and an address), or the stamp to keep the one the
    /// caller makes under with [`App::keep_public_page`]. For pages made only of what this
    /// module keeps and the index — the same for everyone who is not signed in, read afresh
    /// for those who are.
    pub fn public_page(&self, key: &str) -> Result<Arc<str>, PageStamp> {
        let stamp = self.index_stamp();
        let map = self.public.pages.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(key).filter(|kept| kept.good(stamp)) {
            Some(kept) => Ok(Arc::clone(&kept.value)),
            None => Err(PageStamp { stamp, at: Instant::now() }),
        }
    }

    /// Keeps `html`, made for `key` since [`App::public_page`] gave `stamp`.
    pub fn keep_public_page(&self, key: String, stamp: PageStamp, html: Arc<str>) {
        keep(&self.public.pages, key, Kept { stamp: stamp.stamp, at: stamp.at, value: html });
    }

    /// The stamp of answers made from the index, or from profiles the index follows.
    fn index_stamp(&self) -> Stamp {
        (self.store.writes(), self.indexer().map_or(0, |indexer| indexer.index().generation()))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    #[tokio::test]
    async fn an_answer_is_made_again_when_its_stamp_changes_and_the_kept_ones_stay_bounded() {
        let map: Mutex<HashMap<String, Kept<u32>>> = Mutex::default();
        let made = AtomicU32::new(0);
        let make = || async { Ok(made.fetch_add(1, Ordering::Relaxed)) };
        assert_eq!(kept(&map, "q", (1, 1), make()).await.ok(), Some(0));
        assert_eq!(kept(&map, "q", (1, 1), make()).await.ok(), Some(0), "kept");
        assert_eq!(kept(&map, "q", (2, 1), make()).await.ok(), Some(1), "a write since");
        assert_eq!(kept(&map, "q", (2, 3), make()).await.ok(), Some(2), "an index commit since");
        for n in 0..3 * KEPT_MAX {
            kept(&map, format!("q{n}").as_str(), (2, 3), make()).await.expect("made");
            assert!(map.lock().expect("map").len() <= KEPT_MAX, "{n}");
        }
    }
}
