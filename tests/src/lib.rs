//! Cross-crate end-to-end and contract tests live in `tests/`.
