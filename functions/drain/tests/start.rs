//! The drain binary refuses to start without its queue, or with a setting out of range, and says why in one JSON
//! log line (what CloudWatch Logs shows for a failed init).

use std::process::Command;

fn start(env: &[(&str, &str)]) -> (Option<i32>, Vec<serde_json::Value>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_drain"));
    cmd.env_clear().env("AWS_REGION", "us-east-1").env("AWS_EC2_METADATA_DISABLED", "true");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("the drain binary runs");
    let lines = String::from_utf8_lossy(&out.stdout).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    (out.status.code(), lines)
}

fn why(lines: &[serde_json::Value]) -> String {
    let line = lines.iter().find(|l| l["message"] == "cannot start").expect("a `cannot start` line");
    assert_eq!(line["level"], "ERROR");
    line["error"].as_str().unwrap().to_string()
}

#[test]
fn without_its_queue_or_with_a_bad_budget_it_does_not_start() {
    let (code, lines) = start(&[]);
    assert_ne!(code, Some(0));
    assert!(why(&lines).contains("SCALEGATE_DRAIN_QUEUE_URL"), "{lines:?}");
    let (code, lines) = start(&[("SCALEGATE_DRAIN_QUEUE_URL", "https://sqs/q"), ("SCALEGATE_DRAIN_BUDGET", "3w")]);
    assert_ne!(code, Some(0));
    let why = why(&lines);
    assert!(why.contains("SCALEGATE_DRAIN_BUDGET") && why.contains("unknown unit"), "{why}");
}
