//! Reciprocal startup–investor matching: a score in [0, 1] from named factors, each with a
//! weight and a reason in Vietnamese and English. Hard filters exclude; soft factors rank.
//!
//! Each side's fit is a weighted mean of the factors that side cares about — the startup: the
//! ticket, the sector and the stage; the investor: the sector, the stage, the geography and
//! its thesis against the description — and the score is their harmonic mean, so a pair that
//! suits only one side ranks below one that suits both. See docs/matching.md.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::i18n::Language;
use crate::money::{Money, Rates};
use crate::profile::{Details, Profile};
use crate::taxonomy::{Sector, Stage};
use crate::text::fold;
use crate::validate::Country;

/// How much each factor counts; an event may tune them. Each is in [0, 10]; they need not sum
/// to one (each side's mean is normalised by its own weights).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    pub sector: f64,
    pub stage: f64,
    pub ticket: f64,
    pub geography: f64,
    pub text: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights { sector: 3.0, stage: 2.0, ticket: 2.0, geography: 1.0, text: 1.0 }
    }
}

impl Weights {
    /// Checks each weight is a number in [0, 10] and that each side has some weight.
    pub fn validate(&self) -> Result<(), crate::validate::ValidationErrors> {
        let mut errors = crate::validate::ValidationErrors::default();
        for (field, value) in [
            ("sector", self.sector),
            ("stage", self.stage),
            ("ticket", self.ticket),
            ("geography", self.geography),
            ("text", self.text),
        ] {
            if !(value.is_finite() && (0.0..=10.0).contains(&value)) {
                let range = crate::validate::Issue::OutOfRange {
                    min: "0".to_owned(),
                    max: "10".to_owned(),
                    got: value.to_string(),
                };
                errors.add(field, range);
            }
        }
        if errors.is_empty() && self.sector + self.stage + self.ticket == 0.0 {
            errors.add("ticket", crate::validate::Issue::StartupSideWeightless);
        }
        if errors.is_empty() && self.sector + self.stage + self.geography + self.text == 0.0 {
            errors.add("sector", crate::validate::Issue::InvestorSideWeightless);
        }
        errors.into_result(|| ())
    }
}

/// Sectors close enough that an investor in one may well look at the other.
const RELATED: &[(Sector, Sector)] = &[
    (Sector::Logistics, Sector::Maritime),
    (Sector::Logistics, Sector::ECommerce),
    (Sector::Logistics, Sector::Mobility),
    (Sector::Agritech, Sector::Food),
    (Sector::Agritech, Sector::Biotech),
    (Sector::Agritech, Sector::Cleantech),
    (Sector::Healthtech, Sector::Biotech),
    (Sector::Fintech, Sector::ECommerce),
    (Sector::Fintech, Sector::Saas),
    (Sector::ECommerce, Sector::Retail),
    (Sector::Retail, Sector::Food),
    (Sector::Manufacturing, Sector::Iot),
    (Sector::Manufacturing, Sector::Cleantech),
    (Sector::Ai, Sector::Saas),
    (Sector::Ai, Sector::Iot),
    (Sector::SmartCity, Sector::Iot),
    (Sector::SmartCity, Sector::Mobility),
    (Sector::SmartCity, Sector::Proptech),
    (Sector::Cleantech, Sector::Mobility),
    (Sector::Tourism, Sector::Media),
    (Sector::Edtech, Sector::Media),
    (Sector::Maritime, Sector::Cleantech),
];

fn mask(sectors: &[Sector]) -> u32 {
    sectors.iter().fold(0, |mask, sector| mask | 1 << (*sector as u32))
}

/// The sectors related to any in `mask`, as a mask.
fn related_mask(mask: u32) -> u32 {
    RELATED.iter().fold(0, |related, (a, b)| {
        let (a, b) = (1 << (*a as u32), 1 << (*b as u32));
        related | if mask & a != 0 { b } else { 0 } | if mask & b != 0 { a } else { 0 }
    })
}

/// Words too common to say anything about fit.
const STOPWORDS: &[&str] = &[
    "and",
    "the",
    "for",
    "with",
    "from",
    "that",
    "this",
    "our",
    "their",
    "into",
    "are",
    "its",
    "across",
    "around",
    "cho",
    "cua",
    "cac",
    "nhung",
    "voi",
    "tai",
    "trong",
    "va",
    "la",
    "mot",
    "duoc",
    "nay",
    "khi",
    "den",
    "tu",
    "startups",
    "startup",
    "companies",
    "company",
    "vietnam",
    "viet",
    "nam",
    "invest",
    "investing",
    "we",
    "back",
];

/// The distinct significant words of a text, folded and hashed, sorted.
fn words(text: &str) -> Vec<u32> {
    let folded = fold(text);
    let mut words: Vec<u32> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|word| word.len() >= 3 && !STOPWORDS.contains(word))
        .map(|word| {
            // FNV-1a: stable across runs and platforms.
            word.bytes().fold(0x811c_9dc5_u32, |hash, byte| (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193))
        })
        .collect();
    words.sort_unstable();
    words.dedup();
    words
}

/// How many values two sorted lists share; without branches on the values, which are hashes
/// and would mispredict every other step.
fn common(a: &[u32], b: &[u32]) -> usize {
    let (mut i, mut j, mut count) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        let (x, y) = (a[i], b[j]);
        count += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    count
}

/// What matching needs of an organization, computed once: sector masks, stages, amounts in the
/// event's base currency, countries and the words of its text.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub id: i64,
    pub investor: bool,
    sectors: u32,
    related: u32,
    /// A startup's stage, or an investor's stages, as a bit mask.
    stages: u8,
    /// A startup's ask, in the base currency.
    ask: Option<f64>,
    /// An investor's ticket, in the base currency.
    ticket: Option<(f64, f64)>,
    /// The logarithms (base 10) of the ask and of the ticket's ends, for the ticket factor
    /// without a logarithm per pair.
    ask_log: f64,
    ticket_log: (f64, f64),
    country: Option<Country>,
    countries: Vec<Country>,
    words: Vec<u32>,
    /// The words as a 256-bit signature, and how many of them fell on a bit taken already:
    /// two texts share at most as many words as their signatures share bits plus the fewer
    /// of those lost, a bound that skips most comparisons of words.
    signature: [u64; 4],
    lost: usize,
}

