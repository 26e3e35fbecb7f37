// What scalegate attaches to one Auto Scaling group, as infra/terraform/modules/group does: the group's hooks
// (declared inline, so they exist before its first launch) and the alarms that name it. The gate and the drain name no
// group (the group opts in by naming its hooks after them), so the group can depend on them without a cycle.
import * as autoscaling from "aws-cdk-lib/aws-autoscaling";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import { Construct } from "constructs";
import { Drain } from "./drain";
import { groupAlarm } from "./group-alarms";
import { LaunchGate } from "./launch-gate";
import { ScalegateConstruct } from "./scalegate-function";

/** Props of a group's attachment. */
export interface ScalegateGroupProps {
  /** The group: an `AutoScalingGroup` defined in this app gets its hooks inline; an imported one gets hook resources. */
  readonly autoScalingGroup: autoscaling.IAutoScalingGroup;
  /**
   * The gate whose launch hook the group carries (a gate created without `autoScalingGroups`).
   * @default - launches are not gated
   */
  readonly launchGate?: LaunchGate;
  /**
   * The drain whose terminate hook the group carries (a drain created without `autoScalingGroups`).
   * @default - terminations are not drained
   */
  readonly drain?: Drain;
  /**
   * Alarm when no BacklogPerInstance arrives for the group for 5 minutes (missing data breaches): set it for groups
   * that target-track the backlog.
   * @default false
   */
  readonly backlogMetricMissingAlarm?: boolean;
  /**
   * Abandons in 5 minutes that raise the alarm.
   * @default 3
   */
  readonly abandonAlarmThreshold?: number;
  /**
   * Alarm when the gate's p99 decision latency for the group stays above this many milliseconds for 10 minutes.
   * @default 5000
   */
  readonly latencyAlarmP99Ms?: number;
  /**
   * Notified when any of the group's alarms fires.
   * @default - none
   */
  readonly alarmActions?: cw.IAlarmAction[];
  /**
   * Notified when any of the group's alarms returns to OK.
   * @default - none
   */
  readonly okActions?: cw.IAlarmAction[];
}

/** A group gated at launch and drained at termination: its hooks, its dependency on their whole event path, and the
 * alarms that name it. */
export class ScalegateGroup extends ScalegateConstruct {
  constructor(scope: Construct, id: string, props: ScalegateGroupProps) {
    super(scope, id);
    const group = props.autoScalingGroup;
    const name = group.autoScalingGroupName;
    const hooks: autoscaling.CfnAutoScalingGroup.LifecycleHookSpecificationProperty[] = [];
    if (props.launchGate) hooks.push(props.launchGate.launchHook());
    if (props.drain) hooks.push(props.drain.terminateHook());
    const resource = group.node.defaultChild;
    if (resource instanceof autoscaling.CfnAutoScalingGroup) {
      // Inline hooks exist from the group's first launch; the group waits for the gate's and the drain's whole path
      // (rule, queue, function, event source), so no instance launches that nobody gates.
      const existing = resource.lifecycleHookSpecificationList;
      resource.lifecycleHookSpecificationList = [...(Array.isArray(existing) ? existing : []), ...hooks];
      for (const part of [props.launchGate, props.drain]) if (part) group.node.addDependency(part);
    } else {
      hooks.forEach((hook, i) => {
        const created = new autoscaling.CfnLifecycleHook(this, `Hook${i}`, { autoScalingGroupName: name, ...hook });
        for (const part of [props.launchGate, props.drain]) if (part) created.node.addDependency(part);
      });
    }
    if (props.launchGate) {
      groupAlarm.abandons(this, "Abandons", props.launchGate.hookName, name, props.abandonAlarmThreshold ?? 3);
      groupAlarm.latency(this, "Latency", props.launchGate.hookName, name, props.latencyAlarmP99Ms ?? 5000);
    }
    if (props.drain) groupAlarm.drainBudgetSpent(this, "DrainBudgetSpent", props.drain.hookName, name);
    if (props.backlogMetricMissingAlarm) groupAlarm.backlogMissing(this, "BacklogMissing", name);
    this.addAlarmAction(...(props.alarmActions ?? []));
    this.addOkAction(...(props.okActions ?? []));
  }
}
