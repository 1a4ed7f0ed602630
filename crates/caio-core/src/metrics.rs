//! The Prometheus text exposition format (version 0.0.4, which the
//! node-exporter textfile collector and every scraper read; SPEC §14):
//! metric families with `# HELP` and `# TYPE`, label values escaped,
//! families and samples in a fixed order so that the same state prints the
//! same text. Names follow Prometheus conventions: counters end in
//! `_total`, durations are in `_seconds`, times are Unix seconds.

use std::fmt::Write;

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Only goes up (name ends in `_total`).
    Counter,
    /// Goes up and down.
    Gauge,
    /// Cumulative `_bucket{le}`, `_sum` and `_count` samples.
    Histogram,
    /// `{quantile}` samples.
    Summary,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
            Kind::Summary => "summary",
        }
    }
}

/// One sample of a family.
#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    /// Appended to the family's name (`_bucket`, `_sum`, `_count`, or empty).
    pub suffix: &'static str,
    /// Label names and values, in the order printed.
    pub labels: Vec<(&'static str, String)>,
    /// The value (non-finite values are not printed).
    pub value: f64,
}

/// A metric family.
#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    /// Its name (`caio_…`).
    pub name: &'static str,
    /// What it measures, for people.
    pub help: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Its samples.
    pub samples: Vec<Sample>,
}

impl Family {
    /// An empty family.
    pub fn new(name: &'static str, kind: Kind, help: &'static str) -> Family {
        Family {
            name,
            help,
            kind,
            samples: Vec::new(),
        }
    }

    /// Adds a sample with `labels`.
    pub fn add(&mut self, labels: Vec<(&'static str, String)>, value: f64) -> &mut Family {
        self.add_with_suffix("", labels, value)
    }

    /// Adds a sample of a histogram's or summary's series.
    pub fn add_with_suffix(
        &mut self,
        suffix: &'static str,
        labels: Vec<(&'static str, String)>,
        value: f64,
    ) -> &mut Family {
        self.samples.push(Sample {
            suffix,
            labels,
            value,
        });
        self
    }
}

/// A label value as the format writes it: `\`, `"` and newline escaped.
fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// A number as the format writes it: integers without a fraction.
fn number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// The exposition text of `families`, in the order given. A family
/// without a finite sample is left out (no `# TYPE` without a sample).
pub fn render(families: &[Family]) -> String {
    let mut out = String::new();
    for f in families {
        let samples: Vec<&Sample> = f.samples.iter().filter(|s| s.value.is_finite()).collect();
        if samples.is_empty() {
            continue;
        }
        let help = f.help.replace('\\', "\\\\").replace('\n', "\\n");
        let _ = writeln!(out, "# HELP {} {help}", f.name);
        let _ = writeln!(out, "# TYPE {} {}", f.name, f.kind.as_str());
        for s in samples {
            out.push_str(f.name);
            out.push_str(s.suffix);
            if !s.labels.is_empty() {
                out.push('{');
                for (i, (name, value)) in s.labels.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    let _ = write!(out, "{name}=\"{}\"", escape_label(value));
                }
                out.push('}');
            }
            let _ = writeln!(out, " {}", number(s.value));
        }
    }
    out
}

/// The upper bounds of the candidates-per-decision histogram.
pub const CANDIDATE_BUCKETS: [u64; 12] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 5000, 10000];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn families_render_in_the_text_format() {
        let mut decisions = Family::new(
            "caio_decisions_total",
            Kind::Counter,
            "Route decisions, by outcome.",
        );
        decisions.add(vec![("outcome", "routed".into())], 3.0);
        decisions.add(vec![("outcome", "no_route".into())], 0.0);
        let mut weird = Family::new("caio_x", Kind::Gauge, "A \\ help\nline.");
        weird.add(vec![("service", "a\"b\\c\nd".into())], 0.25);
        weird.add(vec![], f64::NAN);
        let empty = Family::new("caio_empty", Kind::Gauge, "Nothing.");
        assert_eq!(
            render(&[decisions, weird, empty]),
            "# HELP caio_decisions_total Route decisions, by outcome.\n\
             # TYPE caio_decisions_total counter\n\
             caio_decisions_total{outcome=\"routed\"} 3\n\
             caio_decisions_total{outcome=\"no_route\"} 0\n\
             # HELP caio_x A \\\\ help\\nline.\n\
             # TYPE caio_x gauge\n\
             caio_x{service=\"a\\\"b\\\\c\\nd\"} 0.25\n"
        );
    }
}