impl Candidate {
    /// Prepares `profile`; an amount in a currency without a rate counts as unknown.
    pub fn new(id: i64, profile: &Profile, rates: &Rates) -> Candidate {
        let base = |amount: i64, currency| {
            rates.convert(Money { amount, currency }, rates.base()).ok().map(|money| money.amount as f64)
        };
        let sectors = mask(&profile.sectors);
        let mut candidate = Candidate {
            id,
            investor: false,
            sectors,
            related: related_mask(sectors) & !sectors,
            stages: 0,
            ask: None,
            ticket: None,
            ask_log: 0.0,
            ticket_log: (0.0, 0.0),
            country: profile.country,
            countries: Vec::new(),
            words: Vec::new(),
            signature: [0; 4],
            lost: 0,
        };
        match &profile.details {
            Details::Startup(startup) => {
                candidate.stages = 1 << (startup.stage as u8);
                candidate.ask = startup.funding_ask.and_then(|ask| base(ask.amount, ask.currency));
                candidate.ask_log = candidate.ask.map_or(0.0, f64::log10);
                candidate.set_words(words(&profile.description));
            }
            Details::Investor(investor) => {
                candidate.investor = true;
                candidate.stages = investor.stages.iter().fold(0, |mask, stage| mask | 1 << (*stage as u8));
                candidate.ticket =
                    investor.ticket.and_then(|t| Some((base(t.min, t.currency)?, base(t.max, t.currency)?)));
                candidate.ticket_log = candidate.ticket.map_or((0.0, 0.0), |(min, max)| (min.log10(), max.log10()));
                candidate.countries = investor.countries.clone();
                candidate.set_words(words(&format!("{} {}", investor.thesis, profile.description)));
            }
        }
        candidate
    }

    /// `words`, sorted and without repeats, with their signature.
    fn set_words(&mut self, words: Vec<u32>) {
        self.signature = [0; 4];
        for word in &words {
            self.signature[(word >> 6 & 3) as usize] |= 1 << (word & 63);
        }
        let bits: u32 = self.signature.iter().map(|part| part.count_ones()).sum();
        self.lost = words.len() - bits as usize;
        self.words = words;
    }
}

/// The factors of a pair, each in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct FactorScores {
    pub sector: f64,
    pub stage: f64,
    pub ticket: f64,
    pub geography: f64,
    pub text: f64,
}

/// A score no factor information can say anything about: neither good nor bad.
const UNKNOWN: f64 = 0.5;
/// A ticket this many times too small or too large excludes the pair.
const TICKET_EXCLUDES_AT: f64 = 10.0;

/// The factors of a (startup, investor) pair, or `None` when a hard filter excludes it: the
/// investor never invests within one stage of the startup's, or its ticket misses the ask by
/// an order of magnitude.
pub fn factors(startup: &Candidate, investor: &Candidate) -> Option<FactorScores> {
    let mut factors = factors_but_text(startup, investor)?;
    factors.text = text_fit(startup, investor);
    Some(factors)
}

/// The factors with the text fit left at its best (1), for a cheap upper bound of the score.
fn factors_but_text(startup: &Candidate, investor: &Candidate) -> Option<FactorScores> {
    debug_assert!(!startup.investor && investor.investor);
    let stage = if investor.stages == 0 {
        UNKNOWN
    } else if startup.stages & investor.stages != 0 {
        1.0
    } else if (startup.stages << 1 | startup.stages >> 1) & investor.stages != 0 {
        0.4
    } else {
        return None;
    };
    let ticket = match (startup.ask, investor.ticket) {
        (Some(ask), Some((min, max))) if ask > 0.0 => {
            let (ratio, log) = if ask < min {
                (ask / min, startup.ask_log - investor.ticket_log.0)
            } else if ask > max {
                (max / ask, investor.ticket_log.1 - startup.ask_log)
            } else {
                (1.0, 0.0)
            };
            if ratio < 1.0 / TICKET_EXCLUDES_AT {
                return None;
            }
            // One at the border of the order of magnitude scores near zero, a near miss near one.
            (log + 1.0).clamp(0.0, 1.0)
        }
        _ => UNKNOWN,
    };
    let sector = sector_fit(startup, investor);
    let geography = match startup.country {
        _ if investor.countries.is_empty() => UNKNOWN,
        Some(country) if investor.countries.contains(&country) => 1.0,
        Some(_) => 0.0,
        None => UNKNOWN,
    };
    Some(FactorScores { sector, stage, ticket, geography, text: 1.0 })
}

/// The sector factor: a sector in common, a related one, nothing known of the investor's, or
/// none. Cheap, and the heaviest factor by default: [`recommend`] ranks by it first.
fn sector_fit(startup: &Candidate, investor: &Candidate) -> f64 {
    if startup.sectors & investor.sectors != 0 {
        1.0
    } else if startup.sectors & investor.related != 0 {
        0.5
    } else if investor.sectors == 0 {
        UNKNOWN
    } else {
        0.0
    }
}

/// The sector factor's values, best first (a related sector and an unknown one both score one
/// half).
const SECTOR_FITS: [f64; 3] = [1.0, 0.5, 0.0];

/// How well the investor's thesis matches the startup's description: shared significant words
/// against the geometric mean of their counts, doubled and capped at 1.
fn text_fit(startup: &Candidate, investor: &Candidate) -> f64 {
    text_score(startup, investor, common(&startup.words, &investor.words))
}

/// At least the text fit of the pair, from their signatures: each shared word sets a bit in
/// both, and of the shared words at most those lost on either side share a bit with another.
fn text_fit_bound(startup: &Candidate, investor: &Candidate) -> f64 {
    let bits: u32 = startup.signature.iter().zip(&investor.signature).map(|(a, b)| (a & b).count_ones()).sum();
    let shared = (bits as usize + startup.lost.min(investor.lost)).min(startup.words.len().min(investor.words.len()));
    text_score(startup, investor, shared)
}

fn text_score(startup: &Candidate, investor: &Candidate, shared: usize) -> f64 {
    if startup.words.is_empty() || investor.words.is_empty() {
        return UNKNOWN;
    }
    (2.0 * shared as f64 / ((startup.words.len() * investor.words.len()) as f64).sqrt()).min(1.0)
}

/// The score of a pair from its factors: the harmonic mean of the startup's side and the
/// investor's side. Never decreases when a factor improves.
pub fn combine(f: &FactorScores, w: &Weights) -> f64 {
    let mean = |parts: &[(f64, f64)]| {
        let total: f64 = parts.iter().map(|(_, weight)| weight).sum();
        if total == 0.0 { 1.0 } else { parts.iter().map(|(score, weight)| score * weight).sum::<f64>() / total }
    };
    let startup_side = mean(&[(f.ticket, w.ticket), (f.sector, w.sector), (f.stage, w.stage)]);
    let investor_side = mean(&[(f.sector, w.sector), (f.stage, w.stage), (f.geography, w.geography), (f.text, w.text)]);
    if startup_side + investor_side == 0.0 {
        0.0
    } else {
        (2.0 * startup_side * investor_side / (startup_side + investor_side)).clamp(0.0, 1.0)
    }
}

