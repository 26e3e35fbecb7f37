// Terraform ↔ CDK parity: the Terraform emulator example (infra/terraform/examples/emulator, planned by test.sh,
// which leaves its plan in SCALEGATE_TF_PLAN) and the same deployment in CDK produce the same functions, roles (same
// policy statements and trust), rules, alarms and settings. Every difference is listed below as intentional; any
// other fails the test. `make test` runs Terraform first and sets SCALEGATE_TF_PLAN.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const cdk = require("aws-cdk-lib");
const { synthesize } = require("./helpers");
const { LaunchGate } = require("../lib/launch-gate");
const { SodAudit } = require("../lib/sod-audit");
const { BacklogMetric } = require("../lib/backlog-metric");
const { ProtectionReaper } = require("../lib/protection-reaper");
const { Drain } = require("../lib/drain");

// The Terraform example's inputs, as CDK props.
const GROUPS = ["web", "workers"];
const PAIRS = '[[pair]]\nqueue = "jobs"\ngroup = "workers"\nlatency = "10s"\nseconds_per_message = 0.1\n';

/** Differences we mean, by "kind name: field": why each is not a defect. */
const INTENTIONAL = {
  // CDK copies documents into the bucket with its BucketDeployment custom resource (a Lambda with its own role);
  // Terraform writes them with aws_s3_object.
  "function CustomCDKBucketDeployment: present": "CDK only: the BucketDeployment handler writes the configuration documents",
  "role CustomCDKBucketDeployment: present": "CDK only: the BucketDeployment handler's role",
  // One Terraform bucket holds every document; the CDK constructs are independent, so each has its own unless given
  // configBucket.
  "bucket: count": "Terraform: one configuration bucket for the deployment; CDK: one per construct (or a shared configBucket)",
};

function walk(module) {
  return [...(module.resources ?? []), ...(module.child_modules ?? []).flatMap(walk)];
}

/** The comparable shape of the Terraform plan. */
function fromTerraform(plan) {
  const resources = walk(plan.planned_values.root_module);
  const of = (type) => resources.filter((r) => r.type === type).map((r) => r.values);
  const out = { functions: {}, roles: {}, rules: {}, alarms: {}, buckets: of("aws_s3_bucket").length };
  for (const f of of("aws_lambda_function")) {
    const env = (f.environment ?? [])[0]?.variables;
    out.functions[f.function_name] = {
      runtime: f.runtime, handler: f.handler, memory: f.memory_size, timeout: f.timeout,
      architectures: f.architectures, publish: f.publish,
      // Terraform cannot show variables whose values are known only after apply; the keys are compared where shown.
      environment: env ? Object.keys(env).sort() : null,
    };
  }
  const policies = Object.fromEntries(of("aws_iam_role_policy").map((p) => [p.name, JSON.parse(p.policy)]));
  for (const r of of("aws_iam_role")) {
    out.roles[r.name] = { trust: trustServices(JSON.parse(r.assume_role_policy)), statements: statements(policies[r.name]) };
  }
  for (const r of of("aws_cloudwatch_event_rule")) {
    out.rules[r.name] = { schedule: r.schedule_expression ?? null, pattern: r.event_pattern ? JSON.parse(r.event_pattern) : null };
  }
  for (const a of of("aws_cloudwatch_metric_alarm")) {
    out.alarms[a.alarm_name] = {
      metric: a.metric_name, namespace: a.namespace, period: a.period, evaluations: a.evaluation_periods,
      datapoints: a.datapoints_to_alarm ?? a.evaluation_periods, threshold: a.threshold,
      comparison: a.comparison_operator, missing: a.treat_missing_data,
    };
  }
  return out;
}

