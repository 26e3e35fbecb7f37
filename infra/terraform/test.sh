#!/usr/bin/env bash
# Validates, plans and applies the Terraform module against the local emulator — offline, from a local copy of the
# AWS provider. Where terraform or the provider is missing it says so loudly and skips (exit 0).
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
example="$root/infra/terraform/examples/emulator"

# The inputs/outputs tables in infra/terraform/README.md are generated from the code and must match it.
"$root/.venv/bin/python" "$root/infra/terraform/docs.py" --check
# The module reads only files inside its folder (copies of policies/ and the dashboard, which must match them).
"$root/.venv/bin/python" "$root/infra/terraform/files.py" --check

# The deployer's policy must parse and name only actions IAM has: an unknown one is a typo that grants nothing, and
# the apply that needs it fails in the middle.
"$root/.venv/bin/python" - "$root/policies/deployer-terraform.json" "$root/policies/catalog/iam-actions.tsv" <<'PY'
import fnmatch, json, re, sys
path, catalog_path = sys.argv[1], sys.argv[2]
try:
    policy = json.load(open(path))
except json.JSONDecodeError as e:
    sys.exit(f"infra test: {path} is not JSON: {e}")
known = set()
for line in open(catalog_path):
    if line.startswith("#") or not line.strip():
        continue
    service, *levels = line.rstrip("\n").split("\t")
    for field in levels:
        known.update(f"{service}:{a}".lower() for a in field.split(":", 1)[1].split(","))
def listed(v):
    return [v] if isinstance(v, str) else v
statements = policy["Statement"]
sids = [s.get("Sid", "") for s in statements]
assert all(re.fullmatch(r"[A-Za-z0-9]+", sid) for sid in sids), f"every statement needs a Sid (letters and digits) saying what it is for: {sids}"
assert len(set(sids)) == len(sids), f"Sids repeat: {sids}"
actions = [a for s in statements for a in listed(s.get("Action", [])) + listed(s.get("NotAction", []))]
unknown = sorted({a for a in actions if not fnmatch.filter(known, a.lower())})
if unknown:
    sys.exit(f"infra test: {path} names actions that are not in {catalog_path}: {', '.join(unknown)}")
print(f"infra test: {path.split('/')[-1]}: {len(statements)} statements, {len(set(actions))} actions, every one in the catalog")
PY

skip() {
  echo "############################################################################"
  echo "# SKIPPED infra test: $1"
  echo "# The Terraform module was NOT validated or applied on this machine."
  echo "############################################################################"
  exit 0
}

command -v terraform >/dev/null || skip "terraform is not installed"
plugin_dir="${TF_PLUGIN_DIR:-}"
if [ -z "$plugin_dir" ]; then
  for candidate in /opt/tf-plugins "$HOME/.terraform.d/plugins" /usr/share/terraform/plugins /usr/local/share/terraform/plugins; do
    if [ -d "$candidate/registry.terraform.io/hashicorp/aws" ]; then plugin_dir="$candidate"; break; fi
  done
fi
[ -n "$plugin_dir" ] || skip "no local copy of the AWS provider (set TF_PLUGIN_DIR to a directory holding registry.terraform.io/hashicorp/aws)"

work="$(mktemp -d)"
emulator_pid=""
cleanup() {
  [ -n "$emulator_pid" ] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# AWS provider 6 removes much of what 5.x deprecates: a deprecation warning from validate or plan fails the test while
# the 5.x provider here can still give it.
no_deprecations() { # $1: the output of validate or plan, $2: what produced it
  if grep -Eqi '^[[:space:]│╷]*Warning: .*deprecat' "$1"; then
    grep -Ei -A8 '^[[:space:]│╷]*Warning: .*deprecat' "$1"
    echo "infra test: $2 uses something deprecated (above): AWS provider 6 may no longer accept it"
    exit 1
  fi
}

# A config file of our own: no registry, no user configuration.
printf 'provider_installation {\n  filesystem_mirror {\n    path = "%s"\n  }\n}\n' "$plugin_dir" > "$work/terraformrc"
export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_DATA_DIR="$work/data" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1

PYTHONPATH="$root/infra/local" "$root/.venv/bin/python" -m scalegate_emulator --port 0 > "$work/emulator.out" 2> "$work/emulator.log" &
emulator_pid=$!
for _ in $(seq 1 100); do grep -q listening "$work/emulator.out" 2>/dev/null && break; sleep 0.1; done
endpoint="$(awk '{print $NF}' "$work/emulator.out")"
[ -n "$endpoint" ] || { cat "$work/emulator.log"; echo "emulator did not start"; exit 1; }

"$root/.venv/bin/python" - "$work/launch-gate.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w") as z:
    z.writestr("bootstrap", "#!/bin/sh\n")
PY

