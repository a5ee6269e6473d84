//! sea-orm entities, one module per table. Plain data: no behaviour.

pub mod api_tokens;
pub mod event_log;
pub mod event_sessions;
pub mod events;
pub mod invitations;
pub mod meeting_requests;
pub mod meetings;
pub mod organizations;
pub mod participations;
pub mod sessions;
pub mod slots;
pub mod unavailable_slots;
pub mod users;
