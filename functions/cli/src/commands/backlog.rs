//! `scalegate backlog`: backlog per instance as the backlog-metric function computes it, or the arithmetic alone.

use crate::flags::{BacklogArgs, BacklogRequest};
use anyhow::{Context, Result};
use scalegate_aws::cloudwatch_metric_sink::CloudWatchMetricSink;
use scalegate_aws::sdk::Clients;
use scalegate_aws::sqs_backlog_reader::SqsBacklogReader;
use scalegate_core::backlog::{figures, BacklogConfig, Publish};
use std::process::ExitCode;

pub(crate) async fn run(args: &BacklogArgs) -> Result<ExitCode> {
    let (put_metric_data, emf) = (args.put_metric_data, args.emf);
    let request = args.request()?;
    let publish = if put_metric_data { Publish::PutMetricData } else { Publish::Emf };
    let config = match request {
        BacklogRequest::Offline(pair, messages, instances) => {
            let f = figures(messages, instances, pair.latency, pair.seconds_per_message.configured());
            println!(
                "{messages} messages, {instances} instance(s): backlog per instance {:.1}, target {:.1} \
                 ({}s ÷ {}s per message); target tracking asks for {} instance(s)",
                f.backlog_per_instance,
                f.target,
                pair.latency.as_secs_f64(),
                pair.seconds_per_message.configured(),
                f.capacity_wanted
            );
            return Ok(ExitCode::SUCCESS);
        }
        BacklogRequest::Pair(pair) => BacklogConfig::single(pair, publish)?,
        BacklogRequest::Config(path) => {
            let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
            let mut c = BacklogConfig::from_toml(&text, &path.display().to_string())?;
            c.publish = publish;
            c
        }
    };
    let clients = Clients::load(None).await;
    let sink = CloudWatchMetricSink::new(clients.cloudwatch.clone());
    let reader =
        SqsBacklogReader::new(clients.sqs, clients.autoscaling, clients.ec2, clients.cloudwatch, clients.cloudtrail);
    let sink = put_metric_data.then_some(&sink);
    let run = scalegate_core::backlog::run(&config, &reader, sink, chrono::Utc::now()).await;
    println!(
        "{:<24} {:<24} {:>9} {:>8} {:>17} {:>8} {:>8}  TARGET TRACKING WANTS",
        "QUEUE", "GROUP", "MESSAGES", "CAPABLE", "BACKLOG/INSTANCE", "TARGET", "SEC/MSG"
    );
    for p in &run.pairs {
        let queue = p.queue.rsplit('/').next().unwrap_or(&p.queue);
        match &p.outcome {
            Ok(f) => println!(
                "{:<24} {:<24} {:>9} {:>8} {:>17.1} {:>8.1} {:>8.3}  {} instance(s){}",
                queue,
                p.group,
                f.figures.messages,
                f.figures.capable,
                f.figures.backlog_per_instance,
                f.figures.target,
                f.seconds_per_message,
                f.figures.capacity_wanted,
                match f.measured_seconds_per_message {
                    Some(m) => format!(" (measured {m:.3} s/msg)"),
                    None => String::new(),
                }
            ),
            Err(e) => println!("{:<24} {:<24} NOT PUBLISHED: {e}", queue, p.group),
        }
    }
    // What the function writes above INFO (an unexplained rise and who made it, a read that failed), as it writes it.
    for line in run.report.logs_at_least(scalegate_core::report::Level::Warn) {
        println!("{line}");
    }
    if emf {
        for line in run.report.metrics() {
            eprintln!("{line}");
        }
    }
    if put_metric_data && run.publish_error.is_none() {
        let published = run.pairs.iter().filter(|p| p.outcome.is_ok()).count();
        eprintln!("published {published} pair(s) through PutMetricData");
    }
    let failures = run.failures();
    for f in &failures {
        eprintln!("scalegate: {f}");
    }
    Ok(if failures.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
}
