//! The organiser's pages: import with a preview, sessions, the scheduler's grid, moves,
//! publishing, check-in at the table, table sheets and CSV exports.

use std::collections::{BTreeMap, HashMap};

use axum::extract::{Multipart, Path, RawQuery, State};
use ketnoi_app::AppError;
use ketnoi_app::events::{ImportInput, SessionBody, SessionsBody};
use ketnoi_app::exports::CsvExport;
use ketnoi_app::schedule::{GridSlot, MoveBody, RunBody, StatusBody};
use ketnoi_domain::i18n::Message;
use ketnoi_domain::rules::Resource;
use ketnoi_domain::schedule::Layout;
use ketnoi_store::Event;
use minijinja::{Value, context};
use serde::Serialize;

use super::views::EventInfo;
use super::{Ctx, Form, WebError, WebResult, field_errors, i18n, one_line, query, refusal, refused};
use crate::AppState;

/// The event, for its organiser only: others are sent to sign in, or told it is not there.
async fn organised(state: &AppState, ctx: &Ctx, slug: &str, next: &str) -> Result<Event, WebError> {
    ctx.require_sign_in(next)?;
    Ok(state.app.managed(&ctx.caller, slug).await?)
}

/// A meeting's id from a form; anything else is not there.
fn meeting_id(text: &str) -> Result<i64, WebError> {
    text.trim().parse().map_err(|_| WebError::App(AppError::NotFound(Resource::Meeting)))
}

fn organise_path(slug: &str) -> String {
    format!("/e/{slug}/organise")
}

