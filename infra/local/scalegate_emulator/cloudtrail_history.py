"""CloudTrail's event history: Auto Scaling's management events, recorded as calls arrive, and LookupEvents over them.

moto keeps trails but no event history, and has no LookupEvents. AWS records every management event in event history
(90 days, whether or not a trail exists) and LookupEvents returns it newest first, 50 per page at most, filtered by at
most one lookup attribute (EventId, EventName, ReadOnly, Username, ResourceType, ResourceName, EventSource,
AccessKeyId) and a time range (StartTime after EndTime is an InvalidTimeRangeException).

Here every Auto Scaling call that changes something (not Describe*) becomes a record in CloudTrail's documented
format, stamped when the request arrived; a call that failed carries its errorCode and errorMessage: userIdentity from the caller's access key as STS and IAM know it (an assumed role's session with
its issuer, an IAM user, else GetCallerIdentity's default), requestParameters in lowerCamelCase typed by the API's own
model (integers and booleans as JSON numbers and booleans, as CloudTrail writes Auto Scaling's), the group named as a
resource. Read-only calls are left out: nothing here asks for them, and a polling function would fill the history.
"""

import datetime
import io
import json
import re
import sys
import threading
import uuid
from urllib.parse import parse_qsl

from moto.cloudtrail.responses import CloudTrailResponse
from moto.core import DEFAULT_ACCOUNT_ID
from moto.core.exceptions import JsonRESTError
from moto.iam.models import iam_backends
from moto.sts.models import sts_backends

from .service_models import service_model
from .wsgi import answered

_ERROR = re.compile(rb"<Code>(?P<code>[^<]*)</Code>\s*<Message>(?P<message>[^<]*)</Message>", re.S)
_SCOPE = re.compile(r"Credential=(?P<key>[^/]+)/\d+/(?P<region>[^/]+)/(?P<service>[^/]+)/")
_LOOKUP_KEYS = {
    "EventId": lambda e: [e["EventId"]],
    "EventName": lambda e: [e["EventName"]],
    "ReadOnly": lambda e: [e["ReadOnly"]],
    "Username": lambda e: [e.get("Username")],
    "EventSource": lambda e: [e["EventSource"]],
    "AccessKeyId": lambda e: [e.get("AccessKeyId")],
    "ResourceType": lambda e: [r["ResourceType"] for r in e["Resources"]],
    "ResourceName": lambda e: [r["ResourceName"] for r in e["Resources"]],
}
_RETENTION = datetime.timedelta(days=90)

_lock = threading.Lock()
_events = []  # (account, region, event) — newest last


class _Invalid(JsonRESTError):
    code = 400

    def __init__(self, kind, message):
        super().__init__(kind, message)


def _lower_camel(name):
    return name[:1].lower() + name[1:]


def _typed(text, shape):
    kind = shape.type_name if shape is not None else "string"
    if kind in ("integer", "long"):
        try:
            return int(text)
        except ValueError:
            return text
    if kind in ("double", "float"):
        try:
            return float(text)
        except ValueError:
            return text
    if kind == "boolean":
        return text.lower() == "true"
    return text


def _insert(node, parts, text, shape):
    """Puts one Query parameter (`Tags.member.1.Key`) into the nested request, typed by the operation's shape."""
    member = shape.members.get(parts[0]) if shape is not None and shape.type_name == "structure" else None
    name, rest = _lower_camel(parts[0]), parts[1:]
    if not rest:
        node[name] = _typed(text, member)
        return
    if rest[0] == "member" and len(rest) >= 2 and rest[1].isdigit():
        items = node.setdefault(name, [])
        index = int(rest[1]) - 1
        while len(items) <= index:
            items.append(None)
        item_shape = member.member if member is not None and member.type_name == "list" else None
        if len(rest) == 2:
            items[index] = _typed(text, item_shape)
        else:
            if not isinstance(items[index], dict):
                items[index] = {}
            _insert(items[index], rest[2:], text, item_shape)
        return
    child = node.setdefault(name, {})
    _insert(child, rest, text, member)


def request_parameters(action, params):
    """A Query request's parameters as CloudTrail logs them for that action."""
    try:
        shape = service_model("autoscaling").operation_model(action).input_shape
    except Exception:  # noqa: BLE001 - an action the model does not know is logged untyped
        shape = None
    out = {}
    for key, value in params.items():
        if key not in ("Action", "Version"):
            _insert(out, key.split("."), value, shape)
    return out


