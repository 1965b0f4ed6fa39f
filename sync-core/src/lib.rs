//! sync-core: placeholder, filled by its issue.
