// Synthesizes the drain construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const assert = require("node:assert");
const cdk = require("aws-cdk-lib");
const { Match } = require("aws-cdk-lib/assertions");
const { synthesize, auditPasses } = require("./helpers");
const { Drain } = require("../lib/src/drain");

const synth = (props = {}) =>
  synthesize((stack, dir) => new Drain(stack, "Drain", { autoScalingGroupNames: ["workers"], packagePath: dir, ...props }));

test("terminate actions reach the function through its queue, which it also re-queues on", () => {
  const t = synth({ budget: cdk.Duration.hours(2) });
  t.hasResourceProperties("AWS::Events::Rule", {
    EventPattern: { source: ["aws.autoscaling"], "detail-type": ["EC2 Instance-terminate Lifecycle Action"], detail: { AutoScalingGroupName: ["workers"] } },
  });
  t.hasResourceProperties("AWS::Lambda::EventSourceMapping", { FunctionResponseTypes: ["ReportBatchItemFailures"] });
  t.hasResourceProperties("AWS::Lambda::Function", {
    FunctionName: "scalegate-drain",
    Timeout: 30,
    Environment: { Variables: Match.objectLike({ SCALEGATE_DRAIN_BUDGET: "7200s", SCALEGATE_DRAIN_QUEUE_URL: Match.anyValue(), SCALEGATE_DRAIN_DLQ_URL: Match.anyValue() }) },
  });
  t.hasResourceProperties("AWS::AutoScaling::LifecycleHook", { LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", DefaultResult: "CONTINUE" });
});

test("alarms on a spent budget, dead letters, errors, throttles and queue age; the role may delete only the lease tag", () => {
  const t = synth();
  t.resourceCountIs("AWS::CloudWatch::Alarm", 5);
  t.hasResourceProperties("AWS::CloudWatch::Alarm", {
    MetricName: "DrainCompletions",
    Dimensions: Match.arrayWith([{ Name: "Reason", Value: "budget_spent" }]),
  });
  t.hasResourceProperties("AWS::IAM::Role", {
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: "ec2:DeleteTags",
      Condition: Match.objectLike({ "ForAllValues:StringEquals": { "aws:TagKeys": ["scalegate:lease-expires"] } }),
    })]) } }],
  });
  assert.throws(() => synth({ name: "drainer" }), /must start with scalegate-drain/);
  assert.throws(() => synth({ maxDelay: cdk.Duration.minutes(20) }), /maxDelay must be at most 15 minutes/);
  assert.throws(() => synth({ budget: cdk.Duration.millis(500) }), /budget must be a whole number of seconds/);
});

test("its role passes scalegate's separation-of-duties audit", (t) => auditPasses(t, synth(), "scalegate-drain-us-east-1"));
