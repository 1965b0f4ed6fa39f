//! The figures of a benchmark run, as a printed table and as JSON.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;

use crate::bounds::{ReadBound, WriteBound};
use crate::caller::CallerLatency;
use crate::fixture::{Realistic, RealisticFacts};
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
    /// Thulium customers created.
    pub created: u64,
    /// Thulium customers updated.
    pub updated: u64,
    /// Agent-made Thulium contacts adopted.
    pub adopted: u64,
    /// The write side of the lower bound (see `bounds`).
    pub write_bound: WriteBound,
    /// The lower bound on shop requests (see `bounds`).
    pub lower_bound_shop: u64,
    /// The lower bound on Thulium requests (see `bounds`).
    pub lower_bound_thulium: u64,
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
    /// CPU time of the sync process, all threads.
    pub cpu_sync_ms: Option<u64>,
    /// CPU time of the simulators (the bench process) during the sync.
    pub cpu_simulators_ms: Option<u64>,
    /// When the shop pages were done and the peak memory by then (see `child`).
    pub phases: serde_json::Value,
    /// The machine's one-minute load average at the end of the sync.
    pub load_average: Option<f64>,
}

impl FullSync {
    /// `sync CPU / simulators CPU`, and their sum over the wall time (in cores busy).
    fn cpu(&self) -> String {
        match (self.cpu_sync_ms, self.cpu_simulators_ms) {
            (Some(sync), Some(simulators)) => format!(
                "{:.1} / {:.1} s ({:.2} cores)",
                sync as f64 / 1000.0,
                simulators as f64 / 1000.0,
                (sync + simulators) as f64 / self.wall_ms.max(1) as f64
            ),
            _ => "n/a".into(),
        }
    }

    /// Seconds into the run when the first and last shop pages were done.
    fn page_phases(&self) -> String {
        let at = |key: &str| {
            self.phases[key]
                .as_u64()
                .map_or("?".into(), |ms| format!("{:.1}", ms as f64 / 1000.0))
        };
        format!(
            "{} / {} / {:.1} s",
            at("first_page_ms"),
            at("last_page_ms"),
            self.wall_ms as f64 / 1000.0
        )
    }

    /// Peak RSS when the first and the last pages were done, and at the end.
    fn rss_phases(&self) -> String {
        let at = |key: &str| {
            self.phases[key]
                .as_u64()
                .map_or("?".into(), |kib| format!("{:.1}", kib as f64 / 1024.0))
        };
        format!(
            "{} / {} / {} MiB",
            at("peak_rss_kib_at_first_page"),
            at("peak_rss_kib_at_last_page"),
            self.peak_rss_mib.map_or("?".into(), |v| format!("{v:.1}"))
        )
    }
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
    /// The same for webhooks without any id (an incremental pass each).
    pub webhook_without_id: Option<WebhookLatency>,
    /// External-CRM caller lookups (measured at the largest size only).
    pub caller: Option<CallerLatency>,
}

/// The realistic-tenant scenario: a shop synced into a tenant full of agent-made contacts.
#[derive(Debug, Clone, Serialize)]
pub struct RealisticResult {
    /// Shop size, guest twins, agent contacts and their overlap.
    pub shape: Realistic,
    /// What the generated data holds.
    pub facts: RealisticFacts,
    /// Shop orders.
    pub orders: usize,
    /// The read side of the lower bound.
    pub read_bound: ReadBound,
    /// The full sync.
    pub full: FullSync,
    /// How the full sync found existing Thulium customers (`tenant_index` expected).
    pub lookup: String,
    /// Customers that waited for the end of the full sync to adopt a contact.
    pub adoptions_deferred: u64,
    /// Creates a page left beyond its last full batch that waited until the end.
    pub creates_deferred: u64,
    /// Creates a page left beyond its last full batch that a later page wrote.
    pub creates_carried: u64,
    /// Waiting customers written at the end (adopted, or created).
    pub adoptions_decided: u64,
    /// Conflict notes, by reason.
    pub conflicts: BTreeMap<String, u64>,
    /// Reads sent again because their answer could not be decoded.
    pub read_retries: u64,
    /// Batch items retried one by one.
    pub single_retries: u64,
    /// Customers whose write still stands failed.
    pub failed: u64,
    /// Requests per port method, as the engine counted them.
    pub engine_requests: BTreeMap<String, u64>,
    /// Agent-entered e-mails and phones missing from their contact after the sync (must
    /// be 0).
    pub agent_values_lost: usize,
    /// A second full sync over unchanged data: requests served.
    pub second_requests: u64,
    /// Its Thulium writes (must be 0).
    pub second_writes: u64,
    /// An incremental poll with nothing changed: requests served (must be 2).
    pub idle_poll_requests: u64,
}

