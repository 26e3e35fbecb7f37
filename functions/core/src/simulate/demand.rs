//! Work arriving each second: from a generator (steady, ramp, spike, diurnal, with seeded noise) or a CSV trace.

use super::scenario::{DemandSpec, Noise};
use thiserror::Error;

/// What is wrong with a trace, naming the line.
#[derive(Debug, Error, PartialEq)]
pub enum TraceError {
    /// The header is none of `time,arrivals`, `time,backlog,deleted`, `time,backlog`.
    #[error("{file}: the header must be `time,arrivals`, `time,backlog,deleted` or `time,backlog` (got `{header}`)")]
    Header {
        /// The trace.
        file: String,
        /// What the first line says.
        header: String,
    },
    /// A line does not hold a time and a count.
    #[error("{file}:{line}: {problem}")]
    Line {
        /// The trace.
        file: String,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        problem: String,
    },
    /// Fewer than two samples (one row says nothing about its interval).
    #[error("{file}: at least two samples are needed after the header")]
    Empty {
        /// The trace.
        file: String,
    },
}

/// The longest trace simulated: 400 days.
const MAX_TRACE_SECONDS: f64 = 400.0 * 86_400.0;

/// A trace: arrivals counted over each interval, spread evenly over its seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct Trace {
    /// (start second, arrivals per second until the next start).
    samples: Vec<(f64, f64)>,
    /// Seconds from the first sample to the last interval's end.
    end: f64,
    /// What the arrivals understate, when the trace could not say all of them.
    caveat: Option<&'static str>,
}

/// Why a `time,backlog` trace understates its demand.
const BACKLOG_ALONE: &str =
    "a `time,backlog` trace says only how the backlog rose: work that arrived and was finished \
     within the same interval is not in it, so its arrivals are a lower bound (add a `deleted` column, e.g. SQS \
     NumberOfMessagesDeleted per interval, for all of them)";

impl Trace {
    /// Reads `time,arrivals`: time in seconds (any increasing seconds, taken relative to the first row), arrivals
    /// counted from that time until the next row's. Or `time,backlog,deleted`: the work waiting at each time and the
    /// work finished until the next row's; what arrived in between is, by conservation, the backlog's change plus
    /// what was finished (approximate counts can make it dip below zero: it is taken as zero), and the backlog at
    /// the first row arrives in the first interval. Its last row only closes the interval before it, so it needs three
    /// rows at least. A `time,backlog` trace is read as one whose `deleted` are unknown and taken as zero: its
    /// arrivals are the backlog's rises, a lower bound, and [`Trace::caveat`] says so.
    pub fn from_csv(text: &str, file: &str) -> Result<Self, TraceError> {
        let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'));
        let (_, header) = lines.next().ok_or_else(|| TraceError::Empty { file: file.into() })?;
        let columns: Vec<&str> = header.split(',').map(str::trim).collect();
        let names: &[&str] = match columns.as_slice() {
            ["time", "arrivals"] => &["arrivals"],
            ["time", "backlog", "deleted"] => &["backlog", "deleted"],
            ["time", "backlog"] => &["backlog"],
            _ => return Err(TraceError::Header { file: file.into(), header: header.into() }),
        };
        let mut rows: Vec<(f64, Vec<f64>)> = Vec::new();
        for (i, line) in lines {
            let bad = |problem: String| TraceError::Line { file: file.into(), line: i + 1, problem };
            let parts: Vec<&str> = line.split(',').map(str::trim).collect();
            if parts.len() != names.len() + 1 {
                return Err(bad(format!("expected `{}`, got `{line}`", columns.join(","))));
            }
            let t: f64 =
                parts[0].parse().map_err(|_| bad(format!("time `{}` is not a number of seconds", parts[0])))?;
            if !t.is_finite() || t.fract() != 0.0 {
                return Err(bad(format!("time {t} must be a whole number of seconds")));
            }
            let mut values = Vec::with_capacity(names.len());
            for (name, text) in names.iter().zip(&parts[1..]) {
                let v: f64 = text.parse().map_err(|_| bad(format!("{name} `{text}` is not a number")))?;
                if !v.is_finite() || v < 0.0 {
                    return Err(bad(format!("{name} must be a count of 0 or more (got {v})")));
                }
                values.push(v);
            }
            if let Some((previous, _)) = rows.last() {
                if t <= *previous {
                    return Err(bad(format!("time {t} is not after the previous row's {previous}")));
                }
            }
            rows.push((t, values));
        }
        let backlog = names[0] == "backlog";
        if rows.len() < 2 || (backlog && rows.len() < 3) {
            return Err(TraceError::Empty { file: file.into() });
        }
        // (start, count, interval): row i counts from its time until the next row's (as CloudWatch stamps a
        // datapoint with its period's start). A `time,arrivals` trace's last row counts an interval as long as the
        // one before it; a backlog trace's last row only closes the interval before it.
        let intervals: Vec<(f64, f64, f64)> = if !backlog {
            (0..rows.len())
                .map(|i| {
                    let interval =
                        if i + 1 < rows.len() { rows[i + 1].0 - rows[i].0 } else { rows[i].0 - rows[i - 1].0 };
                    (rows[i].0, rows[i].1[0], interval)
                })
                .collect()
        } else {
            rows.windows(2)
                .enumerate()
                .map(|(i, w)| {
                    let (backlog, next) = (w[0].1[0], w[1].1[0]);
                    let deleted = w[0].1.get(1).copied().unwrap_or(0.0);
                    let waiting = if i == 0 { backlog } else { 0.0 };
                    (w[0].0, (next - backlog + deleted).max(0.0) + waiting, w[1].0 - w[0].0)
                })
                .collect()
        };
        let origin = intervals[0].0;
        let (last, _, last_interval) = intervals[intervals.len() - 1];
        let end = last + last_interval - origin;
        if end > MAX_TRACE_SECONDS {
            return Err(TraceError::Line {
                file: file.into(),
                line: 0,
                problem: format!("the trace spans {end} s; at most 400 days are simulated"),
            });
        }
        let samples = intervals.iter().map(|(t, count, interval)| (t - origin, count / interval)).collect();
        let caveat = (backlog && names.len() == 1).then_some(BACKLOG_ALONE);
        Ok(Self { samples, end, caveat })
    }

