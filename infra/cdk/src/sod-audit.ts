// The separation-of-duties audit as a CDK construct: the same resources as infra/terraform/sod_audit.tf.
// IAM change events reach EventBridge in us-east-1 only, and only while a CloudTrail trail logs management events:
// deploy this construct in a us-east-1 stack.
import * as cdk from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as s3 from "aws-cdk-lib/aws-s3";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  ScalegateCommonProps, ScalegateConstruct, aboveZero, bundled, configBucket, configDocument, invokeOn, rolePolicy,
  ruleDeadLetters, scalegateFunction, scalegateMetric, scopeConfigRead,
} from "./scalegate-function";

const PREFIX = "scalegate-sod-audit";

/** CloudTrail event names of IAM calls that change what a role, user or group can do (as sod_audit::IAM_CHANGE_EVENTS). */
export const IAM_CHANGE_EVENTS = [
  "CreateRole", "DeleteRole", "UpdateAssumeRolePolicy", "PutRolePolicy", "DeleteRolePolicy", "AttachRolePolicy",
  "DetachRolePolicy", "PutRolePermissionsBoundary", "DeleteRolePermissionsBoundary", "CreatePolicyVersion",
  "SetDefaultPolicyVersion", "DeletePolicy",
  "CreateUser", "DeleteUser", "PutUserPolicy", "DeleteUserPolicy", "AttachUserPolicy", "DetachUserPolicy",
  "PutUserPermissionsBoundary", "DeleteUserPermissionsBoundary", "CreateGroup", "DeleteGroup", "PutGroupPolicy",
  "DeleteGroupPolicy", "AttachGroupPolicy", "DetachGroupPolicy", "AddUserToGroup", "RemoveUserFromGroup",
];

/** Props of the separation-of-duties audit. */
export interface SodAuditProps extends ScalegateCommonProps {
  /**
   * When the audit runs besides on every IAM change.
   * @default events.Schedule.rate(Duration.hours(1))
   */
  readonly schedule?: events.Schedule;
  /**
   * The duties whose violations get an alarm each (as named in the duties document).
   * @default ["scaling", "deploy"]
   */
  readonly duties?: string[];
  /**
   * The duties document (TOML, the form of policies/duties.toml), written to the configuration bucket as duties.toml.
   * @default - the bundled policies/duties.toml
   */
  readonly dutiesToml?: string;
  /**
   * A versioned bucket (named `…-config-…`) for the duties.
   * @default - a bucket of its own
   */
  readonly configBucket?: s3.IBucket;
}

/** Proves, on a schedule and on every IAM change, that scaling roles cannot deploy or touch data and deploy roles
 * cannot drive scaling: `SodViolations` per duty, alarmed. */
export class SodAudit extends ScalegateConstruct {
  public readonly function: lambda.Function;
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  public readonly configBucket: s3.IBucket;
  /** Where the duties live: `s3://<bucket>/duties.toml`. */
  public readonly dutiesLocation: string;
  /** Schedule and IAM-change events EventBridge could not deliver (alarmed). */
  public readonly rulesDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: SodAuditProps) {
    super(scope, id);
    const name = props.name ?? PREFIX;
    this.configBucket = configBucket(this, name, props.configBucket);
    const parts = scalegateFunction(this, props, {
      name,
      prefix: PREFIX,
      policy: scopeConfigRead(rolePolicy(`${PREFIX}.json`), this.configBucket, "duties.toml"),
      memorySize: 512,
      timeout: cdk.Duration.minutes(5),
      silence: {
        description: "The sod-audit function has not run for 2 hours: separation of duties is unchecked (check its schedule rule and its start-up log).",
        period: cdk.Duration.hours(2),
      },
    });
    this.function = parts.fn;
    this.alias = parts.alias;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    this.dutiesLocation = configDocument(this, {
      name,
      fn: this.function,
      setting: "SCALEGATE_DUTIES_S3",
      key: "duties.toml",
      content: props.dutiesToml ?? bundled("duties.toml"),
      bucket: this.configBucket,
    });
    this.rulesDeadLetterQueue = ruleDeadLetters(this, name);
    invokeOn(this, "Schedule", this.alias, {
      ruleName: `${name}-schedule`,
      schedule: props.schedule ?? events.Schedule.rate(cdk.Duration.hours(1)),
    }, this.rulesDeadLetterQueue);
    invokeOn(this, "IamChanges", this.alias, {
      ruleName: `${name}-iam-changes`,
      eventPattern: {
        source: ["aws.iam"],
        detailType: ["AWS API Call via CloudTrail"],
        detail: { eventSource: ["iam.amazonaws.com"], eventName: IAM_CHANGE_EVENTS },
      },
    }, this.rulesDeadLetterQueue);
    for (const duty of props.duties ?? ["scaling", "deploy"]) {
      aboveZero(this, `Violations-${duty}`, `${name}-violations-${duty}`,
        `A role under duty ${duty} may reach a class it must not (see the sod-audit findings).`,
        this.metricViolations(duty, { statistic: "Maximum", period: cdk.Duration.hours(1) }));
    }
    aboveZero(this, "Errors", `${name}-errors`, "The sod-audit function failed (it could not read the account's roles): violations would go unseen.",
      this.function.metricErrors({ period: cdk.Duration.hours(1) }));
    this.notify(props);
  }

  /** Roles under a duty that may reach a class they must not (`SodViolations`). */
  public metricViolations(duty: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("SodViolations", { Duty: duty }, { statistic: "Maximum", ...options });
  }
}
