use super::*;

fn ip(text: &str) -> IpAddr {
    text.parse().unwrap()
}

#[track_caller]
fn refused(text: &str, says: &str) {
    let why = non_public(ip(text)).unwrap_or_else(|| panic!("{text} should be refused"));
    assert!(why.contains(says), "{text}: {why}");
}

#[test]
fn every_special_ipv4_range_is_refused_at_both_ends() {
    for (first, last, says) in [
        ("0.0.0.0", "0.255.255.255", "unspecified"),
        ("10.0.0.0", "10.255.255.255", "private"),
        ("100.64.0.0", "100.127.255.255", "carrier-grade NAT"),
        ("127.0.0.1", "127.255.255.254", "loopback"),
        ("169.254.0.0", "169.254.255.255", "link-local"),
        ("172.16.0.0", "172.31.255.255", "private"),
        ("192.0.0.0", "192.0.0.255", "protocols"),
        ("192.0.2.0", "192.0.2.255", "documentation"),
        ("192.88.99.0", "192.88.99.255", "6to4 relay"),
        ("192.168.0.0", "192.168.255.255", "private"),
        ("198.18.0.0", "198.19.255.255", "benchmarking"),
        ("198.51.100.0", "198.51.100.255", "documentation"),
        ("203.0.113.0", "203.0.113.255", "documentation"),
        ("224.0.0.0", "239.255.255.255", "multicast"),
        ("240.0.0.0", "255.255.255.254", "reserved"),
        ("255.255.255.255", "255.255.255.255", "broadcast"),
    ] {
        refused(first, says);
        refused(last, says);
    }
    // The cloud metadata service, by name.
    refused("169.254.169.254", "link-local");
}

#[test]
fn public_ipv4_addresses_pass_including_the_neighbours_of_private_ranges() {
    for public in [
        "8.8.8.8",
        "1.1.1.1",
        "9.255.255.255",
        "11.0.0.0",
        "100.63.255.255",
        "100.128.0.0",
        "126.255.255.255",
        "128.0.0.0",
        "172.15.255.255",
        "172.32.0.0",
        "192.167.255.255",
        "192.169.0.0",
        "198.17.255.255",
        "198.20.0.0",
        "223.255.255.255",
    ] {
        assert_eq!(non_public(ip(public)), None, "{public}");
    }
}

#[test]
fn every_special_ipv6_range_is_refused() {
    for (address, says) in [
        ("::", "unspecified"),
        ("::1", "loopback"),
        ("fe80::1", "link-local"),
        ("febf:ffff::1", "link-local"),
        ("fc00::1", "unique local"),
        ("fd12:3456:789a::1", "unique local"),
        ("fec0::1", "site-local"),
        ("ff02::1", "multicast"),
        ("ff0e::1", "multicast"),
        ("2001:db8::1", "documentation"),
        ("3fff::1", "documentation"),
        ("100::1", "discard"),
        ("2001::1", "protocols"),
        ("64:ff9b:1::1", "local NAT64"),
        ("5f00::1", "segment routing"),
    ] {
        refused(address, says);
    }
}

#[test]
fn ipv6_forms_holding_an_ipv4_address_are_judged_by_it() {
    for (address, says) in [
        (
            "::ffff:127.0.0.1",
            "IPv4-mapped IPv6 address of 127.0.0.1, which is loopback",
        ),
        (
            "::ffff:10.1.2.3",
            "IPv4-mapped IPv6 address of 10.1.2.3, which is private",
        ),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:7f00:1", "127.0.0.1, which is loopback"),
        ("64:ff9b::10.0.0.1", "NAT64 IPv6 address of 10.0.0.1"),
        ("64:ff9b::7f00:1", "NAT64 IPv6 address of 127.0.0.1"),
        ("2002:7f00:1::1", "6to4 IPv6 address of 127.0.0.1"),
        ("2002:c0a8:101::1", "6to4 IPv6 address of 192.168.1.1"),
        ("::127.0.0.1", "IPv4-compatible"),
        ("::10.0.0.1", "IPv4-compatible"),
        ("::8.8.8.8", "IPv4-compatible"),
    ] {
        refused(address, says);
    }
    // The same forms of a public address reach a public address.
    for public in ["::ffff:8.8.8.8", "64:ff9b::808:808", "2002:808:808::1"] {
        assert_eq!(non_public(ip(public)), None, "{public}");
    }
}

