//! The organiser's pages: import with a preview, sessions, the scheduler's grid, moves,
//! publishing, check-in at the table, table sheets and CSV exports.

use std::collections::{BTreeMap, HashMap};

use axum::Json;
use axum::extract::{Multipart, Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use ketnoi_store::{Event, Meeting, Slot};
use minijinja::{Value, context};
use serde::Serialize;

use super::views::EventInfo;
use super::{Ctx, Form, WebError, WebResult, field_errors, i18n, query, refused};
use crate::AppState;
use crate::error::ApiError;
use crate::events::{self, ImportBody, SessionBody, SessionsBody, managed, zone};
use crate::json::Body;
use crate::meetings::{self, MoveBody, RunBody, StatusBody};

/// The event, for its organiser only: others are sent to sign in, or told it is not there.
async fn organised(state: &AppState, ctx: &Ctx, slug: &str, next: &str) -> Result<Event, WebError> {
    ctx.require_sign_in(next)?;
    Ok(managed(state, &ctx.caller, slug).await?)
}

fn organise_path(slug: &str) -> String {
    format!("/e/{slug}/organise")
}

/// `GET /e/{slug}/organise`: figures, import, sessions, exports.
pub async fn dashboard(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    dashboard_page(&state, &ctx, &event, None, BTreeMap::new(), None).await
}

#[derive(Debug, Serialize)]
struct SessionRow {
    name: String,
    date: String,
    start: String,
    end: String,
    slot_minutes: String,
    tables: String,
}

/// The organiser's page; after a refused sessions form, with the rows as they were sent.
async fn dashboard_page(
    state: &AppState,
    ctx: &Ctx,
    event: &Event,
    import: Option<Value>,
    session_errors: BTreeMap<String, String>,
    sent: Option<Vec<SessionRow>>,
) -> WebResult {
    let Json(figures) = meetings::figures(State(state.clone()), axum::extract::Path(event.slug.to_string())).await?;
    let mut sessions: Vec<SessionRow> = match sent {
        Some(rows) => rows,
        None => state
            .store
            .sessions(event)
            .await?
            .into_iter()
            .map(|s| SessionRow {
                name: s.name,
                date: s.date.to_string(),
                start: s.start.strftime("%H:%M").to_string(),
                end: s.end.strftime("%H:%M").to_string(),
                slot_minutes: s.slot_minutes.to_string(),
                tables: s.tables.to_string(),
            })
            .collect(),
    };
    // Room for two more sessions; an empty row is left out when saved.
    for _ in 0..2 {
        sessions.push(SessionRow {
            name: String::new(),
            date: String::new(),
            start: String::new(),
            end: String::new(),
            slot_minutes: String::new(),
            tables: String::new(),
        });
    }
    let page = context! {
        event => EventInfo::of(event), figures => figures, sessions => sessions, import => import,
        session_errors => session_errors,
    };
    ctx.render(state, "organise.html", page).await
}

/// A problem named `startups:3:sectors` (file, line, column), as the preview table shows it.
#[derive(Debug, Serialize)]
struct ImportProblem {
    file: String,
    line: String,
    column: String,
    message: String,
}

/// `POST /e/{slug}/organise/import` (multipart): previews the CSV files, or imports them, all
/// or nothing; problems are listed by file, line and column, and nothing is written. After a
/// clean preview the page carries the files' text, so that what is imported is what was
/// previewed, without choosing the files again.
pub async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    mut multipart: Multipart,
) -> WebResult {
    let ctx = ctx.showing(&organise_path(&slug));
    let event = organised(&state, &ctx, &slug, &organise_path(&slug)).await?;
    let mut files: HashMap<String, String> = HashMap::new();
    let mut carried: HashMap<String, String> = HashMap::new();
    let mut unreadable = Vec::new();
    let mut mode = String::from("preview");
    while let Some(field) = multipart.next_field().await.map_err(|e| ApiError::bad_request(e.body_text()))? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|e| ApiError::bad_request(e.body_text()))?;
        let Ok(text) = String::from_utf8(bytes.to_vec()) else {
            unreadable.push(ImportProblem {
                file: name,
                line: String::new(),
                column: String::new(),
                message: ctx.t("import.not_utf8").to_owned(),
            });
            continue;
        };
        match name.as_str() {
            "startups" | "investors" if !text.trim().is_empty() => {
                files.insert(name, text);
            }
            "startups_text" | "investors_text" if !text.trim().is_empty() => {
                carried.insert(name.trim_end_matches("_text").to_owned(), text);
            }
            "mode" => mode = text,
            _ => {}
        }
    }
    if !unreadable.is_empty() {
        let summary = i18n::fill(ctx.lang, "import.problems", &[("n", unreadable.len().to_string())]);
        let result = context! { title => ctx.t("import.refused"), summary => summary, problems => unreadable };
        return refused(dashboard_page(&state, &ctx, &event, Some(result), BTreeMap::new(), None).await);
    }
    // A file chosen now wins over the text of the last preview.
    for (name, text) in carried {
        files.entry(name).or_insert(text);
    }
    let dry_run = mode != "import";
    let (startups, investors) = (files.remove("startups"), files.remove("investors"));
    let body = ImportBody { startups: startups.clone(), investors: investors.clone(), dry_run };
    let result = match events::import(State(state.clone()), ctx.caller.clone(), Path(slug.clone()), Body(body)).await {
        Ok(Json(done)) => {
            let key = if dry_run { "import.would" } else { "import.done" };
            let counts = [
                ("created", done.created.to_string()),
                ("updated", done.updated.to_string()),
                ("unchanged", done.unchanged.to_string()),
            ];
            let title = ctx.t(if dry_run { "import.preview_ok" } else { "import.imported" });
            // What a clean preview read, to import as it is.
            let carry = dry_run.then(|| context! { startups => startups, investors => investors });
            context! {
                title => title, summary => i18n::fill(ctx.lang, key, &counts), problems => Vec::<ImportProblem>::new(),
                carry => carry,
            }
        }
        Err(error) if error.status() == StatusCode::BAD_REQUEST => {
            let problems: Vec<ImportProblem> = error
                .field_problems()
                .iter()
                .map(|p| {
                    let mut parts = p.field.splitn(3, ':');
                    ImportProblem {
                        file: parts.next().unwrap_or_default().to_owned(),
                        line: parts.next().unwrap_or_default().to_owned(),
                        column: parts.next().unwrap_or_default().to_owned(),
                        message: i18n::error(ctx.lang, &p.message),
                    }
                })
                .collect();
            let summary = i18n::fill(ctx.lang, "import.problems", &[("n", problems.len().to_string())]);
            let summary = if problems.is_empty() { i18n::error(ctx.lang, error.detail()) } else { summary };
            let result = context! { title => ctx.t("import.refused"), summary => summary, problems => problems };
            return refused(dashboard_page(&state, &ctx, &event, Some(result), BTreeMap::new(), None).await);
        }
        Err(error) => return Err(error.into()),
    };
    dashboard_page(&state, &ctx, &event, Some(result), BTreeMap::new(), None).await
}

