//! IAM policy documents, parsed faithfully: `Statement` as object or array; `Action`/`NotAction` and
//! `Resource`/`NotResource` as string or array; `Condition`; `Principal`/`NotPrincipal`; URL-encoded documents (as
//! `GetRolePolicy` returns them); policy variables. An invalid document is an error naming the statement and field.

use crate::Pattern;
use scalegate_core::json::kind;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// `Effect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Grants.
    Allow,
    /// Takes away, whatever else grants.
    Deny,
}

/// Patterns with the sense they are listed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Matcher {
    /// `Action` / `Resource` / `Principal`: these.
    Only(Vec<Pattern>),
    /// `NotAction` / `NotResource` / `NotPrincipal`: everything but these.
    AllBut(Vec<Pattern>),
}

/// One statement.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// Position in the document, from 0.
    pub index: usize,
    /// `Sid`, when given.
    pub sid: Option<String>,
    /// Allow or Deny.
    pub effect: Effect,
    /// `Action` or `NotAction` (case-insensitive patterns).
    pub actions: Matcher,
    /// `Resource` or `NotResource` (case-sensitive); absent in trust policies.
    pub resources: Option<Matcher>,
    /// `Principal` or `NotPrincipal` by kind (`AWS`, `Service`, `Federated`, `CanonicalUser`; `*` as kind `*`).
    pub principals: Option<(bool, BTreeMap<String, Vec<String>>)>,
    /// `Condition`, as written.
    pub condition: Option<Map<String, Value>>,
    /// True when a resource used a policy variable (`${aws:username}`): it was widened to `*`, so for a Deny the
    /// statement cannot prove anything is denied.
    pub uses_variables: bool,
    /// The services `actions` can name, worked out once: most questions ask about a service a statement does not
    /// mention, and this answers them without matching patterns.
    pub services: Services,
}

/// The services an action list can name, as a sorted set of hashes of lower-cased prefixes
/// ([`Pattern::service_hash`]), or any service (a wildcard in the service part, or `NotAction`). A hash collision
/// only makes [`Services::may_include`] say "maybe", which is the sound side for a filter.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Services {
    any: bool,
    prefixes: Vec<u64>,
}

impl Services {
    /// The services `actions` can name.
    pub fn of(actions: &Matcher) -> Self {
        let Matcher::Only(patterns) = actions else { return Self { any: true, prefixes: Vec::new() } };
        let mut prefixes = Vec::with_capacity(patterns.len());
        for p in patterns {
            match p.service_hash() {
                Some(service) => prefixes.push(service),
                None => return Self { any: true, prefixes: Vec::new() },
            }
        }
        prefixes.sort_unstable();
        prefixes.dedup();
        Self { any: false, prefixes }
    }

    /// The services any Allow statement of these policies can name: what a principal may be granted at all.
    pub fn allowed_by<'a>(policies: impl IntoIterator<Item = &'a PolicyDocument>) -> Self {
        let mut out = Self::default();
        for s in policies.into_iter().flat_map(|d| &d.statements).filter(|s| s.effect == Effect::Allow) {
            if s.services.any {
                return Self { any: true, prefixes: Vec::new() };
            }
            out.prefixes.extend_from_slice(&s.services.prefixes);
        }
        out.prefixes.sort_unstable();
        out.prefixes.dedup();
        out
    }

    /// Could an action `pattern` matches be one of these services? (`false` proves it cannot.)
    pub fn may_include(&self, pattern: &Pattern) -> bool {
        self.any || pattern.service_hash().is_none_or(|s| self.prefixes.binary_search(&s).is_ok())
    }
}

impl Statement {
    /// `Sid` or `#index`, for messages and witnesses.
    pub fn label(&self) -> String {
        self.sid.clone().unwrap_or_else(|| format!("#{}", self.index))
    }

    /// True when the statement has a non-empty `Condition`.
    pub fn is_conditional(&self) -> bool {
        self.condition.as_ref().is_some_and(|c| !c.is_empty())
    }
}

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct PolicyDocument {
    /// `Version`, when given.
    pub version: Option<String>,
    /// Statements in order.
    pub statements: Vec<Statement>,
}

/// Why a document was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    /// Not JSON.
    #[error("policy is not valid JSON: {0}")]
    Json(String),
    /// Percent-encoding that does not decode.
    #[error("policy is URL-encoded but does not decode: {0}")]
    Encoding(String),
    /// A document-level problem.
    #[error("policy field `{field}` {problem}")]
    Document {
        /// The policy field at fault (`Action`, `Resource`, …).
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
    /// A statement-level problem.
    #[error("statement {statement}: field `{field}` {problem}")]
    Statement {
        /// `Sid` or `#index`.
        statement: String,
        /// The policy field at fault.
        field: &'static str,
        /// What is wrong.
        problem: String,
    },
}

