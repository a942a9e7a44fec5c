use std::fmt;

/// The error a requester is troubleshooting: one of the HTTP codes apidesk
/// has a decision tree for, or `Other` for anything else (non-HTTP errors,
/// codes without a tree of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ErrorCode {
    Unauthorized,
    Forbidden,
    NotFound,
    TooManyRequests,
    InternalServerError,
    Other,
}

impl ErrorCode {
    pub const ALL: [ErrorCode; 6] = [
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::TooManyRequests,
        ErrorCode::InternalServerError,
        ErrorCode::Other,
    ];

    /// Parses the form used in URLs, forms and the database: `401` … `500`, `other`.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "401" => Some(Self::Unauthorized),
            "403" => Some(Self::Forbidden),
            "404" => Some(Self::NotFound),
            "429" => Some(Self::TooManyRequests),
            "500" => Some(Self::InternalServerError),
            "other" => Some(Self::Other),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unauthorized => "401",
            Self::Forbidden => "403",
            Self::NotFound => "404",
            Self::TooManyRequests => "429",
            Self::InternalServerError => "500",
            Self::Other => "other",
        }
    }

    /// The reason phrase people see next to the number.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Unauthorized => "Unauthorized",
            Self::Forbidden => "Forbidden",
            Self::NotFound => "Not Found",
            Self::TooManyRequests => "Too Many Requests",
            Self::InternalServerError => "Internal Server Error",
            Self::Other => "Something else",
        }
    }

    /// "401 Unauthorized", or "Something else".
    pub fn label(self) -> String {
        match self {
            Self::Other => self.reason().to_string(),
            _ => format!("{} {}", self.as_str(), self.reason()),
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
    fn parses_every_code_it_prints() {
        for code in ErrorCode::ALL {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
    }

    #[test]
    fn accepts_case_and_whitespace_but_not_other_numbers() {
        assert_eq!(ErrorCode::parse(" OTHER "), Some(ErrorCode::Other));
        assert_eq!(ErrorCode::parse("402"), None);
        assert_eq!(ErrorCode::parse(""), None);
        assert_eq!(ErrorCode::parse("4011"), None);
    }

    #[test]
    fn labels_read_naturally() {
        assert_eq!(ErrorCode::TooManyRequests.label(), "429 Too Many Requests");
        assert_eq!(ErrorCode::Other.label(), "Something else");
    }
}
