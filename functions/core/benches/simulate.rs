//! `make bench`: figures for the scaling simulator. Prints them; asserts nothing (it is not a test). It lives beside
//! the core so that its build compiles the core alone, not the AWS SDK.
//!
//! 30 simulated days at one-second steps for one group (2 592 000 steps): a diurnal demand with seeded noise, a
//! retrying client with a timeout, a Stopped warm pool, and two target tracking policies (one-minute and 10 s
//! datapoints) — the work the simulator does per step when nothing is recorded, and again recording every second.

use scalegate_core::simulate::{simulate, DemandSource, RunOptions, Scenario};
use std::time::Instant;

const THIRTY_DAYS: &str = r#"
    name = "thirty days"
    duration = "720h"
    demand = { kind = "diurnal", mean = 600, amplitude = 400, peak_at = "14h", noise = { sd = 0.1, seed = 42 } }
    plant = { throughput = 100, timeout = "30s", retry = 0.5, retry_after = "5s" }
    group = { min = 2, max = 40, desired = 6, instance_warmup = "2m" }
    warm_pool = { min_size = 2, max_group_prepared_capacity = 20, reuse_on_scale_in = true }
    [[target_tracking]]
    name = "requests"
    metric = "requests-per-instance"
    target = 70
    [[target_tracking]]
    name = "backlog"
    metric = "backlog-per-instance"
    target = 500
    period = 10
"#;

fn main() {
    println!("scalegate simulator benchmark\n");
    let scenario = Scenario::from_toml(THIRTY_DAYS, "bench").expect("scenario");
    for (label, record_every) in
        [("30 days, 1 s steps, summary only", 0u32), ("30 days, 1 s steps, every second recorded", 1)]
    {
        let mut times = Vec::new();
        let mut last = None;
        for _ in 0..7 {
            let demand = DemandSource::new(&scenario.demand, None).expect("demand");
            let started = Instant::now();
            let run = simulate(&scenario, demand, RunOptions { record_every, ..RunOptions::default() });
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            last = Some(run);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{label:<44} p50 {:>8.1} ms   min {:>8.1} ms   max {:>8.1} ms   (n={})",
            times[times.len() / 2],
            times[0],
            times[times.len() - 1],
            times.len()
        );
        if let Some(run) = last {
            let s = &run.summary;
            println!(
                "  {} steps, {} decisions ({} out, {} in, {} reversals), max desired {}, {:.0} s over objective, {} rows",
                s.seconds, run.decisions.len(), s.scale_outs, s.scale_ins, s.oscillations, s.max_desired, s.seconds_over_objective, run.rows.len()
            );
        }
    }
}