cd "$example"
# Each run applies to a fresh emulator: state from an earlier run describes nothing that exists.
rm -f terraform.tfstate terraform.tfstate.backup
echo "infra test: terraform $(terraform version | head -1 | awk '{print $2}'), provider from $plugin_dir, emulator $endpoint"
terraform init -input=false -plugin-dir="$plugin_dir" -lockfile=readonly >/dev/null 2>&1 || terraform init -input=false -plugin-dir="$plugin_dir" >/dev/null
terraform validate -no-color > "$work/validate.log" 2>&1 || { cat "$work/validate.log"; exit 1; }
no_deprecations "$work/validate.log" "terraform validate (examples/emulator)"
terraform plan -no-color -input=false -var "endpoint=$endpoint" -var "package=$work/launch-gate.zip" -out "$work/plan" > "$work/plan.log" 2>&1 || { tail -30 "$work/plan.log"; exit 1; }
no_deprecations "$work/plan.log" "the plan of examples/emulator"
terraform show -json "$work/plan" > "$work/plan.json"
# The CDK parity test compares this plan with the same deployment in CDK (make test sets SCALEGATE_TF_PLAN).
if [ -n "${SCALEGATE_TF_PLAN:-}" ]; then mkdir -p "$(dirname "$SCALEGATE_TF_PLAN")" && cp "$work/plan.json" "$SCALEGATE_TF_PLAN"; fi
"$root/.venv/bin/python" - "$work/plan.json" "$root" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
def walk(module):
    for r in module.get("resources", []):
        yield r
    for child in module.get("child_modules", []):
        yield from walk(child)
resources = {r["address"]: r for r in walk(plan["planned_values"]["root_module"])}
def need(addr):
    assert addr in resources, f"plan lacks {addr}: {sorted(resources)}"
    return resources[addr]["values"]
fn = need("module.launch_gate.module.gate[0].aws_lambda_function.this")
assert fn["runtime"] == "provided.al2023" and fn["architectures"] == ["x86_64"], fn
# Documents travel in the configuration bucket, never in the environment: every function's stays far below 4 KB.
docs = {r["values"]["key"]: r["values"] for a, r in resources.items() if a.startswith("module.launch_gate.aws_s3_object.")}
assert sorted(docs) == ["backlog-pairs.toml", "duties.toml", "gate-rules.toml"], sorted(docs)
assert docs["gate-rules.toml"]["content"] == open(sys.argv[2] + "/policies/gate.toml").read(), "no rules given: policies/gate.toml"
assert need("module.launch_gate.aws_s3_bucket_versioning.config[0]")["versioning_configuration"][0]["status"] == "Enabled"
assert need("module.launch_gate.aws_s3_bucket_public_access_block.config[0]")["restrict_public_buckets"]
functions = [r for r in resources.values() if r["type"] == "aws_lambda_function"]
def env_size(f):
    env = (f["values"].get("environment") or [{}])[0].get("variables") or {}
    return sum(len(k.encode()) + len(v.encode()) for k, v in env.items())
largest = max(functions, key=env_size)
assert env_size(largest) <= 4096, f"{largest['address']}: environment {env_size(largest)} B exceeds Lambda's 4 KB"
target = need("module.launch_gate.module.gate_events[0].aws_cloudwatch_event_target.queue")
assert target["dead_letter_config"], "undeliverable lifecycle events land in the dead-letter queue"
assert "module.launch_gate.module.gate_events[0].aws_sqs_queue_policy.dead_letters" in resources
esm = need("module.launch_gate.module.gate_events[0].aws_lambda_event_source_mapping.events")
assert esm["function_response_types"] == ["ReportBatchItemFailures"], esm
policy = json.loads(need("module.launch_gate.module.gate[0].aws_iam_role_policy.this")["policy"])
complete = next(s for s in policy["Statement"] if s["Sid"] == "CompleteLifecycleActions")
assert all(r.endswith(("autoScalingGroupName/web", "autoScalingGroupName/workers")) for r in complete["Resource"]), complete
actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
assert {"ec2:GetManagedPrefixListEntries", "ec2:DescribeInstanceTypes"} <= actions, actions
assert not any(a.startswith("ssm:") for a in actions), "no SSM parameter is readable unless ami_parameters names it"
alarms = [a for a in resources if "aws_cloudwatch_metric_alarm" in a]
# gate 6 (abandons and latency for 2 groups, dead letters, errors) + errors of sod-audit, backlog, reaper and drain
# + SodViolations for 2 duties + the drain's dead letters + drain budget spent for 2 groups
# + throttles of all 5 functions + silence of the 3 scheduled ones + the age of both lifecycle queues
# + a rejected and an unreadable configuration document for the gate, sod-audit and backlog-metric
# + the rules' dead letters of the three scheduled functions
# + the warm-pool planner's errors, throttles, silence and rules' dead letters
# + the scaling guard's errors, throttles, rules' dead letters, failures and alerts
# + the drift sweep's errors, throttles, silence, rules' dead letters and drifted instances
# + the backlog function's unexplained scaling
assert len(alarms) == 49, alarms
assert need('module.launch_gate.module.backlog[0].aws_cloudwatch_metric_alarm.finding["unexplained-scaling"]')["metric_name"] == "UnexplainedScaling"
for fn in ["sod_audit", "backlog", "reaper", "planner", "sweep"]:
    for key in ["schedule"]:
        assert need(f'module.launch_gate.module.{fn}[0].aws_cloudwatch_event_target.this["{key}"]')["dead_letter_config"], fn
