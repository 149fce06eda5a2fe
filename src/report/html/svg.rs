//! Charts as inline SVG text: stacked bars, lines and sparklines, drawn
//! with fixed colours and no script, font or image from anywhere else, so
//! that the report page shows the same thing offline, in any browser, and
//! in a screenshot. Every label passes through [`escape`].

use std::fmt::Write as _;

use super::escape;

/// One named row of values, one value per label.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<u64>,
    /// A fill or stroke colour, `#rrggbb`.
    pub color: &'static str,
}

impl Series {
    pub fn new(name: impl Into<String>, color: &'static str, values: Vec<u64>) -> Series {
        Series { name: name.into(), values, color }
    }
}

/// The colours the charts use, readable on white and for the common
/// colour-vision deficiencies (blue, orange, purple, teal, grey).
pub mod palette {
    pub const REVIEWED: &str = "#4477aa";
    pub const UNREVIEWED: &str = "#ee7733";
    pub const SELF_MERGED: &str = "#aa3377";
    pub const AFTER_MERGE: &str = "#009988";
    pub const BACKLOG: &str = "#cc3311";
    pub const NEUTRAL: &str = "#777777";
}

const WIDTH: u32 = 530;
const HEIGHT: u32 = 240;
const LEFT: u32 = 48;
const RIGHT: u32 = 16;
const TOP: u32 = 46;
const BOTTOM: u32 = 40;
/// At most this many labels under the x axis; the others are skipped.
const MAX_X_LABELS: usize = 8;

/// Bars per label, the series stacked from the bottom up (first series at
/// the bottom), with a legend, a y axis and a tooltip on each segment.
pub fn stacked_bars(title: &str, labels: &[String], series: &[Series]) -> String {
    let totals: Vec<u64> =
        (0..labels.len()).map(|i| series.iter().map(|s| s.values.get(i).copied().unwrap_or(0)).sum()).collect();
    let mut out = frame(title, labels, series, totals.iter().copied().max().unwrap_or(0));
    let plot = Plot::new(labels.len(), totals.iter().copied().max().unwrap_or(0));
    for (i, label) in labels.iter().enumerate() {
        let mut base = 0u64;
        for s in series {
            let v = s.values.get(i).copied().unwrap_or(0);
            if v == 0 {
                continue;
            }
            let (y_top, y_bottom) = (plot.y(base + v), plot.y(base));
            let _ = write!(
                out,
                r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>{} · {}: {}</title></rect>"##,
                plot.bar_x(i),
                y_top,
                plot.bar_width(),
                (y_bottom - y_top).max(0.5),
                s.color,
                escape(label),
                escape(&s.name),
                v
            );
            base += v;
        }
    }
    out.push_str("</svg>");
    out
}

/// A line per series across the labels, with a dot at each value.
pub fn lines(title: &str, labels: &[String], series: &[Series]) -> String {
    let max = series.iter().flat_map(|s| s.values.iter().copied()).max().unwrap_or(0);
    let mut out = frame(title, labels, series, max);
    let plot = Plot::new(labels.len(), max);
    for s in series {
        let points: Vec<(f64, f64)> =
            s.values.iter().take(labels.len()).enumerate().map(|(i, &v)| (plot.center_x(i), plot.y(v))).collect();
        let path: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
        let _ = write!(
            out,
            r##"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"##,
            path.join(" "),
            s.color
        );
        for ((x, y), (label, v)) in points.iter().zip(labels.iter().zip(&s.values)) {
            let _ = write!(
                out,
                r##"<circle cx="{x:.1}" cy="{y:.1}" r="3" fill="{}"><title>{} · {}: {}</title></circle>"##,
                s.color,
                escape(label),
                escape(&s.name),
                v
            );
        }
    }
    out.push_str("</svg>");
    out
}

/// A small line of `values` for a table cell (120×24), with the newest
/// value as a dot; `label` is its tooltip and accessible name.
pub fn sparkline(label: &str, values: &[u64], color: &str) -> String {
    const W: f64 = 120.0;
    const H: f64 = 24.0;
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let step = if values.len() > 1 { (W - 4.0) / (values.len() - 1) as f64 } else { 0.0 };
    let points: Vec<(f64, f64)> = values
        .iter()
        .enumerate()
        .map(|(i, &v)| (2.0 + step * i as f64, H - 2.0 - (H - 4.0) * v as f64 / max))
        .collect();
    let mut out = format!(
        r##"<svg class="spark" xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" role="img" aria-label="{0}"><title>{0}</title><line x1="0" y1="{1}" x2="{W}" y2="{1}" stroke="#dddddd"/>"##,
        escape(label),
        H - 2.0
    );
    let path: Vec<String> = points.iter().map(|(x, y)| format!("{x:.1},{y:.1}")).collect();
    let _ = write!(out, r##"<polyline points="{}" fill="none" stroke="{color}" stroke-width="1.5"/>"##, path.join(" "));
    if let Some((x, y)) = points.last() {
        let _ = write!(out, r##"<circle cx="{x:.1}" cy="{y:.1}" r="2" fill="{color}"/>"##);
    }
    out.push_str("</svg>");
    out
}

/// The chart's box: title, legend, y axis with round ticks, x labels.
fn frame(title: &str, labels: &[String], series: &[Series], max: u64) -> String {
    let plot = Plot::new(labels.len(), max);
    let mut out = format!(
        r##"<svg class="chart" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{0}"><title>{0}</title><rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/><text x="{LEFT}" y="16" font-size="13" font-weight="bold" fill="#222222">{0}</text>"##,
        escape(title)
    );
    // The legend in a row of its own under the title, left to right.
    let mut x = f64::from(LEFT);
    for s in series {
        let _ = write!(
            out,
            r##"<rect x="{x:.1}" y="24" width="10" height="10" fill="{}"/><text x="{:.1}" y="33" font-size="11" fill="#333333">{}</text>"##,
            s.color,
            x + 13.0,
            escape(&s.name)
        );
        x += 24.0 + 6.2 * s.name.chars().count() as f64;
    }
    for tick in plot.ticks() {
        let y = plot.y(tick);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{y:.1}" x2="{}" y2="{y:.1}" stroke="#e4e4e4"/><text x="{}" y="{:.1}" font-size="10" text-anchor="end" fill="#555555">{tick}</text>"##,
            WIDTH - RIGHT,
            LEFT - 4,
            y + 3.0
        );
    }
    let every = labels.len().div_ceil(MAX_X_LABELS).max(1);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            out,
            r##"<text x="{:.1}" y="{}" font-size="10" text-anchor="middle" fill="#555555">{}</text>"##,
            plot.center_x(i),
            HEIGHT - BOTTOM + 14,
            escape(label)
        );
    }
    if labels.is_empty() {
        let _ = write!(
            out,
            r##"<text x="{}" y="{}" font-size="12" text-anchor="middle" fill="#777777">no data in this window</text>"##,
            WIDTH / 2,
            HEIGHT / 2
        );
    }
    let _ = write!(
        out,
        r##"<line x1="{LEFT}" y1="{0}" x2="{1}" y2="{0}" stroke="#888888"/>"##,
        HEIGHT - BOTTOM,
        WIDTH - RIGHT
    );
    out
}

