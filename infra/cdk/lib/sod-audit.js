// The separation-of-duties audit as a CDK construct: the same resources as infra/terraform/sod_audit.tf.
// IAM change events reach EventBridge in us-east-1 only: deploy this construct in a us-east-1 stack.
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
const readPolicy = (file) => JSON.parse(fs.readFileSync(path.join(repo, "policies", "roles", file), "utf8"));

/** CloudTrail event names of IAM calls that change what a role can do (as sod_audit::IAM_CHANGE_EVENTS). */
const IAM_CHANGE_EVENTS = [
  "CreateRole", "DeleteRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy",
  "DetachRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "CreatePolicyVersion",
  "SetDefaultPolicyVersion", "DeletePolicy",
];

class SodAudit extends Construct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{packagePath: string, name?: string, schedule?: string, duties?: string[], dutiesToml?: string}} props
   */
  constructor(scope, id, props) {
    super(scope, id);
    const name = props.name ?? "scalegate-sod-audit";
    if (!name.startsWith("scalegate-sod-audit")) {
      throw new Error("name must start with scalegate-sod-audit (policies/roles/scalegate-sod-audit.json scopes to it)");
    }
    const role = new iam.Role(this, "Role", {
      roleName: name,
      assumedBy: new iam.ServicePrincipal("lambda.amazonaws.com"),
      inlinePolicies: { [name]: iam.PolicyDocument.fromJson(readPolicy("scalegate-sod-audit.json")) },
    });
    const logGroup = new logs.LogGroup(this, "Logs", {
      logGroupName: `/aws/lambda/${name}`,
      retention: logs.RetentionDays.ONE_MONTH,
    });
    this.function = new lambda.Function(this, "Function", {
      functionName: name,
      role,
      code: lambda.Code.fromAsset(path.resolve(props.packagePath)),
      handler: "bootstrap",
      runtime: lambda.Runtime.PROVIDED_AL2023,
      architecture: lambda.Architecture.X86_64,
      memorySize: 512,
      timeout: cdk.Duration.minutes(5),
      environment: props.dutiesToml ? { SCALEGATE_DUTIES: props.dutiesToml } : {},
      logGroup,
    });
    new events.Rule(this, "Schedule", {
      ruleName: `${name}-schedule`,
      schedule: events.Schedule.expression(props.schedule ?? "rate(1 hour)"),
      targets: [new targets.LambdaFunction(this.function)],
    });
    new events.Rule(this, "IamChanges", {
      ruleName: `${name}-iam-changes`,
      eventPattern: {
        source: ["aws.iam"],
        detailType: ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["iam.amazonaws.com"], eventName: IAM_CHANGE_EVENTS },
      },
      targets: [new targets.LambdaFunction(this.function)],
    });
    for (const duty of props.duties ?? ["scaling", "deploy"]) {
      new cw.Alarm(this, `Violations-${duty}`, {
        alarmName: `${name}-violations-${duty}`,
        alarmDescription: `A role under duty ${duty} may reach a class it must not (see the sod-audit findings).`,
        metric: new cw.Metric({
          namespace: "scalegate",
          metricName: "SodViolations",
          dimensionsMap: { Duty: duty },
          statistic: "Maximum",
          period: cdk.Duration.hours(1),
        }),
        threshold: 0,
        evaluationPeriods: 1,
        comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
        treatMissingData: cw.TreatMissingData.NOT_BREACHING,
      });
    }
    new cw.Alarm(this, "Errors", {
      alarmName: `${name}-errors`,
      alarmDescription: "The sod-audit function failed: violations would go unseen.",
      metric: this.function.metricErrors({ period: cdk.Duration.hours(1) }),
      threshold: 0,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
  }
}

module.exports = { SodAudit, IAM_CHANGE_EVENTS };
