// The CDK example app (examples/complete): the recommended group, wired to scalegate without a cycle. The parity test
// compares it with the Terraform complete example; this checks what makes it the recommended group.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("fs");
const os = require("os");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Template, Match } = require("aws-cdk-lib/assertions");
const { auditPasses, synthesize } = require("./helpers");
const { CompleteExample } = require("../lib/examples/complete/app");
const { LaunchGate, Drain, ScalegateGroup } = require("../lib/src");

function example() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "scalegate-example-"));
  fs.writeFileSync(path.join(dir, "bootstrap"), "#!/bin/sh\n");
  const app = new cdk.App();
  const stack = new CompleteExample(app, "Complete", {
    env: { account: "123456789012", region: "us-east-1" },
    codeOf: () => cdk.aws_lambda.Code.fromAsset(dir),
    ami: "ami-0abcdef1234567890",
  });
  return { stack, t: Template.fromStack(stack) };
}

test("the group declares both hooks inline and waits for the gate's and the drain's whole event path", () => {
  const { stack, t } = example();
  const groups = t.findResources("AWS::AutoScaling::AutoScalingGroup");
  assert.strictEqual(Object.keys(groups).length, 1);
  const [group] = Object.values(groups);
  assert.deepStrictEqual(group.Properties.LifecycleHookSpecificationList, [
    { LifecycleHookName: "scalegate-launch-gate-complete", LifecycleTransition: "autoscaling:EC2_INSTANCE_LAUNCHING", DefaultResult: "ABANDON", HeartbeatTimeout: 300 },
    { LifecycleHookName: "scalegate-drain-complete", LifecycleTransition: "autoscaling:EC2_INSTANCE_TERMINATING", DefaultResult: "CONTINUE", HeartbeatTimeout: 300 },
  ]);
  t.resourceCountIs("AWS::AutoScaling::LifecycleHook", 0);
  const resources = t.toJSON().Resources;
  const dependsOn = new Set(group.DependsOn ?? []);
  for (const [type, needle] of [
    ["AWS::Events::Rule", "scalegate-launch-gate-complete"],
    ["AWS::SQS::Queue", "scalegate-launch-gate-complete-events"],
    ["AWS::Lambda::EventSourceMapping", "LaunchGate"],
    ["AWS::Lambda::Alias", "LaunchGate"],
    ["AWS::Events::Rule", "scalegate-drain-complete"],
    ["AWS::Lambda::EventSourceMapping", "Drain"],
  ]) {
    const ids = Object.entries(resources).filter(([id, r]) => r.Type === type && (id.startsWith(needle) || JSON.stringify(r.Properties).includes(`"${needle}"`)));
    assert.ok(ids.length > 0 && ids.every(([id]) => dependsOn.has(id)), `the group depends on ${type} ${needle}: ${[...dependsOn].join(", ")}`);
  }
  // Neither the gate nor the drain names the group: the rules match the hook names only.
  for (const name of ["scalegate-launch-gate-complete", "scalegate-drain-complete"]) {
    t.hasResourceProperties("AWS::Events::Rule", { Name: name, EventPattern: { detail: { LifecycleHookName: [name] } } });
  }
  assert.ok(stack.workers);
});

test("the recommended group: IMDSv2 with hop limit 1, encrypted volumes, no inbound, a reusable stopped warm pool, leases, target tracking", () => {
  const { t } = example();
  t.hasResourceProperties("AWS::EC2::LaunchTemplate", {
    LaunchTemplateData: Match.objectLike({
      MetadataOptions: { HttpTokens: "required", HttpPutResponseHopLimit: 1 },
      BlockDeviceMappings: [{ DeviceName: "/dev/xvda", Ebs: { VolumeSize: 8, Encrypted: true } }],
    }),
  });
  const [sg] = Object.values(t.findResources("AWS::EC2::SecurityGroup"));
  assert.strictEqual(sg.Properties.SecurityGroupIngress, undefined, "nothing reaches the workers");
  assert.deepStrictEqual(sg.Properties.SecurityGroupEgress.map((e) => [e.IpProtocol, e.FromPort, e.ToPort]), [["tcp", 443, 443]]);
  t.hasResourceProperties("AWS::AutoScaling::WarmPool", { PoolState: "Stopped", MinSize: 1, InstanceReusePolicy: { ReuseOnScaleIn: true } });
  t.hasResourceProperties("AWS::AutoScaling::AutoScalingGroup", {
    MinSize: "0",
    MaxSize: "10",
    DefaultInstanceWarmup: 60,
    Tags: Match.arrayWith([{ Key: "scalegate:leases", Value: "true", PropagateAtLaunch: false }]),
  });
  t.hasResourceProperties("AWS::AutoScaling::ScalingPolicy", {
    PolicyType: "TargetTrackingScaling",
    TargetTrackingConfiguration: Match.objectLike({
      TargetValue: 60,
      CustomizedMetricSpecification: Match.objectLike({ Namespace: "scalegate", MetricName: "BacklogPerInstance", Statistic: "Average" }),
    }),
  });
  t.hasResourceProperties("AWS::CloudWatch::Alarm", { MetricName: "BacklogPerInstance", Statistic: "SampleCount", TreatMissingData: "breaching" });
  // One configuration bucket for the deployment, as in Terraform.
  t.resourceCountIs("AWS::S3::Bucket", 1);
});

test("the example's roles pass scalegate's separation-of-duties audit", (t) => auditPasses(t, example().t, "scalegate-launch-gate-complete-us-east-1"));

test("an imported group gets hook resources that wait for the gate, and the group's alarms", () => {
  const t = synthesize((stack, dir) => {
    const gate = new LaunchGate(stack, "Gate", { packagePath: dir });
    const drain = new Drain(stack, "Drain", { packagePath: dir });
    const web = cdk.aws_autoscaling.AutoScalingGroup.fromAutoScalingGroupName(stack, "Web", "web");
    new ScalegateGroup(stack, "WebScalegate", { autoScalingGroup: web, launchGate: gate, drain, abandonAlarmThreshold: 5 });
  });
  const hooks = Object.values(t.findResources("AWS::AutoScaling::LifecycleHook"));
  assert.deepStrictEqual(hooks.map((h) => [h.Properties.AutoScalingGroupName, h.Properties.DefaultResult]), [["web", "ABANDON"], ["web", "CONTINUE"]]);
  assert.ok(hooks.every((h) => (h.DependsOn ?? []).some((d) => d.startsWith("GateEvents"))), JSON.stringify(hooks.map((h) => h.DependsOn)));
  t.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "scalegate-launch-gate-abandons-web", Threshold: 5 });
  t.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "scalegate-launch-gate-latency-web" });
  t.hasResourceProperties("AWS::CloudWatch::Alarm", { AlarmName: "scalegate-drain-budget-spent-web" });
  assert.strictEqual(Object.values(t.findResources("AWS::CloudWatch::Alarm")).filter((a) => a.Properties.MetricName === "BacklogPerInstance").length, 0);
});