    /// A trace from rates one `step` apart (a CloudWatch history: work per second over each period), named `origin`
    /// in errors. Every rate must be known: a hole is not a quiet period.
    pub fn from_rates(step: f64, rates: &[Option<f64>], origin: &str) -> Result<Self, TraceError> {
        let bad = |problem: String| TraceError::Line { file: origin.into(), line: 0, problem };
        if !(step >= 1.0 && step.fract() == 0.0) {
            return Err(bad(format!("the step {step} s must be a whole number of seconds")));
        }
        if rates.len() < 2 {
            return Err(TraceError::Empty { file: origin.into() });
        }
        if step * rates.len() as f64 > MAX_TRACE_SECONDS {
            return Err(bad("at most 400 days are simulated".into()));
        }
        let holes = rates.iter().filter(|r| r.is_none()).count();
        if holes > 0 {
            return Err(bad(format!("{holes} of {} periods have no datapoint", rates.len())));
        }
        let samples = rates
            .iter()
            .enumerate()
            .map(|(i, r)| match r {
                Some(r) if r.is_finite() && *r >= 0.0 => Ok((i as f64 * step, *r)),
                other => Err(bad(format!("period {i}: {other:?} is not a rate of 0 or more"))),
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { samples, end: step * rates.len() as f64, caveat: None })
    }

    /// What the trace's arrivals understate, when it could not say all of them (a backlog without deletions).
    pub fn caveat(&self) -> Option<&'static str> {
        self.caveat
    }

    /// The trace's length in seconds (to its last interval's end).
    pub fn seconds(&self) -> f64 {
        self.end
    }
}

/// Yields arrivals for second 0, 1, 2, … in order.
#[derive(Debug, Clone)]
pub struct DemandSource {
    spec: DemandSpec,
    /// The trace and where it ends (worked out once, not every second).
    trace: Option<(Trace, f64)>,
    cursor: usize,
    rng: Option<(Rng, f64)>,
    phase: Rotation,
}

impl DemandSource {
    /// A source for the scenario's demand; a trace is required for `kind = "trace"` and used only then.
    pub fn new(spec: &DemandSpec, trace: Option<Trace>) -> Result<Self, String> {
        if matches!(spec, DemandSpec::Trace) && trace.is_none() {
            return Err("demand.kind = \"trace\" needs a trace (--trace FILE or --from-cloudwatch)".into());
        }
        let noise: Option<Noise> = spec.noise();
        Ok(Self {
            spec: spec.clone(),
            trace: if matches!(spec, DemandSpec::Trace) {
                trace.map(|t| {
                    let end = t.seconds();
                    (t, end)
                })
            } else {
                None
            },
            cursor: 0,
            rng: noise.filter(|n| n.sd > 0.0).map(|n| (Rng::new(n.seed), n.sd)),
            phase: Rotation::default(),
        })
    }

