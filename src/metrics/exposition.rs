//! The Prometheus text exposition format, version 0.0.4: a `# HELP` and a
//! `# TYPE` line per metric, then one `name{label="value"} number` line per
//! series; histograms as cumulative `_bucket{le=...}` lines, `_sum`, `_count`.

use std::fmt::Write;

use super::family::{BUCKETS, Counters, Histograms};

/// The `Content-Type` of a scrape.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A value read at scrape time (outbox depth, pool connections).
pub struct Gauge {
    pub name: &'static str,
    pub help: &'static str,
    pub labels: Vec<(&'static str, String)>,
    pub value: f64,
}

#[derive(Default)]
pub struct Text(String);

impl Text {
    pub fn finish(self) -> String {
        self.0
    }

    fn header(&mut self, name: &str, help: &str, kind: &str) {
        let _ = writeln!(self.0, "# HELP {name} {}", escape_help(help));
        let _ = writeln!(self.0, "# TYPE {name} {kind}");
    }

    fn sample(&mut self, name: &str, labels: &[(&str, &str)], value: f64) {
        self.0.push_str(name);
        if !labels.is_empty() {
            self.0.push('{');
            for (i, (label, value)) in labels.iter().enumerate() {
                if i > 0 {
                    self.0.push(',');
                }
                let _ = write!(self.0, "{label}=\"{}\"", escape_label(value));
            }
            self.0.push('}');
        }
        let _ = writeln!(self.0, " {}", number(value));
    }

    pub fn counters(&mut self, family: &Counters) {
        self.header(family.name, family.help, "counter");
        for (values, count) in family.snapshot() {
            let labels = pairs(family.labels, &values);
            self.sample(family.name, &labels, count as f64);
        }
    }

    pub fn histograms(&mut self, family: &Histograms) {
        self.header(family.name, family.help, "histogram");
        let bucket = format!("{}_bucket", family.name);
        let bounds: Vec<String> = BUCKETS.iter().map(|bound| number(*bound)).collect();
        for (values, observed) in family.snapshot() {
            let mut labels = pairs(family.labels, &values);
            let mut cumulative = 0;
            for (le, count) in bounds.iter().zip(observed.buckets) {
                cumulative += count;
                labels.push(("le", le));
                self.sample(&bucket, &labels, cumulative as f64);
                labels.pop();
            }
            labels.push(("le", "+Inf"));
            self.sample(&bucket, &labels, observed.count as f64);
            labels.pop();
            self.sample(&format!("{}_sum", family.name), &labels, observed.sum);
            self.sample(
                &format!("{}_count", family.name),
                &labels,
                observed.count as f64,
            );
        }
    }

    /// Gauges sharing a name are written under one header, in the order given.
    pub fn gauges(&mut self, gauges: &[Gauge]) {
        let mut previous = "";
        for gauge in gauges {
            if gauge.name != previous {
                self.header(gauge.name, gauge.help, "gauge");
                previous = gauge.name;
            }
            let labels: Vec<(&str, &str)> =
                gauge.labels.iter().map(|(k, v)| (*k, v.as_str())).collect();
            self.sample(gauge.name, &labels, gauge.value);
        }
    }
}

fn pairs<'a>(names: &'a [&'static str], values: &'a [String]) -> Vec<(&'a str, &'a str)> {
    names
        .iter()
        .copied()
        .zip(values.iter().map(String::as_str))
        .collect()
}

/// Integers without a fraction, as Prometheus prints them; `+Inf`/`NaN` spelled its way.
fn number(value: f64) -> String {
    if value.is_nan() {
        "NaN".into()
    } else if value.is_infinite() {
        if value > 0.0 { "+Inf" } else { "-Inf" }.into()
    } else {
        format!("{value}")
    }
}

/// A label value escapes backslash, double quote and line feed.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', r"\\")
        .replace('"', r#"\""#)
        .replace('\n', r"\n")
}

/// Help text escapes backslash and line feed.
fn escape_help(text: &str) -> String {
    text.replace('\\', r"\\").replace('\n', r"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        let family = Counters::new("t_total", "A \\ test\nhelp.", &["path"]);
        family.add(&["a\"b\\c\nd"], 2);
        let mut text = Text::default();
        text.counters(&family);
        assert_eq!(
            text.finish(),
            "# HELP t_total A \\\\ test\\nhelp.\n# TYPE t_total counter\n\
             t_total{path=\"a\\\"b\\\\c\\nd\"} 2\n"
        );
    }

    #[test]
    fn histogram_buckets_are_cumulative_and_end_at_inf() {
        let family = Histograms::new("t_seconds", "Test.", &["route"]);
        family.observe(&["/"], 0.25);
        family.observe(&["/"], 0.5);
        family.observe(&["/"], 99.0);
        let mut text = Text::default();
        text.histograms(&family);
        let text = text.finish();
        for line in [
            "t_seconds_bucket{route=\"/\",le=\"0.1\"} 0\n",
            "t_seconds_bucket{route=\"/\",le=\"0.25\"} 1\n",
            "t_seconds_bucket{route=\"/\",le=\"0.5\"} 2\n",
            "t_seconds_bucket{route=\"/\",le=\"30\"} 2\n",
            "t_seconds_bucket{route=\"/\",le=\"+Inf\"} 3\n",
            "t_seconds_sum{route=\"/\"} 99.75\n",
            "t_seconds_count{route=\"/\"} 3\n",
        ] {
            assert!(text.contains(line), "{line} in {text}");
        }
    }

    #[test]
    fn gauges_of_one_name_share_a_header() {
        let gauge = |kind: &str, value| Gauge {
            name: "t_depth",
            help: "Depth.",
            labels: vec![("kind", kind.to_string())],
            value,
        };
        let mut text = Text::default();
        text.gauges(&[gauge("mail", 3.0), gauge("webhook", 0.0)]);
        assert_eq!(
            text.finish(),
            "# HELP t_depth Depth.\n# TYPE t_depth gauge\n\
             t_depth{kind=\"mail\"} 3\nt_depth{kind=\"webhook\"} 0\n"
        );
    }
}
