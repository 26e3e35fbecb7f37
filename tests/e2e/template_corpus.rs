//! The launch-template corpus end to end: launch templates as real users write them (terraform-aws-modules, AWS's
//! documentation, what CDK synthesizes; `tests/fixtures/templates/README.md` names each source), each launched by
//! a group in the emulator, drifted as its variant says, and gated from the hook's own notification.
//!
//! `template_corpus.py` creates the resources (boto3 takes the fixtures' EC2 API JSON as written); the gate runs
//! here, with the real SDK clients, on the real notification. Every variant's verdict and its failed checks must be
//! exactly what the fixture expects.

use launch_gate::{aws_launch_gate, handle, RecordOutcome};
use scalegate_aws::sdk::Clients;
use scalegate_core::gate::{Decision, GateRules};
use scalegate_tests::{clients, endpoint, project_root, unique};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::process::Command;

#[derive(Debug, Deserialize)]
struct Entry {
    fixture: String,
    variant: String,
    expect: Expect,
    rules: Option<serde_json::Value>,
    queue_url: Option<String>,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
struct Expect {
    verdict: String,
    #[serde(default)]
    failed_checks: Vec<String>,
    #[serde(default)]
    reasons_contain: Vec<String>,
}

/// Creates every variant's group in the emulator; returns what each must decide.
fn prepare() -> Vec<Entry> {
    let root = project_root();
    let out = Command::new(root.join(".venv/bin/python"))
        .arg(root.join("tests/e2e/template_corpus.py"))
        .args(["--endpoint", endpoint(), "--prefix", &unique("corpus")])
        .arg("--fixtures")
        .arg(root.join("tests/fixtures/templates"))
        .output()
        .expect("run template_corpus.py (make setup creates the virtualenv)");
    assert!(out.status.success(), "template_corpus.py failed:\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("template_corpus.py prints a JSON manifest")
}

/// The decision the gate makes on the variant's launch notification.
async fn decide(c: &Clients, queue_url: &str, rules: GateRules) -> Result<Decision, String> {
    let gate = aws_launch_gate(&c.ec2, &c.autoscaling, rules, false);
    for _ in 0..20 {
        let received = c
            .sqs
            .receive_message()
            .queue_url(queue_url)
            .max_number_of_messages(10)
            .send()
            .await
            .map_err(|e| format!("ReceiveMessage: {e}"))?;
        for message in received.messages() {
            let body = message.body().unwrap_or_default();
            let report = handle(&gate, body, chrono::Utc::now).await.map_err(|e| format!("not a delivery: {e}"))?;
            for record in report.records {
                match record.outcome {
                    RecordOutcome::Decided(d) => return Ok(*d),
                    RecordOutcome::TestDropped { .. } => {}
                    other => return Err(format!("the gate did not decide: {other:?}")),
                }
            }
        }
    }
    Err("no launch notification arrived".into())
}

fn judge(expect: &Expect, d: &Decision) -> Result<(), String> {
    let verdict = d.result.as_str();
    let failed: BTreeSet<&str> = d.failed_checks.iter().map(String::as_str).collect();
    let wanted: BTreeSet<&str> = expect.failed_checks.iter().map(String::as_str).collect();
    if verdict != expect.verdict || failed != wanted {
        return Err(format!(
            "{verdict} failing {failed:?}, expected {} failing {wanted:?}; reasons: {:?}",
            expect.verdict, d.reasons
        ));
    }
    let reasons = d.reasons.join("\n");
    for needle in &expect.reasons_contain {
        if !reasons.contains(needle.as_str()) {
            return Err(format!("no reason mentions {needle:?}: {:?}", d.reasons));
        }
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_launch_templates_are_gated_by_what_they_mean() {
    let c = clients().await;
    let manifest = prepare();
    let fixtures: BTreeSet<&str> = manifest.iter().map(|e| e.fixture.as_str()).collect();
    assert!(fixtures.len() >= 20, "the corpus holds {} templates", fixtures.len());
    let mut failures = Vec::new();
    let (mut continued, mut abandoned) = (0, 0);
    for e in &manifest {
        let outcome = match (&e.error, &e.queue_url) {
            (Some(error), _) => Err(format!("setup failed: {error}")),
            (None, None) => Err("setup named no queue".into()),
            (None, Some(queue)) => {
                let rules = match &e.rules {
                    Some(r) => serde_json::from_value::<GateRules>(r.clone()).map_err(|err| format!("rules: {err}")),
                    None => Ok(GateRules::default()),
                };
                match rules {
                    Ok(rules) => decide(&c, queue, rules).await.and_then(|d| judge(&e.expect, &d)),
                    Err(err) => Err(err),
                }
            }
        };
        match outcome {
            Ok(()) if e.expect.verdict == "CONTINUE" => continued += 1,
            Ok(()) => abandoned += 1,
            Err(why) => failures.push(format!("{}/{}: {why}", e.fixture, e.variant)),
        }
    }
    println!(
        "{} templates, {} variants: {continued} CONTINUE and {abandoned} ABANDON as expected",
        fixtures.len(),
        manifest.len()
    );
    assert!(failures.is_empty(), "{} of {} variants decided wrongly:\n{}", failures.len(), manifest.len(), {
        failures.join("\n")
    });
}
