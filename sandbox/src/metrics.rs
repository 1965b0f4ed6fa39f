//! Request counters shared by both simulators.
