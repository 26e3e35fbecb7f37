"""scalegate's local AWS emulator: moto in server mode, extended in-process with what moto lacks.

- autoscaling: Auto Scaling lifecycle hooks with real wait states, notifications (SQS target, EventBridge),
  CompleteLifecycleAction / RecordLifecycleActionHeartbeat, heartbeat timeouts, and warm pools with instances.
- cbor: CloudWatch over Smithy RPC v2 CBOR (what the Rust SDK speaks), forwarded to moto's CloudWatch backend.
- launch_templates: SourceVersion, ResolveAlias, and launches as Auto Scaling makes them (mixed-instances
  overrides, groups on network interfaces, SSM-named AMIs, EBS encryption by default).
- instances: ModifyInstanceMetadataOptions and ReplaceIamInstanceProfileAssociation with AWS's semantics.
- s3_lifecycle: NewerNoncurrentVersions kept on noncurrent-version expiration, as S3 keeps it.
- lambda_aliases: event source mappings keep the alias they were created for, as AWS reports them.
- lambda_async: asynchronous invocations of provided.al2023 / provided.al2 functions run their own bootstrap behind
  a local Runtime API; errors are retried MaximumRetryAttempts times, then the event and the error reach the
  on-failure destination (SQS) as Lambda's invocation record.
- sqs_speed: cheaper message visibility checks, so deep queues fill in seconds.
- cloudwatch_speed: GetMetricData looks at each datapoint once and matches a metric by namespace, name and its exact
  dimensions, as AWS does (moto scans the window per period and matches dimensions loosely).
"""
