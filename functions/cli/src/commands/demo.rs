//! `scalegate demo`: the launch gate policing a scale-out, and the drain holding a busy worker, on the emulator.

use crate::flags::DemoArgs;
use anyhow::{bail, Result};
use scalegate::demo::{self, Fleet, FleetSpec};
use scalegate::emulator::{sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use scalegate_core::gate::GateRules;
use scalegate_core::lifecycle::ActionResult;
use std::process::ExitCode;
use std::time::Duration;

pub(crate) async fn run(args: &DemoArgs) -> Result<ExitCode> {
    let (root, scale_to, drifted, warm_pool) = (args.root.as_path(), args.scale_to, args.drifted, args.warm_pool);
    if drifted < 0 || warm_pool < 0 || scale_to < drifted {
        bail!("--scale-to must be at least --drifted, and sizes must not be negative");
    }
    let (emulator, endpoint) = match scalegate_aws::settings::env("AWS_ENDPOINT_URL") {
        Some(url) => (None, url),
        None => {
            println!("starting the local AWS emulator ...");
            let e = Emulator::start(root)?;
            let url = e.endpoint().to_string();
            (Some(e), url)
        }
    };
    println!("scalegate demo — local AWS emulator at {endpoint}\n");
    let config = sdk_config_for(&endpoint).await;
    let c = Clients::new(&config);
    let spec = FleetSpec::default();
    let fleet = Fleet::create(&c, &spec).await?;
    println!(
        "1. fleet: group {} (launch hook {}, default ABANDON), subnets {}",
        fleet.group,
        fleet.hook,
        fleet.subnets.join(", ")
    );
    println!(
        "   launch templates: compliant {} · drifted {} (SSH open to the world, IMDSv1, unencrypted volume)",
        fleet.compliant_template, fleet.drifted_template
    );
    fleet.set_desired(&c, drifted).await?;
    println!("2. the drifted template is live: the group launches {drifted} instance(s) from it");
    fleet.roll_back(&c).await?;
    fleet.add_warm_pool(&c, warm_pool).await?;
    fleet.set_desired(&c, scale_to).await?;
    println!("3. rolled back to the compliant template, added a warm pool of {warm_pool}, scaling out to {scale_to}");
    println!("4. gating every lifecycle notification as it arrives:\n");
    println!("{:<21} {:<27} {:<9} {:>8}  FAILED CHECKS", "INSTANCE", "ORIGIN→DESTINATION", "VERDICT", "LATENCY");
    let (run, state) = demo::gate_until_settled(&c, &fleet, GateRules::default(), Duration::from_secs(180), |row| {
        println!(
            "{:<21} {:<27} {:<9} {:>6.1}ms  {}",
            row.instance_id,
            row.route,
            row.verdict.as_str(),
            row.latency_ms,
            if row.failed_checks.is_empty() { "-".to_string() } else { row.failed_checks.join(", ") }
        );
    })
    .await?;
    let abandoned: Vec<_> = run.rows.iter().filter(|r| r.verdict == ActionResult::Abandon).collect();
    println!(
        "\ngroup {}: {} InService of {} desired; warm pool: {}; {} abandoned and replaced",
        fleet.group,
        state.count("InService"),
        state.desired,
        summarize(&state.warm_pool),
        abandoned.len()
    );
    for r in &abandoned {
        println!("  {} abandoned because:", r.instance_id);
        for reason in &r.reasons {
            println!("    - {reason}");
        }
    }
    println!(
        "duplicate deliveries ignored: {}; test notifications dropped: {}; rejected records: {}",
        run.duplicates,
        run.tests_dropped,
        run.rejected.len()
    );
    println!("\n5. a worker takes a work lease; its instance is terminated anyway (as an instance refresh would):\n");
    let act = demo::drain_a_busy_worker(&c, &fleet, &spec.prefix, |event| match event {
        demo::DrainEvent::Terminated { group, instance_id, lifecycle_state } => {
            println!("   {instance_id} in {group}: {lifecycle_state}");
            println!("   {:<5} {:>7}  {:>10}  DRAIN", "LOOK", "AT", "INVOCATION");
        }
        demo::DrainEvent::Look { look, at, outcome, invocation } => println!(
            "   {:<5} {:>6.1}s  {:>8.1}ms  {outcome}",
            look,
            at.as_secs_f64(),
            invocation.as_secs_f64() * 1000.0
        ),
        demo::DrainEvent::Released => println!("   -- the worker finishes its job and releases the lease --"),
    })
    .await?;
    println!(
        "\n   {}: held {:.1} s by {} look(s), the longest invocation {:.0} ms (the waiting happened in the queue); now {}",
        act.instance_id,
        act.drained.as_secs_f64(),
        act.looks,
        act.longest_invocation.as_secs_f64() * 1000.0,
        act.final_state.as_deref().unwrap_or("terminated")
    );
    if let Some(e) = emulator {
        println!("\nstopping the emulator (its log: {})", e.log_path().display());
        drop(e);
    }
    Ok(ExitCode::SUCCESS)
}

fn summarize(pool: &[(String, String)]) -> String {
    if pool.is_empty() {
        return "empty".into();
    }
    let mut counts = std::collections::BTreeMap::new();
    for (_, s) in pool {
        *counts.entry(s.as_str()).or_insert(0) += 1;
    }
    counts.iter().map(|(s, n)| format!("{n} {s}")).collect::<Vec<_>>().join(", ")
}