/// Parses a policy document, decoding it first if it arrives URL-encoded.
pub fn parse_policy(text: &str) -> Result<PolicyDocument, PolicyError> {
    let trimmed = text.trim_start();
    let decoded;
    let json = if trimmed.starts_with('%') || (!trimmed.starts_with('{') && trimmed.contains("%7B")) {
        decoded = percent_decode(trimmed)?;
        decoded.as_str()
    } else {
        trimmed
    };
    let value: Value = serde_json::from_str(json).map_err(|e| PolicyError::Json(e.to_string()))?;
    parse_policy_value(&value)
}

/// Parses an already-decoded JSON document.
pub fn parse_policy_value(value: &Value) -> Result<PolicyDocument, PolicyError> {
    let doc = value
        .as_object()
        .ok_or_else(|| PolicyError::Document { field: "(document)", problem: "must be a JSON object".into() })?;
    let version = match doc.get("Version") {
        None => None,
        Some(Value::String(v)) if v == "2012-10-17" || v == "2008-10-17" => Some(v.clone()),
        Some(other) => {
            return Err(PolicyError::Document {
                field: "Version",
                problem: format!("must be \"2012-10-17\" or \"2008-10-17\", found {other}"),
            })
        }
    };
    let statements = match doc.get("Statement") {
        Some(Value::Array(items)) => items.iter().collect::<Vec<_>>(),
        Some(obj @ Value::Object(_)) => vec![obj],
        Some(other) => {
            return Err(PolicyError::Document {
                field: "Statement",
                problem: format!("must be an object or an array, found {}", kind(other)),
            })
        }
        None => return Err(PolicyError::Document { field: "Statement", problem: "is missing".into() }),
    };
    let statements = statements.into_iter().enumerate().map(|(i, s)| statement(i, s)).collect::<Result<Vec<_>, _>>()?;
    Ok(PolicyDocument { version, statements })
}

fn statement(index: usize, value: &Value) -> Result<Statement, PolicyError> {
    let label = value
        .get("Sid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map_or_else(|| format!("#{index}"), str::to_owned);
    let err =
        |field: &'static str, problem: String| PolicyError::Statement { statement: label.clone(), field, problem };
    let obj =
        value.as_object().ok_or_else(|| err("(statement)", format!("must be an object, found {}", kind(value))))?;
    let effect = match obj.get("Effect") {
        Some(Value::String(e)) if e == "Allow" => Effect::Allow,
        Some(Value::String(e)) if e == "Deny" => Effect::Deny,
        Some(other) => return Err(err("Effect", format!("must be \"Allow\" or \"Deny\", found {other}"))),
        None => return Err(err("Effect", "is missing".into())),
    };
    let actions = match (obj.get("Action"), obj.get("NotAction")) {
        (Some(_), Some(_)) => return Err(err("Action", "and `NotAction` cannot both be present".into())),
        (None, None) => return Err(err("Action", "(or `NotAction`) is missing".into())),
        (Some(v), None) => Matcher::Only(action_patterns(v, "Action", &err)?),
        (None, Some(v)) => Matcher::AllBut(action_patterns(v, "NotAction", &err)?),
    };
    let mut uses_variables = false;
    let resources = match (obj.get("Resource"), obj.get("NotResource")) {
        (Some(_), Some(_)) => return Err(err("Resource", "and `NotResource` cannot both be present".into())),
        (None, None) => None,
        (Some(v), None) => Some(Matcher::Only(resource_patterns(v, "Resource", &err, &mut uses_variables)?)),
        (None, Some(v)) => Some(Matcher::AllBut(resource_patterns(v, "NotResource", &err, &mut uses_variables)?)),
    };
    let principals = match (obj.get("Principal"), obj.get("NotPrincipal")) {
        (Some(_), Some(_)) => return Err(err("Principal", "and `NotPrincipal` cannot both be present".into())),
        (None, None) => None,
        (Some(v), None) => Some((false, principal_map(v, "Principal", &err)?)),
        (None, Some(v)) => Some((true, principal_map(v, "NotPrincipal", &err)?)),
    };
    let condition = match obj.get("Condition") {
        None => None,
        Some(Value::Object(c)) => Some(c.clone()),
        Some(other) => return Err(err("Condition", format!("must be an object, found {}", kind(other)))),
    };
    Ok(Statement {
        index,
        sid: obj.get("Sid").and_then(Value::as_str).map(str::to_owned),
        effect,
        services: Services::of(&actions),
        actions,
        resources,
        principals,
        condition,
        uses_variables,
    })
}

fn strings<'a>(
    v: &'a Value,
    field: &'static str,
    err: &dyn Fn(&'static str, String) -> PolicyError,
) -> Result<Vec<&'a str>, PolicyError> {
    match v {
        Value::String(s) => Ok(vec![s.as_str()]),
        Value::Array(items) if !items.is_empty() => items
            .iter()
            .map(|i| i.as_str().ok_or_else(|| err(field, format!("must hold strings, found {}", kind(i)))))
            .collect(),
        Value::Array(_) => Err(err(field, "is an empty list".into())),
        other => Err(err(field, format!("must be a string or a list of strings, found {}", kind(other)))),
    }
}

