//! What was taken out of a file, told once per kind in the order first
//! found, however many places it was found in.

use super::Removal;
use crate::tickets::redact::SecretKind;

#[derive(Debug, Default)]
pub(super) struct Tally {
    list: Vec<Removal>,
}

impl Tally {
    pub(super) fn add(&mut self, what: &str, count: usize) {
        if count == 0 {
            return;
        }
        // A file has a handful of kinds, so a scan beats a map here and
        // keeps the order first found.
        match self.list.iter_mut().find(|r| r.what == what) {
            Some(r) => r.count += count,
            None => self.list.push(Removal {
                what: what.to_owned(),
                count,
            }),
        }
    }

    pub(super) fn add_kinds(&mut self, kinds: &[SecretKind]) {
        for kind in kinds {
            self.add(kind.name(), 1);
        }
    }

    pub(super) fn merge(&mut self, other: Vec<Removal>) {
        for r in other {
            self.add(&r.what, r.count);
        }
    }

    pub(super) fn into_vec(self) -> Vec<Removal> {
        self.list
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_by_kind_in_order_first_found() {
        let mut t = Tally::default();
        t.add_kinds(&[SecretKind::Password, SecretKind::Jwt, SecretKind::Password]);
        t.add("cookie", 2);
        t.add("cookie", 0);
        t.merge(vec![Removal {
            what: "jwt".into(),
            count: 3,
        }]);
        let got: Vec<(String, usize)> = t
            .into_vec()
            .into_iter()
            .map(|r| (r.what, r.count))
            .collect();
        assert_eq!(
            got,
            [
                ("password".into(), 2),
                ("jwt".into(), 4),
                ("cookie".into(), 2)
            ]
        );
    }
}
