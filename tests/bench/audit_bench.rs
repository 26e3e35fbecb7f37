//! `make bench`: the separation-of-duties audit over every AWS managed policy (../shared/corpora), each policy as one
//! role, the whole corpus as one account: parse every policy, build the escalation graph between the 1,641 roles
//! (trust policies unknown, so any role may run as any service: the worst case for the path search), and find every
//! role's path to every class of the default duties. The pipeline runs five times on one thread; the figures are the
//! median and the best run, and the first run alone (it pays for parsing the action catalog). With `--cloudsplaining PYTHON`, the same corpus through cloudsplaining's policy scan in
//! the same run, for the ratio. Prints figures; asserts nothing.

use scalegate_iam::{parse_policy_value, AttachedPolicy, Duties, End, Escalation, Inventory, Principal};
use std::time::{Duration, Instant};

const RUNS: usize = 5;

/// One run's phases and what it found.
struct Run {
    parse: Duration,
    graph: Duration,
    paths: Duration,
    /// Per class: principals that reach it directly, and through a path.
    found: Vec<(usize, usize)>,
    principals: usize,
}

fn run(lines: &[&str], duties: &Duties) -> Run {
    let started = Instant::now();
    let principals: Vec<Principal> = lines
        .iter()
        .map(|line| {
            let entry: serde_json::Value = serde_json::from_str(line).expect("corpus line");
            let name = entry["name"].as_str().unwrap_or("?").to_string();
            let document = parse_policy_value(&entry["document"]).expect("managed policy parses");
            Principal {
                arn: format!("arn:aws:iam::000000000000:role/{name}"),
                identity: vec![AttachedPolicy { name: name.clone(), document }],
                name,
                ..Default::default()
            }
        })
        .collect();
    let parse = started.elapsed();
    let inventory = Inventory { principals, complete: true, ..Default::default() };
    let building = Instant::now();
    let graph = Escalation::new(&inventory);
    let built = building.elapsed();
    let searching = Instant::now();
    let found = duties
        .classes
        .values()
        .map(|patterns| {
            let paths = graph.reach(patterns);
            let direct = paths.iter().flatten().filter(|p| p.hops.is_empty() && p.end == End::Action).count();
            (direct, paths.iter().flatten().count() - direct)
        })
        .collect();
    Run { parse, graph: built, paths: searching.elapsed(), found, principals: inventory.principals.len() }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// The median and the smallest of the runs' values of one phase.
fn spread(runs: &[Run], phase: impl Fn(&Run) -> Duration) -> (f64, f64) {
    let mut all: Vec<f64> = runs.iter().map(|r| ms(phase(r))).collect();
    all.sort_by(f64::total_cmp);
    (all[all.len() / 2], all[0])
}

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
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let runs: Vec<Run> = (0..RUNS).map(|_| run(&lines, &duties)).collect();
    let last = runs.last().expect("at least one run");
    println!(
        "separation-of-duties audit over {} AWS managed policies as one account × {} classes, {RUNS} runs on one \
         thread (median, best):",
        last.principals,
        duties.classes.len()
    );
    let total = |r: &Run| r.parse + r.graph + r.paths;
    for (label, (median, best)) in [
        ("parse", spread(&runs, |r| r.parse)),
        ("escalation graph", spread(&runs, |r| r.graph)),
        ("paths, every class", spread(&runs, |r| r.paths)),
        ("total", spread(&runs, total)),
    ] {
        println!("  {label:<20} {median:>8.1} ms   best {best:>8.1} ms");
    }
    let (median_total, _) = spread(&runs, total);
    println!(
        "  first run alone       {:>7.1} ms   (cold: the action catalog parsed, per-pattern caches empty)",
        ms(total(&runs[0]))
    );
    println!("  target: the total under 300 ms");
    for ((name, _), (direct, through)) in duties.classes.iter().zip(&last.found) {
        println!("  may reach {name:<10} {direct:>5} directly + {through:>5} through a path");
    }
    if let Some(python) = std::env::args().skip_while(|a| a != "--cloudsplaining").nth(1) {
        cloudsplaining(&python, &path, median_total / 1000.0);
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
                    println!(
                        "  ratio: scalegate (parse, graph, every path; median) is {:.1}× faster than its scan alone",
                        secs / ours_s
                    );
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