/// Where values and labels go in the plot area.
struct Plot {
    count: usize,
    /// The y axis runs from 0 to `top` in ticks of `step`.
    step: u64,
    top: u64,
}

impl Plot {
    fn new(count: usize, max: u64) -> Plot {
        let step = nice_ceiling(max.div_ceil(4));
        Plot { count, step, top: step.saturating_mul(max.div_ceil(step).max(1)) }
    }

    fn band(&self) -> f64 {
        f64::from(WIDTH - LEFT - RIGHT) / self.count.max(1) as f64
    }

    fn bar_width(&self) -> f64 {
        (self.band() * 0.8).max(1.0)
    }

    fn bar_x(&self, i: usize) -> f64 {
        f64::from(LEFT) + self.band() * i as f64 + (self.band() - self.bar_width()) / 2.0
    }

    fn center_x(&self, i: usize) -> f64 {
        f64::from(LEFT) + self.band() * (i as f64 + 0.5)
    }

    fn y(&self, v: u64) -> f64 {
        let height = f64::from(HEIGHT - TOP - BOTTOM);
        f64::from(HEIGHT - BOTTOM) - height * v as f64 / self.top as f64
    }

    /// Round values from 0 to the top, at most five steps.
    fn ticks(&self) -> Vec<u64> {
        (0..=self.top / self.step).map(|k| k * self.step).collect()
    }
}

/// The smallest of 1, 2, 5 × 10ⁿ (and at least 1) not below `v`.
fn nice_ceiling(v: u64) -> u64 {
    let mut unit = 1u64;
    loop {
        for m in [1, 2, 5] {
            if let Some(candidate) = unit.checked_mul(m) {
                if candidate >= v {
                    return candidate;
                }
            }
        }
        match unit.checked_mul(10) {
            Some(next) => unit = next,
            None => return u64::MAX,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn months(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("2024-{:02}", i % 12 + 1)).collect()
    }

    #[test]
    fn round_tops_and_ticks() {
        assert_eq!(nice_ceiling(0), 1);
        assert_eq!(nice_ceiling(7), 10);
        assert_eq!(nice_ceiling(11), 20);
        assert_eq!(nice_ceiling(120), 200);
        assert_eq!(nice_ceiling(u64::MAX), u64::MAX);
        assert_eq!(Plot::new(3, 37).ticks(), vec![0, 10, 20, 30, 40]);
        assert_eq!(Plot::new(3, 41).ticks(), vec![0, 20, 40, 60]);
        assert_eq!(Plot::new(3, 0).ticks(), vec![0, 1]);
    }

    #[test]
    fn stacked_segments_sit_on_each_other_and_name_their_value() {
        let svg = stacked_bars(
            "Landed",
            &months(2),
            &[Series::new("reviewed", "#111111", vec![3, 0]), Series::new("unreviewed", "#222222", vec![2, 5])],
        );
        // Three segments: a zero draws nothing.
        assert_eq!(svg.matches("<rect x=\"").count() - 2, 3, "{svg}");
        assert!(svg.contains("<title>2024-01 · unreviewed: 2</title>"));
        assert!(svg.contains("<title>2024-02 · unreviewed: 5</title>"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
    }

    #[test]
    fn labels_and_names_are_escaped() {
        let evil = "<script>alert(1)</script>&\"'";
        let svg = lines(evil, &[evil.to_string()], &[Series::new(evil, "#000000", vec![1])]);
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;&#39;"));
        let spark = sparkline(evil, &[1, 2], "#000000");
        assert!(!spark.contains("<script>"));
    }

    #[test]
    fn a_long_series_labels_at_most_eight_periods_and_an_empty_one_says_so() {
        let svg = stacked_bars("t", &months(40), &[Series::new("n", "#000000", vec![1; 40])]);
        let labels = svg.matches("text-anchor=\"middle\"").count();
        assert!((MAX_X_LABELS - 2..=MAX_X_LABELS).contains(&labels), "{labels}");
        assert!(stacked_bars("t", &[], &[]).contains("no data in this window"));
    }

    #[test]
    fn sparkline_scales_to_its_box() {
        let spark = sparkline("a", &[0, 10, 5], "#000000");
        assert!(spark.contains("points=\"2.0,22.0 60.0,2.0 118.0,12.0\""), "{spark}");
    }
}
