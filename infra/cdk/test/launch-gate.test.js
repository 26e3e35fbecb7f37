// Synthesizes the construct and checks the template: the CDK counterpart of infra/terraform/test.sh.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Template, Match } = require("aws-cdk-lib/assertions");
const { LaunchGate } = require("../lib/src/launch-gate");
const { auditPasses, synthesize } = require("./helpers");

function synth(props = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cdk-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new cdk.Stack(app, "Test", { env: { account: "123456789012", region: "us-east-1" } });
  new LaunchGate(stack, "Gate", { autoScalingGroupNames: ["web", "workers"], packagePath: dir, ...props });
  return Template.fromStack(stack);
}

test("function runs the Rust bootstrap with policies/gate.toml from its configuration bucket unless given its own", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Lambda::Function", {
    FunctionName: "scalegate-launch-gate",
    Runtime: "provided.al2023",
    Handler: "bootstrap",
    Architectures: ["x86_64"],
    Environment: { Variables: { SCALEGATE_GATE_RULES_S3: Match.anyValue() } },
  });
});

test("SQS source reports partial batch failures and the queue has a dead-letter queue", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Lambda::EventSourceMapping", { FunctionResponseTypes: ["ReportBatchItemFailures"] });
  t.hasResourceProperties("AWS::SQS::Queue", {
    QueueName: "scalegate-launch-gate-events",
    VisibilityTimeout: 360,
    RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
  });
  t.hasResourceProperties("AWS::Events::Rule", {
    EventPattern: { source: ["aws.autoscaling"], "detail-type": ["EC2 Instance-launch Lifecycle Action"], detail: { AutoScalingGroupName: ["web", "workers"] } },
  });
});

test("role policy comes from policies/roles/scalegate-launch-gate.json, completion scoped to the groups", () => {
  const t = synth();
  const roles = t.findResources("AWS::IAM::Role");
  const role = Object.values(roles).find((r) => r.Properties.RoleName === "scalegate-launch-gate-us-east-1");
  const statements = role.Properties.Policies[0].PolicyDocument.Statement;
  const complete = statements.find((s) => s.Sid === "CompleteLifecycleActions");
  assert.deepStrictEqual(
    // Partition and region are tokens, so each ARN is an Fn::Join: read the group off its JSON.
    complete.Resource.map((r) => JSON.stringify(r).match(/autoScalingGroupName\/([a-z]+)/)[1]),
    ["web", "workers"],
  );
  assert.ok(!statements.some((s) => [].concat(s.Action).some((a) => a === "*" || a.endsWith(":*"))), "no wildcard actions");
});

test("the role reads exactly the AMI parameters it is given, and none by default", () => {
  const statements = (t) => {
    const roles = t.findResources("AWS::IAM::Role");
    const role = Object.values(roles).find((r) => r.Properties.RoleName === "scalegate-launch-gate-us-east-1");
    return role.Properties.Policies[0].PolicyDocument.Statement;
  };
  assert.ok(!statements(synth()).some((s) => [].concat(s.Action).some((a) => a.startsWith("ssm:"))));
  const resolve = statements(synth({ amiParameters: ["/golden/ami", "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64"] }))
    .find((s) => s.Sid === "ResolveAmiParameters");
  assert.deepStrictEqual([].concat(resolve.Action), ["ssm:GetParameters"]);
  const arns = [].concat(resolve.Resource).map((r) => JSON.stringify(r));
  assert.ok(arns[0].includes(":123456789012:parameter/golden/ami"), arns[0]);
  assert.ok(arns[1].includes("::parameter/aws/service/ami-amazon-linux-latest"), arns[1]);
});

