//! `/e/{slug}/report`: the event's report, for anyone: the figures under headings, each chart
//! an inline SVG drawn here (no chart library, nothing loaded from elsewhere) with the same
//! figures in a table beside it, printable on A4.

use axum::extract::{Path, State};
use ketnoi_app::report::Report;
use ketnoi_domain::taxonomy::{Language, Sector};
use minijinja::context;
use serde::Serialize;

use super::views::{EventInfo, country_name};
use super::{Ctx, WebResult, i18n};
use crate::AppState;

/// The width of a chart in SVG units; its bars leave room for their value on the right.
const WIDTH: f64 = 360.0;
const BAR_MAX: f64 = 300.0;
/// The height of one bar with its label above it.
const ROW: u32 = 36;

/// One bar: its label above it, its length in SVG units, its top.
#[derive(Debug, Serialize)]
struct Bar {
    label: String,
    value: u64,
    width: f64,
    y: u32,
}

/// A horizontal bar chart, its title read out by screen readers (and its table beside it).
#[derive(Debug, Serialize)]
struct Chart {
    id: &'static str,
    title: String,
    /// The header of the table's first column.
    heading: String,
    width: f64,
    height: u32,
    bars: Vec<Bar>,
}

fn chart(id: &'static str, title: String, heading: String, rows: Vec<(String, u64)>) -> Chart {
    let max = rows.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as f64;
    let bars: Vec<Bar> = rows
        .into_iter()
        .zip(0u32..)
        .map(|((label, value), index)| {
            let width = if value == 0 { 0.0 } else { (value as f64 / max * BAR_MAX).max(2.0) };
            Bar { label, value, width: (width * 10.0).round() / 10.0, y: index * ROW }
        })
        .collect();
    let height = (bars.len() as u32 * ROW).max(ROW) + 4;
    Chart { id, title, heading, width: WIDTH, height, bars }
}

fn sector_label(lang: Language, code: &str) -> String {
    Sector::parse(code).map_or_else(|_| code.to_owned(), |sector| sector.label(lang).to_owned())
}

fn charts(ctx: &Ctx, report: &Report) -> Vec<Chart> {
    let t = |key: &str| ctx.t(key).to_owned();
    let p = &report.participants;
    let countries = p
        .by_country
        .iter()
        .map(|c| {
            let name = if c.code.is_empty() { t("report.no_country") } else { country_name(ctx.lang, &c.code) };
            (name, c.count)
        })
        .collect();
    let sectors = p.by_sector.iter().map(|c| (sector_label(ctx.lang, &c.code), c.count)).collect();
    let (r, m) = (&report.requests, &report.meetings);
    let funnel = vec![
        (t("report.funnel.sent"), r.sent),
        (t("report.funnel.accepted"), r.accepted),
        (t("report.funnel.placed"), m.placed),
        (t("report.funnel.met"), report.connections.total),
    ];
    let statuses = vec![
        (t("status.scheduled"), m.scheduled),
        (t("status.checked-in"), m.checked_in),
        (t("status.held"), m.held),
        (t("status.no-show"), m.no_show),
        (t("status.cancelled"), m.cancelled),
    ];
    vec![
        chart("chart-country", t("report.chart.country"), t("report.country"), countries),
        chart("chart-sector", t("report.chart.sector"), t("report.sector"), sectors),
        chart("chart-funnel", t("report.chart.funnel"), t("report.step"), funnel),
        chart("chart-status", t("report.chart.status"), t("report.status"), statuses),
    ]
}

/// `GET /e/{slug}/report`: the event's report, counts only, for anyone.
pub async fn page(State(state): State<AppState>, ctx: Ctx, Path(slug): Path<String>) -> WebResult {
    report_page(&state, &ctx, &slug, None).await
}

async fn report_page(state: &AppState, ctx: &Ctx, slug: &str, error: Option<String>) -> WebResult {
    let event = state.app.event(slug).await?;
    let report = state.app.report(&ctx.caller, slug).await?;
    let charts = charts(ctx, &report);
    let rate = format!("{:.0}%", report.requests.acceptance_rate * 100.0);
    let final_figures = matches!(report.status, "published" | "closed");
    let connections = i18n::fill(
        ctx.lang,
        "report.connections_sentence",
        &[("n", report.connections.total.to_string()), ("vn_kr", report.connections.vietnam_korea.to_string())],
    );
    // Its organisers open the follow-up round from here, once the event is over.
    let follow_up = ctx.caller.is_organiser().then(|| match event.follow_up_opened_at {
        Some(at) => i18n::fill(
            ctx.lang,
            "report.follow_up_opened",
            &[("date", i18n::date_of(ctx.lang, &ketnoi_app::local(at, &ketnoi_app::zone(&event))))],
        ),
        None => String::new(),
    });
    let page = context! {
        event => EventInfo::of(&event, ctx.lang), report => report, charts => charts, rate => rate,
        final_figures => final_figures, connections => connections, follow_up => follow_up, error => error,
    };
    ctx.render(state, "report.html", page).await
}

/// `POST /e/{slug}/report/follow-up`: the organisers open the follow-up round, after a
/// confirmation; each pair that met is asked for its outcome.
pub async fn open_follow_up(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    form: super::Form,
) -> WebResult {
    let back = format!("/e/{slug}/report");
    let ctx = ctx.showing(&back);
    let question = ctx.t("report.follow_up_confirm").to_owned();
    let path = format!("/e/{slug}/report/follow-up");
    if let Some(page) = ctx.confirm_first(&state, &form, &path, question, "report.follow_up_open", &back).await {
        return page;
    }
    match state.app.open_follow_up(&ctx.caller, &slug).await {
        Ok(_) => Ok(ctx.done(&back, "follow_up_opened")),
        Err(error) if super::refusal(&error) => {
            let message = ctx.problem(&error);
            super::refused(report_page(&state, &ctx, &slug, Some(message)).await)
        }
        Err(error) => Err(error.into()),
    }
}
