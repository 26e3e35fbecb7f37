// One dashboard for every group and function, from infra/dashboard/dashboard.json — the same definition the
// Terraform module deploys. Its widgets use metric SEARCH, so new groups and duties appear without a change here.
const fs = require("fs");
const path = require("path");
const cdk = require("aws-cdk-lib");
const { Construct } = require("constructs");

const DEFINITION = path.join(__dirname, "..", "..", "dashboard", "dashboard.json");

/** The dashboard body for a region: the shared definition with its two placeholders filled. */
function dashboardBody(region, prefix = "scalegate") {
  return fs.readFileSync(DEFINITION, "utf8").split("${region}").join(region).split("${prefix}").join(prefix);
}

class Dashboard extends Construct {
  /**
   * @param {Construct} scope
   * @param {string} id
   * @param {{dashboardName?: string}} [props]
   */
  constructor(scope, id, props = {}) {
    super(scope, id);
    this.dashboard = new cdk.aws_cloudwatch.CfnDashboard(this, "Dashboard", {
      dashboardName: props.dashboardName ?? "scalegate",
      dashboardBody: dashboardBody(cdk.Stack.of(this).region),
    });
  }
}

module.exports = { Dashboard, dashboardBody };