test("hooks default to ABANDON, and alarms cover abandons, latency, dead letters, errors, throttles and queue age", () => {
  const t = synth();
  t.resourceCountIs("AWS::AutoScaling::LifecycleHook", 2);
  t.hasResourceProperties("AWS::AutoScaling::LifecycleHook", { DefaultResult: "ABANDON", LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING" });
  // + a rejected and an unreadable rules document
  t.resourceCountIs("AWS::CloudWatch::Alarm", 10);
  t.hasResourceProperties("AWS::CloudWatch::Alarm", {
    MetricName: "GateDecisions",
    Namespace: "scalegate",
    Dimensions: Match.arrayWith([{ Name: "Result", Value: "ABANDON" }]),
  });
  assert.strictEqual(Object.keys(synth({ createHooks: false }).findResources("AWS::AutoScaling::LifecycleHook")).length, 0);
});

test("bad props are refused with a clear error", () => {
  assert.throws(() => synth({ name: "other" }), /must start with scalegate-launch-gate/);
  assert.throws(() => synth({ abandonAlarmThreshold: 0 }), /abandonAlarmThreshold must be at least 1/);
  assert.throws(() => synth({ autoScalingGroupNames: ["arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:0d3c:autoScalingGroupName/web"] }), /names, not ARNs/);
  assert.throws(() => synth({ packagePath: undefined }), /code \(lambda.Code\) or packagePath/);
});

test("without named groups, a group opts in by naming its launch hook after the gate", () => {
  const t = synthesize((stack, dir) => {
    const gate = new LaunchGate(stack, "Gate", { packagePath: dir });
    assert.deepStrictEqual(gate.launchHook(), {
      lifecycleHookName: "scalegate-launch-gate",
      lifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING",
      defaultResult: "ABANDON",
      heartbeatTimeout: 300,
    });
  });
  // Only this hook's actions, of any group; no hook resources and no per-group alarms here (ScalegateGroup has them).
  t.hasResourceProperties("AWS::Events::Rule", { EventPattern: { detail: { LifecycleHookName: ["scalegate-launch-gate"] } } });
  const rule = Object.values(t.findResources("AWS::Events::Rule"))[0];
  assert.deepStrictEqual(Object.keys(rule.Properties.EventPattern.detail), ["LifecycleHookName"]);
  t.resourceCountIs("AWS::AutoScaling::LifecycleHook", 0);
  assert.ok(!Object.values(t.findResources("AWS::CloudWatch::Alarm")).some((a) => a.Properties.MetricName === "GateDecisions"));
  // The completion statement keeps the policy file's scope (every group; the rule decides which actions arrive).
  const role = Object.values(t.findResources("AWS::IAM::Role")).find((r) => r.Properties.RoleName === "scalegate-launch-gate-us-east-1");
  const complete = role.Properties.Policies[0].PolicyDocument.Statement.find((s) => s.Sid === "CompleteLifecycleActions");
  const file = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "..", "policies", "roles", "scalegate-launch-gate.json"), "utf8"));
  assert.deepStrictEqual(complete.Resource, file.Statement.find((s) => s.Sid === "CompleteLifecycleActions").Resource);
});

test("groups given as constructs are named by reference, hooks and alarms included", () => {
  const t = synthesize((stack, dir) => {
    const web = cdk.aws_autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, "Web", "web-imported");
    new LaunchGate(stack, "Gate", { packagePath: dir, autoScalingGroups: [web], heartbeatTimeout: cdk.Duration.minutes(10) });
  });
  t.hasResourceProperties("AWS::AutoScaling::LifecycleHook", { AutoScalingGroupName: "web-imported", HeartbeatTimeout: 600 });
  t.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "scalegate-launch-gate-abandons-web-imported" });
});

test("the synthesized roles pass scalegate's separation-of-duties audit", (t) =>
  auditPasses(t, synth(), "scalegate-launch-gate-us-east-1"));

test("an environment over Lambda's 4 KB fails at synth, naming the function and the variable", () => {
  const { scalegateFunction, rolePolicy } = require("../lib/src/scalegate-function");
  const make = (environment) =>
    synthesize((stack, dir) => scalegateFunction(stack, { packagePath: dir }, {
      name: "scalegate-launch-gate", prefix: "scalegate-launch-gate", policy: rolePolicy("scalegate-launch-gate.json"),
      memorySize: 256, timeout: cdk.Duration.seconds(60), environment,
    }));
  assert.throws(() => make({ SCALEGATE_X: "x".repeat(4000) }), (e) => {
    assert.match(e.message, /scalegate-launch-gate: its environment would be \d+ B \(SCALEGATE_X 4000 B\)/);
    assert.match(e.message, /4 KB/);
    return true;
  });
});

