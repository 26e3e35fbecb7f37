#!/usr/bin/env node
// `npx cdk deploy` (with the AWS CDK CLI installed) deploys the launch gate for the groups named in cdk.json.
const cdk = require("aws-cdk-lib");
const { LaunchGate } = require("../lib/launch-gate");
const { SodAudit } = require("../lib/sod-audit");
const { BacklogMetric } = require("../lib/backlog-metric");
const { ProtectionReaper } = require("../lib/protection-reaper");
const { Drain } = require("../lib/drain");
const { Dashboard } = require("../lib/dashboard");

const app = new cdk.App();
const stack = new cdk.Stack(app, "ScalegateLaunchGate", {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
// `-c key=value` arrives as a string: accept a JSON list or a comma-separated one.
const groups = app.node.tryGetContext("scalegate:autoScalingGroups");
const parse = (g) => (typeof g !== "string" ? g : g.trim().startsWith("[") ? JSON.parse(g) : g.split(","));
new LaunchGate(stack, "LaunchGate", {
  autoScalingGroups: parse(groups),
  packagePath: app.node.tryGetContext("scalegate:package"),
});
// `-c scalegate:sodAuditPackage=dist/lambda/sod-audit.zip` adds the separation-of-duties audit (deploy to us-east-1).
const sodPackage = app.node.tryGetContext("scalegate:sodAuditPackage");
if (sodPackage) {
  new SodAudit(stack, "SodAudit", { packagePath: sodPackage });
}
// `-c scalegate:backlogPackage=dist/lambda/backlog-metric.zip -c scalegate:backlogConfig="$(cat backlog.toml)"`
// adds the backlog-per-instance function.
const backlogPackage = app.node.tryGetContext("scalegate:backlogPackage");
if (backlogPackage) {
  new BacklogMetric(stack, "BacklogMetric", {
    packagePath: backlogPackage,
    configToml: app.node.tryGetContext("scalegate:backlogConfig"),
  });
}
// `-c scalegate:reaperPackage=dist/lambda/protection-reaper.zip` adds the protection reaper.
const reaperPackage = app.node.tryGetContext("scalegate:reaperPackage");
if (reaperPackage) {
  new ProtectionReaper(stack, "ProtectionReaper", { packagePath: reaperPackage });
}
// `-c scalegate:drainPackage=dist/lambda/drain.zip [-c scalegate:drainBudget=2h]` adds the drain for the same groups.
const drainPackage = app.node.tryGetContext("scalegate:drainPackage");
if (drainPackage) {
  new Drain(stack, "Drain", {
    autoScalingGroups: parse(groups),
    packagePath: drainPackage,
    budget: app.node.tryGetContext("scalegate:drainBudget"),
  });
}
// The dashboard (the same definition as Terraform's); `-c scalegate:dashboard=false` leaves it out.
if (app.node.tryGetContext("scalegate:dashboard") !== "false") {
  new Dashboard(stack, "Dashboard");
}
