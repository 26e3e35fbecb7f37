//! Duties: which principals must never reach which classes of actions (`policies/duties.toml`).

use super::pattern::Pattern;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The project's own duties, the default when no file is given.
pub const BUILTIN: &str = include_str!("../../../../policies/duties.toml");

/// A parsed duties file.
#[derive(Debug, Clone, PartialEq)]
pub struct Duties {
    /// Class name → action patterns.
    pub classes: BTreeMap<String, Vec<Pattern>>,
    /// Duties in file order.
    pub duties: Vec<Duty>,
}

/// One duty.
#[derive(Debug, Clone, PartialEq)]
pub struct Duty {
    /// Its name.
    pub name: String,
    /// Role names or ARNs it applies to (case-sensitive patterns).
    pub principals: Vec<Pattern>,
    /// Classes the principals must not reach.
    pub forbid: Vec<String>,
}

/// Why a duties file was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid duties {origin}: {message}")]
pub struct DutiesError {
    /// File path or `<builtin>`.
    pub origin: String,
    /// What is wrong, naming the class, duty or key.
    pub message: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    classes: BTreeMap<String, Vec<String>>,
    // Missing duties are reported after the classes are checked, with a clearer message than serde's.
    #[serde(rename = "duty", default)]
    duties: Vec<RawDuty>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDuty {
    name: String,
    principals: Vec<String>,
    forbid: Vec<String>,
}

impl Duties {
    /// The built-in duties.
    pub fn builtin() -> Result<Self, DutiesError> {
        Self::from_toml(BUILTIN, "<builtin policies/duties.toml>")
    }

    /// Parses and validates a duties file.
    pub fn from_toml(text: &str, origin: &str) -> Result<Self, DutiesError> {
        let err = |message: String| DutiesError { origin: origin.to_string(), message };
        let raw: RawFile = toml::from_str(text).map_err(|e| err(crate::json::toml_error(text, &e)))?;
        let mut classes = BTreeMap::new();
        for (name, actions) in raw.classes {
            if actions.is_empty() {
                return Err(err(format!("class `{name}` lists no actions")));
            }
            let mut patterns = Vec::with_capacity(actions.len());
            for a in actions {
                if !(a == "*" || a.split_once(':').is_some_and(|(s, n)| !s.is_empty() && !n.is_empty())) {
                    return Err(err(format!("class `{name}`: `{a}` is not `*` or `service:action`")));
                }
                patterns.push(Pattern::action(&a));
            }
            classes.insert(name, patterns);
        }
        let mut duties: Vec<Duty> = Vec::new();
        for d in raw.duties {
            if duties.iter().any(|x| x.name == d.name) {
                return Err(err(format!("duty `{}` is defined twice", d.name)));
            }
            if d.principals.is_empty() {
                return Err(err(format!("duty `{}` names no principals", d.name)));
            }
            if d.forbid.is_empty() {
                return Err(err(format!("duty `{}` forbids no class", d.name)));
            }
            if let Some(unknown) = d.forbid.iter().find(|c| !classes.contains_key(*c)) {
                let known: Vec<&str> = classes.keys().map(String::as_str).collect();
                return Err(err(format!(
                    "duty `{}` forbids unknown class `{unknown}` (classes: {})",
                    d.name,
                    known.join(", ")
                )));
            }
            duties.push(Duty {
                name: d.name,
                principals: d.principals.iter().map(|p| Pattern::resource(p)).collect(),
                forbid: d.forbid,
            });
        }
        if duties.is_empty() {
            return Err(err("no [[duty]] defined".into()));
        }
        Ok(Self { classes, duties })
    }

    /// Duties that apply to a role, matched by name or by ARN.
    pub fn for_role<'a>(&'a self, name: &'a str, arn: &'a str) -> impl Iterator<Item = &'a Duty> + 'a {
        self.duties.iter().filter(move |d| d.principals.iter().any(|p| p.matches(name) || p.matches(arn)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_duties_have_the_required_classes_and_duties() {
        let d = Duties::builtin().unwrap();
        for class in ["scaling", "deploy", "data", "iam-admin"] {
            assert!(d.classes.contains_key(class), "{class}");
        }
        let names: Vec<_> = d.duties.iter().map(|d| d.name.as_str()).collect();
        assert_eq!(names, ["scaling", "deploy"]);
        assert!(d.classes["data"].iter().any(|p| p.matches("KMS:Decrypt")), "kms:Decrypt is data");
        assert!(d.classes["deploy"].iter().any(|p| p.matches("codedeploy:CreateDeployment")));
    }

    #[test]
    fn roles_match_by_name_or_arn() {
        let d = Duties::builtin().unwrap();
        let duties: Vec<_> = d.for_role("scalegate-launch-gate", "arn:aws:iam::1:role/scalegate-launch-gate").collect();
        assert_eq!(duties.len(), 1);
        assert_eq!(duties[0].forbid, ["deploy", "data", "iam-admin"]);
        assert_eq!(d.for_role("asg-web", "arn:aws:iam::123456789012:role/asg-web").count(), 1);
        assert_eq!(
            d.for_role("github-actions-deploy", "arn:aws:iam::1:role/github-actions-deploy").next().unwrap().name,
            "deploy"
        );
        assert_eq!(d.for_role("billing", "arn:aws:iam::1:role/billing").count(), 0);
    }

    #[test]
    fn errors_name_what_is_wrong() {
        let cases = [
            ("[classes]\nx = [\"s3:GetObject\"]\n[[duty]]\nname = \"d\"\nprincipals = [\"r\"]\nforbid = [\"y\"]\n", "forbids unknown class `y` (classes: x)"),
            ("[classes]\nx = [\"s3GetObject\"]\n", "class `x`: `s3GetObject` is not"),
            ("[classes]\nx = []\n", "class `x` lists no actions"),
            ("[classes]\nx = [\"s3:*\"]\n", "no [[duty]] defined"),
            ("[classes]\nx = [\"s3:*\"]\n[[duty]]\nname = \"d\"\nprincipals = []\nforbid = [\"x\"]\n", "duty `d` names no principals"),
            ("[classes]\nx = [\"s3:*\"]\n[[duty]]\nname = \"d\"\nprincipal = [\"r\"]\nforbid = [\"x\"]\n", "unknown field `principal`"),
            ("[classes]\nx = [\"s3:*\"]\n[[duty]]\nname = \"d\"\nprincipals = [\"r\"]\nforbid = [\"x\"]\n[[duty]]\nname = \"d\"\nprincipals = [\"r\"]\nforbid = [\"x\"]\n", "duty `d` is defined twice"),
        ];
        for (text, want) in cases {
            let got = Duties::from_toml(text, "t.toml").unwrap_err().to_string();
            assert!(got.contains(want), "got: {got}\nwant: {want}");
        }
    }
}
