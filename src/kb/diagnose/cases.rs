//! Real error messages as common clients print them, each with the guide it
//! must reach: `(message, code, status)`. `code` is the tree the start page
//! sends the person to, or `None` (the `other` page); `status` is the HTTP
//! status the page names.
//!
//! Every group names where its messages come from: the client's own source
//! or documentation, or an issue where someone pasted what they saw. Pasted
//! messages are copied as printed (only a long URL, token, stack trace or
//! body may be cut short). Where a group's source is a format string, some
//! of its messages fill that exact format with another status or a
//! placeholder URL (`api.example.com`); the group's comment names the
//! format. Nothing here is written to fit the recogniser.
//!
//! One file per client family; [`GROUPS`] lists them all, and the tests
//! below run every message.

mod automation;
mod curl;
mod dotnet;
mod go;
mod java;
mod node;
mod other_clients;
mod php;
mod python;
mod ruby;
mod servers;

use super::diagnose;
use crate::domain::ErrorCode::{self, *};

type Case = (&'static str, Option<ErrorCode>, Option<u16>);

const GROUPS: &[(&str, &[Case])] = &[
    ("Python requests", python::PYTHON_REQUESTS),
    (
        "Python requests, no status",
        python::PYTHON_REQUESTS_NETWORK,
    ),
    ("Python urllib", python::PYTHON_URLLIB),
    ("Python httpx", python::PYTHON_HTTPX),
    ("Python aiohttp", python::PYTHON_AIOHTTP),
    ("Python botocore", python::PYTHON_BOTOCORE),
    ("Python werkzeug", python::PYTHON_WERKZEUG),
    ("Node axios", node::NODE_AXIOS),
    ("Node system errors", node::NODE_SYSTEM),
    ("Node fetch", node::NODE_FETCH),
    ("curl", curl::CURL),
    (".NET", dotnet::DOTNET),
    ("Java", java::JAVA),
    ("Ruby", ruby::RUBY),
    ("PHP Guzzle", php::PHP_GUZZLE),
    ("Go", go::GO),
    ("other clients", other_clients::OTHER_CLIENTS),
    ("gateway pages", servers::GATEWAY_PAGES),
    ("OAuth bearer", servers::OAUTH_BEARER),
    ("Workato", automation::WORKATO),
    ("Zapier and Make", automation::ZAPIER_AND_MAKE),
];

#[test]
fn real_messages_reach_their_tree() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (group, cases) in GROUPS {
        for &(text, code, status) in *cases {
            count += 1;
            let found = diagnose(text);
            if (found.code, found.status) != (code, status) {
                failures.push(format!(
                    "[{group}] {text:?}: expected {code:?}/{status:?}, got {:?}/{:?}",
                    found.code, found.status
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    println!("{count} real messages");
    assert!(count >= 150, "only {count} cases");
}

/// Every tree a message can lead to is reached by some real message here;
/// `Pagination` prints no message of its own and `Other` is the fallback.
#[test]
fn every_recognisable_tree_has_real_messages() {
    let reached: Vec<ErrorCode> = GROUPS
        .iter()
        .flat_map(|(_, cases)| cases.iter().filter_map(|&(_, code, _)| code))
        .collect();
    for code in ErrorCode::ALL {
        if matches!(code, Pagination | Other) {
            continue;
        }
        assert!(reached.contains(&code), "no real message reaches {code:?}");
    }
}
