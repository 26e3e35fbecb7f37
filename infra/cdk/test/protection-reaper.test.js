// Synthesizes the protection-reaper construct and checks the template; with SCALEGATE set, audits its role too.
const test = require("node:test");
const { Match } = require("aws-cdk-lib/assertions");
const { synthesize, auditPasses } = require("./helpers");
const { ProtectionReaper } = require("../lib/src/protection-reaper");

const synth = () => synthesize((stack, dir) => new ProtectionReaper(stack, "Reaper", { packagePath: dir }));

test("runs every minute and can unprotect only groups that opted in", () => {
  const t = synth();
  t.hasResourceProperties("AWS::Events::Rule", { ScheduleExpression: "rate(1 minute)" });
  t.hasResourceProperties("AWS::IAM::Role", {
    Policies: [{ PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({
      Action: "autoscaling:SetInstanceProtection",
      Condition: { StringEquals: { "autoscaling:ResourceTag/scalegate:leases": "true" } },
    })]) } }],
  });
});

test("its role passes scalegate's separation-of-duties audit", (t) => auditPasses(t, synth(), "scalegate-protection-reaper-us-east-1"));
