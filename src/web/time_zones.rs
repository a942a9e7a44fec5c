//! The time-zone list as a `<select>` shows it, shared by the ticket form and
//! the staff settings page (`templates/partials/time_zone_options.html`).

use crate::domain::{FIXED_OFFSETS, Zone, ZoneGroup, zone_groups};

pub struct ZoneSelect {
    /// The value to mark selected.
    pub selected: String,
    /// Nothing was chosen yet: UTC is selected, and the page's script may
    /// select the browser's own zone instead.
    pub browser_default: bool,
    /// A valid zone that is not in the list (an old or unusual name from a
    /// deep link), offered first so that it stays chosen.
    pub extra: Option<String>,
    pub groups: &'static [ZoneGroup],
    pub fixed: Vec<&'static str>,
}

impl ZoneSelect {
    pub fn new(current: &str) -> Self {
        let groups = zone_groups();
        let fixed: Vec<&'static str> = FIXED_OFFSETS
            .iter()
            .copied()
            .filter(|o| *o != "UTC")
            .collect();
        let current = current.trim();
        if current.is_empty() {
            return Self {
                selected: "UTC".into(),
                browser_default: true,
                extra: None,
                groups,
                fixed,
            };
        }
        let selected =
            Zone::parse(current).map_or_else(|| current.to_string(), |z| z.name().into());
        let listed = selected == "UTC"
            || fixed.contains(&selected.as_str())
            || groups
                .iter()
                .any(|g| g.zones.iter().any(|z| z.name == selected));
        let known = Zone::parse(&selected).is_some();
        Self {
            extra: (known && !listed).then(|| selected.clone()),
            selected,
            browser_default: false,
            groups,
            fixed,
        }
    }

    pub fn is_selected(&self, name: &str) -> bool {
        self.selected == name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_chosen_means_utc_and_the_browser_may_choose() {
        let select = ZoneSelect::new("");
        assert!(select.is_selected("UTC") && select.browser_default);
    }

    #[test]
    fn a_zone_outside_the_list_is_offered_so_it_stays_chosen() {
        let select = ZoneSelect::new("Etc/GMT+5");
        assert_eq!(select.extra.as_deref(), Some("Etc/GMT+5"));
        assert!(!select.browser_default);
        assert_eq!(ZoneSelect::new("Europe/Berlin").extra, None);
        assert_eq!(ZoneSelect::new("UTC+05:30").extra, None);
        assert_eq!(ZoneSelect::new("Nowhere/Special").extra, None);
    }
}
