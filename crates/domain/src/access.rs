//! Who may do what: every authorization rule of ketnoi, in one function a reader can audit.
//!
//! The server works out who is asking (an [`Actor`]) and what they ask for (an [`Action`], with
//! the facts the rule needs), then calls [`authorize`] before touching anything. A refusal to a
//! signed-in actor is [`Denied::NotFound`]: an object one may not act on answers exactly like
//! one that does not exist, so ids cannot be probed. An anonymous actor is told to sign in.

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    Anonymous,
    /// A member of an organization (a startup or an investor).
    Member {
        user: i64,
        organization: i64,
    },
    /// An organiser of an event.
    Organiser {
        user: i64,
        event: i64,
    },
    /// The instance's administrator: creates events and names their organisers, and sees
    /// nothing of the participants beyond what anyone sees.
    Admin {
        user: i64,
    },
}

impl Actor {
    pub fn user(&self) -> Option<i64> {
        match *self {
            Actor::Anonymous => None,
            Actor::Member { user, .. } | Actor::Organiser { user, .. } | Actor::Admin { user } => Some(user),
        }
    }
}

/// An organization and the events it takes part in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgScope {
    pub id: i64,
    pub events: Vec<i64>,
}

/// What the actor asks to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Search organizations, read public profile fields and event pages.
    ReadPublic,
    /// Read an organization's contacts and the figures its profile marks private.
    ReadPrivate(OrgScope),
    /// Edit an organization's profile and invite its members.
    EditOrganization(OrgScope),
    /// Delete an organization with everything it holds.
    DeleteOrganization(OrgScope),
    /// Read the counterparts recommended to an organization, scored on its private figures.
    ReadRecommendations(OrgScope),
    /// Import participants, set sessions, quotas and expiry, schedule, move and pin meetings,
    /// publish, check meetings in, print table sheets.
    ManageEvent { event: i64 },
    /// Ask another organization for a meeting, as organization `from`.
    SendRequest { from: i64 },
    /// Accept or decline a request addressed to `recipient`.
    AnswerRequest { recipient: i64 },
    /// Withdraw a request sent by `requester`.
    CancelRequest { requester: i64 },
    /// Read an organization's requests, meetings and agenda, and its availability.
    ReadMeetings(OrgScope),
    /// Mark the slots an organization cannot attend.
    SetAvailability(OrgScope),
    /// Say what came of a meeting, for one of its two sides.
    RecordOutcome { startup: i64, investor: i64 },
    /// Act on one's own account: read it, change the password, manage API tokens, download
    /// one's data, delete the account.
    ManageOwnAccount,
    /// Create an event, and list the instance's events with their organisers.
    CreateEvent,
    /// Name an organiser of an event (an account mailed a link to choose its password), and
    /// see who its organisers are.
    NameOrganisers { event: i64 },
}

/// Why an action is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Denied {
    /// Nobody is signed in: sign in and try again (401).
    Unauthenticated,
    /// Signed in, but the object is not theirs to act on: answered as if it did not exist (404).
    NotFound,
}

