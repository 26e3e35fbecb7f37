//! Capacity with no load behind it: a group whose desired capacity stands above what its backlog asks for (beyond a
//! tolerance), raised by something other than its own scaling (a policy's alarm, a scheduled action, predictive
//! scaling) and kept there longer than the dead time, is flagged `UnexplainedScaling`, with the change and its cause
//! as `DescribeScalingActivities` words it, and the call behind it as CloudTrail's event history records it (who
//! made it: Auto Scaling's Cause only says "a user request").

use crate::activity::ScalingActivity;
use crate::guard::{Call, Change, Principal};
use chrono::{DateTime, TimeDelta, Utc};
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
    /// Look the call behind a flagged rise up in CloudTrail's event history (`LookupEvents`).
    pub callers: bool,
}

impl UnexplainedSettings {
    /// The most capacity the backlog explains: max(MinSize, ⌈wanted × (1 + tolerance)⌉).
    pub fn allowed(&self, wanted: u64, min_size: u32) -> u64 {
        ((wanted as f64 * (1.0 + self.tolerance)).ceil() as u64).max(u64::from(min_size))
    }
}

impl Default for UnexplainedSettings {
    fn default() -> Self {
        Self { tolerance: 0.25, dead_time: Duration::from_secs(600), callers: true }
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
    pub at: DateTime<Utc>,
    /// When it was asked for, as its Cause dates it (else when it started).
    pub requested: DateTime<Utc>,
    /// What raised it.
    pub raised_by: RaisedBy,
    /// Its Cause, as AWS wrote it.
    pub cause: String,
    /// Who, as far as Auto Scaling's record says.
    pub caller: Option<String>,
    /// The call behind it, from CloudTrail's event history, when found.
    pub call: Option<RecordedCall>,
}

/// A call that moved a group's capacity, as CloudTrail recorded it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedCall {
    /// The API call (`SetDesiredCapacity`, …).
    pub event: String,
    /// CloudTrail's event id.
    pub event_id: Option<String>,
    /// When it was made.
    pub at: DateTime<Utc>,
    /// Who made it: the role (a session's issuer) or user, and the session as logged.
    pub principal: Principal,
}

/// The calls that can raise a group's desired capacity outside its own scaling, as CloudTrail names them.
pub const CAPACITY_CALLS: [&str; 4] =
    ["SetDesiredCapacity", "UpdateAutoScalingGroup", "ExecutePolicy", "AttachInstances"];

/// How far before the request's time (its Cause's) a call is looked for, and how far after (CloudTrail's clock and
/// Auto Scaling's are not the same clock).
pub(super) const CALL_BEFORE: TimeDelta = TimeDelta::minutes(2);
/// See [`CALL_BEFORE`].
pub(super) const CALL_AFTER: TimeDelta = TimeDelta::minutes(1);

/// The calls that could have made a change with this Cause: the one its wording names, else every capacity call (a
/// wording AWS may change must not hide the caller).
pub fn calls_behind(cause: &str) -> &'static [&'static str] {
    let c = cause.to_ascii_lowercase();
    if c.contains("explicitly set group desired capacity") {
        &CAPACITY_CALLS[0..1]
    } else if c.contains("update of autoscalinggroup constraints") {
        &CAPACITY_CALLS[1..2]
    } else if c.contains("executed policy") {
        &CAPACITY_CALLS[2..3]
    } else if c.contains("attach") {
        &CAPACITY_CALLS[3..4]
    } else {
        &CAPACITY_CALLS
    }
}

/// The call behind a change of `group`'s desired capacity to `to`, asked for at `requested`: among `calls` (CloudTrail
/// records, already classified), one that succeeded, names the group and could have made this change — sets desired
/// capacity to `to`, raises MinSize to `to`, executes a policy or attaches instances — made within [`CALL_BEFORE`]
/// before and [`CALL_AFTER`] after; the nearest to `requested` (the later of two as near, then by event id, so the
/// answer does not depend on the order CloudTrail lists them).
pub fn recorded_call(group: &str, requested: DateTime<Utc>, to: u32, calls: &[Call]) -> Option<RecordedCall> {
    let is_to = |text: Option<&str>| text.and_then(|t| t.parse::<u32>().ok()) == Some(to);
    let could_make_it = |c: &Change| match c {
        Change::CapacitySet { desired } => is_to(Some(desired)),
        Change::BoundsSet { min, .. } => is_to(min.as_deref()),
        Change::PolicyExecuted { .. } | Change::InstancesAttached { .. } => true,
        _ => false,
    };
    calls
        .iter()
        .filter(|c| c.failed.is_none() && c.group.as_deref() == Some(group) && c.changes.iter().any(could_make_it))
        .filter_map(|c| {
            let at = DateTime::parse_from_rfc3339(c.at.as_deref()?).ok()?.with_timezone(&Utc);
            (at >= requested - CALL_BEFORE && at <= requested + CALL_AFTER).then_some((at, c))
        })
        .min_by_key(|(at, c)| ((*at - requested).abs(), std::cmp::Reverse(*at), c.event_id.clone()))
        .map(|(at, c)| RecordedCall {
            event: c.event.clone(),
            event_id: c.event_id.clone(),
            at,
            principal: c.principal.clone(),
        })
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
    now: DateTime<Utc>,
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
    let caller = (raised_by == RaisedBy::UserRequest).then(|| "a user request".to_string());
    Some(UnexplainedRise {
        desired,
        wanted,
        allowed,
        from: change.from,
        to: change.to,
        at: activity.start,
        requested: activity.requested_at(),
        raised_by,
        cause: activity.cause.clone(),
        caller,
        call: None,
    })
}
