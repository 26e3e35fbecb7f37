//! Work leases against the emulator: a worker holding a lease survives scale-in until it releases; a worker that
//! crashes (never renews) loses its protection to the reaper once the lease expires, and the group scales in; a
//! group that did not opt in is never touched.

use scalegate_aws::ec2_leases::Ec2Leases;
use scalegate_core::lease::reap;
use scalegate_core::lease::{acquire, release, LEASE_TAG, OPT_IN_TAG};
use scalegate_tests::{clients, tag_group, worker_group};
use std::time::Duration;

/// The reaper looks at every opted-in group, so one test's reaper run would reap another test's expired lease: the
/// tests in this file take turns.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn members(c: &scalegate_aws::sdk::Clients, group: &str) -> Vec<(String, bool)> {
    let out = c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(group).send().await.unwrap();
    out.auto_scaling_groups()[0]
        .instances()
        .iter()
        .map(|i| (i.instance_id().unwrap().to_string(), i.protected_from_scale_in().unwrap_or(false)))
        .collect()
}

/// Polls until the group's members satisfy `done`, for up to five seconds (the emulator reconciles every 0.2 s).
async fn until(
    c: &scalegate_aws::sdk::Clients,
    group: &str,
    done: impl Fn(&[(String, bool)]) -> bool,
) -> Vec<(String, bool)> {
    for _ in 0..50 {
        let m = members(c, group).await;
        if done(&m) {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    members(c, group).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_leased_worker_survives_scale_in_until_it_releases() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let c = clients().await;
    let group = worker_group(&c, "leased", 3).await;
    tag_group(&c, &group, OPT_IN_TAG, "true").await;
    let leases = Ec2Leases::new(c.autoscaling.clone(), c.ec2.clone());
    let busy = members(&c, &group).await[0].0.clone();
    acquire(&leases, &group, &busy, Duration::from_secs(300), chrono::Utc::now()).await.unwrap();

    c.autoscaling.set_desired_capacity().auto_scaling_group_name(&group).desired_capacity(0).send().await.unwrap();
    let left = until(&c, &group, |m| m.len() == 1).await;
    assert_eq!(left, [(busy.clone(), true)], "only the leased worker is left, still protected");
    // The reaper keeps a live lease.
    let run = reap(&leases, chrono::Utc::now()).await.unwrap();
    assert!(run.released.iter().all(|(g, _, _)| g != &group));

    release(&leases, &group, &busy).await.unwrap();
    let tags = c
        .ec2
        .describe_tags()
        .filters(aws_sdk_ec2::types::Filter::builder().name("resource-id").values(&busy).build())
        .send()
        .await
        .unwrap();
    assert!(!tags.tags().iter().any(|t| t.key() == Some(LEASE_TAG)), "the lease tag is gone");
    assert!(until(&c, &group, |m| m.is_empty()).await.is_empty(), "released, the worker is scaled in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_workers_protection_is_reaped_after_expiry_and_the_group_scales_in() {
    let _turn = ONE_AT_A_TIME.lock().await;
    let c = clients().await;
    let (group, bystander) = tokio::join!(worker_group(&c, "crashy", 2), worker_group(&c, "not-opted-in", 1));
    tag_group(&c, &group, OPT_IN_TAG, "true").await;
    let leases = Ec2Leases::new(c.autoscaling.clone(), c.ec2.clone());
    let crashed = members(&c, &group).await[0].0.clone();
    acquire(&leases, &group, &crashed, Duration::from_secs(1), chrono::Utc::now()).await.unwrap();
    // Protected with no lease at all, in a group that never opted in: not the reaper's business.
    let other = members(&c, &bystander).await[0].0.clone();
    c.autoscaling
        .set_instance_protection()
        .auto_scaling_group_name(&bystander)
        .instance_ids(&other)
        .protected_from_scale_in(true)
        .send()
        .await
        .unwrap();

    c.autoscaling.set_desired_capacity().auto_scaling_group_name(&group).desired_capacity(0).send().await.unwrap();
    let pinned = until(&c, &group, |m| m.len() == 1).await;
    assert_eq!(pinned, [(crashed.clone(), true)], "the protected worker pins the group");

    tokio::time::sleep(Duration::from_millis(1500)).await; // the lease expires; nobody renews it
    let run = reap(&leases, chrono::Utc::now()).await.unwrap();
    let mine: Vec<_> = run.released.iter().filter(|(g, _, _)| g == &group).collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].1, crashed);
    assert!(mine[0].2.starts_with("expired at"), "{}", mine[0].2);
    assert!(run.report.metrics().any(|l| l.contains("ExpiredLeases") && l.contains(&group)));
    assert!(until(&c, &group, |m| m.is_empty()).await.is_empty(), "no longer pinned, the group scales in");
    assert_eq!(members(&c, &bystander).await, [(other, true)], "a group that did not opt in is untouched");
}
