// The protection reaper as a CDK construct: the same resources as infra/terraform/reaper.tf.
import * as cdk from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import {
  ScalegateCommonProps, ScalegateConstruct, aboveZero, invokeOn, rolePolicy, ruleDeadLetters, scalegateFunction, scalegateMetric,
} from "./scalegate-function";

const PREFIX = "scalegate-protection-reaper";

/** Props of the protection reaper. */
export interface ProtectionReaperProps extends ScalegateCommonProps {
  /**
   * How often expired leases are looked for.
   * @default events.Schedule.rate(Duration.minutes(1))
   */
  readonly schedule?: events.Schedule;
}

/** Crashed workers never pin the fleet: removes scale-in protection whose work lease expired, in groups tagged
 * `scalegate:leases=true`. */
export class ProtectionReaper extends ScalegateConstruct {
  public readonly function: lambda.Function;
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** Scheduled events EventBridge could not deliver (alarmed). */
  public readonly rulesDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ProtectionReaperProps) {
    super(scope, id);
    const name = props.name ?? PREFIX;
    const parts = scalegateFunction(this, props, {
      name,
      prefix: PREFIX,
      policy: rolePolicy(`${PREFIX}.json`),
      memorySize: 256,
      timeout: cdk.Duration.minutes(2),
      silence: {
        description: "The protection reaper has not run for 5 minutes: expired leases may be pinning groups (check its schedule rule and its start-up log).",
        period: cdk.Duration.minutes(5),
      },
    });
    this.function = parts.fn;
    this.alias = parts.alias;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    this.rulesDeadLetterQueue = ruleDeadLetters(this, name);
    invokeOn(this, "Schedule", this.alias, {
      ruleName: `${name}-schedule`,
      schedule: props.schedule ?? events.Schedule.rate(cdk.Duration.minutes(1)),
    }, this.rulesDeadLetterQueue);
    aboveZero(this, "Errors", `${name}-errors`,
      "The protection reaper failed: expired leases may be pinning groups against scale-in.",
      this.function.metricErrors({ period: cdk.Duration.minutes(15) }));
    this.notify(props);
  }

  /** Leases of a group found expired, their protection released (`ExpiredLeases`). */
  public metricExpiredLeases(autoScalingGroupName: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("ExpiredLeases", { AutoScalingGroupName: autoScalingGroupName }, { statistic: "Sum", ...options });
  }
}
