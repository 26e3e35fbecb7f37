//! The `scalegate` binary, run as a user runs it, in one test executable.

mod audit_live;
mod backlog;
mod break_glass;
mod config;
mod gate;
mod lease;
mod offline;
mod sweep;
mod warm_pools;

/// A launch template of the demo image, named `name`: its id.
pub(crate) async fn demo_template(c: &scalegate_aws::sdk::Clients, name: &str) -> String {
    let template = c
        .ec2
        .create_launch_template()
        .launch_template_name(name)
        .launch_template_data(
            aws_sdk_ec2::types::RequestLaunchTemplateData::builder().image_id(scalegate::demo::DEMO_AMI).build(),
        )
        .send()
        .await
        .unwrap();
    template.launch_template().and_then(|t| t.launch_template_id()).unwrap().to_string()
}
