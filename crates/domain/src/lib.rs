//! ketnoi's domain: the rules of investor–startup matchmaking, free of I/O and frameworks.
//!
//! - [`taxonomy`]: sectors, stages and investor types with Vietnamese and English labels;
//! - [`money`]: whole amounts in ISO currencies and an event's conversion rates;
//! - [`profile`]: startup and investor profiles, validated from user input;
//! - [`event`]: events, sessions and the slots they yield in the event's time zone;
//! - [`import`]: the CSV import contract, parsed and validated with line and column;
//! - [`access`]: who may do what, in one function;
//! - [`rules`]: requests and meetings as state machines, priorities, outcomes, quotas, and the
//!   refusals of those rules as typed values;
//! - [`log`]: the domain events the event log records;
//! - [`i18n`]: the languages, and messages written from typed values in each;
//! - [`password`]: the password rule;
//! - [`schedule`]: the meeting scheduler, its contract and its upper bound;
//! - [`demo`]: deterministic, realistic participants for the demo event and benchmarks.

pub mod access;
pub mod demo;
pub mod event;
pub mod i18n;
pub mod import;
pub mod log;
pub mod matching;
pub mod money;
pub mod password;
pub mod profile;
pub mod rules;
pub mod schedule;
pub mod taxonomy;
pub mod text;
pub mod validate;