/// The columns of each import file, in order, named in words, the required ones marked.
fn import_columns(ctx: &Ctx) -> Value {
    use ketnoi_domain::import::{INVESTOR_COLUMNS, INVESTOR_REQUIRED, STARTUP_COLUMNS, STARTUP_REQUIRED};
    let list = |columns: &[&str], required: &[&str]| -> Vec<Value> {
        columns
            .iter()
            .map(|c| {
                let label = i18n::field_label(ctx.lang, c);
                context! { name => c, label => label, required => required.contains(c) }
            })
            .collect()
    };
    context! {
        startups => list(&STARTUP_COLUMNS, &STARTUP_REQUIRED),
        investors => list(&INVESTOR_COLUMNS, &INVESTOR_REQUIRED),
    }
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
    let figures = state.app.figures(event.slug.as_str()).await?;
    let mut sessions: Vec<SessionRow> = match sent {
        Some(rows) => rows,
        None => state
            .app
            .sessions(&ctx.caller, event.slug.as_str())
            .await?
            .into_iter()
            .map(|s| SessionRow {
                name: s.name,
                date: s.date,
                start: s.start,
                end: s.end,
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
        event => EventInfo::of(event, ctx.lang), figures => figures, sessions => sessions, import => import,
        session_errors => session_errors, columns => import_columns(ctx),
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
    // A form that is not multipart, or cut short, was not sent by this page.
    while let Some(field) = multipart.next_field().await.map_err(|_| WebError::not_found())? {
        let name = field.name().unwrap_or_default().to_owned();
        let bytes = field.bytes().await.map_err(|_| WebError::not_found())?;
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
    let input = ImportInput { startups: startups.clone(), investors: investors.clone(), dry_run };
    let result = match state.app.import(&ctx.caller, &slug, &input).await {
        Ok(done) => {
            let key = if dry_run { "import.would" } else { "import.done" };
            let counts = [
                ("created", done.created.to_string()),
                ("updated", done.updated.to_string()),
                ("unchanged", done.unchanged.to_string()),
            ];
            let title = ctx.t(if dry_run { "import.preview_ok" } else { "import.imported" });
            // What a clean preview read, to import as it is.
            let carry = dry_run.then(|| context! { startups => startups, investors => investors });
            let changes: Vec<Value> = done
                .changes
                .iter()
                .map(|record| {
                    let fields: Vec<Value> = record
                        .fields
                        .iter()
                        .map(|f| context! { label => i18n::field_label(ctx.lang, &f.field), before => &f.before, after => &f.after })
                        .collect();
                    context! { name => &record.name, fields => fields }
                })
                .collect();
            context! {
                title => title, summary => i18n::fill(ctx.lang, key, &counts), problems => Vec::<ImportProblem>::new(),
                carry => carry, changes => changes, more_changes => done.updated.saturating_sub(done.changes.len()),
            }
        }
        Err(error) if refusal(&error) => {
            let problems: Vec<ImportProblem> = match &error {
                AppError::Import(import) => import
                    .issues
                    .iter()
                    .map(|issue| ImportProblem {
                        file: issue.file.clone(),
                        line: issue.line.map(|l| l.to_string()).unwrap_or_default(),
                        column: issue.column.clone().unwrap_or_default(),
                        message: match &issue.value {
                            Some(value) => format!("{value:?}: {}", issue.issue.text(ctx.lang)),
                            None => issue.issue.text(ctx.lang),
                        },
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let summary = if problems.is_empty() {
                one_line(&ctx, &error)
            } else {
                i18n::fill(ctx.lang, "import.problems", &[("n", problems.len().to_string())])
            };
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
        match state.app.set_sessions(&ctx.caller, &slug, &SessionsBody { sessions }).await {
            Ok(_) => return Ok(ctx.done(&back, "saved")),
            Err(error) if refusal(&error) => errors = field_errors(&ctx, &error, &[], &|_| None),
            Err(error) => return Err(error.into()),
        }
    }
    refused(dashboard_page(&state, &ctx, &event, None, errors, Some(typed)).await)
}

/// A meeting in one of the schedule's views.
#[derive(Debug, Serialize)]
struct ScheduleRow {
    id: i64,
    /// `Thứ Năm 23/11 09:40–10:00`, for the view by table.
    when: String,
    time: String,
    table: u32,
    startup: String,
    investor: String,
    pinned: bool,
    published: bool,
    status_label: &'static str,
    /// Made on the day from a meet-now proposal.
    rematched: bool,
}

/// A slot (view by slot) or a table (view by table), with its meetings.
#[derive(Debug, Serialize)]
struct ScheduleGroup {
    id: String,
    title: String,
    /// `16 / 20 tables`, or `12 meetings`.
    count: String,
    rows: Vec<ScheduleRow>,
}

/// What the schedule page is asked to show: `view=slot|table`, `org=` a name to filter by,
/// `move=` the meeting to move.
#[derive(Debug, Default)]
struct ScheduleQuery {
    by_table: bool,
    org: String,
    chosen: Option<i64>,
}

impl ScheduleQuery {
    fn parse(raw: Option<&str>) -> ScheduleQuery {
        let mut query = query(raw);
        ScheduleQuery {
            by_table: query.get("view").is_some_and(|v| v == "table"),
            org: query.remove("org").unwrap_or_default().trim().to_owned(),
            chosen: query.get("move").and_then(|m| m.parse().ok()),
        }
    }
}

/// `GET /e/{slug}/organise/schedule?view=&org=&move=`: the meetings not placed first, with their
/// reasons; then the placed ones by slot or by table, filtered by an organization's name; and
/// the form that moves a meeting, with the free places nearest to it.
pub async fn schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    organised(&state, &ctx, &slug, &ctx.here).await?;
    schedule_page(&state, &ctx, &slug, &ScheduleQuery::parse(raw.as_deref()), None, None).await
}

/// The meeting a move form names: its id, or the label the list offers, or a name that only one
/// meeting's label contains.
fn find_meeting(typed: &str, movable: &[(i64, String)]) -> Result<i64, usize> {
    let typed = typed.trim();
    if let Ok(id) = typed.parse::<i64>() {
        return Ok(id);
    }
    if let Some((id, _)) = movable.iter().find(|(_, label)| label == typed) {
        return Ok(*id);
    }
    let key = ketnoi_domain::text::fold(typed);
    let matching: Vec<i64> = movable
        .iter()
        .filter(|(_, label)| ketnoi_domain::text::fold(label).contains(&key))
        .map(|(id, _)| *id)
        .collect();
    match matching.as_slice() {
        [one] if !key.is_empty() => Ok(*one),
        _ => Err(matching.len()),
    }
}

async fn schedule_page(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
    asked: &ScheduleQuery,
    error: Option<String>,
    sent: Option<&Form>,
) -> WebResult {
    let event = state.app.event(slug).await?;
    let grid = state.app.schedule(&ctx.caller, slug).await?;
    let key = ketnoi_domain::text::fold(&asked.org);
    let shown = |startup: &str, investor: &str| {
        key.is_empty()
            || ketnoi_domain::text::fold(startup).contains(&key)
            || ketnoi_domain::text::fold(investor).contains(&key)
    };
    let table_word = ctx.t("agenda.table");
    // Every meeting, for the move form's list: `An Khang Foods – Sen Ventures (23/11 09:40, bàn 3)`.
    let mut movable: Vec<(i64, String)> = Vec::new();
    let mut rows: Vec<(usize, ScheduleRow)> = Vec::new();
    let mut slot_titles = Vec::new();
    for (index, slot) in grid.slots.iter().enumerate() {
        let time = format!("{}–{}", i18n::time_of(&slot.start), i18n::time_of(&slot.end));
        let day = i18n::date_of(ctx.lang, &slot.start);
        slot_titles.push((format!("{day}, {time}"), slot.meetings.len(), slot.tables));
        for m in &slot.meetings {
            let table = m.table.unwrap_or_default();
            let label = format!("{} – {} ({day} {time}, {table_word} {table})", m.startup.name, m.investor.name);
            movable.push((m.id, label));
            if shown(&m.startup.name, &m.investor.name) {
                rows.push((
                    index,
                    ScheduleRow {
                        id: m.id,
                        when: format!("{day}, {time}"),
                        time: time.clone(),
                        table,
                        startup: m.startup.name.clone(),
                        investor: m.investor.name.clone(),
                        pinned: m.pinned,
                        published: m.published,
                        status_label: i18n::text(ctx.lang, &format!("status.{}", m.status.as_str())),
                        rematched: m.rematched,
                    },
                ));
            }
        }
    }
    let unplaced: Vec<Value> = grid
        .unplaced
        .iter()
        .map(|u| {
            movable.push((u.meeting, format!("{} – {}", u.startup.name, u.investor.name)));
            context! { id => u.meeting, startup => &u.startup.name, investor => &u.investor.name, reason => u.why.text(ctx.lang) }
        })
        .collect();
    let groups: Vec<ScheduleGroup> = if asked.by_table {
        let tables = grid.slots.iter().map(|s| u32::from(s.tables)).max().unwrap_or_default();
        let mut by_table: Vec<Vec<ScheduleRow>> = (0..tables).map(|_| Vec::new()).collect();
        for (_, row) in rows {
            if let Some(list) = by_table.get_mut(row.table.saturating_sub(1) as usize) {
                list.push(row);
            }
        }
        by_table
            .into_iter()
            .enumerate()
            .filter(|(_, rows)| key.is_empty() || !rows.is_empty())
            .map(|(i, rows)| ScheduleGroup {
                id: format!("table-{}", i + 1),
                title: format!("{table_word} {}", i + 1),
                count: i18n::fill(ctx.lang, "schedule.meetings_count", &[("n", rows.len().to_string())]),
                rows,
            })
            .collect()
    } else {
        let mut by_slot: Vec<Vec<ScheduleRow>> = grid.slots.iter().map(|_| Vec::new()).collect();
        for (index, row) in rows {
            by_slot[index].push(row);
        }
        by_slot
            .into_iter()
            .zip(&grid.slots)
            .zip(slot_titles)
            .filter(|((rows, _), _)| key.is_empty() || !rows.is_empty())
            .map(|((rows, slot), (title, placed, tables))| ScheduleGroup {
                id: format!("slot-{}", slot.code),
                title,
                count: i18n::fill(
                    ctx.lang,
                    "schedule.tables_used",
                    &[("used", placed.to_string()), ("tables", tables.to_string())],
                ),
                rows,
            })
            .collect()
    };
    // The meeting being moved: asked for, or named by a refused form (kept as it was typed).
    let typed = sent.map(|form| form.get("meeting").to_owned());
    let chosen = asked.chosen.or_else(|| typed.as_deref().and_then(|t| find_meeting(t, &movable).ok()));
    let chosen_label = chosen.and_then(|id| movable.iter().find(|(m, _)| *m == id)).map(|(_, label)| label.clone());
    let places = match chosen {
        Some(id) => state.app.free_places(&ctx.caller, slug, id, 6).await.unwrap_or_default(),
        None => Vec::new(),
    };
    let places: Vec<Value> = places
        .iter()
        .map(|p| {
            let label =
                format!("{} {}, {table_word} {}", i18n::date_of(ctx.lang, &p.start), i18n::time_of(&p.start), p.table);
            context! { slot => &p.slot, table => p.table, label => label }
        })
        .collect();
    let slot_choices: Vec<Value> = grid
        .slots
        .iter()
        .map(|slot| {
            let label = format!("{} {}", i18n::date_of(ctx.lang, &slot.start), i18n::time_of(&slot.start));
            context! { code => &slot.code, label => label }
        })
        .collect();
    let form = context! {
        meeting => typed.or(chosen_label.clone()).unwrap_or_default(),
        slot => sent.map(|f| f.get("slot").to_owned()).unwrap_or_default(),
        table => sent.map(|f| f.get("table").to_owned()).unwrap_or_else(|| "1".to_owned()),
        pinned => sent.is_none_or(|f| f.get("pinned") == "true"),
    };
    let summary = i18n::fill(
        ctx.lang,
        "schedule.summary",
        &[
            ("placed", grid.placed.to_string()),
            ("meetings", grid.meetings.to_string()),
            ("bound", grid.upper_bound.to_string()),
        ],
    );
    // The schedule as it stands against the bound, in words.
    let summary = match grid.upper_bound.saturating_sub(grid.placed) {
        _ if grid.meetings == 0 => summary,
        0 => format!("{summary} {}", ctx.t("schedule.optimal")),
        gap => format!("{summary} {}", i18n::fill(ctx.lang, "schedule.gap", &[("gap", gap.to_string())])),
    };
    let page = context! {
        event => EventInfo::of(&event, ctx.lang), groups => groups, by_table => asked.by_table, org => &asked.org,
        org_param => if asked.org.is_empty() { String::new() } else { format!("&org={}", super::encode(&asked.org)) },
        unplaced => unplaced, summary => summary, slots => slot_choices, has_slots => !grid.slots.is_empty(),
        movable => movable.iter().map(|(_, label)| label.as_str()).collect::<Vec<_>>(),
        chosen => chosen_label, places => places, form => form, error => error,
    };
    ctx.render(state, "schedule.html", page).await
}

fn schedule_path(slug: &str) -> String {
    format!("/e/{slug}/organise/schedule")
}

/// A refusal shown on the schedule page; anything else is an error page.
async fn on_schedule(state: &AppState, ctx: &Ctx, slug: &str, result: Result<&'static str, AppError>) -> WebResult {
    match result {
        Ok(done) => Ok(ctx.done(&schedule_path(slug), done)),
        Err(error) if refusal(&error) => {
            let asked = ScheduleQuery::default();
            refused(schedule_page(state, ctx, slug, &asked, Some(one_line(ctx, &error)), None).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `POST /e/{slug}/organise/schedule`: runs the scheduler (a preview until published).
pub async fn run(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let ctx = ctx.showing(&schedule_path(&slug));
    organised(&state, &ctx, &slug, &schedule_path(&slug)).await?;
    if form.get("full_replan") == "true" {
        let question = ctx.t("confirm.full_replan").to_owned();
        let action = format!("/e/{slug}/organise/schedule");
        if let Some(page) =
            ctx.confirm_first(&state, &form, &action, question, "confirm.full_replan_yes", &schedule_path(&slug)).await
        {
            return page;
        }
    }
    let body = RunBody {
        full_replan: form.get("full_replan") == "true",
        layout: if form.get("layout") == "spread" { Layout::Spread } else { Layout::Compact },
        time_limit_seconds: None,
    };
    let result = state.app.run_scheduler(&ctx.caller, &slug, &body).await.map(|_| "scheduled");
    on_schedule(&state, &ctx, &slug, result).await
}

/// `POST /e/{slug}/organise/publish`: participants see their meetings.
pub async fn publish(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let ctx = ctx.showing(&schedule_path(&slug));
    organised(&state, &ctx, &slug, &schedule_path(&slug)).await?;
    let placed = state.app.placements(&ctx.caller, &slug).await?.iter().map(|s| s.meetings.len()).sum::<usize>();
    let question = i18n::fill(ctx.lang, "confirm.publish", &[("placed", placed.to_string())]);
    let action = format!("/e/{slug}/organise/publish");
    if let Some(page) =
        ctx.confirm_first(&state, &form, &action, question, "confirm.publish_yes", &schedule_path(&slug)).await
    {
        return page;
    }
    let result = state.app.publish(&ctx.caller, &slug).await.map(|_| "published");
    on_schedule(&state, &ctx, &slug, result).await
}

/// `POST /e/{slug}/organise/move`: a meeting to a slot and table by hand, pinned if asked.
pub async fn move_meeting(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>, form: Form) -> WebResult {
    let ctx = ctx.showing(&schedule_path(&slug));
    organised(&state, &ctx, &slug, &schedule_path(&slug)).await?;
    let asked = ScheduleQuery::default();
    // A refused move comes back with the form as it was sent: the meeting stays chosen.
    let refuse =
        async |message: String| refused(schedule_page(&state, &ctx, &slug, &asked, Some(message), Some(&form)).await);
    let Ok(table) = form.get("table").trim().parse::<u32>() else {
        let message = i18n::fill(ctx.lang, "form.whole_number", &[("value", form.get("table").to_owned())]);
        return refuse(format!("{}: {message}", ctx.t("agenda.table"))).await;
    };
    let grid = state.app.schedule(&ctx.caller, &slug).await?;
    let movable: Vec<(i64, String)> = grid
        .slots
        .iter()
        .flat_map(|slot| &slot.meetings)
        .map(|m| (m.id, format!("{} – {}", m.startup.name, m.investor.name)))
        .chain(grid.unplaced.iter().map(|u| (u.meeting, format!("{} – {}", u.startup.name, u.investor.name))))
        .collect();
    let typed = form.get("meeting");
    // The list's label names the place too; the names before it find the meeting.
    let names = typed.rsplit_once(" (").map_or(typed, |(names, _)| names);
    let meeting = match find_meeting(names, &movable) {
        Ok(id) => id,
        Err(count) => {
            let key = if count == 0 { "schedule.no_such_meeting" } else { "schedule.many_meetings" };
            return refuse(i18n::fill(ctx.lang, key, &[("typed", typed.to_owned()), ("n", count.to_string())])).await;
        }
    };
    let body = MoveBody { slot: form.get("slot").to_owned(), table, pinned: Some(form.get("pinned") == "true") };
    match state.app.move_meeting(&ctx.caller, &slug, meeting, &body).await {
        Ok(_) => Ok(ctx.done(&schedule_path(&slug), "moved")),
        Err(error) if refusal(&error) => refuse(one_line(&ctx, &error)).await,
        Err(error) => Err(error.into()),
    }
}

/// One bar of a chart drawn on the server, in the SVG's own units (a viewBox 0 0 100 × height).
#[derive(Debug, Serialize)]
struct Bar {
    label: String,
    value: u64,
    /// Where the bar starts and how long it is, along the chart's axis, from 0 to 100.
    start: f64,
    length: f64,
    /// A class of the style sheet's palette: `held`, `no-show`, …
    class: &'static str,
}

/// `GET /e/{slug}/organise/board`: the slot in progress and the day so far, live: meetings by
/// status, tables in use, no-shows by hour, the tables slowest to check in, as figures and
/// charts drawn on the server (SVG).
pub async fn board(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let board = state.app.board(&ctx.caller, &slug, jiff::Timestamp::now()).await?;
    let label = |status: &str| i18n::text(ctx.lang, &format!("status.{status}")).to_owned();
    // The day's meetings by status, one stacked bar.
    let parts = [
        ("held", board.day.held),
        ("checked-in", board.day.checked_in),
        ("no-show", board.day.no_show),
        ("scheduled", board.day.scheduled),
    ];
    let planned = board.day.planned().max(1) as f64;
    let mut start = 0.0;
    let day_bar: Vec<Bar> = parts
        .iter()
        .map(|(status, value)| {
            let length = *value as f64 * 100.0 / planned;
            let bar = Bar { label: label(status), value: *value, start, length, class: status };
            start += length;
            bar
        })
        .collect();
    let most = board.no_shows_by_hour.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let count = board.no_shows_by_hour.len().max(1) as f64;
    let hours: Vec<Bar> = board
        .no_shows_by_hour
        .iter()
        .enumerate()
        .map(|(i, (hour, value))| Bar {
            label: format!("{hour}:00"),
            value: *value,
            start: i as f64 * 100.0 / count,
            length: *value as f64 * 100.0 / most,
            class: "no-show",
        })
        .collect();
    let slot = board.slot.as_ref().map(|(start, end)| {
        format!("{}, {}–{}", i18n::date_of(ctx.lang, start), i18n::time_of(start), i18n::time_of(end))
    });
    let page = context! {
        event => EventInfo::of(&event, ctx.lang), board => &board, slot => slot, day_bar => day_bar, hours => hours,
        hour_width => 100.0 / count, planned_today => board.day.planned(),
    };
    ctx.render(&state, "board.html", page).await
}

/// The slot in progress or next to come; the first when the event is over.
fn current_slot(slots: &[GridSlot]) -> Option<&GridSlot> {
    let now = jiff::Timestamp::now();
    let ended = |slot: &GridSlot| slot.end.parse::<jiff::Timestamp>().is_ok_and(|end| end <= now);
    slots.iter().find(|slot| !ended(slot)).or_else(|| slots.first())
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
    let slots = state.app.placements(&ctx.caller, event.slug.as_str()).await?;
    let slot = asked.and_then(|code| slots.iter().find(|s| s.code == code)).or_else(|| current_slot(&slots));
    let items: Vec<Value> = slot
        .map(|slot| slot.meetings.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|m| {
            context! {
                id => m.id, table => m.table.unwrap_or_default(), startup => &m.startup.name, investor => &m.investor.name,
                status => m.status.as_str(), status_label => i18n::text(ctx.lang, &format!("status.{}", m.status.as_str())),
            }
        })
        .collect();
    let choices: Vec<Value> =
        slots.iter().map(|s| context! { code => &s.code, label => i18n::moment_of(ctx.lang, &s.start) }).collect();
    let page = context! {
        event => EventInfo::of(event, ctx.lang), slots => choices, slot => slot.map(|s| s.code.clone()), meetings => items,
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
    let body = StatusBody { status: form.get("status").to_owned() };
    match state.app.set_meeting_status(&ctx.caller, &slug, meeting_id(form.get("meeting"))?, &body).await {
        Ok(meeting) => Ok(ctx.done(&format!("{back}#meeting-{}", meeting.id), "checked")),
        Err(error) if refusal(&error) => {
            let asked = query(raw.as_deref()).remove("slot");
            refused(checkin_page(&state, &ctx, &event, asked.as_deref(), Some(one_line(&ctx, &error))).await)
        }
        Err(error) => Err(error.into()),
    }
}

/// `GET /e/{slug}/organise/tables`: one printable sheet per table, its meetings by time.
pub async fn table_sheets(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let mut sheets: BTreeMap<u32, Vec<Value>> = BTreeMap::new();
    for slot in state.app.placements(&ctx.caller, &slug).await? {
        for m in &slot.meetings {
            let Some(table) = m.table else { continue };
            let row = context! {
                when => i18n::moment_of(ctx.lang, &slot.start),
                startup => &m.startup.name, investor => &m.investor.name,
            };
            sheets.entry(table).or_default().push(row);
        }
    }
    let sheets: Vec<Value> =
        sheets.into_iter().map(|(table, meetings)| context! { table => table, meetings => meetings }).collect();
    ctx.render(&state, "tables_print.html", context! { event => EventInfo::of(&event, ctx.lang), sheets => sheets })
        .await
}

/// `GET /e/{slug}/organise/export/{file}`: participants, requests, meetings or tables as CSV.
pub async fn export(State(state): State<AppState>, ctx: Ctx, Path((slug, file)): Path<(String, String)>) -> WebResult {
    ctx.require_sign_in(&ctx.here)?;
    let export = CsvExport::parse(&file).ok_or_else(WebError::not_found)?;
    Ok(crate::meetings::download(state.app.export(&ctx.caller, &slug, export).await?))
}

/// `GET /import-template/{file}`: the template of an import file, `startups.csv` or
/// `investors.csv`: its columns and one example row.
pub async fn import_template(Path(file): Path<String>) -> WebResult {
    let template = ketnoi_app::exports::import_template(&file).ok_or_else(WebError::not_found)??;
    Ok(crate::meetings::download(template))
}

/// `GET /e/{slug}/organise/mail?status=`: the event's messages, queued, sent and failed with the
/// reason, newest first.
pub async fn mail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    RawQuery(raw): RawQuery,
) -> WebResult {
    let event = organised(&state, &ctx, &slug, &ctx.here).await?;
    let status = query(raw.as_deref()).remove("status").filter(|s| ["queued", "sent", "failed"].contains(&s.as_str()));
    let mail = state.app.event_mail(&ctx.caller, event.slug.as_str(), status.as_deref()).await?;
    let page = context! { event => EventInfo::of(&event, ctx.lang), mail => mail, status => status };
    ctx.render(&state, "organise_mail.html", page).await
}

/// `POST /e/{slug}/organise/mail/{id}/retry`: a failed message is queued again.
pub async fn retry_mail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, id)): Path<(String, String)>,
) -> WebResult {
    let back = format!("/e/{slug}/organise/mail");
    organised(&state, &ctx, &slug, &back).await?;
    let id = id.trim().parse().map_err(|_| WebError::App(AppError::NotFound(Resource::Message)))?;
    state.app.retry_mail(&ctx.caller, &slug, id).await?;
    Ok(ctx.done(&back, "retried"))
}
