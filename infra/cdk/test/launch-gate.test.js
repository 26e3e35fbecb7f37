// Synthesizes the construct and checks the template: the CDK counterpart of infra/terraform/test.sh.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Template, Match } = require("aws-cdk-lib/assertions");
const { LaunchGate } = require("../lib/launch-gate");
const { auditPasses } = require("./helpers");

function synth(props = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cdk-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new cdk.Stack(app, "Test", { env: { account: "123456789012", region: "us-east-1" } });
  new LaunchGate(stack, "Gate", { autoScalingGroups: ["web", "workers"], packagePath: dir, ...props });
  return Template.fromStack(stack);
}

test("function runs the Rust bootstrap with its built-in rules (policies/gate.toml) unless given its own", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Lambda::Function", {
    FunctionName: "scalegate-launch-gate",
    Runtime: "provided.al2023",
    Handler: "bootstrap",
    Architectures: ["x86_64"],
    Environment: Match.absent(),
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
  const role = Object.values(roles).find((r) => r.Properties.RoleName === "scalegate-launch-gate");
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
    const role = Object.values(roles).find((r) => r.Properties.RoleName === "scalegate-launch-gate");
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
  t.resourceCountIs("AWS::CloudWatch::Alarm", 8);
  t.hasResourceProperties("AWS::CloudWatch::Alarm", {
    MetricName: "GateDecisions",
    Namespace: "scalegate",
    Dimensions: Match.arrayWith([{ Name: "Result", Value: "ABANDON" }]),
  });
  assert.strictEqual(Object.keys(synth({ createHooks: false }).findResources("AWS::AutoScaling::LifecycleHook")).length, 0);
});

test("bad props are refused with a clear error", () => {
  assert.throws(() => synth({ name: "other" }), /must start with scalegate-launch-gate/);
  assert.throws(() => synth({ autoScalingGroups: [] }), /at least one group/);
});

test("the synthesized roles pass scalegate's separation-of-duties audit", (t) =>
  auditPasses(t, synth(), "scalegate-launch-gate"));

test("an environment over Lambda's 4 KB fails at synth, naming the function and the variable", () => {
  const big = "[credentials]\n" + "# padding\n".repeat(450);
  assert.throws(() => synth({ gateRules: big }), (e) => {
    assert.match(e.message, /scalegate-launch-gate: its environment would be \d+ B \(SCALEGATE_GATE_RULES \d+ B\)/);
    assert.match(e.message, /4 KB/);
    return true;
  });
  // The shipped rules fit, with room for what is added at deploy.
  synth();
});

test("report-only rules travel to the function unchanged", () => {
  const rules = 'mode = "report-only"\n';
  const t = synth({ gateRules: rules });
  t.hasResourceProperties("AWS::Lambda::Function", { Environment: { Variables: { SCALEGATE_GATE_RULES: rules } } });
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
    autoScalingGroups: ["web"],
    packagePath: dir,
    alarmActions: [new cdk.aws_cloudwatch_actions.SnsAction(oncall)],
  });
  gate.addOkAction(new cdk.aws_cloudwatch_actions.SnsAction(quiet));
  const alarms = Object.values(Template.fromStack(stack).findResources("AWS::CloudWatch::Alarm"));
  assert.strictEqual(alarms.length, gate.alarms.length);
  assert.strictEqual(alarms.length, 6, "abandons, latency, errors, throttles, dead letters, queue age");
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
