// The recommended setup, the CDK twin of infra/terraform/examples/complete (the parity test compares them):
// scalegate's core (which names no group), a worker group that opts in through its hooks and depends on the core (no
// cycle), and the group's alarms.
//
// The group: a launch template with IMDSv2 required, hop limit 1, encrypted volumes and no inbound rule; the gate's
// launch hook (ABANDON) and the drain's terminate hook (CONTINUE) declared inline, so they exist before the first
// launch; a stopped warm pool that takes instances back on scale-in; work leases and the drift sweep opted in by tag;
// target tracking on BacklogPerInstance with an instance warmup.
//
//   make build && cd infra/cdk && npm run build && npx cdk deploy --app "node lib/examples/complete/app.js" \
//       -c scalegate:dist=../../dist/lambda -c scalegate:ami=ami-…
//
// An application outside this repository imports the constructs from the package: `from "scalegate-cdk"`.
import * as path from "path";
import * as cdk from "aws-cdk-lib";
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { BacklogMetric, Dashboard, Drain, DriftSweep, LaunchGate, ProtectionReaper, ScalegateGroup } from "../../src";
import { bundled } from "../../src/scalegate-function";

/** What the example needs from outside. */
export interface CompleteExampleProps extends cdk.StackProps {
  /** Each function's code by its name (`launch-gate`, `drain`, `backlog-metric`, `protection-reaper`). */
  readonly codeOf: (fn: string) => lambda.Code;
  /** The workers' AMI. */
  readonly ami: string;
}

export class CompleteExample extends cdk.Stack {
  public readonly workers: autoscaling.AutoScalingGroup;