rejected = need("module.launch_gate.module.gate[0].aws_cloudwatch_metric_alarm.config_rejected[0]")
assert (rejected["metric_name"], rejected["namespace"], rejected["treat_missing_data"]) == ("ConfigRejected", "scalegate", "notBreaching"), rejected
board = json.loads(need("module.launch_gate.aws_cloudwatch_dashboard.this[0]")["dashboard_body"])
shown = json.dumps(board)
for metric in ["GateDecisions", "GateLatency", "TimeToReady", "BacklogPerInstance", "BacklogTarget", "CapableInstances",
               "WarmPoolWarmedCapacity", "ExpiredLeases", "DrainCompletions", "SodViolations", "Throttles"]:
    assert metric in shown, f"the dashboard lacks {metric}"
assert "${" not in shown and all(w["properties"]["region"] == "us-east-1" for w in board["widgets"]), board
silent = {a: resources[a]["values"] for a in alarms if a.endswith("aws_cloudwatch_metric_alarm.silence[0]")}
assert len(silent) == 5 and all(v["treat_missing_data"] == "breaching" for v in silent.values()), silent
assert need("module.launch_gate.module.sod_audit[0].aws_cloudwatch_metric_alarm.silence[0]")["period"] == 7200
age = need("module.launch_gate.module.gate_events[0].aws_cloudwatch_metric_alarm.oldest_message")
assert (age["metric_name"], age["datapoints_to_alarm"], age["evaluation_periods"]) == ("ApproximateAgeOfOldestMessage", 2, 3), age
assert need('module.launch_gate.module.drain[0].aws_lambda_function.this')["timeout"] == 30
rule = json.loads(need('module.launch_gate.module.drain_events[0].aws_cloudwatch_event_rule.this')["event_pattern"])
assert rule["detail-type"] == ["EC2 Instance-terminate Lifecycle Action"] and rule["detail"]["AutoScalingGroupName"] == ["web", "workers"], rule
assert need('module.launch_gate.module.drain_events[0].aws_lambda_event_source_mapping.events')["function_response_types"] == ["ReportBatchItemFailures"]
spent = need('module.launch_gate.module.group["workers"].aws_cloudwatch_metric_alarm.drain_budget_spent[0]')
assert spent["dimensions"] == {"AutoScalingGroupName": "workers", "Reason": "budget_spent"}, spent
assert need('module.launch_gate.module.reaper[0].aws_cloudwatch_event_rule.this["schedule"]')["schedule_expression"] == "rate(1 minute)"
backlog = need('module.launch_gate.module.backlog[0].aws_lambda_function.this')
# The variables hold the tick queue's URL, known only after apply: the plan marks the whole map unknown.
assert "[[pair]]" in docs["backlog-pairs.toml"]["content"], docs["backlog-pairs.toml"]
assert backlog["timeout"] == 30, "no sleeping inside an invocation: ticks come from the tick queue"
ticks = need("module.launch_gate.aws_sqs_queue.backlog_ticks[0]")
assert ticks["name"] == "scalegate-backlog-metric-ticks" and ticks["message_retention_seconds"] == 120, ticks
assert need("module.launch_gate.aws_lambda_event_source_mapping.backlog_ticks[0]")["batch_size"] == 10
assert need('module.launch_gate.module.backlog[0].aws_cloudwatch_event_rule.this["schedule"]')["schedule_expression"] == "rate(1 minute)"
sod = need('module.launch_gate.module.sod_audit[0].aws_lambda_function.this')
assert sod["runtime"] == "provided.al2023", sod
changes = json.loads(need('module.launch_gate.module.sod_audit[0].aws_cloudwatch_event_rule.this["iam-changes"]')["event_pattern"])
assert "PutRolePolicy" in changes["detail"]["eventName"] and changes["source"] == ["aws.iam"], changes
assert need('module.launch_gate.module.sod_audit[0].aws_cloudwatch_event_rule.this["schedule"]')["schedule_expression"] == "rate(1 hour)"
planner = need('module.launch_gate.module.planner[0].aws_lambda_function.this')
assert "[[group]]" in planner["environment"][0]["variables"]["SCALEGATE_WARM_POOL_PLANNER"], planner
assert need('module.launch_gate.module.planner[0].aws_cloudwatch_event_rule.this["schedule"]')["schedule_expression"] == "rate(15 minutes)"
put = [s for s in json.loads(need("module.launch_gate.module.planner[0].aws_iam_role_policy.this")["policy"])["Statement"]
       if "autoscaling:PutWarmPool" in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
assert len(put) == 1 and put[0]["Condition"] == {"Null": {"autoscaling:ResourceTag/scalegate:warm-pool": "false"}}, put
guard = need('module.launch_gate.module.guard[0].aws_lambda_function.this')
# The guard's document names the roles' ARNs, known after apply: its content is checked against the applied state.
pattern = json.loads(need('module.launch_gate.module.guard[0].aws_cloudwatch_event_rule.this["cloudtrail"]')["event_pattern"])
assert pattern["detail-type"] == ["AWS API Call via CloudTrail"], pattern
calls = json.load(open(sys.argv[2] + "/tests/fixtures/cloudtrail/expected.json"))["calls"]
assert sorted(pattern["detail"]["eventName"]) == calls, f"the rule's calls differ from the guard's fixtures: {sorted(pattern['detail']['eventName'])} vs {calls}"
assert need('module.launch_gate.module.guard[0].aws_lambda_function_event_invoke_config.failures[0]')["maximum_retry_attempts"] == 2
assert need('module.launch_gate.module.guard[0].aws_cloudwatch_metric_alarm.finding["alerts"]')["metric_name"] == "GuardAlerts"
guard_policy = json.loads(need("module.launch_gate.module.guard[0].aws_iam_role_policy.this")["policy"])["Statement"]
restore = [s for s in guard_policy if s["Action"] == "autoscaling:PutLifecycleHook"]
assert len(restore) == 1 and restore[0]["Condition"] == {"Null": {"autoscaling:ResourceTag/scalegate:guard-restore": "false"}}, guard_policy
sweep = need('module.launch_gate.module.sweep[0].aws_lambda_function.this')["environment"][0]["variables"]
gate_rules = need('module.launch_gate.module.gate[0].aws_lambda_function.this')["environment"][0]["variables"]["SCALEGATE_GATE_RULES_S3"]
assert sweep["SCALEGATE_GATE_RULES_S3"] == gate_rules and sweep["SCALEGATE_SWEEP_MIN_HEALTHY_PERCENT"] == "90", sweep
assert need('module.launch_gate.module.sweep[0].aws_cloudwatch_event_rule.this["schedule"]')["schedule_expression"] == "rate(15 minutes)"
sweep_policy = json.loads(need("module.launch_gate.module.sweep[0].aws_iam_role_policy.this")["policy"])["Statement"]
mark = [s for s in sweep_policy if "autoscaling:SetInstanceHealth" in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])]
assert len(mark) == 1 and list(mark[0]["Condition"]) == ["StringLike"] and "replace:*" in mark[0]["Condition"]["StringLike"]["autoscaling:ResourceTag/scalegate:drift-sweep"], mark
read = next(s for s in sweep_policy if s["Sid"] == "ReadConfigDocument")
assert read["Resource"] == gate_rules.replace("s3://", "arn:aws:s3:::"), read
assert need('module.launch_gate.module.sweep[0].aws_cloudwatch_metric_alarm.finding["drifted"]')["metric_name"] == "DriftedInstances"
violations = [a for a in alarms if "sod_violations" in a]
assert len(violations) == 2, violations
print(f"infra test: plan has {len(resources)} resources; policy scoped to the groups; {len(alarms)} alarms; sod-audit on a schedule and on IAM changes; backlog-metric and the protection reaper every minute; the warm-pool planner every 15 minutes, PutWarmPool only on tagged groups; the scaling guard on CloudTrail calls; the drift sweep every 15 minutes with the gate's rules, SetInstanceHealth only on tagged groups; the drain on terminate actions through its queue")
PY
# The plan's roles must pass the project's own separation-of-duties audit (exit 1 on any `may`).
if [ -n "${SCALEGATE:-}" ]; then
  "$SCALEGATE" audit --terraform-plan "$work/plan.json" | sed 's/^/infra test: audit: /'
