"""CloudWatch over Smithy RPC v2 CBOR, forwarded to moto's CloudWatch backend.

The Rust CloudWatch client sends `POST /service/GraniteServiceVersion20100801/operation/<Op>` with a CBOR body and
`smithy-protocol: rpc-v2-cbor`. moto speaks CloudWatch's JSON protocol, so this middleware re-encodes the request as
JSON (timestamps as epoch seconds), forwards it in-process, and re-encodes the answer as CBOR, using botocore's
service model to know which members are timestamps or blobs.
"""

import base64
import datetime
import gzip
import io
import json
import re

import cbor2

from .service_models import service_model
from .wsgi import answered

_PATH = re.compile(r"^/service/(?P<service>[A-Za-z0-9_]+)/operation/(?P<op>[A-Za-z0-9]+)$")


def _to_json(value):
    """CBOR-decoded request values → JSON-protocol values."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(value).decode()
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    return value


def _to_cbor(value, shape):
    """JSON-protocol response values → CBOR values, typed by the output shape."""
    if value is None or shape is None:
        return value
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        out = {}
        for name, member in value.items():
            member_shape = shape.members.get(name)
            out[name] = _to_cbor(member, member_shape) if member_shape is not None else member
        return out
    if kind == "list" and isinstance(value, list):
        return [_to_cbor(v, shape.member) for v in value]
    if kind == "map" and isinstance(value, dict):
        return {k: _to_cbor(v, shape.value) for k, v in value.items()}
    if kind == "timestamp":
        if isinstance(value, (int, float)):
            return datetime.datetime.fromtimestamp(value, tz=datetime.timezone.utc)
        if isinstance(value, str):
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if kind == "blob" and isinstance(value, str):
        return base64.b64decode(value)
    if kind == "double" and isinstance(value, int):
        return float(value)
    return value


def _region(environ):
    auth = environ.get("HTTP_AUTHORIZATION", "")
    match = re.search(r"Credential=[^/]+/\d+/([^/]+)/", auth)
    return match.group(1) if match else "us-east-1"


class CborCloudWatch:
    """WSGI middleware: CBOR CloudWatch requests are translated; everything else goes straight to moto."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        match = _PATH.match(environ.get("PATH_INFO", ""))
        if not match or environ.get("HTTP_SMITHY_PROTOCOL", "").lower() != "rpc-v2-cbor":
            return self.app(environ, start_response)
        return self._cbor(match.group("op"), environ, start_response)

    def _cbor(self, op, environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length else b""
        try:
            # The SDK gzips large PutMetricData bodies (request compression), as CloudWatch accepts.
            if environ.get("HTTP_CONTENT_ENCODING", "").lower() == "gzip":
                raw = gzip.decompress(raw)
            request = cbor2.loads(raw) if raw else {}
            operation = service_model("cloudwatch").operation_model(op)
        except Exception as exc:  # noqa: BLE001 - any decode failure is the client's error
            return self._reply(start_response, 400, {"__type": "SerializationException", "message": str(exc)})

        body = json.dumps(_to_json(request or {})).encode()
        region = _region(environ)
        inner = dict(environ)
        inner.update(
            {
                "PATH_INFO": "/",
                "REQUEST_METHOD": "POST",
                "CONTENT_TYPE": "application/x-amz-json-1.0",
                "CONTENT_LENGTH": str(len(body)),
                "HTTP_X_AMZ_TARGET": f"GraniteServiceVersion20100801.{op}",
                "HTTP_HOST": f"monitoring.{region}.amazonaws.com",
                "wsgi.input": io.BytesIO(body),
            }
        )
        inner.pop("HTTP_SMITHY_PROTOCOL", None)
        inner.pop("HTTP_CONTENT_ENCODING", None)
        status, data = answered(self.app, inner)
        try:
            payload = json.loads(data) if data.strip() else {}
        except ValueError:
            payload = {"__type": "InternalFailure", "message": data.decode(errors="replace")[:500]}
        if status >= 300:
            error = {
                "__type": str(payload.get("__type", "InternalFailure")).split("#")[-1],
                "message": payload.get("message") or payload.get("Message") or "",
            }
            return self._reply(start_response, status, error)
        return self._reply(start_response, status, _to_cbor(payload, operation.output_shape) or {})

    @staticmethod
    def _reply(start_response, status, payload):
        body = cbor2.dumps(payload, datetime_as_timestamp=True, timezone=datetime.timezone.utc)
        reason = "OK" if status < 300 else "Bad Request" if status < 500 else "Internal Server Error"
        start_response(
            f"{status} {reason}",
            [
                ("Content-Type", "application/cbor"),
                ("smithy-protocol", "rpc-v2-cbor"),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]
