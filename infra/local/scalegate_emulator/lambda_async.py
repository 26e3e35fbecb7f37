"""Asynchronous invocations of functions on Lambda's OS-only runtimes (provided.al2023, provided.al2), as Lambda runs
them: the function's own `bootstrap` from its zip, fed the event through a local Runtime API (the HTTP interface
Lambda documents: `invocation/next`, `…/response`, `…/error`, `init/error`); a function error or a timeout is retried
up to the function's MaximumRetryAttempts (default 2), and when they are spent the event goes to the on-failure
destination (an SQS queue) as Lambda's invocation record: `requestContext` (`condition: RetriesExhausted`,
`approximateInvokeCount`), `requestPayload` (the event), `responseContext` (`functionError: Unhandled`) and
`responsePayload` (the error). moto without Docker runs no code at all.

Leniencies (documented, on purpose): retries follow each other after a second, not Lambda's one and two minutes, so
tests run fast; the process serves one event and is stopped (no warm reuse); the function reaches AWS through this
emulator (AWS_ENDPOINT_URL), with test credentials.
"""

import datetime
import io
import json
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import time
import uuid
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from moto.awslambda import models

RUNTIMES = ("provided.al2023", "provided.al2")
RETRY_PAUSE_SECONDS = 1.0
# Where the emulator itself listens, for the function's own AWS calls; set by __main__.
ENDPOINT = {"url": None}


class _RuntimeApi(BaseHTTPRequestHandler):
    """One event for one process: `next` hands it out once; the answer is kept."""

    def log_message(self, *_):
        pass

    def _send(self, code, body=b"", headers=None):
        self.send_response(code)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        state = self.server.state
        if not self.path.endswith("/runtime/invocation/next"):
            return self._send(404)
        if state["served"]:
            # The function asks for its next event: there is none; it waits until it is stopped.
            state["done"].wait()
            return self._send(500)
        state["served"] = True
        self._send(
            200,
            state["event"],
            {
                "Lambda-Runtime-Aws-Request-Id": state["request_id"],
                "Lambda-Runtime-Deadline-Ms": str(int(state["deadline"] * 1000)),
                "Lambda-Runtime-Invoked-Function-Arn": state["arn"],
                "Lambda-Runtime-Trace-Id": "Root=1-00000000-000000000000000000000000",
                "Content-Type": "application/json",
            },
        )

    def do_POST(self):
        state = self.server.state
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.endswith("/response"):
            state["result"] = ("ok", body)
        elif self.path.endswith("/error"):
            state["result"] = ("error", body)
        else:
            return self._send(404)
        self._send(202, b'{"status":"OK"}')
        state["done"].set()


def _unpack(fn):
    """The function's folder and its bootstrap; None for a package that has none (Lambda answers
    Runtime.InvalidEntrypoint)."""
    folder = tempfile.mkdtemp(prefix=f"lambda-{fn.function_name}-")
    try:
        with zipfile.ZipFile(io.BytesIO(fn.code_bytes)) as z:
            z.extractall(folder)
    except zipfile.BadZipFile:
        return folder, None
    bootstrap = os.path.join(folder, "bootstrap")
    if not os.path.isfile(bootstrap):
        return folder, None
    os.chmod(bootstrap, os.stat(bootstrap).st_mode | stat.S_IEXEC)
    return folder, bootstrap