/// `POST /e/{slug}/organise/sessions`: replaces the sessions (and so the slots and tables).
/// Refused, the rows come back as typed, each problem named by its row and column.
pub async fn sessions(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let back = organise_path(&slug);
    let ctx = ctx.showing(&back);
    let event = organised(&state, &ctx, &slug, &back).await?;
    let columns = ["name", "date", "start", "end", "slot_minutes", "tables"].map(|name| form.all(name));
    let rows = columns.iter().map(Vec::len).max().unwrap_or_default();
    let cell = |row: usize, column: usize| columns[column].get(row).map(|v| v.trim().to_owned()).unwrap_or_default();
    let typed: Vec<SessionRow> = (0..rows)
        .filter(|row| (0..6).any(|column| !cell(*row, column).is_empty()))
        .map(|row| SessionRow {
            name: cell(row, 0),
            date: cell(row, 1),
            start: cell(row, 2),
            end: cell(row, 3),
            slot_minutes: cell(row, 4),
            tables: cell(row, 5),
        })
        .collect();
    let mut errors = BTreeMap::new();
    let mut sessions = Vec::new();
    for (index, row) in typed.iter().enumerate() {
        let mut number = |text: &str, column: &str| -> u16 {
            text.parse().unwrap_or_else(|_| {
                let field = i18n::field_label(ctx.lang, &format!("sessions[{index}].{column}"));
                let message = i18n::fill(ctx.lang, "form.whole_number", &[("value", text.to_owned())]);
                errors.entry("_form".to_owned()).or_insert(format!("{field}: {message}"));
                0
            })
        };
        let slot_minutes = number(&row.slot_minutes, "slot_minutes");
        let tables = number(&row.tables, "tables");
        sessions.push(SessionBody {
            name: row.name.clone(),
            date: row.date.clone(),
            start: row.start.clone(),
            end: row.end.clone(),
            slot_minutes,
            tables,
        });
    }
    if errors.is_empty() {
        let body = Body(SessionsBody { sessions });
        match events::set_sessions(State(state.clone()), ctx.caller.clone(), Path(slug.clone()), body).await {
            Ok(_) => return Ok(ctx.done(&back, "saved")),
            Err(error) if error.status().is_client_error() && error.status() != StatusCode::UNAUTHORIZED => {
                errors = field_errors(&ctx, &error, &[]);
            }
            Err(error) => return Err(error.into()),
        }
    }
    refused(dashboard_page(&state, &ctx, &event, None, errors, Some(typed)).await)
}

