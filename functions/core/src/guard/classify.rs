//! What a call did to the scaling control plane, as plain data: who made it and which watched changes it makes.
//! Only calls that can switch the gate off or move capacity past it are watched; everything else is no change.

use super::record::{CloudTrailRecord, Params};
use serde::Serialize;

/// Auto Scaling acting for itself (its service-linked role, or a call it made on someone's behalf).
pub const AUTOSCALING_SERVICE: &str = "autoscaling.amazonaws.com";

/// The processes whose suspension stops the gate, the drain, health replacement or scaling itself.
pub const WATCHED_PROCESSES: [&str; 6] =
    ["Launch", "Terminate", "HealthCheck", "ReplaceUnhealthy", "AlarmNotification", "InstanceRefresh"];

/// Who made a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    /// The ARN judged: a role session's issuer (the role), else the caller's own ARN.
    pub arn: String,
    /// The caller's ARN as logged (a session ARN names the session too).
    pub caller: String,
    /// userIdentity.type.
    pub kind: String,
    /// userIdentity.invokedBy.
    pub invoked_by: Option<String>,
}

impl Principal {
    fn of(record: &CloudTrailRecord) -> Self {
        let id = &record.user_identity;
        let issuer = id.session_context.as_ref().and_then(|c| c.session_issuer.as_ref()).and_then(|i| i.arn.clone());
        let caller = id.arn.clone().unwrap_or_default();
        Self {
            arn: issuer.unwrap_or_else(|| caller.clone()),
            caller,
            kind: id.kind.clone().unwrap_or_default(),
            invoked_by: id.invoked_by.clone(),
        }
    }

    /// An AWS service acting for itself: Auto Scaling (invoked by it), an `AWSService` identity, or a service-linked
    /// role — only its service can assume one (EKS node groups, Elastic Beanstalk). CloudTrail does not always log the
    /// role's path: EKS's calls come as `assumed-role/AWSServiceRoleForAmazonEKSNodegroup/EKS` with no session
    /// context, so a session of an `AWSServiceRoleFor…` role that a service invoked counts too.
    pub fn is_aws_service(&self) -> bool {
        let service_linked_session =
            self.invoked_by.is_some() && self.caller.contains(":assumed-role/AWSServiceRoleFor");
        self.invoked_by.as_deref() == Some(AUTOSCALING_SERVICE)
            || self.kind == "AWSService"
            || self.arn.contains(":role/aws-service-role/")
            || service_linked_session
    }

    /// The best name there is: the caller's ARN as logged, else the identity's role or user, the service that
    /// invoked it, its type.
    pub fn name(&self) -> &str {
        [self.caller.as_str(), self.arn.as_str(), self.invoked_by.as_deref().unwrap_or(""), self.kind.as_str()]
            .into_iter()
            .find(|n| !n.is_empty())
            .unwrap_or("unknown")
    }

    /// The instance whose credentials made the call: an instance profile's session is named after its instance.
    pub fn instance(&self) -> Option<&str> {
        let session = self.caller.rsplit('/').next()?;
        (self.caller.contains(":assumed-role/") && session.starts_with("i-")).then_some(session)
    }
}