#[test]
fn public_ipv6_addresses_pass() {
    for public in [
        "2606:4700:4700::1111",
        "2a00:1450:4001:82b::200e",
        "2001:4860::8888",
    ] {
        assert_eq!(non_public(ip(public)), None, "{public}");
    }
}

fn url(text: &str) -> Url {
    Url::parse(text).unwrap()
}

#[test]
fn urls_with_private_literals_or_local_names_are_refused_before_sending() {
    let none = AllowList::default();
    for (text, says) in [
        ("http://127.0.0.1:8080/hook", "127.0.0.1 is loopback"),
        ("http://[::1]/hook", "::1 is loopback"),
        (
            "http://[::ffff:10.0.0.1]/hook",
            "10.0.0.1, which is private",
        ),
        ("https://10.1.2.3/hook", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        // Spellings the URL standard reads as 127.0.0.1.
        ("http://2130706433/", "127.0.0.1 is loopback"),
        ("http://0x7f.1/", "127.0.0.1 is loopback"),
        ("http://127.1/", "127.0.0.1 is loopback"),
        ("http://localhost:3000/", "this machine"),
        ("http://LOCALHOST./", "this machine"),
        ("http://api.localhost/", "this machine"),
        ("ftp://example.com/", "only http"),
        ("file:///etc/passwd", "only http"),
        ("https://user:pw@example.com/", "user name or password"),
    ] {
        let err = check_url(&url(text), &none).expect_err(text);
        assert!(err.0.contains(says), "{text}: {err}");
    }
    for fine in [
        "https://hooks.slack.com/services/T0/B0/x",
        "http://8.8.8.8/",
        "https://[2606:4700::1111]/",
        // A name is judged by what it resolves to, when connecting.
        "https://internal.example.com/",
    ] {
        assert_eq!(check_url(&url(fine), &none), Ok(()), "{fine}");
    }
}

#[test]
fn an_allowed_host_may_be_private_and_only_that_host() {
    let allow = AllowList::parse("127.0.0.1, Listener.Internal,[::1]").unwrap();
    assert!(check_url(&url("http://127.0.0.1:9000/"), &allow).is_ok());
    assert!(check_url(&url("http://[::1]:9000/"), &allow).is_ok());
    assert!(check_url(&url("http://127.0.0.2:9000/"), &allow).is_err());
    assert!(check_url(&url("http://localhost:9000/"), &allow).is_err());
    let private = vec![ip("10.0.0.7")];
    assert_eq!(
        check_resolved("listener.internal", private.clone(), &allow),
        Ok(private.clone())
    );
    assert!(check_resolved("other.internal", private, &allow).is_err());
    assert_eq!(allow.to_string(), "127.0.0.1,listener.internal,::1");
}

#[test]
fn one_private_address_among_public_ones_refuses_the_name() {
    let none = AllowList::default();
    let mixed = vec![ip("93.184.215.14"), ip("10.0.0.1")];
    let err = check_resolved("rebind.example", mixed, &none).unwrap_err();
    assert!(
        err.0
            .contains("rebind.example resolves to 10.0.0.1, private"),
        "{err}"
    );
    let v6 = vec![ip("2606:4700::1111"), ip("::1")];
    assert!(check_resolved("rebind.example", v6, &none).is_err());
    assert!(check_resolved("nothing.example", vec![], &none).is_err());
    let public = vec![ip("93.184.215.14"), ip("2606:4700::1111")];
    assert_eq!(
        check_resolved("example.com", public.clone(), &none),
        Ok(public)
    );
}

#[test]
fn allow_lists_take_names_only() {
    assert!(AllowList::parse("").unwrap().is_empty());
    assert!(AllowList::parse(" , ").unwrap().is_empty());
    for bad in ["http://x.example", "x.example/path", "x.example:80", "a b"] {
        assert!(AllowList::parse(bad).is_err(), "{bad}");
    }
}
