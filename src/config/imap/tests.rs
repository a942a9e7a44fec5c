use super::*;

const PASSWORD: &str = "Imap-Pa55-Never-Shown";

fn settings(url: &str) -> ImapSettings {
    ImapSettings {
        imap_url: Some(url.to_string()),
        ..ImapSettings::default()
    }
}

fn checked(url: &str) -> ImapConfig {
    settings(url)
        .check()
        .unwrap_or_else(|err| panic!("{url}: {err}"))
        .expect("IMAP is on")
}

#[test]
fn no_imap_url_means_no_polling() {
    assert!(ImapSettings::default().check().unwrap().is_none());
    assert!(settings("  ").check().unwrap().is_none());
}

#[test]
fn schemes_ports_and_the_mailbox_come_from_the_url() {
    let tls = checked("imaps://support:s3cret@imap.example.com");
    assert_eq!(tls.security, ImapSecurity::Tls);
    assert_eq!((tls.host.as_str(), tls.port), ("imap.example.com", 993));
    assert_eq!(
        (tls.user.as_str(), tls.password.as_str()),
        ("support", "s3cret")
    );
    assert_eq!(tls.mailbox, "INBOX");
    assert_eq!(tls.poll, Duration::from_secs(30));
    assert!(tls.ca_pem.is_none());

    let starttls = checked("imap://support:s3cret@imap.example.com/Support");
    assert_eq!(starttls.security, ImapSecurity::StartTls);
    assert_eq!((starttls.port, starttls.mailbox.as_str()), (143, "Support"));

    let local = checked("imaps://u:p@127.0.0.1:10993/");
    assert_eq!(
        (local.server().as_str(), local.mailbox.as_str()),
        ("127.0.0.1:10993", "INBOX")
    );
    assert_eq!(checked("imaps://u:p@[::1]:993").server(), "[::1]:993");
}

#[test]
fn user_password_and_mailbox_are_percent_decoded() {
    let config =
        checked("imaps://support%40example.com:p%40ss%3Aw%2Fd@imap.example.com/Help%20desk");
    assert_eq!(config.user, "support@example.com");
    assert_eq!(config.password, "p@ss:w/d");
    assert_eq!(config.mailbox, "Help desk");
}

#[test]
fn the_poll_interval_is_taken_from_its_setting() {
    let mut s = settings("imaps://u:p@imap.example.com");
    s.imap_poll_seconds = 300;
    assert_eq!(s.check().unwrap().unwrap().poll, Duration::from_secs(300));
}

#[test]
fn the_poll_interval_is_bounded_on_the_command_line() {
    use clap::Parser;
    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        imap: ImapSettings,
    }
    let parse = |value: &str| Cli::try_parse_from(["apidesk", "--imap-poll-seconds", value]);
    assert_eq!(parse("5").unwrap().imap.imap_poll_seconds, 5);
    assert_eq!(parse("3600").unwrap().imap.imap_poll_seconds, 3600);
    for bad in ["4", "3601", "0", "soon"] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    let defaults = Cli::try_parse_from(["apidesk"]).unwrap();
    assert_eq!(defaults.imap.imap_poll_seconds, 30);
}

#[test]
fn bad_urls_are_refused_by_the_settings_name() {
    for (url, why) in [
        ("pop3://u:p@mail.example.com", "imaps://"),
        ("imaps://mail.example.com", "needs a user"),
        ("imaps://:p@mail.example.com", "needs a user"),
        ("imaps://u@mail.example.com", "needs a password"),
        ("imaps://u:p@mail.example.com/INBOX?x=1", "no query"),
        ("imaps://u:p@mail.example.com:port", "invalid port"),
        ("mail.example.com", "relative URL"),
    ] {
        let err = settings(url).check().unwrap_err();
        assert!(matches!(err, ImapConfigError::BadUrl(_)), "{url}: {err:?}");
        let text = err.to_string();
        assert!(text.starts_with("--imap-url (APIDESK_IMAP_URL)"), "{text}");
        assert!(text.contains(why), "{url}: {text}");
    }
}

#[test]
fn the_password_is_never_shown() {
    let mut s = settings(&format!(
        "imaps://support:{PASSWORD}@imap.example.com/INBOX"
    ));
    assert!(!format!("{s:?}").contains(PASSWORD), "{s:?}");
    let config = s.check().unwrap().unwrap();
    assert_eq!(config.password, PASSWORD);
    assert!(!format!("{config:?}").contains(PASSWORD), "{config:?}");
    for broken in [
        format!("pop3://support:{PASSWORD}@imap.example.com"),
        format!("imaps://support:{PASSWORD}@imap.example.com/INBOX#x"),
        format!("imaps://support:{PASSWORD}@imap.example.com:port"),
        format!("imaps://:{PASSWORD}@imap.example.com"),
        format!("imaps://support:{PASSWORD}@"),
    ] {
        s.imap_url = Some(broken.clone());
        assert!(!format!("{s:?}").contains(PASSWORD), "{s:?}");
        let err = s.check().unwrap_err();
        assert!(!err.to_string().contains(PASSWORD), "{err}");
        assert!(!format!("{err:?}").contains(PASSWORD), "{err:?}");
    }
}

#[test]
fn the_ca_file_must_hold_a_usable_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings("imaps://u:p@imap.example.com");
    let refused = |s: &ImapSettings| {
        let err = s.check().unwrap_err();
        assert!(matches!(err, ImapConfigError::CaFile(_)), "{err:?}");
        assert!(
            err.to_string()
                .starts_with("--imap-ca-file (APIDESK_IMAP_CA_FILE)"),
            "{err}"
        );
        err.to_string()
    };

    s.imap_ca_file = Some(dir.path().join("missing.pem"));
    assert!(refused(&s).contains("cannot be read"));

    let text = dir.path().join("text.pem");
    std::fs::write(&text, "not a certificate").unwrap();
    s.imap_ca_file = Some(text);
    assert!(refused(&s).contains("no PEM certificate"));

    let garbage = dir.path().join("garbage.pem");
    std::fs::write(
        &garbage,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    s.imap_ca_file = Some(garbage);
    assert!(refused(&s).contains("cannot be"));

    let ca = rcgen::CertificateParams::new(Vec::<String>::new())
        .unwrap()
        .self_signed(&rcgen::KeyPair::generate().unwrap())
        .unwrap();
    let good = dir.path().join("ca.pem");
    std::fs::write(&good, ca.pem()).unwrap();
    s.imap_ca_file = Some(good);
    let config = s.check().unwrap().unwrap();
    assert_eq!(config.ca_pem.as_deref(), Some(ca.pem().as_bytes()));
}