def _identity(access_key, region):
    """userIdentity for the caller's access key, as STS and IAM in this emulator know it."""
    account = DEFAULT_ACCOUNT_ID
    sts = sts_backends[account]["aws"]
    assumed = sts.get_assumed_role_from_access_key(access_key)
    if assumed is not None:
        role_name = assumed.role_arn.split("/")[-1]
        return assumed.session_name, {
            "type": "AssumedRole",
            "principalId": assumed.user_id,
            "arn": assumed.arn,
            "accountId": assumed.account_id,
            "accessKeyId": access_key,
            "sessionContext": {
                "sessionIssuer": {
                    "type": "Role",
                    "principalId": assumed.user_id.split(":")[0],
                    "arn": assumed.role_arn,
                    "accountId": assumed.account_id,
                    "userName": role_name,
                },
                "attributes": {"creationDate": _stamp(_now()), "mfaAuthenticated": "false"},
            },
        }
    user = iam_backends[account]["aws"].get_user_from_access_key_id(access_key)
    if user is not None:
        return user.name, {
            "type": "IAMUser",
            "principalId": user.id,
            "arn": user.arn,
            "accountId": user.account_id,
            "accessKeyId": access_key,
            "userName": user.name,
        }
    user_id, arn, account_id = sts.get_caller_identity(access_key, region)
    name = arn.rsplit("/", 1)[-1]
    return name, {
        "type": "IAMUser",
        "principalId": user_id,
        "arn": arn,
        "accountId": account_id,
        "accessKeyId": access_key,
        "userName": name,
    }


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _stamp(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def record(action, params, access_key, region, source_ip="127.0.0.1", user_agent="", moment=None, error=None):
    """Adds one Auto Scaling call, made at `moment`, to the event history; `error` is (code, message) when it failed.
    Returns the CloudTrail record."""
    moment = moment or _now()
    username, identity = _identity(access_key, region)
    parameters = request_parameters(action, params)
    event_id = str(uuid.uuid4())
    trail_record = {
        "eventVersion": "1.08",
        "userIdentity": identity,
        "eventTime": _stamp(moment),
        "eventSource": "autoscaling.amazonaws.com",
        "eventName": action,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": user_agent,
        "requestParameters": parameters,
        "responseElements": None,
        "requestID": str(uuid.uuid4()),
        "eventID": event_id,
        "readOnly": False,
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": identity["accountId"],
        "eventCategory": "Management",
    }
    if error is not None:
        trail_record["errorCode"], trail_record["errorMessage"] = error
    group = parameters.get("autoScalingGroupName")
    event = {
        "EventId": event_id,
        "EventName": action,
        "ReadOnly": "false",
        "AccessKeyId": access_key,
        "EventTime": moment,
        "EventSource": "autoscaling.amazonaws.com",
        "Username": username,
        "Resources": [{"ResourceType": "AWS::AutoScaling::AutoScalingGroup", "ResourceName": group}] if group else [],
        "CloudTrailEvent": json.dumps(trail_record),
    }
    with _lock:
        _events.append((identity["accountId"], region, event))
        while _events and _events[0][2]["EventTime"] < moment - _RETENTION:
            _events.pop(0)
    return trail_record


def _timestamp(value, field):
    if value is None:
        return None
    try:
        return datetime.datetime.fromtimestamp(float(value), tz=datetime.timezone.utc)
    except (TypeError, ValueError):
        raise _Invalid("InvalidTimeRangeException", f"{field} is not a time: {value!r}")


def lookup_events(self):
    """LookupEvents, as CloudTrail documents it."""
    params = json.loads(self.body) if self.body else {}
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise _Invalid("InvalidLookupAttributesException", "You can specify only one lookup attribute per request.")
    test = None
    if attributes:
        key, value = attributes[0].get("AttributeKey"), attributes[0].get("AttributeValue")
        if key not in _LOOKUP_KEYS or value is None:
            raise _Invalid("InvalidLookupAttributesException", f"Invalid lookup attribute: {key!r}")
        test = (_LOOKUP_KEYS[key], value)
    now = _now()
    start = _timestamp(params.get("StartTime"), "StartTime") or now - _RETENTION
    end = _timestamp(params.get("EndTime"), "EndTime") or now
    if start > end:
        raise _Invalid("InvalidTimeRangeException", "StartTime must be before EndTime.")
    limit = params.get("MaxResults", 50)
    if not isinstance(limit, int) or not 1 <= limit <= 50:
        raise _Invalid("InvalidMaxResultsException", "MaxResults must be from 1 to 50.")
    # The token keeps the first page's end, so events recorded between pages do not shift the pages.
    token = params.get("NextToken")
    offset = 0
    if token is not None:
        try:
            first_end, offset = token.split(":")
            end, offset = min(end, datetime.datetime.fromtimestamp(float(first_end), tz=datetime.timezone.utc)), int(offset)
        except ValueError:
            raise _Invalid("InvalidNextTokenException", "Invalid NextToken.")
    with _lock:
        found = [
            e
            for (account, region, e) in _events
            if account == self.current_account
            and region == self.region
            and start <= e["EventTime"] <= end
            and (test is None or test[1] in test[0](e))
        ]
    found.reverse()  # newest first
    page = found[offset : offset + limit]
    result = {"Events": [dict(e, EventTime=e["EventTime"].timestamp()) for e in page]}
    if offset + limit < len(found):
        result["NextToken"] = f"{end.timestamp()}:{offset + limit}"
    return json.dumps(result)


class Recorder:
    """WSGI middleware: a successful Auto Scaling call that changes something is recorded once moto has answered."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
        if not scope or scope.group("service") != "autoscaling":
            return self.app(environ, start_response)
        moment = _now()
        params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0:
            raw = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(raw)
            params.update(parse_qsl(raw.decode("utf-8", errors="replace"), keep_blank_values=True))
        action = params.get("Action", "")
        if not action or action.startswith("Describe"):
            return self.app(environ, start_response)
        status, body = answered(self.app, environ, start_response)
        error = None
        if status >= 300:
            found = _ERROR.search(body)
            error = (found.group("code").decode(), found.group("message").decode()) if found else ("InternalFailure", "")
        try:
            record(
                action,
                params,
                scope.group("key"),
                scope.group("region"),
                environ.get("REMOTE_ADDR", "127.0.0.1"),
                environ.get("HTTP_USER_AGENT", ""),
                moment,
                error,
            )
        except Exception as exc:  # noqa: BLE001 - the call itself happened; only its record is lost
            print(f"cloudtrail_history: {action} not recorded: {exc!r}", file=sys.stderr)
        return [body]


def install():
    CloudTrailResponse.lookup_events = lookup_events
