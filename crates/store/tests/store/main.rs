//! The store's suite: on a temporary SQLite file by default, on PostgreSQL when
//! KETNOI_TEST_DATABASE_URL is set (each test makes and drops its own database).

mod log;
mod migrations;
mod repositories;
