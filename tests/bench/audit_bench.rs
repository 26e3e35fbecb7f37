//! `make bench`: the separation-of-duties reasoner over every AWS managed policy (../shared/corpora), each policy as
//! one role, checked against every class of the default duties. Prints figures; asserts nothing.

use scalegate_core::iam::{can_reach, parse_policy_value, AttachedPolicy, Duties, Reach, RolePolicies};
use std::time::Instant;

fn main() {
    let path = std::env::args()
        .skip_while(|a| a != "--corpus")
        .nth(1)
        .unwrap_or_else(|| "../shared/corpora/aws-managed-policies.jsonl".into());
    let Ok(text) = std::fs::read_to_string(&path) else {
        println!("audit benchmark SKIPPED: {path} not found");
        return;
    };
    let duties = Duties::builtin().expect("built-in duties");
    let started = Instant::now();
    let roles: Vec<RolePolicies> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).expect("corpus line");
            let name = entry["name"].as_str().unwrap_or("?").to_string();
            let document = parse_policy_value(&entry["document"]).expect("managed policy parses");
            RolePolicies {
                arn: format!("arn:aws:iam::000000000000:role/{name}"),
                identity: vec![AttachedPolicy { name: name.clone(), document }],
                boundary: None,
                name,
            }
        })
        .collect();
    let parsed = started.elapsed();
    let classes: Vec<(&String, &Vec<_>)> = duties.classes.iter().collect();
    let checking = Instant::now();
    let mut may = vec![0usize; classes.len()];
    for role in &roles {
        for (i, (_, patterns)) in classes.iter().enumerate() {
            if matches!(can_reach(role, patterns, &[]), Reach::May(_)) {
                may[i] += 1;
            }
        }
    }
    let checked = checking.elapsed();
    println!("separation-of-duties reasoner over {} AWS managed policies × {} classes:", roles.len(), classes.len());
    println!("  parse                 {:>8.1} ms", parsed.as_secs_f64() * 1000.0);
    println!(
        "  check                 {:>8.1} ms   ({:.1} µs per policy×class)",
        checked.as_secs_f64() * 1000.0,
        checked.as_secs_f64() * 1e6 / (roles.len() * classes.len()) as f64
    );
    println!("  total                 {:>8.1} ms   (target: under 2000 ms)", started.elapsed().as_secs_f64() * 1000.0);
    for (i, (name, _)) in classes.iter().enumerate() {
        println!("  policies that may reach {name:<10} {:>5}", may[i]);
    }
}
