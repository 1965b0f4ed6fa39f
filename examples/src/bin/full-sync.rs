//! Full sync of an IdoSell shop into Thulium (coming: see the README).

fn main() {
    println!("full-sync: coming soon — the sync engine is being built (see README.md).");
}