/// The score of a pair, or `None` when excluded.
pub fn score(startup: &Candidate, investor: &Candidate, weights: &Weights) -> Option<f64> {
    factors(startup, investor).map(|f| combine(&f, weights))
}

/// The best `k` counterparts of `subject` in `pool` (organizations of the other kind), best
/// first, ties broken by id; `exclude` are left out (already met or requested).
pub fn recommend(
    subject: &Candidate,
    pool: &[Candidate],
    exclude: &HashSet<i64>,
    k: usize,
    weights: &Weights,
) -> Vec<(i64, f64)> {
    let ranks_before = |a: &(i64, f64), b: &(i64, f64)| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0));
    let mut top: Vec<(i64, f64)> = Vec::with_capacity(k + 1);
    if k == 0 {
        return top;
    }
    // The score never falls when a factor improves, so each bound below is one. The pool is
    // ranked in passes by the sector factor, best first: once a full top-k beats all that a
    // pass could score (its sector fit with every other factor at its best), that pass and
    // those after it are skipped. What enters the top-k does not depend on the order in which
    // it is seen: the same top-k as scoring every pair (tested).
    for sector in SECTOR_FITS {
        if top.len() == k {
            let best = FactorScores { sector, stage: 1.0, ticket: 1.0, geography: 1.0, text: 1.0 };
            if combine(&best, weights) < top[k - 1].1 {
                break;
            }
        }
        for other in pool {
            if other.investor == subject.investor || other.id == subject.id {
                continue;
            }
            let (startup, investor) = if subject.investor { (other, subject) } else { (subject, other) };
            if sector_fit(startup, investor) != sector {
                continue;
            }
            let Some(mut factors) = factors_but_text(startup, investor) else { continue };
            // With the text fit at its bound, a pair that still cannot enter a full top-k is
            // skipped before comparing words.
            if top.len() == k {
                factors.text = text_fit_bound(startup, investor);
                if combine(&factors, weights) < top[k - 1].1 {
                    continue;
                }
            }
            if exclude.contains(&other.id) {
                continue;
            }
            factors.text = text_fit(startup, investor);
            let entry = (other.id, combine(&factors, weights));
            let position = top.partition_point(|ranked| ranks_before(ranked, &entry).is_lt());
            if position < k {
                top.insert(position, entry);
                top.truncate(k);
            }
        }
    }
    top
}

/// How many pairs a round of [`disjoint_pairs`] scores before it shares the work among threads.
const PARALLEL_FROM: usize = 50_000;

/// Each organization's best counterparts among all of an event's, computed once: a round of
/// [`disjoint_pairs`] reads a subject's list, skipping those not in the pool or excluded,
/// instead of scoring the pool whole. The first `k` so found are exactly [`recommend`]'s
/// over that pool (every counterpart off the list ranks after all on it); a list that runs out
/// before `k` while it was cut at `depth` is not used, and the pool is scored.
#[derive(Debug, Clone)]
pub struct Rankings {
    weights: Weights,
    depth: usize,
    best: HashMap<i64, Vec<(i64, f64)>>,
}

