//! Bar charts as inline SVG, drawn on the server: no script, no request of
//! their own, and they print. Each chart is an image with a title and a
//! description (`role="img"`), its numbers are in the table beside it, and
//! its colours come from the stylesheet (`.chart-s0` …), so the page's
//! colour scheme applies. Every text put in is escaped here.

use std::fmt::Write;

/// The drawing's width in user units; it scales to its box (text drawn at
/// 14 units stays readable on a phone, where the box is about 330 px).
const WIDTH: i64 = 480;
/// Series beyond this many share the last colour.
const COLOURS: usize = 5;

/// A named row of values, one per category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub name: String,
    pub values: Vec<i64>,
}

/// What every chart says about itself.
#[derive(Debug, Clone, Copy)]
pub struct Labels<'a> {
    /// Unique on the page: the title and description ids derive from it.
    pub id: &'a str,
    pub title: &'a str,
    pub description: &'a str,
}

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn open(labels: Labels<'_>, height: i64) -> String {
    let id = escape(labels.id);
    format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {WIDTH} {height}\" \
         aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\">\
         <title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>",
        escape(labels.title),
        escape(labels.description)
    )
}

/// The legend, one swatch per series, on one line at the top; its height.
fn legend(svg: &mut String, series: &[Series]) -> i64 {
    if series.len() < 2 {
        return 0;
    }
    let mut x = 0;
    for (i, s) in series.iter().enumerate() {
        let _ = write!(
            svg,
            "<rect class=\"chart-s{}\" x=\"{x}\" y=\"2\" width=\"12\" height=\"12\"/>\
             <text class=\"chart-text\" x=\"{}\" y=\"12\">{}</text>",
            i.min(COLOURS - 1),
            x + 16,
            escape(&s.name)
        );
        // Roughly 8 units a character at the chart's text size.
        x += 16 + 8 * s.name.chars().count() as i64 + 20;
    }
    24
}

/// The length of `value` on a scale where `max` is `span` long.
fn scaled(value: i64, max: i64, span: i64) -> i64 {
    if max <= 0 || value <= 0 {
        return 0;
    }
    // At least one unit, so that a small non-zero value is seen.
    (value.min(max) * span / max).max(1)
}

