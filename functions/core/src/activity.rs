//! Auto Scaling's own record of what it did (`DescribeScalingActivities`), read as data: which activities are
//! launches and on which path, and which changed the desired capacity from what to what. The words are AWS's: a
//! cold launch is "Launching a new EC2 instance: i-…", the warm pool adds "into warm pool" / "from warm pool", and a
//! Cause names a capacity change as "changing the desired capacity from X to Y".

use chrono::{DateTime, Utc};

/// One scaling activity, as `DescribeScalingActivities` gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScalingActivity {
    /// StartTime.
    pub start: DateTime<Utc>,
    /// EndTime; `None` while it runs.
    pub end: Option<DateTime<Utc>>,
    /// Description ("Launching a new EC2 instance: i-…").
    pub description: String,
    /// Cause (the alarm, schedule or request behind it).
    pub cause: String,
    /// StatusCode (`Successful`, `Failed`, `Cancelled`, `InProgress`, `MidLifecycleAction`, …).
    pub status: String,
}

/// The path of a launch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LaunchPath {
    /// A new instance straight into service: the path a warm pool replaces.
    Cold,
    /// A new instance into the warm pool.
    IntoWarmPool,
    /// A warm instance into service.
    FromWarmPool,
}

/// A desired-capacity change a Cause names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DesiredChange {
    /// Before.
    pub from: u32,
    /// After.
    pub to: u32,
}

impl ScalingActivity {
    /// Which launch this is, if it is one.
    pub fn launch(&self) -> Option<LaunchPath> {
        let d = self.description.as_str();
        if !d.starts_with("Launching a new EC2 instance") {
            return None;
        }
        Some(if d.contains("into warm pool") {
            LaunchPath::IntoWarmPool
        } else if d.contains("from warm pool") {
            LaunchPath::FromWarmPool
        } else {
            LaunchPath::Cold
        })
    }

    /// Ended with StatusCode Successful.
    pub fn successful(&self) -> bool {
        self.status == "Successful"
    }

    /// Seconds from start to end, when it ended.
    pub fn seconds(&self) -> Option<f64> {
        self.end.map(|end| (end - self.start).num_milliseconds() as f64 / 1000.0).filter(|s| *s >= 0.0)
    }

    /// When the change was asked for: the time its Cause opens with ("At 2026-12-05T10:00:00Z a user request …"),
    /// else the activity's start (an activity can start well after the request, when launches wait or fail).
    pub fn requested_at(&self) -> DateTime<Utc> {
        self.cause
            .strip_prefix("At ")
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|stamp| DateTime::parse_from_rfc3339(stamp).ok())
            .map_or(self.start, |t| t.with_timezone(&Utc))
    }

    /// The desired-capacity change its Cause names ("… changing the desired capacity from 2 to 4. …").
    pub fn desired_change(&self) -> Option<DesiredChange> {
        let rest = self.cause.split("changing the desired capacity from ").nth(1)?;
        let mut words = rest.split_whitespace();
        let from = words.next()?.parse().ok()?;
        (words.next()? == "to").then_some(())?;
        let to = words.next()?.trim_end_matches(['.', ',']).parse().ok()?;
        Some(DesiredChange { from, to })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn activity(description: &str, cause: &str) -> ScalingActivity {
        let start = Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap();
        ScalingActivity {
            start,
            end: Some(start + chrono::Duration::seconds(243)),
            description: description.into(),
            cause: cause.into(),
            status: "Successful".into(),
        }
    }

    #[test]
    fn launches_by_path_and_changes_by_cause() {
        let cold = activity(
            "Launching a new EC2 instance: i-075fa0ad6a018cdfc",
            "At 2026-12-05T10:00:00Z a monitor alarm TargetTracking-workers-AlarmHigh-1 in state ALARM triggered policy \
             cpu50 changing the desired capacity from 2 to 4. At 2026-12-05T10:00:05Z an instance was started in \
             response to a difference between desired and actual capacity, increasing the capacity from 2 to 4.",
        );
        assert_eq!(cold.launch(), Some(LaunchPath::Cold));
        assert_eq!(cold.desired_change(), Some(DesiredChange { from: 2, to: 4 }));
        assert_eq!((cold.seconds(), cold.successful()), (Some(243.0), true));
        let into = activity("Launching a new EC2 instance into warm pool: i-0ea10fdc59a07df6e", "");
        let from = activity("Launching a new EC2 instance from warm pool: i-0ea10fdc59a07df6e", "");
        assert_eq!((into.launch(), from.launch()), (Some(LaunchPath::IntoWarmPool), Some(LaunchPath::FromWarmPool)));
        let gone = activity(
            "Terminating EC2 instance: i-0123",
            "At 2026-12-05T11:00:00Z a user request update of AutoScalingGroup constraints to min: 0, max: 10, \
             desired: 1 changing the desired capacity from 4 to 1.",
        );
        assert_eq!(gone.launch(), None);
        assert_eq!(gone.desired_change(), Some(DesiredChange { from: 4, to: 1 }));
        assert_eq!(activity("x", "changing the desired capacity from two to 4").desired_change(), None);
    }
}
