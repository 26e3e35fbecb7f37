//! The two conditions on `iam:PassRole` that a path can decide: `iam:PassedToService` (the service is known on the
//! path) and `iam:AssociatedResourceArn` (its service part is). Any other condition on an Allow may hold, so it
//! never excludes a statement; an operator the audit does not know never does either.

use super::services::arn_namespace;
use crate::policy::Statement;
use crate::Pattern;
use serde_json::Value;

/// True when the statement's condition provably fails when the role is passed to `service`.
pub(super) fn excludes_service(statement: &Statement, service: &str) -> bool {
    let Some(condition) = &statement.condition else { return false };
    condition.iter().any(|(operator, block)| {
        let Some(block) = block.as_object() else { return false };
        block.iter().any(|(key, values)| {
            let values = strings(values);
            if key.eq_ignore_ascii_case("iam:PassedToService") {
                fails(operator, &values, service)
            } else if key.eq_ignore_ascii_case("iam:AssociatedResourceArn") {
                arn_namespace(service).is_some_and(|ns| arn_fails(operator, &values, &ns))
            } else {
                false
            }
        })
    })
}

/// True when the statement restricts `iam:PassedToService` to exact service names only, so it passes roles to
/// those services and no other.
pub(super) fn names_services_exactly(statement: &Statement) -> Option<Vec<String>> {
    let condition = statement.condition.as_ref()?;
    for (operator, block) in condition {
        let (base, _) = parse_operator(operator);
        if !matches!(base.as_str(), "stringequals" | "stringequalsignorecase") {
            continue;
        }
        for (key, values) in block.as_object()? {
            if key.eq_ignore_ascii_case("iam:PassedToService") {
                let values = strings(values);
                if values.iter().all(|v| !v.contains(['*', '?', '$'])) {
                    return Some(values);
                }
            }
        }
    }
    None
}

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_owned)).collect(),
        other => vec![other.to_string()],
    }
}

/// `ForAnyValue:StringLikeIfExists` → (`stringlike`, negated?): set qualifiers and `IfExists` do not change the
/// answer for a key that is always present with one value.
fn parse_operator(operator: &str) -> (String, bool) {
    let op = operator.rsplit(':').next().unwrap_or(operator).to_ascii_lowercase();
    let op = op.trim_end_matches("ifexists").to_string();
    let negated = op.contains("not");
    (op, negated)
}

/// Does the condition fail for `actual`? Only the string operators are decided; others may hold.
fn fails(operator: &str, values: &[String], actual: &str) -> bool {
    let (op, _) = parse_operator(operator);
    // Policy variables could be anything.
    if values.iter().any(|v| v.contains("${")) {
        return false;
    }
    let equal = || values.iter().any(|v| v.eq_ignore_ascii_case(actual));
    let like = || values.iter().any(|v| Pattern::action(v).matches(actual));
    match op.as_str() {
        "stringequals" | "stringequalsignorecase" => !equal(),
        "stringlike" => !like(),
        "stringnotequals" | "stringnotequalsignorecase" => equal(),
        "stringnotlike" => like(),
        _ => false,
    }
}

/// Does an ARN condition fail for every resource of ARN namespace `namespace`?
fn arn_fails(operator: &str, values: &[String], namespace: &str) -> bool {
    let (op, negated) = parse_operator(operator);
    if negated || values.iter().any(|v| v.contains("${")) {
        return false;
    }
    if !matches!(op.as_str(), "arnequals" | "arnlike" | "stringequals" | "stringlike") {
        return false;
    }
    // Fails when no value's service part can be the namespace.
    values.iter().all(|v| {
        let service = v.split(':').nth(2).unwrap_or("*");
        !Pattern::action(service).matches(namespace) && !service.contains(['*', '?'])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_policy;

    fn statement(condition: &str) -> Statement {
        let doc = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"*","Condition":{condition}}}]}}"#
        );
        parse_policy(&doc).unwrap().statements.remove(0)
    }

    #[test]
    fn passed_to_service_decides_the_service() {
        let s = statement(r#"{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}"#);
        assert!(!excludes_service(&s, "lambda.amazonaws.com"));
        assert!(excludes_service(&s, "ec2.amazonaws.com"));
        assert_eq!(names_services_exactly(&s), Some(vec!["lambda.amazonaws.com".to_string()]));
        let like = statement(r#"{"StringLike":{"iam:PassedToService":["ecs*.amazonaws.com"]}}"#);
        assert!(!excludes_service(&like, "ecs-tasks.amazonaws.com"));
        assert!(excludes_service(&like, "glue.amazonaws.com"));
        assert_eq!(names_services_exactly(&like), None);
        let not = statement(r#"{"StringNotEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#);
        assert!(excludes_service(&not, "ec2.amazonaws.com") && !excludes_service(&not, "lambda.amazonaws.com"));
        let any = statement(r#"{"ForAnyValue:StringEquals":{"iam:PassedToService":["glue.amazonaws.com"]}}"#);
        assert!(excludes_service(&any, "ec2.amazonaws.com"));
    }

    #[test]
    fn associated_resource_arns_decide_by_their_service_part() {
        let s = statement(r#"{"ArnLike":{"iam:AssociatedResourceArn":"arn:aws:ec2:*:*:instance/*"}}"#);
        assert!(!excludes_service(&s, "ec2.amazonaws.com"));
        assert!(excludes_service(&s, "lambda.amazonaws.com"));
        let any = statement(r#"{"ArnLike":{"iam:AssociatedResourceArn":"arn:aws:*:*:*:*"}}"#);
        assert!(!excludes_service(&any, "lambda.amazonaws.com"));
    }

    #[test]
    fn other_conditions_and_operators_never_exclude() {
        for c in [
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
            r#"{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}"#,
            r#"{"NumericLessThan":{"iam:PassedToService":"1"}}"#,
            r#"{"StringEquals":{"iam:PassedToService":"${aws:PrincipalTag/service}"}}"#,
        ] {
            assert!(!excludes_service(&statement(c), "lambda.amazonaws.com"), "{c}");
        }
    }
}