fn action_patterns(
    v: &Value,
    field: &'static str,
    err: &dyn Fn(&'static str, String) -> PolicyError,
) -> Result<Vec<Pattern>, PolicyError> {
    strings(v, field, err)?
        .into_iter()
        .map(|a| {
            if a == "*" || a.split_once(':').is_some_and(|(s, n)| !s.is_empty() && !n.is_empty()) {
                Ok(Pattern::action(a))
            } else {
                Err(err(field, format!("has `{a}`, which is not `*` or `service:action`")))
            }
        })
        .collect()
}

fn resource_patterns(
    v: &Value,
    field: &'static str,
    err: &dyn Fn(&'static str, String) -> PolicyError,
    uses_variables: &mut bool,
) -> Result<Vec<Pattern>, PolicyError> {
    Ok(strings(v, field, err)?
        .into_iter()
        .map(|r| {
            let (widened, had) = widen_variables(r);
            *uses_variables |= had;
            Pattern::resource(&widened)
        })
        .collect())
}

/// `${aws:username}` and friends become `*`: an over-approximation, sound for what an Allow may grant.
fn widen_variables(s: &str) -> (String, bool) {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut had = false;
    while let Some(start) = rest.find("${") {
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str(&rest[..start]);
                out.push('*');
                had = true;
                rest = &rest[start + end + 1..];
            }
            None => break,
        }
    }
    out.push_str(rest);
    (out, had)
}

fn principal_map(
    v: &Value,
    field: &'static str,
    err: &dyn Fn(&'static str, String) -> PolicyError,
) -> Result<BTreeMap<String, Vec<String>>, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(BTreeMap::from([("*".to_string(), vec!["*".to_string()])])),
        Value::Object(m) => m
            .iter()
            .map(|(k, v)| Ok((k.clone(), strings(v, field, err)?.into_iter().map(str::to_owned).collect())))
            .collect(),
        other => Err(err(field, format!("must be \"*\" or an object, found {}", kind(other)))),
    }
}

