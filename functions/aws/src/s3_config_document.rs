//! One configuration document in a versioned S3 bucket: conditional reads for the functions, history, writes and
//! restores for the CLI.

use crate::errors::classify;
use aws_sdk_s3::primitives::ByteStream;
use chrono::{DateTime, Utc};
use scalegate_core::config::{ConfigHistory, ConfigStore, DocumentLocation, Fetched, Revision, VersionInfo};
use scalegate_core::ports::{AwsError, AwsErrorKind};

/// A document at `s3://bucket/key`.
#[derive(Debug, Clone)]
pub struct S3ConfigDocument {
    s3: aws_sdk_s3::Client,
    location: DocumentLocation,
}

impl S3ConfigDocument {
    /// The document at `location`.
    pub fn new(s3: aws_sdk_s3::Client, location: DocumentLocation) -> Self {
        Self { s3, location }
    }

    /// Where it lives.
    pub fn location(&self) -> &DocumentLocation {
        &self.location
    }
}

/// A GetObject body as the document's text: read whole, then UTF-8.
async fn body_text(body: ByteStream) -> Result<String, AwsError> {
    let bytes = body
        .collect()
        .await
        .map_err(|e| AwsError::new("GetObject", AwsErrorKind::Network, e.to_string()))?
        .into_bytes();
    String::from_utf8(bytes.to_vec())
        .map_err(|e| AwsError::new("GetObject", AwsErrorKind::Malformed, format!("the document is not UTF-8: {e}")))
}

/// A bucket without versioning has no version ids: the entity tag stands in, so a decision still names what it used.
fn version_or_etag(version_id: Option<&str>, etag: &str) -> String {
    match version_id {
        Some(v) if v != "null" => v.to_string(),
        _ => format!("etag:{}", etag.trim_matches('"')),
    }
}

/// `CopySource` wants the key URL-encoded (slashes kept).
fn encode_key(key: &str) -> String {
    key.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

impl ConfigStore for S3ConfigDocument {
    async fn fetch(&self, known_etag: Option<&str>) -> Result<Fetched, AwsError> {
        let out = self
            .s3
            .get_object()
            .bucket(&self.location.bucket)
            .key(&self.location.key)
            .set_if_none_match(known_etag.map(str::to_string))
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            // 304 Not Modified: the version we hold is still current.
            Err(e) if e.raw_response().is_some_and(|r| r.status().as_u16() == 304) => return Ok(Fetched::Unchanged),
            Err(e) => return Err(classify("GetObject", e)),
        };
        let etag = out.e_tag().unwrap_or_default().to_string();
        let version_id = version_or_etag(out.version_id(), &etag);
        Ok(Fetched::Current(Revision { version_id, etag, text: body_text(out.body).await? }))
    }

    async fn versions(&self) -> Result<Vec<VersionInfo>, AwsError> {
        let (mut key_marker, mut version_marker) = (None, None);
        let mut versions = Vec::new();
        loop {
            let out = self
                .s3
                .list_object_versions()
                .bucket(&self.location.bucket)
                .prefix(&self.location.key)
                .set_key_marker(key_marker.take())
                .set_version_id_marker(version_marker.take())
                .send()
                .await
                .map_err(|e| classify("ListObjectVersions", e))?;
            for v in out.versions() {
                if v.key() != Some(self.location.key.as_str()) {
                    continue;
                }
                let etag = v.e_tag().unwrap_or_default().to_string();
                versions.push(VersionInfo {
                    version_id: version_or_etag(v.version_id(), &etag),
                    written_at: v
                        .last_modified()
                        .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos())),
                    size: v.size().unwrap_or_default(),
                    is_current: v.is_latest().unwrap_or(false),
                    etag,
                    deleted: false,
                });
            }
            // A delete marker is a version too: when it is the latest, the document is deleted.
            for m in out.delete_markers().iter().filter(|m| m.key() == Some(self.location.key.as_str())) {
                versions.push(VersionInfo {
                    version_id: m.version_id().unwrap_or("null").to_string(),
                    written_at: m
                        .last_modified()
                        .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos())),
                    size: 0,
                    is_current: m.is_latest().unwrap_or(false),
                    etag: String::new(),
                    deleted: true,
                });
            }
            if !out.is_truncated().unwrap_or(false) {
                break;
            }
            key_marker = out.next_key_marker().map(str::to_string);
            version_marker = out.next_version_id_marker().map(str::to_string);
        }
        // Newest first: the current one, then by time (a stable sort keeps S3's newest-first order within a second).
        versions.sort_by(|a, b| b.is_current.cmp(&a.is_current).then(b.written_at.cmp(&a.written_at)));
        Ok(versions)
    }

    async fn read_version(&self, version_id: &str) -> Result<String, AwsError> {
        let out = self
            .s3
            .get_object()
            .bucket(&self.location.bucket)
            .key(&self.location.key)
            .version_id(version_id)
            .send()
            .await
            .map_err(|e| classify("GetObject", e))?;
        body_text(out.body).await
    }
}

impl ConfigHistory for S3ConfigDocument {
    async fn write(&self, text: &str) -> Result<String, AwsError> {
        let out = self
            .s3
            .put_object()
            .bucket(&self.location.bucket)
            .key(&self.location.key)
            .content_type("application/toml")
            .body(ByteStream::from(text.as_bytes().to_vec()))
            .send()
            .await
            .map_err(|e| classify("PutObject", e))?;
        Ok(version_or_etag(out.version_id(), out.e_tag().unwrap_or_default()))
    }

    async fn restore(&self, version_id: &str) -> Result<String, AwsError> {
        let source = format!("{}/{}?versionId={version_id}", self.location.bucket, encode_key(&self.location.key));
        let out = self
            .s3
            .copy_object()
            .bucket(&self.location.bucket)
            .key(&self.location.key)
            .copy_source(source)
            .send()
            .await
            .map_err(|e| classify("CopyObject", e))?;
        let etag = out.copy_object_result().and_then(|r| r.e_tag()).unwrap_or_default();
        Ok(version_or_etag(out.version_id(), etag))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_encoded_for_copy_source_and_unversioned_objects_are_named_by_etag() {
        assert_eq!(encode_key("gate/rules v2+.toml"), "gate/rules%20v2%2B.toml");
        assert_eq!(version_or_etag(Some("3HL4kqtJ"), "\"abc\""), "3HL4kqtJ");
        assert_eq!(version_or_etag(Some("null"), "\"abc\""), "etag:abc");
        assert_eq!(version_or_etag(None, "abc"), "etag:abc");
    }
}
