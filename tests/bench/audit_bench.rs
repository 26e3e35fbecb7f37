//! `make bench`: the separation-of-duties reasoner over every AWS managed policy (../shared/corpora), each policy as
//! one role, checked against every class of the default duties: first each role's own permissions, then the whole
//! corpus as one account with escalation paths between its roles (trust policies unknown, so any role may run as any
//! service: the worst case for the path search). With `--cloudsplaining PYTHON`, the same corpus through
//! cloudsplaining's policy scan in the same run, for the ratio. Prints figures; asserts nothing.

use scalegate_core::iam::{
    can_reach, parse_policy_value, AttachedPolicy, Duties, Escalation, Inventory, Reach, RolePolicies,
};
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
                trust: None,
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
    let inventory = Inventory { roles, scps: Vec::new(), complete: true };
    let escalating = Instant::now();
    let graph = Escalation::new(&inventory);
    let built = escalating.elapsed();
    let mut escalated = vec![(0usize, 0usize); classes.len()];
    for (i, (_, patterns)) in classes.iter().enumerate() {
        for path in graph.reach(patterns).into_iter().flatten() {
            if path.hops.is_empty() && !path.edit {
                escalated[i].0 += 1;
            } else {
                escalated[i].1 += 1;
            }
        }
    }
    let paths = escalating.elapsed();
    let roles = &inventory.roles;
    println!("separation-of-duties reasoner over {} AWS managed policies × {} classes:", roles.len(), classes.len());
    println!("  parse                 {:>8.1} ms", parsed.as_secs_f64() * 1000.0);
    println!(
        "  check                 {:>8.1} ms   ({:.1} µs per policy×class)",
        checked.as_secs_f64() * 1000.0,
        checked.as_secs_f64() * 1e6 / (roles.len() * classes.len()) as f64
    );
    println!("  escalation graph      {:>8.1} ms", built.as_secs_f64() * 1000.0);
    println!("  paths, every class    {:>8.1} ms", (paths - built).as_secs_f64() * 1000.0);
    let total = started.elapsed();
    println!("  total                 {:>8.1} ms   (target: under 2000 ms)", total.as_secs_f64() * 1000.0);
    for (i, (name, _)) in classes.iter().enumerate() {
        println!(
            "  may reach {name:<10} directly {:>5}   as one account: {:>5} direct + {:>5} through a path",
            may[i], escalated[i].0, escalated[i].1
        );
    }
    if let Some(python) = std::env::args().skip_while(|a| a != "--cloudsplaining").nth(1) {
        cloudsplaining(&python, &path, total.as_secs_f64());
    }
}

/// Times cloudsplaining's policy scan (privilege escalation, data exfiltration, resource exposure, credentials
/// exposure: its per-policy findings) over the same corpus, and prints the ratio.
fn cloudsplaining(python: &str, corpus: &str, ours_s: f64) {
    let script = r#"
import json, sys, time
try:
    from cloudsplaining.scan.policy_document import PolicyDocument
except ImportError as e:
    print("SKIP", e); sys.exit(0)
docs = [json.loads(l)["document"] for l in open(sys.argv[1]) if l.strip()]
t = time.perf_counter()
for d in docs:
    p = PolicyDocument(d)
    p.allows_privilege_escalation; p.allows_data_exfiltration_actions
    p.permissions_management_without_constraints; p.credentials_exposure
t = time.perf_counter() - t
print("TIME", t, len(docs))
"#;
    let out = std::process::Command::new(python).args(["-c", script, corpus]).output();
    match out {
        Ok(o) if o.status.success() => {
            let text = String::from_utf8_lossy(&o.stdout);
            match text.split_whitespace().collect::<Vec<_>>().as_slice() {
                ["TIME", secs, n] => {
                    let secs: f64 = secs.parse().unwrap_or(f64::NAN);
                    println!(
                        "cloudsplaining over the same {n} policies (scan only, in-process): {:>8.1} ms",
                        secs * 1000.0
                    );
                    println!("  ratio: scalegate (parse + direct + escalation paths) is {:.1}× faster", secs / ours_s);
                }
                _ => println!("cloudsplaining comparison SKIPPED: {}", text.trim()),
            }
        }
        Ok(o) => println!(
            "cloudsplaining comparison FAILED: {}",
            String::from_utf8_lossy(&o.stderr).lines().last().unwrap_or("")
        ),
        Err(e) => println!("cloudsplaining comparison SKIPPED: cannot run {python}: {e}"),
    }
}