/// A watched change a call makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "change", rename_all = "kebab-case")]
pub enum Change {
    /// DeleteLifecycleHook.
    HookDeleted {
        /// The hook.
        hook: String,
    },
    /// PutLifecycleHook on an existing or new hook of that name.
    HookChanged {
        /// The hook.
        hook: String,
        /// DefaultResult as put (`CONTINUE` on a launch gate hook lets instances in when the gate is silent).
        default_result: Option<String>,
        /// HeartbeatTimeout as put.
        heartbeat: Option<String>,
    },
    /// SuspendProcesses of watched processes (all of them when the call names none).
    ProcessesSuspended {
        /// The watched processes suspended.
        processes: Vec<String>,
    },
    /// The group now launches from another template, version or launch configuration.
    TemplateChanged {
        /// What it names now.
        template: String,
        /// The version, when given.
        version: Option<String>,
    },
    /// CreateLaunchTemplateVersion: a new `$Latest`.
    TemplateVersionCreated {
        /// The template.
        template: String,
    },
    /// ModifyLaunchTemplate with a new default version.
    DefaultVersionChanged {
        /// The template.
        template: String,
        /// The new default.
        version: Option<String>,
    },
    /// AttachInstances: into service with no launch hook.
    InstancesAttached {
        /// The instances.
        instances: Vec<String>,
    },
    /// DetachInstances: out of the group with no terminate hook.
    InstancesDetached {
        /// The instances.
        instances: Vec<String>,
    },
    /// EnterStandby.
    EnteredStandby {
        /// The instances.
        instances: Vec<String>,
    },
    /// ExitStandby: back in service with no launch hook.
    ExitedStandby {
        /// The instances.
        instances: Vec<String>,
    },
    /// SetInstanceProtection false.
    ProtectionRemoved {
        /// The instances.
        instances: Vec<String>,
    },
    /// SetInstanceHealth Healthy.
    MarkedHealthy {
        /// The instance.
        instance: String,
    },
    /// DeleteWarmPool.
    WarmPoolDeleted,
    /// PutWarmPool with PoolState Running.
    WarmPoolRunning,
    /// DeleteAutoScalingGroup with ForceDelete: instances go with no terminate hook.
    GroupForceDeleted,
    /// DeletionProtection set below prevent-all-deletion.
    DeletionProtectionLowered {
        /// The level set.
        to: String,
    },
    /// SetDesiredCapacity, or UpdateAutoScalingGroup with DesiredCapacity.
    CapacitySet {
        /// The desired capacity set.
        desired: String,
    },
    /// UpdateAutoScalingGroup with MinSize or MaxSize: capacity moves to stay within them.
    BoundsSet {
        /// MinSize, when set.
        min: Option<String>,
        /// MaxSize, when set.
        max: Option<String>,
    },
    /// CompleteLifecycleAction CONTINUE on a hook: the instance goes on whatever the hook's own function decides.
    HookAnswered {
        /// The hook.
        hook: String,
        /// The instance, when named.
        instance: Option<String>,
    },
    /// PutScheduledUpdateGroupAction or BatchPutScheduledUpdateGroupAction: capacity changes at a time to come.
    ScheduledActionPut {
        /// The actions' names.
        names: Vec<String>,
    },
    /// ExecutePolicy: a scaling policy run by hand.
    PolicyExecuted {
        /// The policy.
        policy: String,
    },
    /// CreateOrUpdateTags or DeleteTags on scalegate's opt-in tags: what scalegate's functions may touch changes.
    OptInTagChanged {
        /// The tag keys.
        keys: Vec<String>,
    },
}

impl Change {
    /// The change's name, as the `Action` dimension of `GuardAlerts`.
    pub fn action(&self) -> &'static str {
        match self {
            Self::HookDeleted { .. } => "hook-deleted",
            Self::HookChanged { .. } => "hook-changed",
            Self::ProcessesSuspended { .. } => "processes-suspended",
            Self::TemplateChanged { .. } => "template-changed",
            Self::TemplateVersionCreated { .. } => "template-version-created",
            Self::DefaultVersionChanged { .. } => "default-version-changed",
            Self::InstancesAttached { .. } => "instances-attached",
            Self::InstancesDetached { .. } => "instances-detached",
            Self::EnteredStandby { .. } => "entered-standby",
            Self::ExitedStandby { .. } => "exited-standby",
            Self::ProtectionRemoved { .. } => "protection-removed",
            Self::MarkedHealthy { .. } => "marked-healthy",
            Self::WarmPoolDeleted => "warm-pool-deleted",
            Self::WarmPoolRunning => "warm-pool-running",
            Self::GroupForceDeleted => "group-force-deleted",
            Self::DeletionProtectionLowered { .. } => "deletion-protection-lowered",
            Self::CapacitySet { .. } => "capacity-set",
            Self::BoundsSet { .. } => "bounds-set",
            Self::HookAnswered { .. } => "hook-answered",
            Self::ScheduledActionPut { .. } => "scheduled-action-put",
            Self::PolicyExecuted { .. } => "policy-executed",
            Self::OptInTagChanged { .. } => "opt-in-tag-changed",
        }
    }

    /// The hook a change is about, if any.
    pub fn hook(&self) -> Option<&str> {
        match self {
            Self::HookDeleted { hook } | Self::HookChanged { hook, .. } | Self::HookAnswered { hook, .. } => Some(hook),
            _ => None,
        }
    }

    /// The launch template a change is about, if any.
    pub fn template(&self) -> Option<&str> {
        match self {
            Self::TemplateChanged { template, .. }
            | Self::TemplateVersionCreated { template }
            | Self::DefaultVersionChanged { template, .. } => Some(template),
            _ => None,
        }
    }
}