#[derive(Debug, Serialize)]
struct GridMeeting {
    id: i64,
    table: String,
    startup: String,
    investor: String,
    pinned: bool,
    published: bool,
    status_label: &'static str,
}

/// `GET /e/{slug}/organise/schedule`: the grid (slot × table), the meetings left out with
/// their reasons, and the bound.
pub async fn schedule(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    organised(&state, &ctx, &slug, &ctx.here).await?;
    schedule_page(&state, &ctx, &slug, None).await
}

async fn schedule_page(state: &AppState, ctx: &Ctx, slug: &str, error: Option<String>) -> WebResult {
    let event = by_slug_managed(state, ctx, slug).await?;
    let Json(grid) = meetings::show(State(state.clone()), ctx.caller.clone(), Path(slug.to_owned())).await?;
    let mut movable = Vec::new();
    let tables = grid.slots.iter().map(|s| s.tables).max().unwrap_or_default();
    let slots: Vec<Value> = grid
        .slots
        .iter()
        .map(|slot| {
            let label = format!("{} {}", i18n::date_of(ctx.lang, &slot.start), i18n::time_of(&slot.start));
            // One cell per table: the meeting there, or none; tables the slot lacks are marked.
            let cells: Vec<Option<GridMeeting>> = (1..=u32::from(tables))
                .map(|table| {
                    let m = slot.meetings.iter().find(|m| m.table == Some(table))?;
                    let place = format!("{label}, {} {table}", ctx.t("agenda.table"));
                    movable.push(
                        context! { id => m.id, label => format!("{} – {} ({place})", m.startup.name, m.investor.name) },
                    );
                    Some(GridMeeting {
                        id: m.id,
                        table: table.to_string(),
                        startup: m.startup.name.clone(),
                        investor: m.investor.name.clone(),
                        pinned: m.pinned,
                        published: m.published,
                        status_label: i18n::text(ctx.lang, &format!("status.{}", m.status)),
                    })
                })
                .collect();
            context! { code => &slot.code, label => label, tables => slot.tables, cells => cells }
        })
        .collect();
    let unplaced: Vec<Value> = grid
        .unplaced
        .iter()
        .map(|u| {
            movable.push(context! { id => u.meeting, label => format!("{} – {}", u.startup.name, u.investor.name) });
            context! { startup => &u.startup.name, investor => &u.investor.name, reason => i18n::reason(ctx.lang, &u.reason) }
        })
        .collect();
    let summary = i18n::fill(
        ctx.lang,
        "schedule.summary",
        &[
            ("placed", grid.placed.to_string()),
            ("meetings", grid.meetings.to_string()),
            ("bound", grid.upper_bound.to_string()),
        ],
    );
    let page = context! {
        event => EventInfo::of(&event), grid => slots, tables => (1..=tables).collect::<Vec<_>>(),
        unplaced => unplaced, summary => summary,
        movable => movable, error => error,
    };
    ctx.render(state, "schedule.html", page).await
}