fi
# Documents of any realistic size (50 KB of rules, 250 backlog pairs) plan: they go to the bucket, not the environment.
big_rules="$(cat "$root/policies/gate.toml"; for _ in $(seq 1 5000); do printf '# padding\n'; done)"
big_pairs="$(for i in $(seq 1 250); do printf '[[pair]]\nqueue = "jobs-%s"\ngroup = "workers"\nlatency = "10s"\nseconds_per_message = 0.1\n' "$i"; done)"
terraform plan -no-color -input=false -var "endpoint=$endpoint" -var "package=$work/launch-gate.zip" \
    -var "gate_rules=$big_rules" -var "backlog_pairs=$big_pairs" -out "$work/big.plan" > "$work/big.log" 2>&1 || { tail -20 "$work/big.log"; exit 1; }
terraform show -json "$work/big.plan" > "$work/big.json"
"$root/.venv/bin/python" - "$work/big.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
def walk(module):
    for r in module.get("resources", []):
        yield r
    for child in module.get("child_modules", []):
        yield from walk(child)
resources = list(walk(plan["planned_values"]["root_module"]))
docs = {r["values"]["key"]: len(r["values"]["content"]) for r in resources if r["type"] == "aws_s3_object"}
assert docs["gate-rules.toml"] > 50_000 and docs["backlog-pairs.toml"] > 20_000, docs
for f in (r for r in resources if r["type"] == "aws_lambda_function"):
    env = (f["values"].get("environment") or [{}])[0].get("variables") or {}
    assert sum(len(k) + len(v) for k, v in env.items()) < 1024, (f["address"], env)
print(f"infra test: documents of {docs['gate-rules.toml'] // 1024} KB and 250 pairs plan; every environment stays under 1 KB")
PY
# create = false creates nothing at all, as terraform-aws-modules' create does: no resource, and no data source read.
terraform plan -no-color -input=false -var "endpoint=$endpoint" -var "package=$work/launch-gate.zip" -var create=false \
    -out "$work/none.plan" > "$work/none.log" 2>&1 || { tail -20 "$work/none.log"; exit 1; }
