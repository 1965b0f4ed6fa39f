//! Peak resident memory of this process, as Linux keeps it.

/// The process's peak resident set size (`VmHWM` in `/proc/self/status`) in KiB; `None`
/// where that file does not exist (not Linux) or does not say.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_linux_process_knows_its_peak() {
        if cfg!(target_os = "linux") {
            let kib = super::peak_rss_kib().unwrap_or(0);
            assert!(
                kib > 100,
                "a running process holds more than 100 KiB: {kib}"
            );
        }
    }
}
