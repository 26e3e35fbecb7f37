//! `make bench`: the backlog-metric run over 200 (queue, group) pairs against the local emulator. Prints wall time
//! per run and the dependent AWS round trips (counted by an SDK interceptor); asserts nothing.

use scalegate_aws::cloudwatch_metric_sink::CloudWatchMetricSink;
use scalegate_aws::round_trips::RoundTripCounter;
use scalegate_aws::sdk::Clients;
use scalegate_aws::sqs_backlog_reader::SqsBacklogReader;
use scalegate_core::backlog::{run, BacklogConfig};
use scalegate_tests::figures::percentile;
use scalegate_tests::{loaded_queue, worker_group};
use std::time::Instant;

const PAIRS: usize = 200;
const RUNS: usize = 10;

#[tokio::main]
async fn main() {
    let root = std::env::args().skip_while(|a| a != "--root").nth(1).unwrap_or_else(|| ".".into());
    let emulator =
        scalegate::emulator::Emulator::start(std::path::Path::new(&root)).expect("emulator (run `make setup`)");
    let shared = scalegate::emulator::sdk_config_for(emulator.endpoint()).await;
    let demo = Clients::new(&shared);
    println!("scalegate backlog benchmark: {PAIRS} (queue, group) pairs against the local emulator\n");
    let setup = Instant::now();
    let mut pairs = Vec::new();
    for chunk in 0..PAIRS / 20 {
        let made = futures::future::join_all((0..20).map(|i| {
            let demo = &demo;
            async move {
                let n = chunk * 20 + i;
                tokio::join!(
                    loaded_queue(demo, "bench-jobs", 10 * (n % 5)),
                    worker_group(demo, "bench-workers", (n % 3) as i32)
                )
            }
        }))
        .await;
        pairs.extend(made);
    }
    println!("  setup: {PAIRS} queues and groups in {:.1} s", setup.elapsed().as_secs_f64());

    for (label, extra) in [
        ("EMF, no warmup", "".to_string()),
        ("EMF, 60 s warmup (adds DescribeInstances)", "instance_warmup = \"60s\"\n".to_string()),
        ("PutMetricData, no warmup", "".to_string()),
    ] {
        let mut text = String::new();
        if label.starts_with("PutMetricData") {
            text.push_str("publish = \"put-metric-data\"\n");
        }
        text.push_str("concurrency = 200\n");
        for (queue, group) in &pairs {
            text.push_str(&format!(
                "[[pair]]\nqueue = \"{queue}\"\ngroup = \"{group}\"\nlatency = \"10s\"\nseconds_per_message = 0.1\n{extra}"
            ));
        }
        let config = BacklogConfig::from_toml(&text, "bench").expect("config");
        let counter = RoundTripCounter::new();
        let clients = Clients::from_shared(&shared, Some(&counter));
        let sink = CloudWatchMetricSink::new(clients.cloudwatch.clone());
        let backlog = SqsBacklogReader::new(
            clients.sqs,
            clients.autoscaling,
            clients.ec2,
            clients.cloudwatch,
            clients.cloudtrail,
        );
        let (mut wall, mut dependent, mut total) = (vec![], vec![], vec![]);
        for _ in 0..RUNS {
            counter.reset();
            let started = Instant::now();
            let result = run(&config, &backlog, Some(&sink), chrono::Utc::now()).await;
            wall.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(result.failures().is_empty(), "{:?}", result.failures());
            dependent.push(counter.dependent());
            total.push(counter.total());
        }
        wall.sort_by(|a, b| a.total_cmp(b));
        dependent.sort_unstable();
        println!(
            "  {label:<44} wall p50 {:>7.1} ms  p99 {:>7.1} ms   dependent round trips {}–{}   calls {}",
            percentile(&wall, 0.5),
            percentile(&wall, 0.99),
            dependent[0],
            dependent[dependent.len() - 1],
            total[0]
        );
    }
}
