//! The table: each figure beside the reference measured in the same run,
//! their ratio, the target and whether it was met. Written between markers
//! in BENCHMARKS.md so the prose around it is kept.

use std::path::Path;

const BEGIN: &str = "<!-- load:begin -->";
const END: &str = "<!-- load:end -->";

pub struct Row {
    pub what: String,
    pub measured: String,
    pub reference: String,
    pub ratio: String,
    pub target: String,
    /// `None` when there was nothing to judge (a phase skipped).
    pub met: Option<bool>,
}

#[derive(Default)]
pub struct Report {
    pub context: Vec<String>,
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
}

impl Report {
    pub fn row(
        &mut self,
        what: impl Into<String>,
        measured: impl Into<String>,
        reference: impl Into<String>,
        ratio: impl Into<String>,
        target: impl Into<String>,
        met: Option<bool>,
    ) {
        let row = Row {
            what: what.into(),
            measured: measured.into(),
            reference: reference.into(),
            ratio: ratio.into(),
            target: target.into(),
            met,
        };
        println!(
            "{:<58} {:>16} {:>22} {:>8}  {}",
            row.what,
            row.measured,
            row.reference,
            row.ratio,
            verdict(row.met)
        );
        self.rows.push(row);
    }

    pub fn note(&mut self, note: impl Into<String>) {
        let note = note.into();
        println!("  note: {note}");
        self.notes.push(note);
    }

    pub fn markdown(&self) -> String {
        let mut out = String::new();
        for line in &self.context {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("\n| what | measured | reference (same run) | ratio | target | met |\n");
        out.push_str("|---|---|---|---|---|---|\n");
        for r in &self.rows {
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} | {} |\n",
                r.what,
                r.measured,
                r.reference,
                r.ratio,
                r.target,
                verdict(r.met)
            ));
        }
        if !self.notes.is_empty() {
            out.push('\n');
            for n in &self.notes {
                out.push_str(&format!("- {n}\n"));
            }
        }
        out
    }

    /// Replaces what is between the markers (adding them at the end of a
    /// file without them); everything else in the file stays.
    pub fn write_into(&self, file: &Path) -> anyhow::Result<()> {
        let old = std::fs::read_to_string(file).unwrap_or_default();
        let block = format!("{BEGIN}\n{}{END}", self.markdown());
        let new = match (old.find(BEGIN), old.find(END)) {
            (Some(b), Some(e)) if b < e => {
                format!("{}{block}{}", &old[..b], &old[e + END.len()..])
            }
            _ => format!("{old}\n{block}\n"),
        };
        std::fs::write(file, new)?;
        Ok(())
    }
}

fn verdict(met: Option<bool>) -> &'static str {
    match met {
        Some(true) => "met",
        Some(false) => "**not met**",
        None => "—",
    }
}

pub fn ms(d: std::time::Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn per_second(n: f64) -> String {
    format!("{}/s", thousands(n.round() as u64))
}

pub fn ratio(n: f64) -> String {
    format!("{n:.2}×")
}

pub fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

pub fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1e3)
}

pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}