terraform show -json "$work/none.plan" > "$work/none.json"
"$root/.venv/bin/python" - "$work/none.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
assert not plan.get("resource_changes") and not plan["planned_values"]["root_module"], plan["planned_values"]
assert not plan.get("prior_state", {}).get("values", {}).get("root_module"), "create = false still read a data source"
print("infra test: create = false plans no resource and reads no data source")
PY

# Whoever creates the launch gate must give its package: the plan stops with that one error, not a confusing one of
# the function's.
mkdir "$work/needs-package"
# By absolute path: Terraform then copies the module alone into .terraform/modules, so a file read from outside its
# folder would fail here too (the plan must show the one error below and no other).
module_source="$root/infra/terraform"
cat > "$work/needs-package/main.tf" <<EOF
provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_metadata_api_check     = true
  endpoints {
    sts = "$endpoint"
  }
}

module "scalegate" {
  source = "$module_source"
}
EOF
(
  cd "$work/needs-package"
  export TF_DATA_DIR="$work/data-needs-package"
  terraform init -input=false -plugin-dir="$plugin_dir" >/dev/null
  if terraform plan -no-color -input=false > "$work/needs-package.log" 2>&1; then
    echo "infra test: a launch gate without its package planned"; exit 1
  fi
  grep -q "package (the launch gate's zip" "$work/needs-package.log" && [ "$(grep -c '^Error: ' "$work/needs-package.log")" = 1 ] \
    || { cat "$work/needs-package.log"; echo "infra test: a launch gate without its package must fail with the one clear error"; exit 1; }
)
echo "infra test: a launch gate without its package fails the plan with one clear error"
# A group given by ARN would match no lifecycle event (they carry names): the plan refuses it.
mkdir "$work/arn-group"
sed -e 's|source = "'"$module_source"'"|source              = "'"$module_source"'"\n  package             = "gate.zip"\n  auto_scaling_groups = ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0d3c:autoScalingGroupName/web"]|' \
  "$work/needs-package/main.tf" > "$work/arn-group/main.tf"
cp "$work/needs-package/.terraform.lock.hcl" "$work/arn-group/" 2>/dev/null || true
(
  cd "$work/arn-group"
  export TF_DATA_DIR="$work/data-needs-package"
  if terraform plan -no-color -input=false > "$work/arn-group.log" 2>&1; then
    echo "infra test: a group given by ARN planned"; exit 1
  fi
  grep -q "takes group names, not ARNs" "$work/arn-group.log" || { cat "$work/arn-group.log"; exit 1; }
)
echo "infra test: a group given by ARN fails the plan, naming the input"
# The planner cannot start without its document: the plan says so.
mkdir "$work/planner-document"
sed -e 's|source = "'"$module_source"'"|source              = "'"$module_source"'"\n  create_launch_gate  = false\n  planner_package     = "planner.zip"|' \
  "$work/needs-package/main.tf" > "$work/planner-document/main.tf"
cp "$work/needs-package/.terraform.lock.hcl" "$work/planner-document/" 2>/dev/null || true
(
  cd "$work/planner-document"
  export TF_DATA_DIR="$work/data-needs-package"
  if terraform plan -no-color -input=false > "$work/planner-document.log" 2>&1; then
    echo "infra test: a planner without its document planned"; exit 1
  fi
  grep -q "planner_document must be set" "$work/planner-document.log" || { cat "$work/planner-document.log"; exit 1; }
)
echo "infra test: a warm-pool planner without its document fails the plan, naming the input"

terraform apply -no-color -input=false -auto-approve "$work/plan" > "$work/apply.log" 2>&1 || { tail -30 "$work/apply.log"; exit 1; }
echo "infra test: applied against the emulator: $(grep -c 'Creation complete' "$work/apply.log") resources created"
terraform show -json > "$work/state.json"
python3 - "$work/state.json" "$work/guard.toml" <<'PY'
import json, sys
def walk(m):
    yield from m.get("resources", [])
    for c in m.get("child_modules", []):
        yield from walk(c)
state = list(walk(json.load(open(sys.argv[1]))["values"]["root_module"]))
roles = {r["values"]["name"]: r["values"]["arn"] for r in state if r["type"] == "aws_iam_role"}
guard = next(r["values"] for r in state if r["address"] == "module.launch_gate.module.guard[0].aws_lambda_function.this")
document = guard["environment"][0]["variables"]["SCALEGATE_GUARD"]
own = [a for n, a in roles.items() if not n.startswith("scalegate-scaling-guard")]
assert own and all(a in document for a in own), (own, document)
assert "scalegate-*" not in document and '"scalegate-launch-gate"' in document, document
assert "[restore]" in document, document
open(sys.argv[2], "w").write(document)
print(f"infra test: the guard trusts scalegate's {len(own)} own roles by exact ARN, no name pattern")
PY
# The applied document is one the guard reads: a deleted gate hook is an alert (exit 1), not a bad document (exit 2).
set +e
"$SCALEGATE" guard --event "$root/tests/fixtures/cloudtrail/DeleteLifecycleHook.json" --config "$work/guard.toml" > "$work/guard.log" 2>&1
code=$?
set -e
[ "$code" = 1 ] || { cat "$work/guard.log"; echo "infra test: the applied guard document does not judge (exit $code)"; exit 1; }
echo "infra test: the applied guard document (with its [restore] section) judges a deleted gate hook an alert"

