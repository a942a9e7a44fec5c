use std::fmt;

/// The error a requester is troubleshooting: an HTTP status apidesk has a
/// decision tree for, a failure that never got a status (timeout,
/// connection, DNS, TLS), a reply that could not be read (not JSON, records
/// missing across pages), or `Other` for anything else.
///
/// Declaration order is display order (queue filter, ticket form): the HTTP
/// statuses in numeric order, then the failures without one, then `Other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    UnprocessableEntity,
    TooManyRequests,
    InternalServerError,
    BadGateway,
    ServiceUnavailable,
    GatewayTimeout,
    Timeout,
    Connection,
    Dns,
    Tls,
    InvalidJson,
    Pagination,
    Other,
}

/// Each code's key (in URLs, forms and the database) and the words people
/// see next to it. One table, so `parse` and `as_str` cannot drift apart.
const TABLE: [(ErrorCode, &str, &str); 21] = [
    (ErrorCode::BadRequest, "400", "Bad Request"),
    (ErrorCode::Unauthorized, "401", "Unauthorized"),
    (ErrorCode::Forbidden, "403", "Forbidden"),
    (ErrorCode::NotFound, "404", "Not Found"),
    (ErrorCode::MethodNotAllowed, "405", "Method Not Allowed"),
    (ErrorCode::Conflict, "409", "Conflict"),
    (ErrorCode::PayloadTooLarge, "413", "Payload Too Large"),
    (
        ErrorCode::UnsupportedMediaType,
        "415",
        "Unsupported Media Type",
    ),
    (
        ErrorCode::UnprocessableEntity,
        "422",
        "Unprocessable Entity",
    ),
    (ErrorCode::TooManyRequests, "429", "Too Many Requests"),
    (
        ErrorCode::InternalServerError,
        "500",
        "Internal Server Error",
    ),
    (ErrorCode::BadGateway, "502", "Bad Gateway"),
    (ErrorCode::ServiceUnavailable, "503", "Service Unavailable"),
    (ErrorCode::GatewayTimeout, "504", "Gateway Timeout"),
    (ErrorCode::Timeout, "timeout", "Timed out"),
    (
        ErrorCode::Connection,
        "connection",
        "Connection refused or reset",
    ),
    (ErrorCode::Dns, "dns", "Host name not found (DNS)"),
    (ErrorCode::Tls, "tls", "Certificate or TLS error"),
    (ErrorCode::InvalidJson, "invalid-json", "Reply is not JSON"),
    (
        ErrorCode::Pagination,
        "pagination",
        "Records missing or repeated across pages",
    ),
    (ErrorCode::Other, "other", "Something else"),
];

impl ErrorCode {
    pub const ALL: [ErrorCode; 21] = {
        let mut all = [ErrorCode::Other; 21];
        let mut i = 0;
        while i < TABLE.len() {
            all[i] = TABLE[i].0;
            i += 1;
        }
        all
    };

    /// The five errors most integrations meet, offered first on the start page.
    pub const COMMON: [ErrorCode; 5] = [
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::TooManyRequests,
        ErrorCode::InternalServerError,
    ];

    /// Parses the form used in URLs, forms and the database: `400` … `504`,
    /// `timeout`, `connection`, `dns`, `tls`, `invalid-json`, `pagination`, `other`.
    pub fn parse(s: &str) -> Option<Self> {
        let key = s.trim();
        TABLE
            .iter()
            .find(|(_, k, _)| k.eq_ignore_ascii_case(key))
            .map(|(code, _, _)| *code)
    }

    fn row(self) -> &'static (ErrorCode, &'static str, &'static str) {
        &TABLE[self as usize]
    }

    pub fn as_str(self) -> &'static str {
        self.row().1
    }

    /// The reason phrase people see next to the number, or the words that
    /// name a failure without one.
    pub fn reason(self) -> &'static str {
        self.row().2
    }

    /// The HTTP status this code stands for, if it is one.
    pub fn http_status(self) -> Option<u16> {
        self.as_str().parse().ok()
    }

    /// One of the five errors offered first; the rest are "more errors".
    pub fn is_common(self) -> bool {
        Self::COMMON.contains(&self)
    }

    /// Every key, in order, for messages that list what is allowed:
    /// `ErrorCode::keys(", ")` is "400, 401, …, pagination, other".
    pub fn keys(separator: &str) -> String {
        Self::ALL.map(Self::as_str).join(separator)
    }

    /// "401 Unauthorized", "Timed out", or "Something else".
    pub fn label(self) -> String {
        match self.http_status() {
            Some(status) => format!("{status} {}", self.reason()),
            None => self.reason().to_string(),
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_in_declaration_order() {
        for (i, (code, _, _)) in TABLE.iter().enumerate() {
            assert_eq!(*code as usize, i, "{code:?}");
            assert_eq!(ErrorCode::ALL[i], *code);
        }
    }

    #[test]
    fn parses_every_code_it_prints() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
    }

    #[test]
    fn accepts_case_and_whitespace_but_not_other_numbers() {
        assert_eq!(ErrorCode::parse(" OTHER "), Some(ErrorCode::Other));
        assert_eq!(
            ErrorCode::parse("Invalid-JSON"),
            Some(ErrorCode::InvalidJson)
        );
        assert_eq!(ErrorCode::parse("402"), None);
        assert_eq!(ErrorCode::parse("408"), None);
        assert_eq!(ErrorCode::parse(""), None);
        assert_eq!(ErrorCode::parse("4011"), None);
    }

    #[test]
    fn labels_read_naturally() {
        assert_eq!(ErrorCode::TooManyRequests.label(), "429 Too Many Requests");
        assert_eq!(ErrorCode::GatewayTimeout.label(), "504 Gateway Timeout");
        assert_eq!(ErrorCode::Dns.label(), "Host name not found (DNS)");
        assert_eq!(ErrorCode::Other.label(), "Something else");
    }

    #[test]
    fn only_http_codes_have_a_status() {
        assert_eq!(ErrorCode::Conflict.http_status(), Some(409));
        assert_eq!(ErrorCode::Timeout.http_status(), None);
        assert_eq!(ErrorCode::Other.http_status(), None);
        assert!(ErrorCode::COMMON.iter().all(|c| c.is_common()));
        assert!(!ErrorCode::BadRequest.is_common());
    }
}
