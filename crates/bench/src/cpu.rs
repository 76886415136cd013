//! CPU time by thread group, read from `/proc` (Linux), so a run can say how much CPU each
//! journey cost the gateway and how much the simulator (whose RSA signing is test-harness cost,
//! not product cost).

use std::sync::{Arc, Mutex};

/// Clock ticks per second of `/proc` times (`sysconf(_SC_CLK_TCK)`, 100 on Linux).
const TICKS_PER_SECOND: f64 = 100.0;

/// The threads of one runtime, registered as they start.
#[derive(Clone, Default)]
pub struct ThreadGroup {
    tids: Arc<Mutex<Vec<String>>>,
}

impl ThreadGroup {
    /// Records the calling thread (call from `on_thread_start`).
    pub fn register(&self) {
        if let Ok(link) = std::fs::read_link("/proc/thread-self") {
            if let Some(tid) = link.file_name().and_then(|t| t.to_str()) {
                self.tids.lock().expect("lock").push(tid.to_owned());
            }
        }
    }

    /// CPU seconds (user + system) used so far by the group's live threads.
    pub fn cpu_seconds(&self) -> f64 {
        let tids = self.tids.lock().expect("lock").clone();
        tids.iter()
            .filter_map(|tid| stat_cpu(&format!("/proc/self/task/{tid}/stat")))
            .sum()
    }
}

/// CPU seconds (user + system) used so far by the whole process.
pub fn process_cpu_seconds() -> f64 {
    stat_cpu("/proc/self/stat").unwrap_or(0.0)
}

/// utime + stime of a `/proc/…/stat` file, in seconds.
fn stat_cpu(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name may contain spaces; the fields after it are fixed.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / TICKS_PER_SECOND)
}

/// Resident memory of the process, in bytes (`VmRSS`).
pub fn resident_bytes() -> Option<u64> {
    status_kb("/proc/self/status", "VmRSS:").map(|kb| kb * 1024)
}

/// A kB field (`VmRSS:`, `VmHWM:` …) of a `/proc/…/status` file.
pub fn status_kb(path: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(path).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}
