// Synthesizes the warm-pool-planner construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const assert = require("node:assert");
const { Match } = require("aws-cdk-lib/assertions");
const { synthesize, auditPasses } = require("./helpers");
const { WarmPoolPlanner } = require("../lib/src/warm-pool-planner");

const DOCUMENT = '[[group]]\nname = "workers"\nper_instance = 70\nmetric = { namespace = "AWS/SQS", name = "NumberOfMessagesSent", dimensions = { QueueName = "jobs" } }\n';
const synth = () => synthesize((stack, dir) => new WarmPoolPlanner(stack, "Planner", { packagePath: dir, documentToml: DOCUMENT }));

test("runs every 15 minutes with its document and can put warm pools only on tagged groups", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(15 minutes)" });
  t.hasResourceProperties("AWS::Lambda::Function", { Environment: { Variables: { SCALEGATE_WARM_POOL_PLANNER: DOCUMENT } } });
  t.hasResourceProperties("AWS::IAM::Role", {
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: "autoscaling:PutWarmPool",
      Condition: { Null: { "autoscaling:ResourceTag/scalegate:warm-pool": "false" } },
    })]) } }],
  });
  t.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "scalegate-warm-pool-planner-errors", Threshold: 0 });
});

test("refuses to synthesize without a document", () => {
  assert.throws(() => synthesize((stack, dir) => new WarmPoolPlanner(stack, "Planner", { packagePath: dir, documentToml: " " })),
    /documentToml/);
});

test("its role passes scalegate's separation-of-duties audit", (t) => auditPasses(t, synth(), "scalegate-warm-pool-planner-us-east-1"));
