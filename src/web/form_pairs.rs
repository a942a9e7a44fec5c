//! A form read as its pairs, for forms with a repeated key (ticked boxes:
//! `codes`, `events`, `scopes`, `ids`) that a struct cannot collect. A body
//! that does not parse reads as an empty form, whose checks then say what
//! is missing.

pub struct FormPairs(Vec<(String, String)>);

impl FormPairs {
    pub fn parse(body: &str) -> Self {
        Self(serde_urlencoded::from_str(body).unwrap_or_default())
    }

    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }

    /// The form as `T`, read as `Form<T>` would read the same fields; a
    /// form that does not fit reads as `T::default()`.
    pub fn deserialize<T: serde::de::DeserializeOwned + Default>(&self) -> T {
        serde_urlencoded::to_string(&self.0)
            .ok()
            .and_then(|body| serde_urlencoded::from_str(&body).ok())
            .unwrap_or_default()
    }

    /// The first value of `name`, or "" when it is not there.
    pub fn first(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Every value of `name`, in order, at most `limit` of them (a form
    /// with a thousand ticked boxes is not read past what it can mean).
    pub fn all(&self, name: &str, limit: usize) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .take(limit)
            .collect()
    }
}
