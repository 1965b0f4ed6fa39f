//! The full sync's progress bar on stderr (indicatif), hidden when stderr is not a
//! terminal so that logs and CI output stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use sync_core::engine::Progress;

/// A progress bar fed by the engine's progress callback.
#[derive(Debug, Clone)]
pub struct SyncProgress {
    bar: ProgressBar,
}

impl SyncProgress {
    /// A bar titled `label`; drawn only when stderr is a terminal.
    pub fn new(label: &str) -> Self {
        let target = if std::io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        let style = ProgressStyle::with_template(
            "{prefix} [{bar:40}] {pos}/{len} customers ({per_sec}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(label.to_owned());
        Self { bar }
    }

    /// Shows the engine's progress after a page.
    pub fn update(&self, progress: &Progress) {
        self.bar.set_length(progress.customers_total);
        self.bar.set_position(progress.customers_done);
    }

    /// Removes the bar.
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
