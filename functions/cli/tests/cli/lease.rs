//! `scalegate lease` against the local emulator, run as a worker would: no --instance or --group, so both come from
//! instance metadata. There is no IMDS here, so a small IMDSv2 stub (token PUT, then GETs that require the token)
//! stands in for it, through the SDK's standard AWS_EC2_METADATA_SERVICE_ENDPOINT.

use scalegate::emulator::{point_at, sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;

/// Serves IMDSv2 for one instance in one group; GETs without the session token are refused, as IMDSv2 does.
fn imds_stub(instance: String, group: String) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            let (mut token, mut length) = (false, 0usize);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).is_err() || header.trim().is_empty() {
                    break;
                }
                let lower = header.to_ascii_lowercase();
                token |= lower.starts_with("x-aws-ec2-metadata-token: stub-token");
                if let Some(v) = lower.strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let path = request_line.split_whitespace().nth(1).unwrap_or("").to_string();
            let (status, reply) = match (request_line.starts_with("PUT"), path.as_str(), token) {
                (true, "/latest/api/token", _) => ("200 OK", "stub-token".to_string()),
                (false, _, false) => ("401 Unauthorized", String::new()),
                (false, "/latest/meta-data/instance-id", true) => ("200 OK", instance.clone()),
                (false, "/latest/meta-data/tags/instance/aws:autoscaling:groupName", true) => ("200 OK", group.clone()),
                _ => ("404 Not Found", String::new()),
            };
            let mut out = stream;
            let _ = write!(
                out,
                "HTTP/1.1 {status}\r\ncontent-length: {}\r\nx-aws-ec2-metadata-token-ttl-seconds: 21600\r\nconnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    endpoint
}

fn lease(endpoint: &str, imds: &str, args: &[&str]) -> std::process::Output {
    point_at(&mut std::process::Command::new(env!("CARGO_BIN_EXE_scalegate")), endpoint)
        .arg("lease")
        .args(args)
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds)
        .output()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_acquires_and_releases_with_defaults_from_imdsv2() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let emulator = Emulator::start(&root).expect("emulator (run `make setup`)");
    let c = Clients::new(&sdk_config_for(emulator.endpoint()).await);
    let template_id = crate::demo_template(&c, "lease-cli").await;
    c.autoscaling
        .create_auto_scaling_group()
        .auto_scaling_group_name("lease-workers")
        .min_size(0)
        .max_size(2)
        .desired_capacity(1)
        .availability_zones("us-east-1a")
        .launch_template(
            aws_sdk_autoscaling::types::LaunchTemplateSpecification::builder().launch_template_id(template_id).build(),
        )
        .send()
        .await
        .unwrap();
    let described =
        c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names("lease-workers").send().await.unwrap();
    let instance = described.auto_scaling_groups()[0].instances()[0].instance_id().unwrap().to_string();
    let imds = imds_stub(instance.clone(), "lease-workers".into());

    let out = lease(emulator.endpoint(), &imds, &["acquire", "--ttl", "10m"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains(&instance) && said.contains("lease-workers") && said.contains("protected"), "{said}");
    let protected = |c: Clients| async move {
        let d = c
            .autoscaling
            .describe_auto_scaling_groups()
            .auto_scaling_group_names("lease-workers")
            .send()
            .await
            .unwrap();
        d.auto_scaling_groups()[0].instances()[0].protected_from_scale_in()
    };
    assert_eq!(protected(c.clone()).await, Some(true));

    let out = lease(emulator.endpoint(), &imds, &["release"]);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(protected(c.clone()).await, Some(false));

    let out = lease(emulator.endpoint(), &imds, &["acquire", "--ttl", "0s"]);
    assert_ne!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("out of range"));
}
