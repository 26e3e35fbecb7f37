//! `scalegate config` as an operator runs it against the local emulator's versioned S3: check, push (refusing what
//! does not validate), history, rollback.

use scalegate::emulator::{point_at, sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn config(endpoint: &str, args: &[&str]) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scalegate"));
    point_at(&mut cmd, endpoint).arg("config").args(args);
    let out = cmd.output().unwrap();
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    (out.status.code().unwrap_or(-1), text(&out.stdout), text(&out.stderr))
}

/// The version id in "pushed s3://… version V (was …)" or "…: new current version V (was …)".
fn version_after<'a>(line: &'a str, marker: &str) -> &'a str {
    line.split(marker).nth(1).and_then(|rest| rest.split_whitespace().next()).unwrap_or_else(|| panic!("{line}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_history_and_rollback_and_nothing_invalid_is_written() {
    let emulator = Emulator::start(&root()).expect("emulator (run `make setup`)");
    let endpoint = emulator.endpoint();
    let c = Clients::new(&sdk_config_for(endpoint).await);
    let bucket = "scalegate-cli-config-test";
    c.s3.create_bucket().bucket(bucket).send().await.unwrap();
    c.s3.put_bucket_versioning()
        .bucket(bucket)
        .versioning_configuration(
            aws_sdk_s3::types::VersioningConfiguration::builder()
                .status(aws_sdk_s3::types::BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    let location = format!("s3://{bucket}/gate-rules.toml");
    let dir = tempdir();
    let enforce = root().join("policies/gate.toml");
    let report_only = dir.join("report-only.toml");
    let text = std::fs::read_to_string(&enforce).unwrap();
    std::fs::write(&report_only, text.replace("mode = \"enforce\"", "mode = \"report-only\"")).unwrap();
    let broken = dir.join("broken.toml");
    std::fs::write(&broken, "[credentials]\nmax_hop_limit = 0\n").unwrap();

    let (code, out, err) = config(endpoint, &["check", "--kind", "gate-rules", report_only.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("valid gate-rules: gate rules, mode report-only"), "{out}");

    let (code, out, err) =
        config(endpoint, &["push", "--kind", "gate-rules", "--to", &location, enforce.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    let v1 = version_after(&out, " version ").to_string();

    let (code, _, err) =
        config(endpoint, &["push", "--kind", "gate-rules", "--to", &location, broken.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("not pushed, it does not validate") && err.contains("max_hop_limit"), "{err}");

    let (code, out, err) =
        config(endpoint, &["push", "--kind", "gate-rules", "--to", &location, report_only.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("(was {v1})")), "{out}");
    let v2 = version_after(&out, " version ").to_string();

    let (code, out, _) = config(endpoint, &["history", &location]);
    assert_eq!(code, 0);
    let rows: Vec<&str> = out.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "the broken file was never written: {out}");
    assert!(rows[0].starts_with("current") && rows[0].contains(&v2), "{out}");
    assert!(rows[1].contains(&v1), "{out}");

    let (code, out, err) = config(endpoint, &["rollback", "--kind", "gate-rules", &location]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with(&format!("rolled back {location} to version {v1}: new current version")), "{out}");
    let v3 = version_after(&out, "new current version ");
    let current = c.s3.get_object().bucket(bucket).key("gate-rules.toml").send().await.unwrap();
    assert_eq!(current.version_id(), Some(v3));
    let body = current.body.collect().await.unwrap().into_bytes();
    assert_eq!(String::from_utf8_lossy(&body), text, "the enforce rules are current again");

    let (code, _, err) = config(endpoint, &["rollback", "--kind", "gate-rules", &location, "--to", "no-such-version"]);
    assert_eq!(code, 2);
    assert!(err.contains("version no-such-version is not in the document's history"), "{err}");
    let (code, _, err) = config(endpoint, &["history", "https://example.com/x"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not an S3 location"), "{err}");
}

fn tempdir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("scalegate-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
