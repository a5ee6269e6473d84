//! End-to-end tests of the whole service: the real binary, a real database (a temp SQLite file,
//! or PostgreSQL when KETNOI_TEST_DATABASE_URL is set) and real HTTP over a socket.

mod access;
mod accounts;
mod api;
mod backup;
mod browser;
mod cli;
mod desk;
mod faults;
mod live;
mod mail;
mod meet_now;
mod meetings;
mod openapi;
mod operations;
mod postgres;
mod proxy;
mod recommendations;
mod replicas;
mod report;
mod search;
mod sessions;
mod smtp;
mod support;
mod web;
mod webdriver;
