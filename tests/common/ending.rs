//! Running the real binary to its end, guarded: a command that does not
//! end by itself (a server that started when it should have refused to) is
//! killed and fails the test instead of hanging the run.

use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Runs a command that should end by itself: one that does not (a server
/// that started when it should have refused to) is killed and fails the
/// test instead of hanging the run. The deadline is no measure of speed.
pub fn run(command: &mut Command) -> Output {
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the apidesk binary runs");
    let pid = child.id().to_string();
    let (send, ended) = mpsc::channel();
    std::thread::spawn(move || send.send(child.wait_with_output()));
    match ended.recv_timeout(Duration::from_secs(60)) {
        Ok(output) => output.expect("the apidesk binary runs"),
        Err(_) => {
            let _ = Command::new("kill").args(["-KILL", &pid]).status();
            panic!("`{command:?}` did not end by itself");
        }
    }
}
