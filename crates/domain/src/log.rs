//! What happened: the domain events ketnoi records in its event log, in the same transaction
//! as the change they describe. Consumers (the search index; mail and live updates to come)
//! read the log from their own position, so that nothing they must act on is lost.

use serde::{Deserialize, Serialize};

use crate::rules::MeetingStatus;

/// Where a meeting sits: a slot (by id) and a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Place {
    pub slot: i64,
    pub table: u32,
}

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Change {
    OrganizationCreated {
        organization: i64,
    },
    /// A profile changed, or the organization joined an event.
    OrganizationChanged {
        organization: i64,
    },
    OrganizationDeleted {
        organization: i64,
    },
    RequestSent {
        request: i64,
        from: i64,
        to: i64,
    },
    RequestAccepted {
        request: i64,
        from: i64,
        to: i64,
        meeting: i64,
    },
    RequestDeclined {
        request: i64,
        from: i64,
        to: i64,
    },
    RequestCancelled {
        request: i64,
        from: i64,
        to: i64,
    },
    RequestExpired {
        request: i64,
        from: i64,
        to: i64,
    },
    /// The organisers ran the scheduler: `placed` meetings have a place, `moved` changed it.
    ScheduleRun {
        placed: u64,
        moved: u64,
    },
    SchedulePublished {
        meetings: u64,
    },
    /// A meeting changed place (by hand or by a run); `published` when its sides had seen the
    /// old place.
    MeetingMoved {
        meeting: i64,
        from: Option<Place>,
        to: Option<Place>,
        published: bool,
    },
    MeetingCancelled {
        meeting: i64,
    },
    MeetingStatusChanged {
        meeting: i64,
        from: MeetingStatus,
        to: MeetingStatus,
    },
    /// An instant meeting proposed to a pair, at a table in a slot of the day.
    ProposalMade {
        proposal: i64,
        startup: i64,
        investor: i64,
    },
    /// A side declined a proposal.
    ProposalDeclined {
        proposal: i64,
        startup: i64,
        investor: i64,
    },
    /// Another pair took the table, or a side's time, first; or the slot ended.
    ProposalGone {
        proposal: i64,
        startup: i64,
        investor: i64,
    },
    /// Both sides accepted a proposal: the meeting is placed at its table.
    Rematched {
        proposal: i64,
        meeting: i64,
        startup: i64,
        investor: i64,
    },
    /// The organisers asked each pair that met for what came of it.
    FollowUpOpened {
        meetings: u64,
    },
    UserRegistered {
        user: i64,
        organization: Option<i64>,
    },
    UserInvited {
        organization: i64,
        invitation: i64,
    },
}

impl Change {
    /// The change's type, as stored beside it: `request-sent`.
    pub fn kind(&self) -> &'static str {
        match self {
            Change::OrganizationCreated { .. } => "organization-created",
            Change::OrganizationChanged { .. } => "organization-changed",
            Change::OrganizationDeleted { .. } => "organization-deleted",
            Change::RequestSent { .. } => "request-sent",
            Change::RequestAccepted { .. } => "request-accepted",
            Change::RequestDeclined { .. } => "request-declined",
            Change::RequestCancelled { .. } => "request-cancelled",
            Change::RequestExpired { .. } => "request-expired",
            Change::ScheduleRun { .. } => "schedule-run",
            Change::SchedulePublished { .. } => "schedule-published",
            Change::MeetingMoved { .. } => "meeting-moved",
            Change::MeetingCancelled { .. } => "meeting-cancelled",
            Change::MeetingStatusChanged { .. } => "meeting-status-changed",
            Change::ProposalMade { .. } => "proposal-made",
            Change::ProposalDeclined { .. } => "proposal-declined",
            Change::ProposalGone { .. } => "proposal-gone",
            Change::Rematched { .. } => "rematched",
            Change::FollowUpOpened { .. } => "follow-up-opened",
            Change::UserRegistered { .. } => "user-registered",
            Change::UserInvited { .. } => "user-invited",
        }
    }

    /// The organization whose public profile (and so whose search document) this changes.
    pub fn profile_changed(&self) -> Option<i64> {
        match self {
            Change::OrganizationCreated { organization }
            | Change::OrganizationChanged { organization }
            | Change::OrganizationDeleted { organization } => Some(*organization),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_round_trip_through_json_with_their_type() {
        let changes = [
            Change::OrganizationChanged { organization: 4 },
            Change::RequestAccepted { request: 1, from: 2, to: 3, meeting: 9 },
            Change::MeetingMoved { meeting: 9, from: None, to: Some(Place { slot: 12, table: 3 }), published: false },
            Change::MeetingStatusChanged { meeting: 9, from: MeetingStatus::Scheduled, to: MeetingStatus::Held },
            Change::Rematched { proposal: 3, meeting: 10, startup: 2, investor: 5 },
        ];
        for change in changes {
            let json = serde_json::to_value(&change).expect("json");
            assert_eq!(json["type"], change.kind());
            assert_eq!(serde_json::from_value::<Change>(json).expect("back"), change);
        }
    }
}
