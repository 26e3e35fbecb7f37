// The launch gate as a CDK construct: the same resources as infra/terraform, from the same policy file.
const cdk = require("aws-cdk-lib");
const cw = cdk.aws_cloudwatch;

const fs = require("fs");
const path = require("path");
const {
  ScalegateConstruct, configBucket, configDocument, scopeConfigRead, rolePolicy, scalegateFunction, aboveZero, lifecycleActions,
} = require("./scalegate-function");

class LaunchGate extends ScalegateConstruct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{autoScalingGroups: string[], packagePath: string, name?: string, createHooks?: boolean,
   *          heartbeatTimeout?: number, gateRules?: string, timeoutSeconds?: number,
   *          abandonAlarmThreshold?: number, latencyAlarmP99Ms?: number, amiParameters?: string[]}} props
   *   amiParameters: SSM parameters the groups' templates name their AMI through (`resolve:ssm:<name>`); the gate's
   *   role may read exactly these to resolve them. Without, such templates fail drift.ami closed.
 *   gateRules: the rules (TOML, the form of policies/gate.toml), written to the configuration bucket as
 *   gate-rules.toml; default policies/gate.toml. configBucket: a versioned bucket named scalegate-…-config-… to use
 *   instead of creating one.
   */
  constructor(scope, id, props) {
    super(scope, id);
    const name = props.name ?? "scalegate-launch-gate";
    if (!name.startsWith("scalegate-launch-gate")) {
      throw new Error("name must start with scalegate-launch-gate (policies/roles/scalegate-launch-gate.json scopes to it)");
    }
    if (!props.autoScalingGroups || props.autoScalingGroups.length === 0) {
      throw new Error("autoScalingGroups must name at least one group");
    }
    const stack = cdk.Stack.of(this);
    const timeout = props.timeoutSeconds ?? 60;

    // One source of truth for the role, with the completion statement scoped to these groups.
    const doc = rolePolicy("scalegate-launch-gate.json");
    for (const statement of doc.Statement) {
      if (statement.Sid === "CompleteLifecycleActions") {
        statement.Resource = props.autoScalingGroups.map(
          (g) => `arn:${stack.partition}:autoscaling:${stack.region}:${stack.account}:autoScalingGroup:*:autoScalingGroupName/${g}`,
        );
      }
    }
    // SSM parameters the templates name their AMI through (resolve:ssm:...): the role may read exactly these.
    const amiParameters = props.amiParameters ?? [];
    if (amiParameters.length > 0) {
      doc.Statement.push({
        Sid: "ResolveAmiParameters",
        Effect: "Allow",
        Action: ["ssm:GetParameters"],
        Resource: amiParameters.map((p) => {
          if (p.startsWith("arn:")) return p;
          if (p.startsWith("/aws/service/")) return `arn:${stack.partition}:ssm:${stack.region}::parameter${p}`;
          return `arn:${stack.partition}:ssm:${stack.region}:${stack.account}:parameter/${p.replace(/^\//, "")}`;
        }),
      });
    }
    this.configBucket = configBucket(this, name, props.configBucket);
    ({ fn: this.function, alias: this.alias } = scalegateFunction(this, {
      name,
      prefix: "scalegate-launch-gate",
      policy: scopeConfigRead(doc, this.configBucket, "gate-rules.toml"),
      packagePath: props.packagePath,
      memorySize: 256,
      timeout: cdk.Duration.seconds(timeout),
    }));
    // The rules live in the configuration bucket (any size, versioned, read again within 2 s of a change).
    this.rulesLocation = configDocument(this, {
      name,
      fn: this.function,
      setting: "SCALEGATE_GATE_RULES_S3",
      key: "gate-rules.toml",
      content: props.gateRules ?? fs.readFileSync(path.join(__dirname, "..", "..", "..", "policies", "gate.toml"), "utf8"),
      bucket: this.configBucket,
    });

    this.queue = lifecycleActions(this, {
      name,
      ruleId: "LaunchActions",
      transition: "autoscaling:EC2_INSTANCE_LAUNCHING",
      groups: props.autoScalingGroups,
      fn: this.alias,
      visibilityTimeout: cdk.Duration.seconds(timeout * 6),
      createHooks: props.createHooks,
      heartbeatTimeout: props.heartbeatTimeout ?? 300,
      defaultResult: "ABANDON",
      deadLettersDescription: "Lifecycle notifications the gate could not handle reached the dead-letter queue.",
    }).queue;

    for (const group of props.autoScalingGroups) {
      new cw.Alarm(this, `Abandons-${group}`, {
        alarmName: `${name}-abandons-${group}`,
        alarmDescription: `The launch gate abandoned instances of ${group}: see the gate decision logs for the failed checks.`,
        metric: new cw.Metric({
          namespace: "scalegate",
          metricName: "GateDecisions",
          dimensionsMap: { AutoScalingGroupName: group, Result: "ABANDON" },
          statistic: "Sum",
          period: cdk.Duration.minutes(5),
        }),
        threshold: props.abandonAlarmThreshold ?? 3,
        evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
      new cw.Alarm(this, `Latency-${group}`, {
        alarmName: `${name}-latency-${group}`,
        metric: new cw.Metric({
          namespace: "scalegate",
          metricName: "GateLatency",
          dimensionsMap: { AutoScalingGroupName: group },
          statistic: "p99",
          period: cdk.Duration.minutes(5),
        }),
        threshold: props.latencyAlarmP99Ms ?? 5000,
        evaluationPeriods: 2,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
    }
    aboveZero(this, "Errors", `${name}-errors`, "The launch gate failed: instances fall back to the hook's ABANDON.",
      this.function.metricErrors({ period: cdk.Duration.minutes(5) }));
    this.notify(props);
  }
}

module.exports = { LaunchGate };
