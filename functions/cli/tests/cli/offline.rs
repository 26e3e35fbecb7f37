//! The commands that need no AWS (`event`, `audit` over files, `methods`, `backlog` arithmetic) and every command's
//! rejections: the CLI contract, run as a user would run it.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/events").join(name)
}

fn scalegate(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_scalegate"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().unwrap()
}

fn lines(o: &Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn prints_one_object_per_notification_with_exactly_the_documented_keys() {
    let out = scalegate(&["event", fixture("sqs-batch-mixed.json").to_str().unwrap()], None);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let objs = lines(&out);
    assert_eq!(objs.len(), 4);
    let kinds: Vec<_> = objs.iter().map(|o| (o["kind"].as_str().unwrap(), o["delivery"].as_str().unwrap())).collect();
    assert_eq!(kinds, [("launch", "eventbridge"), ("launch", "sqs"), ("launch", "sns"), ("test", "sqs")]);
    for o in &objs {
        let mut keys: Vec<_> = o.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort();
        assert_eq!(
            keys,
            [
                "auto_scaling_group",
                "delivery",
                "destination",
                "hook",
                "instance_id",
                "kind",
                "metadata",
                "origin",
                "token",
                "transition"
            ]
        );
    }
    assert_eq!(objs[3]["token"], serde_json::Value::Null);
    assert_eq!(objs[1]["origin"], "WarmPool");
}

#[test]
fn reads_standard_input() {
    let body = std::fs::read_to_string(fixture("eventbridge-launch.json")).unwrap();
    let out = scalegate(&["event", "-"], Some(&body));
    assert!(out.status.success());
    let objs = lines(&out);
    assert_eq!(objs[0]["instance_id"], "i-1234567890abcdef0");
    assert_eq!(objs[0]["metadata"], "{\"team\":\"payments\"}");
    assert_eq!(objs[0]["transition"], "autoscaling:EC2_INSTANCE_LAUNCHING");
}

fn rejected(args: &[&str], stdin: Option<&str>) -> String {
    let out = scalegate(args, stdin);
    assert_eq!(out.status.code(), Some(2), "stdout: {}", String::from_utf8_lossy(&out.stdout));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(err.trim_end().lines().count(), 1, "one-line error: {err}");
    err
}

#[test]
fn rejects_with_exit_2_and_one_line_naming_the_problem() {
    let e = rejected(&["event", fixture("eventbridge-missing-token.json").to_str().unwrap()], None);
    assert!(e.contains("LifecycleActionToken"), "{e}");
    let e = rejected(&["event", "-"], Some("{\"Records\": [tru"));
    assert!(e.contains("malformed JSON"), "{e}");
    let e = rejected(&["event", fixture("s3-event.json").to_str().unwrap()], None);
    assert!(e.contains("no lifecycle notification"), "{e}");
    let e = rejected(&["event", "/no/such/file.json"], None);
    assert!(e.contains("/no/such/file.json"), "{e}");
}

#[test]
fn gate_rejects_bad_rules_clearly() {
    let dir = std::env::temp_dir().join(format!("scalegate-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let rules = dir.join("gate.toml");
    std::fs::write(&rules, "[firewall]\nadmin_prots = [22]\n").unwrap();
    let e = rejected(
        &[
            "gate",
            "--event",
            fixture("eventbridge-launch.json").to_str().unwrap(),
            "--rules",
            rules.to_str().unwrap(),
            "--dry-run",
        ],
        None,
    );
    assert!(e.contains("admin_prots"), "{e}");
}

#[test]
fn help_teaches() {
    let out = scalegate(&["event", "--help"], None);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("TEST_NOTIFICATION") && help.contains("Exits 2"), "{help}");
}

fn audit_fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/audit").join(name)
}

#[test]
fn audit_of_the_projects_own_roles_is_clean() {
    let policies = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../policies");
    let out = scalegate(&["audit", policies.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stdout));
    let report = &lines(&out)[0];
    let checks = report["checks"].as_array().unwrap();
    assert!(!checks.is_empty());
    assert!(checks.iter().all(|c| c["verdict"] == "cannot" && c["witness"].is_null()), "{checks:?}");
    assert_eq!(report["summary"]["may"], 0);
}

#[test]
fn audit_reports_every_check_both_ways_and_exits_1_on_may() {
    let out = scalegate(&["audit", audit_fixture("violating").to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1));
    let report = &lines(&out)[0];
    let checks = report["checks"].as_array().unwrap();
    // scalegate-backlog: scaling duty × 3 classes; deploy-pipeline: deploy duty × 1 class.
    assert_eq!(checks.len(), 4);
    let find = |p: &str, c: &str| checks.iter().find(|x| x["principal"] == p && x["class"] == c).unwrap().clone();
    let data = find("scalegate-backlog", "data");
    assert_eq!(data["verdict"], "may");
    assert_eq!(data["witness"]["action"], "s3:GetObject");
    assert_eq!(data["witness"]["statement"], "OopsData");
    assert_eq!(data["witness"]["resource"], "arn:aws:s3:::app-data/*");
    assert_eq!(find("scalegate-backlog", "deploy")["verdict"], "cannot");
    // NotAction excludes autoscaling and iam, but not lambda:UpdateFunctionCode: a directory is not the whole
    // account, so the function it updates may run as a role outside it, which may hold any permission.
    let scaling = find("deploy-pipeline", "scaling");
    assert_eq!(scaling["verdict"], "may");
    assert_eq!(scaling["witness"]["path"], "escalation");
    assert_eq!(scaling["witness"]["ends_in"], "unknown-role");
    assert_eq!(scaling["witness"]["hops"][0]["via"], "reuse-compute");
    assert_eq!(scaling["witness"]["hops"][0]["method"], "Update a Lambda function's code");
}

#[test]
fn audit_follows_a_two_hop_escalation_in_authorization_details() {
    let file = audit_fixture("account-authorization-details.json");
    let out = scalegate(&["audit", "--authorization-details", file.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let report = &lines(&out)[0];
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(checks.len(), 7, "asg-scaler and scalegate-reaper × 3 classes, deploy-pipeline × 1");
    let find = |p: &str, c: &str| checks.iter().find(|x| x["principal"] == p && x["class"] == c).unwrap().clone();
    let w = find("asg-scaler", "deploy")["witness"].clone();
    let hops: Vec<(String, String, String)> = w["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (h["from"].as_str().unwrap().into(), h["to"].as_str().unwrap().into(), h["via"].as_str().unwrap().into())
        })
        .collect();
    assert_eq!(
        hops,
        [
            ("asg-scaler".into(), "ops".into(), "assume-role".into()),
            ("ops".into(), "deploy-pipeline".into(), "pass-role".into())
        ]
    );
    assert_eq!(
        (w["holder"].as_str(), w["action"].as_str(), w["statement"].as_str()),
        (Some("deploy-pipeline"), Some("codedeploy:*"), Some("Deploy"))
    );
    assert_eq!(w["hops"][0]["grants"][0]["statement"], "BorrowOps");
    // The reaper's managed policy grants s3:GetObject only in a version that is not the default.
    assert_eq!(find("scalegate-reaper", "data")["verdict"], "cannot");
    assert_eq!(find("deploy-pipeline", "scaling")["verdict"], "cannot");
}

#[test]
fn audit_reads_terraform_plans_and_cloudformation_templates() {
    let plan = audit_fixture("terraform-plan.json");
    let out = scalegate(&["audit", "--terraform-plan", plan.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("AmazonS3ReadOnlyAccess is not in the plan"), "{stderr}");
    let report = &lines(&out)[0];
    assert_eq!(report["summary"]["may"], 3, "an attachment whose document is unknown may grant anything");

    let template = audit_fixture("cloudformation-template.json");
    let out = scalegate(&["audit", "--cfn", template.to_str().unwrap(), "--format", "json"], None);
    assert_eq!(out.status.code(), Some(1));
    let checks = lines(&out)[0]["checks"].as_array().unwrap().clone();
    let data = checks.iter().find(|c| c["class"] == "data").unwrap();
    // The Deny's resource was a Fn::Sub, so it proves nothing; the Fn::Join resource widens to a pattern.
    assert_eq!(
        (data["verdict"].as_str(), data["witness"]["resource"].as_str()),
        (Some("may"), Some("arn:aws:s3:::*/*"))
    );
    assert!(checks.iter().filter(|c| c["class"] != "data").all(|c| c["verdict"] == "cannot"));
}

#[test]
fn audit_writes_sarif_with_a_result_per_check() {
    let file = audit_fixture("account-authorization-details.json");
    let out = scalegate(&["audit", "--authorization-details", file.to_str().unwrap(), "--format", "sarif"], None);
    assert_eq!(out.status.code(), Some(1));
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(sarif["version"], "2.1.0");
    let run = &sarif["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "scalegate");
    let rule_ids: Vec<&str> =
        run["tool"]["driver"]["rules"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 7);
    assert!(results.iter().all(|r| rule_ids.contains(&r["ruleId"].as_str().unwrap())));
    let failed: Vec<_> = results.iter().filter(|r| r["kind"] == "fail").collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["level"], "error");
    assert_eq!(failed[0]["locations"][0]["logicalLocations"][0]["name"], "asg-scaler");
    assert!(failed[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap()
        .ends_with("account-authorization-details.json"));
    assert!(failed[0]["message"]["text"]
        .as_str()
        .unwrap()
        .contains("asg-scaler -[assume-role: Assume a role whose trust policy admits the caller]-> ops -[pass-role: "));
}

#[test]
fn audit_shows_reused_compute_unmodelled_services_new_principals_and_users() {
    let account = audit_fixture("catalogue-account.json");
    let duties = audit_fixture("catalogue-duties.toml");
    let args = ["audit", "--authorization-details", account.to_str().unwrap(), "--duties", duties.to_str().unwrap()];
    let out = scalegate(&args, None);
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8_lossy(&out.stdout);
    let line = |who: &str, class: &str| {
        text.lines()
            .find(|l| l.contains(who) && l.contains(&format!("class {class}")))
            .unwrap_or_else(|| panic!("no {who} {class} line in:\n{text}"))
            .to_string()
    };
    assert!(line("asg-scaler ", "deploy")
        .contains("-[reuse-compute: Change a Lambda function's layers or environment]-> deploy-fn"));
    assert!(line("asg-omics", "data").contains("(unmodelled service)]-> genomics-pipeline"));
    let created = line("asg-bootstrap", "data");
    assert!(created.contains("iam:CreateRole") && created.contains("then sts:AssumeRole"), "{created}");
    assert!(
        line("oncall-alice (user)", "deploy").starts_with("cannot"),
        "the group names the user; keys only for ci-*"
    );
    assert!(text.ends_with("6 principal(s), 4 with duties: 8 check(s), 3 cannot, 5 may\n"), "{text}");

    let json = scalegate(&[&args[..], &["--format", "json"]].concat(), None);
    let report = &lines(&json)[0];
    let alice = report["checks"].as_array().unwrap().iter().find(|c| c["principal"] == "oncall-alice").unwrap();
    assert_eq!(alice["kind"], "user");
    let hop = report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["principal"] == "asg-omics" && c["class"] == "data")
        .unwrap()["witness"]["hops"][0]
        .clone();
    assert_eq!(
        (hop["via"].as_str(), hop["grants"][1]["action"].as_str()),
        (Some("pass-role-to-unmodelled-service"), Some("omics:StartRun"))
    );
}

#[test]
fn methods_prints_the_table_the_readme_lists() {
    let out = scalegate(&["methods"], None);
    assert!(out.status.success());
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.starts_with("| Method | Gives | Actions | Published by |"), "{table}");
    let readme = std::fs::read_to_string(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    assert!(readme.contains(table.trim()), "README's table is not what `scalegate methods` prints");
    let rows = table.lines().count() - 2;
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("{rows} methods")));
}

#[test]
fn audit_rejects_unreadable_inputs_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("scalegate-audit-inputs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let not_details = dir.join("plan.json");
    std::fs::write(&not_details, r#"{"planned_values": {}}"#).unwrap();
    let e = rejected(&["audit", "--authorization-details", not_details.to_str().unwrap()], None);
    assert!(e.contains("plan.json") && e.contains("RoleDetailList"), "{e}");
    let e = rejected(&["audit", "--cfn", not_details.to_str().unwrap()], None);
    assert!(e.contains("no `Resources` object"), "{e}");
    std::fs::write(&not_details, "{").unwrap();
    let e = rejected(&["audit", "--terraform-plan", not_details.to_str().unwrap()], None);
    assert!(e.contains("not valid JSON"), "{e}");
}

#[test]
fn audit_rejects_broken_policy_json_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("scalegate-audit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("scalegate-x.json"), r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#).unwrap();
    let e = rejected(&["audit", dir.to_str().unwrap()], None);
    assert!(e.contains("scalegate-x.json") && e.contains("`Action` (or `NotAction`) is missing"), "{e}");
}

#[test]
fn backlog_does_the_worked_example_offline() {
    let out = scalegate(
        &["backlog", "--messages", "1500", "--instances", "10", "--latency", "10s", "--seconds-per-message", "0.1"],
        None,
    );
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("backlog per instance 150.0, target 100.0"), "{text}");
    assert!(text.contains("target tracking asks for 15 instance(s)"), "{text}");
}

#[test]
fn backlog_rejects_bad_flags_and_configs_with_exit_2() {
    let e = rejected(&["backlog", "--queue", "q", "--group", "g", "--latency", "10s"], None);
    assert!(e.contains("--seconds-per-message is required"), "{e}");
    // clap's own usage error (exit 2, with its hint line).
    let out = scalegate(
        &["backlog", "--queue", "q", "--group", "g", "--latency", "soon", "--seconds-per-message", "1"],
        None,
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("`soon` is not a duration"));
    let dir = std::env::temp_dir().join(format!("scalegate-backlog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("backlog.toml");
    std::fs::write(&config, "[[pair]]\nqueue = \"q\"\ngroup = \"g\"\nlatency = \"10s\"\nseconds_per_message = -1\n")
        .unwrap();
    let e = rejected(&["backlog", "--config", config.to_str().unwrap()], None);
    assert!(e.contains("pair 1 (q → g)") && e.contains("positive"), "{e}");
}

#[test]
fn drain_rejects_bad_input_and_settings_with_exit_2() {
    let event = fixture("eventbridge-terminate-warm.json");
    let event = event.to_str().unwrap();
    let e = rejected(&["drain", "--event", "-", "--dry-run"], Some("{oops"));
    assert!(e.contains("malformed JSON"), "{e}");
    let e = rejected(&["drain", "--event", event, "--dry-run", "--budget", "3w"], None);
    assert!(e.contains("SCALEGATE_DRAIN_BUDGET") && e.contains("unknown unit"), "{e}");
    let e = rejected(&["drain", "--event", event, "--dry-run", "--first-delay", "20m"], None);
    assert!(e.contains("SCALEGATE_DRAIN_FIRST_DELAY") && e.contains("900s"), "{e}");
    let e = rejected(&["drain", "--event", event], None);
    assert!(e.contains("--queue-url"), "{e}");
    let out = scalegate(&["drain", "--help"], None);
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("re-check") && help.contains("Exit 0"), "{help}");
}

fn scenario(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scenarios").join(name).display().to_string()
}

#[test]
fn simulate_prints_a_summary_the_decisions_and_the_seconds() {
    let csv = std::env::temp_dir().join(format!("scalegate-simulate-{}.csv", std::process::id()));
    let chart = csv.with_extension("svg");
    let o = scalegate(
        &[
            "simulate",
            &scenario("launch-morning.toml"),
            "--explain",
            "--csv",
            csv.to_str().unwrap(),
            "--svg",
            chart.to_str().unwrap(),
        ],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("# no headroom: assumptions where AWS documents nothing"), "{text}");
    assert!(text.contains("triggered policy requests changing the desired capacity from 3 to"), "{text}");
    let json_start = text.find("\n{").expect("the summary follows the explanation");
    let summary: serde_json::Value = serde_json::from_str(&text[json_start..]).unwrap();
    assert_eq!(summary["max_desired"], 15);
    assert!(summary["seconds_over_objective"].as_f64().unwrap() > 200.0, "{summary}");
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(
        rows.lines().next(),
        Some("t,arrivals,backlog,desired,in_service,warming,launching,pooled,pool_preparing,wait")
    );
    assert_eq!(rows.lines().count(), 1 + 1800);
    let svg = std::fs::read_to_string(&chart).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("no headroom: 355 s over the 1 s objective"), "{}", &svg[..300]);
    std::fs::remove_file(csv).ok();
    std::fs::remove_file(chart).ok();
}

#[test]
fn simulate_compares_two_scenarios_on_the_same_demand() {
    let o = scalegate(
        &["simulate", &scenario("launch-morning.toml"), "--compare", &scenario("launch-morning-warm-pool.toml")],
        None,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let row = text.lines().find(|l| l.starts_with("warm_launches")).expect("a side-by-side table");
    assert_eq!(row.split_whitespace().collect::<Vec<_>>(), ["warm_launches", "0", "12"]);
    let summaries: serde_json::Value = serde_json::from_str(&text[text.find("\n[").unwrap()..]).unwrap();
    let breach = |i: usize| summaries[i]["seconds_over_objective"].as_f64().unwrap();
    assert!(breach(1) < breach(0) / 2.0, "{summaries}");
}

#[test]
fn simulate_rejects_a_bad_scenario_naming_the_field() {
    let dir = std::env::temp_dir().join(format!("scalegate-simulate-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "duration = \"1h\"\ndemand = { kind = \"steady\", rate = 10 }\ngroup = { min = 4, max = 2 }\n",
    )
    .unwrap();
    let o = scalegate(&["simulate", file.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bad.toml: `group.min` 4 is above group.max 2"), "{err}");
    let o = scalegate(&["simulate", &scenario("launch-morning.toml"), "--trace", file.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("header must be `time,arrivals`"));
    // A backlog alone is simulated, and the user is told its arrivals are a lower bound.
    let backlog = dir.join("backlog.csv");
    std::fs::write(&backlog, "time,backlog\n0,0\n60,3000\n120,9000\n180,9000\n").unwrap();
    let o = scalegate(&["simulate", &scenario("launch-morning.toml"), "--trace", backlog.to_str().unwrap()], None);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.contains("warning") && err.contains("lower bound"), "{err}");
    std::fs::remove_dir_all(dir).ok();
}

#[test]
fn plan_headroom_sizes_the_pool_from_the_dead_time_and_shows_what_it_buys() {
    let o = scalegate(&["plan-headroom", "--scenario", &scenario("launch-morning.toml"), "--simulate"], None);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    let report: serde_json::Value = serde_json::from_str(&text[text.find("\n{").unwrap()..]).unwrap();
    // Dead time 10 s lag + 3 × 10 s detection + 240 s launch + 1 s hook; the climb over it, 800 requests/s, at 70
    // per instance (the policy's target) → 12 warm.
    assert_eq!(report["plan"]["dead_time"], 281.0);
    assert_eq!(report["plan"]["warm_instances"], 12);
    assert_eq!(
        report["plan"]["max_group_prepared_capacity"], 12,
        "an absolute size: MinSize = MaxGroupPreparedCapacity"
    );
    let breach = |i: usize| report["simulated"][i]["seconds_over_objective"].as_f64().unwrap();
    assert!(breach(1) < breach(0) / 2.0 && breach(1) < breach(2), "{report}");
    let o = scalegate(&["plan-headroom", "--scenario", &scenario("launch-morning.toml"), "--percentile", "2"], None);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--percentile must be between 0 and 1"));
}

#[test]
fn guard_alerts_on_an_outsider_trusts_automation_and_rejects_what_is_not_cloudtrail() {
    let trail = |name: &str| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/fixtures/cloudtrail")
            .join(name)
            .display()
            .to_string()
    };
    let hook = trail("DeleteLifecycleHook.json");
    let o = scalegate(&["guard", "--event", &hook, "--metrics"], None);
    assert_eq!(o.status.code(), Some(1), "an alert exits 1");
    let line = &lines(&o)[0];
    assert_eq!((line["message"].as_str(), line["level"].as_str()), (Some("guard alert"), Some("ERROR")), "{line}");
    assert_eq!(line["principal"]["arn"], "arn:aws:iam::123456789012:role/Admin");
    assert_eq!(line["verdict"]["changes"][0]["change"], "hook-deleted");
    assert!(String::from_utf8_lossy(&o.stderr).contains("\"GuardAlerts\""));
    let dir = std::env::temp_dir().join(format!("scalegate-guard-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("guard.toml");
    std::fs::write(&config, "automation = [\"arn:aws:iam::123456789012:role/Admin\"]\n").unwrap();
    let o = scalegate(&["guard", "--event", &hook, "--config", config.to_str().unwrap()], None);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(lines(&o)[0]["message"], "guard: trusted change");
    let e = rejected(
        &["guard", "--event", "-"],
        Some("{\"detail-type\": \"EC2 Instance Launch Successful\", \"detail\": {}}"),
    );
    assert!(e.contains("not `AWS API Call via CloudTrail`"), "{e}");
    let e = rejected(&["guard", "--event", "-"], Some("{oops"));
    assert!(e.contains("malformed JSON"), "{e}");
    std::fs::write(&config, "automation = [\"Admin\"]\n").unwrap();
    let e = rejected(&["guard", "--event", &hook, "--config", config.to_str().unwrap()], None);
    assert!(e.contains("not an ARN pattern"), "{e}");
    std::fs::remove_dir_all(&dir).ok();
}
