//! The figures of a benchmark run, as a printed table and as JSON.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;

use crate::bounds::ReadBound;
use crate::measure::{Served, WebhookLatency};

/// One full sync (fresh tenant) measured in a child process.
#[derive(Debug, Clone, Serialize)]
pub struct FullSync {
    /// Requests in flight per API.
    pub concurrency: usize,
    /// The engine's own duration of the run.
    pub wall_ms: u64,
    /// What the simulators served.
    pub served: Served,
    /// Requests the engine counted (a cross-check of `served`).
    pub engine_requests: u64,
    /// Thulium customers created and updated.
    pub created: u64,
    /// Thulium customers updated.
    pub updated: u64,
    /// The lower bound on requests for this run (see `bounds`).
    pub lower_bound: u64,
    /// `requests / lower_bound`.
    pub bound_ratio: f64,
    /// `requests × latency / concurrency`.
    pub ideal_ms: f64,
    /// `wall / ideal`.
    pub ideal_ratio: f64,
    /// Peak resident memory of the sync process.
    pub peak_rss_mib: Option<f64>,
}

/// Everything measured at one shop size.
#[derive(Debug, Clone, Serialize)]
pub struct SizeResult {
    /// Shop customers.
    pub customers: usize,
    /// Shop orders.
    pub orders: usize,
    /// Thulium customers before the first sync.
    pub tenant_at_start: usize,
    /// The read side of the lower bound.
    pub read_bound: ReadBound,
    /// The full sync at the chosen concurrency.
    pub full: FullSync,
    /// The same sync with one request in flight per API.
    pub baseline: Option<FullSync>,
    /// A second full sync over unchanged data: requests served.
    pub second_requests: u64,
    /// Its Thulium writes (must be 0).
    pub second_writes: u64,
    /// An incremental poll with nothing changed: requests served (must be 2).
    pub idle_poll_requests: u64,
    /// Webhook → Thulium latency (measured at the largest size only).
    pub webhook: Option<WebhookLatency>,
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    /// Injected latency per request, both simulators.
    pub latency_ms: u64,
    /// Customers per Thulium batch write.
    pub write_chunk: usize,
    /// Per shop size.
    pub sizes: Vec<SizeResult>,
    /// sync-core mapping speed on one core.
    pub mapping_customers_per_s: Option<f64>,
}