# A deployment made before the launch gate and the configuration bucket became optional keeps every resource: put the
# state back at that time's addresses, and moved.tf must move them all, destroying and creating nothing.
for move in "module.gate[0] module.gate" "module.gate_events[0] module.gate_events" \
    "aws_s3_bucket.config[0] aws_s3_bucket.config" "aws_s3_bucket_versioning.config[0] aws_s3_bucket_versioning.config" \
    "aws_s3_bucket_public_access_block.config[0] aws_s3_bucket_public_access_block.config" \
    "aws_s3_bucket_server_side_encryption_configuration.config[0] aws_s3_bucket_server_side_encryption_configuration.config" \
    "aws_s3_object.gate_rules[0] aws_s3_object.gate_rules" "terraform_data.input_checks[0] terraform_data.groups_given"; do
  set -- $move
  terraform state mv "module.launch_gate.$1" "module.launch_gate.$2" > /dev/null
done
terraform plan -no-color -input=false -refresh=false -var "endpoint=$endpoint" -var "package=$work/launch-gate.zip" \
    -out "$work/moved.plan" > "$work/moved.log" 2>&1 || { tail -30 "$work/moved.log"; exit 1; }
terraform show -json "$work/moved.plan" > "$work/moved.json"
"$root/.venv/bin/python" - "$work/moved.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
replaced = [c["address"] for c in plan["resource_changes"] if {"create", "delete"} & set(c["change"]["actions"])]
assert not replaced, f"an upgrade would destroy or create: {replaced}"
moved = [c["address"] for c in plan["resource_changes"] if c.get("previous_address")]
assert len(moved) >= 24 and "module.launch_gate.module.gate[0].aws_lambda_function.this" in moved, moved
print(f"infra test: a state from before create/create_launch_gate moves {len(moved)} resources, destroys none")
PY

# A group named with name_prefix beside the module: its name is known only after apply, and the plan must still work
# (per-group hooks and alarms are keyed by a static key, not by the name).
cd "$root/infra/terraform/examples/name_prefix"
rm -f terraform.tfstate terraform.tfstate.backup
export TF_DATA_DIR="$work/data-name-prefix"
terraform init -input=false -plugin-dir="$plugin_dir" >/dev/null
terraform validate -no-color > "$work/np-validate.log" 2>&1 || { cat "$work/np-validate.log"; exit 1; }
no_deprecations "$work/np-validate.log" "terraform validate (examples/name_prefix)"
terraform plan -no-color -input=false -var "endpoint=$endpoint" -var "package=$work/launch-gate.zip" -out "$work/np.plan" > "$work/np.log" 2>&1 || { tail -30 "$work/np.log"; exit 1; }
no_deprecations "$work/np.log" "the plan of examples/name_prefix"
terraform show -json "$work/np.plan" > "$work/np.json"
"$root/.venv/bin/python" - "$work/np.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
addresses = [c["address"] for c in plan["resource_changes"]]
for want in ['module.scalegate.module.gate_events[0].aws_autoscaling_lifecycle_hook.this["web"]',
             'module.scalegate.module.group["web"].aws_cloudwatch_metric_alarm.abandons[0]',
             'module.scalegate.module.group["web"].aws_cloudwatch_metric_alarm.drain_budget_spent[0]']:
    assert want in addresses, (want, [a for a in addresses if "web" in a])
print("infra test: a name_prefix group beside the module plans: hooks and alarms keyed by a static key")
PY
terraform apply -no-color -input=false -auto-approve "$work/np.plan" > "$work/np-apply.log" 2>&1 || { tail -30 "$work/np-apply.log"; exit 1; }
echo "infra test: applied the name_prefix example: $(grep -c 'Creation complete' "$work/np-apply.log") resources created"

# The recommended setup: the core names no group; a name_prefix group with IMDSv2, inline hooks, a warm pool, leases
# and target tracking on BacklogPerInstance depends on the core through its hook names; modules/group alarms it.
cd "$root/infra/terraform/examples/complete"
rm -f terraform.tfstate terraform.tfstate.backup
export TF_DATA_DIR="$work/data-complete"
terraform init -input=false -plugin-dir="$plugin_dir" >/dev/null
terraform validate -no-color > "$work/complete-validate.log" 2>&1 || { cat "$work/complete-validate.log"; exit 1; }
no_deprecations "$work/complete-validate.log" "terraform validate (examples/complete)"
terraform plan -no-color -input=false -var "endpoint=$endpoint" -var "package=$work/launch-gate.zip" -out "$work/complete.plan" > "$work/complete.log" 2>&1 || { tail -30 "$work/complete.log"; exit 1; }
no_deprecations "$work/complete.log" "the plan of examples/complete"
terraform show -json "$work/complete.plan" > "$work/complete.json"
"$root/.venv/bin/python" - "$work/complete.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
changes = {c["address"]: c["change"]["after"] for c in plan["resource_changes"]}
rule = json.loads(changes["module.scalegate.module.gate_events[0].aws_cloudwatch_event_rule.this"]["event_pattern"])
assert rule["detail"] == {"LifecycleHookName": ["scalegate-launch-gate-complete"]}, rule
drain_rule = json.loads(changes["module.scalegate.module.drain_events[0].aws_cloudwatch_event_rule.this"]["event_pattern"])
assert drain_rule["detail"] == {"LifecycleHookName": ["scalegate-drain-complete"]}, drain_rule
group = changes["aws_autoscaling_group.workers"]
hooks = {h["lifecycle_transition"]: h["default_result"] for h in group["initial_lifecycle_hook"]}
assert hooks == {"autoscaling:EC2_INSTANCE_LAUNCHING": "ABANDON", "autoscaling:EC2_INSTANCE_TERMINATING": "CONTINUE"}, hooks
assert group["warm_pool"][0]["instance_reuse_policy"][0]["reuse_on_scale_in"] is True
assert changes["aws_launch_template.workers"]["metadata_options"][0]["http_tokens"] == "required"
tracking = changes["aws_autoscaling_policy.backlog"]["target_tracking_configuration"][0]["customized_metric_specification"][0]
assert (tracking["namespace"], tracking["metric_name"]) == ("scalegate", "BacklogPerInstance"), tracking
missing = changes["module.workers.aws_cloudwatch_metric_alarm.backlog_metric_missing[0]"]
assert (missing["metric_name"], missing["treat_missing_data"]) == ("BacklogPerInstance", "breaching"), missing
for alarm in ["abandons", "latency", "drain_budget_spent"]:
    assert f"module.workers.aws_cloudwatch_metric_alarm.{alarm}[0]" in changes, alarm
