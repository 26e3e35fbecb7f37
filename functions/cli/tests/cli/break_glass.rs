//! `scalegate break-glass` against the local emulator: with nobody gating (the gate is "broken"), launches wait in
//! `Pending:Wait` under a hook that defaults to ABANDON; breaking the glass lets them through and makes the hook
//! default to CONTINUE; `--undo` restores ABANDON.

use scalegate::demo::{Fleet, FleetSpec};
use scalegate::emulator::{point_at, sdk_config_for, Emulator};
use scalegate_aws::sdk::Clients;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn break_glass(endpoint: &str, group: &str, undo: bool) -> (i32, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scalegate"));
    point_at(&mut cmd, endpoint).args(["break-glass", "--group", group]);
    if undo {
        cmd.arg("--undo");
    }
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
    )
}

async fn hook_default(c: &Clients, fleet: &Fleet) -> String {
    let out = c.autoscaling.describe_lifecycle_hooks().auto_scaling_group_name(&fleet.group).send().await.unwrap();
    let hook = out.lifecycle_hooks().iter().find(|h| h.lifecycle_hook_name() == Some(fleet.hook.as_str())).unwrap();
    hook.default_result().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn breaking_the_glass_lets_waiting_launches_through_and_undo_restores_the_hook() {
    let emulator = Emulator::start(&root()).expect("emulator (run `make setup`)");
    let c = Clients::new(&sdk_config_for(emulator.endpoint()).await);
    let fleet = Fleet::create(&c, &FleetSpec { prefix: "glass".into(), ..FleetSpec::default() }).await.unwrap();
    fleet.roll_back(&c).await.unwrap();
    fleet.set_desired(&c, 2).await.unwrap();
    assert_eq!(fleet.state(&c).await.unwrap().count("Pending:Wait"), 2, "nobody gates: both launches wait");
    assert_eq!(hook_default(&c, &fleet).await, "ABANDON");

    let (code, out) = break_glass(emulator.endpoint(), &fleet.group, false);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 waiting launch(es) let through"), "{out}");
    assert_eq!(fleet.state(&c).await.unwrap().count("InService"), 2, "{out}");
    assert_eq!(hook_default(&c, &fleet).await, "CONTINUE");

    // Breaking twice keeps the first saved default, so undo still restores ABANDON.
    let (code, out) = break_glass(emulator.endpoint(), &fleet.group, false);
    assert_eq!(code, 0, "{out}");
    let (code, out) = break_glass(emulator.endpoint(), &fleet.group, true);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("defaults to ABANDON again"), "{out}");
    assert_eq!(hook_default(&c, &fleet).await, "ABANDON");
    let tags =
        c.autoscaling.describe_auto_scaling_groups().auto_scaling_group_names(&fleet.group).send().await.unwrap();
    assert!(
        tags.auto_scaling_groups()[0]
            .tags()
            .iter()
            .all(|t| !t.key().unwrap_or_default().starts_with("scalegate:break-glass")),
        "undo removes its tags"
    );

    // Nothing to undo twice, and a group without a launch hook is named.
    let (code, out) = break_glass(emulator.endpoint(), &fleet.group, true);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("no break-glass tags"), "{out}");
    let (code, out) = break_glass(emulator.endpoint(), "no-such-group", false);
    assert_eq!(code, 2, "{out}");
}
