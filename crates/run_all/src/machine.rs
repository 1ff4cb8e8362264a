//! The machine header: what the numbers were measured on.

use std::process::Command;

use serde::Serialize;

/// Stated above every table, so a reader can tell whose numbers these are.
#[derive(Debug, Clone, Serialize)]
pub struct Machine {
    /// CPUs this process may use (`available_parallelism`).
    pub cpus: u64,
    pub cpu_model: String,
    pub os: String,
    pub rustc: String,
    /// UTC, `YYYY-MM-DD HH:MM UTC`.
    pub date: String,
    /// The site's fixed latency per response (jitter is 0).
    pub site_latency_ms: u64,
    /// "quick" or "full".
    pub mode: String,
    pub repeat: u32,
}

impl Machine {
    pub fn probe(site_latency_ms: u64, quick: bool, repeat: u32) -> Self {
        Machine {
            cpus: std::thread::available_parallelism().map_or(1, |n| n.get() as u64),
            cpu_model: cpu_model().unwrap_or_else(|| "unknown".into()),
            os: os_name(),
            rustc: rustc_version().unwrap_or_else(|| "unknown".into()),
            date: utc_now(),
            site_latency_ms,
            mode: if quick { "quick" } else { "full" }.into(),
            repeat,
        }
    }

    /// One line per fact, for the terminal and the Markdown file.
    pub fn lines(&self) -> Vec<String> {
        vec![
            format!("CPUs: {} ({})", self.cpus, self.cpu_model),
            format!("OS: {}", self.os),
            format!("rustc: {}", self.rustc),
            format!("date: {}", self.date),
            format!(
                "site latency: {} ms, no jitter; mode: {}; runs per example: {} (median shown), \
                 more for a row under {} s in all, up to {}",
                self.site_latency_ms,
                self.mode,
                self.repeat,
                crate::run::SHORT_ROW_SECONDS,
                crate::run::SHORT_ROW_RUNS
            ),
        ]
    }
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|line| line.starts_with("model name"))
        .and_then(|line| line.split_once(':'))
        .map(|(_, model)| model.split_whitespace().collect::<Vec<_>>().join(" "))
}

fn os_name() -> String {
    let pretty = std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("PRETTY_NAME="))
                .map(|name| name.trim_matches('"').to_string())
        });
    let base = format!("{} {}", std::env::consts::OS, std::env::consts::ARCH);
    match pretty {
        Some(name) => format!("{base} ({name})"),
        None => base,
    }
}

fn rustc_version() -> Option<String> {
    let output = Command::new("rustc").arg("--version").output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout).trim().to_string();
    (!text.is_empty()).then_some(text)
}

fn utc_now() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (year, month, day) = civil_from_days((secs / 86_400) as i64);
    let minutes = secs % 86_400 / 60;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `civil_from_days`), so the header needs no date crate.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::civil_from_days;

    #[test]
    fn dates_from_days() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_000), (2024, 10, 4));
    }
}
