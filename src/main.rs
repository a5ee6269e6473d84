//! `ketnoi`: investor–startup matchmaking for innovation events.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use ketnoi::import::{ImportSources, event_for};
use ketnoi::{CommandError, DataLocation, backup, demo};
use ketnoi_app::notify::{self, MailLoops, MailSettings};
use ketnoi_app::{App, Indexer, Settings};
use ketnoi_domain::event::EventSlug;
use ketnoi_mail::{Sender, SmtpUrl};
use ketnoi_server::auth::AuthConfig;
use ketnoi_server::observe::{MetricsToken, Operations};
use ketnoi_server::{AppState, Server};
use ketnoi_store::{ImportProgress, ImportSummary, OrganizationQuery, Store};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Parser)]
#[command(name = "ketnoi", version, about = "Investor–startup matchmaking for innovation events")]
struct Cli {
    #[command(flatten)]
    data: DataArgs,
    /// How log lines are written to standard error: `text` for people, `json` (one object a
    /// line, with the request id of each request's lines) for a log collector.
    #[arg(long, global = true, env = "KETNOI_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
struct DataArgs {
    /// Directory for the embedded database and the search index.
    #[arg(long, global = true, env = "KETNOI_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Database URL (sqlite://FILE?mode=rwc or postgres://USER@HOST/DB); default: SQLite in the data directory.
    #[arg(long, global = true, env = "KETNOI_DATABASE_URL", hide_env_values = true)]
    database_url: Option<String>,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KETNOI_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Behind a reverse proxy: take the client address from X-Forwarded-For and the scheme from
    /// X-Forwarded-Proto (for rate limits and the cookie's Secure flag).
    #[arg(long, env = "KETNOI_TRUST_PROXY")]
    trust_proxy: bool,
    /// Always mark the session cookie Secure (the site is served over HTTPS).
    #[arg(long, env = "KETNOI_SECURE_COOKIES")]
    secure_cookies: bool,
    /// The SMTP server that sends ketnoi's messages: smtp://[user:password@]host[:port] (STARTTLS
    /// when offered; ?tls=required or ?tls=none to insist or refuse) or smtps://… (TLS from the
    /// start). Without it, each message is written as an .eml file under DATA_DIR/mail.
    #[arg(long, env = "KETNOI_SMTP_URL", hide_env_values = true)]
    smtp_url: Option<String>,
    /// The sender of messages: `ketnoi@example.org` or `Techfest <ketnoi@example.org>`.
    #[arg(long, env = "KETNOI_MAIL_FROM", default_value = "ketnoi <ketnoi@localhost>")]
    mail_from: String,
    /// The address people open ketnoi at, the base of every link in messages and of calendar
    /// feeds (default: http:// and the listen address).
    #[arg(long, env = "KETNOI_PUBLIC_URL")]
    public_url: Option<String>,
    /// Seconds before a message that could not be sent (the mail server down, a 4xx answer) is
    /// tried again; the wait doubles with each attempt, up to an hour, for a day.
    #[arg(long, env = "KETNOI_MAIL_RETRY_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3600))]
    mail_retry_seconds: u64,
    /// Messages sent a second at most, by this server: a published schedule's thousands go out
    /// without slowing the pages down (and within what the mail provider accepts).
    #[arg(long, env = "KETNOI_MAIL_RATE", default_value_t = 220, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    mail_rate: u32,
    /// A request that takes this many milliseconds or more is logged as a warning, with its
    /// route, status and request id.
    #[arg(long, env = "KETNOI_SLOW_REQUEST_MS", default_value_t = 1000)]
    slow_request_ms: u64,
    /// The longest a request may take to be answered (an event stream's answer starts at once
    /// and then stays open): past it, 503 `unavailable`. It bounds a request stuck on a
    /// database that stopped answering, such as one cut off by the network.
    #[arg(long, env = "KETNOI_REQUEST_TIMEOUT_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=3_600))]
    request_timeout_seconds: u64,
    /// The bearer token `GET /metrics` asks for (at least 16 characters); without one,
    /// `/metrics` answers only to clients on this machine.
    #[arg(long, env = "KETNOI_METRICS_TOKEN", hide_env_values = true)]
    metrics_token: Option<String>,
}

impl ServeArgs {
    fn auth(&self) -> AuthConfig {
        AuthConfig { trust_proxy: self.trust_proxy, secure_cookies: self.secure_cookies, ..AuthConfig::default() }
    }

