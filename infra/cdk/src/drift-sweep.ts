// The drift sweep as a CDK construct: the same resources as infra/terraform/sweep.tf.
import * as cdk from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import * as events from "aws-cdk-lib/aws-events";
import * as iam from "aws-cdk-lib/aws-iam";
import * as lambda from "aws-cdk-lib/aws-lambda";
import * as logs from "aws-cdk-lib/aws-logs";
import * as sqs from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { LaunchGate } from "./launch-gate";
import {
  ScalegateCommonProps, ScalegateConstruct, aboveZero, invokeOn, rolePolicy, ruleDeadLetters, scalegateFunction, scalegateMetric,
  scopeConfigRead,
} from "./scalegate-function";

const PREFIX = "scalegate-drift-sweep";

/** Props of the drift sweep. */
export interface DriftSweepProps extends ScalegateCommonProps {
  /** The launch gate whose rules the sweep judges with: the same object in its configuration bucket. */
  readonly gate: LaunchGate;
  /**
   * How often the members of groups tagged `scalegate:drift-sweep` are checked.
   * @default events.Schedule.rate(Duration.minutes(15))
   */
  readonly schedule?: events.Schedule;
  /**
   * The share of desired capacity (percent) that stays healthy in service while the sweep replaces, for groups
   * without an instance maintenance policy (a group's MinHealthyPercentage wins).
   * @default 90
   */
  readonly minHealthyPercent?: number;
  /**
   * Report what would be replaced and mark nothing, whatever the groups' tags say.
   * @default false
   */
  readonly dryRun?: boolean;
}

/** Re-runs the launch gate's checks on every InService, Standby and warm-pool member of the groups tagged
 * `scalegate:drift-sweep`; in `replace` mode marks drifted ones unhealthy within each group's limits, so the group
 * replaces them with fresh, gated instances. Its role can mark instances of tagged groups only. */
export class DriftSweep extends ScalegateConstruct {
  public readonly function: lambda.Function;
  public readonly alias: lambda.Alias;
  public readonly role: iam.Role;
  public readonly logGroup: logs.LogGroup;
  /** Scheduled events EventBridge could not deliver (alarmed). */
  public readonly rulesDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DriftSweepProps) {
    super(scope, id);
    const name = props.name ?? PREFIX;
    if (!name.startsWith(PREFIX)) {
      throw new Error(`name must start with ${PREFIX} (policies/roles/${PREFIX}.json scopes to it)`);
    }
    const minHealthy = props.minHealthyPercent ?? 90;
    if (!Number.isInteger(minHealthy) || minHealthy < 0 || minHealthy > 100) {
      throw new Error(`minHealthyPercent must be a whole number from 0 to 100 (got ${minHealthy})`);
    }
    const parts = scalegateFunction(this, props, {
      name,
      prefix: PREFIX,
      policy: scopeConfigRead(rolePolicy(`${PREFIX}.json`), props.gate.configBucket, "gate-rules.toml"),
      memorySize: 512,
      timeout: cdk.Duration.minutes(5),
      // The gate's own rules object: a pushed version reaches both, and the gate's config alarms cover both reads.
      environment: {
        SCALEGATE_GATE_RULES_S3: props.gate.rulesLocation,
        SCALEGATE_SWEEP_MIN_HEALTHY_PERCENT: String(minHealthy),
        SCALEGATE_SWEEP_DRY_RUN: String(props.dryRun ?? false),
      },
      silence: {
        description: "The drift sweep has not run for an hour: in-service instances are not being checked between the hooks (check its schedule rule and its start-up log).",
        period: cdk.Duration.hours(1),
      },
    });
    this.function = parts.fn;
    this.alias = parts.alias;
    this.role = parts.role;
    this.logGroup = parts.logGroup;
    // The rules must be in the bucket before the sweep's first read.
    this.function.node.addDependency(props.gate.function);
    this.rulesDeadLetterQueue = ruleDeadLetters(this, name);
    invokeOn(this, "Schedule", this.alias, {
      ruleName: `${name}-schedule`,
      description: "Re-check the members of groups tagged scalegate:drift-sweep",
      schedule: props.schedule ?? events.Schedule.rate(cdk.Duration.minutes(15)),
    }, this.rulesDeadLetterQueue);
    aboveZero(this, "Errors", `${name}-errors`,
      "The drift sweep failed: the rules or the instances could not be read, a group's scalegate:drift-sweep tag is wrong, or a SetInstanceHealth was refused (its `drift sweep` line says which group).",
      this.function.metricErrors({ period: cdk.Duration.hours(1) }));
    aboveZero(this, "Drifted", `${name}-drifted`,
      "The drift sweep found instances that no longer pass the gate's checks: its `drift found` lines name each instance, the failed checks and what the sweep did (replaced, or held and why).",
      this.metricDriftedInstances());
    this.notify(props);
  }

  /** Members found drifted in the last run, over every opted-in group (`DriftedInstances`, no dimensions). */
  public metricDriftedInstances(options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("DriftedInstances", {}, { statistic: "Maximum", period: cdk.Duration.hours(1), ...options });
  }

  /** Drifted members of a check's family found in the last run (`DriftedInstances` by `Check`). */
  public metricDriftedByCheck(check: string, options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("DriftedInstances", { Check: check }, { statistic: "Maximum", ...options });
  }

  /** Members marked unhealthy for replacement (`DriftReplacements`). */
  public metricDriftReplacements(options?: cw.MetricOptions): cw.Metric {
    return scalegateMetric("DriftReplacements", {}, { statistic: "Sum", ...options });
  }
}
