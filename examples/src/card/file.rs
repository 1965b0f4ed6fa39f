//! Saving a card as a file: the demo's way to show a card after its simulators are gone.
//! The page is the one `card-server` serves ([`card_for_shop_customer`], then
//! [`CustomerCard::to_html`](sync_core::card::CustomerCard::to_html)), and it is
//! self-contained, so it opens from disk in any browser.

use std::path::{Path, PathBuf};

use super::error::CardError;
use super::fetch::card_for_shop_customer;
use super::state::CardState;

/// Why a card could not be saved.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SaveCardError {
    /// The card could not be read from the shop.
    #[error(transparent)]
    Card(#[from] CardError),
    /// The file or its directory could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file (or directory) that could not be written.
        path: PathBuf,
        /// What the file system said.
        #[source]
        source: std::io::Error,
    },
}

/// Reads shop customer `client_id`'s card live from the shop and writes it as
/// `dir/card-{client_id}.html` (creating `dir`). Returns the file's path.
pub async fn save_card_page(
    state: &CardState,
    client_id: u64,
    dir: &Path,
) -> Result<PathBuf, SaveCardError> {
    let card = card_for_shop_customer(state, client_id).await?;
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| SaveCardError::Write { path, source }
    };
    std::fs::create_dir_all(dir).map_err(write_error(dir))?;
    let path = dir.join(format!("card-{client_id}.html"));
    std::fs::write(&path, card.to_html()).map_err(write_error(&path))?;
    Ok(path)
}

/// Where the demo puts its files: `demo/` in the Cargo target directory of the running
/// binary (found by the `CACHEDIR.TAG` Cargo writes there, so `CARGO_TARGET_DIR` and
/// `--release` builds are covered), else `target/demo` under the current directory.
pub fn demo_output_dir() -> PathBuf {
    let from_binary = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .skip(1)
            .find(|dir| dir.join("CACHEDIR.TAG").is_file())
            .map(Path::to_path_buf)
    });
    let target =
        from_binary.unwrap_or_else(|| std::env::current_dir().unwrap_or_default().join("target"));
    target.join("demo")
}
