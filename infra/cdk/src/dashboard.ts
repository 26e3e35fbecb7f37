// One dashboard for every group and function, from infra/dashboard/dashboard.json (bundled) — the same definition
// the Terraform module deploys. Its widgets use metric SEARCH, so new groups and duties appear without a change here.
import * as cdk from "aws-cdk-lib";
import * as cw from "aws-cdk-lib/aws-cloudwatch";
import { Construct } from "constructs";
import { bundled } from "./scalegate-function";

/** The dashboard body for a region: the shared definition with its two placeholders filled. */
export function dashboardBody(region: string, prefix = "scalegate"): string {
  return bundled("dashboard.json").split("${region}").join(region).split("${prefix}").join(prefix);
}

/** Props of the dashboard. */
export interface DashboardProps {
  /**
   * The dashboard's name.
   * @default "scalegate"
   */
  readonly dashboardName?: string;
}

/** Gate decisions and latency, time to ready, backlog against target and capacity, warm pools, leases, drains,
 * separation-of-duties violations and every scalegate alarm, on one page. */
export class Dashboard extends Construct {
  public readonly dashboard: cw.CfnDashboard;

  constructor(scope: Construct, id: string, props: DashboardProps = {}) {
    super(scope, id);
    this.dashboard = new cw.CfnDashboard(this, "Dashboard", {
      dashboardName: props.dashboardName ?? "scalegate",
      dashboardBody: dashboardBody(cdk.Stack.of(this).region),
    });
  }
}