def _run_once(fn, folder, bootstrap, event):
    """One attempt: ("ok", payload) or ("error", {"errorMessage", "errorType"})."""
    if bootstrap is None:
        return "error", {"errorMessage": "Couldn't find valid bootstrap(s): [/var/task/bootstrap /opt/bootstrap]",
                         "errorType": "Runtime.InvalidEntrypoint"}
    state = {
        "event": event,
        "served": False,
        "done": threading.Event(),
        "result": None,
        "request_id": str(uuid.uuid4()),
        "deadline": time.time() + int(fn.timeout or 3),
        "arn": fn.function_arn,
    }
    server = ThreadingHTTPServer(("127.0.0.1", 0), _RuntimeApi)
    server.state = state
    threading.Thread(target=server.serve_forever, daemon=True).start()
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        **{k: str(v) for k, v in (fn.environment_vars or {}).items()},
        "AWS_LAMBDA_RUNTIME_API": f"127.0.0.1:{server.server_address[1]}",
        "AWS_LAMBDA_FUNCTION_NAME": fn.function_name,
        "AWS_LAMBDA_FUNCTION_VERSION": _version(fn),
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(fn.memory_size or 128),
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{fn.function_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "emulator",
        "_HANDLER": "bootstrap",
        "AWS_REGION": fn.region,
        "AWS_DEFAULT_REGION": fn.region,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "LAMBDA_TASK_ROOT": folder,
    }
    if ENDPOINT["url"]:
        env["AWS_ENDPOINT_URL"] = ENDPOINT["url"]
    process = subprocess.Popen([bootstrap], cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    finished = state["done"].wait(timeout=int(fn.timeout or 3))
    process.kill()
    process.wait()
    state["done"].set()
    server.shutdown()
    if not finished or state["result"] is None:
        return "error", {"errorMessage": f"Task timed out after {int(fn.timeout or 3)}.00 seconds", "errorType": "Sandbox.Timedout"}
    kind, body = state["result"]
    if kind == "ok":
        return "ok", body
    try:
        return "error", json.loads(body)
    except ValueError:
        return "error", {"errorMessage": body.decode("utf-8", "replace"), "errorType": "Unhandled"}


def _config(fn):
    configs = getattr(fn, "event_invoke_config", None) or []
    # Each Put or Update appends: the newest is the one in force.
    return configs[-1].config if configs else {}


def _send_to_destination(fn, arn, record):
    if not arn or ":sqs:" not in arn:
        return
    _, _, _, region, account, name = arn.split(":", 5)
    sqs = models.sqs_backends[account][region]
    sqs.send_message(name, json.dumps(record))


def _invoke_async(fn, event):
    folder, bootstrap = _unpack(fn)
    try:
        _attempts(fn, event, folder, bootstrap)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _version(fn):
    return str(getattr(fn, "version", None) or "$LATEST")


def _attempts(fn, event, folder, bootstrap):
    config = _config(fn)
    attempts = 1 + int(config.get("MaximumRetryAttempts", 2))
    outcome = None
    for attempt in range(1, attempts + 1):
        outcome = _run_once(fn, folder, bootstrap, event)
        if outcome[0] == "ok":
            destination = ((config.get("DestinationConfig") or {}).get("OnSuccess") or {}).get("Destination")
            condition = "Success"
            break
        if attempt < attempts:
            time.sleep(RETRY_PAUSE_SECONDS)
    else:
        destination = ((config.get("DestinationConfig") or {}).get("OnFailure") or {}).get("Destination")
        condition = "RetriesExhausted"
    kind, payload = outcome
    try:
        request = json.loads(event)
    except ValueError:
        request = event.decode("utf-8", "replace") if isinstance(event, bytes) else event
    record = {
        "version": "1.0",
        "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            # A version object's ARN already ends in its number; $LATEST is named.
            "functionArn": fn.function_arn if fn.function_arn.count(":") == 7 else f"{fn.function_arn}:{_version(fn)}",
            "condition": condition,
            "approximateInvokeCount": attempt,
        },
        "requestPayload": request,
        "responseContext": {"statusCode": 200, "executedVersion": _version(fn)},
        "responsePayload": payload if kind == "error" else json.loads(payload or b"null"),
    }
    if kind == "error":
        record["responseContext"]["functionError"] = "Unhandled"
    _send_to_destination(fn, destination, record)


def install():
    original = models.LambdaFunction.invoke

    def invoke(self, body, request_headers, response_headers):
        kind = request_headers.get("x-amz-invocation-type") or request_headers.get("X-Amz-Invocation-Type")
        if self.run_time in RUNTIMES and kind == "Event" and self.code_bytes:
            event = body.encode("utf-8") if isinstance(body, str) else (body or b"{}")
            threading.Thread(target=_invoke_async, args=(self, event), daemon=True).start()
            return ""
        return original(self, body, request_headers, response_headers)

    models.LambdaFunction.invoke = invoke