fn = changes["module.scalegate.module.gate[0].aws_lambda_function.this"]
assert fn["publish"] is True and fn["tags"] == {"project": "scalegate-example"}, fn
alias = changes["module.scalegate.module.gate[0].aws_lambda_alias.live"]
assert alias["name"] == "live", alias
policy = json.loads(changes["module.scalegate.module.gate[0].aws_iam_role_policy.this"]["policy"])
read = next(s for s in policy["Statement"] if s["Sid"] == "ReadConfigDocument")
import hashlib
bucket = "scalegate-launch-gate-complete"[:20] + "-" + hashlib.sha1(b"scalegate-launch-gate-complete").hexdigest()[:7] + "-config-123456789012-us-east-1"
assert len(bucket) <= 63 and read["Resource"] == f"arn:aws:s3:::{bucket}/gate-rules.toml", read
counts = {}
for c in plan["resource_changes"]:
    for action in c["change"]["actions"]:
        counts[action] = counts.get(action, 0) + 1
print(f"infra test: complete example plan: {counts.get('create', 0)} to add, {counts.get('update', 0)} to change, {counts.get('delete', 0)} to destroy; the core names no group, the group opts in by hook name")
PY
terraform apply -no-color -input=false -auto-approve "$work/complete.plan" > "$work/complete-apply.log" 2>&1 || { tail -30 "$work/complete-apply.log"; exit 1; }
echo "infra test: applied the complete example: $(grep -c 'Creation complete' "$work/complete-apply.log") resources created"
# The CDK parity test compares the applied example (names the plan cannot know, such as the name_prefix group's, are
# known here) with the CDK example app; make test sets SCALEGATE_TF_COMPLETE_STATE.
if [ -n "${SCALEGATE_TF_COMPLETE_STATE:-}" ]; then mkdir -p "$(dirname "$SCALEGATE_TF_COMPLETE_STATE")" && terraform show -json > "$SCALEGATE_TF_COMPLETE_STATE"; fi

