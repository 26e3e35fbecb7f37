// Synthesizes the backlog-metric construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const assert = require("node:assert");
const { Match } = require("aws-cdk-lib/assertions");
const { synthesize, auditPasses } = require("./helpers");
const { BacklogMetric } = require("../lib/src/backlog-metric");

const CONFIG = '[[pair]]\nqueue = "jobs"\ngroup = "workers"\nlatency = "10s"\nseconds_per_message = 0.1\n';

const synth = (props = {}) =>
  synthesize((stack, dir) => new BacklogMetric(stack, "Backlog", { packagePath: dir, configToml: CONFIG, ...props }));

test("runs every minute with its config, PutMetricData limited to the scalegate namespace", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Lambda::Function", {
    FunctionName: "scalegate-backlog-metric",
    Environment: { Variables: Match.objectLike({ SCALEGATE_BACKLOG_CONFIG_S3: Match.anyValue() }) },
  });
  t.resourceCountIs("Custom::CDKBucketDeployment", 1);
  t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 minute)" });
  t.hasResourceProperties("AWS::IAM::Role", {
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: "cloudwatch:PutMetricData", Condition: { StringEquals: { "cloudwatch:namespace": "scalegate" } },
    })]) } }],
  });
  assert.throws(() => synth({ configToml: "" }), /at least one \[\[pair\]\]/);
});

test("its role passes scalegate's separation-of-duties audit", (t) => auditPasses(t, synth(), "scalegate-backlog-metric-us-east-1"));

test("a backlog function that stops running alarms: no invocation in 5 minutes breaches", () => {
  const t = synth();
  t.hasResourceProperties("AWS::CloudWatch::Alarm", {
    AlarmName: "scalegate-backlog-metric-silent",
    MetricName: "Invocations",
    Period: 300,
    ComparisonOperator: "LessThanThreshold",
    Threshold: 1,
    TreatMissingData: "breaching",
  });
});

test("capacity the backlog does not explain alarms, and the role may read the scaling activities that say why", () => {
  const t = synth();
  t.hasResourceProperties("AWS::CloudWatch::Alarm", {
    AlarmName: "scalegate-backlog-metric-unexplained-scaling", MetricName: "UnexplainedScaling", Namespace: "scalegate", Threshold: 0,
  });
  t.hasResourceProperties("AWS::IAM::Role", {
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: Match.arrayWith(["autoscaling:DescribeScalingActivities"]),
    })]) } }],
  });
});

test("high resolution runs from a tick queue, never sleeping: a 30 s function, its queue as an event source", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Lambda::Function", {
    FunctionName: "scalegate-backlog-metric",
    Timeout: 30,
    Environment: { Variables: Match.objectLike({ SCALEGATE_BACKLOG_TICK_QUEUE_URL: Match.anyValue() }) },
  });
  t.hasResourceProperties("AWS::SQS::Queue", { QueueName: "scalegate-backlog-metric-ticks", MessageRetentionPeriod: 120 });
  t.hasResourceProperties("AWS::Lambda::EventSourceMapping", { BatchSize: 10 });
});
