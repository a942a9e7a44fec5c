//! Over a real TCP socket: clients that are slow to send their headers, or
//! that keep a connection open doing nothing, are disconnected, and the
//! number of connections is bounded (slowloris).

mod common;
#[path = "common/server.rs"]
mod server;

use std::time::Duration;

use server::Server;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Only guards against a test that would otherwise hang forever; what is
/// asserted is that the server closed the connection, not how fast.
const HANG_GUARD: Duration = Duration::from_secs(20);

async fn start(header_timeout: Duration, max_connections: usize) -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::test_config(&dir);
    config.header_timeout = header_timeout;
    config.max_connections = max_connections;
    (Server::start_with(config).await, dir)
}

async fn connect(server: &Server) -> TcpStream {
    TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection; what it sent first.
async fn read_until_closed(stream: &mut TcpStream) -> String {
    let mut received = Vec::new();
    tokio::time::timeout(HANG_GUARD, stream.read_to_end(&mut received))
        .await
        .expect("the server closes the connection")
        .unwrap_or_default();
    String::from_utf8_lossy(&received).into_owned()
}

#[tokio::test]
async fn a_client_that_never_finishes_its_headers_is_disconnected() {
    let (server, _dir) = start(Duration::from_millis(300), 64).await;
    let mut slow = connect(&server).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let answer = read_until_closed(&mut slow).await;
    assert!(!answer.contains("200 OK"), "{answer}");

    // A client that connects and says nothing at all, likewise.
    let mut silent = connect(&server).await;
    read_until_closed(&mut silent).await;

    // Normal requests are unaffected.
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    server.shut_down().await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed() {
    let (server, _dir) = start(Duration::from_millis(300), 64).await;
    let mut client = connect(&server).await;
    client
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The response comes, then nothing more is asked: the server hangs up.
    let answer = read_until_closed(&mut client).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    server.shut_down().await;
}

#[tokio::test]
async fn connections_past_the_limit_wait_for_a_free_slot() {
    let (server, _dir) = start(Duration::from_millis(500), 1).await;
    let mut idle = connect(&server).await;
    // Let the server take the idle connection first.
    idle.write_all(b"GET").await.unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;

    let mut waiting = connect(&server).await;
    waiting
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut waiting).await;
    assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
    // It was only served once the idle one had been let go.
    let mut rest = Vec::new();
    let closed = tokio::time::timeout(Duration::from_millis(1), idle.read_to_end(&mut rest)).await;
    assert!(
        closed.is_ok(),
        "the idle connection was still open when the next was served"
    );
    server.shut_down().await;
}
