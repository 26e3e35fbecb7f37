// The dashboard: one definition (infra/dashboard/dashboard.json) for Terraform and CDK, every scalegate metric on it.
const test = require("node:test");
const assert = require("node:assert");
const { synthesize } = require("./helpers");
const { Dashboard, dashboardBody } = require("../lib/src/dashboard");

const METRICS = [
  "GateDecisions", "GateFailedChecks", "GateLatency", "TimeToReady", "BacklogPerInstance", "BacklogTarget",
  "CapableInstances", "WarmPoolWarmedCapacity", "ExpiredLeases", "DrainCompletions", "DrainRequeues", "DrainSeconds",
  "SodViolations", "Errors", "Throttles",
];

test("the shared definition is valid JSON with every metric, filled for the stack's region", () => {
  const body = JSON.parse(dashboardBody("eu-west-1"));
  const text = JSON.stringify(body);
  for (const metric of METRICS) assert.ok(text.includes(metric), `the dashboard shows ${metric}`);
  assert.ok(body.widgets.every((w) => w.properties.region === "eu-west-1"));
  assert.ok(!text.includes("${"), "every placeholder filled");
});

test("the construct deploys that body", () => {
  const t = synthesize((stack) => new Dashboard(stack, "Dashboard"));
  const [dashboard] = Object.values(t.findResources("AWS::CloudWatch::Dashboard"));
  assert.strictEqual(dashboard.Properties.DashboardName, "scalegate");
  assert.deepStrictEqual(JSON.parse(dashboard.Properties.DashboardBody), JSON.parse(dashboardBody("us-east-1")));
});
