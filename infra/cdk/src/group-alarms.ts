// The alarms that name one Auto Scaling group, as infra/terraform/modules/group creates them (same names, metrics
// and thresholds): used by the gate and the drain for the groups they name, and by ScalegateGroup for groups that
// opt in by hook name.
import * as cdk from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import { Construct } from "constructs";
import { aboveZero, scalegateMetric } from "./scalegate-function";

export const groupAlarm = {
  /** The gate abandoned `threshold` or more of the group's instances in 5 minutes. */
  abandons(scope: Construct, id: string, gateName: string, group: string, threshold: number): cw.Alarm {
    if (!(threshold >= 1)) throw new Error(`abandonAlarmThreshold must be at least 1 (got ${threshold})`);
    return new cw.Alarm(scope, id, {
      alarmName: `${gateName}-abandons-${group}`,
      alarmDescription: `The launch gate abandoned instances of ${group}: a template or fleet policy is out of line (see the gate decision logs for the failed checks).`,
      metric: scalegateMetric("GateDecisions", { AutoScalingGroupName: group, Result: "ABANDON" }, { statistic: "Sum", period: cdk.Duration.minutes(5) }),
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
  },

  /** The gate's p99 decision latency for the group stayed above `p99Ms` for 10 minutes. */
  latency(scope: Construct, id: string, gateName: string, group: string, p99Ms: number): cw.Alarm {
    if (!(p99Ms > 0)) throw new Error(`latencyAlarmP99Ms must be positive (got ${p99Ms})`);
    return new cw.Alarm(scope, id, {
      alarmName: `${gateName}-latency-${group}`,
      alarmDescription: `Gate decisions for ${group} are slow: instances wait longer in Pending:Wait.`,
      metric: scalegateMetric("GateLatency", { AutoScalingGroupName: group }, { statistic: "p99", period: cdk.Duration.minutes(5) }),
      threshold: p99Ms,
      evaluationPeriods: 2,
      comparisonOperator: cw.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.NOT_BREACHING,
    });
  },

  /** A worker of the group was terminated while still holding a lease. */
  drainBudgetSpent(scope: Construct, id: string, drainName: string, group: string): cw.Alarm {
    return aboveZero(scope, id, `${drainName}-budget-spent-${group}`,
      `Workers of ${group} were terminated while still holding a lease: the drain budget ran out (raise the drain budget, or shorten jobs).`,
      scalegateMetric("DrainCompletions", { AutoScalingGroupName: group, Reason: "budget_spent" }, { statistic: "Sum", period: cdk.Duration.minutes(5) }));
  },

  /** No BacklogPerInstance for the group in 5 minutes: target tracking on it holds the group where it is. */
  backlogMissing(scope: Construct, id: string, group: string): cw.Alarm {
    return new cw.Alarm(scope, id, {
      alarmName: `scalegate-backlog-missing-${group}`,
      alarmDescription: `No BacklogPerInstance for ${group} in 5 minutes: target tracking holds the group where it is. Check that a backlog pair names the group and the backlog-metric function's log ("backlog not published").`,
      metric: scalegateMetric("BacklogPerInstance", { AutoScalingGroupName: group }, { statistic: "SampleCount", period: cdk.Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cw.ComparisonOperator.LESS_THAN_THRESHOLD,
      treatMissingData: cw.TreatMissingData.BREACHING,
    });
  },
};
