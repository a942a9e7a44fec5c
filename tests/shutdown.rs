//! Graceful shutdown under load, on the real binary: SIGTERM while clients
//! file tickets finishes the request in flight, refuses new connections,
//! cuts off a client that would hold it for ever, exits 0 within 10
//! seconds, and after a restart every acknowledged ticket is there.

#![cfg(unix)]

#[path = "common/binary.rs"]
mod binary;
mod common;
#[path = "common/filing.rs"]
mod filing;

use std::time::{Duration, Instant};

use binary::Deployment;
use filing::{Attempt, Clients, Ledger, Outcome, Receipt, Sent, Via, check, read_database};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// An API filing's head, for a request sent in pieces.
fn api_head(token: &str, length: usize) -> String {
    format!(
        "POST /api/v1/tickets HTTP/1.1\r\nHost: apidesk\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigterm_under_load_answers_what_is_in_flight_and_exits_cleanly_within_ten_seconds() {
    let deployment = Deployment::new().await;
    let ledger = Ledger::default();
    let server = deployment.start().await;
    let clients = Clients::start(&server.base, &deployment.token, "t", 3, &ledger);

    // In flight at SIGTERM: its head and half its body sent.
    let in_flight = Sent::new("in-flight".into(), Via::Api, 0);
    let body = in_flight.api_body();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(api_head(&deployment.token, body.len()).as_bytes())
        .await
        .unwrap();
    slow.write_all(first.as_bytes()).await.unwrap();
    // A client that never sends the rest of its body: shutdown does not
    // wait for it as long as the request timeout (30 s).
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled
        .write_all(api_head(&deployment.token, 1000).as_bytes())
        .await
        .unwrap();
    stalled.write_all(b"{\"error_code\":").await.unwrap();

    // Let the clients file for a while first.
    tokio::time::sleep(Duration::from_millis(700)).await;
    server.terminate();
    let terminated = Instant::now();

    // New work is refused: the listener closes (waited for, within a bound).
    loop {
        match TcpStream::connect(server.addr).await {
            Err(err) if err.kind() == std::io::ErrorKind::ConnectionRefused => break,
            // Reset: one waiting to be accepted as the listener closed.
            _ => assert!(
                terminated.elapsed() < Duration::from_secs(5),
                "still accepting connections 5 s after SIGTERM"
            ),
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The request in flight is finished and answered.
    slow.write_all(rest.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    slow.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    let (_, json) = answer.split_once("\r\n\r\n").unwrap();
    let ticket: serde_json::Value = serde_json::from_str(json).unwrap();
    ledger.lock().unwrap().push(Attempt {
        sent: in_flight,
        outcome: Outcome::Acknowledged(Receipt::Id(ticket["id"].as_i64().unwrap())),
    });

    clients.stop().await;
    let exit = server.exit_by(terminated + Duration::from_secs(10));
    assert!(
        exit.is_some_and(|status| status.success()),
        "SIGTERM: {exit:?} (none: still running 10 s later)"
    );
    drop(stalled);

    let attempts = ledger.lock().unwrap().clone();
    let hung: Vec<&Attempt> = attempts
        .iter()
        .filter(|a| matches!(&a.outcome, Outcome::Maybe(why) if why.starts_with("timed out")))
        .collect();
    assert!(hung.is_empty(), "requests left hanging: {hung:?}");

    let server = deployment.start().await;
    let (integrity, stored) = read_database(&deployment.database).await;
    assert_eq!(integrity, "ok");
    let tally = check(&stored, &attempts, &attempts);
    println!(
        "shutdown under load: {} acknowledged, {} maybe ({} of them stored), {} refused, \
         exited in {:.1} s",
        tally.acknowledged,
        tally.maybe,
        tally.maybe_stored,
        tally.failed,
        terminated.elapsed().as_secs_f64()
    );
    assert!(tally.acknowledged > 1, "{tally:?}");
    server.terminate();
    assert!(
        server
            .exit_within(Duration::from_secs(10))
            .is_some_and(|s| s.success())
    );
}
