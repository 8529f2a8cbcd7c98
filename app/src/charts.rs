//! Charts drawn on the server as SVG text (C11): no chart library reaches the browser,
//! and a chart is in the page before any code runs. Each chart is an `<svg role="img">`
//! with a `<title>`; each bar carries its own `<title>` with its figure, and the page
//! shows the same figures in a table beside it for screen readers and print.
//!
//! - [`stacked_bars`]: one horizontal bar per row, split by series (counts, or shares
//!   of 100 %).
//! - [`value_bars`]: one bar per row against a fixed maximum (a rating out of 5).
//! - [`district_map`]: districts sized by their customers and stores with their reach.

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

/// A district on [`district_map`]: its name, centre and customers, and whether a store
/// reaches it.
pub struct MapPlace {
    pub label: String,
    pub lat_e6: i32,
    pub lng_e6: i32,
    pub customers: u32,
    pub within: bool,
}

/// A store on [`district_map`].
pub struct MapStore {
    pub label: String,
    pub lat_e6: i32,
    pub lng_e6: i32,
}

/// A map of districts (a circle each, its area the customers living there; green within
/// a store's reach, orange beyond) and stores (a square each inside a circle of
/// `reach_m`), north up, in an equirectangular projection around the points' middle
/// latitude: within a city the distortion is far below what the eye reads.
/// `legend`: within reach, beyond reach, a store's reach.
pub fn district_map(
    id: &str,
    title: &str,
    places: &[MapPlace],
    stores: &[MapStore],
    reach_m: u32,
    legend: [&str; 3],
) -> String {
    const W: f64 = 640.0;
    const PAD: f64 = 40.0;
    const LEGEND: f64 = 28.0;
    const M_PER_DEG: f64 = 111_320.0;
    let points: Vec<(i32, i32)> = places
        .iter()
        .map(|p| (p.lat_e6, p.lng_e6))
        .chain(stores.iter().map(|s| (s.lat_e6, s.lng_e6)))
        .collect();
    let deg = |e6: i32| f64::from(e6) / 1e6;
    let (mut lat0, mut lat1, mut lng0, mut lng1) = (90.0f64, -90.0f64, 180.0f64, -180.0f64);
    for &(lat, lng) in &points {
        lat0 = lat0.min(deg(lat));
        lat1 = lat1.max(deg(lat));
        lng0 = lng0.min(deg(lng));
        lng1 = lng1.max(deg(lng));
    }
    if points.is_empty() {
        (lat0, lat1, lng0, lng1) = (30.0, 30.5, 120.0, 120.5);
    }
    let cos = ((lat0 + lat1) / 2.0).to_radians().cos();
    let span_x = ((lng1 - lng0) * cos).max(0.01);
    let span_y = (lat1 - lat0).max(0.01);
    let scale = (W - 2.0 * PAD) / span_x;
    let h = span_y * scale + 2.0 * PAD + LEGEND;
    let x = |lng_e6: i32| PAD + (deg(lng_e6) - lng0) * cos * scale;
    let y = |lat_e6: i32| PAD + (lat1 - deg(lat_e6)) * scale;
    let reach_px = f64::from(reach_m) / M_PER_DEG * scale;
    let most = places.iter().map(|p| p.customers).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart map" role="img" aria-labelledby="{id}-t" viewBox="0 0 {W} {h:.0}" width="100%"><title id="{id}-t">{}</title>"#,
        escape(title)
    );
    for s in stores {
        let _ = write!(
            svg,
            r##"<circle cx="{:.1}" cy="{:.1}" r="{reach_px:.1}" fill="#0969da" fill-opacity="0.07" stroke="#0969da" stroke-opacity="0.35" stroke-dasharray="4 3"/>"##,
            x(s.lng_e6),
            y(s.lat_e6)
        );
    }
    for p in places {
        let r = 4.0 + 22.0 * (f64::from(p.customers) / f64::from(most)).sqrt();
        let colour = if p.within { "#1a7f37" } else { "#bc4c00" };
        let (cx, cy) = (x(p.lng_e6), y(p.lat_e6));
        let _ = write!(
            svg,
            r##"<circle cx="{cx:.1}" cy="{cy:.1}" r="{r:.1}" fill="{colour}" fill-opacity="0.55" stroke="{colour}"><title>{}: {}</title></circle><text x="{cx:.1}" y="{:.1}" text-anchor="middle" font-size="12" fill="#1f2328">{} {}</text>"##,
            escape(&p.label),
            p.customers,
            cy + r + 13.0,
            escape(&p.label),
            p.customers
        );
    }
    for s in stores {
        let (cx, cy) = (x(s.lng_e6), y(s.lat_e6));
        let _ = write!(
            svg,
            r##"<rect x="{:.1}" y="{:.1}" width="9" height="9" fill="#1f2328"><title>{}</title></rect>"##,
            cx - 4.5,
            cy - 4.5,
            escape(&s.label)
        );
    }
    let ly = h - 12.0;
    let _ = write!(
        svg,
        r##"<circle cx="16" cy="{:.0}" r="6" fill="#1a7f37" fill-opacity="0.55"/><text x="28" y="{ly:.0}" font-size="12" fill="#1f2328">{}</text><circle cx="216" cy="{:.0}" r="6" fill="#bc4c00" fill-opacity="0.55"/><text x="228" y="{ly:.0}" font-size="12" fill="#1f2328">{}</text><rect x="412" y="{:.0}" width="9" height="9" fill="#1f2328"/><text x="428" y="{ly:.0}" font-size="12" fill="#1f2328">{}</text></svg>"##,
        ly - 4.0,
        escape(legend[0]),
        ly - 4.0,
        escape(legend[1]),
        ly - 9.0,
        escape(legend[2])
    );
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

    #[test]
    fn a_map_draws_each_district_by_its_customers_and_each_store_with_its_reach() {
        let place = |label: &str, lat_e6, lng_e6, customers, within| MapPlace {
            label: label.to_owned(),
            lat_e6,
            lng_e6,
            customers,
            within,
        };
        let svg = district_map(
            "m",
            "Where <customers> live",
            &[
                place("Xihu", 30_259_500, 120_130_000, 40, true),
                place("Qiantang", 30_323_000, 120_493_000, 10, false),
            ],
            &[MapStore {
                label: "HZ-XH".to_owned(),
                lat_e6: 30_277_600,
                lng_e6: 120_135_700,
            }],
            15_000,
            ["within", "beyond", "store"],
        );
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("Where &lt;customers&gt; live"));
        assert!(
            svg.contains("<title>Xihu: 40</title>") && svg.contains("<title>Qiantang: 10</title>")
        );
        assert!(svg.contains("<title>HZ-XH</title>"));
        // Green within reach, orange beyond; the larger district has the larger circle.
        let radius = |label: &str| -> f64 {
            let at = svg.find(&format!("<title>{label}:")).expect("district");
            let circle = &svg[svg[..at].rfind("<circle").expect("circle")..at];
            let r = circle.split(" r=\"").nth(1).expect("r");
            r[..r.find('"').expect("quote")].parse().expect("number")
        };
        assert!(radius("Xihu") > radius("Qiantang"));
        assert!(svg.contains(r##"fill="#bc4c00""##) && svg.contains(r##"fill="#1a7f37""##));
    }
}
