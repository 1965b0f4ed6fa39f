//! Fault injection shared by both simulators.
