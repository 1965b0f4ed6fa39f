//! Shared plumbing for the example binaries (`full-sync`, `sync-daemon`, `card-server`).

pub mod card;
