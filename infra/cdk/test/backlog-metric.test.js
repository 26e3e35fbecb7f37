// Synthesizes the backlog-metric construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Template, Match } = require("aws-cdk-lib/assertions");
const { BacklogMetric } = require("../lib/backlog-metric");

const CONFIG = '[[pair]]\nqueue = "jobs"\ngroup = "workers"\nlatency = "10s"\nseconds_per_message = 0.1\n';

function synth(props = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cdk-backlog-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new cdk.Stack(app, "Backlog", { env: { account: "123456789012", region: "us-east-1" } });
  new BacklogMetric(stack, "Backlog", { packagePath: dir, configToml: CONFIG, ...props });
  return Template.fromStack(stack);
}

test("runs every minute with its config, PutMetricData limited to the scalegate namespace", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Lambda::Function", {
    FunctionName: "scalegate-backlog-metric",
    Environment: { Variables: { SCALEGATE_BACKLOG_CONFIG: Match.stringLikeRegexp("\\[\\[pair\\]\\]") } },
  });
  t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 minute)" });
  t.hasResourceProperties("AWS::IAM::Role", {
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: "cloudwatch:PutMetricData", Condition: { StringEquals: { "cloudwatch:namespace": "scalegate" } },
    })]) } }],
  });
  assert.throws(() => synth({ configToml: "" }), /at least one \[\[pair\]\]/);
});

test("its role passes scalegate's separation-of-duties audit", (t) => {
  if (!process.env.SCALEGATE) {
    t.skip("SCALEGATE (the scalegate binary) is not set; `make test` sets it");
    return;
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cfn-")), "template.json");
  fs.writeFileSync(file, JSON.stringify(synth().toJSON()));
  const run = require("child_process").spawnSync(process.env.SCALEGATE, ["audit", "--cfn", file, "--format", "json"], { encoding: "utf8" });
  assert.strictEqual(run.status, 0, run.stdout + run.stderr);
  assert.ok(JSON.parse(run.stdout).checks.some((c) => c.principal === "scalegate-backlog-metric"));
});
