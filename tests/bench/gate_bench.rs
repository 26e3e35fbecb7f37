//! `make bench`: figures for the launch gate. Prints them; asserts nothing (it is not a test).
//!
//! - gate latency p50/p99 per decision against the local emulator (sequential decisions, real SDK clients);
//! - dependent AWS round trips on the critical path, counted by an SDK interceptor (budget: 3, and 4 when a security
//!   group names a managed prefix list, whose entries are read once the groups are known);
//! - the handler's own CPU time per decision (parse, checks, decision log, EMF) with in-memory ports;
//! - start-up time of the launch-gate binary, to its first call to the Lambda Runtime API.

use launch_gate::{aws_launch_gate, handle, RecordOutcome};
use scalegate::demo::{Fleet, FleetSpec};
use scalegate_aws::round_trips::RoundTripCounter;
use scalegate_aws::sdk::Clients;
use scalegate_core::gate::LaunchFactsSource;
use scalegate_core::gate::{GateRules, LaunchFacts, LaunchGate};
use scalegate_core::lifecycle::LifecycleAction;
use scalegate_core::lifecycle::{ActionResult, Completion, LifecycleActions};
use scalegate_core::ports::AwsError;
use scalegate_tests::figures::{cpu_time, summary};
use std::io::{BufRead, BufReader, Write};
use std::time::Instant;

const DECISIONS: usize = 40;

#[tokio::main]
async fn main() {
    let root = std::env::args().skip_while(|a| a != "--root").nth(1).unwrap_or_else(|| ".".into());
    let root = std::path::PathBuf::from(root);
    println!("scalegate launch-gate benchmark\n");
    emulator_latency(&root).await;
    handler_cpu().await;
    startup_time();
}

async fn emulator_latency(root: &std::path::Path) {
    let emulator = scalegate::emulator::Emulator::start(root).expect("emulator (run `make setup`)");
    let config = scalegate::emulator::sdk_config_for(emulator.endpoint()).await;
    let demo = Clients::new(&config);
    println!("against the local emulator (moto, Python), {DECISIONS} sequential decisions each:");
    decisions(&demo, &config, "bench", false).await;
    decisions(&demo, &config, "bench-pl", true).await;
    println!();
}

/// Gates `DECISIONS` launches of a fresh fleet; with `prefix_list`, the fleet's group also admits HTTPS from a managed
/// prefix list (one more dependent round trip: its entries).
async fn decisions(demo: &Clients, config: &aws_config::SdkConfig, prefix: &str, prefix_list: bool) {
    let fleet = Fleet::create(demo, &FleetSpec { prefix: prefix.into(), heartbeat_timeout: 600, max_size: 100 })
        .await
        .expect("fleet");
    if prefix_list {
        let list = demo
            .ec2
            .create_managed_prefix_list()
            .prefix_list_name(format!("{prefix}-partners"))
            .address_family("IPv4")
            .max_entries(5)
            .entries(aws_sdk_ec2::types::AddPrefixListEntry::builder().cidr("81.2.69.0/24").build())
            .send()
            .await
            .expect("CreateManagedPrefixList");
        let id = list.prefix_list().and_then(|l| l.prefix_list_id()).unwrap_or_default().to_string();
        demo.ec2
            .authorize_security_group_ingress()
            .group_id(&fleet.web_security_group)
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(8443)
                    .to_port(8443)
                    .prefix_list_ids(aws_sdk_ec2::types::PrefixListId::builder().prefix_list_id(id).build())
                    .build(),
            )
            .send()
            .await
            .expect("AuthorizeSecurityGroupIngress");
    }
    fleet.roll_back(demo).await.unwrap();
    fleet.set_desired(demo, DECISIONS as i32).await.unwrap();
    let mut bodies = Vec::new();
    while bodies.len() < DECISIONS {
        let out =
            demo.sqs.receive_message().queue_url(&fleet.events_queue).max_number_of_messages(10).send().await.unwrap();
        for m in out.messages() {
            bodies.push(m.body().unwrap_or_default().to_string());
        }
    }
    let counter = RoundTripCounter::new();
    let clients = Clients::from_shared(config, Some(&counter));
    let gate = aws_launch_gate(&clients.ec2, &clients.autoscaling, GateRules::default(), false);
    let (mut latency, mut dependent, mut total) = (vec![], vec![], vec![]);
    for body in &bodies {
        counter.reset();
        let started = Instant::now();
        let report = handle(&gate, body, chrono::Utc::now).await.unwrap();
        let elapsed = started.elapsed();
        match &report.records[0].outcome {
            RecordOutcome::Decided(d) => assert_eq!(d.result, ActionResult::Continue, "{:?}", d.reasons),
            other => panic!("{other:?}"),
        }
        latency.push(elapsed.as_secs_f64() * 1000.0);
        dependent.push(counter.dependent() as f64);
        total.push(counter.total() as f64);
    }
    let (what, budget) = if prefix_list { ("a group naming a prefix list", 4) } else { ("no prefix list", 3) };
    println!("  {what}:");
    summary("    gate latency, event to CompleteLifecycleAction", "ms", latency);
    summary(&format!("    dependent AWS round trips (budget {budget})"), "  ", dependent);
    summary("    AWS calls per decision", "  ", total);
}

