//! `scalegate lease`: acquire, renew or release a work lease, as a worker does.

use crate::flags::{LeaseAction, LeaseArgs};
use anyhow::{Context, Result};
use scalegate_aws::ec2_leases::{imds_group, imds_instance_id, Ec2Leases};
use scalegate_aws::sdk::Clients;
use scalegate_core::lease::{acquire, release, renew};
use std::process::ExitCode;

pub(crate) async fn run(args: &LeaseArgs) -> Result<ExitCode> {
    let clients = Clients::load(None).await;
    let leases = Ec2Leases::new(clients.autoscaling, clients.ec2);
    let instance = match &args.instance {
        Some(i) => i.clone(),
        None => imds_instance_id().await.map_err(anyhow::Error::msg)?,
    };
    let group = match &args.group {
        Some(g) => g.clone(),
        None => match imds_group().await {
            Some(g) => g,
            None => leases.group_of(&instance).await.context("finding the instance's group (or pass --group)")?,
        },
    };
    let now = chrono::Utc::now();
    match args.action {
        LeaseAction::Acquire | LeaseAction::Renew => {
            let expires = if args.action == LeaseAction::Acquire {
                acquire(&leases, &group, &instance, args.ttl, now).await?
            } else {
                renew(&leases, &group, &instance, args.ttl, now).await?
            };
            println!("{instance} in {group}: protected from scale-in, lease expires {expires}");
        }
        LeaseAction::Release => {
            release(&leases, &group, &instance).await?;
            println!("{instance} in {group}: lease released, no longer protected");
        }
    }
    Ok(ExitCode::SUCCESS)
}
