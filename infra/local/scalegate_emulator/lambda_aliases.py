"""Event source mappings keep the alias they were created for.

AWS invokes the function version an alias points to at the time of each invocation, and a mapping created for
`function:name:alias` reports that alias ARN as its FunctionArn. moto resolves the alias once, at creation, and
stores the version's ARN, so a client that reads the mapping back (the Terraform provider, a parity check) sees a
number where it wrote an alias — and would invoke the old version after the alias moved.
"""
import re

from moto.awslambda import models

# An alias name as Lambda allows it (not a version number, not $LATEST).
ALIAS = re.compile(r"^(?!\d+$)[a-zA-Z0-9-_]+$")


def _alias_of(function_name):
    parts = function_name.split(":")
    # name:qualifier, or arn:partition:lambda:region:account:function:name:qualifier
    qualifier = parts[1] if len(parts) == 2 else parts[7] if len(parts) == 8 and parts[0] == "arn" else None
    return qualifier if qualifier and qualifier != "$LATEST" and ALIAS.match(qualifier) else None


def install():
    original = models.LambdaBackend.create_event_source_mapping

    def create_event_source_mapping(self, spec):
        esm = original(self, spec)
        alias = _alias_of(spec.get("FunctionName", ""))
        if alias:
            unqualified = esm.function_arn.rsplit(":", 1)[0] if esm.function_arn.count(":") == 7 else esm.function_arn
            aliased = f"{unqualified}:{alias}"
            sqs = models.sqs_backends[self.account_id][self.region_name]
            for queue in sqs.queues.values():
                if queue.lambda_event_source_mappings.get(esm.function_arn) is esm:
                    del queue.lambda_event_source_mappings[esm.function_arn]
                    queue.lambda_event_source_mappings[aliased] = esm
            esm.function_arn = aliased
        return esm

    models.LambdaBackend.create_event_source_mapping = create_event_source_mapping
