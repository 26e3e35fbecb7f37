// Terraform ↔ CDK parity, twice:
//  - infra/terraform/examples/complete (as applied to the emulator by test.sh, which leaves its state in
//    SCALEGATE_TF_COMPLETE_STATE) against the CDK example app examples/complete;
//  - infra/terraform/examples/emulator (its plan, SCALEGATE_TF_PLAN) against the same props in CDK.
// Each pair must produce the same functions, roles (same policy statements and trust), rules, alarms, queues, event
// sources and lifecycle hooks. Every difference is listed below as intentional; any other fails the test, and so does
// a listed difference that no longer differs. `make test` runs Terraform first and sets both variables.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const cdk = require("aws-cdk-lib");
const { Template } = require("aws-cdk-lib/assertions");
const { synthesize } = require("./helpers");
const { LaunchGate } = require("../lib/src/launch-gate");
const { SodAudit } = require("../lib/src/sod-audit");
const { BacklogMetric } = require("../lib/src/backlog-metric");
const { ProtectionReaper } = require("../lib/src/protection-reaper");
const { WarmPoolPlanner } = require("../lib/src/warm-pool-planner");
const { ScalingGuard } = require("../lib/src/scaling-guard");
const { DriftSweep } = require("../lib/src/drift-sweep");
const { Drain } = require("../lib/src/drain");
const { CompleteExample } = require("../lib/examples/complete/app");

/** Differences both pairs mean, by "kind name: field": why each is not a defect. */
const COMMON = {
  // CDK copies documents into the bucket with its BucketDeployment custom resource (a Lambda with its own role);
  // Terraform writes them with aws_s3_object.
  "function CustomCDKBucketDeployment: present": "CDK only: the BucketDeployment handler writes the configuration documents",
  "role CustomCDKBucketDeployment: present": "CDK only: the BucketDeployment handler's role",
};

const KINDS = { functions: "function", roles: "role", rules: "rule", alarms: "alarm", queues: "queue", sources: "event source", hooks: "hook" };

/** Renders a CloudFormation value as text: a Ref to a name in `names` as that name, other tokens as <Ref>. */
function render(v, names) {
  if (typeof v === "string" || typeof v === "number") return String(v);
  if (v && v.Ref) return names[v.Ref] ?? `<${v.Ref}>`;
  if (v && v["Fn::GetAtt"]) return names[v["Fn::GetAtt"][0]] ?? `<${v["Fn::GetAtt"].join(".")}>`;
  if (v && v["Fn::Join"]) return v["Fn::Join"][1].map((p) => render(p, names)).join(v["Fn::Join"][0]);
  // A piece of an ARN: the function's name out of an alias's ARN, as CDK names an alias's function.
  if (v && v["Fn::Select"] && v["Fn::Select"][1]["Fn::Split"]) {
    const [index, { "Fn::Split": [separator, whole] }] = v["Fn::Select"];
    const ref = whole.Ref;
    if (ref && names[ref]) return `arn:aws:lambda:region:account:function:${names[ref]}`.split(separator)[index];
  }
  return JSON.stringify(v);
}

function walk(module) {
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(walk)];
}

