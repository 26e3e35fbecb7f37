// cdk-nag's AwsSolutions rules over every construct: clean, each acknowledged finding justified in the constructs'
// code (Validations.of(…).acknowledge, which needs nothing from cdk-nag at run time).
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { AwsSolutionsChecks } = require("cdk-nag");
const { LaunchGate } = require("../lib/src/launch-gate");
const { SodAudit } = require("../lib/src/sod-audit");
const { BacklogMetric } = require("../lib/src/backlog-metric");
const { ProtectionReaper } = require("../lib/src/protection-reaper");
const { Drain } = require("../lib/src/drain");
const { Dashboard } = require("../lib/src/dashboard");
const { CompleteExample } = require("../lib/examples/complete/app");

const PAIRS = '[[pair]]\nqueue = "jobs"\ngroup = "workers"\nlatency = "10s"\nseconds_per_message = 0.1\n';

/** Synthesizes every construct (and `extra`) under AwsSolutionsChecks; throws what cdk-nag finds. */
function synthChecked(extra = () => {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-nag-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-nag-out-")) });
  const stack = new cdk.Stack(app, "Nag", { env: { account: "123456789012", region: "us-east-1" } });
  new LaunchGate(stack, "LaunchGate", { autoScalingGroupNames: ["web"], packagePath: dir });
  new SodAudit(stack, "SodAudit", { packagePath: dir });
  new BacklogMetric(stack, "BacklogMetric", { packagePath: dir, configToml: PAIRS });
  new ProtectionReaper(stack, "ProtectionReaper", { packagePath: dir });
  new Drain(stack, "Drain", { autoScalingGroupNames: ["web"], packagePath: dir });
  new Dashboard(stack, "Dashboard");
  extra(stack);
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return app.synth();
}

test("every construct passes cdk-nag's AwsSolutions rules, with each acknowledgment justified", () => {
  const assembly = synthChecked();
  const report = JSON.parse(fs.readFileSync(path.join(assembly.directory, "validation-report.json"), "utf8"));
  const text = JSON.stringify(report);
  assert.ok(text.includes("AwsSolutions"), "the AwsSolutions plugin ran");
  assert.ok(!/"reason":\s*""/.test(text), "no acknowledgment without a reason");
});

test("a finding nobody justified fails the synthesis (the check can fail)", () => {
  assert.throws(
    () => synthChecked((stack) => new cdk.aws_sqs.Queue(stack, "Unjustified")),
    (e) => {
      const file = /can be found in: (\S+)/.exec(e.message)?.[1];
      assert.ok(file, e.message);
      const report = fs.readFileSync(file, "utf8");
      assert.match(report, /AwsSolutions-SQS4/);
      assert.match(report, /Unjustified/);
      return true;
    },
  );
});

test("the example app passes cdk-nag's AwsSolutions rules, with each acknowledgment justified", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-nag-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-nag-out-")) });
  new CompleteExample(app, "Complete", {
    env: { account: "123456789012", region: "us-east-1" },
    codeOf: () => cdk.aws_lambda.Code.fromAsset(dir),
    ami: "ami-0abcdef1234567890",
  });
  cdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const report = fs.readFileSync(path.join(assembly.directory, "validation-report.json"), "utf8");
  assert.ok(report.includes("AwsSolutions-AS3"), "the plugin ran over the example's group");
  assert.ok(!/"reason":\s*""/.test(report), "no acknowledgment without a reason");
});