    /// The arrival rate (work items per second) during second `t`; `t` must not go backwards.
    pub fn rate(&mut self, t: f64) -> f64 {
        let mut one = [0.0];
        self.fill(t, &mut one);
        one[0]
    }

    /// The rates of seconds `start`, `start + 1`, … into `out`: the same values as [`Self::rate`] second by second,
    /// with the demand's kind matched once per block instead of once per second (the simulator's inner loop).
    pub fn fill(&mut self, start: f64, out: &mut [f64]) {
        match &self.spec {
            DemandSpec::Steady { rate, .. } => out.fill(*rate),
            DemandSpec::Ramp { from, to, start: at, over, .. } => {
                for (t, o) in seconds(start, out) {
                    *o = if t < *at {
                        *from
                    } else if t >= at + over || *over <= 0.0 {
                        *to
                    } else {
                        from + (to - from) * (t - at) / over
                    };
                }
            }
            DemandSpec::Spike { base, peak, at, lasting, .. } => {
                for (t, o) in seconds(start, out) {
                    *o = if t >= *at && t < at + lasting { *peak } else { *base };
                }
            }
            DemandSpec::Diurnal { mean, amplitude, period, peak_at, .. } => {
                for (t, o) in seconds(start, out) {
                    *o = mean + amplitude * self.phase.cos_at(std::f64::consts::TAU * (t - peak_at) / period, t);
                }
            }
            DemandSpec::Trace => {
                for (t, o) in seconds(start, out) {
                    *o = match &self.trace {
                        // After the trace's last interval nothing arrives (its last rate is not repeated).
                        Some((_, end)) if t >= *end => 0.0,
                        Some((trace, _)) => {
                            while self.cursor + 1 < trace.samples.len() && trace.samples[self.cursor + 1].0 <= t {
                                self.cursor += 1;
                            }
                            trace.samples[self.cursor].1
                        }
                        None => 0.0,
                    };
                }
            }
        }
        match &mut self.rng {
            // A uniform draw with this standard deviation: mean 0, half-width sd × √3.
            Some((rng, sd)) => {
                let half_width = *sd * 3f64.sqrt();
                for o in out.iter_mut() {
                    *o = (*o * (1.0 + half_width * (2.0 * rng.unit() - 1.0))).max(0.0);
                }
            }
            None => out.iter_mut().for_each(|o| *o = o.max(0.0)),
        }
    }
}

/// Each second of a block from `start`, with its slot.
fn seconds(start: f64, out: &mut [f64]) -> impl Iterator<Item = (f64, &mut f64)> {
    (0..).map(move |i: u32| start + f64::from(i)).zip(out.iter_mut())
}

/// cos(angle) for angles one second apart, by rotating the previous (cos, sin) instead of calling cos each second
/// (a month of seconds calls it millions of times); exact again every hour, so rounding never accumulates.
#[derive(Debug, Clone, Default)]
struct Rotation {
    /// (t, angle, cos, sin) of the last call.
    last: Option<(f64, f64, f64, f64)>,
    /// (angle per second, its cos, its sin).
    step: Option<(f64, f64, f64)>,
    /// Rotations since the last exact value.
    rotations: u32,
}

const EXACT_EVERY: u32 = 3600;

impl Rotation {
    fn cos_at(&mut self, angle: f64, t: f64) -> f64 {
        if let (Some((last_t, last_angle, c, s)), Some((delta, dc, ds))) = (self.last, self.step) {
            if t == last_t + 1.0 && self.rotations < EXACT_EVERY && (angle - last_angle - delta).abs() < 1e-12 {
                let (c2, s2) = (c * dc - s * ds, s * dc + c * ds);
                self.last = Some((t, angle, c2, s2));
                self.rotations += 1;
                return c2;
            }
        }
        if let Some((last_t, last_angle, _, _)) = self.last {
            if t == last_t + 1.0 && self.step.is_none() {
                let delta = angle - last_angle;
                self.step = Some((delta, delta.cos(), delta.sin()));
            }
        }
        let (c, s) = (angle.cos(), angle.sin());
        self.last = Some((t, angle, c, s));
        self.rotations = 0;
        c
    }
}

/// xorshift64*: small, fast and the same on every platform, so a seed names one demand.
#[derive(Debug, Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        // Zero is xorshift's fixed point; any seed maps to a non-zero state.
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// A draw in [0, 1).
    fn unit(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        let bits = x.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11;
        bits as f64 / (1u64 << 53) as f64
    }
}
