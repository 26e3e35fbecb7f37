// The protection reaper as a CDK construct: the same resources as infra/terraform/reaper.tf.
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

class ProtectionReaper extends Construct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{packagePath: string, name?: string, schedule?: string}} props
   */
  constructor(scope, id, props) {
    super(scope, id);
    const name = props.name ?? "scalegate-protection-reaper";
    if (!name.startsWith("scalegate-protection-reaper")) {
      throw new Error("name must start with scalegate-protection-reaper (its policy scopes logs to it)");
    }
    const policy = JSON.parse(fs.readFileSync(path.join(repo, "policies", "roles", "scalegate-protection-reaper.json"), "utf8"));
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
      timeout: cdk.Duration.minutes(2),
      logGroup,
    });
    new events.Rule(this, "Schedule", {
      ruleName: `${name}-schedule`,
      schedule: events.Schedule.expression(props.schedule ?? "rate(1 minute)"),
      targets: [new targets.LambdaFunction(this.function)],
    });
    new cw.Alarm(this, "Errors", {
      alarmName: `${name}-errors`,
      alarmDescription: "The protection reaper failed: expired leases may be pinning groups against scale-in.",
      metric: this.function.metricErrors({ period: cdk.Duration.minutes(15) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
  }
}

module.exports = { ProtectionReaper };