impl RealisticResult {
    /// The scenario as an aligned text table, then its requests per method against the
    /// bound's parts.
    pub fn table(&self) -> String {
        let f = &self.full;
        let b = &self.read_bound;
        let w = &f.write_bound;
        let ratio = |served: u64, bound: u64| served as f64 / bound.max(1) as f64;
        let total_note = if b.tenant_total_known {
            "with a total"
        } else {
            "WITHOUT a total (every Thulium quirk on)"
        };
        let reasons = if self.conflicts.is_empty() {
            "0".to_owned()
        } else {
            self.conflicts
                .iter()
                .map(|(reason, n)| format!("{n} {reason}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let rows: Vec<(String, String)> = vec![
            (
                "shop customers / orders / registered+guest pairs".into(),
                format!(
                    "{} / {} / {}",
                    self.shape.customers, self.orders, self.facts.guest_pairs
                ),
            ),
            (
                "agent contacts / one shop client / matching any".into(),
                format!(
                    "{} / {} / {}",
                    b.tenant, self.facts.overlapping_contacts, self.facts.matching_contacts
                ),
            ),
            ("list answers".into(), total_note.into()),
            (
                format!("FULL SYNC (concurrency {})", f.concurrency),
                String::new(),
            ),
            ("  lookup".into(), self.lookup.clone()),
            (
                "  wall time".into(),
                format!("{:.1} s", f.wall_ms as f64 / 1000.0),
            ),
            (
                "  ideal time; ratio (goal <= 1.3x)".into(),
                format!("{:.1} s; {:.2}x", f.ideal_ms / 1000.0, f.ideal_ratio),
            ),
            (
                "  requests: shop / Thulium".into(),
                format!("{} / {}", f.served.shop, f.served.thulium),
            ),
            (
                "  lower bound: shop / Thulium".into(),
                format!("{} / {}", f.lower_bound_shop, f.lower_bound_thulium),
            ),
            (
                "  ratio shop / Thulium / all (goal <= 1.1x)".into(),
                format!(
                    "{:.3}x / {:.3}x / {:.3}x",
                    ratio(f.served.shop, f.lower_bound_shop),
                    ratio(f.served.thulium, f.lower_bound_thulium),
                    f.bound_ratio
                ),
            ),
            (
                "  first page / last page done / end".into(),
                f.page_phases(),
            ),
            ("  CPU: sync / simulators".into(), f.cpu()),
            (
                "  load average (1 min) at the end".into(),
                f.load_average.map_or("n/a".into(), |l| format!("{l:.2}")),
            ),
            (
                "  peak RSS of the sync process (goal <= 64 MB)".into(),
                mib(f.peak_rss_mib),
            ),
            (
                "  peak RSS by first page / last page / end".into(),
                f.rss_phases(),
            ),
            (
                "  adopted / created / updated".into(),
                format!("{} / {} / {}", f.adopted, f.created, f.updated),
            ),
            (
                "  waiting: adoptions / creates (carried); written at the end".into(),
                format!(
                    "{} / {} ({}); {}",
                    self.adoptions_deferred,
                    self.creates_deferred,
                    self.creates_carried,
                    self.adoptions_decided
                ),
            ),
            ("  conflict notes".into(), reasons),
            (
                "  read retries / single retries / failed".into(),
                format!(
                    "{} / {} / {}",
                    self.read_retries, self.single_retries, self.failed
                ),
            ),
            (
                "  agent values lost (must be 0)".into(),
                self.agent_values_lost.to_string(),
            ),
            ("SECOND FULL SYNC (unchanged)".into(), String::new()),
            ("  requests".into(), self.second_requests.to_string()),
            (
                "  Thulium writes (must be 0)".into(),
                self.second_writes.to_string(),
            ),
            ("IDLE INCREMENTAL POLL".into(), String::new()),
            (
                "  requests (must be 2)".into(),
                self.idle_poll_requests.to_string(),
            ),
        ];
        let mut out = format!(
            "REALISTIC TENANT ({} clients, {} contacts, {:.0} % overlap, {:.0} % guest twins)\n",
            self.shape.customers,
            self.shape.contacts,
            self.shape.overlap_share * 100.0,
            self.shape.guest_pair_share * 100.0
        );
        let rows: Vec<(String, Vec<String>)> =
            rows.into_iter().map(|(l, c)| (l, vec![c])).collect();
        render(&mut out, &rows);
        out.push_str("\nRequests per port method (engine) against the bound's part:\n");
        let method = |name: &str| self.engine_requests.get(name).copied().unwrap_or(0);
        let parts: [(&str, u64, String); 5] = [
            (
                "shop.customers_page",
                b.customer_pages + 1,
                format!("{} pages + 1 closing window", b.customer_pages),
            ),
            (
                "shop.search_orders",
                b.order_pages + 1,
                format!("{} pages + 1 closing window", b.order_pages),
            ),
            (
                "crm.customers_page",
                b.tenant_pages + b.size_probe,
                format!("{} tenant pages + {} probe", b.tenant_pages, b.size_probe),
            ),
            (
                "crm.create_customers",
                w.create_batches,
                format!("ceil({} creates / chunk)", f.created),
            ),
            (
                "crm.update_customers",
                w.update_batches + w.adoption_batches,
                format!(
                    "{} update + {} adoption batches ({} adopted)",
                    w.update_batches, w.adoption_batches, f.adopted
                ),
            ),
        ];
        let mut method_rows: Vec<(String, Vec<String>)> = parts
            .iter()
            .map(|(name, bound, why)| {
                let served = method(name);
                (
                    format!("  {name}"),
                    vec![
                        served.to_string(),
                        format!("bound {bound}"),
                        format!("{:+}", served as i64 - *bound as i64),
                        why.clone(),
                    ],
                )
            })
            .collect();
        for (name, n) in &self.engine_requests {
            if !parts.iter().any(|(p, _, _)| p == name) {
                method_rows.push((
                    format!("  {name}"),
                    vec![
                        n.to_string(),
                        "bound 0".into(),
                        format!("{n:+}"),
                        String::new(),
                    ],
                ));
            }
        }
        render(&mut out, &method_rows);
        out.push_str("\nRequests per endpoint (simulators):\n");
        let endpoint_rows: Vec<(String, Vec<String>)> = f
            .served
            .by_endpoint
            .iter()
            .map(|(endpoint, n)| (format!("  {endpoint}"), vec![n.to_string()]))
            .collect();
        render(&mut out, &endpoint_rows);
        out
    }
}

/// The whole run.
#[derive(Debug, Clone, Serialize)]
pub struct BenchResult {
    /// Injected latency per request, both simulators.
    pub latency_ms: u64,
    /// Customers per Thulium batch write.
    pub write_chunk: usize,
    /// Per shop size (fresh tenant).
    pub sizes: Vec<SizeResult>,
    /// The realistic-tenant scenario, when run.
    pub realistic: Option<RealisticResult>,
    /// sync-core mapping speed on one core.
    pub mapping_customers_per_s: Option<f64>,
}

impl BenchResult {
    /// The results as aligned text tables: one column per shop size, then the realistic
    /// tenant.
    pub fn table(&self) -> String {
        let mut out = format!(
            "Against the sandbox, {} ms latency per request, Thulium batches of {}\n",
            self.latency_ms, self.write_chunk
        );
        if !self.sizes.is_empty() {
            out.push_str(&self.sizes_table());
        }
        if let Some(realistic) = &self.realistic {
            out.push('\n');
            out.push_str(&realistic.table());
        }
        out
    }

    fn sizes_table(&self) -> String {
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
        type Pick = fn(&SizeResult) -> Option<&WebhookLatency>;
        let shapes: [(&str, Pick); 2] = [
            ("WEBHOOK → THULIUM UPDATED", |s| s.webhook.as_ref()),
            ("ID-LESS WEBHOOK → THULIUM UPDATED", |s| {
                s.webhook_without_id.as_ref()
            }),
        ];
        for (title, pick) in shapes {
            row(title, &|_| String::new());
            row("  events (customers updated)", &|s| {
                pick(s).map_or("-".into(), |w| format!("{} ({})", w.events, w.updated))
            });
            row("  p50 / p99", &|s| {
                pick(s).map_or("-".into(), |w| {
                    format!("{:.1} / {:.1} ms", w.p50_ms, w.p99_ms)
                })
            });
            row("  requests per event", &|s| {
                pick(s).map_or("-".into(), |w| format!("{:.2}", w.requests_per_event))
            });
        }
        row("CALLER LOOKUP (external CRM, over HTTP)", &|_| {
            String::new()
        });
        row("  from the index: lookups, p50 / p99", &|s| {
            s.caller.as_ref().map_or("-".into(), |c| {
                format!(
                    "{}, {:.1} / {:.1} ms",
                    c.indexed, c.indexed_p50_ms, c.indexed_p99_ms
                )
            })
        });
        row("  from the index: shop requests (must be 0)", &|s| {
            s.caller
                .as_ref()
                .map_or("-".into(), |c| c.indexed_shop_requests.to_string())
        });
        row("  live: lookups, p50 / p99", &|s| {
            s.caller.as_ref().map_or("-".into(), |c| {
                format!("{}, {:.1} / {:.1} ms", c.live, c.live_p50_ms, c.live_p99_ms)
            })
        });
        row("  live: shop requests per lookup", &|s| {
            s.caller
                .as_ref()
                .map_or("-".into(), |c| format!("{:.2}", c.live_requests_per_lookup))
        });
        let mut out = String::new();
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
    row("  lower bound shop / Thulium; ratio", &|s| {
        show(s, &|f| {
            format!(
                "{} / {}; {:.3}x",
                f.lower_bound_shop, f.lower_bound_thulium, f.bound_ratio
            )
        })
    });
    row("  ideal time; ratio", &|s| {
        show(s, &|f| {
            format!("{:.1} s; {:.2}x", f.ideal_ms / 1000.0, f.ideal_ratio)
        })
    });
    row("  CPU: sync / simulators", &|s| show(s, &|f| f.cpu()));
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
