"""Calling the wrapped WSGI application from a middleware that needs the whole answer before replying."""


def answered(app, environ, start_response=None):
    """Runs `app` on `environ` to the end: (status code, body). With `start_response`, the status line and headers
    are passed on to it (the middleware replies with the same answer); without, the middleware replies itself."""
    captured = {}

    def capture(line, headers, exc_info=None):
        captured["status"] = int(line.split(" ", 1)[0])
        if start_response is not None:
            return start_response(line, headers, exc_info)
        return None

    chunks = app(environ, capture)
    try:
        body = b"".join(chunks)
    finally:
        if hasattr(chunks, "close"):
            chunks.close()
    return captured.get("status", 500), body
