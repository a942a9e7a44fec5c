use super::*;

const PUBLIC: Option<&str> = Some("https://help.example.com");

fn settings(url: &str) -> MailSettings {
    MailSettings {
        smtp_url: Some(url.to_string()),
        mail_from: Some("apidesk support <support@example.com>".to_string()),
        smtp_ca_file: None,
        mail_replies: None,
        mail_new_tickets: false,
    }
}

fn checked(url: &str) -> MailConfig {
    settings(url)
        .check(PUBLIC)
        .unwrap_or_else(|err| panic!("{url}: {err}"))
        .expect("mail is on")
}

#[test]
fn no_smtp_url_means_mail_is_off() {
    let off = MailSettings {
        mail_from: Some("support@example.com".into()),
        ..MailSettings::default()
    };
    assert!(off.check(None).unwrap().is_none());
    let empty = MailSettings {
        smtp_url: Some("  ".into()),
        ..off
    };
    assert!(empty.check(None).unwrap().is_none());
}

#[test]
fn schemes_choose_how_the_connection_is_protected() {
    let remote = checked("smtp://apidesk:s3cret@mail.example.com:587");
    assert_eq!(remote.security, SmtpSecurity::StartTls);
    assert_eq!(
        (remote.host.as_str(), remote.port),
        ("mail.example.com", 587)
    );
    let creds = remote.credentials.expect("credentials");
    assert_eq!(
        (creds.user.as_str(), creds.password.as_str()),
        ("apidesk", "s3cret")
    );
    assert_eq!(remote.from.email.to_string(), "support@example.com");
    assert_eq!(remote.public_url, "https://help.example.com");

    let tls = checked("smtps://mail.example.com");
    assert_eq!((tls.security, tls.port), (SmtpSecurity::Tls, 465));
    assert!(tls.credentials.is_none());
    assert_eq!(checked("smtp://mail.example.com").port, 587);

    for local in [
        "smtp://127.0.0.1:2525",
        "smtp://localhost:25",
        "smtp://[::1]:2525/",
    ] {
        assert_eq!(checked(local).security, SmtpSecurity::Plain, "{local}");
    }
    assert_eq!(
        checked("smtp://127.0.0.1:2525?tls=none").security,
        SmtpSecurity::Plain
    );
    // A loopback host still gets TLS when asked for it.
    assert_eq!(checked("smtps://127.0.0.1:465").security, SmtpSecurity::Tls);
}

#[test]
fn plain_smtp_to_a_remote_host_is_refused() {
    let err = settings("smtp://u:p@mail.example.com:25?tls=none")
        .check(PUBLIC)
        .unwrap_err();
    assert_eq!(
        err,
        MailConfigError::PlainToRemote("mail.example.com".into())
    );
    assert!(err.to_string().contains("loopback"), "{err}");
    assert!(
        settings("smtp://10.0.0.5:25?tls=none")
            .check(PUBLIC)
            .is_err()
    );
    // Without the query a remote host is always STARTTLS, never plain.
    assert_eq!(
        checked("smtp://10.0.0.5:25").security,
        SmtpSecurity::StartTls
    );
}

#[test]
fn percent_encoded_credentials_are_decoded() {
    let config = checked("smtp://me%40example.com:p%40ss%3Aw0rd@mail.example.com");
    let creds = config.credentials.unwrap();
    assert_eq!(creds.user, "me@example.com");
    assert_eq!(creds.password, "p@ss:w0rd");
}

#[test]
fn smtp_without_sender_or_public_url_is_refused_by_name() {
    let mut no_from = settings("smtp://mail.example.com");
    no_from.mail_from = None;
    let err = no_from.check(PUBLIC).unwrap_err();
    assert_eq!(err, MailConfigError::MissingFrom);
    assert!(err.to_string().contains("--mail-from"), "{err}");

    let err = settings("smtp://mail.example.com").check(None).unwrap_err();
    assert_eq!(err, MailConfigError::MissingPublicUrl);
    assert!(err.to_string().contains("--public-url"), "{err}");

    let mut bad_from = settings("smtp://mail.example.com");
    bad_from.mail_from = Some("not an address".into());
    let err = bad_from.check(PUBLIC).unwrap_err();
    assert!(err.to_string().contains("--mail-from"), "{err}");
}

#[test]
fn malformed_urls_are_refused_naming_the_setting() {
    for bad in [
        "mail.example.com:587",
        "http://mail.example.com",
        "imap://user:pw@mail.example.com",
        "smtp://",
        "smtp://mail.example.com:99999",
        "smtp://mail.example.com/inbox",
        "smtp://mail.example.com?tls=required",
        "smtps://127.0.0.1?tls=none",
        "smtp://:pw@mail.example.com",
    ] {
        let err = settings(bad).check(PUBLIC).unwrap_err();
        assert!(
            err.to_string().starts_with("--smtp-url (APIDESK_SMTP_URL)"),
            "{bad}: {err}"
        );
    }
}

#[test]
fn the_password_never_shows() {
    let password = "Hunter2-Sekret";
    let url = format!("smtp://apidesk:{password}@mail.example.com:587");
    let mut s = settings(&url);
    assert!(!format!("{s:?}").contains(password), "{s:?}");
    assert!(format!("{s:?}").contains("mail.example.com"));
    let config = s.check(PUBLIC).unwrap().unwrap();
    assert!(!format!("{config:?}").contains(password), "{config:?}");

    // Errors found after the password was read do not quote it either.
    for broken in [
        format!("smtp://apidesk:{password}@mail.example.com:587/x"),
        format!("smtp://apidesk:{password}@mail.example.com:25?tls=none"),
        format!("smtp://apidesk:{password}@mail.example.com:port"),
        format!("ftp://apidesk:{password}@mail.example.com"),
        format!("smtp://apidesk:{password}@"),
    ] {
        s.smtp_url = Some(broken.clone());
        assert!(!format!("{s:?}").contains(password), "{s:?}");
        let err = s.check(PUBLIC).unwrap_err();
        assert!(!err.to_string().contains(password), "{err}");
        assert!(!format!("{err:?}").contains(password), "{err:?}");
    }
}

#[test]
fn the_ca_file_must_hold_a_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings("smtp://mail.example.com");

    s.smtp_ca_file = Some(dir.path().join("missing.pem"));
    let err = s.check(PUBLIC).unwrap_err();
    assert!(err.to_string().starts_with("--smtp-ca-file"), "{err}");

    let empty = dir.path().join("empty.pem");
    std::fs::write(&empty, "not a certificate").unwrap();
    s.smtp_ca_file = Some(empty);
    assert!(matches!(s.check(PUBLIC), Err(MailConfigError::CaFile(_))));

    let pem = dir.path().join("ca.pem");
    std::fs::write(
        &pem,
        "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
    )
    .unwrap();
    s.smtp_ca_file = Some(pem);
    assert!(s.check(PUBLIC).unwrap().unwrap().ca_pem.is_some());
}