fn percent_decode(s: &str) -> Result<String, PolicyError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                let byte = hex
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| PolicyError::Encoding(format!("bad escape at byte {i}")))?;
                out.push(byte);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).map_err(|e| PolicyError::Encoding(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statement_as_object_or_array_and_strings_or_lists() {
        let one = parse_policy(
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#,
        )
        .unwrap();
        assert_eq!(one.statements.len(), 1);
        assert_eq!(one.statements[0].actions, Matcher::Only(vec![Pattern::action("s3:GetObject")]));
        let many = parse_policy(
            r#"{"Statement":[{"Sid":"A","Effect":"Deny","NotAction":["iam:*","sts:*"],"NotResource":["arn:aws:s3:::b/*"],
                "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#,
        )
        .unwrap();
        let s = &many.statements[0];
        assert_eq!(s.effect, Effect::Deny);
        assert!(matches!(&s.actions, Matcher::AllBut(p) if p.len() == 2));
        assert!(matches!(&s.resources, Some(Matcher::AllBut(_))));
        assert!(s.is_conditional());
        assert_eq!(s.label(), "A");
    }

    #[test]
    fn url_encoded_documents_decode() {
        let encoded = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22ec2%3ADescribe%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D";
        let doc = parse_policy(encoded).unwrap();
        assert_eq!(doc.statements[0].actions, Matcher::Only(vec![Pattern::action("ec2:Describe*")]));
        assert!(matches!(parse_policy("%7B%2"), Err(PolicyError::Encoding(_))));
    }

    #[test]
    fn trust_policies_have_principals_and_no_resource() {
        let doc = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com"],"AWS":"arn:aws:iam::1:root"},"Action":"sts:AssumeRole"}]}"#,
        )
        .unwrap();
        let (negated, p) = doc.statements[0].principals.clone().unwrap();
        assert!(!negated);
        assert_eq!(p["Service"], ["lambda.amazonaws.com"]);
        assert!(doc.statements[0].resources.is_none());
        let any =
            parse_policy(r#"{"Statement":[{"Effect":"Allow","NotPrincipal":"*","Action":"sts:AssumeRole"}]}"#).unwrap();
        assert!(any.statements[0].principals.as_ref().unwrap().0);
    }

    #[test]
    fn policy_variables_widen_and_are_flagged() {
        let doc = parse_policy(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::home/${aws:username}/*"}]}"#,
        )
        .unwrap();
        let s = &doc.statements[0];
        assert!(s.uses_variables);
        assert_eq!(s.resources, Some(Matcher::Only(vec![Pattern::resource("arn:aws:s3:::home/*/*")])));
    }

    #[test]
    fn errors_name_the_statement_and_field() {
        let cases = [
            (
                r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
                "statement #0: field `Action` (or `NotAction`) is missing",
            ),
            (r#"{"Statement":[{"Sid":"X","Effect":"allow","Action":"s3:*"}]}"#, "statement X: field `Effect` must be"),
            (r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*"}]}"#, "cannot both be present"),
            (
                r#"{"Statement":[{},{"Effect":"Allow","Action":[1],"Resource":"*"}]}"#,
                "statement #0: field `Effect` is missing",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3GetObject","Resource":"*"}]}"#,
                "not `*` or `service:action`",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":[]}]}"#,
                "field `Resource` is an empty list",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"s3:*","Condition":"x"}]}"#,
                "field `Condition` must be an object",
            ),
            (r#"{"Version":"2020-01-01","Statement":[]}"#, "policy field `Version`"),
            (r#"{"Statement":"x"}"#, "policy field `Statement` must be an object or an array"),
            (r#"{"Version":"2012-10-17"}"#, "policy field `Statement` is missing"),
            (r#"{"Statement":["#, "not valid JSON"),
        ];
        for (doc, want) in cases {
            let got = parse_policy(doc).unwrap_err().to_string();
            assert!(got.contains(want), "{doc}\n  got: {got}\n want: {want}");
        }
    }
}

#[cfg(test)]
mod corpus {
    use super::*;

    /// Every AWS managed policy in the shared corpus parses (skipped, saying so, where the corpus is absent).
    #[test]
    fn every_aws_managed_policy_parses() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/corpora/aws-managed-policies.jsonl");
        let Ok(text) = std::fs::read_to_string(path) else {
            eprintln!("SKIPPED: {path} not found; the managed-policy corpus check did not run");
            return;
        };
        let mut parsed = 0;
        for (n, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
            let entry: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("corpus line {}: {e}", n + 1));
            let doc = parse_policy_value(&entry["document"])
                .unwrap_or_else(|e| panic!("{}: {e}", entry["name"].as_str().unwrap_or("?")));
            assert!(!doc.statements.is_empty(), "{}", entry["name"]);
            parsed += 1;
        }
        assert!(parsed > 1000, "only {parsed} policies in the corpus");
    }

    #[test]
    fn a_statements_services_rule_out_only_what_its_patterns_cannot_match() {
        let services = |actions: &str| {
            let doc =
                parse_policy(&format!(r#"{{"Statement":[{{"Effect":"Allow","Action":{actions},"Resource":"*"}}]}}"#))
                    .unwrap();
            doc.statements[0].services.clone()
        };
        for (actions, asked, may) in [
            (r#"["s3:Get*", "EC2:Describe*"]"#, "S3:GetObject", true),
            (r#"["s3:Get*", "EC2:Describe*"]"#, "ec2:RunInstances", true),
            (r#"["s3:Get*", "EC2:Describe*"]"#, "iam:PassRole", false),
            (r#"["s3:Get*"]"#, "*:GetObject", true),
            (r#"["s3:Get*"]"#, "s?:GetObject", true),
            (r#"["s*:Get"]"#, "iam:PassRole", true),
            (r#""*""#, "iam:PassRole", true),
        ] {
            assert_eq!(services(actions).may_include(&Pattern::action(asked)), may, "{actions} / {asked}");
        }
        let not_action =
            parse_policy(r#"{"Statement":[{"Effect":"Allow","NotAction":"s3:*","Resource":"*"}]}"#).unwrap();
        assert!(not_action.statements[0].services.may_include(&Pattern::action("s3:GetObject")));
    }
}