/** The comparable shape of a Terraform plan or state; `groups` renames group names (known only after apply). */
function fromTerraform(json, groups = {}) {
  const root = json.planned_values?.root_module ?? json.values.root_module;
  let resources = walk(root);
  // Names the group got at apply (name_prefix) become the placeholder the CDK side uses.
  const text = Object.entries(groups).reduce((t, [name, placeholder]) => t.split(name).join(placeholder), JSON.stringify(resources));
  resources = JSON.parse(text);
  const of = (type) => resources.filter((r) => r.type === type).map((r) => r.values);
  const out = Object.fromEntries(Object.keys(KINDS).map((k) => [k, {}]));
  out.buckets = of("aws_s3_bucket").length;
  for (const f of of("aws_lambda_function")) {
    const env = (f.environment ?? [])[0]?.variables;
    out.functions[f.function_name] = {
      runtime: f.runtime, handler: f.handler, memory: f.memory_size, timeout: f.timeout,
      architectures: f.architectures, publish: f.publish,
      // A plan cannot show variables whose values are known only after apply; the keys are compared where shown.
      environment: env ? Object.keys(env).sort() : null,
    };
  }
  // Inline policies by the role they belong to (a plan may not know a name_prefix role's name: then by their own).
  const policies = {};
  for (const p of of("aws_iam_role_policy")) {
    const doc = JSON.parse(p.policy);
    (policies[p.role ?? p.name] ??= { Statement: [] }).Statement.push(...[].concat(doc.Statement));
  }
  for (const r of of("aws_iam_role")) {
    // A role named with name_prefix is compared under the prefix (its name is made at apply).
    // A plan does not know which role an inline policy goes to: then the policy is named after the function, and the
    // role after the function and its region.
    const own = policies[r.name] ?? policies[String(r.name).replace(/-[a-z]{2}(-gov)?-[a-z]+-\d$/, "")];
    out.roles[r.name_prefix ? `${r.name_prefix}*` : r.name] = { trust: trustServices(JSON.parse(r.assume_role_policy)), statements: statements(own) };
  }
  for (const r of of("aws_cloudwatch_event_rule")) {
    out.rules[r.name] = { schedule: r.schedule_expression || null, pattern: r.event_pattern ? JSON.parse(r.event_pattern) : null };
  }
  for (const a of of("aws_cloudwatch_metric_alarm")) {
    out.alarms[a.alarm_name] = {
      metric: a.metric_name, namespace: a.namespace, dimensions: a.dimensions ?? {}, statistic: a.statistic || a.extended_statistic,
      period: a.period, evaluations: a.evaluation_periods, datapoints: a.datapoints_to_alarm || a.evaluation_periods, // state: 0 when unset
      threshold: a.threshold, comparison: a.comparison_operator, missing: a.treat_missing_data,
    };
  }
  for (const q of of("aws_sqs_queue")) {
    out.queues[q.name] = {
      visibility: q.visibility_timeout_seconds, retention: q.message_retention_seconds,
      maxReceives: q.redrive_policy ? JSON.parse(q.redrive_policy).maxReceiveCount : null,
    };
  }
  const mappings = of("aws_lambda_event_source_mapping");
  // A plan does not know the queues' and aliases' ARNs: then event sources are not compared.
  if (mappings.some((m) => !m.event_source_arn || !m.function_name)) out.sources = null;
  for (const m of out.sources ? mappings : []) {
    out.sources[m.event_source_arn.split(":").pop()] = {
      function: m.function_name.split(":").slice(-2).join(":").replace(/^function:/, ""),
      batch: m.batch_size, responseTypes: m.function_response_types ?? [],
    };
  }
  const hook = (group, h) => ({ transition: h.lifecycle_transition, result: h.default_result, heartbeat: h.heartbeat_timeout });
  for (const h of of("aws_autoscaling_lifecycle_hook")) out.hooks[`${h.name} on ${h.autoscaling_group_name}`] = hook(h.autoscaling_group_name, h);
  for (const g of of("aws_autoscaling_group")) {
    for (const h of g.initial_lifecycle_hook ?? []) out.hooks[`${h.name} on ${g.name}`] = hook(g.name, h);
  }
  return out;
}

