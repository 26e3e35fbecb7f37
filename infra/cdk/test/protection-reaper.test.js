// Synthesizes the protection-reaper construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Template, Match } = require("aws-cdk-lib/assertions");
const { ProtectionReaper } = require("../lib/protection-reaper");

function synth() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cdk-reaper-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new cdk.Stack(app, "Reaper", { env: { account: "123456789012", region: "us-east-1" } });
  new ProtectionReaper(stack, "Reaper", { packagePath: dir });
  return Template.fromStack(stack);
}

test("runs every minute and can unprotect only groups that opted in", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 minute)" });
  t.hasResourceProperties("AWS::IAM::Role", {
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: "autoscaling:SetInstanceProtection",
      Condition: { StringEquals: { "autoscaling:ResourceTag/scalegate:leases": "true" } },
    })]) } }],
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
  assert.ok(JSON.parse(run.stdout).checks.some((c) => c.principal === "scalegate-protection-reaper"));
});
