//! A run as an SVG a person opens: demand against serving capacity with the seconds over the objective shaded, and
//! the fleet by state under it. No dependency: the chart is a few hundred elements of plain SVG.

use super::engine::Row;
use std::fmt::Write;

const WIDTH: f64 = 960.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 16.0;
const TOP_PANEL: (f64, f64) = (40.0, 300.0); // y, height
const BOTTOM_PANEL: (f64, f64) = (380.0, 170.0);
const HEIGHT: f64 = 600.0;

/// A stacked layer: its label, its colour, and its value in a column.
type Layer = (&'static str, &'static str, fn(&Column) -> f64);

/// One pixel column's worth of rows.
#[derive(Debug, Clone, Copy, Default)]
struct Column {
    t: f64,
    arrivals: f64,
    serving: f64,
    breach: bool,
    counted: f64,
    warming: f64,
    launching: f64,
    pooled: f64,
    desired: f64,
}

/// The chart of `rows` (recorded every second or so), titled `title`; `throughput` turns instances into work per
/// second, `objective` marks the breach.
pub fn svg(title: &str, rows: &[Row], throughput: f64, objective: f64) -> String {
    let plot = WIDTH - LEFT - RIGHT;
    let columns = columns(rows, plot as usize, throughput, objective);
    let end = rows.last().map_or(1.0, |r| r.t.max(1.0));
    let x = |t: f64| LEFT + plot * t / end;
    let demand_max = columns.iter().map(|c| c.arrivals.max(c.serving)).fold(1.0f64, f64::max) * 1.1;
    let fleet_max =
        columns.iter().map(|c| (c.counted + c.warming + c.launching + c.pooled).max(c.desired)).fold(1.0f64, f64::max)
            * 1.1;
    let y_top = |v: f64| TOP_PANEL.0 + TOP_PANEL.1 * (1.0 - v / demand_max);
    let y_bottom = |v: f64| BOTTOM_PANEL.0 + BOTTOM_PANEL.1 * (1.0 - v / fleet_max);

    let mut s = String::new();
    let _ = write!(
        s,
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="12">
<rect width="100%" height="100%" fill="#fff"/>
<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{}</text>
"##,
        escape(title)
    );
    // The breach: runs of columns over the objective, shaded across the top panel.
    let width = plot / columns.len().max(1) as f64;
    let mut breaches = 0;
    let mut i = 0;
    while i < columns.len() {
        if columns[i].breach {
            let start = i;
            while i < columns.len() && columns[i].breach {
                i += 1;
            }
            breaches += 1;
            let _ = writeln!(
                s,
                r##"<rect class="breach" x="{:.1}" y="{}" width="{:.1}" height="{}" fill="#f4b4b4" opacity="0.6"/>"##,
                LEFT + start as f64 * width,
                TOP_PANEL.0,
                (i - start) as f64 * width,
                TOP_PANEL.1
            );
        } else {
            i += 1;
        }
    }
    let line = |values: &dyn Fn(&Column) -> f64, y: &dyn Fn(f64) -> f64| -> String {
        columns.iter().map(|c| format!("{:.1},{:.1}", x(c.t), y(values(c)))).collect::<Vec<_>>().join(" ")
    };
    let _ = writeln!(
        s,
        r##"<polyline fill="none" stroke="#1f5fbf" stroke-width="1.5" points="{}"/>"##,
        line(&|c| c.arrivals, &y_top)
    );
    let _ = writeln!(
        s,
        r##"<polyline fill="none" stroke="#2e8b57" stroke-width="1.5" points="{}"/>"##,
        line(&|c| c.serving, &y_top)
    );
    // The fleet, stacked: in service and counted, warming, launching, in the pool.
    let layers: [Layer; 4] = [
        ("in service", "#2e8b57", |c| c.counted),
        ("warming", "#9acd32", |c| c.warming),
        ("launching", "#f0a030", |c| c.launching),
        ("warm pool", "#9db4d8", |c| c.pooled),
    ];
    let mut below: Vec<f64> = vec![0.0; columns.len()];
    for (_, colour, value) in layers {
        let above: Vec<f64> = columns.iter().zip(&below).map(|(c, b)| b + value(c)).collect();
        let mut points: Vec<String> =
            columns.iter().zip(&above).map(|(c, v)| format!("{:.1},{:.1}", x(c.t), y_bottom(*v))).collect();
        points.extend(columns.iter().zip(&below).rev().map(|(c, v)| format!("{:.1},{:.1}", x(c.t), y_bottom(*v))));
        let _ = writeln!(s, r##"<polygon fill="{colour}" stroke="none" points="{}"/>"##, points.join(" "));
        below = above;
    }
    let _ = writeln!(
        s,
        r##"<polyline fill="none" stroke="#333" stroke-dasharray="4 3" points="{}"/>"##,
        line(&|c| c.desired, &y_bottom)
    );
    // Axes and labels.
    for (y0, h, max, unit) in
        [(TOP_PANEL.0, TOP_PANEL.1, demand_max, "work/s"), (BOTTOM_PANEL.0, BOTTOM_PANEL.1, fleet_max, "instances")]
    {
        let _ = writeln!(
            s,
            r##"<line x1="{LEFT}" y1="{}" x2="{}" y2="{}" stroke="#888"/>"##,
            y0 + h,
            WIDTH - RIGHT,
            y0 + h
        );
        let _ = writeln!(s, r##"<line x1="{LEFT}" y1="{y0}" x2="{LEFT}" y2="{}" stroke="#888"/>"##, y0 + h);
        let _ =
            writeln!(s, r##"<text x="{}" y="{}" text-anchor="end">{:.0}</text>"##, LEFT - 6.0, y0 + 10.0, max / 1.1);
        let _ = writeln!(s, r##"<text x="{}" y="{}" text-anchor="end">0</text>"##, LEFT - 6.0, y0 + h);
        let _ = writeln!(
            s,
            r##"<text x="8" y="{}" transform="rotate(-90 8 {})">{unit}</text>"##,
            y0 + h / 2.0,
            y0 + h / 2.0
        );
    }
    for k in 0..=6 {
        let t = end * f64::from(k) / 6.0;
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{}" text-anchor="middle">{}</text>"##,
            x(t),
            BOTTOM_PANEL.0 + BOTTOM_PANEL.1 + 16.0,
            super::engine::clock(t)
        );
    }
    let legend = [
        ("#1f5fbf", "demand"),
        ("#2e8b57", "serving capacity / in service"),
        ("#f4b4b4", "over the objective"),
        ("#9acd32", "warming"),
        ("#f0a030", "launching"),
        ("#9db4d8", "warm pool"),
        ("#333", "desired"),
    ];
    for (i, (colour, label)) in legend.iter().enumerate() {
        let lx = LEFT + 10.0 + (i as f64) * 122.0;
        let _ = writeln!(
            s,
            r##"<rect x="{lx:.0}" y="{}" width="10" height="10" fill="{colour}"/><text x="{:.0}" y="{}">{label}</text>"##,
            TOP_PANEL.0 + TOP_PANEL.1 + 14.0,
            lx + 14.0,
            TOP_PANEL.0 + TOP_PANEL.1 + 23.0
        );
    }
    let _ = writeln!(s, "<!-- {breaches} breach runs -->\n</svg>");
    s
}

/// Rows folded into at most `n` columns: the peak demand and any breach of the column, the fleet at its end.
fn columns(rows: &[Row], n: usize, throughput: f64, objective: f64) -> Vec<Column> {
    if rows.is_empty() || n == 0 {
        return Vec::new();
    }
    let per = rows.len().div_ceil(n);
    rows.chunks(per)
        .map(|chunk| {
            let last = chunk[chunk.len() - 1];
            Column {
                t: last.t,
                arrivals: chunk.iter().map(|r| r.arrivals).fold(0.0, f64::max),
                serving: f64::from(last.in_service + last.warming) * throughput,
                breach: chunk.iter().any(|r| r.wait > objective),
                counted: f64::from(last.in_service),
                warming: f64::from(last.warming),
                launching: f64::from(last.launching),
                pooled: f64::from(last.pooled),
                desired: f64::from(last.desired),
            }
        })
        .collect()
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
}
