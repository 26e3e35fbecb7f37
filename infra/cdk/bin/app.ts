#!/usr/bin/env node
// `npx cdk deploy` (after `npm run build`) deploys the launch gate for the groups named in cdk.json, and whichever
// other functions the context names a package for. examples/complete is the recommended setup as code.
import * as cdk from "aws-cdk-lib";
import { BacklogMetric, Dashboard, Drain, LaunchGate, ProtectionReaper, SodAudit } from "../src";

/** `90s`, `5m` or `2h` from a context value. */
function duration(setting: string, text?: string): cdk.Duration | undefined {
  if (text === undefined) return undefined;
  const m = /^(\d+)(s|m|h)$/.exec(String(text).trim());
  if (!m) throw new Error(`${setting}: \`${text}\` is not a duration (try 90s, 5m or 2h)`);
  const n = Number(m[1]);
  return m[2] === "s" ? cdk.Duration.seconds(n) : m[2] === "m" ? cdk.Duration.minutes(n) : cdk.Duration.hours(n);
}

/** `-c key=value` arrives as a string: accept a JSON list or a comma-separated one. */
function names(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string") return value as string[];
  return value.trim().startsWith("[") ? (JSON.parse(value) as string[]) : value.split(",");
}

const app = new cdk.App();
const stack = new cdk.Stack(app, "ScalegateLaunchGate", {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
});
const context = (key: string) => app.node.tryGetContext(`scalegate:${key}`);
const groups = names(context("autoScalingGroups"));
new LaunchGate(stack, "LaunchGate", { autoScalingGroupNames: groups, packagePath: context("package") });
// `-c scalegate:sodAuditPackage=dist/lambda/sod-audit.zip` adds the separation-of-duties audit (deploy to us-east-1).
if (context("sodAuditPackage")) {
  new SodAudit(stack, "SodAudit", { packagePath: context("sodAuditPackage") });
}
// `-c scalegate:backlogPackage=dist/lambda/backlog-metric.zip -c scalegate:backlogConfig="$(cat backlog.toml)"`
// adds the backlog-per-instance function.
if (context("backlogPackage")) {
  new BacklogMetric(stack, "BacklogMetric", { packagePath: context("backlogPackage"), configToml: context("backlogConfig") });
}
// `-c scalegate:reaperPackage=dist/lambda/protection-reaper.zip` adds the protection reaper.
if (context("reaperPackage")) {
  new ProtectionReaper(stack, "ProtectionReaper", { packagePath: context("reaperPackage") });
}
// `-c scalegate:drainPackage=dist/lambda/drain.zip [-c scalegate:drainBudget=2h]` adds the drain for the same groups.
if (context("drainPackage")) {
  new Drain(stack, "Drain", {
    autoScalingGroupNames: groups,
    packagePath: context("drainPackage"),
    budget: duration("scalegate:drainBudget", context("drainBudget")),
  });
}
// The dashboard (the same definition as Terraform's); `-c scalegate:dashboard=false` leaves it out.
if (String(context("dashboard")) !== "false") {
  new Dashboard(stack, "Dashboard");
}
