// The separation-of-duties audit as a CDK construct: the same resources as infra/terraform/sod_audit.tf.
// IAM change events reach EventBridge in us-east-1 only: deploy this construct in a us-east-1 stack.
const cdk = require("aws-cdk-lib");
const fs = require("fs");
const path = require("path");
const {
  ScalegateConstruct, ruleDeadLetters, configBucket, configDocument, scopeConfigRead, rolePolicy, scalegateFunction, invokeOn, aboveZero,
} = require("./scalegate-function");

/** CloudTrail event names of IAM calls that change what a role, user or group can do (as sod_audit::IAM_CHANGE_EVENTS). */
const IAM_CHANGE_EVENTS = [
  "CreateRole", "DeleteRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy",
  "DetachRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "CreatePolicyVersion",
  "SetDefaultPolicyVersion", "DeletePolicy",
  "CreateUser", "DeleteUser", "PutUserPolicy", "DeleteUserPolicy", "AttachUserPolicy", "DetachUserPolicy",
  "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary", "CreateGroup", "DeleteGroup", "PutGroupPolicy",
  "DeleteGroupPolicy", "AttachGroupPolicy", "DetachGroupPolicy", "AddUserToGroup", "RemoveUserFromGroup",
];

class SodAudit extends ScalegateConstruct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{packagePath: string, name?: string, schedule?: string, duties?: string[], dutiesToml?: string,
   *          configBucket?: cdk.aws_s3.IBucket}} props
   *   dutiesToml: written to the configuration bucket as duties.toml (any size); default policies/duties.toml.
   */
  constructor(scope, id, props) {
    super(scope, id);
    const name = props.name ?? "scalegate-sod-audit";
    this.configBucket = configBucket(this, name, props.configBucket);
    ({ fn: this.function, alias: this.alias } = scalegateFunction(this, {
      name,
      prefix: "scalegate-sod-audit",
      policy: scopeConfigRead(rolePolicy("scalegate-sod-audit.json"), this.configBucket, "duties.toml"),
      packagePath: props.packagePath,
      memorySize: 512,
      timeout: cdk.Duration.minutes(5),
      silence: {
        description: "The sod-audit function has not run for 2 hours: separation of duties is unchecked (check its schedule rule and its start-up log).",
        period: cdk.Duration.hours(2),
      },
    }));
    this.dutiesLocation = configDocument(this, {
      name,
      fn: this.function,
      setting: "SCALEGATE_DUTIES_S3",
      key: "duties.toml",
      content: props.dutiesToml ?? fs.readFileSync(path.join(__dirname, "..", "..", "..", "policies", "duties.toml"), "utf8"),
      bucket: this.configBucket,
    });
    this.rulesDeadLetters = ruleDeadLetters(this, name);
    invokeOn(this, "Schedule", this.alias, {
      ruleName: `${name}-schedule`,
      schedule: cdk.aws_events.Schedule.expression(props.schedule ?? "rate(1 hour)"),
    }, this.rulesDeadLetters);
    invokeOn(this, "IamChanges", this.alias, {
      ruleName: `${name}-iam-changes`,
      eventPattern: {
        source: ["aws.iam"],
        detailType: ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["iam.amazonaws.com"], eventName: IAM_CHANGE_EVENTS },
      },
    }, this.rulesDeadLetters);
    for (const duty of props.duties ?? ["scaling", "deploy"]) {
      aboveZero(
        this,
        `Violations-${duty}`,
        `${name}-violations-${duty}`,
        `A role under duty ${duty} may reach a class it must not (see the sod-audit findings).`,
        new cdk.aws_cloudwatch.Metric({
          namespace: "scalegate",
          metricName: "SodViolations",
          dimensionsMap: { Duty: duty },
          statistic: "Maximum",
          period: cdk.Duration.hours(1),
        }),
      );
    }
    aboveZero(this, "Errors", `${name}-errors`, "The sod-audit function failed: violations would go unseen.",
      this.function.metricErrors({ period: cdk.Duration.hours(1) }));
    this.notify(props);
  }
}

module.exports = { SodAudit, IAM_CHANGE_EVENTS };