impl Rankings {
    /// The best `depth` counterparts of each of `startups` and `investors`, on all cores.
    pub fn new(startups: &[Candidate], investors: &[Candidate], depth: usize, weights: &Weights) -> Rankings {
        let none = HashSet::new();
        let subjects: Vec<(&Candidate, &[Candidate])> =
            startups.iter().map(|s| (s, investors)).chain(investors.iter().map(|i| (i, startups))).collect();
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, subjects.len().max(1));
        let best = std::thread::scope(|scope| {
            let parts: Vec<_> = subjects
                .chunks(subjects.len().div_ceil(threads).max(1))
                .map(|part| {
                    let none = &none;
                    scope.spawn(move || {
                        part.iter()
                            .map(|(subject, pool)| (subject.id, recommend(subject, pool, none, depth, weights)))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            parts
                .into_iter()
                .flat_map(|part| part.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                .collect()
        });
        Rankings { weights: *weights, depth, best }
    }

    /// Whether these were ranked with `weights`.
    pub fn weighed_with(&self, weights: &Weights) -> bool {
        self.weights == *weights
    }

    /// `subject`'s best `k` of those `eligible` and not `exclude`d, when its list tells.
    fn top(
        &self,
        subject: i64,
        eligible: impl Fn(i64) -> bool,
        exclude: &HashSet<i64>,
        k: usize,
    ) -> Option<Vec<(i64, f64)>> {
        let list = self.best.get(&subject)?;
        let top: Vec<(i64, f64)> =
            list.iter().filter(|(other, _)| eligible(*other) && !exclude.contains(other)).take(k).copied().collect();
        (top.len() == k || list.len() < self.depth).then_some(top)
    }
}

/// The best pairs of `startups` and `investors` in which each organization appears at most
/// once. In rounds: each organization of the smaller side still unpaired ranks its best `k`
/// counterparts still unpaired (as [`recommend`] does, pruning on the cheap factors), and the
/// pairs so found are taken best first, ties by ids, while both of their sides are free; until
/// a round pairs no one. `excluded` holds pairs never to make, the smaller id first. Returns
/// (startup, investor, score), best first.
pub fn disjoint_pairs(
    startups: &[Candidate],
    investors: &[Candidate],
    excluded: &HashSet<(i64, i64)>,
    k: usize,
    weights: &Weights,
) -> Vec<(i64, i64, f64)> {
    disjoint_pairs_ranked(startups, investors, excluded, k, weights, None)
}

/// [`disjoint_pairs`], reading each subject's best from `rankings` (made with the same
/// candidates and `weights`) where they tell.
pub fn disjoint_pairs_ranked(
    startups: &[Candidate],
    investors: &[Candidate],
    excluded: &HashSet<(i64, i64)>,
    k: usize,
    weights: &Weights,
    rankings: Option<&Rankings>,
) -> Vec<(i64, i64, f64)> {
    let rankings = rankings.filter(|r| r.weighed_with(weights));
    let (small, large) = if startups.len() <= investors.len() { (startups, investors) } else { (investors, startups) };
    let small_ids: HashSet<i64> = small.iter().map(|c| c.id).collect();
    let mut exclude: HashMap<i64, HashSet<i64>> = HashMap::new();
    for &(a, b) in excluded {
        if small_ids.contains(&a) {
            exclude.entry(a).or_default().insert(b);
        }
        if small_ids.contains(&b) {
            exclude.entry(b).or_default().insert(a);
        }
    }
    let mut pairs: Vec<(i64, i64, f64)> = Vec::new();
    let mut taken: HashSet<i64> = HashSet::new();
    // Each round, the subjects still unpaired rank the pool still unpaired: one whose best were
    // taken looks further in the next round.
    let mut subjects: Vec<&Candidate> = small.iter().collect();
    let mut pool: Vec<Candidate> = large.to_vec();
    let none = HashSet::new();
    while k > 0 && !subjects.is_empty() && !pool.is_empty() {
        let in_pool: HashSet<i64> = pool.iter().map(|c| c.id).collect();
        let rank = |subjects: &[&Candidate]| {
            let mut found: Vec<(i64, i64, f64)> = Vec::with_capacity(subjects.len() * k);
            for subject in subjects {
                let exclude = exclude.get(&subject.id).unwrap_or(&none);
                let top = rankings
                    .and_then(|r| r.top(subject.id, |other| in_pool.contains(&other), exclude, k))
                    .unwrap_or_else(|| recommend(subject, &pool, exclude, k, weights));
                for (other, score) in top {
                    let (startup, investor) = if subject.investor { (other, subject.id) } else { (subject.id, other) };
                    found.push((startup, investor, score));
                }
            }
            found
        };
        // Hundreds of subjects over a pool of a thousand are tens of milliseconds of scoring:
        // shared among the cores. The pairs found are sorted below, so the split does not
        // change what is chosen.
        let threads = if rankings.is_some() || subjects.len() * pool.len() < PARALLEL_FROM {
            1
        } else {
            std::thread::available_parallelism().map_or(1, |n| n.get()).min(subjects.len())
        };
        let mut found = if threads == 1 {
            rank(&subjects)
        } else {
            let rank = &rank;
            std::thread::scope(|scope| {
                let parts: Vec<_> = subjects
                    .chunks(subjects.len().div_ceil(threads))
                    .map(|part| scope.spawn(move || rank(part)))
                    .collect();
                parts
                    .into_iter()
                    .flat_map(|part| part.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)))
                    .collect()
            })
        };
        found.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
        let before = pairs.len();
        for (startup, investor, score) in found {
            if !taken.contains(&startup) && !taken.contains(&investor) {
                taken.extend([startup, investor]);
                pairs.push((startup, investor, score));
            }
        }
        if pairs.len() == before {
            break;
        }
        subjects.retain(|c| !taken.contains(&c.id));
        pool.retain(|c| !taken.contains(&c.id));
    }
    pairs.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    pairs
}

/// One factor of a pair's score, with its reason in each language, written in words (sector,
/// stage and country names, not codes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reason {
    pub factor: &'static str,
    pub score: f64,
    pub weight: f64,
    pub vi: String,
    pub en: String,
    pub ko: String,
}

impl Reason {
    fn new(factor: &'static str, score: f64, weight: f64, say: impl Fn(Language) -> String) -> Reason {
        Reason { factor, score, weight, vi: say(Language::Vi), en: say(Language::En), ko: say(Language::Ko) }
    }

    /// The reason in `language`.
    pub fn text(&self, language: Language) -> String {
        match language {
            Language::Vi => self.vi.clone(),
            Language::En => self.en.clone(),
            Language::Ko => self.ko.clone(),
        }
    }
}

fn short(amount: f64) -> String {
    let (value, suffix) = if amount >= 1e9 {
        (amount / 1e9, "B")
    } else if amount >= 1e6 {
        (amount / 1e6, "M")
    } else if amount >= 1e3 {
        (amount / 1e3, "k")
    } else {
        (amount, "")
    };
    let text = format!("{value:.1}");
    format!("{}{suffix}", text.strip_suffix(".0").unwrap_or(&text))
}

fn mark(score: f64) -> &'static str {
    if score >= 0.99 {
        "✓"
    } else if score >= 0.5 {
        "~"
    } else {
        "✗"
    }
}