/** The comparable shape of the CDK template. */
function fromCdk(template) {
  const resources = Object.entries(template.toJSON().Resources);
  const of = (type) => resources.filter(([, r]) => r.Type === type);
  const out = { functions: {}, roles: {}, rules: {}, alarms: {}, buckets: of("AWS::S3::Bucket").length };
  const name = (id, props, field) => props[field] ?? (id.startsWith("CustomCDKBucketDeployment") ? "CustomCDKBucketDeployment" : id);
  for (const [id, r] of of("AWS::Lambda::Function")) {
    const p = r.Properties;
    out.functions[name(id, p, "FunctionName")] = {
      runtime: p.Runtime, handler: p.Handler, memory: p.MemorySize ?? 128, timeout: p.Timeout ?? 3,
      architectures: p.Architectures ?? ["x86_64"],
      publish: of("AWS::Lambda::Version").some(([, v]) => JSON.stringify(v.Properties.FunctionName).includes(id)),
      environment: p.Environment ? Object.keys(p.Environment.Variables).sort() : [],
    };
  }
  for (const [id, r] of of("AWS::IAM::Role")) {
    const p = r.Properties;
    const inline = (p.Policies ?? []).flatMap((x) => [].concat(x.PolicyDocument.Statement));
    out.roles[name(id, p, "RoleName")] = {
      trust: trustServices(p.AssumeRolePolicyDocument),
      statements: statements({ Statement: inline }),
    };
  }
  for (const [id, r] of of("AWS::Events::Rule")) {
    const p = r.Properties;
    out.rules[p.Name ?? id] = { schedule: p.ScheduleExpression ?? null, pattern: p.EventPattern ?? null };
  }
  for (const [id, r] of of("AWS::CloudWatch::Alarm")) {
    const p = r.Properties;
    out.alarms[p.AlarmName ?? id] = {
      metric: p.MetricName, namespace: p.Namespace, period: p.Period, evaluations: p.EvaluationPeriods,
      datapoints: p.DatapointsToAlarm ?? p.EvaluationPeriods, threshold: p.Threshold,
      comparison: p.ComparisonOperator, missing: p.TreatMissingData,
    };
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
  for (const kind of ["functions", "roles", "rules", "alarms"]) {
    const singular = { functions: "function", roles: "role", rules: "rule", alarms: "alarm" }[kind];
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

test("Terraform and CDK deploy the same functions, roles, rules and alarms", (t) => {
  const planFile = process.env.SCALEGATE_TF_PLAN;
  if (!planFile || !fs.existsSync(planFile)) {
    t.skip("SCALEGATE_TF_PLAN (the Terraform example's plan, written by infra/terraform/test.sh) is not set; `make test` sets it");
    return;
  }
  const tf = fromTerraform(JSON.parse(fs.readFileSync(planFile, "utf8")));
  const ck = fromCdk(
    synthesize((stack, dir) => {
      new LaunchGate(stack, "LaunchGate", { autoScalingGroups: GROUPS, packagePath: dir, createHooks: false });
      new SodAudit(stack, "SodAudit", { packagePath: dir });
      new BacklogMetric(stack, "BacklogMetric", { packagePath: dir, configToml: PAIRS });
      new ProtectionReaper(stack, "ProtectionReaper", { packagePath: dir });
      new Drain(stack, "Drain", { autoScalingGroups: GROUPS, packagePath: dir, budget: "2h", createHooks: false });
    }),
  );
  const diffs = differences(tf, ck);
  const rows = Object.keys({ ...diffs, ...INTENTIONAL }).sort().map((k) => {
    const status = k in diffs ? (k in INTENTIONAL ? "intentional" : "DIFFERS") : "fixed (listed, no longer differs)";
    return `${status.padEnd(12)} ${k}${k in diffs ? `  terraform=${JSON.stringify(diffs[k][0])} cdk=${JSON.stringify(diffs[k][1])}` : ""}${k in INTENTIONAL ? `  — ${INTENTIONAL[k]}` : ""}`;
  });
  const same = ["functions", "roles", "rules", "alarms"].map((k) => `${Object.keys(tf[k]).length} ${k}`).join(", ");
  console.log(`parity: terraform ${same}\n${rows.map((r) => `parity: ${r}`).join("\n")}`);
  const unexpected = Object.keys(diffs).filter((k) => !(k in INTENTIONAL));
  assert.deepStrictEqual(unexpected, [], `differences not listed as intentional:\n${rows.join("\n")}`);
  const stale = Object.keys(INTENTIONAL).filter((k) => !(k in diffs));
  assert.deepStrictEqual(stale, [], "listed differences that no longer differ: remove them from INTENTIONAL");
});
