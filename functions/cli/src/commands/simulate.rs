//! `scalegate simulate`: a scenario (and its trace) from files through the core's simulator; the summary as JSON,
//! the decisions and assumptions as text, the seconds as CSV.

use crate::flags::{CloudWatchDemandArgs, PlanHeadroomArgs, SimulateArgs};
use anyhow::{Context, Result};
use chrono::{DateTime, Utc};
use scalegate_aws::autoscaling_warm_pools::AutoScalingWarmPools;
use scalegate_aws::sdk::Clients;
use scalegate_core::headroom::{
    dead_time, history_from_points, history_window, per_instance_load, plan, DemandHistory, DemandMetrics,
    LaunchSource, PlanSettings, PlannerConfig, ScalingActivities, LAUNCH_HISTORY_DAYS,
};
use scalegate_core::retry::{retry, RetryPolicy};
use scalegate_core::simulate::{
    apply_live, assumptions, calibrate, clock, real_changes, simulate, svg, DemandSource, DemandSpec, LivePolicies,
    Run, RunOptions, Scenario, Summary, Trace, WarmPoolSpec,
};
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

pub(crate) async fn run(args: &SimulateArgs) -> Result<ExitCode> {
    let mut first = load(&args.scenario)?;
    let Demand { trace, window } = demand(args.trace.as_deref(), &args.cloudwatch).await?;
    with_trace(&mut first, trace.as_ref());
    // A live group: its own target tracking alarms replace the scenario's assumptions.
    if let Some(w) = &window {
        let live = retry(RetryPolicy::standard(), || w.ports.target_tracking(&w.group))
            .await
            .result
            .with_context(|| format!("reading the target tracking policies of {}", w.group))?;
        for note in apply_live(&mut first, &live, &args.scenario.display().to_string())? {
            eprintln!("scalegate: {note} (read from {})", w.group);
        }
    }
    // Calibration: the group's own record over the window; the simulation starts where the group stood.
    let real = match (&window, args.calibrate) {
        (Some(w), true) => {
            let activities = retry(RetryPolicy::standard(), || w.ports.activities(&w.group, w.start))
                .await
                .result
                .with_context(|| format!("reading the scaling activities of {}", w.group))?;
            let in_window: Vec<_> = activities.into_iter().filter(|a| a.start <= w.end).collect();
            let changes = real_changes(&in_window, w.start);
            if let Some(c) = changes.first() {
                first.group.desired = Some(c.from.clamp(first.group.min, first.group.max));
            }
            Some(changes)
        }
        _ => None,
    };
    let record_every = u32::from(args.csv.is_some() || args.svg.is_some());
    let one = |scenario: &Scenario| -> Result<Run> {
        let demand = DemandSource::new(&scenario.demand, trace.clone())
            .map_err(|e| anyhow::anyhow!("{}: {e}", args.scenario.display()))?;
        Ok(simulate(scenario, demand, RunOptions { record_every, ..RunOptions::default() }))
    };
    // The second scenario runs on the first one's demand, so the comparison is of everything but the demand.
    let second = match &args.compare {
        Some(path) => {
            let mut s = load(path)?;
            s.demand = first.demand.clone();
            s.duration = first.duration;
            Some(s)
        }
        None => None,
    };
    let runs: Vec<(Scenario, Run)> =
        std::iter::once(first).chain(second).map(|s| one(&s).map(|r| (s, r))).collect::<Result<_>>()?;

    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    if args.explain {
        for (scenario, run) in &runs {
            writeln!(out, "# {}: assumptions where AWS documents nothing", scenario.name)?;
            for a in assumptions(scenario) {
                writeln!(out, "#   {a}")?;
            }
            writeln!(out, "# {}: {} scaling decisions", scenario.name, run.decisions.len())?;
            for d in &run.decisions {
                writeln!(out, "{}  {} -> {}  {}", clock(d.at), d.from, d.to, d.cause)?;
            }
        }
    }
    if let Some(path) = &args.csv {
        write_csv(path, &runs[0].1).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(path) = &args.svg {
        let (scenario, run) = &runs[0];
        let title = format!(
            "{}: {:.0} s over the {} s objective, {} cold and {} warm launches",
            scenario.name,
            run.summary.seconds_over_objective,
            scenario.objective.latency,
            run.summary.cold_launches,
            run.summary.warm_launches
        );
        let chart = svg(&title, &run.rows, scenario.plant.throughput, scenario.objective.latency);
        std::fs::write(path, chart).with_context(|| format!("writing {}", path.display()))?;
    }
    if let Some(real) = &real {
        let c = calibrate(real, &runs[0].1.decisions);
        writeln!(out, "calibration: {}", c.verdict)?;
        writeln!(out, "{:>10} {:>9}   {:>10} {:>9}", "REAL AT", "REAL", "SIM AT", "SIMULATED")?;
        for p in &c.pairings {
            let sim = p
                .simulated
                .map_or(("-".to_string(), "-".to_string()), |s| (clock(s.at), format!("{} -> {}", s.from, s.to)));
            writeln!(
                out,
                "{:>10} {:>9}   {:>10} {:>9}",
                clock(p.real.at),
                format!("{} -> {}", p.real.from, p.real.to),
                sim.0,
                sim.1
            )?;
        }
        writeln!(out, "{}", serde_json::to_string_pretty(&serde_json::json!({"calibration": c}))?)?;
    }
    let summaries: Vec<&Summary> = runs.iter().map(|(_, r)| &r.summary).collect();
    if summaries.len() == 2 {
        writeln!(out, "{}", side_by_side(summaries[0], summaries[1])?)?;
    }
    let json = if summaries.len() == 1 {
        serde_json::to_string_pretty(summaries[0])?
    } else {
        serde_json::to_string_pretty(&summaries)?
    };
    writeln!(out, "{json}")?;
    Ok(ExitCode::SUCCESS)
}

/// `scalegate plan-headroom`: the warm capacity the scenario's dead time needs, and with --simulate what it buys.
pub(crate) async fn plan_headroom(args: &PlanHeadroomArgs) -> Result<ExitCode> {
    if !(0.0..=1.0).contains(&args.percentile) {
        anyhow::bail!("--percentile must be between 0 and 1 (got {})", args.percentile);
    }
    let mut scenario = load(&args.scenario)?;
    let Demand { trace, window } = demand(args.trace.as_deref(), &args.cloudwatch).await?;
    with_trace(&mut scenario, trace.as_ref());
    let seconds = scenario.duration;
    let mut source = DemandSource::new(&scenario.demand, trace.clone())
        .map_err(|e| anyhow::anyhow!("{}: {e}", args.scenario.display()))?;
    let history =
        DemandHistory { step: 1.0, rates: (0..seconds.ceil() as u64).map(|t| Some(source.rate(t as f64))).collect() };
    let mut dead = dead_time(&scenario);
    // A live group's own cold launches (launch → InService, hooks inside) replace the scenario's launch and hook.
    let mut launch_source = serde_json::json!({"source": "scenario"});
    if let Some(w) = &window {
        let since = Utc::now() - chrono::Duration::days(LAUNCH_HISTORY_DAYS);
        let activities = retry(RetryPolicy::standard(), || w.ports.activities(&w.group, since))
            .await
            .result
            .with_context(|| format!("reading the scaling activities of {}", w.group))?;
        let (measured, source) = dead.measured_from(&activities);
        dead = measured;
        launch_source = match source {
            LaunchSource::Measured { launches } => {
                serde_json::json!({"source": "measured", "launches": launches, "group": w.group})
            }
            LaunchSource::Configured { launches } => serde_json::json!({"source": "scenario", "launches": launches}),
        };
    }
    let settings = PlanSettings {
        per_instance: per_instance_load(&scenario),
        percentile: args.percentile,
        max_missing: 0.05,
        group_min: scenario.group.min,
        group_max: scenario.group.max,
    };
    let planned = match plan(&history, dead, settings) {
        Ok(p) => p,
        Err(e) => {
            println!("{}", serde_json::json!({"plan": null, "reason": e.0}));
            return Ok(ExitCode::from(1));
        }
    };
    let state = scenario.warm_pool.as_ref().map(|w| w.state).unwrap_or_default();
    let monthly = f64::from(planned.warm_instances) * scenario.cost.pool_gb(state) * scenario.cost.ebs_gb_month;
    let mut report = serde_json::json!({
        "plan": planned,
        "dead_time": dead,
        "launch_source": launch_source,
        "pool_state": format!("{state:?}"),
        "monthly_storage_cost": monthly,
    });
    if args.simulate {
        // Both pools the same way (an absolute size: MinSize = MaxGroupPreparedCapacity), sized in instances at the
        // policy's target: the plan's, and 15 % of the peak's.
        let peak = history.rates.iter().flatten().copied().fold(0.0f64, f64::max);
        let thumb = (0.15 * peak / per_instance_load(&scenario)).ceil() as u32;
        let reuse = scenario.warm_pool.as_ref().is_none_or(|w| w.reuse_on_scale_in);
        let pool = |size: u32| WarmPoolSpec {
            min_size: size,
            max_group_prepared_capacity: Some(size),
            state,
            reuse_on_scale_in: reuse,
            start_full: true,
        };
        let variants: [(&str, Option<WarmPoolSpec>); 3] =
            [("no pool", None), ("planned", Some(pool(planned.warm_instances))), ("15 % of peak", Some(pool(thumb)))];
        let mut summaries: Vec<Summary> = Vec::new();
        for (name, warm_pool) in variants {
            let mut s = scenario.clone();
            s.name = name.into();
            s.warm_pool = warm_pool;
            let demand = DemandSource::new(&s.demand, trace.clone()).map_err(|e| anyhow::anyhow!("{e}"))?;
            summaries.push(simulate(&s, demand, RunOptions::default()).summary);
        }
        println!("{:<28} {:>16} {:>16} {:>16}", "", "no pool", "planned", "15 % of peak");
        for (label, f) in [
            ("seconds over objective", (|s: &Summary| s.seconds_over_objective) as fn(&Summary) -> f64),
            ("timed out", |s: &Summary| s.timed_out),
            ("wait p99 (s)", |s: &Summary| s.wait_p99),
            ("pool instance-hours", |s: &Summary| s.instance_hours.pool),
            ("pool storage cost ($)", |s: &Summary| s.warm_pool_storage_cost),
        ] {
            println!("{label:<28} {:>16.3} {:>16.3} {:>16.3}", f(&summaries[0]), f(&summaries[1]), f(&summaries[2]));
        }
        report["simulated"] = serde_json::to_value(&summaries)?;
        report["rule_of_thumb_warm_instances"] = thumb.into();
    }
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(ExitCode::SUCCESS)
}

/// A group's CloudWatch window, and the ports that read it.
struct Window {
    group: String,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    ports: AutoScalingWarmPools,
}

/// The demand the flags name instead of the scenario's, and the window it came from when it is a live group's.
struct Demand {
    trace: Option<Trace>,
    window: Option<Window>,
}

/// The demand the flags name instead of the scenario's: a CSV trace, or a group's CloudWatch history.
async fn demand(trace: Option<&Path>, cloudwatch: &CloudWatchDemandArgs) -> Result<Demand> {
    if let Some(p) = trace {
        let trace = Trace::from_csv(&super::read_input(p)?, &p.display().to_string())?;
        if let Some(caveat) = trace.caveat() {
            eprintln!("scalegate: warning: {}: {caveat}", p.display());
        }
        return Ok(Demand { trace: Some(trace), window: None });
    }
    let (Some(group), Some(document), since) =
        (cloudwatch.from_cloudwatch.as_deref(), cloudwatch.document.as_deref(), cloudwatch.since)
    else {
        return Ok(Demand { trace: None, window: None });
    };
    let text = super::read_input(document)?;
    let config = PlannerConfig::from_toml(&text, &document.display().to_string())?;
    let planning = config.group(group).with_context(|| {
        let named: Vec<&str> = config.groups.iter().map(|g| g.name.as_str()).collect();
        format!("{} has no [[group]] named {group} (it names: {})", document.display(), named.join(", "))
    })?;
    let (start, end) = history_window(planning, since.unwrap_or(planning.history), Utc::now());
    let clients = Clients::load(None).await;
    let ports = AutoScalingWarmPools::new(clients.autoscaling, clients.cloudwatch);
    let points = retry(RetryPolicy::standard(), || ports.datapoints(&planning.metric, start, end))
        .await
        .result
        .with_context(|| format!("reading {}/{} for {group}", planning.metric.namespace, planning.metric.name))?;
    let mut history = history_from_points(&points, start, end, planning);
    // The newest periods are often not published yet: they end the window instead of counting as holes.
    while history.rates.len() > 2 && history.rates.last() == Some(&None) {
        history.rates.pop();
    }
    let origin = format!("{}/{} from {start} to {end}", planning.metric.namespace, planning.metric.name);
    let trace = Trace::from_rates(history.step, &history.rates, &origin).map_err(|e| {
        anyhow::anyhow!("{e}: a hole is not a quiet period; if the metric is published only when not zero, set missing = \"zero\" for {group}")
    })?;
    eprintln!(
        "scalegate: {} datapoints of {origin} ({} per period) as the demand",
        points.len(),
        planning.metric.statistic
    );
    Ok(Demand { trace: Some(trace), window: Some(Window { group: group.to_string(), start, end, ports }) })
}

/// A trace replaces the scenario's demand, and its length the scenario's duration.
fn with_trace(scenario: &mut Scenario, trace: Option<&Trace>) {
    if let Some(trace) = trace {
        scenario.demand = DemandSpec::Trace;
        scenario.duration = trace.seconds();
    }
}

fn load(path: &Path) -> Result<Scenario> {
    let text = super::read_input(path)?;
    Ok(Scenario::from_toml(&text, &path.display().to_string())?)
}

fn write_csv(path: &Path, run: &Run) -> Result<()> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(f, "t,arrivals,backlog,desired,in_service,warming,launching,pooled,pool_preparing,wait")?;
    for r in &run.rows {
        writeln!(
            f,
            "{},{:.3},{:.3},{},{},{},{},{},{},{:.3}",
            r.t,
            r.arrivals,
            r.backlog,
            r.desired,
            r.in_service,
            r.warming,
            r.launching,
            r.pooled,
            r.pool_preparing,
            r.wait
        )?;
    }
    f.flush()?;
    Ok(())
}

/// The two summaries' figures in two columns, one line per figure.
fn side_by_side(a: &Summary, b: &Summary) -> Result<String> {
    let (ja, jb) = (serde_json::to_value(a)?, serde_json::to_value(b)?);
    let flat = |v: &serde_json::Value| -> Vec<(String, String)> {
        let mut rows = Vec::new();
        for (k, x) in v.as_object().into_iter().flatten() {
            match x {
                serde_json::Value::Object(inner) => {
                    rows.extend(inner.iter().map(|(ik, iv)| (format!("{k}.{ik}"), figure(iv))));
                }
                other => rows.push((k.clone(), figure(other))),
            }
        }
        rows
    };
    let (ra, rb) = (flat(&ja), flat(&jb));
    let mut text = format!("{:<28} {:>22} {:>22}\n", "", a.scenario, b.scenario);
    for ((k, x), (_, y)) in ra.iter().zip(&rb).filter(|((k, _), _)| k != "scenario") {
        text.push_str(&format!("{k:<28} {x:>22} {y:>22}\n"));
    }
    Ok(text.trim_end().to_string())
}

fn figure(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() != 0.0 => format!("{f:.3}"),
            _ => n.to_string(),
        },
        other => other.to_string().trim_matches('"').to_string(),
    }
}
