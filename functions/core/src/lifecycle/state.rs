//! An instance's Auto Scaling lifecycle state (`DescribeAutoScalingGroups` … `LifecycleState`), as one enum, so every
//! place that asks "is it waiting?" or "can it change protection?" asks the same question.

use serde::{Serialize, Serializer};

/// Every state Auto Scaling documents, and the ones it may add later.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LifecycleState {
    /// `Pending`: launching, before any launch hook.
    Pending,
    /// `Pending:Wait`: a launch hook holds it.
    PendingWait,
    /// `Pending:Proceed`: the launch hooks answered; entering service.
    PendingProceed,
    /// `Quarantined`.
    Quarantined,
    /// `InService`.
    InService,
    /// `Terminating`: leaving, before any terminate hook.
    Terminating,
    /// `Terminating:Wait`: a terminate hook holds it.
    TerminatingWait,
    /// `Terminating:Proceed`: the terminate hooks answered.
    TerminatingProceed,
    /// `Terminated`.
    Terminated,
    /// `Detaching`.
    Detaching,
    /// `Detached`.
    Detached,
    /// `EnteringStandby`.
    EnteringStandby,
    /// `Standby`.
    Standby,
    /// `Warmed:Pending`: launching into the warm pool.
    WarmedPending,
    /// `Warmed:Pending:Wait`: a launch hook holds it on its way into the pool.
    WarmedPendingWait,
    /// `Warmed:Pending:Proceed`.
    WarmedPendingProceed,
    /// `Warmed:Terminating`.
    WarmedTerminating,
    /// `Warmed:Terminating:Wait`.
    WarmedTerminatingWait,
    /// `Warmed:Terminating:Proceed`.
    WarmedTerminatingProceed,
    /// `Warmed:Terminated`.
    WarmedTerminated,
    /// `Warmed:Stopped`: ready in the pool, stopped.
    WarmedStopped,
    /// `Warmed:Running`: ready in the pool, running.
    WarmedRunning,
    /// `Warmed:Hibernated`: ready in the pool, hibernated.
    WarmedHibernated,
    /// A state this build does not know; every question below answers it the cautious way.
    Unknown(String),
}

const NAMES: [(&str, LifecycleState); 23] = [
    ("Pending", LifecycleState::Pending),
    ("Pending:Wait", LifecycleState::PendingWait),
    ("Pending:Proceed", LifecycleState::PendingProceed),
    ("Quarantined", LifecycleState::Quarantined),
    ("InService", LifecycleState::InService),
    ("Terminating", LifecycleState::Terminating),
    ("Terminating:Wait", LifecycleState::TerminatingWait),
    ("Terminating:Proceed", LifecycleState::TerminatingProceed),
    ("Terminated", LifecycleState::Terminated),
    ("Detaching", LifecycleState::Detaching),
    ("Detached", LifecycleState::Detached),
    ("EnteringStandby", LifecycleState::EnteringStandby),
    ("Standby", LifecycleState::Standby),
    ("Warmed:Pending", LifecycleState::WarmedPending),
    ("Warmed:Pending:Wait", LifecycleState::WarmedPendingWait),
    ("Warmed:Pending:Proceed", LifecycleState::WarmedPendingProceed),
    ("Warmed:Terminating", LifecycleState::WarmedTerminating),
    ("Warmed:Terminating:Wait", LifecycleState::WarmedTerminatingWait),
    ("Warmed:Terminating:Proceed", LifecycleState::WarmedTerminatingProceed),
    ("Warmed:Terminated", LifecycleState::WarmedTerminated),
    ("Warmed:Stopped", LifecycleState::WarmedStopped),
    ("Warmed:Running", LifecycleState::WarmedRunning),
    ("Warmed:Hibernated", LifecycleState::WarmedHibernated),
];

impl LifecycleState {
    /// The state Auto Scaling's wire value names.
    pub fn parse(text: &str) -> Self {
        NAMES.iter().find(|(name, _)| *name == text).map_or_else(|| Self::Unknown(text.to_string()), |(_, s)| s.clone())
    }

    /// The wire value.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Unknown(text) => text,
            known => NAMES.iter().find(|(_, s)| s == known).map_or("", |(name, _)| name),
        }
    }

    /// A launch action may still wait on the gate: the instance has not yet entered service or settled in the pool.
    /// An unknown state counts as waiting, so the gate decides rather than letting the instance through unchecked.
    pub fn awaits_launch_decision(&self) -> bool {
        matches!(
            self,
            Self::Pending | Self::PendingWait | Self::WarmedPending | Self::WarmedPendingWait | Self::Unknown(_)
        )
    }

    /// `SetInstanceProtection` accepts the instance (AWS refuses every other state, and one refusal fails a batch).
    pub fn can_change_protection(&self) -> bool {
        matches!(self, Self::InService | Self::EnteringStandby | Self::Standby)
    }

    /// Launching into the group, before service.
    pub fn is_launching(&self) -> bool {
        matches!(self, Self::Pending | Self::PendingWait | Self::PendingProceed)
    }

    /// Leaving the group: terminating (before, during or after its terminate hooks).
    pub fn is_terminating(&self) -> bool {
        matches!(self, Self::Terminating | Self::TerminatingWait | Self::TerminatingProceed)
    }

    /// In standby, or entering it.
    pub fn is_standby(&self) -> bool {
        matches!(self, Self::EnteringStandby | Self::Standby)
    }

    /// Nothing more will happen to it without a new request: in service, in standby, ready in the pool, or gone.
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            Self::InService
                | Self::Standby
                | Self::Terminated
                | Self::Detached
                | Self::WarmedStopped
                | Self::WarmedRunning
                | Self::WarmedHibernated
                | Self::WarmedTerminated
        )
    }
}

impl std::fmt::Display for LifecycleState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for LifecycleState {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_state_round_trips_and_unknown_ones_are_kept() {
        for (name, state) in &NAMES {
            assert_eq!(&LifecycleState::parse(name), state);
            assert_eq!(state.as_str(), *name);
        }
        let new = LifecycleState::parse("Warmed:Pending:Thinking");
        assert_eq!(new, LifecycleState::Unknown("Warmed:Pending:Thinking".into()));
        assert_eq!(new.as_str(), "Warmed:Pending:Thinking");
    }

    #[test]
    fn waiting_means_one_thing() {
        let waiting: Vec<&str> =
            NAMES.iter().filter(|(_, s)| s.awaits_launch_decision()).map(|(name, _)| *name).collect();
        assert_eq!(waiting, ["Pending", "Pending:Wait", "Warmed:Pending", "Warmed:Pending:Wait"]);
        assert!(!LifecycleState::TerminatingWait.awaits_launch_decision(), "a terminate hook is not the gate's");
        assert!(LifecycleState::parse("Brand:New").awaits_launch_decision(), "unknown: the gate still decides");
        assert!(!LifecycleState::parse("Brand:New").can_change_protection());
        assert!(!LifecycleState::parse("Brand:New").is_settled());
    }
}
