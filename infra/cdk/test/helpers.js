// Shared by the construct tests: synthesize one construct in a test stack, and audit a template with scalegate.
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Template } = require("aws-cdk-lib/assertions");

/** Synthesizes `make(stack, packagePath)` in a us-east-1 stack with a stub package; returns the template. */
function synthesize(make) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cdk-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new cdk.Stack(app, "Test", { env: { account: "123456789012", region: "us-east-1" } });
  make(stack, dir);
  return Template.fromStack(stack);
}

/** Runs `scalegate audit --cfn` on the template (SCALEGATE names the binary; the test skips without it). */
function auditPasses(t, template, principal) {
  if (!process.env.SCALEGATE) {
    t.skip("SCALEGATE (the scalegate binary) is not set; `make test` sets it");
    return;
  }
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-cfn-")), "template.json");
  fs.writeFileSync(file, JSON.stringify(template.toJSON()));
  const run = require("child_process").spawnSync(process.env.SCALEGATE, ["audit", "--cfn", file, "--format", "json"], { encoding: "utf8" });
  assert.strictEqual(run.status, 0, run.stdout + run.stderr);
  const report = JSON.parse(run.stdout);
  assert.ok(report.checks.some((c) => c.principal === principal), run.stdout);
  assert.strictEqual(report.summary.may, 0);
}

module.exports = { synthesize, auditPasses };
