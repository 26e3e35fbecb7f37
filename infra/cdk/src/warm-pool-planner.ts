// The warm-pool planner as a CDK construct: the same resources as infra/terraform/planner.tf.
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

const PREFIX = "scalegate-warm-pool-planner";

/** Props of the warm-pool planner. */
export interface WarmPoolPlannerProps extends ScalegateCommonProps {
  /**
   * The planner's document (TOML): a `[[group]]` per group tagged `scalegate:warm-pool = MIN-MAX`, with its demand
   * metric and the work one instance carries per second; `[defaults]` for history, percentile, deadband, dry_run.
   */
  readonly documentToml: string;
  /**
   * How often warm pools are planned.
   * @default events.Schedule.rate(Duration.minutes(15))
   */
  readonly schedule?: events.Schedule;
}

/** Keeps each opted-in group's warm pool sized to the climb of its demand over the loop's dead time, within the
 * bounds its `scalegate:warm-pool` tag gives and past a deadband; its role can put warm pools on tagged groups only. */
export class WarmPoolPlanner extends ScalegateConstruct {
  public readonly function: lambda.Function;
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** Scheduled events EventBridge could not deliver (alarmed). */
  public readonly rulesDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WarmPoolPlannerProps) {
    super(scope, id);
    if (!props.documentToml || props.documentToml.trim() === "") {
      throw new Error("documentToml must name each opted-in group's demand metric: the function cannot start without it");
    }
    const name = props.name ?? PREFIX;
    const parts = scalegateFunction(this, props, {
      name,
      prefix: PREFIX,
      policy: rolePolicy(`${PREFIX}.json`),
      memorySize: 256,
      timeout: cdk.Duration.minutes(5),
      environment: { SCALEGATE_WARM_POOL_PLANNER: props.documentToml },
      silence: {
        description: "The warm-pool planner has not run for an hour: warm pools keep their last size while demand changes (check its schedule rule and its start-up log).",
        period: cdk.Duration.hours(1),
      },
    });
    this.function = parts.fn;
    this.alias = parts.alias;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    this.rulesDeadLetterQueue = ruleDeadLetters(this, name);
    invokeOn(this, "Schedule", this.alias, {
      ruleName: `${name}-schedule`,
      schedule: props.schedule ?? events.Schedule.rate(cdk.Duration.minutes(15)),
    }, this.rulesDeadLetterQueue);
    aboveZero(this, "Errors", `${name}-errors`,
      "The warm-pool planner failed: a group's tag or document is wrong, or an AWS call failed; that group's warm pool was left as it was (its log line says which).",
      this.function.metricErrors({ period: cdk.Duration.hours(1) }));
    this.notify(props);
  }

  /** The warm instances planned for a group, within its bounds (`PlannedWarmCapacity`). */
  public metricPlannedWarmCapacity(autoScalingGroupName: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("PlannedWarmCapacity", { AutoScalingGroupName: autoScalingGroupName }, { statistic: "Maximum", ...options });
  }

  /** PutWarmPool calls the planner made for a group (`WarmPoolChanges`). */
  public metricWarmPoolChanges(autoScalingGroupName: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("WarmPoolChanges", { AutoScalingGroupName: autoScalingGroupName }, { statistic: "Sum", ...options });
  }
}
