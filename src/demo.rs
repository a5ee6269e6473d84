//! `ketnoi demo`: the Techfest Hải Phòng 2023 demo event, loaded through the same import path
//! as real events, with one login per role.

use ketnoi_app::App;
use ketnoi_domain::event::{EventSlug, techfest_sessions};
use ketnoi_domain::money::Rates;
use ketnoi_domain::profile::OrgKind;
use ketnoi_domain::rules::{Priority, RequestEvent};
use ketnoi_domain::validate::Email;
use ketnoi_store::{Event, ImportProgress, ImportSummary, NewEvent, NewUser, OrganizationQuery, Role, Store};

use crate::CommandError;
use crate::import::{ImportSources, run};

pub const DEMO_SLUG: &str = "techfest-haiphong-2023";
/// The demo logins' shared password; printed at start, never used outside the demo.
pub const DEMO_PASSWORD: &str = "ketnoi-demo-2023";

/// A demo login: what it is for, its e-mail and password.
#[derive(Debug, Clone)]
pub struct DemoLogin {
    pub role: String,
    pub email: String,
    pub password: &'static str,
}

/// The demo event's description.
pub fn demo_event() -> Result<NewEvent, CommandError> {
    Ok(NewEvent {
        slug: EventSlug::parse(DEMO_SLUG).map_err(|issue| CommandError::Usage(issue.to_string()))?,
        name: "Techfest Hải Phòng 2023".to_owned(),
        venue: "Trung tâm Hội nghị thành phố Hải Phòng".to_owned(),
        time_zone: "Asia/Ho_Chi_Minh".to_owned(),
        rates: Rates::vietnam_default(),
        sessions: techfest_sessions(),
    })
}

/// Loads (or refreshes) the demo event and its logins; running it twice changes nothing. The
/// participants come in through the import's use case; the seeded requests and logins are the
/// operator's, written straight to the store.
pub async fn load(
    store: &Store,
    progress: &dyn ImportProgress,
) -> Result<(Event, ImportSummary, Vec<DemoLogin>), CommandError> {
    let app = App::new(store.clone(), ketnoi_app::Settings::default());
    let csv = ketnoi_domain::demo::techfest_haiphong_2023();
    let sources = ImportSources {
        startups: Some(("demo startups".to_owned(), csv.startups.into_bytes())),
        investors: Some(("demo investors".to_owned(), csv.investors.into_bytes())),
    };
    let new_event = demo_event()?;
    let summary = run(&app, &new_event, &sources, progress).await?;
    let event = store.event(&new_event.slug).await?;

    let first = |kind| OrganizationQuery { event_id: Some(event.id), kind: Some(kind), limit: 1, ..Default::default() };
    let startup = store.organizations(&first(OrgKind::Startup)).await?.items.into_iter().next();
    let investor = store.organizations(&first(OrgKind::Investor)).await?.items.into_iter().next();
    // Each login is a person, named as people are on the pages; its role is what the demo prints.
    let mut logins = vec![(
        "organiser of Techfest Hải Phòng 2023".to_owned(),
        "Nguyễn Thu Hà",
        "organiser@techfest.ketnoi.demo",
        Role::Organiser,
        None,
        Some(event.id),
    )];
    if let Some(startup) = &startup {
        logins.push((
            format!("member of startup {}", startup.profile.name),
            "Trần Minh Quân",
            "startup@techfest.ketnoi.demo",
            Role::Member,
            Some(startup.id),
            None,
        ));
    }
    if let Some(investor) = &investor {
        logins.push((
            format!("member of investor {}", investor.profile.name),
            "Lê Hoàng Anh",
            "investor@techfest.ketnoi.demo",
            Role::Member,
            Some(investor.id),
            None,
        ));
    }
    let requests = seed_requests(store, &event).await?;
    if requests > 0 {
        tracing::info!(requests, "demo meeting requests created");
    }
    let mut shown = Vec::new();
    for (role, name, email, kind, organization_id, event_id) in logins {
        let email = Email::parse(email).map_err(|issue| CommandError::Usage(issue.to_string()))?;
        store
            .upsert_user(&NewUser {
                email: email.clone(),
                display_name: name.to_owned(),
                password: DEMO_PASSWORD.to_owned(),
                role: kind,
                organization_id,
                event_id,
                email_consent: true,
            })
            .await?;
        shown.push(DemoLogin { role, email: email.to_string(), password: DEMO_PASSWORD });
    }
    Ok((event, summary, shown))
}

/// How many investors each demo startup asks for a meeting: its best matches.
const REQUESTS_PER_STARTUP: usize = 2;

/// The demo's meeting requests, on first load only: each startup asks its best-matching
/// investors; two in three are accepted, the rest stay pending, so that the inboxes, the
/// scheduler and the agendas have something to show. Returns how many were created.
async fn seed_requests(store: &Store, event: &Event) -> Result<usize, CommandError> {
    use ketnoi_domain::matching::{Candidate, recommend};
    let participants = store.event_participants(event.id).await?;
    if store.figures(event.id).await?.requests > 0 {
        return Ok(0);
    }
    let investors: Vec<Candidate> = participants
        .iter()
        .filter(|o| o.profile.kind() == OrgKind::Investor)
        .map(|o| Candidate::new(o.id, &o.profile, &event.rates))
        .collect();
    let mut created = 0;
    for startup in participants.iter().filter(|o| o.profile.kind() == OrgKind::Startup) {
        let me = Candidate::new(startup.id, &startup.profile, &event.rates);
        let best = recommend(&me, &investors, &Default::default(), REQUESTS_PER_STARTUP, &event.weights);
        for (rank, (investor, _)) in best.into_iter().enumerate() {
            // The best match is the one a startup most wants.
            let priority = if rank == 0 { Priority::new(2) } else { Ok(Priority::LOWEST) };
            let priority = priority.map_err(|issue| CommandError::Usage(issue.to_string()))?;
            let request = store
                .create_request(event, startup.id, investor, "Xin được gặp quý quỹ tại Techfest.", priority)
                .await?;
            created += 1;
            if !(startup.id as usize + rank).is_multiple_of(3) {
                store.change_request(event, request.id, RequestEvent::Accept, "Hẹn gặp tại bàn.").await?;
            }
        }
    }
    Ok(created)
}
