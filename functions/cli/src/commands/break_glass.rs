//! `scalegate break-glass`: let launches through when the gate itself is broken, and put everything back.
//!
//! Breaking the glass sets every launch hook of the group to default to CONTINUE (so an action nobody completes
//! continues when its heartbeat times out) and completes with CONTINUE every launch action waiting now. Each hook's
//! previous default is kept in a group tag, `scalegate:break-glass:<hook>`, so `--undo` restores exactly it; breaking
//! twice keeps the first saved value. While the gate still runs, `mode = "report-only"` in its rules is the gentler
//! switch: it keeps deciding and logging.

use crate::flags::BreakGlassArgs;
use anyhow::{bail, Context, Result};
use aws_sdk_autoscaling::types::{AutoScalingGroup, LifecycleHook, Tag};
use scalegate_aws::sdk::Clients;
use scalegate_core::lifecycle::LifecycleState;
use std::process::ExitCode;

const LAUNCHING: &str = "autoscaling:EC2_INSTANCE_LAUNCHING";
const TAG_PREFIX: &str = "scalegate:break-glass:";

pub(crate) async fn run(args: &BreakGlassArgs) -> Result<ExitCode> {
    let clients = Clients::load(None).await;
    let autoscaling = &clients.autoscaling;
    let group = args.group.as_str();
    let hooks: Vec<LifecycleHook> = autoscaling
        .describe_lifecycle_hooks()
        .auto_scaling_group_name(group)
        .send()
        .await
        .with_context(|| format!("DescribeLifecycleHooks for {group}"))?
        .lifecycle_hooks()
        .iter()
        .filter(|h| h.lifecycle_transition() == Some(LAUNCHING))
        .cloned()
        .collect();
    if hooks.is_empty() {
        bail!("{group} has no launch lifecycle hook: nothing holds its launches");
    }
    // One read of the group: its break-glass tags and the launches waiting now.
    let described = describe(&clients, group).await?;
    let saved = saved_defaults(&described);
    if args.undo {
        undo(&clients, group, &hooks, &saved).await
    } else {
        break_glass(&clients, group, &hooks, &saved, &described).await
    }
}

/// The group as Auto Scaling describes it now.
async fn describe(clients: &Clients, group: &str) -> Result<AutoScalingGroup> {
    let out = clients
        .autoscaling
        .describe_auto_scaling_groups()
        .auto_scaling_group_names(group)
        .send()
        .await
        .with_context(|| format!("DescribeAutoScalingGroups for {group}"))?;
    out.auto_scaling_groups().first().cloned().with_context(|| format!("no Auto Scaling group named {group}"))
}

/// (hook name, saved default result) from the group's break-glass tags.
fn saved_defaults(described: &AutoScalingGroup) -> Vec<(String, String)> {
    described
        .tags()
        .iter()
        .filter_map(|t| {
            let hook = t.key()?.strip_prefix(TAG_PREFIX)?;
            Some((hook.to_string(), t.value().unwrap_or_default().to_string()))
        })
        .collect()
}

async fn put_default(clients: &Clients, group: &str, hook: &LifecycleHook, default: &str) -> Result<()> {
    let name = hook.lifecycle_hook_name().unwrap_or_default();
    let mut put = clients
        .autoscaling
        .put_lifecycle_hook()
        .auto_scaling_group_name(group)
        .lifecycle_hook_name(name)
        .lifecycle_transition(LAUNCHING)
        .default_result(default);
    // PutLifecycleHook replaces the hook: everything else it had goes back as it was.
    if let Some(t) = hook.heartbeat_timeout() {
        put = put.heartbeat_timeout(t);
    }
    if let Some(target) = hook.notification_target_arn() {
        put = put.notification_target_arn(target);
    }
    if let Some(role) = hook.role_arn() {
        put = put.role_arn(role);
    }
    if let Some(metadata) = hook.notification_metadata() {
        put = put.notification_metadata(metadata);
    }
    put.send().await.with_context(|| format!("PutLifecycleHook {name} on {group}"))?;
    Ok(())
}

fn tag(group: &str, key: String, value: &str) -> Tag {
    Tag::builder()
        .resource_id(group)
        .resource_type("auto-scaling-group")
        .key(key)
        .value(value)
        .propagate_at_launch(false)
        .build()
}

async fn break_glass(
    clients: &Clients,
    group: &str,
    hooks: &[LifecycleHook],
    saved: &[(String, String)],
    described: &AutoScalingGroup,
) -> Result<ExitCode> {
    for hook in hooks {
        let name = hook.lifecycle_hook_name().unwrap_or_default();
        let previous = hook.default_result().unwrap_or("ABANDON");
        if !saved.iter().any(|(h, _)| h == name) {
            clients
                .autoscaling
                .create_or_update_tags()
                .tags(tag(group, format!("{TAG_PREFIX}{name}"), previous))
                .send()
                .await
                .with_context(|| format!("CreateOrUpdateTags on {group}"))?;
        }
        put_default(clients, group, hook, "CONTINUE").await?;
        println!("{group}: hook {name} now defaults to CONTINUE (was {previous}; `--undo` restores it)");
    }
    let waiting: Vec<String> = described
        .instances()
        .iter()
        .filter(|i| {
            matches!(
                i.lifecycle_state().map(|s| LifecycleState::parse(s.as_str())),
                Some(LifecycleState::PendingWait | LifecycleState::WarmedPendingWait)
            )
        })
        .filter_map(|i| i.instance_id().map(str::to_string))
        .collect();
    let mut failed = 0;
    for instance in &waiting {
        for hook in hooks {
            let name = hook.lifecycle_hook_name().unwrap_or_default();
            let done = clients
                .autoscaling
                .complete_lifecycle_action()
                .auto_scaling_group_name(group)
                .lifecycle_hook_name(name)
                .instance_id(instance)
                .lifecycle_action_result("CONTINUE")
                .send()
                .await;
            match done {
                Ok(_) => println!("{group}: {instance} continued ({name})"),
                // Another hook's action, or one that finished meanwhile: nothing left to let through.
                Err(e) if format!("{e:?}").contains("No active Lifecycle Action") => {}
                Err(e) => {
                    failed += 1;
                    eprintln!("scalegate: {instance} ({name}): {}", scalegate::error_chain(&e));
                }
            }
        }
    }
    println!("{group}: {} waiting launch(es) let through; the gate's verdicts no longer hold launches", waiting.len());
    Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(1) })
}

async fn undo(clients: &Clients, group: &str, hooks: &[LifecycleHook], saved: &[(String, String)]) -> Result<ExitCode> {
    if saved.is_empty() {
        bail!("{group} has no break-glass tags: the glass was not broken here (or was already restored)");
    }
    for hook in hooks {
        let name = hook.lifecycle_hook_name().unwrap_or_default();
        let Some((_, previous)) = saved.iter().find(|(h, _)| h == name) else { continue };
        put_default(clients, group, hook, previous).await?;
        clients
            .autoscaling
            .delete_tags()
            .tags(tag(group, format!("{TAG_PREFIX}{name}"), previous))
            .send()
            .await
            .with_context(|| format!("DeleteTags on {group}"))?;
        println!("{group}: hook {name} defaults to {previous} again");
    }
    Ok(ExitCode::SUCCESS)
}
