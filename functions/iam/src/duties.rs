//! Duties: which principals must never reach which classes of actions (`policies/duties.toml`).

use super::reasoner::{Group, Principal};
use crate::Pattern;
use serde::Deserialize;
use std::collections::BTreeMap;

/// The project's own duties, the default when no file is given.
pub const BUILTIN: &str = include_str!("../../../policies/duties.toml");

/// A parsed duties file.
#[derive(Debug, Clone, PartialEq)]
pub struct Duties {
    /// Class name → action patterns.
    pub classes: BTreeMap<String, Vec<Pattern>>,
    /// Grants that do not count towards a class (`[[exempt]]`): scalegate's functions reading their own
    /// configuration documents is not touching data.
    pub exempt: Vec<Exemption>,
    /// Duties in file order.
    pub duties: Vec<Duty>,
}

/// Some of a class's actions on some resources, which do not count towards the class: a grant of one of `actions`
/// counts unless its resource pattern lies wholly inside one of `resources`.
#[derive(Debug, Clone, PartialEq)]
pub struct Exemption {
    /// The class.
    pub class: String,
    /// Actions of the class, each listed in the class as written.
    pub actions: Vec<Pattern>,
    /// Resource ARN patterns, each naming its service.
    pub resources: Vec<Pattern>,
}

/// One duty.
#[derive(Debug, Clone, PartialEq)]
pub struct Duty {
    /// How checks and findings name the duty.
    pub name: String,
    /// Role, user or group names or ARNs it applies to (case-sensitive patterns; a group stands for its members).
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
    #[serde(default)]
    exempt: Vec<RawExemption>,
    // Missing duties are reported after the classes are checked, with a clearer message than serde's.
    #[serde(rename = "duty", default)]
    duties: Vec<RawDuty>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExemption {
    class: String,
    actions: Vec<String>,
    resources: Vec<String>,
    /// Why the grants are exempt: for the reader; the audit does not use it.
    #[allow(dead_code)]
    why: String,
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
        let raw: RawFile = toml::from_str(text).map_err(|e| err(scalegate_core::json::toml_error(text, &e)))?;
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
        let mut exempt = Vec::new();
        for e in raw.exempt {
            let Some(class) = classes.get(&e.class) else {
                return Err(err(format!("[[exempt]] names unknown class `{}`", e.class)));
            };
            if e.actions.is_empty() || e.resources.is_empty() {
                return Err(err(format!("[[exempt]] for class `{}` needs actions and resources", e.class)));
            }
            let mut actions = Vec::with_capacity(e.actions.len());
            for a in &e.actions {
                // Only actions the class lists as written (any case): the class splits exactly into the exempt and
                // the rest.
                let Some(pattern) = class.iter().find(|c| c.as_str().eq_ignore_ascii_case(a)) else {
                    return Err(err(format!("[[exempt]] for class `{}`: `{a}` is not one of its actions", e.class)));
                };
                actions.push(pattern.clone());
            }
            let mut resources = Vec::with_capacity(e.resources.len());
            for r in &e.resources {
                if !is_narrow_arn(r) {
                    return Err(err(format!(
                        "[[exempt]] for class `{}`: `{r}` must be an ARN naming its service and a resource that does not \
                         start with a wildcard (arn:partition:service:region:account:resource)",
                        e.class
                    )));
                }
                resources.push(Pattern::resource(r));
            }
            exempt.push(Exemption { class: e.class, actions, resources });
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
        Ok(Self { classes, exempt, duties })
    }

    /// The exemptions of `class`.
    pub fn exemptions(&self, class: &str) -> Vec<&Exemption> {
        self.exempt.iter().filter(|e| e.class == class).collect()
    }

    /// Duties that apply to a principal: by its name or ARN, or, for a user, by the name or ARN of a group it is in
    /// (a duty names people as much as machines).
    pub fn for_principal<'a>(
        &'a self,
        principal: &'a Principal,
        groups: &'a [Group],
    ) -> impl Iterator<Item = &'a Duty> + 'a {
        let group_ids: Vec<(&str, &str)> = principal
            .groups
            .iter()
            .map(|g| {
                let arn = groups.iter().find(|x| &x.name == g).map_or("", |x| x.arn.as_str());
                (g.as_str(), arn)
            })
            .collect();
        self.duties.iter().filter(move |d| {
            d.principals.iter().any(|p| {
                p.matches(&principal.name)
                    || p.matches(&principal.arn)
                    || group_ids.iter().any(|(name, arn)| p.matches(name) || (!arn.is_empty() && p.matches(arn)))
            })
        })
    }
}

