//! The Thulium REST API simulator.
