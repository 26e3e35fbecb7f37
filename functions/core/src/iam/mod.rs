//! IAM reasoning for the separation-of-duties audit (issue #3). This first slice holds the wildcard algebra the
//! reasoner is built on: IAM patterns (`*`, `?`, literals) compared as patterns, never by expanding lists.

mod pattern;

pub use pattern::{Case, Pattern};
