//! Peak resident memory and CPU time of this process, and the machine's load, as Linux keeps
//! them.

/// The process's peak resident set size (`VmHWM` in `/proc/self/status`) in KiB; `None`
/// where that file does not exist (not Linux) or does not say.
pub fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
}

/// CPU time this process has used so far, user and system, all threads, in milliseconds
/// (`utime + stime` of `/proc/self/stat`, counted in ticks of 10 ms, the kernel's usual
/// `USER_HZ`); `None` off Linux.
pub fn cpu_ms() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // The command name (field 2) is in parentheses and may hold spaces: count after it.
    let after_name = &stat[stat.rfind(')')? + 1..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    // Fields 14 and 15 of the whole line are the 12th and 13th after the name.
    let utime: u64 = fields.get(11)?.parse().ok()?;
    let stime: u64 = fields.get(12)?.parse().ok()?;
    Some((utime + stime) * 10)
}

/// The machine's load average over the last minute (`/proc/loadavg`).
pub fn load_average() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/loadavg").ok()?;
    text.split_whitespace().next()?.parse().ok()
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

    #[test]
    fn a_linux_process_knows_its_cpu_time_and_the_load() {
        if cfg!(target_os = "linux") {
            let mut spin = 0u64;
            for n in 0..50_000_000u64 {
                spin = spin.wrapping_add(n ^ (spin >> 3));
            }
            assert!(super::cpu_ms().is_some(), "{spin}");
            assert!(super::load_average().is_some());
        }
    }
}
