//! Where a document lives: `s3://bucket/key`.

use std::fmt;

/// A document's bucket and key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentLocation {
    /// The S3 bucket (versioning enabled).
    pub bucket: String,
    /// The object key.
    pub key: String,
}

/// Why a location does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not an S3 location: {why} (expected s3://bucket/key)")]
pub struct LocationError {
    /// What was given.
    pub value: String,
    /// What is wrong with it.
    pub why: &'static str,
}

impl DocumentLocation {
    /// Parses `s3://bucket/key`. The bucket must follow S3's naming rules (3–63 lowercase letters, digits, dots and
    /// hyphens, starting and ending with a letter or digit); the key must not be empty.
    pub fn parse(value: &str) -> Result<Self, LocationError> {
        let fail = |why| LocationError { value: value.to_string(), why };
        let rest = value.trim().strip_prefix("s3://").ok_or_else(|| fail("it does not start with s3://"))?;
        let (bucket, key) = rest.split_once('/').ok_or_else(|| fail("it names no key"))?;
        if key.is_empty() {
            return Err(fail("it names no key"));
        }
        let valid_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '-';
        let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        if !(3..=63).contains(&bucket.len())
            || !bucket.chars().all(valid_char)
            || !edge(bucket.chars().next())
            || !edge(bucket.chars().last())
        {
            return Err(fail("the bucket name breaks S3's naming rules"));
        }
        Ok(Self { bucket: bucket.to_string(), key: key.to_string() })
    }
}

impl fmt::Display for DocumentLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}
