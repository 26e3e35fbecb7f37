//! The audit report as text for people, JSON for programs, and SARIF 2.1.0 for code scanning.

use super::Audited;
use scalegate_iam::{AuditReport, AuditWitness, Check, End, PathKind, PrincipalKind};
use serde_json::{json, Value};

/// One line per check, then a summary line.
pub fn text(report: &AuditReport) -> String {
    let mut out = String::new();
    for c in &report.checks {
        let who = match c.kind {
            PrincipalKind::Role => c.principal.clone(),
            PrincipalKind::User => format!("{} (user)", c.principal),
        };
        match &c.witness {
            None => out.push_str(&format!("cannot  {:<32} duty {:<10} class {}\n", who, c.duty, c.class)),
            Some(w) => {
                out.push_str(&format!("MAY     {:<32} duty {:<10} class {:<10} {}\n", who, c.duty, c.class, explain(w)))
            }
        }
    }
    let s = &report.summary;
    out.push_str(&format!(
        "{} principal(s), {} with duties: {} check(s), {} cannot, {} may\n",
        s.principals, s.principals_with_duties, s.checks, s.cannot, s.may
    ));
    out
}

/// A witness in one line: the hops, then the final grant.
pub(super) fn explain(w: &AuditWitness) -> String {
    let mut grant =
        format!("{} on {} ({}, statement {})", w.grant.action, w.grant.resource, w.grant.policy, w.grant.statement);
    if w.examples.iter().any(|e| !e.action.eq_ignore_ascii_case(&w.grant.action)) {
        let shown: Vec<String> = w.examples.iter().map(|e| format!("{} [{}]", e.action, e.access_level)).collect();
        grant.push_str(&format!(", e.g. {}", shown.join(", ")));
    }
    if w.hops.is_empty() {
        return match w.path {
            PathKind::Direct => format!("direct: {grant}"),
            PathKind::Escalation => format!("escalation: may edit its own policies: {grant}"),
        };
    }
    let mut out = String::from("escalation: ");
    for hop in &w.hops {
        let via = serde_json::to_value(hop.via).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        out.push_str(&format!("{} -[{via}: {}]-> ", hop.from, hop.method));
    }
    out.push_str(w.hops.last().map(|h| h.to.as_str()).unwrap_or(""));
    if w.ends_in == End::UnknownPrincipal {
        out.push_str(", which may hold any permission");
    } else if w.ends_in == End::NewPrincipal {
        let chain: Vec<String> = w.hops.last().map_or(Vec::new(), |h| {
            h.grants
                .iter()
                .map(|g| format!("{} on {} ({}, statement {})", g.action, g.resource, g.policy, g.statement))
                .collect()
        });
        out.push_str(&format!(", which it may give any permission: {}", chain.join(", then ")));
    } else if w.ends_in == End::PolicyEdit {
        out.push_str(&format!("; {} may edit its policies: {grant}", w.holder));
    } else {
        out.push_str(&format!("; {} has {grant}", w.holder));
    }
    out
}

/// The report as one JSON document.
pub fn json(report: &AuditReport) -> String {
    serde_json::to_string(report).expect("the report serializes")
}

/// SARIF 2.1.0: one rule per (duty, class), a `fail` result per `may` and a `pass` result per `cannot`.
pub fn sarif(report: &AuditReport, audited: &Audited) -> String {
    let mut rules: Vec<(String, &Check)> = Vec::new();
    for c in &report.checks {
        let id = rule_id(c);
        if !rules.iter().any(|(r, _)| *r == id) {
            rules.push((id, c));
        }
    }
    let rules: Vec<Value> = rules
        .iter()
        .map(|(id, c)| {
            json!({
                "id": id,
                "name": format!("Duty{}Forbids{}", camel(&c.duty), camel(&c.class)),
                "shortDescription": {"text": format!("Principals with duty `{}` must not reach class `{}`", c.duty, c.class)},
                "fullDescription": {"text": format!(
                    "A role or user under duty `{}` may perform an action of class `{}`, directly or through an \
                     escalation path (assuming or passing a role, reusing compute that runs as one, policy edits, a \
                     user's credentials or groups, creating a principal; `scalegate methods` lists them). scalegate \
                     says `cannot` only when it can prove it.", c.duty, c.class)},
                "defaultConfiguration": {"level": "error"},
                "help": {"text": "Remove the grant named in the result, or cut the escalation path it shows (scope iam:PassRole and sts:AssumeRole to specific roles and services, tighten trust policies, add a permissions boundary, take compute-changing actions off roles whose duties do not need them)."}
            })
        })
        .collect();
    let results: Vec<Value> = report
        .checks
        .iter()
        .map(|c| {
            let mut location = json!({"logicalLocations": [{"name": c.principal, "kind": "resource"}]});
            if let Some(file) = audited.locations.get(&c.principal) {
                location["physicalLocation"] = json!({"artifactLocation": {"uri": file}, "region": {"startLine": 1}});
            }
            let (kind, level, message) = match &c.witness {
                Some(w) => (
                    "fail",
                    "error",
                    format!(
                        "{} `{}` (duty {}) may reach class `{}`. {}",
                        noun(c),
                        c.principal,
                        c.duty,
                        c.class,
                        explain(w)
                    ),
                ),
                None => (
                    "pass",
                    "none",
                    format!("{} `{}` (duty {}) cannot reach class `{}`.", noun(c), c.principal, c.duty, c.class),
                ),
            };
            json!({
                "ruleId": rule_id(c),
                "kind": kind,
                "level": level,
                "message": {"text": message},
                "locations": [location],
                "partialFingerprints": {"scalegateCheck/v1": format!("{}/{}/{}", c.principal, c.duty, c.class)},
                "properties": {"verdict": c.verdict, "witness": c.witness},
            })
        })
        .collect();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "scalegate",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
        }]
    });
    serde_json::to_string_pretty(&doc).expect("SARIF serializes")
}

fn noun(c: &Check) -> &'static str {
    match c.kind {
        PrincipalKind::Role => "Role",
        PrincipalKind::User => "User",
    }
}

fn rule_id(c: &Check) -> String {
    format!("scalegate/sod/{}/{}", c.duty, c.class)
}

fn camel(s: &str) -> String {
    s.split(['-', '_'])
        .map(|w| {
            let mut cs = w.chars();
            cs.next().map(|f| f.to_uppercase().chain(cs).collect::<String>()).unwrap_or_default()
        })
        .collect()
}
