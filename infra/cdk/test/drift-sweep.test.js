// Synthesizes the drift-sweep construct beside a launch gate and checks the template; with SCALEGATE set, audits its
// role too.
const test = require("node:test");
const assert = require("node:assert");
const { Match } = require("aws-cdk-lib/assertions");
const { synthesize, auditPasses } = require("./helpers");
const { LaunchGate } = require("../lib/src/launch-gate");
const { DriftSweep } = require("../lib/src/drift-sweep");

const synth = (props = {}) => synthesize((stack, dir) => {
  const gate = new LaunchGate(stack, "Gate", { autoScalingGroupNames: ["web"], packagePath: dir, createHooks: false });
  new DriftSweep(stack, "Sweep", { packagePath: dir, gate, ...props });
});

test("runs every 15 minutes with the gate's rules and can mark instances only of tagged groups", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Events::Rule", { Name: "scalegate-drift-sweep-schedule", ScheduleExpression: "rate(15 minutes)" });
  const fns = Object.values(t.findResources("AWS::Lambda::Function"));
  const sweep = fns.find((f) => f.Properties.Environment?.Variables?.SCALEGATE_SWEEP_MIN_HEALTHY_PERCENT);
  const gate = fns.find((f) => f.Properties.FunctionName === "scalegate-launch-gate");
  assert.deepStrictEqual(sweep.Properties.Environment.Variables.SCALEGATE_GATE_RULES_S3, gate.Properties.Environment.Variables.SCALEGATE_GATE_RULES_S3,
    "the same rules object as the gate's");
  assert.strictEqual(sweep.Properties.Environment.Variables.SCALEGATE_SWEEP_DRY_RUN, "false");
  t.hasResourceProperties("AWS::IAM::Role", {
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: "autoscaling:SetInstanceHealth",
      // Groups in replace mode only: a `report` group's instances cannot be marked.
      Condition: { StringLike: { "autoscaling:ResourceTag/scalegate:drift-sweep": Match.arrayWith(["replace", "replace:*"]) } },
    })]) } }],
  });
  t.hasResourceProperties("AWS::CloudWatch::Alarm", {
    AlarmName: "scalegate-drift-sweep-drifted", MetricName: "DriftedInstances", Namespace: "scalegate", Threshold: 0,
  });
});

test("refuses a minimum healthy share that is not a percentage, and a name without its prefix", () => {
  assert.throws(() => synth({ minHealthyPercent: 120 }), /minHealthyPercent/);
  assert.throws(() => synth({ name: "sweeper" }), /must start with scalegate-drift-sweep/);
});

test("its role passes scalegate's separation-of-duties audit", (t) => auditPasses(t, synth(), "scalegate-drift-sweep-us-east-1"));
