//! A CloudFormation (or CDK-synthesized) template. Intrinsic functions count as wildcards where they can only widen
//! what is granted: in an Allow's `Action`/`Resource` a `Ref` or `Fn::GetAtt` reads as `*` and `${…}` in `Fn::Sub`
//! as `*`. Where a wildcard would take away (a Deny, or an Allow's `NotAction`/`NotResource`), the unknown part is
//! dropped instead, so nothing is subtracted on a guess. A role, user or group named by something other than a
//! literal or a `Ref` to the template's own resource could be any of them.

use super::{attach_group_policies, bare_role, bare_user, document, unknown_policy, Loaded, SourceError};
use crate::reasoner::{AttachedPolicy, Group, PrincipalKind};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

const INPUT: &str = "CloudFormation template";

/// What a `Roles`/`Users`/`Groups` entry can name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    Role,
    User,
    Group,
}

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
        let document =
            document(&policy(p.get("PolicyDocument"), resources), INPUT, || format!("{id}: PolicyDocument"))?;
        managed.insert(id, AttachedPolicy { name, document });
    }
    // Logical id → index into principals (roles, users) or groups.
    let mut by_id: HashMap<&str, usize> = HashMap::new();
    for (id, r) in resources.iter() {
        let (noun, name_field) = match r.get("Type").and_then(Value::as_str) {
            Some("AWS::IAM::Role") => ("role", "RoleName"),
            Some("AWS::IAM::User") => ("user", "UserName"),
            Some("AWS::IAM::Group") => ("group", "GroupName"),
            _ => continue,
        };
        let p = props(r);
        let (name, arn) = match p.get(name_field).and_then(Value::as_str) {
            Some(n) => (
                n.to_string(),
                format!("arn:aws:iam::*:{noun}{}{n}", p.get("Path").and_then(Value::as_str).unwrap_or("/")),
            ),
            // Without a name, CloudFormation names it <stack>-<logical id>-<suffix>.
            None => (id.to_string(), format!("arn:aws:iam::*:{noun}/*{id}*")),
        };
        let mut policies = Vec::new();
        for (i, inline) in p.get("Policies").and_then(Value::as_array).into_iter().flatten().enumerate() {
            let policy_name = inline
                .get("PolicyName")
                .and_then(Value::as_str)
                .map(str::to_string)
                .unwrap_or(format!("Policies[{i}]"));
            let document =
                document(&policy(inline.get("PolicyDocument"), resources), INPUT, || format!("{id}: {policy_name}"))?;
            policies.push(AttachedPolicy { name: policy_name, document });
        }
        for arn in p.get("ManagedPolicyArns").and_then(Value::as_array).into_iter().flatten() {
            policies.push(managed_ref(arn, &managed, &mut loaded.warnings, id));
        }
        if noun == "group" {
            by_id.insert(id, loaded.inventory.groups.len());
            loaded.inventory.groups.push(Group { name, arn, policies });
            continue;
        }
        let mut principal = if noun == "role" {
            let trust = match p.get("AssumeRolePolicyDocument") {
                Some(d) => {
                    Some(document(&policy(Some(d), resources), INPUT, || format!("{id}: AssumeRolePolicyDocument"))?)
                }
                None => None,
            };
            bare_role(&name, arn, trust)
        } else {
            bare_user(&name, arn)
        };
        principal.identity = policies;
        if let Some(boundary) = p.get("PermissionsBoundary") {
            match ref_id(boundary).and_then(|b| managed.get(b)) {
                Some(policy) => principal.boundary = Some(policy.clone()),
                None => {
                    loaded.warnings.push(format!("{id}: permissions boundary not in the template; counted as none"))
                }
            }
        }
        by_id.insert(id, loaded.inventory.principals.len());
        loaded.inventory.principals.push(principal);
    }

    // Which of the template's roles, users or groups a list of names (literals or Refs) picks.
    let inventory = loaded.inventory.clone();
    let targets = |list: Option<&Value>, target: Target| -> Vec<usize> {
        let all: Vec<usize> = match target {
            Target::Group => (0..inventory.groups.len()).collect(),
            Target::Role | Target::User => {
                let kind = if target == Target::Role { PrincipalKind::Role } else { PrincipalKind::User };
                (0..inventory.principals.len()).filter(|&i| inventory.principals[i].kind == kind).collect()
            }
        };
        let name_of = |i: usize| match target {
            Target::Group => inventory.groups[i].name.as_str(),
            _ => inventory.principals[i].name.as_str(),
        };
        let mut out = Vec::new();
        let entries = match list {
            Some(Value::Array(items)) => items.clone(),
            Some(single) => vec![single.clone()],
            None => Vec::new(),
        };
        for entry in &entries {
            match (entry.as_str(), ref_id(entry)) {
                (Some(name), _) => out.extend(all.iter().copied().filter(|&i| name_of(i) == name)),
                (None, Some(id)) if holder(resources, id) == Some(target) => out.push(by_id[id]),
                // One we cannot resolve could be any of them.
                _ => out.extend(all.iter().copied()),
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    };
    let apply = |loaded: &mut Loaded, p: &Value, field: &str, target: Target, policy: &AttachedPolicy| {
        for i in targets(p.get(field), target) {
            match target {
                Target::Group => loaded.inventory.groups[i].policies.push(policy.clone()),
                _ => loaded.inventory.principals[i].identity.push(policy.clone()),
            }
        }
    };
    const HOLDERS: [(&str, Target); 3] = [("Roles", Target::Role), ("Users", Target::User), ("Groups", Target::Group)];
    for (id, r) in of_type("AWS::IAM::Policy") {
        let p = props(r);
        let name = p.get("PolicyName").and_then(Value::as_str).unwrap_or(id).to_string();
        let policy = AttachedPolicy {
            name,
            document: document(&policy(p.get("PolicyDocument"), resources), INPUT, || format!("{id}: PolicyDocument"))?,
        };
        for (field, target) in HOLDERS {
            apply(&mut loaded, &p, field, target, &policy);
        }
    }
    for (id, r) in of_type("AWS::IAM::ManagedPolicy") {
        let p = props(r);
        for (field, target) in HOLDERS {
            apply(&mut loaded, &p, field, target, &managed[id.as_str()]);
        }
    }
    // The single-holder inline policy types.
    for (kind, field, target) in [
        ("AWS::IAM::RolePolicy", "RoleName", Target::Role),
        ("AWS::IAM::UserPolicy", "UserName", Target::User),
        ("AWS::IAM::GroupPolicy", "GroupName", Target::Group),
    ] {
        for (id, r) in of_type(kind) {
            let p = props(r);
            let name = p.get("PolicyName").and_then(Value::as_str).unwrap_or(id).to_string();
            let policy = AttachedPolicy {
                name,
                document: document(&policy(p.get("PolicyDocument"), resources), INPUT, || {
                    format!("{id}: PolicyDocument")
                })?,
            };
            apply(&mut loaded, &p, field, target, &policy);
        }
    }

    // Memberships: a user's `Groups`, and `UserToGroupAddition`.
    let group_names = |list: Option<&Value>| -> Vec<String> {
        let entries = match list {
            Some(Value::Array(items)) => items.clone(),
            Some(single) => vec![single.clone()],
            None => Vec::new(),
        };
        let mut out = Vec::new();
        for entry in &entries {
            let group = ref_id(entry).filter(|id| holder(resources, id) == Some(Target::Group));
            match (entry.as_str(), group.and_then(|id| by_id.get(id))) {
                // A group outside the template: attach_group_policies counts it as Allow *.
                (Some(name), _) => out.push(name.to_string()),
                (None, Some(&i)) => out.push(inventory.groups[i].name.clone()),
                _ => out.push(format!("(unresolved: {entry})")),
            }
        }
        out
    };
    for (id, r) in of_type("AWS::IAM::User") {
        let groups = group_names(props(r).get("Groups"));
        loaded.inventory.principals[by_id[id.as_str()]].groups.extend(groups);
    }
    for (_, r) in of_type("AWS::IAM::UserToGroupAddition") {
        let p = props(r);
        let groups = group_names(p.get("GroupName"));
        for i in targets(p.get("Users"), Target::User) {
            let user = &mut loaded.inventory.principals[i];
            for g in &groups {
                if !user.groups.contains(g) {
                    user.groups.push(g.clone());
                }
            }
        }
    }
    attach_group_policies(&mut loaded);
    Ok(loaded)
}

/// Whether logical id `id` is one of the template's roles, users or groups.
fn holder(resources: &Map<String, Value>, id: &str) -> Option<Target> {
    match resources.get(id)?.get("Type")?.as_str()? {
        "AWS::IAM::Role" => Some(Target::Role),
        "AWS::IAM::User" => Some(Target::User),
        "AWS::IAM::Group" => Some(Target::Group),
        _ => None,
    }
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

/// A policy document with intrinsics resolved the sound way (see the module docs); `resources` are the template's,
/// for the intrinsics whose value the template itself fixes (a bucket's literal name).
fn policy(doc: Option<&Value>, resources: &Map<String, Value>) -> Value {
    let Some(Value::Object(doc)) = doc else { return doc.cloned().unwrap_or(Value::Null) };
    let mut doc = doc.clone();
    let statements = match doc.get("Statement") {
        Some(Value::Array(s)) => s.clone(),
        Some(s @ Value::Object(_)) => vec![s.clone()],
        _ => return Value::Object(doc),
    };
    let resolved: Vec<Value> = statements.iter().filter_map(|st| statement(st, resources)).collect();
    doc.insert("Statement".into(), Value::Array(resolved));
    Value::Object(doc)
}

fn statement(s: &Value, resources: &Map<String, Value>) -> Option<Value> {
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
            s.insert(field.into(), widen(v, resources));
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
fn widen(v: &Value, resources: &Map<String, Value>) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.iter().map(|x| widen(x, resources)).collect()),
        _ if is_intrinsic(v) => Value::String(wildcard_string(v, resources)),
        Value::Object(o) => Value::Object(o.iter().map(|(k, x)| (k.clone(), widen(x, resources))).collect()),
        other => other.clone(),
    }
}

/// The literal `BucketName` of the template's S3 bucket `id`, if it has one.
fn bucket_name<'a>(resources: &'a Map<String, Value>, id: &str) -> Option<&'a str> {
    let r = resources.get(id)?;
    (r.get("Type")?.as_str()? == "AWS::S3::Bucket").then_some(())?;
    r.get("Properties")?.get("BucketName")?.as_str()
}

fn wildcard_string(v: &Value, resources: &Map<String, Value>) -> String {
    let Some((name, arg)) = v.as_object().and_then(|o| o.iter().next()) else { return "*".into() };
    match (name.as_str(), arg) {
        // A bucket the template names literally: its name, and its ARN in whatever partition the stack is in.
        ("Ref", Value::String(id)) if bucket_name(resources, id).is_some() => {
            bucket_name(resources, id).unwrap_or("*").to_string()
        }
        ("Fn::GetAtt", Value::Array(a))
            if a.len() == 2 && a[1] == "Arn" && a[0].as_str().and_then(|id| bucket_name(resources, id)).is_some() =>
        {
            format!("arn:*:s3:::{}", a[0].as_str().and_then(|id| bucket_name(resources, id)).unwrap_or("*"))
        }
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
                            wildcard_string(x, resources)
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
