//! A CloudFormation (or CDK-synthesized) template. Intrinsic functions count as wildcards where they can only widen
//! what is granted: in an Allow's `Action`/`Resource` a `Ref` or `Fn::GetAtt` reads as `*` and `${…}` in `Fn::Sub`
//! as `*`. Where a wildcard would take away (a Deny, or an Allow's `NotAction`/`NotResource`), the unknown part is
//! dropped instead, so nothing is subtracted on a guess.

use super::{bare_role, document, unknown_policy, Loaded, SourceError};
use crate::iam::reasoner::AttachedPolicy;
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const INPUT: &str = "CloudFormation template";

/// Reads a template (JSON; YAML templates can be converted with `cfn-flip` or synthesized by `cdk synth --json`).
pub fn cloudformation(v: &Value) -> Result<Loaded, SourceError> {
    let Some(resources) = v.get("Resources").and_then(Value::as_object) else {
        return Err(SourceError::Shape {
            input: INPUT,
            at: "(top level)".into(),
            problem: "no `Resources` object: expected a CloudFormation template in JSON".into(),
        });
    };
    let mut loaded = Loaded::default();
    let props = |r: &'_ Value| r.get("Properties").cloned().unwrap_or(Value::Object(Map::new()));
    let of_type =
        |t: &'static str| resources.iter().filter(move |(_, r)| r.get("Type").and_then(Value::as_str) == Some(t));

    // Managed policies defined in the template, by logical id.
    let mut managed: HashMap<&str, AttachedPolicy> = HashMap::new();
    for (id, r) in of_type("AWS::IAM::ManagedPolicy") {
        let p = props(r);
        let name = p.get("ManagedPolicyName").and_then(Value::as_str).unwrap_or(id).to_string();
        let document = document(&policy(p.get("PolicyDocument")), INPUT, || format!("{id}: PolicyDocument"))?;
        managed.insert(id, AttachedPolicy { name, document });
    }
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (id, r) in of_type("AWS::IAM::Role") {
        let p = props(r);
        let (name, arn) = match p.get("RoleName").and_then(Value::as_str) {
            Some(n) => (
                n.to_string(),
                format!("arn:aws:iam::*:role{}{n}", p.get("Path").and_then(Value::as_str).unwrap_or("/")),
            ),
            // Without a RoleName, CloudFormation names it <stack>-<logical id>-<suffix>.
            None => (id.to_string(), format!("arn:aws:iam::*:role/*{id}*")),
        };
        let trust = match p.get("AssumeRolePolicyDocument") {
            Some(d) => Some(document(&policy(Some(d)), INPUT, || format!("{id}: AssumeRolePolicyDocument"))?),
            None => None,
        };
        let mut role = bare_role(&name, arn, trust);
        for (i, inline) in p.get("Policies").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let policy_name = inline
                .get("PolicyName")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or(format!("Policies[{i}]"));
            let document = document(&policy(inline.get("PolicyDocument")), INPUT, || format!("{id}: {policy_name}"))?;
            role.identity.push(AttachedPolicy { name: policy_name, document });
        }
        for arn in p.get("ManagedPolicyArns").and_then(Value::as_array).into_iter().flatten() {
            role.identity.push(managed_ref(arn, &managed, &mut loaded.warnings, id));
        }
        if let Some(boundary) = p.get("PermissionsBoundary") {
            match ref_id(boundary).and_then(|b| managed.get(b)) {
                Some(policy) => role.boundary = Some(policy.clone()),
                None => {
                    loaded.warnings.push(format!("{id}: permissions boundary not in the template; counted as none"))
                }
            }
        }
        by_id.insert(id, loaded.inventory.roles.len());
        loaded.inventory.roles.push(role);
    }
    let targets = |roles_field: Option<&Value>, count: usize| -> Vec<usize> {
        let mut out = Vec::new();
        for entry in roles_field.and_then(Value::as_array).into_iter().flatten() {
            match (entry.as_str(), ref_id(entry)) {
                (Some(name), _) => out.extend((0..count).filter(|&i| loaded_name_matches(&by_id, resources, i, name))),
                (None, Some(id)) if by_id.contains_key(id) => out.push(by_id[id]),
                // A role we cannot resolve could be any of them.
                _ => out.extend(0..count),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    };
    let count = loaded.inventory.roles.len();
    for (id, r) in of_type("AWS::IAM::Policy") {
        let p = props(r);
        let name = p.get("PolicyName").and_then(Value::as_str).unwrap_or(id).to_string();
        let document = document(&policy(p.get("PolicyDocument")), INPUT, || format!("{id}: PolicyDocument"))?;
        for i in targets(p.get("Roles"), count) {
            loaded.inventory.roles[i].identity.push(AttachedPolicy { name: name.clone(), document: document.clone() });
        }
    }
    for (id, r) in of_type("AWS::IAM::ManagedPolicy") {
        for i in targets(props(r).get("Roles"), count) {
            loaded.inventory.roles[i].identity.push(managed[id.as_str()].clone());
        }
    }
    Ok(loaded)
}

/// Does role `i` carry the literal name `name`? (Roles are pushed in template order, as `by_id` records.)
fn loaded_name_matches(by_id: &HashMap<&str, usize>, resources: &Map<String, Value>, i: usize, name: &str) -> bool {
    by_id.iter().any(|(id, &j)| {
        j == i && resources[*id].pointer("/Properties/RoleName").and_then(Value::as_str).unwrap_or(id) == name
    })
}

fn managed_ref(
    arn: &Value,
    managed: &HashMap<&str, AttachedPolicy>,
    warnings: &mut Vec<String>,
    role: &str,
) -> AttachedPolicy {
    if let Some(policy) = ref_id(arn).and_then(|id| managed.get(id)) {
        return policy.clone();
    }
    let shown = arn.as_str().map(str::to_string).unwrap_or_else(|| arn.to_string());
    warnings.push(format!("{role}: managed policy {shown} is not in the template; counted as Allow *"));
    unknown_policy(&shown)
}

/// The logical id a `{"Ref": id}` names.
fn ref_id(v: &Value) -> Option<&str> {
    v.get("Ref").and_then(Value::as_str)
}

/// An intrinsic function call (`{"Ref": …}` or `{"Fn::…": …}`).
fn is_intrinsic(v: &Value) -> bool {
    v.as_object().is_some_and(|o| o.len() == 1 && o.keys().all(|k| k == "Ref" || k.starts_with("Fn::")))
}

/// A policy document with intrinsics resolved the sound way (see the module docs).
fn policy(doc: Option<&Value>) -> Value {
    let Some(Value::Object(doc)) = doc else { return doc.cloned().unwrap_or(Value::Null) };
    let mut doc = doc.clone();
    let statements = match doc.get("Statement") {
        Some(Value::Array(s)) => s.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => return Value::Object(doc),
    };
    let resolved: Vec<Value> = statements.iter().filter_map(statement).collect();
    doc.insert("Statement".into(), Value::Array(resolved));
    Value::Object(doc)
}

fn statement(s: &Value) -> Option<Value> {
    let Value::Object(s) = s else { return Some(s.clone()) };
    let mut s = s.clone();
    let deny = s.get("Effect").and_then(Value::as_str) == Some("Deny");
    if !deny {
        // An unknown Effect might be Allow.
        s.insert("Effect".into(), json!("Allow"));
    }
    for field in ["Action", "Resource", "NotAction", "NotResource", "Principal", "NotPrincipal"] {
        let Some(v) = s.get(field) else { continue };
        if !has_intrinsic(v) {
            continue;
        }
        let narrows = deny || field.starts_with("Not");
        if narrows {
            if deny {
                return None;
            }
            // NotAction/NotResource of an Allow: keep only the known exclusions; none left means everything.
            let known: Vec<Value> = as_list(v).into_iter().filter(|x| !has_intrinsic(x)).collect();
            s.remove(field);
            if known.is_empty() {
                s.insert(field.trim_start_matches("Not").into(), json!("*"));
            } else {
                s.insert(field.into(), Value::Array(known));
            }
        } else {
            s.insert(field.into(), widen(v));
        }
    }
    Some(Value::Object(s))
}

fn as_list(v: &Value) -> Vec<Value> {
    match v {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

fn has_intrinsic(v: &Value) -> bool {
    match v {
        Value::Array(items) => items.iter().any(has_intrinsic),
        Value::Object(o) => is_intrinsic(v) || o.values().any(has_intrinsic),
        _ => false,
    }
}

/// Intrinsics as the widest string they could produce.
fn widen(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(widen).collect()),
        _ if is_intrinsic(v) => Value::String(wildcard_string(v)),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), widen(x))).collect()),
        other => other.clone(),
    }
}

