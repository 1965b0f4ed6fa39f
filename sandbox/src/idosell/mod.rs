//! The IdoSell Admin API simulator.