/// The rules. A member acts for its own organization only; an organiser acts for the
/// organizations taking part in its event, and deletes one only when that is the only event
/// it takes part in, so that an organiser cannot remove another event's participant. The
/// administrator creates events and names their organisers, and nothing else: it neither
/// manages an event nor reads a participant's private data, requests or meetings.
pub fn authorize(actor: &Actor, action: &Action) -> Result<(), Denied> {
    let allowed = match (*actor, action) {
        (_, Action::ReadPublic) => true,
        (Actor::Anonymous, _) => return Err(Denied::Unauthenticated),
        (_, Action::ManageOwnAccount) => true,
        (Actor::Admin { .. }, Action::CreateEvent | Action::NameOrganisers { .. }) => true,
        (Actor::Member { .. } | Actor::Organiser { .. }, Action::CreateEvent | Action::NameOrganisers { .. }) => false,
        (
            Actor::Admin { .. },
            Action::ReadPrivate(_)
            | Action::EditOrganization(_)
            | Action::DeleteOrganization(_)
            | Action::ReadRecommendations(_)
            | Action::ManageEvent { .. }
            | Action::SendRequest { .. }
            | Action::AnswerRequest { .. }
            | Action::CancelRequest { .. }
            | Action::ReadMeetings(_)
            | Action::SetAvailability(_)
            | Action::RecordOutcome { .. },
        ) => false,
        (Actor::Member { organization, .. }, Action::ReadPrivate(org))
        | (Actor::Member { organization, .. }, Action::EditOrganization(org))
        | (Actor::Member { organization, .. }, Action::DeleteOrganization(org))
        | (Actor::Member { organization, .. }, Action::ReadRecommendations(org)) => organization == org.id,
        (Actor::Organiser { event, .. }, Action::ReadPrivate(org))
        | (Actor::Organiser { event, .. }, Action::EditOrganization(org))
        | (Actor::Organiser { event, .. }, Action::ReadRecommendations(org)) => org.events.contains(&event),
        (Actor::Organiser { event, .. }, Action::DeleteOrganization(org)) => {
            !org.events.is_empty() && org.events.iter().all(|e| *e == event)
        }
        (Actor::Organiser { event, .. }, Action::ManageEvent { event: target }) => event == *target,
        (Actor::Member { .. }, Action::ManageEvent { .. }) => false,
        // Requests are the participants' own business: organisers neither send nor answer them.
        (Actor::Member { organization, .. }, Action::SendRequest { from }) => organization == *from,
        (Actor::Member { organization, .. }, Action::AnswerRequest { recipient }) => organization == *recipient,
        (Actor::Member { organization, .. }, Action::CancelRequest { requester }) => organization == *requester,
        (
            Actor::Organiser { .. },
            Action::SendRequest { .. } | Action::AnswerRequest { .. } | Action::CancelRequest { .. },
        ) => false,
        (Actor::Member { organization, .. }, Action::ReadMeetings(org) | Action::SetAvailability(org)) => {
            organization == org.id
        }
        (Actor::Organiser { event, .. }, Action::ReadMeetings(org) | Action::SetAvailability(org)) => {
            org.events.contains(&event)
        }
        (Actor::Member { organization, .. }, Action::RecordOutcome { startup, investor }) => {
            organization == *startup || organization == *investor
        }
        (Actor::Organiser { .. }, Action::RecordOutcome { .. }) => false,
    };
    if allowed { Ok(()) } else { Err(Denied::NotFound) }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STARTUP: Actor = Actor::Member { user: 1, organization: 10 };
    const OTHER_MEMBER: Actor = Actor::Member { user: 2, organization: 20 };
    const ORGANISER: Actor = Actor::Organiser { user: 3, event: 100 };
    const ELSEWHERE: Actor = Actor::Organiser { user: 4, event: 200 };
    const ADMIN: Actor = Actor::Admin { user: 5 };

    fn org(events: &[i64]) -> OrgScope {
        OrgScope { id: 10, events: events.to_vec() }
    }

    #[test]
    fn anyone_reads_public_and_nobody_anonymous_does_more() {
        for actor in [Actor::Anonymous, STARTUP, OTHER_MEMBER, ORGANISER, ELSEWHERE, ADMIN] {
            assert_eq!(authorize(&actor, &Action::ReadPublic), Ok(()));
        }
        let both = [100];
        for action in [
            Action::ReadPrivate(org(&both)),
            Action::EditOrganization(org(&both)),
            Action::DeleteOrganization(org(&both)),
            Action::ReadRecommendations(org(&both)),
            Action::ManageEvent { event: 100 },
            Action::ManageOwnAccount,
            Action::CreateEvent,
            Action::NameOrganisers { event: 100 },
        ] {
            assert_eq!(authorize(&Actor::Anonymous, &action), Err(Denied::Unauthenticated), "{action:?}");
        }
    }

    #[test]
    fn members_act_for_their_own_organization_only() {
        let events = [100];
        for action in [
            Action::ReadPrivate(org(&events)),
            Action::EditOrganization(org(&events)),
            Action::DeleteOrganization(org(&events)),
            Action::ReadRecommendations(org(&events)),
        ] {
            assert_eq!(authorize(&STARTUP, &action), Ok(()), "{action:?}");
            assert_eq!(authorize(&OTHER_MEMBER, &action), Err(Denied::NotFound), "{action:?}");
        }
        assert_eq!(authorize(&STARTUP, &Action::ManageEvent { event: 100 }), Err(Denied::NotFound));
    }

    #[test]
    fn organisers_act_for_their_event_and_its_participants() {
        let events = [100];
        assert_eq!(authorize(&ORGANISER, &Action::ManageEvent { event: 100 }), Ok(()));
        assert_eq!(authorize(&ELSEWHERE, &Action::ManageEvent { event: 100 }), Err(Denied::NotFound));
        for action in [Action::ReadPrivate(org(&events)), Action::EditOrganization(org(&events))] {
            assert_eq!(authorize(&ORGANISER, &action), Ok(()));
            assert_eq!(authorize(&ELSEWHERE, &action), Err(Denied::NotFound));
        }
    }

    #[test]
    fn only_the_recipient_answers_and_only_the_requester_cancels() {
        assert_eq!(authorize(&STARTUP, &Action::AnswerRequest { recipient: 10 }), Ok(()));
        assert_eq!(authorize(&STARTUP, &Action::AnswerRequest { recipient: 20 }), Err(Denied::NotFound));
        assert_eq!(authorize(&OTHER_MEMBER, &Action::CancelRequest { requester: 10 }), Err(Denied::NotFound));
        assert_eq!(authorize(&ORGANISER, &Action::AnswerRequest { recipient: 10 }), Err(Denied::NotFound));
        assert_eq!(authorize(&STARTUP, &Action::RecordOutcome { startup: 10, investor: 20 }), Ok(()));
        assert_eq!(authorize(&ELSEWHERE, &Action::RecordOutcome { startup: 10, investor: 20 }), Err(Denied::NotFound));
    }

    #[test]
    fn an_organiser_deletes_only_an_organization_no_other_event_has() {
        assert_eq!(authorize(&ORGANISER, &Action::DeleteOrganization(org(&[100]))), Ok(()));
        assert_eq!(authorize(&ORGANISER, &Action::DeleteOrganization(org(&[100, 200]))), Err(Denied::NotFound));
        assert_eq!(authorize(&ORGANISER, &Action::DeleteOrganization(org(&[]))), Err(Denied::NotFound));
        assert_eq!(authorize(&STARTUP, &Action::DeleteOrganization(org(&[100, 200]))), Ok(()));
    }

    #[test]
    fn only_the_administrator_creates_events_and_names_organisers() {
        for action in
            [Action::CreateEvent, Action::NameOrganisers { event: 100 }, Action::NameOrganisers { event: 200 }]
        {
            assert_eq!(authorize(&ADMIN, &action), Ok(()), "{action:?}");
            for actor in [STARTUP, OTHER_MEMBER, ORGANISER, ELSEWHERE] {
                assert_eq!(authorize(&actor, &action), Err(Denied::NotFound), "{actor:?} {action:?}");
            }
        }
        assert_eq!(authorize(&ADMIN, &Action::ManageOwnAccount), Ok(()));
    }

    #[test]
    fn the_administrator_sees_nothing_of_the_participants_beyond_the_public() {
        let events = [100];
        for action in [
            Action::ReadPrivate(org(&events)),
            Action::EditOrganization(org(&events)),
            Action::DeleteOrganization(org(&events)),
            Action::ReadRecommendations(org(&events)),
            Action::ManageEvent { event: 100 },
            Action::SendRequest { from: 10 },
            Action::AnswerRequest { recipient: 10 },
            Action::CancelRequest { requester: 10 },
            Action::ReadMeetings(org(&events)),
            Action::SetAvailability(org(&events)),
            Action::RecordOutcome { startup: 10, investor: 20 },
        ] {
            assert_eq!(authorize(&ADMIN, &action), Err(Denied::NotFound), "{action:?}");
        }
    }
}
