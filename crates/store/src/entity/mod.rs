//! sea-orm entities, one module per table of the initial migration. Plain data: no behaviour.

pub mod event_sessions;
pub mod events;
pub mod meeting_requests;
pub mod meetings;
pub mod organizations;
pub mod participations;
pub mod search_outbox;
pub mod slots;
pub mod unavailable_slots;
pub mod users;
