//! The escalation methods scalegate models: one table, read by the path search and printed in the README, each row
//! with the public catalogues that publish it.
//!
//! A row is a way for a principal to act with permissions it does not hold. Rows of the same kind differ only in
//! their actions; the rule each kind stands for is what makes the audit sound for methods nobody has listed yet:
//! anything that changes what running compute executes reaches the role it runs as, anything that passes a role to
//! a service that runs code reaches that role, and so on (see [`Yields`]).

/// What a method gives the principal that uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Yields {
    /// Acts as a role it may assume (`sts:AssumeRole`, allowed by both sides).
    AssumeRole,
    /// Rewrites a role's trust policy, then assumes it.
    TrustEdit,
    /// Passes a role (`iam:PassRole`) to compute of this service that the actions start: acts as any role the service
    /// may assume.
    PassRole(&'static str),
    /// Changes what compute of this service, already running as some role, executes, or opens a session inside it:
    /// acts as any role the service may assume, no `iam:PassRole` needed.
    ReuseCompute(&'static str),
    /// Acts as an IAM user: new access keys or a console password.
    UserCredentials,
    /// Adds a user it acts as to a group: gains the group's policies.
    JoinGroup,
    /// Changes a principal's policies (or a managed policy's versions): the principal gains what the edit adds.
    PolicyEdit,
    /// Creates a principal and gives it permissions: reaches whatever it grants.
    NewPrincipal,
}

impl Yields {
    /// The kind, as the README's table names it.
    pub fn label(self) -> String {
        match self {
            Yields::AssumeRole => "assume a role".into(),
            Yields::TrustEdit => "trust edit".into(),
            Yields::PassRole(s) => format!("pass a role to {s}"),
            Yields::ReuseCompute(s) => format!("reuse compute running as a role {s} assumes"),
            Yields::UserCredentials => "act as a user".into(),
            Yields::JoinGroup => "join a group".into(),
            Yields::PolicyEdit => "policy edit".into(),
            Yields::NewPrincipal => "new principal".into(),
        }
    }
}

/// One method.
#[derive(Debug, Clone, Copy)]
pub struct Method {
    /// What the method does, in a few words.
    pub name: &'static str,
    /// What it gives.
    pub yields: Yields,
    /// The actions it needs, all of them (for `PassRole`, besides `iam:PassRole`; for `UserCredentials`,
    /// `PolicyEdit` and `JoinGroup`, on the principal, group or policy edited).
    pub actions: &'static [&'static str],
    /// Where it is published.
    pub sources: &'static [&'static str],
}

/// Edits that can add any permission to a role.
pub const ROLE_POLICY_EDITS: &[&str] = &[
    "iam:PutRolePolicy",
    "iam:AttachRolePolicy",
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
];
/// Edits that can add any permission to a user.
pub const USER_POLICY_EDITS: &[&str] = &[
    "iam:PutUserPolicy",
    "iam:AttachUserPolicy",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
];
/// Edits that can add any permission to a group's members.
pub const GROUP_POLICY_EDITS: &[&str] = &["iam:PutGroupPolicy", "iam:AttachGroupPolicy"];
/// Edits that only remove (a role's or a user's Deny among them).
pub const POLICY_REMOVALS: &[&str] =
    &["iam:DeleteRolePolicy", "iam:DetachRolePolicy", "iam:DeleteUserPolicy", "iam:DetachUserPolicy"];
/// Edits that only remove from a group (its Deny among them).
pub const GROUP_POLICY_REMOVALS: &[&str] = &["iam:DeleteGroupPolicy", "iam:DetachGroupPolicy"];
/// Boundary changes: with one, a policy edit is no longer cut by the boundary.
pub const BOUNDARY_EDITS: &[&str] = &[
    "iam:PutRolePermissionsBoundary",
    "iam:DeleteRolePermissionsBoundary",
    "iam:PutUserPermissionsBoundary",
    "iam:DeleteUserPermissionsBoundary",
];
/// A new version of a customer-managed policy: any permission for every principal it is attached to.
pub const POLICY_VERSION_CREATE: &[&str] = &["iam:CreatePolicyVersion"];
/// Switching a customer-managed policy to another of its versions.
pub const POLICY_VERSION_DEFAULT: &[&str] = &["iam:SetDefaultPolicyVersion"];
/// A user's credentials.
pub const USER_CREDENTIALS: &[&str] =
    &["iam:CreateAccessKey", "iam:CreateLoginProfile", "iam:UpdateLoginProfile", "iam:UpdateAccessKey"];

