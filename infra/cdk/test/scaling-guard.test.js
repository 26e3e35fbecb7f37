// Synthesizes the scaling-guard construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const assert = require("node:assert");
const { Match } = require("aws-cdk-lib/assertions");
const { synthesize, auditPasses } = require("./helpers");
const { ScalingGuard, WATCHED_CALLS } = require("../lib/src/scaling-guard");

const synth = (props = {}) => synthesize((stack, dir) => new ScalingGuard(stack, "Guard", { packagePath: dir, ...props }));

test("judges Auto Scaling and launch-template calls from CloudTrail, failed events kept with their error", () => {
  const t = synth({ automation: ["arn:aws:iam::123456789012:role/deploy-pipeline"] });
  t.hasResourceProperties("AWS::Events::Rule", {
    Name: "scalegate-scaling-guard-cloudtrail",
    EventPattern: {
      source: ["aws.autoscaling", "aws.ec2"],
      "detail-type": ["AWS API Call via CloudTrail"],
      detail: Match.objectLike({ eventName: Match.arrayWith(["AttachInstances", "DeleteLifecycleHook", "ModifyLaunchTemplate"]) }),
    },
  });
  const fixtures = require("../../../tests/fixtures/cloudtrail/expected.json");
  assert.deepStrictEqual([...WATCHED_CALLS].sort(), fixtures.calls, "the rule's calls are the guard's fixtures'");
  t.hasResourceProperties("AWS::Lambda::EventInvokeConfig", { MaximumRetryAttempts: 2, Qualifier: "live" });
  t.hasResourceProperties("AWS::SQS::Queue", { QueueName: "scalegate-scaling-guard-failures" });
  t.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "scalegate-scaling-guard-alerts", MetricName: "GuardAlerts", Namespace: "scalegate" });
  const fn = Object.values(t.findResources("AWS::Lambda::Function")).find((f) => f.Properties.Environment?.Variables?.SCALEGATE_GUARD);
  assert.ok(JSON.stringify(fn.Properties.Environment.Variables.SCALEGATE_GUARD).includes("deploy-pipeline"));
});

test("restore mode puts the gate hook back on tagged groups only; without it the role reads and writes nothing else", () => {
  const plain = synth();
  const statements = (t) => Object.values(t.findResources("AWS::IAM::Role"))
    .flatMap((r) => (r.Properties.Policies ?? []).flatMap((p) => p.PolicyDocument.Statement));
  assert.ok(!statements(plain).some((st) => JSON.stringify(st.Action).includes("autoscaling:")), "no Auto Scaling call without restore");
  const restoring = synth({ restore: { heartbeatTimeout: require("aws-cdk-lib").Duration.minutes(10) } });
  const put = statements(restoring).filter((st) => st.Action === "autoscaling:PutLifecycleHook");
  assert.strictEqual(put.length, 1);
  assert.deepStrictEqual(put[0].Condition, { Null: { "autoscaling:ResourceTag/scalegate:guard-restore": "false" } });
  const fn = Object.values(restoring.findResources("AWS::Lambda::Function")).find((f) => f.Properties.Environment?.Variables?.SCALEGATE_GUARD);
  assert.ok(JSON.stringify(fn.Properties.Environment.Variables.SCALEGATE_GUARD).includes("heartbeat_timeout = 600"));
  assert.throws(() => synth({ restore: { heartbeatTimeout: require("aws-cdk-lib").Duration.seconds(10) } }), /30 s to 2 h/);
});

test("trusts scalegate's own roles by their exact ARN, never a name pattern", () => {
  const t = synthesize((stack, dir) => {
    const reaper = new (require("aws-cdk-lib").aws_iam.Role)(stack, "ReaperRole", { assumedBy: new (require("aws-cdk-lib").aws_iam.ServicePrincipal)("lambda.amazonaws.com") });
    new ScalingGuard(stack, "Guard", { packagePath: dir, trustedRoles: [reaper] });
  });
  const fn = Object.values(t.findResources("AWS::Lambda::Function")).find((f) => f.Properties.Environment?.Variables?.SCALEGATE_GUARD);
  const doc = JSON.stringify(fn.Properties.Environment.Variables.SCALEGATE_GUARD);
  assert.ok(doc.includes("ReaperRole"), doc);
  assert.ok(!doc.includes("scalegate-*"), doc);
});

test("refuses a session as automation", () => {
  assert.throws(() => synth({ automation: ["arn:aws:sts::1:assumed-role/x/y"] }), /not sessions/);
});

test("its role passes scalegate's separation-of-duties audit", (t) => auditPasses(t, synth({ restore: {} }), "scalegate-scaling-guard-us-east-1"));