# The separation-of-duties audit alone (create_launch_gate = false), as deployed in us-east-1, with the CloudTrail
# trail its IAM-change rule needs: the emulator serves CloudTrail, so this applies too.
cd "$root/infra/terraform/examples/sod_audit_only"
rm -f terraform.tfstate terraform.tfstate.backup
export TF_DATA_DIR="$work/data-sod-audit-only"
terraform init -input=false -plugin-dir="$plugin_dir" >/dev/null
terraform validate -no-color > "$work/sod-validate.log" 2>&1 || { cat "$work/sod-validate.log"; exit 1; }
no_deprecations "$work/sod-validate.log" "terraform validate (examples/sod_audit_only)"
terraform plan -no-color -input=false -var "endpoint=$endpoint" -var "package=$work/launch-gate.zip" -out "$work/sod.plan" > "$work/sod.log" 2>&1 || { tail -30 "$work/sod.log"; exit 1; }
no_deprecations "$work/sod.log" "the plan of examples/sod_audit_only"
terraform show -json "$work/sod.plan" > "$work/sod.json"
"$root/.venv/bin/python" - "$work/sod.json" <<'PY'
import json, sys
plan = json.load(open(sys.argv[1]))
changes = {c["address"]: c for c in plan["resource_changes"]}
after = {a: c["change"]["after"] for a, c in changes.items()}
of_type = lambda t: {a: v for a, v in after.items() if changes[a]["type"] == t}
sod = "module.scalegate.module.sod_audit[0]"
fn = after[f"{sod}.aws_lambda_function.this"]
assert fn["runtime"] == "provided.al2023" and fn["environment"][0]["variables"]["SCALEGATE_DUTIES_S3"].endswith("/duties.toml"), fn
assert after[f'{sod}.aws_cloudwatch_event_rule.this["schedule"]']["schedule_expression"] == "rate(1 hour)"
changes_rule = json.loads(after[f'{sod}.aws_cloudwatch_event_rule.this["iam-changes"]']["event_pattern"])
assert changes_rule["source"] == ["aws.iam"] and changes_rule["detail-type"] == ["AWS API Call via CloudTrail"], changes_rule
assert changes_rule["detail"]["eventSource"] == ["iam.amazonaws.com"] and "AttachRolePolicy" in changes_rule["detail"]["eventName"], changes_rule
assert {f'{sod}.aws_cloudwatch_event_target.this["{k}"]' for k in ["schedule", "iam-changes"]} <= set(after)
assert {f'{sod}.aws_lambda_permission.this["{k}"]' for k in ["schedule", "iam-changes"]} <= set(after)
policy = json.loads(after[f"{sod}.aws_iam_role_policy.this"]["policy"])
actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
assert "iam:GetAccountAuthorizationDetails" in actions, actions
read = next(s for s in policy["Statement"] if s["Sid"] == "ReadConfigDocument")
assert read["Resource"].endswith("-config-123456789012-us-east-1/duties.toml"), read
# The configuration bucket holds the audit's duties and nothing else.
assert "module.scalegate.aws_s3_bucket.config[0]" in after and "module.scalegate.aws_s3_bucket_versioning.config[0]" in after
docs = sorted(v["key"] for v in of_type("aws_s3_object").values())
assert docs == ["duties.toml"], docs
outputs = plan["planned_values"]["outputs"]
assert list(outputs["config_documents"]["value"]) == ["duties"], outputs["config_documents"]
# No launch gate: no function, queue, rule, hook or alarm of it, no dashboard.
gate = [a for a in changes if ".module.gate[" in a or ".module.gate_events[" in a or "gate_rules" in a]
assert not gate, gate
assert [v["function_name"] for v in of_type("aws_lambda_function").values()] == ["scalegate-sod-audit-only"]
assert [v["name"] for v in of_type("aws_sqs_queue").values()] == ["scalegate-sod-audit-only-rules-dlq"], of_type("aws_sqs_queue")
assert not of_type("aws_autoscaling_lifecycle_hook") and not of_type("aws_cloudwatch_dashboard") and not of_type("aws_lambda_event_source_mapping")
assert all(v["alarm_name"].startswith("scalegate-sod-audit-only-") for v in of_type("aws_cloudwatch_metric_alarm").values())
assert len([a for a in changes if "sod_violations" in a]) == 2
trail = after["module.scalegate.aws_cloudtrail.management_events[0]"]
assert trail["is_multi_region_trail"] and trail["include_global_service_events"] and trail["enable_log_file_validation"] and trail["enable_logging"], trail
selector = trail["event_selector"][0]
assert selector["include_management_events"] and selector["read_write_type"] == "All" and not selector["data_resource"], selector
print(f"infra test: sod_audit_only plan: {len(changes)} resources: the audit's function, schedule and IAM-change rules, "
      f"its role and {len(of_type('aws_cloudwatch_metric_alarm'))} alarms, the configuration bucket with duties.toml only, "
      "a multi-region trail of management events with log file validation; no launch gate")
PY
if [ -n "${SCALEGATE:-}" ]; then
  "$SCALEGATE" audit --terraform-plan "$work/sod.json" | sed 's/^/infra test: audit (sod_audit_only): /'
fi
terraform apply -no-color -input=false -auto-approve "$work/sod.plan" > "$work/sod-apply.log" 2>&1 || { tail -30 "$work/sod-apply.log"; exit 1; }
terraform show -json > "$work/sod-state.json"
"$root/.venv/bin/python" - "$work/sod-state.json" <<'PY'
import json, sys
state = json.load(open(sys.argv[1]))["values"]["root_module"]
resources = [r for m in state.get("child_modules", []) for r in m.get("resources", [])]
bucket_policy = next(r for r in resources if r["address"] == "module.scalegate.aws_s3_bucket_policy.trail[0]")["values"]
trail = next(r for r in resources if r["address"] == "module.scalegate.aws_cloudtrail.management_events[0]")["values"]
statements = {s["Sid"]: s for s in json.loads(bucket_policy["policy"])["Statement"]}
acl, write = statements["AWSCloudTrailAclCheck"], statements["AWSCloudTrailWrite"]
assert acl["Action"] == "s3:GetBucketAcl" and write["Action"] == "s3:PutObject", statements
assert acl["Principal"] == write["Principal"] == {"Service": "cloudtrail.amazonaws.com"}, statements
assert write["Resource"].endswith("/AWSLogs/123456789012/*"), write
assert write["Condition"]["StringEquals"]["s3:x-amz-acl"] == "bucket-owner-full-control", write
# Only this trail may write: its ARN, built before it existed, is the one it got.
assert acl["Condition"]["StringEquals"]["aws:SourceArn"] == write["Condition"]["StringEquals"]["aws:SourceArn"] == trail["arn"], (statements, trail["arn"])
print(f"infra test: the trail's bucket policy lets CloudTrail check the ACL and write AWSLogs/<account>/ for {trail['arn'].split(':')[-1]} only")
PY
echo "infra test: applied the sod_audit_only example: $(grep -c 'Creation complete' "$work/sod-apply.log") resources created"
