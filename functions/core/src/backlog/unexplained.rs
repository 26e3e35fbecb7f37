//! Capacity with no load behind it: a group whose desired capacity stands above what its backlog asks for (beyond a
//! tolerance), raised by something other than its own scaling (a policy's alarm, a scheduled action, predictive
//! scaling) and kept there longer than the dead time, is flagged `UnexplainedScaling`, with the change and its cause
//! as `DescribeScalingActivities` words it.

use crate::activity::ScalingActivity;
use serde::Serialize;
use std::time::Duration;

/// When a rise counts as unexplained.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct UnexplainedSettings {
    /// The share above the signal's capacity that is still explained (0.25: up to 25 % more).
    pub tolerance: f64,
    /// How long a rise may stand before the signal must be behind it (the loop's dead time: the backlog a manual
    /// scale-out anticipated may still be on its way).
    pub dead_time: Duration,
}

impl UnexplainedSettings {
    /// The most capacity the backlog explains: max(MinSize, ⌈wanted × (1 + tolerance)⌉).
    pub fn allowed(&self, wanted: u64, min_size: u32) -> u64 {
        ((wanted as f64 * (1.0 + self.tolerance)).ceil() as u64).max(u64::from(min_size))
    }
}

impl Default for UnexplainedSettings {
    fn default() -> Self {
        Self { tolerance: 0.25, dead_time: Duration::from_secs(600) }
    }
}

/// What raised the desired capacity, from its activity's Cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RaisedBy {
    /// A scaling policy's alarm: the group's own signal (whatever metric it tracks).
    Policy,
    /// A scheduled action.
    ScheduledAction,
    /// Predictive scaling's forecast.
    Predictive,
    /// A user request: SetDesiredCapacity or UpdateAutoScalingGroup by someone.
    UserRequest,
    /// Anything else.
    Other,
}

impl RaisedBy {
    /// Reads a Cause.
    pub fn of(cause: &str) -> Self {
        let c = cause.to_ascii_lowercase();
        if c.contains("a monitor alarm") && c.contains("triggered policy") {
            RaisedBy::Policy
        } else if c.contains("predictive") {
            RaisedBy::Predictive
        } else if c.contains("a scheduled action") {
            RaisedBy::ScheduledAction
        } else if c.contains("a user request") {
            RaisedBy::UserRequest
        } else {
            RaisedBy::Other
        }
    }

    /// The group's own scaling, configured in advance: it explains a rise by itself.
    fn explains(self) -> bool {
        matches!(self, RaisedBy::Policy | RaisedBy::ScheduledAction | RaisedBy::Predictive)
    }
}

/// A rise the signal does not explain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UnexplainedRise {
    /// DesiredCapacity now.
    pub desired: u32,
    /// What the backlog asks for: ⌈messages ÷ target⌉.
    pub wanted: u64,
    /// The most that is explained: max(MinSize, ⌈wanted × (1 + tolerance)⌉).
    pub allowed: u64,
    /// The last change of desired capacity: from, to.
    pub from: u32,
    /// To.
    pub to: u32,
    /// When it started.
    pub at: chrono::DateTime<chrono::Utc>,
    /// What raised it.
    pub raised_by: RaisedBy,
    /// Its Cause, as AWS wrote it.
    pub cause: String,
    /// Who, as far as Auto Scaling's record says.
    pub caller: Option<String>,
}

/// Whether a group's capacity stands unexplained. `activities` are the group's recent ones, in any order; only the
/// newest that changed the desired capacity is looked at. Nothing is flagged while the group is within the allowed
/// capacity, when the last change was a decrease or the group's own scaling, before the dead time has passed, or when
/// no recent change is on record (capacity that did not move is not this rule's business).
pub fn unexplained(
    desired: u32,
    min_size: u32,
    wanted: u64,
    activities: &[ScalingActivity],
    settings: &UnexplainedSettings,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<UnexplainedRise> {
    let allowed = settings.allowed(wanted, min_size);
    if u64::from(desired) <= allowed {
        return None;
    }
    let (activity, change) =
        activities.iter().filter_map(|a| a.desired_change().map(|c| (a, c))).max_by_key(|(a, _)| a.start)?;
    if change.to <= change.from {
        return None;
    }
    let raised_by = RaisedBy::of(&activity.cause);
    let standing = (now - activity.start).to_std().unwrap_or_default();
    if raised_by.explains() || standing < settings.dead_time {
        return None;
    }
    let caller = (raised_by == RaisedBy::UserRequest).then(|| {
        "a user request (SetDesiredCapacity or UpdateAutoScalingGroup; the scaling guard's `guard alert` line names \
         the principal)"
            .to_string()
    });
    Some(UnexplainedRise {
        desired,
        wanted,
        allowed,
        from: change.from,
        to: change.to,
        at: activity.start,
        raised_by,
        cause: activity.cause.clone(),
        caller,
    })
}