/// Horizontal bars: a group per category, its label above its bars (so the
/// bars keep the whole width on a phone), a bar per series, each with its
/// value at its end. `max` fixes the scale (100 for percentages); otherwise
/// the largest value fills the width. `suffix` follows each value ("%").
pub fn horizontal(
    labels: Labels<'_>,
    categories: &[String],
    series: &[Series],
    max: Option<i64>,
    suffix: &str,
) -> String {
    const LABEL: i64 = 18;
    const VALUE_WIDTH: i64 = 56;
    const BAR: i64 = 16;
    const GAP: i64 = 12;
    let largest = series
        .iter()
        .flat_map(|s| &s.values)
        .copied()
        .max()
        .unwrap_or(0);
    let max = max.unwrap_or(largest).max(1);
    let group = LABEL + BAR * series.len().max(1) as i64 + GAP;
    let mut body = String::new();
    let top = legend(&mut body, series);
    let height = top + group * categories.len() as i64;
    let mut svg = open(labels, height.max(20));
    svg.push_str(&body);
    let span = WIDTH - VALUE_WIDTH;
    for (c, category) in categories.iter().enumerate() {
        let y0 = top + group * c as i64;
        let _ = write!(
            svg,
            "<text class=\"chart-text\" x=\"0\" y=\"{}\">{}</text>",
            y0 + LABEL - 5,
            escape(category)
        );
        for (i, s) in series.iter().enumerate() {
            let value = s.values.get(c).copied().unwrap_or(0);
            let y = y0 + LABEL + BAR * i as i64;
            let length = scaled(value, max, span);
            let _ = write!(
                svg,
                "<rect class=\"chart-s{}\" x=\"0\" y=\"{y}\" width=\"{length}\" \
                 height=\"{}\"/><text class=\"chart-value\" x=\"{}\" y=\"{}\">{value}{}</text>",
                i.min(COLOURS - 1),
                BAR - 3,
                length + 4,
                y + BAR - 4,
                escape(suffix)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Vertical columns, a column per category (labels below), the series
/// stacked in each, the column's total above it when there is room. With
/// many columns only every few are labelled, so the labels never overlap.
pub fn columns(labels: Labels<'_>, categories: &[String], series: &[Series]) -> String {
    const AXIS: i64 = 24;
    const PLOT: i64 = 180;
    const LEFT: i64 = 4;
    let totals: Vec<i64> = (0..categories.len())
        .map(|c| {
            series
                .iter()
                .map(|s| s.values.get(c).copied().unwrap_or(0).max(0))
                .sum()
        })
        .collect();
    let max = totals.iter().copied().max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let top = legend(&mut svg, series) + 16;
    let height = top + PLOT + AXIS;
    let mut out = open(labels, height);
    out.push_str(&svg);
    let slots = categories.len().max(1) as i64;
    let slot = (WIDTH - LEFT) / slots;
    let width = (slot * 7 / 10).max(2);
    // Each label is given about 60 units.
    let every = ((60 + slot - 1) / slot.max(1)).max(1) as usize;
    let base = top + PLOT;
    let _ = write!(
        out,
        "<line class=\"chart-axis\" x1=\"{LEFT}\" x2=\"{WIDTH}\" y1=\"{base}\" y2=\"{base}\"/>"
    );
    for (c, category) in categories.iter().enumerate() {
        let x = LEFT + slot * c as i64 + (slot - width) / 2;
        let mut y = base;
        for (i, s) in series.iter().enumerate() {
            let value = s.values.get(c).copied().unwrap_or(0).max(0);
            let length = scaled(value, max, PLOT);
            if length == 0 {
                continue;
            }
            y -= length;
            let _ = write!(
                out,
                "<rect class=\"chart-s{}\" x=\"{x}\" y=\"{y}\" width=\"{width}\" height=\"{length}\"/>",
                i.min(COLOURS - 1)
            );
        }
        let middle = x + width / 2;
        if slot >= 36 {
            let _ = write!(
                out,
                "<text class=\"chart-value\" x=\"{middle}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                y - 4,
                totals[c]
            );
        }
        if c % every == 0 {
            let _ = write!(
                out,
                "<text class=\"chart-text\" x=\"{middle}\" y=\"{}\" text-anchor=\"middle\">{}</text>",
                base + 16,
                escape(category)
            );
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels<'static> {
        Labels {
            id: "c",
            title: "Open <tickets>",
            description: "By age & more",
        }
    }

    fn series(name: &str, values: &[i64]) -> Series {
        Series {
            name: name.into(),
            values: values.to_vec(),
        }
    }

    #[test]
    fn a_chart_is_an_image_named_by_its_title_and_description() {
        let svg = horizontal(labels(), &["a".into()], &[series("s", &[1])], None, "");
        assert!(svg.starts_with("<svg class=\"chart\" role=\"img\""));
        assert!(svg.contains("aria-labelledby=\"c-title c-desc\""));
        assert!(svg.contains("<title id=\"c-title\">Open &lt;tickets&gt;</title>"));
        assert!(svg.contains("<desc id=\"c-desc\">By age &amp; more</desc>"));
        assert!(svg.ends_with("</svg>"));
    }

    #[test]
    fn horizontal_bars_scale_to_the_largest_value_or_the_given_maximum() {
        let cats = vec!["401 <Unauthorized>".to_string(), "429".to_string()];
        let svg = horizontal(labels(), &cats, &[series("walks", &[40, 20])], None, "");
        // The plot is 480 − 56 = 424 wide: 40 fills it, 20 half.
        assert!(svg.contains("width=\"424\""));
        assert!(svg.contains("width=\"212\""));
        assert!(svg.contains(">401 &lt;Unauthorized&gt;</text>"));
        assert!(svg.contains(">40</text>"));
        let svg = horizontal(labels(), &cats, &[series("met", &[50, 0])], Some(100), "%");
        assert!(svg.contains("width=\"212\""));
        assert!(svg.contains(">50%</text>"));
        // Zero is drawn as nothing, and said.
        assert!(svg.contains("width=\"0\""));
        assert!(svg.contains(">0%</text>"));
    }

    #[test]
    fn several_series_get_a_legend_and_a_colour_each() {
        let svg = horizontal(
            labels(),
            &["a".into()],
            &[series("Started", &[3]), series("Fixed & done", &[1])],
            None,
            "",
        );
        assert!(svg.contains("class=\"chart-s0\""));
        assert!(svg.contains("class=\"chart-s1\""));
        assert!(svg.contains(">Fixed &amp; done</text>"));
    }

    #[test]
    fn columns_stack_their_series_and_say_each_total() {
        let cats: Vec<String> = vec!["2 Mar".into(), "9 Mar".into()];
        let svg = columns(
            labels(),
            &cats,
            &[series("429", &[3, 1]), series("Other", &[1, 0])],
        );
        // The tallest column (4) is the plot's full 180 units.
        assert!(svg.contains("height=\"135\""));
        assert!(svg.contains("height=\"45\""));
        assert!(svg.contains(">4</text>"));
        assert!(svg.contains(">1</text>"));
        assert!(svg.contains(">2 Mar</text>"));
        assert!(svg.contains(">9 Mar</text>"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn many_columns_label_only_some_and_an_empty_chart_still_draws() {
        let cats: Vec<String> = (1..=53).map(|w| format!("w{w}")).collect();
        let values: Vec<i64> = (1..=53).collect();
        let svg = columns(labels(), &cats, &[series("tickets", &values)]);
        assert!(svg.contains(">w1</text>"));
        assert!(!svg.contains(">w2</text>"));
        let empty = columns(labels(), &[], &[]);
        assert!(empty.ends_with("</svg>"));
        let zeros = columns(labels(), &cats[..2], &[series("t", &[0, 0])]);
        assert!(!zeros.contains("<rect"));
    }
}
