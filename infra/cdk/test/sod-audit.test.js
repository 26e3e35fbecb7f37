// Synthesizes the sod-audit construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Template, Match } = require("aws-cdk-lib/assertions");
const { SodAudit } = require("../lib/sod-audit");

function synth() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cdk-sod-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new cdk.Stack(app, "Sod", { env: { account: "123456789012", region: "us-east-1" } });
  new SodAudit(stack, "Sod", { packagePath: dir });
  return Template.fromStack(stack);
}

test("runs on a schedule and on IAM changes, with one alarm per duty", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Lambda::Function", { FunctionName: "scalegate-sod-audit", Runtime: "provided.al2023" });
  t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 hour)" });
  t.hasResourceProperties("AWS::Events::Rule", {
    EventPattern: { source: ["aws.iam"], detail: { eventName: Match.arrayWith(["PutRolePolicy", "AttachRolePolicy"]) } },
  });
  for (const duty of ["scaling", "deploy"]) {
    t.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "SodViolations", Dimensions: [{ Name: "Duty", Value: duty }] });
  }
  t.hasResourceProperties("AWS::IAM::Role", {
    RoleName: "scalegate-sod-audit",
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: "iam:GetAccountAuthorizationDetails" })]) } }],
  });
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
  const report = JSON.parse(run.stdout);
  assert.ok(report.checks.some((c) => c.principal === "scalegate-sod-audit"), run.stdout);
});