fn wildcard_string(v: &Value) -> String {
    let (name, arg) = v.as_object().and_then(|o| o.iter().next()).expect("an intrinsic has one key");
    match (name.as_str(), arg) {
        ("Fn::Sub", Value::String(s)) => sub_wildcards(s),
        ("Fn::Sub", Value::Array(a)) if a.first().is_some_and(Value::is_string) => {
            sub_wildcards(a[0].as_str().unwrap_or("*"))
        }
        ("Fn::Join", Value::Array(a)) if a.len() == 2 => {
            let sep = a[0].as_str().unwrap_or("");
            let parts = a[1].as_array().map(|p| {
                p.iter().map(|x| {
                    x.as_str().map(str::to_string).unwrap_or_else(|| {
                        if is_intrinsic(x) {
                            wildcard_string(x)
                        } else {
                            "*".into()
                        }
                    })
                })
            });
            match parts {
                Some(parts) => parts.collect::<Vec<_>>().join(sep),
                None => "*".into(),
            }
        }
        _ => "*".into(),
    }
}

/// `${…}` placeholders as `*`; `${!literal}` stays literal.
fn sub_wildcards(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find('}') {
            Some(end) if after.starts_with('!') => {
                out.push_str("${");
                out.push_str(&after[1..=end]);
                rest = &after[end + 1..];
            }
            Some(end) => {
                out.push('*');
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}
