//! The tricky-case table: each row a policy set, a class, the verdict, and for `may` the witness.
//! The cases where other tools say "cannot" and the truth is "can" are here on purpose.

use super::*;
use serde_json::json;

const ACCOUNT: &str = "123456789012";

/// What a row expects: `None` for `cannot`; otherwise the final grant's (action, statement) and the hops' vias.
type Expect = Option<(&'static str, &'static str, &'static [Via])>;

struct Row {
    case: &'static str,
    /// The audited role's policies (inline documents, in order: `p0`, `p1`, …).
    policies: Vec<serde_json::Value>,
    boundary: Option<serde_json::Value>,
    /// Other roles in the account: (name, identity policy, trust policy).
    others: Vec<(&'static str, serde_json::Value, serde_json::Value)>,
    class: &'static [&'static str],
    expect: Expect,
}

fn allow(action: serde_json::Value, resource: &str, sid: &str) -> serde_json::Value {
    json!({"Sid": sid, "Effect": "Allow", "Action": action, "Resource": resource})
}

fn doc(statements: Vec<serde_json::Value>) -> serde_json::Value {
    json!({"Version": "2012-10-17", "Statement": statements})
}

fn trusts(principal: serde_json::Value) -> serde_json::Value {
    doc(vec![json!({"Effect": "Allow", "Principal": principal, "Action": "sts:AssumeRole"})])
}

fn arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

fn rows() -> Vec<Row> {
    let deploy: &'static [&'static str] = &["codedeploy:*", "lambda:UpdateFunctionCode"];
    let data: &'static [&'static str] = &["s3:GetObject", "kms:Decrypt"];
    let row = |case, policies, class, expect| Row { case, policies, boundary: None, others: vec![], class, expect };
    // The same NotAction without iam:* can rewrite its own policy: an escalation, not a direct grant.
    let self_edit = row(
        "NotAction that leaves iam:PutRolePolicy reaches the class by a policy edit on itself",
        vec![doc(vec![
            json!({"Sid": "Most", "Effect": "Allow", "NotAction": ["codedeploy:*", "lambda:*"], "Resource": "*"}),
        ])],
        deploy,
        Some(("iam:PutRolePolicy", "Most", &[])),
    );
    vec![
        self_edit,
        row(
            "NotAction grants what it does not list",
            vec![doc(vec![
                json!({"Sid": "Broad", "Effect": "Allow", "NotAction": ["iam:*", "sts:*"], "Resource": "*"}),
            ])],
            deploy,
            Some(("codedeploy:*", "Broad", &[])),
        ),
        row(
            "NotAction listing the whole class (and the ways to escalate) grants none of it",
            vec![doc(vec![
                json!({"Effect": "Allow", "NotAction": ["codedeploy:*", "lambda:*", "iam:*", "sts:*"], "Resource": "*"}),
            ])],
            deploy,
            None,
        ),
        row(
            "NotResource grants every other resource",
            vec![doc(vec![
                json!({"Sid": "AllButProd", "Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::prod/*"}),
            ])],
            data,
            Some(("s3:GetObject", "AllButProd", &[])),
        ),
        row(
            "? matches one character",
            vec![doc(vec![allow(json!("lambda:UpdateFunction?ode"), "*", "Q")])],
            deploy,
            Some(("lambda:UpdateFunctionCode", "Q", &[])),
        ),
        row(
            "? does not match two characters",
            vec![doc(vec![allow(json!("lambda:UpdateFunctionC?"), "*", "Q")])],
            deploy,
            None,
        ),
        row(
            "actions compare case-insensitively",
            vec![doc(vec![allow(json!("KMS:DECRYPT"), "*", "Loud")])],
            data,
            Some(("kms:Decrypt", "Loud", &[])),
        ),
        row(
            "a conditional Deny proves nothing",
            vec![
                doc(vec![allow(json!("s3:GetObject"), "*", "Read")]),
                doc(vec![
                    json!({"Effect": "Deny", "Action": "*", "Resource": "*", "Condition": {"Bool": {"aws:SecureTransport": "false"}}}),
                ]),
            ],
            data,
            Some(("s3:GetObject", "Read", &[])),
        ),
        row(
            "a resource-scoped Deny does not cover a grant on *",
            vec![
                doc(vec![allow(json!("s3:GetObject"), "*", "Read")]),
                doc(vec![json!({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::secrets/*"})]),
            ],
            data[..1].as_ref(),
            Some(("s3:GetObject", "Read", &[])),
        ),
        row(
            "a Deny that covers removes the grant",
            vec![
                doc(vec![allow(json!("s3:Get*"), "arn:aws:s3:::app/*", "Read")]),
                doc(vec![json!({"Effect": "Deny", "Action": "s3:*", "Resource": "arn:aws:s3:::*"})]),
            ],
            data[..1].as_ref(),
            None,
        ),
        row(
            "every inline and managed policy counts",
            vec![
                doc(vec![allow(json!("autoscaling:*"), "*", "Scale")]),
                doc(vec![allow(json!("ec2:Describe*"), "*", "Look")]),
                doc(vec![allow(json!("codedeploy:CreateDeployment"), "*", "Ship")]),
            ],
            deploy,
            Some(("codedeploy:CreateDeployment", "Ship", &[])),
        ),
        Row {
            case: "a boundary without the class cuts",
            policies: vec![doc(vec![allow(json!("*"), "*", "Admin")])],
            boundary: Some(doc(vec![allow(json!("autoscaling:*"), "*", "B")])),
            others: vec![],
            class: deploy,
            expect: None,
        },
        Row {
            case: "a boundary allowing the class does not cut",
            policies: vec![doc(vec![allow(json!("*"), "*", "Admin")])],
            boundary: Some(doc(vec![allow(json!("lambda:*"), "*", "B")])),
            others: vec![],
            class: deploy,
            expect: Some(("lambda:UpdateFunctionCode", "Admin", &[])),
        },
        Row {
            case: "two hops: AssumeRole, then PassRole to ECS",
            policies: vec![doc(vec![allow(json!("sts:AssumeRole"), &arn("ops"), "Borrow")])],
            boundary: None,
            others: vec![
                (
                    "ops",
                    doc(vec![
                        allow(json!("iam:PassRole"), &arn("deployer"), "Pass"),
                        allow(json!("ecs:RunTask"), "*", "Run"),
                    ]),
                    trusts(json!({"AWS": arn("subject")})),
                ),
                (
                    "deployer",
                    doc(vec![allow(json!("codedeploy:*"), "*", "Deploy")]),
                    trusts(json!({"Service": "ecs-tasks.amazonaws.com"})),
                ),
            ],
            class: deploy,
            expect: Some(("codedeploy:*", "Deploy", &[Via::AssumeRole, Via::PassRole])),
        },
        Row {
            case: "two hops: SSM commands on instances, then a policy edit on the instance role itself",
            policies: vec![doc(vec![allow(json!("ssm:SendCommand"), "*", "Commands")])],
            boundary: None,
            others: vec![(
                "instance",
                doc(vec![allow(json!("iam:PutRolePolicy"), &arn("instance"), "SelfEdit")]),
                trusts(json!({"Service": "ec2.amazonaws.com"})),
            )],
            class: data,
            expect: Some(("iam:PutRolePolicy", "SelfEdit", &[Via::ReuseCompute])),
        },
        Row {
            case: "no path when the other role's trust refuses",
            policies: vec![doc(vec![allow(json!("sts:AssumeRole"), "arn:aws:iam::123456789012:role/*", "Borrow")])],
            boundary: None,
            others: vec![(
                "deployer",
                doc(vec![allow(json!("codedeploy:*"), "*", "Deploy")]),
                trusts(json!({"AWS": "arn:aws:iam::999999999999:root"})),
            )],
            class: deploy,
            expect: None,
        },
    ]
}

fn inventory(row: &Row) -> Inventory {
    let policy =
        |name: String, v: &serde_json::Value| AttachedPolicy { name, document: parse_policy_value(v).unwrap() };
    let mut roles = vec![Principal {
        name: "subject".into(),
        arn: arn("subject"),
        identity: row.policies.iter().enumerate().map(|(i, d)| policy(format!("p{i}"), d)).collect(),
        boundary: row.boundary.as_ref().map(|b| policy("boundary".into(), b)),
        trust: Some(parse_policy_value(&trusts(json!({"Service": "lambda.amazonaws.com"}))).unwrap()),
        ..Default::default()
    }];
    for (name, identity, trust) in &row.others {
        roles.push(Principal {
            name: name.to_string(),
            arn: arn(name),
            identity: vec![policy(format!("{name}-inline"), identity)],
            trust: Some(parse_policy_value(trust).unwrap()),
            ..Default::default()
        });
    }
    Inventory { principals: roles, complete: true, ..Default::default() }
}

#[test]
fn every_tricky_case_has_its_verdict_and_witness() {
    let mut failures = Vec::new();
    for row in rows() {
        let inventory = inventory(&row);
        let class: Vec<Pattern> = row.class.iter().map(|a| Pattern::action(a)).collect();
        let got = Escalation::new(&inventory).reach(&class).swap_remove(0);
        let got_shape = got.as_ref().map(|p| {
            (
                p.grant.action.to_ascii_lowercase(),
                p.grant.statement.clone(),
                p.hops.iter().map(|h| h.via).collect::<Vec<_>>(),
            )
        });
        let want_shape = row.expect.map(|(a, s, v)| (a.to_ascii_lowercase(), s.to_string(), v.to_vec()));
        if got_shape != want_shape {
            failures.push(format!("{}: expected {want_shape:?}, got {got_shape:?}", row.case));
        }
    }
    assert!(failures.is_empty(), "{} case(s) wrong:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn the_table_holds_both_verdicts() {
    let rows = rows();
    assert!(rows.len() >= 15);
    assert!(rows.iter().any(|r| r.expect.is_none()) && rows.iter().any(|r| r.expect.is_some_and(|e| !e.2.is_empty())));
}