    /// How the server reports on itself; a metrics token too short stops the command.
    fn operations(&self) -> Result<Operations, CommandError> {
        let metrics_token = match self.metrics_token.as_deref() {
            None => None,
            Some(token) => {
                Some(MetricsToken::parse(token).map_err(|why| CommandError::Usage(format!("--metrics-token: {why}")))?)
            }
        };
        Ok(Operations {
            slow_request: std::time::Duration::from_millis(self.slow_request_ms),
            request_timeout: std::time::Duration::from_secs(self.request_timeout_seconds),
            metrics_token,
        })
    }

    /// Where messages go and where their links point; a malformed setting stops the command,
    /// naming its flag.
    fn mail(&self, location: &DataLocation) -> Result<(Sender, MailSettings), CommandError> {
        let usage = |error: ketnoi_mail::ConfigError| CommandError::Usage(error.to_string());
        let from = ketnoi_mail::parse_from(&self.mail_from).map_err(usage)?;
        let sender = match self.smtp_url.as_deref().map(str::trim).filter(|url| !url.is_empty()) {
            Some(url) => Sender::smtp(SmtpUrl::parse(url).map_err(usage)?, from, MAIL_CONNECTIONS).map_err(usage)?,
            None => Sender::files(location.data_dir.join(MAIL_DIR), from),
        };
        let public_url = match &self.public_url {
            Some(url) => public_url(url)?,
            None => {
                let host = if self.listen.ip().is_unspecified() {
                    "127.0.0.1".to_owned()
                } else {
                    self.listen.ip().to_string()
                };
                let host = if self.listen.is_ipv6() && !self.listen.ip().is_unspecified() {
                    format!("[{host}]")
                } else {
                    host
                };
                format!("http://{host}:{}", self.listen.port())
            }
        };
        Ok((sender, MailSettings { public_url }))
    }
}

/// The folder under the data directory that holds messages when no SMTP server is set.
const MAIL_DIR: &str = "mail";
/// SMTP connections open at once; as many messages go out together.
const MAIL_CONNECTIONS: u32 = 8;

/// `--public-url`: an http(s) address without a query or fragment.
fn public_url(url: &str) -> Result<String, CommandError> {
    let url = url.trim().trim_end_matches('/');
    let bad =
        |why: &str| CommandError::Usage(format!("--public-url: {url:?} {why} (expected https://host[:port][/path])"));
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .ok_or_else(|| bad("is not an http(s) address"))?;
    if rest.is_empty() || rest.starts_with('/') {
        return Err(bad("has no host"));
    }
    if rest.contains(['?', '#', ' ']) {
        return Err(bad("must not have a query, a fragment or spaces"));
    }
    Ok(url.to_owned())
}

#[derive(Debug, Subcommand)]
enum UserCommand {
    /// Create an event's organiser, or reset its password. The password is read from
    /// KETNOI_PASSWORD or, when unset, from the first line of standard input.
    AddOrganiser {
        #[arg(long)]
        event: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Create an administrator of the instance, who creates events and names their organisers
    /// on the web (/admin), or reset its password. The password is read from KETNOI_PASSWORD
    /// or, when unset, from the first line of standard input.
    AddAdmin {
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        name: String,
    },
    /// Disable an account: its sessions end and its API tokens are revoked at once.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Enable a disabled account again.
    Enable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API and pages.
    Serve(ServeArgs),
    /// Load the Techfest Hải Phòng 2023 demo event, then serve it.
    Demo(ServeArgs),
    /// Create or update the database schema.
    Migrate,
    /// Rebuild the search index of the data directory from the database.
    Reindex,
    /// Copy the embedded SQLite database to FILE while servers use it (PostgreSQL: pg_dump).
    Backup {
        /// The backup file to write; it must not exist.
        #[arg(long)]
        to: PathBuf,
    },
    /// Put a backup in place of the data directory's database (stop its servers first); the
    /// database it replaces is kept beside it, and the search index is rebuilt at the next start.
    Restore {
        /// A file written by `ketnoi backup`.
        #[arg(long)]
        from: PathBuf,
    },
    /// Print an organization's best counterparts at an event, with the reasons.
    Recommend {
        /// The event's slug.
        #[arg(long)]
        event: String,
        /// The organization: its id, or its name (case and diacritics ignored).
        #[arg(long)]
        org: String,
        /// How many counterparts (1 to 50).
        #[arg(long, default_value_t = 10)]
        limit: u64,
        /// Print JSON: {"items": [{"id", "name", "score", "reasons"}]}, best first.
        #[arg(long)]
        json: bool,
    },
    /// Show an event's matching weights, or set some of them (each from 0 to 10).
    Weights {
        #[arg(long)]
        event: String,
        #[arg(long)]
        sector: Option<f64>,
        #[arg(long)]
        stage: Option<f64>,
        #[arg(long)]
        ticket: Option<f64>,
        #[arg(long)]
        geography: Option<f64>,
        #[arg(long)]
        text: Option<f64>,
    },
    /// Schedule meetings: read the scheduling JSON of docs/scheduling.md from FILE (or standard input with
    /// `-`) and print the assignments, the unscheduled meetings with reasons, and the figures.
    Schedule {
        #[arg(long)]
        instance: PathBuf,
        /// Place meetings in order into the first free slot instead (the baseline).
        #[arg(long)]
        greedy: bool,
        /// The solver's time budget in seconds (more than 0): past it, the repairs stop and
        /// the best schedule found is written, `feasible` with its gap.
        #[arg(long, default_value_t = 2.0, allow_negative_numbers = true)]
        time_limit: f64,
    },
    /// Manage accounts: add an organiser or an administrator, disable or enable an account.
    #[command(subcommand)]
    User(UserCommand),
    /// Import an event's startups and investors from CSV files (all or nothing).
    Import {
        /// The event's slug; the event is created when it is new.
        #[arg(long)]
        event: String,
        /// The event's name, used when the import creates it.
        #[arg(long)]
        event_name: Option<String>,
        /// Startups CSV: name,sectors,stage,country,province,funding_ask,currency,founded,team_size,website,email,description
        #[arg(long)]
        startups: Option<PathBuf>,
        /// Investors CSV: name,investor_type,sectors,stages,ticket_min,ticket_max,currency,countries,website,email,thesis
        #[arg(long)]
        investors: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let filter =
        EnvFilter::try_from_env("KETNOI_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,sea_orm=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match cli.log_format {
        LogFormat::Text => logs.with_ansi(std::io::stderr().is_terminal()).init(),
        // Each line an object: its fields, and the request span's (the request id among them).
        LogFormat::Json => logs.json().with_current_span(true).with_span_list(false).init(),
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), CommandError> {
    let location = DataLocation { data_dir: cli.data.data_dir, database_url: cli.data.database_url };
    match cli.command {
        Command::Backup { to } => {
            let started = Instant::now();
            let done = backup::backup(&location, &to).await?;
            println!(
                "backed up to {}: {} events, {} organizations, {:.1} MB in {:.2} s",
                done.path.display(),
                done.facts.events,
                done.facts.organizations,
                done.bytes as f64 / 1e6,
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Restore { from } => {
            let done = backup::restore(&location, &from).await?;
            println!(
                "restored {}: {} events, {} organizations; the search index is rebuilt at the next start",
                from.display(),
                done.facts.events,
                done.facts.organizations
            );
            if let Some(replaced) = done.replaced {
                println!("the database it replaced is kept as {}", replaced.display());
            }
            Ok(())
        }
        Command::Migrate => {
            location.open().await?;
            eprintln!("database is up to date");
            Ok(())
        }
        Command::Serve(args) => {
            let (mail, operations) = (args.mail(&location)?, args.operations()?);
            serve(&location, location.open().await?, &args, operations, mail, None).await
        }
        Command::User(command) => user(&App::new(location.open().await?, Settings::default()), command).await,
        Command::Schedule { instance, greedy, time_limit } => schedule(&instance, greedy, time_limit),
        Command::Reindex => {
            let store = location.open().await?;
            let started = Instant::now();
            let indexer = open_indexer(&location, store.clone()).await?;
            // A missing or unusable index was just rebuilt by opening it: not twice.
            let count = if indexer.rebuilt_at_open() {
                indexer.index().len()
            } else {
                let total = store.organizations(&OrganizationQuery::default()).await?.total;
                let bar = Bar::new(total);
                let count = indexer.rebuild(&|done| bar.0.set_position(done)).await?;
                bar.finish();
                count
            };
            println!("search index rebuilt: {count} organizations in {:.2} s", started.elapsed().as_secs_f64());
            Ok(())
        }
        Command::Demo(args) => {
            let (mail, operations) = (args.mail(&location)?, args.operations()?);
            let store = location.open().await?;
            let started = Instant::now();
            let bar = Bar::counter("demo rows imported");
            let (event, summary, logins) = demo::load(&store, &bar).await?;
            bar.finish();
            eprintln!("demo event {} ({}): {}", event.name, event.slug, describe(&summary, started));
            let mut banner = String::from("demo logins (POST /api/v1/auth/login):\n");
            let width = logins.iter().map(|login| login.role.chars().count()).max().unwrap_or(0);
            for login in &logins {
                banner.push_str(&format!("  {:<width$}  {} / {}\n", login.role, login.email, login.password));
            }
            serve(&location, store, &args, operations, mail, Some((event.slug.to_string(), banner))).await
        }
        Command::Recommend { event, org, limit, json } => {
            let slug = EventSlug::parse(&event).map_err(|e| CommandError::Usage(format!("--event: {e}")))?;
            if !(1..=ketnoi_app::recommendations::LIMIT_MAX).contains(&limit) {
                return Err(CommandError::Usage(format!("--limit: must be 1 to 50, got {limit}")));
            }
            let app = App::new(location.open().await?, Settings::default());
            let id = ketnoi::find_participant(&app, slug.as_str(), &org).await?;
            let found = app.recommend(id, Some(&slug), limit as usize).await?;
            if json {
                let items: Vec<serde_json::Value> = found
                    .items
                    .iter()
                    .map(|r| serde_json::json!({"id": r.id, "name": r.name, "kind": r.kind, "score": r.score, "reasons": r.reasons}))
                    .collect();
                println!("{}", serde_json::json!({ "items": items }));
            } else {
                let subject = app.organization(&ketnoi_app::Caller::ANONYMOUS, id).await?;
                println!("best counterparts of {} at {}:", subject.name, found.event);
                for (rank, r) in found.items.iter().enumerate() {
                    println!("{:>3}. {} ({}) {:.3}", rank + 1, r.name, r.kind, r.score);
                    let reasons: Vec<&str> = r.reasons.iter().map(|reason| reason.en.as_str()).collect();
                    println!("     {}", reasons.join(" · "));
                }
            }
            Ok(())
        }
        Command::Weights { event, sector, stage, ticket, geography, text } => {
            let slug = EventSlug::parse(&event).map_err(|e| CommandError::Usage(format!("--event: {e}")))?;
            let app = App::new(location.open().await?, Settings::default());
            let weights = app
                .change_weights(slug.as_str(), |weights| {
                    let changes = [
                        (&mut weights.sector, sector),
                        (&mut weights.stage, stage),
                        (&mut weights.ticket, ticket),
                        (&mut weights.geography, geography),
                        (&mut weights.text, text),
                    ];
                    for (slot, value) in changes {
                        if let Some(value) = value {
                            *slot = value;
                        }
                    }
                })
                .await?;
            println!(
                "matching weights of {slug}: sector {} · stage {} · ticket {} · geography {} · text {}",
                weights.sector, weights.stage, weights.ticket, weights.geography, weights.text
            );
            Ok(())
        }
        Command::Import { event, event_name, startups, investors } => {
            let slug = EventSlug::parse(&event).map_err(|e| CommandError::Usage(format!("--event: {e}")))?;
            let sources = ImportSources::read(startups.as_deref(), investors.as_deref())?;
            let app = App::new(location.open().await?, Settings::default());
            let started = Instant::now();
            let bar = Bar::new(sources.row_count_hint() as u64);
            let summary = ketnoi::import::run(&app, &event_for(slug.clone(), event_name), &sources, &bar).await;
            bar.finish();
            let summary = summary?;
            println!(
                "imported into {slug}{}: {}",
                if summary.event_created { " (new event)" } else { "" },
                describe(&summary, started)
            );
            Ok(())
        }
    }
}

fn describe(summary: &ImportSummary, started: Instant) -> String {
    let rows = summary.created + summary.updated + summary.unchanged;
    let seconds = started.elapsed().as_secs_f64();
    format!(
        "{} created, {} updated, {} unchanged ({rows} rows in {seconds:.2} s, {:.0} rows/s)",
        summary.created,
        summary.updated,
        summary.unchanged,
        rows as f64 / seconds.max(1e-9)
    )
}

/// Opens the data directory's search index, building it first when it is missing or unusable.
async fn open_indexer(location: &DataLocation, store: Store) -> Result<Arc<Indexer>, CommandError> {
    let bar = Bar::counter("organizations read for the search index");
    let indexer = Indexer::open(store, &location.index_dir(), &|done| bar.0.set_position(done)).await;
    bar.finish();
    Ok(Arc::new(indexer?))
}

/// `ketnoi schedule --instance FILE`: no database, JSON in and out.
fn schedule(path: &std::path::Path, greedy: bool, time_limit: f64) -> Result<(), CommandError> {
    if !(time_limit.is_finite() && time_limit > 0.0) {
        return Err(CommandError::Usage(format!("--time-limit: must be more than 0 seconds, got {time_limit}")));
    }
    let time_limit = std::time::Duration::from_secs_f64(time_limit.min(86_400.0));
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|source| CommandError::File {
            what: "instance file",
            path: path.to_owned(),
            source,
        })?
    };
    let input: ketnoi_domain::schedule::InstanceInput = serde_json::from_str(&text)
        .map_err(|e| CommandError::Usage(format!("{}: not a scheduling instance: {e}", path.display())))?;
    let output = ketnoi_app::schedule::schedule_instance(&input, greedy, time_limit)
        .map_err(|errors| CommandError::Usage(format!("{}: the instance is invalid:\n{errors}", path.display())))?;
    println!("{}", serde_json::to_string_pretty(&output).map_err(|e| CommandError::Usage(e.to_string()))?);
    Ok(())
}

/// A refused option, named as the command line names it: `--email: "x" is not an e-mail address`.
fn option_error(error: ketnoi_app::AppError) -> CommandError {
    match &error {
        ketnoi_app::AppError::Invalid(errors) => CommandError::Usage(
            errors
                .0
                .iter()
                .map(|e| {
                    let option = if e.field == "password" { "password".to_owned() } else { format!("--{}", e.field) };
                    format!("{option}: {}", e.issue)
                })
                .collect::<Vec<_>>()
                .join("; "),
        ),
        _ => error.into(),
    }
}

/// The password of a new account: KETNOI_PASSWORD, or else the first line of standard input.
fn new_password() -> Result<String, CommandError> {
    match std::env::var("KETNOI_PASSWORD") {
        Ok(password) => Ok(password),
        Err(_) => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line)?;
            Ok(line.trim_end_matches(['\r', '\n']).to_owned())
        }
    }
}

/// `ketnoi user …`
async fn user(app: &App, command: UserCommand) -> Result<(), CommandError> {
    match command {
        UserCommand::AddOrganiser { event, email, name } => {
            let slug = EventSlug::parse(&event).map_err(|e| CommandError::Usage(format!("--event: {e}")))?;
            let password = new_password()?;
            let (user, event) =
                app.add_organiser(slug.as_str(), &email, &name, &password).await.map_err(option_error)?;
            println!("organiser {} of {event} is ready (user {})", user.email, user.id);
        }
        UserCommand::AddAdmin { email, name } => {
            let password = new_password()?;
            let user = app.add_admin(&email, &name, &password).await.map_err(option_error)?;
            println!("administrator {} is ready (user {}): sign in and open /admin", user.email, user.id);
        }
        UserCommand::Disable { email } => {
            let user = app.set_disabled(&email, true).await.map_err(option_error)?;
            println!("{} is disabled: its sessions ended and its API tokens are revoked", user.email);
        }
        UserCommand::Enable { email } => {
            let user = app.set_disabled(&email, false).await.map_err(option_error)?;
            println!("{} is enabled", user.email);
        }
    }
    Ok(())
}

/// How often `serve` prepares meet now again (see `App::prepare_meet_now`).
const MEET_NOW_PREPARED_EVERY: std::time::Duration = std::time::Duration::from_secs(5);

async fn serve(
    location: &DataLocation,
    store: Store,
    args: &ServeArgs,
    operations: Operations,
    (sender, mail): (Sender, MailSettings),
    demo: Option<(String, String)>,
) -> Result<(), CommandError> {
    let listen = args.listen;
    let indexer = open_indexer(location, store.clone()).await?;
    let _indexing = indexer.spawn();
    // PostgreSQL only: probed, so that a server cut off from it answers 503 at once.
    let _watching = store.watch().map(AbortOnDrop);
    // SQLite only: the write-ahead log is copied into the database beside the requests.
    let _checkpoints = store.checkpoints().map(AbortOnDrop);
    let auth = args.auth();
    let app = Arc::new(App::with_index(store, indexer, auth.settings).with_mail(mail));
    let server = Server::bind(listen, AppState::with_operations(Arc::clone(&app), auth, operations))
        .await
        .map_err(|e| CommandError::Usage(format!("cannot listen on {listen}: {e}")))?;
    // The service starts whatever the mail server says: messages wait in the outbox.
    match sender.check().await {
        Ok(()) if args.smtp_url.is_some() => tracing::info!(smtp = %sender.destination(), "mail goes out over SMTP"),
        Ok(()) => tracing::info!(
            folder = %sender.destination(),
            "no SMTP server is configured (--smtp-url): each message is written as an .eml file in this folder"
        ),
        Err(error) => tracing::warn!(
            smtp = %sender.destination(), %error,
            "the mail server cannot be reached now: messages wait in the outbox and are retried"
        ),
    }
    let loops = MailLoops {
        retry: std::time::Duration::from_secs(args.mail_retry_seconds),
        rate: args.mail_rate,
        ..MailLoops::default()
    };
    let _mail = notify::spawn(Arc::clone(&app), sender, loops);
    // Meet now's rounds find every participant's match data and best counterparts ready: made
    // at start, and again after a profile change has dropped them.
    let preparing = Arc::clone(&app);
    let _preparing = AbortOnDrop(tokio::spawn(async move {
        let mut interval = tokio::time::interval(MEET_NOW_PREPARED_EVERY);
        interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            interval.tick().await;
            match preparing.prepare_meet_now().await {
                Ok(0) => {}
                Ok(organizations) => tracing::info!(organizations, "meet now prepared"),
                Err(error) => tracing::warn!(%error, "meet now not prepared: its rounds score the free whole"),
            }
        }
    }));
    let address = server.local_addr()?;
    tracing::info!(%address, "listening");
    println!("ketnoi is listening on http://{address}/");
    if let Some((slug, banner)) = demo {
        println!("demo event: http://{address}/api/v1/events/{slug}");
        println!("startups:   http://{address}/api/v1/organizations?event={slug}&kind=startup");
        print!("{banner}");
    }
    server.run(shutdown_signal()).await?;
    tracing::info!("stopped");
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// A progress bar on standard error when it is a terminal; silent otherwise.
struct Bar(ProgressBar);

impl Bar {
    /// A counter for work whose total is not known beforehand.
    fn counter(unit: &str) -> Self {
        let bar = ProgressBar::new_spinner();
        if let Ok(style) = ProgressStyle::with_template(&format!("{{spinner}} {{pos}} {unit} ({{per_sec}})")) {
            bar.set_style(style);
        }
        Bar(bar)
    }

    fn new(total: u64) -> Self {
        let bar = ProgressBar::new(total);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {pos}/{len} rows ({per_sec}, {eta} left)") {
            bar.set_style(style);
        }
        Bar(bar)
    }

    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl ImportProgress for Bar {
    fn rows_done(&self, done: usize) {
        self.0.set_position(done as u64);
    }
}

/// A task stopped when this is dropped: one that runs as long as the server.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