/// Every modelled method. The sources name the public catalogues that publish each (the number or file they use);
/// a "scalegate rule" source marks a method the rule covers that no catalogue lists.
pub const METHODS: &[Method] = &[
    Method {
        name: "Assume a role whose trust policy admits the caller",
        yields: Yields::AssumeRole,
        actions: &["sts:AssumeRole"],
        sources: &["BishopFox iam-vulnerable privesc-AssumeRole", "BishopFox iam-vulnerable privesc-permissive-role-trust", "NCC Group PMapper sts_edges.py", "NCC Group PMapper cross_account_edges.py", "HackTricks Cloud aws-sts-privesc", "DataDog pathfinding.cloud sts-001"],
    },
    Method {
        name: "Rewrite a role's trust policy, then assume it",
        yields: Yields::TrustEdit,
        actions: &["iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
        sources: &["Rhino Security Labs #14", "Rhino AWS-IAM-Privilege-Escalation #14", "Pacu iam__privesc_scan UpdateRolePolicyToAssumeIt", "BishopFox iam-vulnerable privesc14-UpdatingAssumeRolePolicy", "NCC Group PMapper iam_edges.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-012", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create an access key for a user",
        yields: Yields::UserCredentials,
        actions: &["iam:CreateAccessKey"],
        sources: &["Rhino Security Labs #4", "Rhino AWS-IAM-Privilege-Escalation #4", "Pacu iam__privesc_scan CreateAccessKey", "BishopFox iam-vulnerable privesc4-CreateAccessKey", "NCC Group PMapper iam_edges.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-002", "DataDog pathfinding.cloud iam-003", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create a console password for a user",
        yields: Yields::UserCredentials,
        actions: &["iam:CreateLoginProfile"],
        sources: &["Rhino Security Labs #5", "Rhino AWS-IAM-Privilege-Escalation #5", "Pacu iam__privesc_scan CreateLoginProfile", "BishopFox iam-vulnerable privesc5-CreateLoginProfile", "NCC Group PMapper iam_edges.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-004", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Change a user's console password",
        yields: Yields::UserCredentials,
        actions: &["iam:UpdateLoginProfile"],
        sources: &["Rhino Security Labs #6", "Rhino AWS-IAM-Privilege-Escalation #6", "Pacu iam__privesc_scan UpdateLoginProfile", "BishopFox iam-vulnerable privesc6-UpdateLoginProfile", "NCC Group PMapper iam_edges.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-006", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Reactivate a user's inactive access key",
        yields: Yields::UserCredentials,
        actions: &["iam:UpdateAccessKey"],
        sources: &["HackTricks Cloud aws-iam-privesc"],
    },
    Method {
        name: "Add a user it acts as to a group",
        yields: Yields::JoinGroup,
        actions: &["iam:AddUserToGroup"],
        sources: &["Rhino Security Labs #13", "Rhino AWS-IAM-Privilege-Escalation #13", "Pacu iam__privesc_scan AddUserToGroup", "BishopFox iam-vulnerable privesc13-AddUserToGroup", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-013", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Write an inline policy on a role",
        yields: Yields::PolicyEdit,
        actions: &["iam:PutRolePolicy"],
        sources: &["Rhino Security Labs #12", "Rhino AWS-IAM-Privilege-Escalation #12", "Pacu iam__privesc_scan PutRolePolicy", "BishopFox iam-vulnerable privesc12-PutRolePolicy", "NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-005", "DataDog pathfinding.cloud iam-017", "DataDog pathfinding.cloud iam-021", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Attach a managed policy to a role",
        yields: Yields::PolicyEdit,
        actions: &["iam:AttachRolePolicy"],
        sources: &["Rhino Security Labs #9", "Rhino AWS-IAM-Privilege-Escalation #9", "Pacu iam__privesc_scan AttachRolePolicy", "BishopFox iam-vulnerable privesc9-AttachRolePolicy", "NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-009", "DataDog pathfinding.cloud iam-014", "DataDog pathfinding.cloud iam-019", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Write an inline policy on a user",
        yields: Yields::PolicyEdit,
        actions: &["iam:PutUserPolicy"],
        sources: &["Rhino Security Labs #10", "Rhino AWS-IAM-Privilege-Escalation #10", "Pacu iam__privesc_scan PutUserPolicy", "BishopFox iam-vulnerable privesc10-PutUserPolicy", "NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-007", "DataDog pathfinding.cloud iam-018", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Attach a managed policy to a user",
        yields: Yields::PolicyEdit,
        actions: &["iam:AttachUserPolicy"],
        sources: &["Rhino Security Labs #7", "Rhino AWS-IAM-Privilege-Escalation #7", "Pacu iam__privesc_scan AttachUserPolicy", "BishopFox iam-vulnerable privesc7-AttachUserPolicy", "NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-008", "DataDog pathfinding.cloud iam-015", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Write an inline policy on a group",
        yields: Yields::PolicyEdit,
        actions: &["iam:PutGroupPolicy"],
        sources: &["Rhino Security Labs #11", "Rhino AWS-IAM-Privilege-Escalation #11", "Pacu iam__privesc_scan PutGroupPolicy", "BishopFox iam-vulnerable privesc11-PutGroupPolicy", "NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-011", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Attach a managed policy to a group",
        yields: Yields::PolicyEdit,
        actions: &["iam:AttachGroupPolicy"],
        sources: &["Rhino Security Labs #8", "Rhino AWS-IAM-Privilege-Escalation #8", "Pacu iam__privesc_scan AttachGroupPolicy", "BishopFox iam-vulnerable privesc8-AttachGroupPolicy", "NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-010", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create a new default version of a customer-managed policy",
        yields: Yields::PolicyEdit,
        actions: &["iam:CreatePolicyVersion"],
        sources: &["Rhino Security Labs #1", "Rhino AWS-IAM-Privilege-Escalation #1", "Pacu iam__privesc_scan CreateNewPolicyVersion", "BishopFox iam-vulnerable privesc1-CreateNewPolicyVersion", "BishopFox iam-vulnerable fn2-ExploitableResourceConstraint", "NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc", "DataDog pathfinding.cloud iam-001", "DataDog pathfinding.cloud iam-016", "DataDog pathfinding.cloud iam-020", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Make another existing version of a customer-managed policy the default",
        yields: Yields::PolicyEdit,
        actions: &["iam:SetDefaultPolicyVersion"],
        sources: &["Rhino Security Labs #2", "Rhino AWS-IAM-Privilege-Escalation #2", "Pacu iam__privesc_scan SetExistingDefaultPolicyVersion", "BishopFox iam-vulnerable privesc2-SetExistingDefaultPolicyVersion", "HackTricks Cloud aws-iam-privesc", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Replace a role's permissions boundary",
        yields: Yields::PolicyEdit,
        actions: &["iam:PutRolePermissionsBoundary"],
        sources: &["HackTricks Cloud aws-iam-privesc", "Hacking the Cloud, IAM privilege escalation", "HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Delete a role's permissions boundary",
        yields: Yields::PolicyEdit,
        actions: &["iam:DeleteRolePermissionsBoundary"],
        sources: &["HackTricks Cloud aws-iam-privesc", "Hacking the Cloud, IAM privilege escalation", "HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Replace a user's permissions boundary",
        yields: Yields::PolicyEdit,
        actions: &["iam:PutUserPermissionsBoundary"],
        sources: &["HackTricks Cloud aws-iam-privesc", "Hacking the Cloud, IAM privilege escalation", "HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Delete a user's permissions boundary",
        yields: Yields::PolicyEdit,
        actions: &["iam:DeleteUserPermissionsBoundary"],
        sources: &["HackTricks Cloud aws-iam-privesc", "Hacking the Cloud, IAM privilege escalation", "HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Delete a role's inline policy that holds a Deny",
        yields: Yields::PolicyEdit,
        actions: &["iam:DeleteRolePolicy"],
        sources: &["Hacking the Cloud, IAM privilege escalation", "HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Detach a managed policy that holds a Deny from a role",
        yields: Yields::PolicyEdit,
        actions: &["iam:DetachRolePolicy"],
        sources: &["Hacking the Cloud, IAM privilege escalation", "HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Delete a user's inline policy that holds a Deny",
        yields: Yields::PolicyEdit,
        actions: &["iam:DeleteUserPolicy"],
        sources: &["Hacking the Cloud, IAM privilege escalation", "HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Detach a managed policy that holds a Deny from a user",
        yields: Yields::PolicyEdit,
        actions: &["iam:DetachUserPolicy"],
        sources: &["Hacking the Cloud, IAM privilege escalation", "HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Delete a group's inline policy that holds a Deny",
        yields: Yields::PolicyEdit,
        actions: &["iam:DeleteGroupPolicy"],
        sources: &["HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Detach a managed policy that holds a Deny from a group",
        yields: Yields::PolicyEdit,
        actions: &["iam:DetachGroupPolicy"],
        sources: &["HackTricks Cloud aws-iam-post-exploitation"],
    },
    Method {
        name: "Create a role, write a policy on it, assume it",
        yields: Yields::NewPrincipal,
        actions: &["iam:CreateRole", "iam:PutRolePolicy", "sts:AssumeRole"],
        sources: &["NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc"],
    },
    Method {
        name: "Create a role, attach a managed policy, assume it",
        yields: Yields::NewPrincipal,
        actions: &["iam:CreateRole", "iam:AttachRolePolicy", "sts:AssumeRole"],
        sources: &["NCC Group PMapper gathering.py", "HackTricks Cloud aws-iam-privesc"],
    },
    Method {
        name: "Create a role, give it a policy, pass it to compute",
        yields: Yields::NewPrincipal,
        actions: &["iam:CreateRole", "iam:PutRolePolicy", "iam:PassRole"],
        sources: &["scalegate rule: a principal it creates and gives permissions"],
    },
    Method {
        name: "Create a user, write a policy on it, create its access key",
        yields: Yields::NewPrincipal,
        actions: &["iam:CreateUser", "iam:PutUserPolicy", "iam:CreateAccessKey"],
        sources: &["scalegate rule: a principal it creates and gives permissions"],
    },
    Method {
        name: "Create a user, attach a managed policy, create its console password",
        yields: Yields::NewPrincipal,
        actions: &["iam:CreateUser", "iam:AttachUserPolicy", "iam:CreateLoginProfile"],
        sources: &["scalegate rule: a principal it creates and gives permissions"],
    },
    Method {
        name: "Launch an instance with an instance profile (a new profile needs iam:CreateInstanceProfile and iam:AddRoleToInstanceProfile too)",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["ec2:RunInstances"],
        sources: &["Rhino Security Labs #3", "Rhino AWS-IAM-Privilege-Escalation #3", "Pacu iam__privesc_scan CreateEC2WithExistingIP", "BishopFox iam-vulnerable privesc3-CreateEC2WithExistingIP", "BishopFox iam-vulnerable fn1-privesc3-multiple-policies", "NCC Group PMapper ec2_edges.py", "HackTricks Cloud aws-ec2-privesc", "DataDog pathfinding.cloud ec2-001", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Request Spot instances with an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["ec2:RequestSpotInstances"],
        sources: &["HackTricks Cloud aws-ec2-privesc", "DataDog pathfinding.cloud ec2-003"],
    },
    Method {
        name: "Request a Spot fleet with an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["ec2:RequestSpotFleet"],
        sources: &["HackTricks Cloud aws-ec2-privesc"],
    },
    Method {
        name: "Create an EC2 fleet with an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["ec2:CreateFleet"],
        sources: &["HackTricks Cloud aws-ec2-privesc"],
    },
    Method {
        name: "Attach an instance profile to an instance it controls",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["ec2:AssociateIamInstanceProfile"],
        sources: &["HackTricks Cloud aws-ec2-privesc", "NCC Group PMapper ec2_edges.py"],
    },
    Method {
        name: "Replace an instance's instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["ec2:ReplaceIamInstanceProfileAssociation"],
        sources: &["HackTricks Cloud aws-ec2-privesc", "NCC Group PMapper ec2_edges.py"],
    },
    Method {
        name: "Create a launch template with an instance profile for a group",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["ec2:CreateLaunchTemplate"],
        sources: &["NCC Group PMapper autoscaling_edges.py", "HackTricks Cloud aws-ec2-privesc", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create a launch configuration with an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["autoscaling:CreateLaunchConfiguration"],
        sources: &["NCC Group PMapper autoscaling_edges.py", "HackTricks Cloud aws-ec2-privesc", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create an Auto Scaling group that launches an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["autoscaling:CreateAutoScalingGroup"],
        sources: &["NCC Group PMapper autoscaling_edges.py", "HackTricks Cloud aws-ec2-privesc", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Point an Auto Scaling group at a template or configuration with an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["autoscaling:UpdateAutoScalingGroup"],
        sources: &["NCC Group PMapper autoscaling_edges.py", "HackTricks Cloud aws-ec2-privesc", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create an RDS Custom instance with an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["rds:CreateDBInstance"],
        sources: &["HackTricks Cloud aws-rds-privesc"],
    },
    Method {
        name: "Run an EMR cluster with an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["elasticmapreduce:RunJobFlow"],
        sources: &["HackTricks Cloud aws-emr-privesc"],
    },
    Method {
        name: "Run an EMR cluster with a service role",
        yields: Yields::PassRole("elasticmapreduce.amazonaws.com"),
        actions: &["elasticmapreduce:RunJobFlow"],
        sources: &["HackTricks Cloud aws-emr-privesc"],
    },
    Method {
        name: "Create an EMR notebook with a role",
        yields: Yields::PassRole("elasticmapreduce.amazonaws.com"),
        actions: &["elasticmapreduce:CreateEditor"],
        sources: &["HackTricks Cloud aws-emr-privesc"],
    },
    Method {
        name: "Create an Elastic Beanstalk environment with an instance profile",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["elasticbeanstalk:CreateEnvironment"],
        sources: &["HackTricks Cloud aws-elastic-beanstalk-privesc"],
    },
    Method {
        name: "Create a Data Pipeline that runs as a role (resource role on EC2)",
        yields: Yields::PassRole("ec2.amazonaws.com"),
        actions: &["datapipeline:PutPipelineDefinition"],
        sources: &["Rhino Security Labs #21", "Rhino AWS-IAM-Privilege-Escalation #22", "Pacu iam__privesc_scan PassExistingRoleToNewDataPipeline", "BishopFox iam-vulnerable privesc21-PassExistingRoleToNewDataPipeline", "HackTricks Cloud aws-datapipeline-privesc", "DataDog pathfinding.cloud datapipeline-001", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create a Data Pipeline with a pipeline role",
        yields: Yields::PassRole("datapipeline.amazonaws.com"),
        actions: &["datapipeline:CreatePipeline"],
        sources: &["Rhino Security Labs #21", "Rhino AWS-IAM-Privilege-Escalation #22", "Pacu iam__privesc_scan PassExistingRoleToNewDataPipeline", "BishopFox iam-vulnerable privesc21-PassExistingRoleToNewDataPipeline", "HackTricks Cloud aws-datapipeline-privesc", "DataDog pathfinding.cloud datapipeline-001", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Put a Data Pipeline definition with a pipeline role",
        yields: Yields::PassRole("datapipeline.amazonaws.com"),
        actions: &["datapipeline:PutPipelineDefinition"],
        sources: &["Rhino Security Labs #21", "Rhino AWS-IAM-Privilege-Escalation #22", "Pacu iam__privesc_scan PassExistingRoleToNewDataPipeline", "BishopFox iam-vulnerable privesc21-PassExistingRoleToNewDataPipeline", "HackTricks Cloud aws-datapipeline-privesc", "DataDog pathfinding.cloud datapipeline-001", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create a Lambda function with a role (then invoke it, trigger it from an event source or a function URL)",
        yields: Yields::PassRole("lambda.amazonaws.com"),
        actions: &["lambda:CreateFunction"],
        sources: &["NCC Group PMapper lambda_edges.py"],
    },
    Method {
        name: "Change the role a Lambda function runs as",
        yields: Yields::PassRole("lambda.amazonaws.com"),
        actions: &["lambda:UpdateFunctionConfiguration"],
        sources: &["NCC Group PMapper lambda_edges.py"],
    },
    Method {
        name: "Deploy a Lambda@Edge function with a role",
        yields: Yields::PassRole("edgelambda.amazonaws.com"),
        actions: &["lambda:CreateFunction"],
        sources: &["HackTricks Cloud aws-cloudfront-privesc"],
    },
    Method {
        name: "Register an ECS task definition with a task role",
        yields: Yields::PassRole("ecs-tasks.amazonaws.com"),
        actions: &["ecs:RegisterTaskDefinition"],
        sources: &["HackTricks Cloud aws-ecs-privesc", "DataDog pathfinding.cloud ecs-004", "DataDog pathfinding.cloud ecs-002", "Rhino 'Weaponizing ECS Task Definitions' (https://rhinosecur"],
    },
    Method {
        name: "Run an ECS task with a task role (or a task-role override)",
        yields: Yields::PassRole("ecs-tasks.amazonaws.com"),
        actions: &["ecs:RunTask"],
        sources: &["HackTricks Cloud aws-ecs-privesc", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Start an ECS task on a container instance with a task role",
        yields: Yields::PassRole("ecs-tasks.amazonaws.com"),
        actions: &["ecs:StartTask"],
        sources: &["HackTricks Cloud aws-ecs-privesc", "DataDog pathfinding.cloud ecs-005"],
    },
    Method {
        name: "Create an ECS service with a task role",
        yields: Yields::PassRole("ecs-tasks.amazonaws.com"),
        actions: &["ecs:CreateService"],
        sources: &["HackTricks Cloud aws-ecs-privesc", "DataDog pathfinding.cloud ecs-003", "DataDog pathfinding.cloud ecs-001"],
    },
    Method {
        name: "Update an ECS service to a task definition with a task role",
        yields: Yields::PassRole("ecs-tasks.amazonaws.com"),
        actions: &["ecs:UpdateService"],
        sources: &["HackTricks Cloud aws-ecs-privesc", "DataDog pathfinding.cloud ecs-003", "DataDog pathfinding.cloud ecs-001"],
    },
    Method {
        name: "Register a Batch job definition with a job role",
        yields: Yields::PassRole("ecs-tasks.amazonaws.com"),
        actions: &["batch:RegisterJobDefinition"],
        sources: &["HackTricks Cloud aws-batch-privesc"],
    },
    Method {
        name: "Create a CloudFormation stack with a service role",
        yields: Yields::PassRole("cloudformation.amazonaws.com"),
        actions: &["cloudformation:CreateStack"],
        sources: &["Rhino Security Labs #20", "Rhino AWS-IAM-Privilege-Escalation #21", "Pacu iam__privesc_scan PassExistingRoleToNewCloudFormation", "BishopFox iam-vulnerable privesc20-PassExistingRoleToCloudFormation", "NCC Group PMapper cloudformation_edges.py", "HackTricks Cloud aws-cloudformation-privesc", "DataDog pathfinding.cloud cloudformation-001", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Update a CloudFormation stack to a new service role",
        yields: Yields::PassRole("cloudformation.amazonaws.com"),
        actions: &["cloudformation:UpdateStack"],
        sources: &["NCC Group PMapper cloudformation_edges.py", "HackTricks Cloud aws-cloudformation-privesc"],
    },
    Method {
        name: "Create a change set with a service role",
        yields: Yields::PassRole("cloudformation.amazonaws.com"),
        actions: &["cloudformation:CreateChangeSet"],
        sources: &["HackTricks Cloud aws-cloudformation-privesc"],
    },
    Method {
        name: "Create a self-managed StackSet with an administration role",
        yields: Yields::PassRole("cloudformation.amazonaws.com"),
        actions: &["cloudformation:CreateStackSet"],
        sources: &["HackTricks Cloud aws-cloudformation-privesc", "DataDog pathfinding.cloud cloudformation-003"],
    },
    Method {
        name: "Update a StackSet to a new administration role",
        yields: Yields::PassRole("cloudformation.amazonaws.com"),
        actions: &["cloudformation:UpdateStackSet"],
        sources: &["HackTricks Cloud aws-cloudformation-privesc", "DataDog pathfinding.cloud cloudformation-004"],
    },
    Method {
        name: "Create a CodeBuild project with a service role",
        yields: Yields::PassRole("codebuild.amazonaws.com"),
        actions: &["codebuild:CreateProject"],
        sources: &["BishopFox iam-vulnerable privesc-codeBuildCreateProjectPassRole", "NCC Group PMapper codebuild_edges.py", "HackTricks Cloud aws-codebuild-privesc", "DataDog pathfinding.cloud codebuild-001", "DataDog pathfinding.cloud codebuild-004"],
    },
    Method {
        name: "Change a CodeBuild project's service role",
        yields: Yields::PassRole("codebuild.amazonaws.com"),
        actions: &["codebuild:UpdateProject"],
        sources: &["NCC Group PMapper codebuild_edges.py", "HackTricks Cloud aws-codebuild-privesc"],
    },
    Method {
        name: "Create a CodePipeline with a role",
        yields: Yields::PassRole("codepipeline.amazonaws.com"),
        actions: &["codepipeline:CreatePipeline"],
        sources: &["HackTricks Cloud aws-codepipeline-privesc"],
    },
    Method {
        name: "Create a Glue development endpoint with a role",
        yields: Yields::PassRole("glue.amazonaws.com"),
        actions: &["glue:CreateDevEndpoint"],
        sources: &["Rhino Security Labs #18", "Rhino AWS-IAM-Privilege-Escalation #19", "Pacu iam__privesc_scan PassExistingRoleToNewGlueDevEndpoint", "BishopFox iam-vulnerable privesc18-PassExistingRoleToNewGlueDevEndpoint", "HackTricks Cloud aws-glue-privesc", "DataDog pathfinding.cloud glue-001", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create a Glue job with a role",
        yields: Yields::PassRole("glue.amazonaws.com"),
        actions: &["glue:CreateJob"],
        sources: &["HackTricks Cloud aws-glue-privesc", "DataDog pathfinding.cloud glue-003", "DataDog pathfinding.cloud glue-004", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Change a Glue job's role",
        yields: Yields::PassRole("glue.amazonaws.com"),
        actions: &["glue:UpdateJob"],
        sources: &["HackTricks Cloud aws-glue-privesc", "DataDog pathfinding.cloud glue-005", "DataDog pathfinding.cloud glue-006", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Create a Glue interactive session with a role",
        yields: Yields::PassRole("glue.amazonaws.com"),
        actions: &["glue:CreateSession"],
        sources: &["HackTricks Cloud aws-glue-privesc"],
    },
    Method {
        name: "Create a SageMaker notebook instance with a role",
        yields: Yields::PassRole("sagemaker.amazonaws.com"),
        actions: &["sagemaker:CreateNotebookInstance"],
        sources: &["Rhino Security Labs, part 2", "Rhino AWS-IAM-Privilege-Escalation #27", "BishopFox iam-vulnerable privesc-sageMakerCreateNotebookPassRole", "NCC Group PMapper sagemaker_edges.py", "HackTricks Cloud aws-sagemaker-privesc", "DataDog pathfinding.cloud sagemaker-001"],
    },
    Method {
        name: "Create a SageMaker training job with a role",
        yields: Yields::PassRole("sagemaker.amazonaws.com"),
        actions: &["sagemaker:CreateTrainingJob"],
        sources: &["BishopFox iam-vulnerable privesc-sageMakerCreateTrainingJob", "NCC Group PMapper sagemaker_edges.py", "HackTricks Cloud aws-sagemaker-privesc", "DataDog pathfinding.cloud sagemaker-002"],
    },
    Method {
        name: "Create a SageMaker processing job with a role",
        yields: Yields::PassRole("sagemaker.amazonaws.com"),
        actions: &["sagemaker:CreateProcessingJob"],
        sources: &["BishopFox iam-vulnerable privesc-sageMakerCreateProcessingJob", "NCC Group PMapper sagemaker_edges.py", "HackTricks Cloud aws-sagemaker-privesc", "DataDog pathfinding.cloud sagemaker-003"],
    },
    Method {
        name: "Create a SageMaker hyperparameter tuning job with a role",
        yields: Yields::PassRole("sagemaker.amazonaws.com"),
        actions: &["sagemaker:CreateHyperParameterTuningJob"],
        sources: &["HackTricks Cloud aws-sagemaker-privesc"],
    },
    Method {
        name: "Swap a SageMaker Studio user profile's execution role",
        yields: Yields::PassRole("sagemaker.amazonaws.com"),
        actions: &["sagemaker:UpdateUserProfile"],
        sources: &["HackTricks Cloud aws-sagemaker-privesc"],
    },
    Method {
        name: "Change a SageMaker Studio domain's default execution role",
        yields: Yields::PassRole("sagemaker.amazonaws.com"),
        actions: &["sagemaker:UpdateDomain"],
        sources: &["HackTricks Cloud aws-sagemaker-privesc"],
    },
    Method {
        name: "Create a Step Functions state machine with a role",
        yields: Yields::PassRole("states.amazonaws.com"),
        actions: &["states:CreateStateMachine"],
        sources: &["HackTricks Cloud aws-stepfunctions-privesc"],
    },
    Method {
        name: "Change a state machine's role",
        yields: Yields::PassRole("states.amazonaws.com"),
        actions: &["states:UpdateStateMachine"],
        sources: &["HackTricks Cloud aws-stepfunctions-privesc"],
    },
    Method {
        name: "Test a Step Functions state with a role",
        yields: Yields::PassRole("states.amazonaws.com"),
        actions: &["states:TestState"],
        sources: &["HackTricks Cloud aws-stepfunctions-privesc"],
    },
    Method {
        name: "Create an EventBridge Scheduler schedule with a role",
        yields: Yields::PassRole("scheduler.amazonaws.com"),
        actions: &["scheduler:CreateSchedule"],
        sources: &["HackTricks Cloud"],
    },
    Method {
        name: "Change an EventBridge Scheduler schedule's role",
        yields: Yields::PassRole("scheduler.amazonaws.com"),
        actions: &["scheduler:UpdateSchedule"],
        sources: &["HackTricks Cloud"],
    },
    Method {
        name: "Create an App Runner service with an instance role",
        yields: Yields::PassRole("tasks.apprunner.amazonaws.com"),
        actions: &["apprunner:CreateService"],
        sources: &["HackTricks Cloud aws-apprunner-privesc", "DataDog pathfinding.cloud apprunner-001"],
    },
    Method {
        name: "Create a Bedrock AgentCore code interpreter with a role",
        yields: Yields::PassRole("bedrock-agentcore.amazonaws.com"),
        actions: &["bedrock-agentcore:CreateCodeInterpreter"],
        sources: &["HackTricks Cloud aws-bedrock-privesc", "DataDog pathfinding.cloud bedrock-001", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Set a Cognito identity pool's roles",
        yields: Yields::PassRole("cognito-identity.amazonaws.com"),
        actions: &["cognito-identity:SetIdentityPoolRoles"],
        sources: &["HackTricks Cloud aws-cognito-privesc"],
    },
    Method {
        name: "Associate a role with an Aurora DB cluster",
        yields: Yields::PassRole("rds.amazonaws.com"),
        actions: &["rds:AddRoleToDBCluster"],
        sources: &["HackTricks Cloud aws-rds-privesc"],
    },
    Method {
        name: "Associate a role with an RDS DB instance",
        yields: Yields::PassRole("rds.amazonaws.com"),
        actions: &["rds:AddRoleToDBInstance"],
        sources: &["HackTricks Cloud aws-rds-privesc"],
    },
    Method {
        name: "Update a Lambda function's code",
        yields: Yields::ReuseCompute("lambda.amazonaws.com"),
        actions: &["lambda:UpdateFunctionCode"],
        sources: &["Rhino Security Labs #17", "Rhino AWS-IAM-Privilege-Escalation #18", "Pacu iam__privesc_scan EditExistingLambdaFunctionWithRole", "BishopFox iam-vulnerable privesc17-EditExistingLambdaFunctionWithRole", "NCC Group PMapper lambda_edges.py", "HackTricks Cloud aws-lambda-privesc", "HackTricks Cloud aws-bedrock-privesc", "DataDog pathfinding.cloud lambda-003", "DataDog pathfinding.cloud lambda-004", "DataDog pathfinding.cloud lambda-005", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Change a Lambda function's layers or environment",
        yields: Yields::ReuseCompute("lambda.amazonaws.com"),
        actions: &["lambda:UpdateFunctionConfiguration"],
        sources: &["Rhino Security Labs, part 2", "Rhino AWS-IAM-Privilege-Escalation #26", "BishopFox iam-vulnerable privesc17-EditExistingLambdaFunctionWithRole", "HackTricks Cloud aws-lambda-privesc", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Publish a new launch template version for instances that run a role",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ec2:CreateLaunchTemplateVersion"],
        sources: &["HackTricks Cloud aws-ec2-privesc", "DataDog pathfinding.cloud ec2-004"],
    },
    Method {
        name: "Make another launch template version the default",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ec2:ModifyLaunchTemplate"],
        sources: &["HackTricks Cloud aws-ec2-privesc", "DataDog pathfinding.cloud ec2-004"],
    },
    Method {
        name: "Change an instance's user data",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ec2:ModifyInstanceAttribute"],
        sources: &["HackTricks Cloud aws-ec2-privesc", "DataDog pathfinding.cloud ec2-002"],
    },
    Method {
        name: "Create an Auto Scaling group from an existing launch configuration with an instance profile",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["autoscaling:CreateAutoScalingGroup"],
        sources: &["NCC Group PMapper autoscaling_edges.py"],
    },
    Method {
        name: "Push an SSH key to an instance with EC2 Instance Connect",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ec2-instance-connect:SendSSHPublicKey"],
        sources: &["BishopFox iam-vulnerable privesc-ec2InstanceConnect", "HackTricks Cloud aws-ec2-privesc", "DataDog pathfinding.cloud ec2instanceconnect-003"],
    },
    Method {
        name: "Push an SSH key to an instance's serial console",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ec2-instance-connect:SendSerialConsoleSSHPublicKey"],
        sources: &["BishopFox iam-vulnerable privesc-ec2InstanceConnect", "HackTricks Cloud aws-ec2-privesc"],
    },
    Method {
        name: "Send commands to instances through SSM",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ssm:SendCommand"],
        sources: &["BishopFox iam-vulnerable privesc-ssmSendCommand", "NCC Group PMapper ssm_edges.py", "HackTricks Cloud aws-ssm-privesc", "DataDog pathfinding.cloud ssm-002"],
    },
    Method {
        name: "Open an SSM session on an instance",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ssm:StartSession"],
        sources: &["BishopFox iam-vulnerable privesc-ssmStartSession", "NCC Group PMapper ssm_edges.py", "HackTricks Cloud aws-ssm-privesc", "HackTricks Cloud aws-codebuild-privesc", "DataDog pathfinding.cloud ssm-001"],
    },
    Method {
        name: "Resume an SSM session on an instance",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ssm:ResumeSession"],
        sources: &["BishopFox iam-vulnerable privesc-ssmStartSession", "NCC Group PMapper ssm_edges.py", "HackTricks Cloud aws-ssm-privesc", "HackTricks Cloud aws-codebuild-privesc", "DataDog pathfinding.cloud ssm-001"],
    },
    Method {
        name: "Open an SSM session into an ECS task",
        yields: Yields::ReuseCompute("ecs-tasks.amazonaws.com"),
        actions: &["ssm:StartSession"],
        sources: &["BishopFox iam-vulnerable privesc-ssmStartSession", "NCC Group PMapper ssm_edges.py", "HackTricks Cloud aws-ssm-privesc", "HackTricks Cloud aws-codebuild-privesc", "DataDog pathfinding.cloud ssm-001"],
    },
    Method {
        name: "Create an SSM association that runs commands on instances",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ssm:CreateAssociation"],
        sources: &["HackTricks Cloud aws-ssm-privesc", "HackTricks Cloud aws-ssm-persistence"],
    },
    Method {
        name: "Change an SSM association that runs commands on instances",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ssm:UpdateAssociation"],
        sources: &["HackTricks Cloud aws-ssm-privesc (as for ssm:CreateAssociation)", "scalegate rule: it changes what running compute executes"],
    },
    Method {
        name: "Overwrite an SSM document that associations and commands run",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ssm:UpdateDocument", "ssm:UpdateDocumentDefaultVersion"],
        sources: &["HackTricks Cloud aws-ssm-privesc", "HackTricks Cloud aws-ssm-persistence"],
    },
    Method {
        name: "Register a task with an SSM maintenance window",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ssm:RegisterTaskWithMaintenanceWindow"],
        sources: &["HackTricks Cloud aws-ssm-privesc"],
    },
    Method {
        name: "Run a privileged container on an EC2-backed ECS cluster and reach the instance role",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["ecs:RegisterTaskDefinition", "ecs:RunTask"],
        sources: &["HackTricks Cloud aws-ecs-privesc"],
    },
    Method {
        name: "Run a command in an ECS container (ECS Exec)",
        yields: Yields::ReuseCompute("ecs-tasks.amazonaws.com"),
        actions: &["ecs:ExecuteCommand"],
        sources: &["HackTricks Cloud aws-ecs-privesc", "HackTricks Cloud aws-ssm-privesc"],
    },
    Method {
        name: "Submit a Batch job with a command override",
        yields: Yields::ReuseCompute("ecs-tasks.amazonaws.com"),
        actions: &["batch:SubmitJob"],
        sources: &["scalegate rule: it changes what running compute executes"],
    },
    Method {
        name: "Update a Glue development endpoint's SSH keys",
        yields: Yields::ReuseCompute("glue.amazonaws.com"),
        actions: &["glue:UpdateDevEndpoint"],
        sources: &["Rhino Security Labs #19", "Rhino AWS-IAM-Privilege-Escalation #20", "Pacu iam__privesc_scan UpdateExistingGlueDevEndpoint", "BishopFox iam-vulnerable privesc19-UpdateExistingGlueDevEndpoint", "HackTricks Cloud aws-glue-privesc", "DataDog pathfinding.cloud glue-002", "Hacking the Cloud, IAM privilege escalation"],
    },
    Method {
        name: "Change a Glue job's script",
        yields: Yields::ReuseCompute("glue.amazonaws.com"),
        actions: &["glue:UpdateJob"],
        sources: &["HackTricks Cloud aws-glue-privesc"],
    },
    Method {
        name: "Update a CloudFormation stack that has a service role",
        yields: Yields::ReuseCompute("cloudformation.amazonaws.com"),
        actions: &["cloudformation:UpdateStack"],
        sources: &["BishopFox iam-vulnerable privesc-cloudFormationUpdateStack", "NCC Group PMapper cloudformation_edges.py", "HackTricks Cloud aws-cloudformation-privesc", "DataDog pathfinding.cloud cloudformation-002"],
    },
    Method {
        name: "Create and execute a change set on a stack that has a service role",
        yields: Yields::ReuseCompute("cloudformation.amazonaws.com"),
        actions: &["cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet"],
        sources: &["NCC Group PMapper cloudformation_edges.py", "HackTricks Cloud aws-cloudformation-privesc", "DataDog pathfinding.cloud cloudformation-005"],
    },
    Method {
        name: "Update a StackSet that has roles",
        yields: Yields::ReuseCompute("cloudformation.amazonaws.com"),
        actions: &["cloudformation:UpdateStackSet"],
        sources: &["HackTricks Cloud aws-cloudformation-privesc"],
    },
    Method {
        name: "Start a CodeBuild build with an overridden buildspec",
        yields: Yields::ReuseCompute("codebuild.amazonaws.com"),
        actions: &["codebuild:StartBuild"],
        sources: &["NCC Group PMapper codebuild_edges.py", "HackTricks Cloud aws-codebuild-privesc", "DataDog pathfinding.cloud codebuild-002", "DataDog pathfinding.cloud codebuild-003"],
    },
    Method {
        name: "Start a CodeBuild batch build with an overridden buildspec",
        yields: Yields::ReuseCompute("codebuild.amazonaws.com"),
        actions: &["codebuild:StartBuildBatch"],
        sources: &["NCC Group PMapper codebuild_edges.py", "HackTricks Cloud aws-codebuild-privesc", "DataDog pathfinding.cloud codebuild-002", "DataDog pathfinding.cloud codebuild-003"],
    },
    Method {
        name: "Change a CodeBuild project's buildspec",
        yields: Yields::ReuseCompute("codebuild.amazonaws.com"),
        actions: &["codebuild:UpdateProject"],
        sources: &["NCC Group PMapper codebuild_edges.py", "HackTricks Cloud aws-codebuild-privesc", "DataDog pathfinding.cloud codebuild-002", "DataDog pathfinding.cloud codebuild-003"],
    },
    Method {
        name: "Change a Step Functions state machine's definition",
        yields: Yields::ReuseCompute("states.amazonaws.com"),
        actions: &["states:UpdateStateMachine"],
        sources: &["HackTricks Cloud aws-stepfunctions-privesc"],
    },
    Method {
        name: "Open a SageMaker notebook through a presigned URL",
        yields: Yields::ReuseCompute("sagemaker.amazonaws.com"),
        actions: &["sagemaker:CreatePresignedNotebookInstanceUrl"],
        sources: &["Rhino Security Labs, part 2", "Rhino AWS-IAM-Privilege-Escalation #28", "BishopFox iam-vulnerable privesc-sageMakerCreatePresignedNotebookURL", "HackTricks Cloud aws-sagemaker-privesc", "DataDog pathfinding.cloud sagemaker-004"],
    },
    Method {
        name: "Open SageMaker Studio through a presigned domain URL",
        yields: Yields::ReuseCompute("sagemaker.amazonaws.com"),
        actions: &["sagemaker:CreatePresignedDomainUrl"],
        sources: &["HackTricks Cloud aws-sagemaker-privesc"],
    },
    Method {
        name: "Change a SageMaker notebook's lifecycle configuration",
        yields: Yields::ReuseCompute("sagemaker.amazonaws.com"),
        actions: &["sagemaker:UpdateNotebookInstanceLifecycleConfig"],
        sources: &["DataDog pathfinding.cloud sagemaker-005", "HackTricks Cloud aws-sagemaker-persistence"],
    },
    Method {
        name: "Give a SageMaker notebook a new lifecycle configuration",
        yields: Yields::ReuseCompute("sagemaker.amazonaws.com"),
        actions: &["sagemaker:CreateNotebookInstanceLifecycleConfig", "sagemaker:UpdateNotebookInstance"],
        sources: &["DataDog pathfinding.cloud sagemaker-005", "HackTricks Cloud aws-sagemaker-persistence"],
    },
    Method {
        name: "Give a SageMaker Studio user profile a lifecycle configuration",
        yields: Yields::ReuseCompute("sagemaker.amazonaws.com"),
        actions: &["sagemaker:CreateStudioLifecycleConfig", "sagemaker:UpdateUserProfile"],
        sources: &["HackTricks Cloud aws-sagemaker-persistence"],
    },
    Method {
        name: "Update an App Runner service's source or image",
        yields: Yields::ReuseCompute("tasks.apprunner.amazonaws.com"),
        actions: &["apprunner:UpdateService"],
        sources: &["DataDog pathfinding.cloud apprunner-002"],
    },
    Method {
        name: "Run code in a Bedrock AgentCore code interpreter",
        yields: Yields::ReuseCompute("bedrock-agentcore.amazonaws.com"),
        actions: &["bedrock-agentcore:InvokeCodeInterpreter"],
        sources: &["HackTricks Cloud aws-bedrock-privesc", "DataDog pathfinding.cloud bedrock-002"],
    },
    Method {
        name: "Open an EMR notebook",
        yields: Yields::ReuseCompute("elasticmapreduce.amazonaws.com"),
        actions: &["elasticmapreduce:OpenEditorInConsole"],
        sources: &["HackTricks Cloud aws-emr-privesc"],
    },
    Method {
        name: "Add steps to a running EMR cluster",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["elasticmapreduce:AddJobFlowSteps"],
        sources: &["scalegate rule: it changes what running compute executes"],
    },
    Method {
        name: "Deploy a new application version to an Elastic Beanstalk environment",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["elasticbeanstalk:UpdateEnvironment"],
        sources: &["HackTricks Cloud aws-elastic-beanstalk-privesc"],
    },
    Method {
        name: "Rebuild an Elastic Beanstalk environment from a changed source bundle",
        yields: Yields::ReuseCompute("ec2.amazonaws.com"),
        actions: &["elasticbeanstalk:RebuildEnvironment", "s3:PutObject"],
        sources: &["HackTricks Cloud aws-elastic-beanstalk-privesc"],
    },
    Method {
        name: "Take over an RDS database and use its associated role",
        yields: Yields::ReuseCompute("rds.amazonaws.com"),
        actions: &["rds:ModifyDBInstance"],
        sources: &["HackTricks Cloud aws-rds-privesc"],
    },
    Method {
        name: "Obtain Redshift credentials and use the cluster's roles",
        yields: Yields::ReuseCompute("redshift.amazonaws.com"),
        actions: &["redshift:GetClusterCredentials"],
        sources: &["HackTricks Cloud aws-redshift-privesc"],
    },
    Method {
        name: "Obtain Redshift IAM credentials and use the cluster's roles",
        yields: Yields::ReuseCompute("redshift.amazonaws.com"),
        actions: &["redshift:GetClusterCredentialsWithIAM"],
        sources: &["HackTricks Cloud aws-redshift-privesc"],
    },
    Method {
        name: "Push an image that ecs-tasks.amazonaws.com compute pulls",
        yields: Yields::ReuseCompute("ecs-tasks.amazonaws.com"),
        actions: &["ecr:PutImage"],
        sources: &["HackTricks Cloud aws-ecr-privesc"],
    },
    Method {
        name: "Push an image that lambda.amazonaws.com compute pulls",
        yields: Yields::ReuseCompute("lambda.amazonaws.com"),
        actions: &["ecr:PutImage"],
        sources: &["HackTricks Cloud aws-ecr-privesc"],
    },
    Method {
        name: "Push an image that sagemaker.amazonaws.com compute pulls",
        yields: Yields::ReuseCompute("sagemaker.amazonaws.com"),
        actions: &["ecr:PutImage"],
        sources: &["HackTricks Cloud aws-ecr-privesc"],
    },
    Method {
        name: "Push an image that tasks.apprunner.amazonaws.com compute pulls",
        yields: Yields::ReuseCompute("tasks.apprunner.amazonaws.com"),
        actions: &["ecr:PutImage"],
        sources: &["HackTricks Cloud aws-ecr-privesc"],
    },
];

/// The table as Markdown, one row per method: what the README lists and `scalegate methods` prints.
pub fn markdown() -> String {
    let mut out = String::from("| Method | Gives | Actions | Published by |\n|---|---|---|---|\n");
    for m in METHODS {
        let actions: Vec<String> = m.actions.iter().map(|a| format!("`{a}`")).collect();
        let yields = m.yields.label().replace('|', "\\|");
        out.push_str(&format!("| {} | {yields} | {} | {} |\n", m.name, actions.join(" + "), m.sources.join("; ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    #[test]
    fn the_readme_lists_the_table_the_code_uses() {
        let readme = include_str!("../../../README.md");
        let (begin, end) = ("<!-- methods:begin -->\n", "<!-- methods:end -->");
        let start = readme.find(begin).expect("README has a methods section") + begin.len();
        let stop = readme[start..].find(end).expect("the methods section ends") + start;
        assert!(
            readme[start..stop].trim() == markdown().trim(),
            "README's methods table differs from the code's: regenerate it with `scalegate methods`"
        );
    }

    #[test]
    fn every_action_in_the_table_is_a_documented_action() {
        let catalog = Catalog::builtin();
        let lists = [
            ROLE_POLICY_EDITS,
            USER_POLICY_EDITS,
            GROUP_POLICY_EDITS,
            POLICY_REMOVALS,
            GROUP_POLICY_REMOVALS,
            BOUNDARY_EDITS,
        ];
        let named = METHODS.iter().flat_map(|m| m.actions.iter()).chain(lists.iter().flat_map(|l| l.iter()));
        for action in named {
            assert!(catalog.level(action).is_some(), "{action} is not in the action catalog");
        }
    }

    #[test]
    fn the_rules_use_exactly_the_actions_the_table_lists() {
        let listed = |y: fn(&Yields) -> bool| -> std::collections::BTreeSet<&str> {
            METHODS.iter().filter(|m| y(&m.yields)).flat_map(|m| m.actions.iter().copied()).collect()
        };
        let set = |a: &[&'static str]| a.iter().copied().collect::<std::collections::BTreeSet<&str>>();
        assert_eq!(listed(|y| *y == Yields::UserCredentials), set(USER_CREDENTIALS));
        let edits: Vec<&str> = [
            ROLE_POLICY_EDITS,
            USER_POLICY_EDITS,
            GROUP_POLICY_EDITS,
            POLICY_REMOVALS,
            GROUP_POLICY_REMOVALS,
            POLICY_VERSION_CREATE,
            POLICY_VERSION_DEFAULT,
        ]
        .concat();
        assert_eq!(listed(|y| *y == Yields::PolicyEdit), set(&edits));
        // A pass-role method is one start action: any one of a service's starts is enough.
        for m in METHODS.iter().filter(|m| matches!(m.yields, Yields::PassRole(_))) {
            assert_eq!(m.actions.len(), 1, "{}", m.name);
        }
    }

    #[test]
    fn every_method_has_a_source_and_a_unique_name() {
        let mut names = std::collections::BTreeSet::new();
        for m in METHODS {
            assert!(!m.sources.is_empty(), "{}", m.name);
            assert!(!m.actions.is_empty(), "{}", m.name);
            assert!(names.insert(m.name), "{} is listed twice", m.name);
        }
    }
}