impl BenchResult {
    /// The results as an aligned text table, one column per shop size.
    pub fn table(&self) -> String {
        let mut rows: Vec<(String, Vec<String>)> = Vec::new();
        let mut row = |label: &str, cell: &dyn Fn(&SizeResult) -> String| {
            rows.push((label.to_owned(), self.sizes.iter().map(cell).collect()));
        };
        row("customers / orders", &|s| {
            format!("{} / {}", s.customers, s.orders)
        });
        row("Thulium tenant at start", &|s| {
            s.tenant_at_start.to_string()
        });
        let concurrency = self.sizes.first().map_or(0, |s| s.full.concurrency);
        row(&format!("FULL SYNC (concurrency {concurrency})"), &|_| {
            String::new()
        });
        full_sync_rows(&mut row, &|s| Some(&s.full));
        row("  peak RSS of the sync process", &|s| {
            mib(s.full.peak_rss_mib)
        });
        row("BASELINE (concurrency 1)", &|_| String::new());
        full_sync_rows(&mut row, &|s| s.baseline.as_ref());
        row("SECOND FULL SYNC (unchanged)", &|_| String::new());
        row("  requests", &|s| s.second_requests.to_string());
        row("  Thulium writes (must be 0)", &|s| {
            s.second_writes.to_string()
        });
        row("IDLE INCREMENTAL POLL", &|_| String::new());
        row("  requests (must be 2)", &|s| {
            s.idle_poll_requests.to_string()
        });
        row("WEBHOOK → THULIUM UPDATED", &|_| String::new());
        row("  events (customers updated)", &|s| {
            s.webhook
                .as_ref()
                .map_or("-".into(), |w| format!("{} ({})", w.events, w.updated))
        });
        row("  p50 / p99", &|s| {
            s.webhook.as_ref().map_or("-".into(), |w| {
                format!("{:.1} / {:.1} ms", w.p50_ms, w.p99_ms)
            })
        });
        row("  requests per event", &|s| {
            s.webhook
                .as_ref()
                .map_or("-".into(), |w| format!("{:.2}", w.requests_per_event))
        });
        let mut out = format!(
            "Against the sandbox, {} ms latency per request, Thulium batches of {}\n",
            self.latency_ms, self.write_chunk
        );
        render(&mut out, &rows);
        out.push_str("\nRequests per endpoint (full sync at the chosen concurrency):\n");
        let endpoints: BTreeSet<&String> = self
            .sizes
            .iter()
            .flat_map(|s| s.full.served.by_endpoint.keys())
            .collect();
        let endpoint_rows: Vec<(String, Vec<String>)> = endpoints
            .into_iter()
            .map(|endpoint| {
                let cells = self
                    .sizes
                    .iter()
                    .map(|s| {
                        s.full
                            .served
                            .by_endpoint
                            .get(endpoint)
                            .copied()
                            .unwrap_or(0)
                            .to_string()
                    })
                    .collect();
                (format!("  {endpoint}"), cells)
            })
            .collect();
        render(&mut out, &endpoint_rows);
        let mapping = self
            .mapping_customers_per_s
            .map_or("not measured".into(), |n| format!("{n:.0} customers/s"));
        let _ = writeln!(
            out,
            "\nsync-core mapping + fingerprint + plan on one core: {mapping}"
        );
        out
    }
}

type Row<'a> = dyn FnMut(&str, &dyn Fn(&SizeResult) -> String) + 'a;

fn full_sync_rows(row: &mut Row<'_>, pick: &dyn Fn(&SizeResult) -> Option<&FullSync>) {
    let show = |s: &SizeResult, f: &dyn Fn(&FullSync) -> String| pick(s).map_or("-".into(), f);
    row("  wall time", &|s| {
        show(s, &|f| format!("{:.1} s", f.wall_ms as f64 / 1000.0))
    });
    row("  requests: shop / Thulium", &|s| {
        show(s, &|f| format!("{} / {}", f.served.shop, f.served.thulium))
    });
    row("  requests per customer", &|s| {
        show(s, &|f| {
            format!("{:.3}", f.served.total() as f64 / s.customers.max(1) as f64)
        })
    });
    row("  created / updated", &|s| {
        show(s, &|f| format!("{} / {}", f.created, f.updated))
    });
    row("  lower bound; ratio", &|s| {
        show(s, &|f| format!("{}; {:.3}x", f.lower_bound, f.bound_ratio))
    });
    row("  ideal time; ratio", &|s| {
        show(s, &|f| {
            format!("{:.1} s; {:.2}x", f.ideal_ms / 1000.0, f.ideal_ratio)
        })
    });
}

fn mib(value: Option<f64>) -> String {
    value.map_or("n/a".into(), |v| format!("{v:.1} MiB"))
}

fn render(out: &mut String, rows: &[(String, Vec<String>)]) {
    let label_width = rows
        .iter()
        .map(|(l, _)| l.chars().count())
        .max()
        .unwrap_or(0);
    let columns = rows.iter().map(|(_, c)| c.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|i| {
            rows.iter()
                .filter_map(|(_, c)| c.get(i).map(|s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for (label, cells) in rows {
        let _ = write!(
            out,
            "{label}{}",
            " ".repeat(label_width - label.chars().count())
        );
        for (cell, width) in cells.iter().zip(&widths) {
            let _ = write!(out, "  {cell:>width$}");
        }
        out.push('\n');
    }
}