/// Answers every gather with one compliant snapshot: isolates the handler's own work.
struct FixedFacts(LaunchFacts);

impl LaunchFactsSource for FixedFacts {
    async fn gather(&self, _: &LifecycleAction) -> Result<LaunchFacts, AwsError> {
        Ok(self.0.clone())
    }
}

struct NoopActions;

impl LifecycleActions for NoopActions {
    async fn complete(&self, _: &LifecycleAction, _: ActionResult) -> Result<Completion, AwsError> {
        Ok(Completion::Done)
    }
    async fn heartbeat(&self, _: &LifecycleAction) -> Result<Completion, AwsError> {
        Ok(Completion::Done)
    }
}

async fn handler_cpu() {
    let event = std::fs::read_to_string("tests/fixtures/events/eventbridge-launch.json")
        .or_else(|_| std::fs::read_to_string("../tests/fixtures/events/eventbridge-launch.json"))
        .expect("fixture");
    let facts = scalegate_core::gate::example::compliant();
    let gate = LaunchGate::new(FixedFacts(facts), NoopActions, GateRules::default(), false);
    let n = 20_000;
    let mut per = Vec::with_capacity(n);
    let cpu0 = cpu_time();
    let wall0 = Instant::now();
    for _ in 0..n {
        let t = Instant::now();
        let report = handle(&gate, &event, chrono::Utc::now).await.unwrap();
        std::hint::black_box(&report);
        per.push(t.elapsed().as_secs_f64() * 1e6);
    }
    let wall = wall0.elapsed();
    let cpu = cpu_time().saturating_sub(cpu0);
    println!("handler overhead with in-memory ports ({n} decisions: parse, 16 checks, decision log, EMF):");
    summary("  per decision (wall, single thread)", "µs", per);
    println!(
        "  {:<42} {:.1} µs per decision (process CPU {:.2} s over {:.2} s wall)\n",
        "mean CPU time",
        cpu.as_secs_f64() * 1e6 / n as f64,
        cpu.as_secs_f64(),
        wall.as_secs_f64()
    );
}

/// Time from spawning the launch-gate binary to its first `GET .../invocation/next` on a stub Runtime API.
fn startup_time() {
    let exe = std::env::current_exe().unwrap().with_file_name("launch-gate");
    if !exe.exists() {
        println!("start-up time: {} not built (make bench builds it)", exe.display());
        return;
    }
    let mut samples = vec![];
    for _ in 0..15 {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let started = Instant::now();
        let mut child = std::process::Command::new(&exe)
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", addr.to_string())
            .env("AWS_LAMBDA_FUNCTION_NAME", "launch-gate")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "bench")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let (mut stream, _) = listener.accept().unwrap();
        let mut line = String::new();
        BufReader::new(&stream).read_line(&mut line).unwrap();
        let elapsed = started.elapsed();
        assert!(line.contains("/runtime/invocation/next"), "{line}");
        samples.push(elapsed.as_secs_f64() * 1000.0);
        let _ = stream.write_all(b"HTTP/1.1 500 Internal Server Error\r\ncontent-length: 0\r\n\r\n");
        let _ = child.kill();
        let _ = child.wait();
    }
    println!("launch-gate binary ({}):", exe.display());
    summary("  start-up to first Runtime API call", "ms", samples);
}
