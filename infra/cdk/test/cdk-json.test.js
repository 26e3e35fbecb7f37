// cdk.json carries every feature flag aws-cdk-lib currently recommends (what `cdk init` writes), and the constructs
// synthesize under them.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { CURRENTLY_RECOMMENDED_FLAGS } = require("aws-cdk-lib/cx-api");
const { LaunchGate } = require("../lib/src/launch-gate");
const { Drain } = require("../lib/src/drain");

const cdkJson = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "cdk.json"), "utf8"));

test("cdk.json sets every currently recommended feature flag to its recommended value", () => {
  const missing = Object.entries(CURRENTLY_RECOMMENDED_FLAGS)
    .filter(([flag, value]) => JSON.stringify(cdkJson.context[flag]) !== JSON.stringify(value))
    .map(([flag]) => flag);
  assert.deepStrictEqual(missing, [], "refresh cdk.json's context from aws-cdk-lib/cx-api CURRENTLY_RECOMMENDED_FLAGS");
});

test("the constructs synthesize under those flags", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-flags-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App({ context: cdkJson.context });
  const stack = new cdk.Stack(app, "Flags", { env: { account: "123456789012", region: "us-east-1" } });
  new LaunchGate(stack, "Gate", { autoScalingGroupNames: ["web"], packagePath: dir });
  new Drain(stack, "Drain", { autoScalingGroupNames: ["web"], packagePath: dir });
  const template = app.synth().getStackByName("Flags").template;
  assert.ok(Object.values(template.Resources).some((r) => r.Type === "AWS::Lambda::Alias"));
});
