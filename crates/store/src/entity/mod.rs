//! sea-orm entities, one module per table. Plain data: no behaviour.

pub mod api_tokens;
pub mod attempts;
pub mod consumer_positions;
pub mod event_log;
pub mod event_sessions;
pub mod events;
pub mod instance_settings;
pub mod invitations;
pub mod mail_preferences;
pub mod meet_now_free;
pub mod meet_now_proposals;
pub mod meeting_requests;
pub mod meetings;
pub mod notifications;
pub mod organizations;
pub mod participations;
pub mod sessions;
pub mod slots;
pub mod unavailable_slots;
pub mod user_tokens;
pub mod users;
