use super::*;

fn run(toml: &str) -> Run {
    let scenario = Scenario::from_toml(toml, "test.toml").unwrap();
    let demand = DemandSource::new(&scenario.demand, None).unwrap();
    simulate(&scenario, demand, RunOptions { record_every: 1, ..RunOptions::default() })
}

/// AWS's SQS example: 1500 messages on 10 instances, acceptable backlog 100 per instance → 15 instances.
#[test]
fn the_sqs_worked_example_scales_ten_instances_to_fifteen() {
    let r = run(r#"
        duration = "10m"
        demand = { kind = "spike", base = 0, peak = 1500, at = 0, lasting = 1 }
        plant = { throughput = 0.000001 }
        group = { min = 1, max = 50, desired = 10 }
        [[target_tracking]]
        metric = "backlog-per-instance"
        target = 100
    "#);
    let first = &r.decisions[0];
    assert_eq!((first.from, first.to), (10, 15), "{first:?}");
    assert!(first.cause.contains("AlarmHigh") && first.cause.contains("150.0 > 100"), "{}", first.cause);
    // Three one-minute datapoints, each seen a period late: the first action comes at the fourth minute's evaluation.
    assert_eq!(first.at, 240.0, "{first:?}");
}

/// A proportional policy: 4 replicas at 90 % against a target of 50 → ceil(4 × 90 / 50) = 8.
#[test]
fn a_proportional_policy_rounds_up_on_scale_out() {
    let r = run(r#"
        duration = "10m"
        demand = { kind = "steady", rate = 360 }
        plant = { throughput = 100 }
        group = { min = 1, max = 20, desired = 4 }
        [[target_tracking]]
        metric = "utilization"
        target = 50
    "#);
    let first = &r.decisions[0];
    assert_eq!((first.from, first.to), (4, 8), "{first:?}");
    // The new instances are warming: no further scale out builds on the old metric, and none comes in.
    assert!(r.decisions.iter().all(|d| d.to >= 8 || d.at > first.at + 300.0), "{:?}", r.decisions);
}

#[test]
fn scale_in_waits_for_warmup_and_never_crosses_the_target() {
    let r = run(r#"
        duration = "2h"
        demand = { kind = "steady", rate = 150 }
        plant = { throughput = 100 }
        group = { min = 1, max = 20, desired = 10, instance_warmup = "5m" }
        [[target_tracking]]
        metric = "utilization"
        target = 50
    "#);
    // 150 work/s at 50 % of 100 each needs 3 instances; scale in steps down without going below.
    let ins: Vec<&Decision> = r.decisions.iter().filter(|d| d.to < d.from).collect();
    assert!(!ins.is_empty(), "{:?}", r.decisions);
    assert!(r.decisions.iter().all(|d| d.to >= 3), "{:?}", r.decisions);
    assert_eq!(r.summary.final_desired, 3, "{:?}", r.decisions);
    assert_eq!(r.summary.scale_outs, 0);
    // The low alarm needs 15 datapoints of a minute, each seen a minute late.
    assert!(ins[0].at >= 15.0 * 60.0, "{:?}", ins[0]);
}

#[test]
fn scale_in_needs_every_policy_and_scale_out_any() {
    let two = r#"
        duration = "1h"
        demand = { kind = "steady", rate = 150 }
        plant = { throughput = 100 }
        group = { min = 1, max = 20, desired = 10 }
        [[target_tracking]]
        name = "utilization"
        metric = "utilization"
        target = 50
        [[target_tracking]]
        name = "backlog"
        metric = "backlog-per-instance"
        target = 100
        disable_scale_in = DISABLE
    "#;
    // The backlog policy never sees a backlog below 0.9 × 100? It does (0 < 90): both agree, scale in happens.
    let agree = run(&two.replace("DISABLE", "false"));
    assert!(agree.summary.scale_ins > 0);
    // A policy whose low alarm never fires holds the group.
    let holder = two
        .replace("DISABLE", "false")
        .replace("target = 100", "target = 0.0000001")
        .replace("rate = 150", "rate = 1500");
    let held = run(&holder);
    assert_eq!(held.summary.scale_ins, 0, "{:?}", held.decisions);
}

#[test]
fn the_warm_pool_keeps_awss_size_and_serves_scale_out_warm() {
    assert_eq!(warm_pool_size(0, None, 10, 6), 4);
    assert_eq!(warm_pool_size(0, Some(8), 10, 6), 2);
    assert_eq!(warm_pool_size(0, Some(5), 10, 6), 0);
    assert_eq!(warm_pool_size(1, Some(5), 10, 6), 1);
    let r = run(r#"
        duration = "30m"
        demand = { kind = "ramp", from = 100, to = 500, start = "10m", over = "30s" }
        plant = { throughput = 100 }
        group = { min = 2, max = 10, desired = 2 }
        warm_pool = { max_group_prepared_capacity = 6 }
        [[target_tracking]]
        metric = "requests-per-instance"
        target = 70
        period = 10
    "#);
    // The pool filled (6 − 2 = 4) before the ramp; the scale out took its instances first, the rest started cold.
    let before = r.rows.iter().find(|row| row.t == 590.0).unwrap();
    assert_eq!(before.pooled, 4, "{before:?}");
    assert_eq!(r.summary.warm_launches, 4, "{:?}", r.summary);
    assert_eq!(r.summary.cold_launches, r.summary.max_desired - 2 - 4, "{:?}", r.summary);
    let out = r.decisions.iter().find(|d| d.to > d.from).unwrap();
    let after = r.rows.iter().find(|row| row.t == out.at).unwrap();
    assert_eq!(after.pooled, 4 - (out.to - out.from).min(4), "{after:?}");
    assert!(r.summary.warm_pool_storage_cost > 0.0);
}

const LAUNCH_MORNING: &str = r#"
    name = "launch morning"
    duration = "30m"
    demand = { kind = "ramp", from = 200, to = 1000, start = "5m", over = "60s" }
    plant = { throughput = 100, cold_launch = "4m", hook = "1s", timeout = "30s" }
    group = { min = 3, max = 20, desired = 3, instance_warmup = "60s" }
    objective = { latency = "1s" }
    [[target_tracking]]
    metric = "requests-per-instance"
    target = 70
    period = 10
"#;

/// 4-minute boots, 100 RPS per instance, 200 → 1000 RPS over 60 s: without headroom the objective is breached for
/// about the boot time (detection, the boot, and the backlog's drain); a warm pool cuts most of it.
#[test]
fn launch_morning_breaches_for_about_the_boot_time_and_a_warm_pool_removes_most_of_it() {
    let cold = run(LAUNCH_MORNING);
    let boot = 240.0;
    assert!(
        cold.summary.seconds_over_objective >= 0.75 * boot && cold.summary.seconds_over_objective <= 1.5 * boot,
        "breach {} s for a {boot} s boot: {:?}",
        cold.summary.seconds_over_objective,
        cold.decisions
    );
    let warm = run(
        &LAUNCH_MORNING.replace("objective =", "warm_pool = { max_group_prepared_capacity = 15 }\n    objective =")
    );
    assert!(
        warm.summary.seconds_over_objective <= 0.5 * cold.summary.seconds_over_objective,
        "warm {} s against cold {} s",
        warm.summary.seconds_over_objective,
        cold.summary.seconds_over_objective
    );
    assert!(warm.summary.timed_out < cold.summary.timed_out);
    assert_eq!(warm.summary.cold_launches, 0, "{:?}", warm.summary);
}

#[test]
fn scheduled_actions_set_the_group_and_say_so() {
    let r = run(r#"
        duration = "20m"
        demand = { kind = "steady", rate = 100 }
        plant = { throughput = 100 }
        group = { min = 1, max = 10, desired = 2 }
        [[scheduled]]
        at = "10m"
        min = 5
    "#);
    let d = r.decisions.iter().find(|d| d.cause.contains("scheduled action")).unwrap();
    assert_eq!((d.at, d.from, d.to), (600.0, 2, 5));
}

#[test]
fn seeded_noise_is_the_same_demand_every_time_and_another_seed_is_not() {
    let with = |seed: u64| {
        let s = Scenario::from_toml(
            &format!("duration = 100\ndemand = {{ kind = \"steady\", rate = 100, noise = {{ sd = 0.2, seed = {seed} }} }}\ngroup = {{ min = 1, max = 1 }}\n"),
            "n.toml",
        )
        .unwrap();
        let mut d = DemandSource::new(&s.demand, None).unwrap();
        (0..100).map(|t| d.rate(f64::from(t))).collect::<Vec<f64>>()
    };
    assert_eq!(with(7), with(7));
    assert_ne!(with(7), with(8));
    let mean = with(7).iter().sum::<f64>() / 100.0;
    assert!((mean - 100.0).abs() < 10.0, "{mean}");
}

#[test]
fn bad_scenarios_and_traces_name_the_field_or_line() {
    let err = |toml: &str| Scenario::from_toml(toml, "s.toml").unwrap_err().to_string();
    let base = "duration = 60\ndemand = { kind = \"steady\", rate = 1 }\n";
    assert!(err(&format!("{base}group = {{ min = 5, max = 2 }}")).contains("`group.min` 5 is above group.max 2"));
    assert!(err(&format!(
        "{base}group = {{ min = 1, max = 2 }}\n[[target_tracking]]\nmetric = \"utilization\"\ntarget = 50\nperiod = 20"
    ))
    .contains("`target_tracking.period` must be 10, 30 or 60 s"));
    assert!(err(&format!("{base}group = {{ min = 1, max = 2 }}\nplant = {{ cold_launch = \"3h\" }}"))
        .contains("plant.cold_launch"));
    assert!(err(&format!("{base}group = {{ min = 1, max = 2, colour = 1 }}")).contains("unknown field `colour`"));
    assert!(err("duration = \"soon\"\n").contains("not a duration"));

    // Numbers TOML allows but AWS and arithmetic do not: refused, named.
    assert!(err("duration = 60\ndemand = { kind = \"steady\", rate = inf }\ngroup = { min = 1, max = 2 }")
        .contains("`demand.rate` must be a finite number"));
    assert!(
        err(&format!("{base}group = {{ min = 1, max = 4000000000 }}")).contains("`group.max` must be at most 100000")
    );
    assert!(err(&format!(
        "{base}group = {{ min = 1, max = 2 }}\n[[target_tracking]]\nmetric = \"utilization\"\ntarget = 50\nlag = nan"
    ))
    .contains("target_tracking.lag"));
    assert!(err(&format!("{base}group = {{ min = 1, max = 2 }}\n[[target_tracking]]\nmetric = \"utilization\"\ntarget = 50\nhigh = {{ datapoints = 1, evaluation_periods = 4000 }}")).contains("at most one day"));
    assert!(err(&format!("{base}group = {{ min = 1, max = 2 }}\n[[scheduled]]\nat = \"2h\"\nmin = 1"))
        .contains("`scheduled.at` must be within the run"));
    assert!(err(&format!("{base}group = {{ min = 1, max = 2, instance_warmup = \"2h\" }}"))
        .contains("DefaultInstanceWarmup"));
    assert!(err(
        "duration = 60\ndemand = { kind = \"steady\", rate = 1, noise = { sd = 0.9 } }\ngroup = { min = 1, max = 2 }"
    )
    .contains("1/√3"));

    let trace = |csv: &str| Trace::from_csv(csv, "t.csv");
    assert!(trace("time,arrivals\n0,10\n0.5,1000\n1,10\n")
        .unwrap_err()
        .to_string()
        .contains("whole number of seconds"));
    assert!(matches!(trace("time,arrivals\n0,10\n"), Err(TraceError::Empty { .. })));
    assert!(trace("time,arrivals\n0,1\n1000000000,1\n").unwrap_err().to_string().contains("400 days"));
    assert!(trace("when,count\n0,1\n").unwrap_err().to_string().contains("header must be `time,arrivals`"));
    assert_eq!(trace("time,arrivals\n0,1\n60,x\n").unwrap_err().to_string(), "t.csv:3: arrivals `x` is not a number");
    assert!(trace("time,arrivals\n60,1\n0,1\n").unwrap_err().to_string().contains("t.csv:3: time 0 is not after"));
    assert!(matches!(trace("time,arrivals\n"), Err(TraceError::Empty { .. })));
}

#[test]
fn a_cloudwatch_history_becomes_a_trace_only_without_holes() {
    let trace = Trace::from_rates(60.0, &[Some(10.0), Some(20.0), Some(0.0)], "cw").unwrap();
    assert_eq!(trace.seconds(), 180.0);
    let s = Scenario::from_toml("duration = 180\ndemand = { kind = \"trace\" }\ngroup = { min = 1, max = 1 }\n", "s")
        .unwrap();
    let mut d = DemandSource::new(&s.demand, Some(trace)).unwrap();
    assert_eq!((d.rate(0.0), d.rate(59.0), d.rate(60.0), d.rate(179.0)), (10.0, 10.0, 20.0, 0.0));
    let holes = Trace::from_rates(60.0, &[Some(1.0), None, Some(1.0)], "cw").unwrap_err().to_string();
    assert!(holes.contains("1 of 3 periods have no datapoint"), "{holes}");
    assert!(Trace::from_rates(0.5, &[Some(1.0), Some(1.0)], "cw").is_err());
    assert!(Trace::from_rates(60.0, &[Some(1.0), Some(-1.0)], "cw").is_err());
}

#[test]
fn a_trace_spreads_each_count_over_its_interval() {
    let trace = Trace::from_csv("time,arrivals\n1000,600\n1060,1200\n1120,0\n", "t.csv").unwrap();
    assert_eq!(trace.seconds(), 180.0);
    let s =
        Scenario::from_toml("duration = 180\ndemand = { kind = \"trace\" }\ngroup = { min = 1, max = 1 }\n", "s.toml")
            .unwrap();
    assert!(DemandSource::new(&s.demand, None).unwrap_err().contains("needs a trace"));
    let mut d = DemandSource::new(&s.demand, Some(trace)).unwrap();
    let rates: Vec<f64> = (0..180).map(|t| d.rate(f64::from(t))).collect();
    assert_eq!((rates[0], rates[59], rates[60], rates[119], rates[120]), (10.0, 10.0, 20.0, 20.0, 0.0));
    // Past its end a trace brings nothing: its last rate is not repeated.
    let two = Trace::from_csv("time,arrivals\n0,60\n60,120\n", "t.csv").unwrap();
    let mut d = DemandSource::new(&s.demand, Some(two)).unwrap();
    assert_eq!((d.rate(119.0), d.rate(120.0), d.rate(5000.0)), (2.0, 0.0, 0.0));
}

#[test]
fn a_diurnal_demand_follows_its_cosine_exactly_over_days() {
    let s = Scenario::from_toml(
        "duration = \"3d\"\ndemand = { kind = \"diurnal\", mean = 600, amplitude = 400, peak_at = \"14h\" }\ngroup = { min = 1, max = 1 }\n",
        "d.toml",
    );
    // Days are days.
    assert_eq!(s.unwrap().duration, 72.0 * 3600.0);
    let s = Scenario::from_toml(
        "duration = \"72h\"\ndemand = { kind = \"diurnal\", mean = 600, amplitude = 400, peak_at = \"14h\" }\ngroup = { min = 1, max = 1 }\n",
        "d.toml",
    )
    .unwrap();
    let mut d = DemandSource::new(&s.demand, None).unwrap();
    let mut worst = 0.0f64;
    for t in 0..(72 * 3600) {
        let t = f64::from(t);
        let exact = 600.0 + 400.0 * (std::f64::consts::TAU * (t - 14.0 * 3600.0) / 86_400.0).cos();
        worst = worst.max((d.rate(t) - exact).abs());
    }
    assert!(worst < 1e-6, "{worst}");
    assert!(
        (d.rate(72.0 * 3600.0 + 10.0)
            - (600.0 + 400.0 * (std::f64::consts::TAU * (72.0 * 3600.0 + 10.0 - 50_400.0) / 86_400.0).cos()))
        .abs()
            < 1e-9
    );
}

/// A fast policy whose backlog is always empty may not take the group below what a slower policy still needs.
#[test]
fn scale_in_keeps_the_largest_capacity_any_policy_asks_for() {
    let r = run(r#"
        duration = "2h"
        demand = { kind = "steady", rate = 300 }
        plant = { throughput = 100 }
        group = { min = 1, max = 20, desired = 10, instance_warmup = "60s" }
        [[target_tracking]]
        name = "requests"
        metric = "requests-per-instance"
        target = 70
        [[target_tracking]]
        name = "backlog"
        metric = "backlog-per-instance"
        target = 500
        period = 10
    "#);
    // 300 requests/s at 70 each needs 5; the backlog policy (empty queue) would take it to the minimum.
    assert!(r.decisions.iter().all(|d| d.to >= 5), "{:#?}", r.decisions);
    assert_eq!(r.summary.final_desired, 5, "{:#?}", r.decisions);
    assert_eq!(r.summary.oscillations, 0);
}

#[test]
fn the_chart_shades_the_breach_and_draws_every_layer() {
    let r = run(LAUNCH_MORNING);
    let chart = svg("launch <morning>", &r.rows, 100.0, 1.0);
    assert!(chart.starts_with("<svg") && chart.trim_end().ends_with("</svg>"));
    assert!(chart.contains("launch &lt;morning&gt;"));
    assert_eq!(chart.matches("<polygon").count(), 4, "in service, warming, launching, pool");
    assert_eq!(chart.matches("<polyline").count(), 3, "demand, serving capacity, desired");
    // One breach: from the ramp until the new capacity serves.
    assert_eq!(chart.matches(r#"class="breach""#).count(), 1, "{chart}");
    let quiet = run(&LAUNCH_MORNING.replace("to = 1000", "to = 250"));
    assert_eq!(svg("quiet", &quiet.rows, 100.0, 1.0).matches(r#"class="breach""#).count(), 0);
    assert!(svg("empty", &[], 100.0, 1.0).contains("</svg>"));
}

/// AWS's step scaling examples: 30 % of 11 → +3, 10 % of 14 → +1, 25 % of 4 → 1 raised to a minimum magnitude of 2.
#[test]
fn step_scaling_rounds_percentages_as_aws_documents() {
    let step = |adjustment_type: &str, adjustment: i32, magnitude: &str| {
        let s = Scenario::from_toml(
            &format!(
                "duration = 60\ndemand = {{ kind = \"steady\", rate = 1 }}\ngroup = {{ min = 0, max = 100 }}\n[[step_scaling]]\nmetric = \"utilization\"\nthreshold = 70\ncomparison = \"at-or-above\"\nadjustment_type = \"{adjustment_type}\"\n{magnitude}\nsteps = [{{ lower = 0, adjustment = {adjustment} }}]\n"
            ),
            "s.toml",
        )
        .unwrap();
        s.step_scaling[0].clone()
    };
    use super::engine::adjusted;
    assert_eq!(adjusted(&step("PercentChangeInCapacity", 30, ""), 11, 30), 14);
    assert_eq!(adjusted(&step("PercentChangeInCapacity", 10, ""), 14, 10), 15);
    assert_eq!(adjusted(&step("PercentChangeInCapacity", 10, ""), 10, 10), 11);
    assert_eq!(adjusted(&step("PercentChangeInCapacity", 25, "min_adjustment_magnitude = 2"), 4, 25), 6);
    assert_eq!(adjusted(&step("PercentChangeInCapacity", -30, ""), 20, -30), 14);
    assert_eq!(adjusted(&step("PercentChangeInCapacity", -10, ""), 5, -10), 4);
    assert_eq!(adjusted(&step("ChangeInCapacity", 5, ""), 3, 5), 8);
    assert_eq!(adjusted(&step("ExactCapacity", 5, ""), 9, 5), 5);
}

#[test]
fn a_step_policy_picks_its_step_and_warming_instances_count() {
    let r = run(r#"
        duration = "20m"
        demand = { kind = "ramp", from = 100, to = 900, start = "2m", over = "5m" }
        plant = { throughput = 100 }
        group = { min = 2, max = 30, desired = 2, instance_warmup = "5m" }
        [[step_scaling]]
        name = "cpu-high"
        metric = "utilization"
        threshold = 60
        comparison = "at-or-above"
        adjustment_type = "ChangeInCapacity"
        steps = [{ lower = 0, upper = 20, adjustment = 1 }, { lower = 20, adjustment = 4 }]
    "#);
    let outs: Vec<&Decision> = r.decisions.iter().filter(|d| d.to > d.from).collect();
    assert!(!outs.is_empty(), "{:#?}", r.decisions);
    assert!(outs[0].cause.contains("cpu-high") && outs[0].cause.contains("step 20..+inf: +4"), "{}", outs[0].cause);
    assert_eq!(outs[0].to - outs[0].from, 4);
    // While those four warm, the same step breaching again adds nothing.
    assert!(outs.iter().skip(1).all(|d| d.at >= outs[0].at + 300.0), "{:#?}", outs);
}

#[test]
fn protected_instances_stay_and_the_forecast_is_a_floor() {
    let protected = run(r#"
        duration = "40m"
        demand = { kind = "steady", rate = 100 }
        plant = { throughput = 100 }
        group = { min = 1, max = 20, desired = 10, instance_warmup = "60s", protected = 6 }
        [[target_tracking]]
        metric = "utilization"
        target = 50
    "#);
    assert!(protected.summary.final_desired < 6, "{:?}", protected.summary);
    let last = protected.rows.last().unwrap();
    assert_eq!(last.in_service + last.warming, 6, "scale in stops at the protected instances: {last:?}");

    let forecast = run(r#"
        duration = "3h"
        demand = { kind = "steady", rate = 100 }
        plant = { throughput = 100 }
        group = { min = 1, max = 20, desired = 2, instance_warmup = "60s" }
        predictive = { forecast = [2, 8, 3], buffer = "5m" }
        [[target_tracking]]
        metric = "utilization"
        target = 50
    "#);
    let raised = forecast.decisions.iter().find(|d| d.cause.contains("predictive")).unwrap();
    assert_eq!((raised.at, raised.to), (3300.0, 8), "five minutes before hour 1: {raised:?}");
    // Within hour 1 nothing takes it below the forecast; after, scale in may.
    assert!(forecast.rows.iter().filter(|r| r.t >= 3300.0 && r.t < 6900.0).all(|r| r.desired >= 8));
    assert!(forecast.summary.final_desired < 8, "{:?}", forecast.summary);
}

#[test]
fn calibration_pairs_real_and_simulated_changes_by_direction_and_time() {
    use crate::activity::ScalingActivity;
    use chrono::TimeZone;
    let start = chrono::Utc.with_ymd_and_hms(2026, 12, 5, 0, 0, 0).unwrap();
    let activity = |minute: i64, cause: String| ScalingActivity {
        start: start + chrono::Duration::minutes(minute) + chrono::Duration::seconds(5),
        end: None,
        description: "Launching a new EC2 instance: i-0123".into(),
        cause,
        status: "Successful".into(),
    };
    let alarm = |minute: i64, from: u32, to: u32| {
        let at = (start + chrono::Duration::minutes(minute)).format("%Y-%m-%dT%H:%M:%SZ");
        format!("At {at} a monitor alarm TargetTracking-w-AlarmHigh in state ALARM triggered policy p changing the desired capacity from {from} to {to}.")
    };
    // Two instances of one change carry one Cause: one change. A change before the window is left out.
    let real = real_changes(
        &[
            activity(10, alarm(10, 2, 4)),
            activity(10, alarm(10, 2, 4)),
            activity(60, alarm(60, 4, 3)),
            activity(200, alarm(200, 3, 6)),
            activity(-5, alarm(-5, 1, 2)),
        ],
        start,
    );
    assert_eq!(
        real.iter().map(|c| (c.at, c.from, c.to)).collect::<Vec<_>>(),
        [(600.0, 2, 4), (3600.0, 4, 3), (12000.0, 3, 6)]
    );
    let decision = |at: f64, from: u32, to: u32| Decision { at, from, to, cause: String::new() };
    let c = calibrate(&real, &[decision(660.0, 2, 5), decision(3000.0, 5, 4), decision(9000.0, 4, 2)]);
    assert_eq!((c.real_changes, c.simulated_changes, c.matched), ((2, 1), (1, 2), 2));
    assert_eq!(c.pairings[0].simulated.map(|s| s.at), Some(660.0));
    assert_eq!(c.pairings[1].simulated.map(|s| s.at), Some(3000.0));
    assert_eq!(c.pairings[2].simulated, None, "no simulated scale-out near the last one; a scale-in does not count");
    assert_eq!((c.time_offset_p50, c.time_offset_max, c.size_error_p50), (Some(60.0), Some(600.0), Some(1.0)));
    assert_eq!(c.peak_desired, (6, 5));
    assert!(c.verdict.starts_with("2 of 3 real changes"), "{}", c.verdict);
    assert!(calibrate(&[], &[]).verdict.contains("nothing to compare"));
}

#[test]
fn a_live_groups_alarms_replace_the_assumed_ones() {
    let text = "duration = 600\ndemand = { kind = \"steady\", rate = 100 }\ngroup = { min = 1, max = 10 }\n\
                [[target_tracking]]\nname = \"cpu\"\nmetric = \"utilization\"\ntarget = 50\n";
    let mut s = Scenario::from_toml(text, "s.toml").unwrap();
    let alarm = |above: bool, threshold: f64, n: u32| LiveAlarm {
        name: format!("TargetTracking-g-Alarm{}", if above { "High" } else { "Low" }),
        period: 60,
        evaluation_periods: n,
        datapoints_to_alarm: None,
        threshold,
        above,
    };
    let live = LivePolicy {
        name: "cpu50".into(),
        target: 60.0,
        disable_scale_in: false,
        alarms: vec![alarm(true, 60.0, 2), alarm(false, 42.0, 10)],
    };
    // One policy on each side: matched whatever their names.
    let notes = apply_live(&mut s, std::slice::from_ref(&live), "s.toml").unwrap();
    let p = &s.target_tracking[0];
    assert_eq!((p.target, p.high.datapoints, p.high.evaluation_periods, p.low.evaluation_periods), (60.0, 2, 2, 10));
    assert!((p.low_ratio - 0.7).abs() < 1e-12, "{}", p.low_ratio);
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[1].contains("scale out on 2 of 2 datapoints of 60 s above 60"), "{notes:?}");
    // A live value AWS would never set is refused like a bad scenario.
    let mut s = Scenario::from_toml(text, "s.toml").unwrap();
    let broken = LivePolicy { alarms: vec![alarm(false, 90.0, 10)], ..live };
    assert!(apply_live(&mut s, &[broken], "s.toml").unwrap_err().to_string().contains("low_ratio"));
}

#[test]
fn a_backlog_trace_becomes_arrivals_by_conservation() {
    // 60 s apart: 100 waiting, then 400 (300 more, 120 finished → 420 arrived), then 250 (−150, 600 finished → 450).
    let trace = Trace::from_csv("time,backlog,deleted\n0,100,120\n60,400,600\n120,250,0\n", "b.csv").unwrap();
    assert_eq!(trace.seconds(), 120.0);
    let s = Scenario::from_toml("duration = 120\ndemand = { kind = \"trace\" }\ngroup = { min = 1, max = 1 }\n", "s")
        .unwrap();
    let mut d = DemandSource::new(&s.demand, Some(trace)).unwrap();
    // The first interval also carries the 100 waiting at its start.
    assert_eq!((d.rate(0.0), d.rate(59.0), d.rate(60.0), d.rate(119.0)), (520.0 / 60.0, 520.0 / 60.0, 7.5, 7.5));
    // Uneven rows: each interval is its own length, and the trace ends at the last row.
    let uneven = Trace::from_csv("time,backlog,deleted\n0,0,0\n60,60,120\n180,60,0\n", "b.csv").unwrap();
    assert_eq!((uneven.seconds(), uneven.caveat()), (180.0, None));
    let mut d = DemandSource::new(&s.demand, Some(uneven)).unwrap();
    assert_eq!((d.rate(30.0), d.rate(100.0), d.rate(179.0)), (1.0, 1.0, 1.0));
    // A backlog alone: its rises are what is known to have arrived (a lower bound, and the trace says so).
    let alone = Trace::from_csv("time,backlog\n0,100\n60,400\n120,250\n180,310\n", "b.csv").unwrap();
    assert_eq!(alone.seconds(), 180.0);
    assert!(alone.caveat().is_some_and(|c| c.contains("lower bound")), "{:?}", alone.caveat());
    let mut d = DemandSource::new(&s.demand, Some(alone)).unwrap();
    assert_eq!((d.rate(0.0), d.rate(60.0), d.rate(179.0)), (400.0 / 60.0, 0.0, 1.0));
    assert!(Trace::from_csv("time,backlog\n0,1\n60,2\n", "b.csv").is_err(), "two rows: one interval");
    let header = Trace::from_csv("time,depth\n0,1\n60,2\n", "b.csv").unwrap_err().to_string();
    assert!(header.contains("`time,backlog`") && header.contains("time,depth"), "{header}");
    assert!(Trace::from_csv("time,backlog,deleted\n0,1,1\n60,2,2\n", "b.csv").is_err(), "two rows: one interval");
    let short = Trace::from_csv("time,backlog,deleted\n0,1\n", "b.csv").unwrap_err().to_string();
    assert!(short.contains("expected `time,backlog,deleted`"), "{short}");
}

/// Quiet seconds take a shortcut; whatever the scenario, the results must be the ones the whole model gives every
/// second: the same summary, decisions and rows, bit for bit.
fn same_with_and_without_the_shortcut(toml: &str) {
    let scenario = Scenario::from_toml(toml, "test.toml").unwrap();
    let run = |exhaustive| {
        let demand = DemandSource::new(&scenario.demand, None).unwrap();
        simulate(&scenario, demand, RunOptions { record_every: 1, exhaustive })
    };
    let (quick, whole) = (run(false), run(true));
    assert_eq!(quick.summary, whole.summary, "{toml}");
    assert_eq!(quick.decisions, whole.decisions, "{toml}");
    assert_eq!(quick.rows, whole.rows, "{toml}");
}

#[test]
fn the_quiet_second_shortcut_changes_nothing_in_the_examples() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scenarios");
    let mut seen = 0;
    for entry in std::fs::read_dir(&folder).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            same_with_and_without_the_shortcut(&std::fs::read_to_string(&path).unwrap());
            seen += 1;
        }
    }
    assert!(seen >= 2, "the example scenarios in {}", folder.display());
    // Everything that can fall due between quiet seconds: scheduled actions, a forecast hour, retries after a
    // timeout, step policies, protected instances, a pool reused on scale in.
    same_with_and_without_the_shortcut(
        r#"
        duration = "6h"
        demand = { kind = "diurnal", mean = 500, amplitude = 450, period = "2h", peak_at = "1h", noise = { sd = 0.3, seed = 7 } }
        plant = { throughput = 60, timeout = "20s", retry = 0.7, retry_after = 3.5, cold_launch = 97.5, hook = 2.5 }
        group = { min = 1, max = 30, desired = 3, instance_warmup = "45s", protected = 2 }
        warm_pool = { min_size = 1, max_group_prepared_capacity = 12, reuse_on_scale_in = true, state = "Hibernated" }
        predictive = { forecast = [2, 9, 4, 0], buffer = 450 }
        [[scheduled]]
        at = 8130.5
        min = 4
        [[scheduled]]
        at = "4h"
        min = 1
        max = 12
        [[step_scaling]]
        name = "cpu-high"
        metric = "utilization"
        threshold = 80
        comparison = "at-or-above"
        adjustment_type = "ChangeInCapacity"
        steps = [{ lower = 0, upper = 15, adjustment = 1 }, { lower = 15, adjustment = 3 }]
        [[target_tracking]]
        name = "backlog"
        metric = "backlog-per-instance"
        target = 40
        period = 30
        "#,
    );
    // Work that timed out in a burst comes back long after the queue emptied, inside a quiet stretch.
    same_with_and_without_the_shortcut(
        r#"
        duration = "30m"
        demand = { kind = "spike", base = 10, peak = 2000, at = 120, lasting = 5 }
        plant = { throughput = 100, timeout = 10, retry = 0.5, retry_after = 301.5 }
        group = { min = 2, max = 2, desired = 2 }
        [[target_tracking]]
        metric = "requests-per-instance"
        target = 50
        "#,
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]
    #[test]
    fn the_quiet_second_shortcut_changes_nothing(
        mean in 0.0f64..2000.0,
        amplitude in 0.0f64..1.0,
        sd in 0.0f64..0.5,
        seed in 0u64..1000,
        throughput in 5.0f64..300.0,
        timeout in proptest::option::of(1u32..120),
        cold in 0u32..400,
        warmup in 0u32..300,
        period in proptest::sample::select(vec![10u32, 30, 60]),
        target in 10.0f64..200.0,
        pool in proptest::option::of((0u32..5, 0u32..20, proptest::bool::ANY)),
    ) {
        let timeout = timeout.map_or(String::new(), |s| format!(", timeout = {s}, retry = 0.5, retry_after = 7"));
        let pool = pool.map_or(String::new(), |(min, prepared, reuse)| format!(
            "warm_pool = {{ min_size = {min}, max_group_prepared_capacity = {prepared}, reuse_on_scale_in = {reuse} }}"
        ));
        same_with_and_without_the_shortcut(&format!(r#"
            duration = "3h"
            demand = {{ kind = "diurnal", mean = {mean}, amplitude = {}, period = "90m", noise = {{ sd = {sd}, seed = {seed} }} }}
            plant = {{ throughput = {throughput}, cold_launch = {cold}{timeout} }}
            group = {{ min = 1, max = 25, desired = 2, instance_warmup = {warmup} }}
            {pool}
            [[target_tracking]]
            metric = "requests-per-instance"
            target = {target}
            period = {period}
            "#, mean * amplitude));
    }
}
