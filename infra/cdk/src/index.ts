// scalegate's CDK constructs: the same deployment as the Terraform module in infra/terraform.
export { ScalegateConstruct, ScalegateCommonProps, ENVIRONMENT_LIMIT } from "./scalegate-function";
export { LaunchGate, LaunchGateProps } from "./launch-gate";
export { Drain, DrainProps } from "./drain";
export { BacklogMetric, BacklogMetricProps } from "./backlog-metric";
export { ProtectionReaper, ProtectionReaperProps } from "./protection-reaper";
export { WarmPoolPlanner, WarmPoolPlannerProps } from "./warm-pool-planner";
export { ScalingGuard, ScalingGuardProps, GuardRestore, WATCHED_CALLS } from "./scaling-guard";
export { DriftSweep, DriftSweepProps } from "./drift-sweep";
export { SodAudit, SodAuditProps, IAM_CHANGE_EVENTS } from "./sod-audit";
export { ScalegateGroup, ScalegateGroupProps } from "./scalegate-group";
export { Dashboard, DashboardProps, dashboardBody } from "./dashboard";