test("rules of any size travel in the versioned configuration bucket, never in the environment", () => {
  const big = 'mode = "report-only"\n' + "# padding\n".repeat(6000);
  const t = synth({ gateRules: big });
  const fn = Object.values(t.findResources("AWS::Lambda::Function", { Properties: { FunctionName: "scalegate-launch-gate" } }))[0];
  const env = fn.Properties.Environment.Variables;
  assert.deepStrictEqual(Object.keys(env), ["SCALEGATE_GATE_RULES_S3"]);
  assert.ok(JSON.stringify(env).length < 1024, JSON.stringify(env));
  t.hasResourceProperties("AWS::S3::Bucket", {
    VersioningConfiguration: { Status: "Enabled" },
    // Named as the roles' ReadConfigDocument statement and the duties' [exempt] expect: scalegate-…-config-….
    BucketName: `scalegate-launch-gat-${require("crypto").createHash("sha1").update("scalegate-launch-gate").digest("hex").slice(0, 7)}-config-123456789012-us-east-1`,
  });
  t.hasResourceProperties("Custom::CDKBucketDeployment", { Prune: false });
  for (const [name, metric] of [["config-rejected", "ConfigRejected"], ["config-unreadable", "ConfigFetchErrors"]]) {
    t.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: `scalegate-launch-gate-${name}`, MetricName: metric, Namespace: "scalegate" });
  }
});

test("alarms catch silence: throttles 2 of 3, the lifecycle queue's oldest message", () => {
  const t = synth();
  t.hasResourceProperties("AWS::CloudWatch::Alarm", {
    AlarmName: "scalegate-launch-gate-throttles",
    MetricName: "Throttles",
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
  });
  t.hasResourceProperties("AWS::CloudWatch::Alarm", {
    AlarmName: "scalegate-launch-gate-queue-age",
    MetricName: "ApproximateAgeOfOldestMessage",
    Threshold: 120,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 2,
  });
});

test("alarms notify whoever the props name, and addAlarmAction reaches every alarm", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cdk-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new cdk.Stack(app, "Test", { env: { account: "123456789012", region: "us-east-1" } });
  const oncall = new cdk.aws_sns.Topic(stack, "Oncall");
  const quiet = new cdk.aws_sns.Topic(stack, "Quiet");
  const gate = new LaunchGate(stack, "Gate", {
    autoScalingGroupNames: ["web"],
    packagePath: dir,
    alarmActions: [new cdk.aws_cloudwatch_actions.SnsAction(oncall)],
  });
  gate.addOkAction(new cdk.aws_cloudwatch_actions.SnsAction(quiet));
  const alarms = Object.values(Template.fromStack(stack).findResources("AWS::CloudWatch::Alarm"));
  assert.strictEqual(alarms.length, gate.alarms.length);
  assert.strictEqual(alarms.length, 8, "abandons, latency, errors, throttles, dead letters, queue age, config rejected and unreadable");
  for (const alarm of alarms) {
    assert.deepStrictEqual(alarm.Properties.AlarmActions, [{ Ref: stack.getLogicalId(oncall.node.defaultChild) }]);
    assert.deepStrictEqual(alarm.Properties.OKActions, [{ Ref: stack.getLogicalId(quiet.node.defaultChild) }]);
  }
});

test("undeliverable lifecycle events land in the dead-letter queue, which EventBridge may write to", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Events::Rule", {
    Targets: Match.arrayWith([Match.objectLike({ DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }) })]),
  });
  t.hasResourceProperties("AWS::SQS::QueuePolicy", {
    PolicyDocument: Match.objectLike({
      Statement: Match.arrayWith([
        Match.objectLike({ Action: "sqs:SendMessage", Principal: { Service: "events.amazonaws.com" } }),
      ]),
    }),
  });
});

test("the queue invokes the live alias of a published version, never $LATEST", () => {
  const t = synth();
  const resources = t.toJSON().Resources;
  const [aliasId] = Object.entries(resources).find(([, r]) => r.Type === "AWS::Lambda::Alias" && r.Properties.Name === "live");
  const esm = Object.values(resources).find((r) => r.Type === "AWS::Lambda::EventSourceMapping");
  // The function name with its qualifier, taken from the alias's ARN.
  assert.ok(JSON.stringify(esm.Properties.FunctionName).includes(`{"Ref":"${aliasId}"}`), JSON.stringify(esm.Properties.FunctionName));
  const alias = resources[aliasId].Properties;
  assert.strictEqual(resources[alias.FunctionVersion["Fn::GetAtt"][0]].Type, "AWS::Lambda::Version");
});