/** The comparable shape of a CDK template; `groups` names the groups' logical ids. */
function fromCdk(template, groups = {}) {
  const resources = Object.entries(template.toJSON().Resources);
  const of = (type) => resources.filter(([, r]) => r.Type === type);
  const out = Object.fromEntries(Object.keys(KINDS).map((k) => [k, {}]));
  out.buckets = of("AWS::S3::Bucket").length;
  const names = { ...groups };
  for (const [id, r] of of("AWS::SQS::Queue")) names[id] = r.Properties.QueueName ?? id;
  for (const [id, r] of of("AWS::S3::Bucket")) names[id] = r.Properties.BucketName ?? id;
  const name = (id, props, field) => (props[field] ? render(props[field], names) : id.startsWith("CustomCDKBucketDeployment") ? "CustomCDKBucketDeployment" : id);
  for (const [id, r] of of("AWS::Lambda::Function")) {
    const p = r.Properties;
    names[id] = name(id, p, "FunctionName");
    out.functions[names[id]] = {
      runtime: p.Runtime, handler: p.Handler, memory: p.MemorySize ?? 128, timeout: p.Timeout ?? 3,
      architectures: p.Architectures ?? ["x86_64"],
      publish: of("AWS::Lambda::Version").some(([, v]) => JSON.stringify(v.Properties.FunctionName).includes(id)),
      environment: p.Environment ? Object.keys(p.Environment.Variables).sort() : [],
    };
  }
  for (const [id, r] of of("AWS::Lambda::Alias")) names[id] = `${render(r.Properties.FunctionName, names)}:${r.Properties.Name}`;
  for (const [id, r] of of("AWS::IAM::Role")) {
    const p = r.Properties;
    const inline = (p.Policies ?? []).flatMap((x) => [].concat(x.PolicyDocument.Statement));
    // A role CDK names itself stands for Terraform's name_prefix role: compared by its inline policy's name.
    const key = p.RoleName ? render(p.RoleName, names) : (p.Policies ?? [])[0]?.PolicyName === "scalegate-worker-lease" ? "workers-*" : name(id, p, "RoleName");
    out.roles[key] = { trust: trustServices(p.AssumeRolePolicyDocument), statements: statements({ Statement: inline }) };
  }
  for (const [id, r] of of("AWS::Events::Rule")) {
    const p = r.Properties;
    out.rules[p.Name ?? id] = { schedule: p.ScheduleExpression ?? null, pattern: p.EventPattern ?? null };
  }
  for (const [id, r] of of("AWS::CloudWatch::Alarm")) {
    const p = r.Properties;
    out.alarms[p.AlarmName ? render(p.AlarmName, names) : id] = {
      metric: p.MetricName, namespace: p.Namespace,
      dimensions: Object.fromEntries((p.Dimensions ?? []).map((d) => [d.Name, render(d.Value, names)])),
      statistic: p.Statistic ?? p.ExtendedStatistic,
      period: p.Period, evaluations: p.EvaluationPeriods,
      datapoints: p.DatapointsToAlarm ?? p.EvaluationPeriods, threshold: p.Threshold,
      comparison: p.ComparisonOperator, missing: p.TreatMissingData,
    };
  }
  for (const [id, r] of of("AWS::SQS::Queue")) {
    const p = r.Properties;
    out.queues[names[id]] = { visibility: p.VisibilityTimeout ?? 30, retention: p.MessageRetentionPeriod ?? 345600, maxReceives: p.RedrivePolicy?.maxReceiveCount ?? null };
  }
  for (const [, r] of of("AWS::Lambda::EventSourceMapping")) {
    const p = r.Properties;
    out.sources[render(p.EventSourceArn, names)] = {
      function: render(p.FunctionName, names).split(":").slice(-2).join(":"),
      batch: p.BatchSize ?? 10, responseTypes: p.FunctionResponseTypes ?? [],
    };
  }
  const hook = (h) => ({ transition: h.LifecycleTransition, result: h.DefaultResult, heartbeat: h.HeartbeatTimeout });
  for (const [, r] of of("AWS::AutoScaling::LifecycleHook")) {
    out.hooks[`${render(r.Properties.LifecycleHookName, names)} on ${render(r.Properties.AutoScalingGroupName, names)}`] = hook(r.Properties);
  }
  for (const [id, r] of of("AWS::AutoScaling::AutoScalingGroup")) {
    for (const h of r.Properties.LifecycleHookSpecificationList ?? []) out.hooks[`${h.LifecycleHookName} on ${names[id] ?? id}`] = hook(h);
  }
  return out;
}

function trustServices(doc) {
  return [].concat(doc.Statement).flatMap((s) => [].concat(s.Principal?.Service ?? [])).sort();
}

/** Statements by Sid → effect, sorted actions and conditions. Resources are not compared: CDK spells them with
 * tokens, Terraform with resolved strings (the roles' audits check what they reach on both sides). */
function statements(doc) {
  if (!doc) return {};
  return Object.fromEntries([].concat(doc.Statement).map((s, i) => [
    s.Sid ?? `#${i}`,
    { effect: s.Effect, actions: [].concat(s.Action).sort(), condition: canonical(s.Condition ?? null) },
  ]));
}

/** JSON with object keys sorted: the same pattern whichever order its keys were written in. */
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}

/** Every difference between the two shapes, as "kind name: field" → [terraform, cdk]. */
function differences(tf, ck) {
  const diffs = {};
  for (const [kind, singular] of Object.entries(KINDS)) {
    if (tf[kind] === null) continue; // not shown by the plan
    for (const n of new Set([...Object.keys(tf[kind]), ...Object.keys(ck[kind])])) {
      const a = tf[kind][n];
      const b = ck[kind][n];
      if (!a || !b) {
        diffs[`${singular} ${n}: present`] = [Boolean(a), Boolean(b)];
        continue;
      }
      for (const field of Object.keys(a)) {
        if (a[field] === null) continue; // not shown by the plan
        if (JSON.stringify(canonical(a[field])) !== JSON.stringify(canonical(b[field]))) diffs[`${singular} ${n}: ${field}`] = [a[field], b[field]];
      }
    }
  }
  if (tf.buckets !== ck.buckets) diffs["bucket: count"] = [tf.buckets, ck.buckets];
  return diffs;
}

