//! The disk's own pace: how many times a second it makes a small write
//! durable. An acknowledged ticket waits for at least one such flush, so
//! filing is judged against this rate, measured on the same disk in the
//! same run.

use std::fs::OpenOptions;
use std::io::{Seek, SeekFrom, Write};
use std::path::Path;
use std::time::{Duration, Instant};

/// 4 KB written and `fdatasync`ed, one after another, for `period`.
pub fn fsync_rate(file: &Path, period: Duration) -> anyhow::Result<f64> {
    let mut f = OpenOptions::new()
        .create(true)
        .truncate(true)
        .write(true)
        .open(file)?;
    let block = [0x5a_u8; 4096];
    let started = Instant::now();
    let mut done = 0u64;
    while started.elapsed() < period {
        // Appending, as SQLite's WAL does, so each flush has new data.
        f.write_all(&block)?;
        f.sync_data()?;
        done += 1;
        if done.is_multiple_of(4096) {
            f.seek(SeekFrom::Start(0))?;
        }
    }
    let rate = done as f64 / started.elapsed().as_secs_f64();
    drop(f);
    std::fs::remove_file(file)?;
    Ok(rate)
}
