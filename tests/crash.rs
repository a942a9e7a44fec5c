//! Nothing acknowledged is lost when the server is killed: clients file
//! tickets with unique markers through the form and the API, the real
//! binary gets SIGKILL at random moments and is started again on the same
//! database, and after each restart the database is checked whole against
//! what every request came to (Jepsen's set test, in small).
//!
//! A SIGKILL leaves the operating system's page cache intact, so this test
//! cannot catch a missing fsync; `store::sqlite::durability` asserts that
//! every write connection runs with `synchronous = FULL`.
//!
//! The kills come at moments drawn from a seed, printed with the summary;
//! `APIDESK_CRASH_SEED=N` runs the same draw again.

#![cfg(unix)]

#[path = "common/binary.rs"]
mod binary;
mod common;
#[path = "common/filing.rs"]
mod filing;

use std::time::Duration;

use binary::Deployment;
use filing::{Clients, Ledger, check, read_database};

const KILLS: usize = 12;
/// Form clients, and as many API clients, filing at once.
const CLIENTS_PER_KIND: usize = 3;

/// xorshift64*: enough to spread the kills, and repeatable from its seed.
struct Draw(u64);

impl Draw {
    fn seeded() -> (Self, u64) {
        let seed = std::env::var("APIDESK_CRASH_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
            });
        (Self(seed | 1), seed)
    }

    fn millis(&mut self, low: u64, high: u64) -> Duration {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        let n = self.0.wrapping_mul(0x2545_f491_4f6c_dd1d);
        Duration::from_millis(low + n % (high - low))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn nothing_acknowledged_is_lost_when_the_server_is_killed() {
    let (mut draw, seed) = Draw::seeded();
    let deployment = Deployment::new().await;
    let ledger = Ledger::default();
    let mut server = deployment.start().await;
    let mut tally = filing::Tally::default();
    for kill in 1..=KILLS {
        let clients = Clients::start(
            &server.base,
            &deployment.token,
            &format!("k{kill}"),
            CLIENTS_PER_KIND,
            &ledger,
        );
        tokio::time::sleep(draw.millis(150, 1500)).await;
        server.kill();
        clients.stop().await;

        server = deployment.start().await;
        let (integrity, stored) = read_database(&deployment.database).await;
        assert_eq!(integrity, "ok", "integrity after kill {kill} (seed {seed})");
        let attempts = ledger.lock().unwrap().clone();
        tally = check(&stored, &attempts, &attempts);
    }
    println!(
        "crash test (seed {seed}): {KILLS} kills, {} acknowledged, {} maybe ({} of them stored), \
         {} failed, {} tickets stored",
        tally.acknowledged, tally.maybe, tally.maybe_stored, tally.failed, tally.stored
    );
    assert!(
        tally.acknowledged >= KILLS,
        "the clients filed too little to test anything: {tally:?}"
    );
    server.terminate();
    let exit = server.exit_within(Duration::from_secs(10));
    assert!(exit.is_some_and(|s| s.success()), "{exit:?}");
}