/** Compares, prints the table, and fails on an unlisted difference or a listed one that no longer differs. */
function assertParity(label, tf, ck, intentional) {
  const diffs = differences(tf, ck);
  const rows = Object.keys({ ...diffs, ...intentional }).sort().map((k) => {
    const status = k in diffs ? (k in intentional ? "intentional" : "DIFFERS") : "fixed (listed, no longer differs)";
    return `${status.padEnd(12)} ${k}${k in diffs ? `  terraform=${JSON.stringify(diffs[k][0])} cdk=${JSON.stringify(diffs[k][1])}` : ""}${k in intentional ? `  — ${intentional[k]}` : ""}`;
  });
  const same = Object.keys(KINDS).filter((k) => tf[k]).map((k) => `${Object.keys(tf[k]).length} ${k}`).join(", ");
  console.log(`parity (${label}): terraform ${same}\n${rows.map((r) => `parity (${label}): ${r}`).join("\n")}`);
  const unexpected = Object.keys(diffs).filter((k) => !(k in intentional));
  assert.deepStrictEqual(unexpected, [], `differences not listed as intentional:\n${rows.join("\n")}`);
  const stale = Object.keys(intentional).filter((k) => !(k in diffs));
  assert.deepStrictEqual(stale, [], "listed differences that no longer differ: remove them from the list");
  for (const kind of ["functions", "roles", "rules", "alarms"]) assert.ok(Object.keys(tf[kind]).length > 0, `no ${kind} compared`);
}

function readJson(t, variable, what) {
  const file = process.env[variable];
  if (!file || !fs.existsSync(file)) {
    t.skip(`${variable} (${what}, written by infra/terraform/test.sh) is not set; \`make test\` sets it`);
    return null;
  }
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

test("the Terraform complete example and the CDK example app deploy the same thing", (t) => {
  const state = readJson(t, "SCALEGATE_TF_COMPLETE_STATE", "the applied complete example");
  if (!state) return;
  const groups = walk(state.values.root_module).filter((r) => r.type === "aws_autoscaling_group");
  assert.strictEqual(groups.length, 1, "the complete example has one worker group");
  const tf = fromTerraform(state, { [groups[0].values.name]: "<workers>" });
  const dir = fs.mkdtempSync(require("path").join(require("os").tmpdir(), "scalegate-parity-"));
  fs.writeFileSync(require("path").join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new CompleteExample(app, "Complete", {
    env: { account: "123456789012", region: "us-east-1" },
    codeOf: () => cdk.aws_lambda.Code.fromAsset(dir),
    ami: "ami-0abcdef1234567890",
  });
  const ck = fromCdk(Template.fromStack(stack), { [stack.getLogicalId(stack.workers.node.defaultChild)]: "<workers>" });
  assertParity("complete", tf, ck, {
    ...COMMON,
  });
});

test("the Terraform emulator example and the same props in CDK deploy the same thing", (t) => {
  const plan = readJson(t, "SCALEGATE_TF_PLAN", "the emulator example's plan");
  if (!plan) return;
  const tf = fromTerraform(plan);
  const GROUPS = ["web", "workers"];
  const PLANNER = '[[group]]\nname = "workers"\nper_instance = 10\nmetric = { namespace = "AWS/SQS", name = "NumberOfMessagesSent", dimensions = { QueueName = "jobs" } }\n';
  const PAIRS = '[[pair]]\nqueue = "jobs"\ngroup = "workers"\nlatency = "10s"\nseconds_per_message = 0.1\n';
  const ck = fromCdk(
    synthesize((stack, dir) => {
      // One configuration bucket, as Terraform has: the gate's, shared.
      const gate = new LaunchGate(stack, "LaunchGate", { autoScalingGroupNames: GROUPS, packagePath: dir, createHooks: false });
      new SodAudit(stack, "SodAudit", { packagePath: dir, configBucket: gate.configBucket });
      new BacklogMetric(stack, "BacklogMetric", { packagePath: dir, configToml: PAIRS, configBucket: gate.configBucket });
      new ProtectionReaper(stack, "ProtectionReaper", { packagePath: dir });
      new WarmPoolPlanner(stack, "WarmPoolPlanner", { packagePath: dir, documentToml: PLANNER });
      new ScalingGuard(stack, "ScalingGuard", { packagePath: dir, restore: { heartbeatTimeout: cdk.Duration.minutes(5) } });
      new DriftSweep(stack, "DriftSweep", { packagePath: dir, gate });
      new Drain(stack, "Drain", { autoScalingGroupNames: GROUPS, packagePath: dir, budget: cdk.Duration.hours(2), createHooks: false });
    }),
  );
  assertParity("emulator", tf, ck, COMMON);
});
