//! Charts drawn on the server as SVG text (C11): no chart library reaches the browser,
//! and a chart is in the page before any code runs. Each chart is an `<svg role="img">`
//! with a `<title>`; each bar carries its own `<title>` with its figure, and the page
//! shows the same figures in a table beside it for screen readers and print.
//!
//! - [`stacked_bars`]: one horizontal bar per row, split by series (counts, or shares
//!   of 100 %).
//! - [`value_bars`]: one bar per row against a fixed maximum (a rating out of 5).

use std::fmt::Write;

/// Width of the drawing, its label column and its bar area, in SVG units.
const WIDTH: u32 = 560;
const LABEL: u32 = 140;
const AREA: u32 = 340;
const ROW: u32 = 26;
const BAR: u32 = 16;
const TOP: u32 = 30;

/// One series of a stacked chart: its name in the reader's language and its colour.
pub struct Series<'a> {
    pub label: &'a str,
    pub color: &'static str,
}

/// One row: its label and a value per series.
pub struct Row {
    pub label: String,
    pub values: Vec<u32>,
}

/// Text safe inside SVG markup.
pub fn escape(text: &str) -> String {
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

fn open(id: &str, title: &str, rows: usize) -> (String, u32) {
    let height = TOP + ROW * u32::try_from(rows).unwrap_or(u32::MAX / ROW / 2) + 8;
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{id}-t" viewBox="0 0 {WIDTH} {height}" width="100%"><title id="{id}-t">{}</title>"#,
        escape(title)
    );
    (svg, height)
}

fn label(svg: &mut String, i: usize, text: &str) {
    let y = TOP + ROW * i as u32 + BAR - 3;
    let _ = write!(
        svg,
        r##"<text x="{}" y="{y}" text-anchor="end" font-size="13" fill="#1f2328">{}</text>"##,
        LABEL - 8,
        escape(text)
    );
}

/// Horizontal bars split by series. With `shares`, each bar is its row's 100 %;
/// otherwise bars are to one scale, the longest row filling the area.
pub fn stacked_bars(
    id: &str,
    title: &str,
    series: &[Series],
    rows: &[Row],
    shares: bool,
) -> String {
    let (mut svg, _) = open(id, title, rows.len());
    // The legend across the top.
    let mut x = LABEL;
    for s in series {
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="6" width="12" height="12" fill="{}"/><text x="{}" y="16" font-size="13" fill="#1f2328">{}</text>"##,
            s.color,
            x + 16,
            escape(s.label)
        );
        // Wide characters (Chinese) take about twice the room of Latin ones.
        let room: u32 = s
            .label
            .chars()
            .map(|c| if c.is_ascii() { 8 } else { 14 })
            .sum();
        x += 28 + room;
    }
    let longest = rows
        .iter()
        .map(|r| r.values.iter().sum::<u32>())
        .max()
        .unwrap_or(0)
        .max(1);
    for (i, row) in rows.iter().enumerate() {
        label(&mut svg, i, &row.label);
        let total: u32 = row.values.iter().sum();
        let scale = if shares { total.max(1) } else { longest };
        let y = TOP + ROW * i as u32;
        let mut at = 0u64;
        for (value, s) in row.values.iter().zip(series) {
            let from = at * u64::from(AREA) / u64::from(scale);
            at += u64::from(*value);
            let to = at * u64::from(AREA) / u64::from(scale);
            if *value == 0 {
                continue;
            }
            let _ = write!(
                svg,
                r#"<rect x="{}" y="{y}" width="{}" height="{BAR}" fill="{}"><title>{}: {value}</title></rect>"#,
                u64::from(LABEL) + from,
                (to - from).max(1),
                s.color,
                escape(s.label)
            );
        }
        let end = if shares {
            AREA
        } else {
            u32::try_from(u64::from(total) * u64::from(AREA) / u64::from(scale)).unwrap_or(AREA)
        };
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="13" fill="#1f2328">{total}</text>"##,
            LABEL + end + 6,
            y + BAR - 3
        );
    }
    svg.push_str("</svg>");
    svg
}

/// One bar per row against `max`; `text` writes a value as the reader sees it. A row
/// without a value shows "–".
pub fn value_bars(
    id: &str,
    title: &str,
    color: &'static str,
    rows: &[(String, Option<u32>)],
    max: u32,
    text: impl Fn(u32) -> String,
) -> String {
    let (mut svg, _) = open(id, title, rows.len());
    for (i, (name, value)) in rows.iter().enumerate() {
        label(&mut svg, i, name);
        let y = TOP + ROW * i as u32;
        let width = value.map_or(0, |v| {
            u32::try_from(u64::from(v.min(max)) * u64::from(AREA) / u64::from(max.max(1)))
                .unwrap_or(AREA)
        });
        let shown = value.map_or_else(|| "–".to_owned(), &text);
        if width > 0 {
            let _ = write!(
                svg,
                r#"<rect x="{LABEL}" y="{y}" width="{width}" height="{BAR}" fill="{color}"><title>{}</title></rect>"#,
                escape(&shown)
            );
        }
        let _ = write!(
            svg,
            r##"<text x="{}" y="{}" font-size="13" fill="#1f2328">{}</text>"##,
            LABEL + width + 6,
            y + BAR - 3,
            escape(&shown)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widths(svg: &str) -> Vec<u32> {
        svg.split("<rect ")
            .skip(1)
            .filter(|r| !r.contains("y=\"6\""))
            .map(|r| {
                let w = r.split("width=\"").nth(1).expect("width");
                w[..w.find('"').expect("quote")].parse().expect("number")
            })
            .collect()
    }

    #[test]
    fn stacked_bars_are_to_scale_and_escaped() {
        let series = [
            Series {
                label: "done",
                color: "#1a7f37",
            },
            Series {
                label: "missed",
                color: "#cf222e",
            },
        ];
        let rows = [
            Row {
                label: "Xihu <West Lake>".into(),
                values: vec![30, 10],
            },
            Row {
                label: "Binjiang".into(),
                values: vec![10, 0],
            },
        ];
        let svg = stacked_bars("f", "Follow-ups & more", &series, &rows, false);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Xihu &lt;West Lake&gt;") && !svg.contains("<West"));
        assert!(svg.contains("<title id=\"f-t\">Follow-ups &amp; more</title>"));
        // The longest row fills the area; a zero draws nothing.
        let three_quarters = AREA * 3 / 4;
        assert_eq!(
            widths(&svg),
            vec![three_quarters, AREA - three_quarters, AREA / 4]
        );
        let shares = stacked_bars("s", "Mix", &series, &rows, true);
        assert_eq!(
            widths(&shares),
            vec![three_quarters, AREA - three_quarters, AREA]
        );
    }

    #[test]
    fn value_bars_stop_at_the_maximum() {
        let rows = [("A".to_owned(), Some(45)), ("B".to_owned(), None)];
        let svg = value_bars("r", "Rating", "#0969da", &rows, 50, |v| {
            format!("{}.{}", v / 10, v % 10)
        });
        assert_eq!(widths(&svg), vec![AREA * 45 / 50]);
        assert!(svg.contains(">4.5<") && svg.contains(">–<"));
    }
}