/// One call, classified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Call {
    /// The API call.
    pub event: String,
    /// The record's id.
    pub event_id: Option<String>,
    /// When.
    pub at: Option<String>,
    /// The group it names, if any.
    pub group: Option<String>,
    /// Who.
    pub principal: Principal,
    /// The watched changes it makes (none: nothing the guard watches).
    pub changes: Vec<Change>,
    /// The error code when the call failed: it changed nothing, but someone tried.
    pub failed: Option<String>,
}

/// The tag-key prefix of scalegate's opt-in tags (`scalegate:leases`, `scalegate:warm-pool`, …).
pub const OPT_IN_PREFIX: &str = "scalegate:";

/// The service that logs a call: launch templates are EC2's, the rest Auto Scaling's.
fn source_of(event: &str) -> &'static str {
    match event {
        "CreateLaunchTemplateVersion" | "ModifyLaunchTemplate" => "ec2.amazonaws.com",
        _ => AUTOSCALING_SERVICE,
    }
}

/// Reads what a call does.
pub fn classify(record: &CloudTrailRecord) -> Call {
    let p = record.params();
    let tags: &[serde_json::Value] = p.get("tags").and_then(|t| t.as_array()).map_or(&[], Vec::as_slice);
    let tag = |t: &serde_json::Value, name: &str| Params::of(Some(t)).text(name);
    // ExecutePolicy may name its policy by ARN alone, which carries the group: `…:autoScalingGroupName/NAME:policyName/…`.
    let in_policy_arn = || {
        let arn = p.text("policyName")?;
        let rest = arn.split(":autoScalingGroupName/").nth(1)?;
        Some(rest.split(":policyName/").next()?.to_string())
    };
    let group = p
        .text("autoScalingGroupName")
        .or_else(|| tags.first().and_then(|t| tag(t, "resourceId")))
        .or_else(in_policy_arn);
    let instances = || p.list("instanceIds");
    let template_of = |lt: Params<'_>| lt.text("launchTemplateId").or_else(|| lt.text("launchTemplateName"));
    let mut changes = Vec::new();
    // A call of that name logged by another service is not the call.
    let event = if record.event_source.as_deref() == Some(source_of(record.event())) { record.event() } else { "" };
    match event {
        "DeleteLifecycleHook" => changes.extend(p.text("lifecycleHookName").map(|hook| Change::HookDeleted { hook })),
        "PutLifecycleHook" => changes.extend(p.text("lifecycleHookName").map(|hook| Change::HookChanged {
            hook,
            default_result: p.text("defaultResult"),
            heartbeat: p.text("heartbeatTimeout"),
        })),
        "SuspendProcesses" => {
            let named = p.list("scalingProcesses");
            let processes: Vec<String> = if named.is_empty() {
                WATCHED_PROCESSES.iter().map(|s| s.to_string()).collect()
            } else {
                named.into_iter().filter(|n| WATCHED_PROCESSES.contains(&n.as_str())).collect()
            };
            if !processes.is_empty() {
                changes.push(Change::ProcessesSuspended { processes });
            }
        }
        "UpdateAutoScalingGroup" | "CreateAutoScalingGroup" => {
            let lt = p.nested("launchTemplate");
            let mixed = p.nested("mixedInstancesPolicy").nested("launchTemplate").nested("launchTemplateSpecification");
            if let Some(template) = template_of(lt).or_else(|| template_of(mixed)) {
                let version = lt.text("version").or_else(|| mixed.text("version"));
                changes.push(Change::TemplateChanged { template, version });
            } else if let Some(template) = p.text("launchConfigurationName") {
                changes.push(Change::TemplateChanged { template, version: None });
            }
            if event == "UpdateAutoScalingGroup" {
                if let Some(desired) = p.text("desiredCapacity") {
                    changes.push(Change::CapacitySet { desired });
                }
                let (min, max) = (p.text("minSize"), p.text("maxSize"));
                if min.is_some() || max.is_some() {
                    changes.push(Change::BoundsSet { min, max });
                }
                // prevent-force-deletion still stops a forced delete, the guard's concern; none stops nothing.
                if let Some(level) = p.text("deletionProtection").filter(|l| l == "none") {
                    changes.push(Change::DeletionProtectionLowered { to: level });
                }
            }
        }
        "SetDesiredCapacity" => {
            changes.extend(p.text("desiredCapacity").map(|desired| Change::CapacitySet { desired }))
        }
        "CreateLaunchTemplateVersion" => {
            changes.extend(template_of(p).map(|template| Change::TemplateVersionCreated { template }))
        }
        "ModifyLaunchTemplate" => {
            if let (Some(template), true) = (template_of(p), p.has("setDefaultVersion") || p.has("defaultVersion")) {
                let version = p.text("setDefaultVersion").or_else(|| p.text("defaultVersion"));
                changes.push(Change::DefaultVersionChanged { template, version });
            }
        }
        "AttachInstances" => changes.push(Change::InstancesAttached { instances: instances() }),
        "DetachInstances" => changes.push(Change::InstancesDetached { instances: instances() }),
        "EnterStandby" => changes.push(Change::EnteredStandby { instances: instances() }),
        "ExitStandby" => changes.push(Change::ExitedStandby { instances: instances() }),
        "SetInstanceProtection" if p.flag("protectedFromScaleIn") == Some(false) => {
            changes.push(Change::ProtectionRemoved { instances: instances() })
        }
        "SetInstanceHealth" if p.text("healthStatus").as_deref() == Some("Healthy") => {
            changes.extend(p.text("instanceId").map(|instance| Change::MarkedHealthy { instance }))
        }
        "StartInstanceRefresh" => {
            let desired = p.nested("desiredConfiguration");
            let lt = desired.nested("launchTemplate");
            let mixed =
                desired.nested("mixedInstancesPolicy").nested("launchTemplate").nested("launchTemplateSpecification");
            if let Some(template) = template_of(lt).or_else(|| template_of(mixed)) {
                let version = lt.text("version").or_else(|| mixed.text("version"));
                changes.push(Change::TemplateChanged { template, version });
            }
        }
        "CompleteLifecycleAction" if p.text("lifecycleActionResult").as_deref() == Some("CONTINUE") => changes.extend(
            p.text("lifecycleHookName").map(|hook| Change::HookAnswered { hook, instance: p.text("instanceId") }),
        ),
        "PutScheduledUpdateGroupAction" => {
            changes.push(Change::ScheduledActionPut { names: p.text("scheduledActionName").into_iter().collect() })
        }
        "BatchPutScheduledUpdateGroupAction" => {
            let actions = p.get("scheduledUpdateGroupActions").and_then(|a| a.as_array()).cloned().unwrap_or_default();
            let names = actions.iter().filter_map(|a| Params::of(Some(a)).text("scheduledActionName")).collect();
            changes.push(Change::ScheduledActionPut { names });
        }
        "ExecutePolicy" => changes.extend(p.text("policyName").map(|policy| Change::PolicyExecuted { policy })),
        "CreateOrUpdateTags" | "DeleteTags" => {
            let keys: Vec<String> =
                tags.iter().filter_map(|t| tag(t, "key")).filter(|k| k.starts_with(OPT_IN_PREFIX)).collect();
            if !keys.is_empty() {
                changes.push(Change::OptInTagChanged { keys });
            }
        }
        "DeleteWarmPool" => changes.push(Change::WarmPoolDeleted),
        "PutWarmPool" if p.text("poolState").as_deref() == Some("Running") => changes.push(Change::WarmPoolRunning),
        "DeleteAutoScalingGroup" if p.flag("forceDelete") == Some(true) => changes.push(Change::GroupForceDeleted),
        _ => {}
    }
    Call {
        event: record.event().to_string(),
        event_id: record.event_id.clone(),
        at: record.event_time.clone(),
        group,
        principal: Principal::of(record),
        changes,
        failed: record.error_code.clone(),
    }
}
