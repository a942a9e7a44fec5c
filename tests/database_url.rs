//! `--database-url` that apidesk cannot serve from stops the start with the
//! setting named, and leaves nothing behind: it used to be taken for a file
//! name (a folder named `postgres:` with a new, empty database inside).

#[path = "common/ending.rs"]
mod ending;

use std::process::Command;

#[test]
fn an_unknown_scheme_or_an_empty_path_stops_the_start_and_says_which_setting() {
    for (url, said) in [
        ("postgres://db.example.com/apidesk", "\"postgres\""),
        ("mysql://localhost/apidesk", "\"mysql\""),
        ("sqlite://", "names no database file"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        for via_env in [false, true] {
            let mut command = Command::new(env!("CARGO_BIN_EXE_apidesk"));
            for (name, _) in std::env::vars_os() {
                if name.to_string_lossy().starts_with("APIDESK_") {
                    command.env_remove(name);
                }
            }
            if via_env {
                command.env("APIDESK_DATABASE_URL", url);
            } else {
                command.args(["--database-url", url]);
            }
            command
                .args(["serve", "--bind", "127.0.0.1:0"])
                .current_dir(dir.path());
            let out = ending::run(&mut command);
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert!(!out.status.success(), "{url}: {stderr}");
            assert!(stderr.contains("--database-url"), "{url}: {stderr}");
            assert!(stderr.contains(said), "{url}: {stderr}");
            assert!(stderr.contains("sqlite://PATH"), "{url}: {stderr}");
        }
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert!(left.is_empty(), "{url}: nothing is created: {left:?}");
    }
}
