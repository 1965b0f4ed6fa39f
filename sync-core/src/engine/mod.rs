//! The sync engine over async ports.
