// Backlog per instance as a CDK construct: the same resources as infra/terraform/backlog.tf.
const fs = require("fs");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Construct } = require("constructs");
const iam = cdk.aws_iam;
const lambda = cdk.aws_lambda;
const events = cdk.aws_events;
const targets = cdk.aws_events_targets;
const logs = cdk.aws_logs;
const cw = cdk.aws_cloudwatch;

const repo = path.join(__dirname, "..", "..", "..");

class BacklogMetric extends Construct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{packagePath: string, configToml: string, name?: string}} props
   */
  constructor(scope, id, props) {
    super(scope, id);
    const name = props.name ?? "scalegate-backlog-metric";
    if (!name.startsWith("scalegate-backlog-metric")) {
      throw new Error("name must start with scalegate-backlog-metric (its policy scopes logs to it)");
    }
    if (!props.configToml || !props.configToml.includes("[[pair]]")) {
      throw new Error("configToml must list at least one [[pair]] (queue, group, latency, seconds_per_message)");
    }
    const policy = JSON.parse(fs.readFileSync(path.join(repo, "policies", "roles", "scalegate-backlog-metric.json"), "utf8"));
    const role = new iam.Role(this, "Role", {
      roleName: name,
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      inlinePolicies: { [name]: iam.PolicyDocument.fromJson(policy) },
    });
    const logGroup = new logs.LogGroup(this, "Logs", { logGroupName: `/aws/lambda/${name}`, retention: logs.RetentionDays.ONE_MONTH });
    this.function = new lambda.Function(this, "Function", {
      functionName: name,
      role,
      code: lambda.Code.fromAsset(path.resolve(props.packagePath)),
      handler: "bootstrap",
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.X86_64,
      memorySize: 256,
      timeout: cdk.Duration.seconds(75),
      environment: { SCALEGATE_BACKLOG_CONFIG: props.configToml },
      logGroup,
    });
    new events.Rule(this, "Schedule", {
      ruleName: `${name}-schedule`,
      schedule: events.Schedule.rate(cdk.Duration.minutes(1)),
      targets: [new targets.LambdaFunction(this.function)],
    });
    new cw.Alarm(this, "Errors", {
      alarmName: `${name}-errors`,
      alarmDescription: "backlog-metric could not publish for some pair: target tracking is scaling on stale data.",
      metric: this.function.metricErrors({ period: cdk.Duration.minutes(5) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
  }
}

module.exports = { BacklogMetric };