  constructor(scope: Construct, id: string, props: CompleteExampleProps) {
    super(scope, id, props);
    // The work the group does: backlog per instance is computed from this queue; a job that fails five times is set
    // aside rather than retried forever.
    const failedJobs = new sqs.Queue(this, "FailedJobs", { queueName: "complete-jobs-failed", enforceSSL: true, retentionPeriod: cdk.Duration.days(14) });
    cdk.Validations.of(failedJobs).acknowledge({
      id: "AwsSolutions::AwsSolutions-SQS3",
      reason: "This queue is the jobs queue's dead-letter queue (cdk-nag sees it as a queue without one).",
    });
    const jobs = new sqs.Queue(this, "Jobs", {
      queueName: "complete-jobs",
      enforceSSL: true,
      deadLetterQueue: { queue: failedJobs, maxReceiveCount: 5 },
    });

    // Names of their own, so this example deploys beside the others; a real deployment keeps the defaults. No group
    // names: groups opt in by naming their hooks after the gate and the drain.
    const gate = new LaunchGate(this, "LaunchGate", { name: "scalegate-launch-gate-complete", code: props.codeOf("launch-gate") });
    const drain = new Drain(this, "Drain", { name: "scalegate-drain-complete", code: props.codeOf("drain") });
    new ProtectionReaper(this, "ProtectionReaper", { name: "scalegate-protection-reaper-complete", code: props.codeOf("protection-reaper") });
    new DriftSweep(this, "DriftSweep", { name: "scalegate-drift-sweep-complete", code: props.codeOf("drift-sweep"), gate });
    new Dashboard(this, "Dashboard", { dashboardName: "scalegate-complete" });

    // A minimal VPC so the example stands alone; a real deployment puts the group in its own.
    const vpc = new ec2.Vpc(this, "Vpc", {
      ipAddresses: ec2.IpAddresses.cidr("10.40.0.0/16"),
      availabilityZones: [`${this.region}a`],
      natGateways: 0,
      subnetConfiguration: [{ name: "workers", subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    });
    cdk.Validations.of(vpc).acknowledge({
      id: "AwsSolutions::AwsSolutions-VPC7",
      reason: "The example's stand-in VPC: flow logs belong to the VPC a real deployment brings, with its own log destination.",
    });
    // Workers take jobs from the queue: nothing reaches them from outside.
    const securityGroup = new ec2.SecurityGroup(this, "WorkersSecurityGroup", { vpc, allowAllOutbound: false });
    securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), "AWS APIs and the job queue");
    const role = new iam.Role(this, "WorkersRole", {
      assumedBy: new iam.ServicePrincipal("ec2.amazonaws.com"),
      // What `scalegate lease acquire|renew|release` needs on a worker.
      inlinePolicies: { "scalegate-worker-lease": iam.PolicyDocument.fromJson(JSON.parse(bundled("worker-lease.json"))) },
    });
    for (const resource of ["*", "arn:aws:ec2:*:*:instance/*"]) {
      cdk.Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${resource}]`,
        reason: "policies/worker-lease.json: a worker learns its own group (DescribeAutoScalingInstances takes no ARN) and tags its own instance, " +
          "limited by condition to the lease tag key, and protects itself only in groups tagged scalegate:leases=true.",
      });
    }
    const template = new ec2.LaunchTemplate(this, "WorkersTemplate", {
      machineImage: ec2.MachineImage.genericLinux({ [this.region]: props.ami }),
      instanceType: new ec2.InstanceType("t3.micro"),
      securityGroup,
      role,
      requireImdsv2: true,
      httpPutResponseHopLimit: 1,
      blockDevices: [{ deviceName: "/dev/xvda", volume: ec2.BlockDeviceVolume.ebs(8, { encrypted: true }) }],
    });
    this.workers = new autoscaling.AutoScalingGroup(this, "Workers", {
      vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED },
      launchTemplate: template,
      minCapacity: 0,
      maxCapacity: 10,
      defaultInstanceWarmup: cdk.Duration.seconds(60),
    });
    cdk.Validations.of(this.workers).acknowledge({
      id: "AwsSolutions::AwsSolutions-AS3",
      reason: "Scaling events reach scalegate through EventBridge (its lifecycle rules) and page through its alarms; SNS notifications would duplicate them.",
    });
    this.workers.addWarmPool({ poolState: autoscaling.PoolState.STOPPED, minSize: 1, reuseOnScaleIn: true });
    // Work leases: the reaper and the workers may change scale-in protection only in groups tagged so.
    cdk.Tags.of(this.workers).add("scalegate:leases", "true", { applyToLaunchedInstances: false });
    // The drift sweep re-checks its members between the hooks and replaces drifted ones, two a run at most.
    cdk.Tags.of(this.workers).add("scalegate:drift-sweep", "replace:2", { applyToLaunchedInstances: false });
    // The hooks inline, the group after the gate's and the drain's paths, and the group's alarms; it scales on
    // BacklogPerInstance, so a metric that stops arriving must page.
    new ScalegateGroup(this, "WorkersScalegate", { autoScalingGroup: this.workers, launchGate: gate, drain, backlogMetricMissingAlarm: true });

    const backlog = new BacklogMetric(this, "BacklogMetric", {
      name: "scalegate-backlog-metric-complete",
      code: props.codeOf("backlog-metric"),
      // One configuration bucket for the deployment, as Terraform has.
      configBucket: gate.configBucket,
      configToml: `[[pair]]\nqueue = "${jobs.queueName}"\ngroup = "${this.workers.autoScalingGroupName}"\nlatency = "30s"\nseconds_per_message = 0.5\n`,
    });
    // Scale on the backlog each instance has: target = the latency you accept ÷ the seconds a message takes (30 / 0.5).
    this.workers.scaleToTrackMetric("BacklogPerInstance", {
      metric: backlog.metricBacklogPerInstance(this.workers.autoScalingGroupName),
      targetValue: 60,
    });
    cdk.Tags.of(this).add("project", "scalegate-example");
  }
}

if (require.main === module) {
  const app = new cdk.App();
  const dist = app.node.tryGetContext("scalegate:dist") ?? path.join(__dirname, "..", "..", "..", "..", "..", "dist", "lambda");
  const ami = app.node.tryGetContext("scalegate:ami");
  if (!ami) throw new Error("-c scalegate:ami=ami-… names the workers' AMI");
  new CompleteExample(app, "ScalegateComplete", {
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    codeOf: (fn) => lambda.Code.fromAsset(path.join(dist, `${fn}.zip`)),
    ami,
  });
}
