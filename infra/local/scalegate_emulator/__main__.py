"""Start the emulator: `python -m scalegate_emulator [--host 127.0.0.1] [--port 4599]`.

Prints one line `scalegate-emulator listening on http://HOST:PORT` once it accepts connections (port 0 picks a
free port, which that line reports), then serves until interrupted.
"""

import argparse
import os
import threading
import signal
import sys

from werkzeug.serving import make_server

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

from . import autoscaling, cbor, cloudtrail_history, cloudwatch_speed, instances, lambda_aliases, lambda_async, launch_templates, s3_lifecycle, sqs_speed


def _exit_on_eof():
    sys.stdin.buffer.read()
    os._exit(0)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="scalegate_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (loopback by default)")
    parser.add_argument("--port", type=int, default=4599, help="port; 0 picks a free one")
    parser.add_argument(
        "--exit-with-stdin",
        action="store_true",
        help="exit when standard input closes (so a test harness that dies takes the emulator with it)",
    )
    args = parser.parse_args(argv)

    autoscaling.install()
    launch_templates.install()
    instances.install()
    sqs_speed.install()
    cloudwatch_speed.install()
    s3_lifecycle.install()
    lambda_aliases.install()
    lambda_async.install()
    cloudtrail_history.install()
    moto_app = DomainDispatcherApplication(create_backend_app)
    app = cloudtrail_history.Recorder(cbor.CborCloudWatch(moto_app))

    server = make_server(args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    if args.exit_with_stdin:
        threading.Thread(target=_exit_on_eof, daemon=True).start()
    # The functions it runs call AWS back here.
    lambda_async.ENDPOINT["url"] = f"http://{args.host}:{server.server_port}"
    print(f"scalegate-emulator listening on http://{args.host}:{server.server_port}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        autoscaling.stop()


if __name__ == "__main__":
    main()