async fn by_slug_managed(state: &AppState, ctx: &Ctx, slug: &str) -> Result<Event, WebError> {
    Ok(managed(state, &ctx.caller, slug).await?)
}

fn schedule_path(slug: &str) -> String {
    format!("/e/{slug}/organise/schedule")
}

/// An API refusal shown on the schedule page; anything else is an error page.
async fn on_schedule(state: &AppState, ctx: &Ctx, slug: &str, result: Result<&'static str, ApiError>) -> WebResult {
    match result {
        Ok(done) => Ok(ctx.done(&schedule_path(slug), done)),
        Err(error) if error.status().is_client_error() && error.status() != StatusCode::UNAUTHORIZED => {
            let message = match error.field_problems().first() {
                Some(problem) => {
                    format!(
                        "{}: {}",
                        i18n::field_label(ctx.lang, &problem.field),
                        i18n::error(ctx.lang, &problem.message)
                    )
                }
                None => i18n::error(ctx.lang, error.detail()),
            };
            refused(schedule_page(state, ctx, slug, Some(message)).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /e/{slug}/organise/schedule`: runs the scheduler (a preview until published).
pub async fn run(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let ctx = ctx.showing(&schedule_path(&slug));
    organised(&state, &ctx, &slug, &schedule_path(&slug)).await?;
    let body = Body(RunBody { full_replan: form.get("full_replan") == "true" });
    let result =
        meetings::run(State(state.clone()), ctx.caller.clone(), Path(slug.clone()), body).await.map(|_| "scheduled");
    on_schedule(&state, &ctx, &slug, result).await
}

/// `POST /e/{slug}/organise/publish`: participants see their meetings.
pub async fn publish(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let ctx = ctx.showing(&schedule_path(&slug));
    organised(&state, &ctx, &slug, &schedule_path(&slug)).await?;
    let result =
        meetings::publish(State(state.clone()), ctx.caller.clone(), Path(slug.clone())).await.map(|_| "published");
    on_schedule(&state, &ctx, &slug, result).await
}

/// `POST /e/{slug}/organise/move`: a meeting to a slot and table by hand, pinned if asked.
pub async fn move_meeting(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let ctx = ctx.showing(&schedule_path(&slug));
    organised(&state, &ctx, &slug, &schedule_path(&slug)).await?;
    let Ok(table) = form.get("table").trim().parse::<u32>() else {
        let message = i18n::fill(ctx.lang, "form.whole_number", &[("value", form.get("table").to_owned())]);
        return refused(
            schedule_page(&state, &ctx, &slug, Some(format!("{}: {message}", ctx.t("agenda.table")))).await,
        );
    };
    let body = MoveBody { slot: form.get("slot").to_owned(), table, pinned: Some(form.get("pinned") == "true") };
    let path = Path((slug.clone(), form.get("meeting").to_owned()));
    let result =
        meetings::move_meeting(State(state.clone()), ctx.caller.clone(), path, Body(body)).await.map(|_| "moved");
    on_schedule(&state, &ctx, &slug, result).await
}

/// The slot in progress or next to come; the first when the event is over.
fn current_slot(slots: &[Slot]) -> Option<&Slot> {
    let now = jiff::Timestamp::now();
    slots.iter().find(|s| s.ends_at > now).or_else(|| slots.first())
}

/// The names of the organizations `ids`, by id (one query).
async fn names(state: &AppState, ids: impl IntoIterator<Item = i64>) -> Result<HashMap<i64, String>, WebError> {
    let ids: Vec<i64> = ids.into_iter().collect();
    Ok(state.store.organizations_by_ids(&ids).await?.into_iter().map(|o| (o.id, o.profile.name)).collect())
}

/// Both sides of each meeting.
fn sides(meetings: &[Meeting]) -> impl Iterator<Item = i64> + '_ {
    meetings.iter().flat_map(|m| [m.startup_id, m.investor_id])
}

/// `GET /e/{slug}/organise/checkin?slot=`: one slot's meetings by table, for a phone at the tables.
pub async fn checkin(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let asked = query(raw.as_deref()).remove("slot");
    checkin_page(&state, &ctx, &event, asked.as_deref(), None).await
}

async fn checkin_page(
    state: &AppState,
    ctx: &Ctx,
    event: &Event,
    asked: Option<&str>,
    error: Option<String>,
) -> WebResult {
    let slots = state.store.slots(event.id).await?;
    let zone = zone(event);
    let slot = asked.and_then(|code| slots.iter().find(|s| s.code == code)).or_else(|| current_slot(&slots));
    let mut meetings: Vec<Meeting> = match slot {
        Some(slot) => {
            state.store.meetings(event.id).await?.into_iter().filter(|m| m.slot_id == Some(slot.id)).collect()
        }
        None => Vec::new(),
    };
    meetings.sort_by_key(|m| m.table);
    let names = names(state, sides(&meetings)).await?;
    let name = |id: i64| names.get(&id).cloned().unwrap_or_default();
    let items: Vec<Value> = meetings
        .iter()
        .map(|m| {
            context! {
                id => m.id, table => m.table.unwrap_or_default(), startup => name(m.startup_id), investor => name(m.investor_id),
                status => m.status.as_str(), status_label => i18n::text(ctx.lang, &format!("status.{}", m.status.as_str())),
            }
        })
        .collect();
    let choices: Vec<Value> = slots
        .iter()
        .map(|s| context! { code => &s.code, label => i18n::moment(ctx.lang, s.starts_at, &zone) })
        .collect();
    let page = context! {
        event => EventInfo::of(event), slots => choices, slot => slot.map(|s| s.code.clone()), meetings => items,
        error => error,
    };
    ctx.render(state, "checkin.html", page).await
}

/// `POST /e/{slug}/organise/checkin?slot=`: checked in, held or no-show, then back to the slot.
pub async fn check_in(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
    form: Form,
) -> WebResult {
    let back = format!("/e/{slug}/organise/checkin?{}", raw.as_deref().unwrap_or_default());
    let ctx = ctx.showing(&back);
    let event = organised(&state, &ctx, &slug, &back).await?;
    let body = Body(StatusBody { status: form.get("status").to_owned() });
    let path = Path((slug.clone(), form.get("meeting").to_owned()));
    match meetings::set_status(State(state.clone()), ctx.caller.clone(), path, body).await {
        Ok(Json(meeting)) => Ok(ctx.done(&format!("{back}#meeting-{}", meeting.id), "checked")),
        Err(error) if error.status().is_client_error() && error.status() != StatusCode::UNAUTHORIZED => {
            let asked = query(raw.as_deref()).remove("slot");
            refused(
                checkin_page(&state, &ctx, &event, asked.as_deref(), Some(i18n::error(ctx.lang, error.detail()))).await,
            )
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /e/{slug}/organise/tables`: one printable sheet per table, its meetings by time.
pub async fn table_sheets(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let slots: HashMap<i64, Slot> = state.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
    let mut meetings: Vec<Meeting> = state
        .store
        .meetings(event.id)
        .await?
        .into_iter()
        .filter(|m| m.slot_id.is_some() && m.table.is_some())
        .collect();
    meetings.sort_by_key(|m| (m.table, m.slot_id.and_then(|s| slots.get(&s)).map(|s| s.starts_at)));
    let names = names(&state, sides(&meetings)).await?;
    let zone = zone(&event);
    let mut sheets: Vec<(u32, Vec<Value>)> = Vec::new();
    for m in &meetings {
        let (Some(table), Some(slot)) = (m.table, m.slot_id.and_then(|s| slots.get(&s))) else { continue };
        let row = context! {
            when => i18n::moment(ctx.lang, slot.starts_at, &zone),
            startup => names.get(&m.startup_id), investor => names.get(&m.investor_id),
        };
        match sheets.last_mut() {
            Some((number, rows)) if *number == table => rows.push(row),
            _ => sheets.push((table, vec![row])),
        }
    }
    let sheets: Vec<Value> =
        sheets.into_iter().map(|(table, meetings)| context! { table => table, meetings => meetings }).collect();
    ctx.render(&state, "tables_print.html", context! { event => EventInfo::of(&event), sheets => sheets }).await
}

/// A CSV field, quoted; text a spreadsheet would take for a formula (`=`, `+`, `-`, `@`) is
/// prefixed with `'` so that opening the export runs nothing.
fn quote(text: &str) -> String {
    let guard = if text.starts_with(['=', '+', '-', '@']) { "'" } else { "" };
    format!("\"{guard}{}\"", text.replace('"', "\"\""))
}

/// `GET /e/{slug}/organise/export/{file}`: participants, requests or meetings as CSV.
pub async fn export(State(state): State<AppState>, ctx: Ctx, Path((slug, file)): Path<(String, String)>) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let zone = zone(&event);
    // A byte-order mark first, so that a spreadsheet reads the names as UTF-8.
    let mut csv = String::from("\u{feff}");
    match file.as_str() {
        "participants.csv" => {
            csv.push_str("id,kind,name,sectors,stage,investor_type,country,province,email,phone,website\n");
            for o in state.store.event_participants(event.id).await? {
                let p = &o.profile;
                let (stage, investor_type) = match &p.details {
                    ketnoi_domain::profile::Details::Startup(s) => (s.stage.code(), ""),
                    ketnoi_domain::profile::Details::Investor(i) => ("", i.investor_type.code()),
                };
                let sectors: Vec<&str> = p.sectors.iter().map(|s| s.code()).collect();
                csv.push_str(&format!(
                    "{},{},{},{},{stage},{investor_type},{},{},{},{},{}\n",
                    o.id,
                    p.kind(),
                    quote(&p.name),
                    quote(&sectors.join(";")),
                    p.country.as_ref().map(ToString::to_string).unwrap_or_default(),
                    quote(&p.province),
                    quote(p.email.as_ref().map(|e| e.as_str()).unwrap_or_default()),
                    quote(&o.phone),
                    quote(p.website.as_ref().map(|w| w.as_str()).unwrap_or_default()),
                ));
            }
        }
        "requests.csv" => {
            let requests = state.store.event_requests(event.id).await?;
            let names = names(&state, requests.iter().flat_map(|r| [r.requester_id, r.recipient_id])).await?;
            csv.push_str("id,from,to,status,priority,created,message,note\n");
            for r in requests {
                let created = jiff::Timestamp::from_second(r.created_at)
                    .map(|t| crate::events::local(t, &zone))
                    .unwrap_or_default();
                csv.push_str(&format!(
                    "{},{},{},{},{},{created},{},{}\n",
                    r.id,
                    quote(names.get(&r.requester_id).map_or("", String::as_str)),
                    quote(names.get(&r.recipient_id).map_or("", String::as_str)),
                    r.status.as_str(),
                    r.priority,
                    quote(&r.message),
                    quote(&r.note),
                ));
            }
        }
        "meetings.csv" => {
            let meetings = state.store.meetings(event.id).await?;
            let slots: HashMap<i64, Slot> = state.store.slots(event.id).await?.into_iter().map(|s| (s.id, s)).collect();
            let names = names(&state, sides(&meetings)).await?;
            csv.push_str("id,slot,start,table,startup,investor,status,published,startup_outcome,investor_outcome\n");
            for m in meetings {
                let slot = m.slot_id.and_then(|s| slots.get(&s));
                csv.push_str(&format!(
                    "{},{},{},{},{},{},{},{},{},{}\n",
                    m.id,
                    slot.map(|s| s.code.as_str()).unwrap_or_default(),
                    slot.map(|s| crate::events::local(s.starts_at, &zone)).unwrap_or_default(),
                    m.table.map(|t| t.to_string()).unwrap_or_default(),
                    quote(names.get(&m.startup_id).map_or("", String::as_str)),
                    quote(names.get(&m.investor_id).map_or("", String::as_str)),
                    m.status.as_str(),
                    m.published,
                    m.startup_outcome.unwrap_or_default(),
                    m.investor_outcome.unwrap_or_default(),
                ));
            }
        }
        _ => return Err(ApiError::not_found("export").into()),
    }
    let disposition = format!("attachment; filename=\"{}-{file}\"", event.slug);
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()), (header::CONTENT_DISPOSITION, disposition)],
        csv,
    )
        .into_response())
}
