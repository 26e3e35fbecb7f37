//! How far to trust the what-ifs: the simulated changes of desired capacity beside the ones Auto Scaling recorded
//! for the same window (`DescribeScalingActivities`' causes), matched one to one by direction and time.

use super::engine::Decision;
use crate::activity::{DesiredChange, ScalingActivity};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// How far apart a real and a simulated change may be and still be the same decision.
pub const MATCH_WINDOW: f64 = 900.0;

/// One change of desired capacity, at seconds from the window's start.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Change {
    /// Seconds from the window's start.
    pub at: f64,
    /// Before.
    pub from: u32,
    /// After.
    pub to: u32,
}

impl Change {
    fn up(&self) -> bool {
        self.to > self.from
    }
}

/// A real change and the simulated one matched to it, if any.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Pairing {
    /// What Auto Scaling did.
    pub real: Change,
    /// The simulated change in the same direction nearest in time, within [`MATCH_WINDOW`].
    pub simulated: Option<Change>,
}

/// The comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Calibration {
    /// Real changes (scale out, scale in).
    pub real_changes: (usize, usize),
    /// Simulated changes (scale out, scale in).
    pub simulated_changes: (usize, usize),
    /// Every real change with its match.
    pub pairings: Vec<Pairing>,
    /// Real changes with a simulated match.
    pub matched: usize,
    /// Median |simulated − real| time of the matches, seconds.
    pub time_offset_p50: Option<f64>,
    /// Largest, seconds.
    pub time_offset_max: Option<f64>,
    /// Median |simulated − real| size after the change, instances.
    pub size_error_p50: Option<f64>,
    /// Largest desired capacity, real and simulated.
    pub peak_desired: (u32, u32),
    /// In words.
    pub verdict: String,
}

/// The real changes of desired capacity in `activities`, once each (every instance a change launches carries the
/// same Cause), in time order, at the time the Cause gives ("At 2026-… a monitor alarm …") or the activity's start.
pub fn real_changes(activities: &[ScalingActivity], window_start: DateTime<Utc>) -> Vec<Change> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<Change> = activities
        .iter()
        .filter_map(|a| {
            let DesiredChange { from, to } = a.desired_change()?;
            let key = a.cause.split(" changing the desired capacity").next().unwrap_or_default().to_string();
            if !seen.insert((key, from, to)) {
                return None;
            }
            let at = a
                .cause
                .strip_prefix("At ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                .map_or(a.start, |t| t.with_timezone(&Utc));
            Some(Change { at: (at - window_start).num_milliseconds() as f64 / 1000.0, from, to })
        })
        .filter(|c| c.at >= 0.0 && c.from != c.to)
        .collect();
    out.sort_by(|a, b| a.at.total_cmp(&b.at));
    out
}

fn median(mut xs: Vec<f64>) -> Option<f64> {
    if xs.is_empty() {
        return None;
    }
    xs.sort_by(f64::total_cmp);
    Some(xs[(xs.len() - 1) / 2])
}

/// Matches `real` changes to `simulated` decisions: each real change takes the nearest unmatched simulated change
/// in the same direction within [`MATCH_WINDOW`].
pub fn calibrate(real: &[Change], simulated: &[Decision]) -> Calibration {
    let sim: Vec<Change> = simulated.iter().map(|d| Change { at: d.at, from: d.from, to: d.to }).collect();
    let mut taken = vec![false; sim.len()];
    let mut pairings = Vec::with_capacity(real.len());
    for r in real {
        let best = sim
            .iter()
            .enumerate()
            .filter(|(i, s)| !taken[*i] && s.up() == r.up() && (s.at - r.at).abs() <= MATCH_WINDOW)
            .min_by(|(_, a), (_, b)| (a.at - r.at).abs().total_cmp(&(b.at - r.at).abs()));
        let simulated = best.map(|(i, s)| {
            taken[i] = true;
            *s
        });
        pairings.push(Pairing { real: *r, simulated });
    }
    let count = |cs: &[Change]| (cs.iter().filter(|c| c.up()).count(), cs.iter().filter(|c| !c.up()).count());
    let matched: Vec<(Change, Change)> = pairings.iter().filter_map(|p| Some((p.real, p.simulated?))).collect();
    let offsets: Vec<f64> = matched.iter().map(|(r, s)| (s.at - r.at).abs()).collect();
    let sizes: Vec<f64> = matched.iter().map(|(r, s)| (f64::from(s.to) - f64::from(r.to)).abs()).collect();
    let peak = |cs: &[Change]| cs.iter().map(|c| c.to.max(c.from)).max().unwrap_or(0);
    let (real_changes, simulated_changes) = (count(real), count(&sim));
    let time_offset_p50 = median(offsets.clone());
    let verdict = if real.is_empty() {
        "the group changed its desired capacity no time in the window: nothing to compare".to_string()
    } else {
        format!(
            "{} of {} real changes have a simulated twin within {:.0} min (median {:.0} s apart); the simulation made {} \
             changes, Auto Scaling {}",
            matched.len(),
            real.len(),
            MATCH_WINDOW / 60.0,
            time_offset_p50.unwrap_or(f64::NAN),
            sim.len(),
            real.len()
        )
    };
    Calibration {
        real_changes,
        simulated_changes,
        matched: matched.len(),
        time_offset_p50,
        time_offset_max: offsets.iter().copied().reduce(f64::max),
        size_error_p50: median(sizes),
        peak_desired: (peak(real), peak(&sim)),
        pairings,
        verdict,
    }
}
