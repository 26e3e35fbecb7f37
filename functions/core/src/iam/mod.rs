//! IAM reasoning for the separation-of-duties audit (issue #3). This first slice holds the wildcard algebra the
//! reasoner is built on: IAM patterns (`*`, `?`, literals) compared as patterns, never by expanding lists.

mod audit;
mod duties;
mod pattern;
mod policy;
mod reasoner;

pub use audit::{audit, AuditReport, AuditWitness, Check, Summary, ESCALATION_ACTIONS};
pub use duties::{Duties, DutiesError, Duty, BUILTIN as BUILTIN_DUTIES};
pub use pattern::{Case, Pattern};
pub use policy::{parse_policy, parse_policy_value, Effect, Matcher, PolicyDocument, PolicyError, Statement};
pub use reasoner::{can_reach, AttachedPolicy, Reach, RolePolicies, Witness};