/// The reasons for a pair's factors, for people: "Lĩnh vực: Logistics ✓", "Ticket
/// 100k–1M USD covers the ask of 500k USD ✓".
pub fn reasons(startup: &Profile, investor: &Profile, f: &FactorScores, w: &Weights) -> Vec<Reason> {
    let (Details::Startup(s), Details::Investor(i)) = (&startup.details, &investor.details) else {
        return Vec::new();
    };
    let shared: Vec<Sector> =
        startup.sectors.iter().filter(|sector| investor.sectors.contains(sector)).copied().collect();
    let sectors = if shared.is_empty() { startup.sectors.clone() } else { shared };
    let related = f.sector > 0.0 && f.sector < 1.0 && !investor.sectors.is_empty();
    let words = |language: Language, names: Vec<String>| crate::i18n::list(language, &names);
    let stage_range = |language: Language, stages: &[Stage]| match (stages.first(), stages.last()) {
        (Some(a), Some(b)) if a != b => format!("{}–{}", a.label(language), b.label(language)),
        (Some(a), _) => a.label(language).to_owned(),
        _ => "?".to_owned(),
    };
    let ask = s.funding_ask.map(|m| format!("{} {}", short(m.amount as f64), m.currency));
    let ticket = i.ticket.map(|t| format!("{}–{} {}", short(t.min as f64), short(t.max as f64), t.currency));
    let say = |language: Language, key: &str, args: &[(&str, String)]| crate::i18n::message(language, key, args);
    vec![
        Reason::new("sector", f.sector, w.sector, |language| {
            let names = words(language, sectors.iter().map(|s| s.label(language).to_owned()).collect());
            let key = if related { "match.sector.related" } else { "match.sector" };
            say(language, key, &[("sectors", names), ("mark", mark(f.sector).to_owned())])
        }),
        Reason::new("stage", f.stage, w.stage, |language| {
            let args = [
                ("stage", s.stage.label(language).to_owned()),
                ("range", stage_range(language, &i.stages)),
                ("mark", mark(f.stage).to_owned()),
            ];
            say(language, "match.stage", &args)
        }),
        Reason::new("ticket", f.ticket, w.ticket, |language| match (&ticket, &ask) {
            (Some(t), Some(a)) => {
                let key = if f.ticket >= 0.99 { "match.ticket.covers" } else { "match.ticket.misses" };
                say(language, key, &[("ticket", t.clone()), ("ask", a.clone()), ("mark", mark(f.ticket).to_owned())])
            }
            _ => say(language, "match.ticket.unknown", &[]),
        }),
        Reason::new("geography", f.geography, w.geography, |language| {
            if i.countries.is_empty() {
                return say(language, "match.geography.any", &[]);
            }
            let name = |code: String| crate::i18n::country_name(language, &code);
            let country = startup.country.map_or("?".to_owned(), |c| name(c.to_string()));
            let countries = words(language, i.countries.iter().map(|c| name(c.to_string())).collect());
            say(
                language,
                "match.geography",
                &[("country", country), ("countries", countries), ("mark", mark(f.geography).to_owned())],
            )
        }),
        Reason::new("text", f.text, w.text, |language| {
            say(language, "match.text", &[("percent", format!("{:.0}", f.text * 100.0))])
        }),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Currency;
    use crate::profile::{InvestorInput, StartupInput, ValidationContext};
    use proptest::prelude::*;

    fn rates() -> Rates {
        Rates::vietnam_default()
    }

    fn startup(sectors: &str, stage: &str, ask: &str, currency: &str, country: &str, description: &str) -> Profile {
        let input = StartupInput {
            name: "S".into(),
            sectors: sectors.into(),
            stage: stage.into(),
            country: country.into(),
            funding_ask: ask.into(),
            currency: currency.into(),
            description: description.into(),
            ..Default::default()
        };
        input.validate(&ValidationContext { current_year: 2026, rates: Some(&rates()) }).unwrap()
    }

    #[expect(clippy::too_many_arguments, reason = "a test fixture with every investor field")]
    fn investor(
        sectors: &str,
        stages: &str,
        min: &str,
        max: &str,
        currency: &str,
        countries: &str,
        thesis: &str,
        kind: &str,
    ) -> Profile {
        let input = InvestorInput {
            name: "I".into(),
            investor_type: kind.into(),
            sectors: sectors.into(),
            stages: stages.into(),
            ticket_min: min.into(),
            ticket_max: max.into(),
            currency: currency.into(),
            countries: countries.into(),
            thesis: thesis.into(),
            ..Default::default()
        };
        input.validate(&ValidationContext { current_year: 2026, rates: Some(&rates()) }).unwrap()
    }

    fn vc(sectors: &str, stages: &str) -> Profile {
        investor(sectors, stages, "100000", "1000000", "USD", "VN", "", "vc")
    }

    fn pair_score(s: &Profile, i: &Profile) -> Option<f64> {
        let r = rates();
        score(&Candidate::new(1, s, &r), &Candidate::new(2, i, &r), &Weights::default())
    }

    /// `s` should see `better` before `worse`.
    fn prefers(case: &str, s: &Profile, better: &Profile, worse: &Profile) {
        let (b, w) = (pair_score(s, better), pair_score(s, worse));
        assert!(b.is_some(), "{case}: the better investor was excluded");
        assert!(b > w, "{case}: {b:?} should beat {w:?}");
    }

    fn seed_logistics() -> Profile {
        startup("logistics", "seed", "500000", "USD", "VN", "Digital freight platform for Hai Phong port trucks")
    }

    #[test]
    fn disjoint_pairs_take_the_best_first_once_each_and_leave_the_excluded_out() {
        let r = rates();
        let w = Weights::default();
        let startups = [
            Candidate::new(1, &seed_logistics(), &r),
            Candidate::new(2, &startup("edtech", "seed", "500000", "USD", "VN", "Online classes"), &r),
            Candidate::new(3, &startup("logistics", "seed", "400000", "USD", "VN", "Cold chain trucks"), &r),
        ];
        let investors =
            [Candidate::new(10, &vc("logistics", "seed"), &r), Candidate::new(11, &vc("edtech", "seed"), &r)];
        let pairs = disjoint_pairs(&startups, &investors, &HashSet::new(), 5, &w);
        assert_eq!(pairs.len(), 2, "{pairs:?}");
        let ids: Vec<(i64, i64)> = pairs.iter().map(|p| (p.0, p.1)).collect();
        assert!(ids.contains(&(2, 11)), "the edtech pair: {ids:?}");
        assert!(ids[0].1 == 10 || ids[0].1 == 11);
        assert!(pairs.windows(2).all(|w| w[0].2 >= w[1].2), "best first: {pairs:?}");
        let logistics = if ids.contains(&(1, 10)) { 1 } else { 3 };
        // Excluding that pair gives the logistics investor the other logistics startup.
        let excluded: HashSet<(i64, i64)> = [(logistics, 10)].into_iter().collect();
        let again = disjoint_pairs(&startups, &investors, &excluded, 5, &w);
        let ids: Vec<(i64, i64)> = again.iter().map(|p| (p.0, p.1)).collect();
        assert!(ids.contains(&(4 - logistics, 10)) && !ids.contains(&(logistics, 10)), "{ids:?}");
        let everyone: HashSet<i64> = again.iter().flat_map(|p| [p.0, p.1]).collect();
        assert_eq!(everyone.len(), 2 * again.len(), "each once: {again:?}");
        // Thirty alike on each side: all paired, although each ranks only its best two.
        let alike_startups: Vec<Candidate> = (100..130).map(|id| Candidate::new(id, &seed_logistics(), &r)).collect();
        let alike_investors: Vec<Candidate> =
            (200..230).map(|id| Candidate::new(id, &vc("logistics", "seed"), &r)).collect();
        let all = disjoint_pairs(&alike_startups, &alike_investors, &HashSet::new(), 2, &w);
        assert_eq!(all.len(), 30, "{all:?}");
        let everyone: HashSet<i64> = all.iter().flat_map(|p| [p.0, p.1]).collect();
        assert_eq!(everyone.len(), 60);
    }

    #[test]
    fn judgement_cases() {
        let s = seed_logistics();
        // Sector.
        prefers("sector match beats sector miss at equal stage", &s, &vc("logistics", "seed"), &vc("edtech", "seed"));
        prefers("related sector beats unrelated", &s, &vc("maritime", "seed"), &vc("edtech", "seed"));
        prefers("exact sector beats related", &s, &vc("logistics", "seed"), &vc("maritime", "seed"));
        prefers(
            "any shared sector of several counts",
            &s,
            &vc("fintech;logistics", "seed"),
            &vc("fintech;edtech", "seed"),
        );
        // Stage.
        let pre_seed = startup("agritech", "pre-seed", "50000", "USD", "VN", "Soil sensors for rice farms");
        prefers(
            "a seed fund beats a growth fund for a pre-seed startup",
            &pre_seed,
            &investor("agritech", "pre-seed;seed", "20000", "200000", "USD", "VN", "", "vc"),
            &investor("agritech", "growth", "20000", "200000", "USD", "VN", "", "fund"),
        );
        prefers("exact stage beats a neighbouring one", &s, &vc("logistics", "seed"), &vc("logistics", "series-a"));
        prefers(
            "a neighbouring stage beats two away (excluded)",
            &s,
            &vc("logistics", "series-a"),
            &vc("logistics", "series-b"),
        );
        assert_eq!(pair_score(&s, &vc("logistics", "series-b;series-c")), None, "never invests near seed: excluded");
        // Ticket.
        let covering = investor("logistics", "seed", "100000", "1000000", "USD", "VN", "", "vc");
        let ten_times_too_small = investor("logistics", "seed", "5000", "40000", "USD", "VN", "", "vc");
        let a_bit_small = investor("logistics", "seed", "50000", "300000", "USD", "VN", "", "vc");
        prefers("a ticket covering the ask beats one ten times too small", &s, &covering, &a_bit_small);
        assert_eq!(pair_score(&s, &ten_times_too_small), None, "ten times too small: excluded");
        prefers(
            "a near miss beats a far miss",
            &s,
            &a_bit_small,
            &investor("logistics", "seed", "10000", "100000", "USD", "VN", "", "vc"),
        );
        let vnd = investor("logistics", "seed", "2500000000", "25000000000", "VND", "VN", "", "vc");
        assert_eq!(pair_score(&s, &vnd), pair_score(&s, &covering), "the same ticket in VND scores the same");
        prefers(
            "a known ticket that covers beats an unknown one",
            &s,
            &covering,
            &investor("logistics", "seed", "", "", "", "VN", "", "vc"),
        );
        let too_big = investor("logistics", "seed", "10000000", "50000000", "USD", "VN", "", "fund");
        assert_eq!(pair_score(&s, &too_big), None, "minimum ticket twenty times the ask: excluded");
        // Geography.
        prefers(
            "an investor interested in the startup's country beats one that is not",
            &s,
            &investor("logistics", "seed", "100000", "1000000", "USD", "VN;KR", "", "vc"),
            &investor("logistics", "seed", "100000", "1000000", "USD", "KR;JP", "", "vc"),
        );
        prefers(
            "no geographic preference beats a mismatch",
            &s,
            &investor("logistics", "seed", "100000", "1000000", "USD", "", "", "vc"),
            &investor("logistics", "seed", "100000", "1000000", "USD", "SG", "", "vc"),
        );
        // Text.
        prefers(
            "a thesis about the startup's business beats an unrelated one",
            &s,
            &investor(
                "logistics",
                "seed",
                "100000",
                "1000000",
                "USD",
                "VN",
                "Freight platforms and port trucks in Hai Phong",
                "vc",
            ),
            &investor("logistics", "seed", "100000", "1000000", "USD", "VN", "Consumer cosmetics brands", "vc"),
        );
        prefers(
            "Vietnamese thesis matches a description typed without diacritics",
            &startup("agritech", "seed", "500000", "USD", "VN", "Cam bien do am cho ruong lua"),
            &investor("agritech", "seed", "100000", "1000000", "USD", "VN", "Cảm biến và ruộng lúa thông minh", "vc"),
            &investor("agritech", "seed", "100000", "1000000", "USD", "VN", "Thương mại điện tử", "vc"),
        );
        // Reciprocity.
        let suits_both = investor("logistics", "seed", "100000", "1000000", "USD", "VN", "", "vc");
        let suits_startup_only = investor("edtech", "seed", "100000", "1000000", "USD", "KR", "", "vc");
        prefers("a pair that suits both beats one that suits only the startup", &s, &suits_both, &suits_startup_only);
        prefers(
            "sector fit outweighs geography",
            &s,
            &investor("logistics", "seed", "100000", "1000000", "USD", "KR", "", "vc"),
            &investor("edtech", "seed", "100000", "1000000", "USD", "VN", "", "vc"),
        );
        prefers(
            "stage fit outweighs a thesis word overlap",
            &s,
            &investor("logistics", "seed", "100000", "1000000", "USD", "VN", "", "vc"),
            &investor("logistics", "series-a", "100000", "1000000", "USD", "VN", "Freight platform port trucks", "vc"),
        );
        // From the investor's side.
        let fund = vc("agritech;food", "seed");
        let r = rates();
        let fit = Candidate::new(10, &startup("food", "seed", "300000", "USD", "VN", "OCOP"), &r);
        let misfit = Candidate::new(11, &startup("proptech", "seed", "300000", "USD", "VN", "Homes"), &r);
        let ranked = recommend(&Candidate::new(1, &fund, &r), &[misfit, fit], &HashSet::new(), 5, &Weights::default());
        assert_eq!(ranked[0].0, 10, "an investor sees the startup in its sector first");
    }

    #[test]
    fn reasons_say_why() {
        let s = seed_logistics();
        let i = investor("logistics", "seed;series-a", "100000", "1000000", "USD", "VN;KR", "", "vc");
        let r = rates();
        let f = factors(&Candidate::new(1, &s, &r), &Candidate::new(2, &i, &r)).unwrap();
        let reasons = reasons(&s, &i, &f, &Weights::default());
        let en: Vec<&str> = reasons.iter().map(|r| r.en.as_str()).collect();
        assert_eq!(en[0], "Sector: Logistics ✓");
        assert_eq!(en[1], "Stage: Seed; invests at Seed–Series A ✓");
        assert_eq!(en[2], "Ticket 100k–1M USD covers the ask of 500k USD ✓");
        assert_eq!(en[3], "Geography: Vietnam; invests in Vietnam and South Korea ✓");
        assert_eq!(reasons[0].vi, "Lĩnh vực: Logistics ✓");
        assert_eq!(reasons[0].ko, "분야: 물류 ✓");
    }

    #[test]
    fn weights_are_checked() {
        assert!(Weights::default().validate().is_ok());
        let bad = Weights { sector: -1.0, ..Weights::default() };
        assert_eq!(bad.validate().unwrap_err().0[0].field, "sector");
        let zero = Weights { sector: 0.0, stage: 0.0, ticket: 0.0, ..Weights::default() };
        assert!(zero.validate().is_err());
    }

    fn arb_startup() -> impl Strategy<Value = Profile> {
        (0..Sector::ALL.len(), 0..Stage::ALL.len(), 1i64..100_000_000, any::<bool>(), "[a-z ]{0,40}").prop_map(
            |(sector, stage, ask, vnd, text)| {
                let currency = if vnd { "VND" } else { "USD" };
                startup(Sector::ALL[sector].code(), Stage::ALL[stage].code(), &ask.to_string(), currency, "VN", &text)
            },
        )
    }

    fn arb_investor() -> impl Strategy<Value = Profile> {
        (0..Sector::ALL.len(), 0..Stage::ALL.len(), 0..3usize, 1i64..10_000_000, 1i64..20, "[a-z ]{0,40}").prop_map(
            |(sector, stage, span, min, factor, text)| {
                let stages: Vec<&str> =
                    Stage::ALL[stage..(stage + span + 1).min(Stage::ALL.len())].iter().map(|s| s.code()).collect();
                investor(
                    Sector::ALL[sector].code(),
                    &stages.join(";"),
                    &min.to_string(),
                    &(min * factor).to_string(),
                    "USD",
                    "VN;SG",
                    &text,
                    "vc",
                )
            },
        )
    }

    /// Texts from a few words, so that pairs share some.
    fn words_of(chosen: Vec<&str>) -> String {
        chosen.join(" ")
    }

    const VOCABULARY: [&str; 12] = [
        "logistics",
        "cold",
        "chain",
        "port",
        "farm",
        "rice",
        "export",
        "payments",
        "wallet",
        "clinic",
        "robot",
        "solar",
    ];

    fn worded_startup() -> impl Strategy<Value = Profile> {
        (0..4usize, proptest::sample::subsequence(VOCABULARY.to_vec(), 0..8)).prop_map(|(stage, chosen)| {
            startup("logistics", Stage::ALL[stage].code(), "2000000", "USD", "VN", &words_of(chosen))
        })
    }

    fn worded_investor() -> impl Strategy<Value = Profile> {
        (0..4usize, 1i64..5_000_000, proptest::sample::subsequence(VOCABULARY.to_vec(), 0..8)).prop_map(
            |(stage, min, chosen)| {
                let stages = [Stage::ALL[stage].code(), Stage::ALL[stage + 1].code()].join(";");
                investor(
                    "logistics;agritech",
                    &stages,
                    &min.to_string(),
                    &(min * 4).to_string(),
                    "USD",
                    "VN",
                    &words_of(chosen),
                    "vc",
                )
            },
        )
    }

    fn arb_factors() -> impl Strategy<Value = FactorScores> {
        (0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64, 0.0..=1.0f64).prop_map(
            |(sector, stage, ticket, geography, text)| FactorScores { sector, stage, ticket, geography, text },
        )
    }

    /// Startups of an event of few sectors, as (sector, stage, ask in USD).
    fn sector_startups() -> impl Strategy<Value = Vec<(usize, usize, i64)>> {
        proptest::collection::vec((0..4usize, 0..Stage::ALL.len(), 1i64..10_000_000), 1..30)
    }

    /// Its investors, as (sectors, first of two stages, least ticket in USD).
    fn sector_investors() -> impl Strategy<Value = Vec<(Vec<usize>, usize, i64)>> {
        let sectors = proptest::sample::subsequence(vec![0usize, 1, 2, 3], 1..3);
        proptest::collection::vec((sectors, 0..Stage::ALL.len(), 1i64..10_000_000), 1..30)
    }

    /// The candidates of such an event (startups from id 100, investors from 1000): few
    /// sectors, some related (logistics–maritime, agritech–food), so every sector fit occurs.
    fn sector_event(
        startups: &[(usize, usize, i64)],
        investors: &[(Vec<usize>, usize, i64)],
    ) -> (Vec<Candidate>, Vec<Candidate>) {
        const SECTORS: [&str; 4] = ["logistics", "maritime", "agritech", "food"];
        let r = rates();
        let startups = startups
            .iter()
            .enumerate()
            .map(|(n, (sector, stage, ask))| {
                let profile = startup(SECTORS[*sector], Stage::ALL[*stage].code(), &ask.to_string(), "USD", "VN", "");
                Candidate::new(n as i64 + 100, &profile, &r)
            })
            .collect();
        let investors = investors
            .iter()
            .enumerate()
            .map(|(n, (sectors, stage, min))| {
                let sectors: Vec<&str> = sectors.iter().map(|s| SECTORS[*s]).collect();
                let stages = Stage::ALL[*stage..(*stage + 2).min(Stage::ALL.len())]
                    .iter()
                    .map(|s| s.code())
                    .collect::<Vec<_>>()
                    .join(";");
                let (min, max) = (min.to_string(), (min * 5).to_string());
                let profile = investor(&sectors.join(";"), &stages, &min, &max, "USD", "VN", "", "vc");
                Candidate::new(n as i64 + 1000, &profile, &r)
            })
            .collect();
        (startups, investors)
    }

    proptest! {
        #[test]
        fn score_is_in_range_and_deterministic(s in arb_startup(), i in arb_investor()) {
            let first = pair_score(&s, &i);
            prop_assert_eq!(first, pair_score(&s, &i));
            if let Some(score) = first {
                prop_assert!((0.0..=1.0).contains(&score), "{}", score);
            }
        }

        #[test]
        fn order_of_inputs_does_not_matter(s in arb_startup(), i in arb_investor()) {
            let mut reversed = i.clone();
            reversed.sectors.reverse();
            if let Details::Investor(details) = &mut reversed.details {
                details.stages.reverse();
                details.countries.reverse();
            }
            prop_assert_eq!(pair_score(&s, &i), pair_score(&s, &reversed));
        }

        #[test]
        fn a_stage_two_away_always_excludes(s in arb_startup(), i in arb_investor()) {
            let r = rates();
            let (sc, ic) = (Candidate::new(1, &s, &r), Candidate::new(2, &i, &r));
            let near = (sc.stages | sc.stages << 1 | sc.stages >> 1) & ic.stages != 0;
            if !near {
                prop_assert_eq!(pair_score(&s, &i), None);
            }
        }

        #[test]
        fn improving_a_factor_never_lowers_the_score(f in arb_factors(), which in 0..5usize, up in 0.0..=1.0f64) {
            let weights = Weights::default();
            let mut better = f;
            let slot = match which {
                0 => &mut better.sector,
                1 => &mut better.stage,
                2 => &mut better.ticket,
                3 => &mut better.geography,
                _ => &mut better.text,
            };
            *slot = (*slot + up).min(1.0);
            prop_assert!(combine(&better, &weights) >= combine(&f, &weights) - 1e-12);
        }

        #[test]
        fn common_counts_the_shared_values(a in proptest::collection::btree_set(0u32..3000, 0..80), b in proptest::collection::btree_set(0u32..3000, 0..80)) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            let expected = a.iter().filter(|x| b.binary_search(x).is_ok()).count();
            prop_assert_eq!(common(&a, &b), expected);
        }

        #[test]
        fn the_text_bound_is_never_below_the_fit(a in proptest::collection::btree_set(0u32..1200, 0..120), b in proptest::collection::btree_set(0u32..1200, 0..120)) {
            // Values above 255 fall on bits of smaller ones: signatures with collisions.
            let r = rates();
            let (mut s, mut i) = (Candidate::new(1, &seed_logistics(), &r), Candidate::new(2, &vc("logistics", "seed"), &r));
            s.set_words(a.into_iter().collect());
            i.set_words(b.into_iter().collect());
            prop_assert!(text_fit_bound(&s, &i) >= text_fit(&s, &i));
        }

        #[test]
        fn the_text_bound_holds_for_shared_words_on_one_bit(shared in proptest::collection::btree_set(0u32..64, 1..6), a in proptest::collection::btree_set(64u32..160, 0..30), b in proptest::collection::btree_set(160u32..256, 0..30)) {
            // Each shared word has a twin 256 above it: both set the same bit.
            let twins = |extra: &std::collections::BTreeSet<u32>| -> Vec<u32> {
                let mut words: Vec<u32> = shared.iter().flat_map(|w| [*w, w + 256]).chain(extra.iter().copied()).collect();
                words.sort_unstable();
                words
            };
            let r = rates();
            let (mut s, mut i) = (Candidate::new(1, &seed_logistics(), &r), Candidate::new(2, &vc("logistics", "seed"), &r));
            s.set_words(twins(&a));
            i.set_words(twins(&b));
            prop_assert!(text_fit_bound(&s, &i) >= text_fit(&s, &i), "{} < {}", text_fit_bound(&s, &i), text_fit(&s, &i));
        }

        #[test]
        fn ranking_with_bounds_equals_scoring_every_pair(pool in proptest::collection::vec(worded_investor(), 1..40), s in worded_startup(), k in 1..8usize) {
            let r = rates();
            let subject = Candidate::new(1, &s, &r);
            let candidates: Vec<Candidate> = pool.iter().enumerate().map(|(n, p)| Candidate::new(n as i64 + 10, p, &r)).collect();
            let weights = Weights::default();
            let mut every: Vec<(i64, f64)> = candidates.iter().filter_map(|c| Some((c.id, score(&subject, c, &weights)?))).collect();
            every.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            every.truncate(k);
            prop_assert_eq!(recommend(&subject, &candidates, &HashSet::new(), k, &weights), every);
        }

        #[test]
        fn ranking_by_sector_first_equals_scoring_every_pair(
            startups in sector_startups(),
            investors in sector_investors(),
            k in 1..8usize,
        ) {
            // Every sector fit occurs, and passes are skipped.
            let (startups, investors) = sector_event(&startups, &investors);
            let weights = Weights::default();
            for (subject, pool) in startups.iter().map(|s| (s, &investors)).chain(investors.iter().map(|i| (i, &startups))) {
                let mut every: Vec<(i64, f64)> = pool.iter().filter_map(|other| {
                    let (s, i) = if subject.investor { (other, subject) } else { (subject, other) };
                    Some((other.id, score(s, i, &weights)?))
                }).collect();
                every.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
                every.truncate(k);
                prop_assert_eq!(recommend(subject, pool, &HashSet::new(), k, &weights), every);
            }
        }

        #[test]
        fn pairs_read_from_rankings_are_the_pairs_scored_from_the_pools(
            startups in sector_startups(),
            investors in sector_investors(),
            free in proptest::collection::vec(proptest::bool::weighted(0.6), 60),
            excluded in proptest::collection::vec((0..30usize, 0..30usize), 0..20),
            (k, depth) in (1..6usize, 1..12usize),
        ) {
            // An event's rankings, cut at `depth`, then a wave of whoever is free: lists that
            // run out are scored whole, the rest read, and the pairs are the same.
            let (startups, investors) = sector_event(&startups, &investors);
            let weights = Weights::default();
            let rankings = Rankings::new(&startups, &investors, depth, &weights);
            let free_startups: Vec<Candidate> = startups.iter().zip(&free).filter(|(_, f)| **f).map(|(c, _)| c.clone()).collect();
            let free_investors: Vec<Candidate> = investors.iter().zip(free.iter().skip(30)).filter(|(_, f)| **f).map(|(c, _)| c.clone()).collect();
            let excluded: HashSet<(i64, i64)> = excluded.iter().map(|(s, i)| (*s as i64 + 100, *i as i64 + 1000)).collect();
            prop_assert_eq!(
                disjoint_pairs_ranked(&free_startups, &free_investors, &excluded, k, &weights, Some(&rankings)),
                disjoint_pairs(&free_startups, &free_investors, &excluded, k, &weights)
            );
        }

        #[test]
        fn recommendations_are_sorted_and_exclude(pool in proptest::collection::vec(arb_investor(), 1..20), s in arb_startup()) {
            let r = rates();
            let candidates: Vec<Candidate> = pool.iter().enumerate().map(|(n, p)| Candidate::new(n as i64 + 10, p, &r)).collect();
            let exclude: HashSet<i64> = [10].into();
            let subject = Candidate::new(1, &s, &r);
            let top = recommend(&subject, &candidates, &exclude, 5, &Weights::default());
            prop_assert!(top.len() <= 5);
            prop_assert!(top.iter().all(|(id, _)| *id != 10));
            prop_assert!(top.windows(2).all(|w| w[0].1 > w[1].1 || (w[0].1 == w[1].1 && w[0].0 < w[1].0)));
        }
    }

    #[test]
    fn currency_without_rate_counts_as_unknown() {
        let r = Rates::new(Currency::USD, []).unwrap();
        let s = seed_logistics();
        let c = Candidate::new(1, &s, &r);
        assert!(c.ask.is_some());
        let i = investor("logistics", "seed", "2500000000", "25000000000", "VND", "VN", "", "vc");
        let f = factors(&c, &Candidate::new(2, &i, &r)).unwrap();
        assert_eq!(f.ticket, UNKNOWN);
    }
}
