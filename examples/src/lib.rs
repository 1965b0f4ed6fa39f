//! Shared plumbing for the example binaries (`full-sync`, `sync-daemon`, `card-server`).

pub mod card;
pub mod cli;
pub mod daemon;
pub mod demo;
pub mod dry_run;
pub mod progress;
pub mod settings;
pub mod webhook_server;
pub mod webhook_setup;
pub mod wiring;
