//! What the service counts for Prometheus (`/metrics`): requests by route template and status
//! with their latency, the database pool, each event-log consumer's lag, scheduler runs and
//! their durations, mail sent and failed, and open event streams. Counters are kept as things
//! happen; the pool and the lags are read when scraped.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::{Registry, Unit};

use crate::App;

/// A lag is counted up to this: a consumer so far behind is plainly stuck, and counting
/// further would cost every scrape.
const LAG_COUNTED_UP_TO: u64 = 10_000;

/// One route's answers with one status.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    /// The method, one of the usual ones or `other`: a client choosing methods must not choose
    /// how many series there are.
    pub method: &'static str,
    /// The route's template (`/api/v1/events/{slug}`), `-` when none matched.
    pub route: String,
    pub status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConsumerLabels {
    consumer: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

/// The service's metrics and their registry.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    request_seconds: Family<RequestLabels, Histogram, fn() -> Histogram>,
    pool: Family<StateLabels, Gauge>,
    lag: Family<ConsumerLabels, Gauge>,
    scheduler_runs: Family<OutcomeLabels, Counter>,
    scheduler_seconds: Histogram,
    mail: Family<OutcomeLabels, Counter>,
    streams: Gauge,
}

/// Latency buckets from 1 ms to about 16 s.
fn latency() -> Histogram {
    Histogram::new(exponential_buckets(0.001, 2.0, 15))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("ketnoi");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by method, route template and status",
            requests.clone(),
        );
        let request_seconds =
            Family::<RequestLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency as fn() -> Histogram);
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a request (to its headers), by method, route template and status",
            Unit::Seconds,
            request_seconds.clone(),
        );
        let pool = Family::<StateLabels, Gauge>::default();
        registry.register("db_pool_connections", "Database pool connections, in use and idle", pool.clone());
        let lag = Family::<ConsumerLabels, Gauge>::default();
        registry.register(
            "event_log_consumer_lag",
            "Event-log rows each consumer has not read yet (search-index, live, mail), counted up to 10000",
            lag.clone(),
        );
        let scheduler_runs = Family::<OutcomeLabels, Counter>::default();
        registry.register("scheduler_runs", "Scheduler runs, by outcome (ok, failed)", scheduler_runs.clone());
        let scheduler_seconds = Histogram::new(exponential_buckets(0.01, 2.0, 14));
        registry.register_with_unit(
            "scheduler_duration",
            "Time a scheduler run took",
            Unit::Seconds,
            scheduler_seconds.clone(),
        );
        let mail = Family::<OutcomeLabels, Counter>::default();
        registry.register(
            "mail",
            "Messages handed to the mail server (sent) or refused by it or unreachable (failed)",
            mail.clone(),
        );
        let streams = Gauge::default();
        registry.register("open_event_streams", "Live event streams open on this server", streams.clone());
        Metrics { registry, requests, request_seconds, pool, lag, scheduler_runs, scheduler_seconds, mail, streams }
    }
}

/// `method` as a label value.
pub fn method_label(method: &str) -> &'static str {
    ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"].into_iter().find(|m| *m == method).unwrap_or("other")
}

impl Metrics {
    /// A request answered with `labels` after `seconds`.
    pub fn request(&self, labels: &RequestLabels, seconds: f64) {
        self.requests.get_or_create(labels).inc();
        self.request_seconds.get_or_create(labels).observe(seconds);
    }

    pub(crate) fn scheduler_run(&self, ok: bool, seconds: f64) {
        self.scheduler_runs.get_or_create(&OutcomeLabels { outcome: if ok { "ok" } else { "failed" } }).inc();
        self.scheduler_seconds.observe(seconds);
    }

    pub(crate) fn mail(&self, sent: u64, failed: u64) {
        self.mail.get_or_create(&OutcomeLabels { outcome: "sent" }).inc_by(sent);
        self.mail.get_or_create(&OutcomeLabels { outcome: "failed" }).inc_by(failed);
    }

    pub(crate) fn stream_opened(&self) {
        self.streams.inc();
    }

    pub(crate) fn stream_closed(&self) {
        self.streams.dec();
    }
}

impl App {
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// The metrics in the OpenMetrics text format, the pool and the consumers' lags read now.
    pub async fn metrics_text(&self) -> String {
        let metrics = &self.metrics;
        let (in_use, idle) = self.store.pool_connections();
        metrics.pool.get_or_create(&StateLabels { state: "in_use" }).set(gauge(in_use));
        metrics.pool.get_or_create(&StateLabels { state: "idle" }).set(gauge(idle));
        let positions = [
            ("search-index", self.indexer.as_ref().map(|indexer| indexer.position())),
            ("live", self.live.read_up_to()),
            ("mail", self.store.consumer_position(crate::notify::CONSUMER).await.ok().flatten()),
        ];
        for (consumer, position) in positions {
            let Some(position) = position else { continue };
            match self.store.log_rows_after(position, LAG_COUNTED_UP_TO).await {
                Ok(lag) => {
                    metrics.lag.get_or_create(&ConsumerLabels { consumer }).set(gauge(lag));
                }
                Err(error) => tracing::warn!(%error, consumer, "the consumer's lag cannot be read"),
            }
        }
        let mut text = String::new();
        if let Err(error) = prometheus_client::encoding::text::encode(&mut text, &metrics.registry) {
            tracing::error!(%error, "the metrics cannot be written");
        }
        text
    }
}

fn gauge(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}