/// An ARN pattern with its service written out and a resource part that does not start with a wildcard: it cannot
/// stand for every resource of every service, but it can stand for many (`arn:aws:s3:::a*`); what it exempts is the
/// duties' author's choice, and the built-in exemption names exact object keys.
fn is_narrow_arn(r: &str) -> bool {
    let fields: Vec<&str> = r.splitn(6, ':').collect();
    fields.len() == 6
        && fields[0] == "arn"
        && !fields[2].is_empty()
        && !fields[2].contains(['*', '?'])
        && !fields[5].is_empty()
        && !fields[5].starts_with(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::PrincipalKind;

    #[test]
    fn exemptions_name_known_classes_their_actions_and_narrow_arns() {
        let base = "[classes]\ndata = [\"s3:GetObject\", \"s3:PutObject\"]\n[[duty]]\nname = \"d\"\nprincipals = [\"x\"]\nforbid = [\"data\"]\n";
        let with = |class: &str, action: &str, resource: &str| {
            Duties::from_toml(
                &format!("{base}[[exempt]]\nclass = \"{class}\"\nactions = [\"{action}\"]\nresources = [\"{resource}\"]\nwhy = \"t\"\n"),
                "t.toml",
            )
        };
        let d = with("data", "S3:GETOBJECT", "arn:aws:s3:::cfg/*").unwrap();
        assert_eq!(d.exemptions("data")[0].resources, [Pattern::resource("arn:aws:s3:::cfg/*")]);
        assert!(d.exemptions("deploy").is_empty());
        let e = with("bogus", "s3:GetObject", "arn:aws:s3:::cfg/*").unwrap_err().to_string();
        assert!(e.contains("[[exempt]] names unknown class `bogus`"), "{e}");
        let e = with("data", "s3:Get*", "arn:aws:s3:::cfg/*").unwrap_err().to_string();
        assert!(e.contains("`s3:Get*` is not one of its actions"), "{e}");
        for wide in ["*", "arn:*", "arn:aws:*:::cfg/x", "arn:aws:s3:::*", "arn:aws:s3", "arn:aws::::x"] {
            let e = with("data", "s3:GetObject", wide).unwrap_err().to_string();
            assert!(e.contains("must be an ARN naming its service"), "{wide}: {e}");
        }
        let builtin = Duties::builtin().unwrap();
        let exempt = builtin.exemptions("data");
        assert_eq!(exempt.len(), 1);
        let reads = [Pattern::action("s3:GetObject"), Pattern::action("s3:GetObjectVersion")];
        assert_eq!(exempt[0].actions, reads, "reads only: writing a document is data");
    }

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

    fn role(name: &str) -> Principal {
        Principal { name: name.into(), arn: format!("arn:aws:iam::1:role/{name}"), ..Default::default() }
    }

    #[test]
    fn roles_match_by_name_or_arn() {
        let d = Duties::builtin().unwrap();
        let gate = role("scalegate-launch-gate");
        let duties: Vec<_> = d.for_principal(&gate, &[]).collect();
        assert_eq!(duties.len(), 1);
        assert_eq!(duties[0].forbid, ["deploy", "data", "iam-admin"]);
        assert_eq!(d.for_principal(&role("asg-web"), &[]).count(), 1);
        assert_eq!(d.for_principal(&role("github-actions-deploy"), &[]).next().unwrap().name, "deploy");
        assert_eq!(d.for_principal(&role("billing"), &[]).count(), 0);
        let by_arn =
            Duties::from_toml("[classes]\nx = [\"s3:*\"]\n[[duty]]\nname = \"d\"\nprincipals = [\"arn:aws:iam::1:role/b*\"]\nforbid = [\"x\"]\n", "t")
                .unwrap();
        assert_eq!(by_arn.for_principal(&role("billing"), &[]).count(), 1);
    }

    #[test]
    fn users_match_by_their_groups_too() {
        let d = Duties::from_toml(
            "[classes]\nx = [\"s3:*\"]\n[[duty]]\nname = \"ops\"\nprincipals = [\"oncall\", \"arn:aws:iam::1:group/sre-*\"]\nforbid = [\"x\"]\n",
            "t",
        )
        .unwrap();
        let group =
            |name: &str| Group { name: name.into(), arn: format!("arn:aws:iam::1:group/{name}"), policies: vec![] };
        let groups = [group("oncall"), group("sre-eu"), group("finance")];
        let user = |groups: &[&str]| Principal {
            kind: PrincipalKind::User,
            name: "alice".into(),
            arn: "arn:aws:iam::1:user/alice".into(),
            groups: groups.iter().map(|g| g.to_string()).collect(),
            ..Default::default()
        };
        assert_eq!(d.for_principal(&user(&["oncall"]), &groups).count(), 1, "by group name");
        assert_eq!(d.for_principal(&user(&["sre-eu"]), &groups).count(), 1, "by group ARN");
        assert_eq!(d.for_principal(&user(&["finance"]), &groups).count(), 0);
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
