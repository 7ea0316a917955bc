"""A Python Lambda execution environment for the process executor (CDK's inline handlers).

Imports ``_HANDLER`` from ``LAMBDA_TASK_ROOT`` once, serves ``POST /invoke`` on
``LOCALSTACK_RUNTIME_PORT`` and posts each result back to ``LOCALSTACK_RUNTIME_ENDPOINT``. A
handler that outlives the function's timeout is reported as timed out and the environment exits,
so it is never reused.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import threading
import time
import traceback
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ENDPOINT = os.environ["LOCALSTACK_RUNTIME_ENDPOINT"]
RUNTIME_ID = os.environ["LOCALSTACK_RUNTIME_ID"]
TIMEOUT_S = float(os.environ.get("AWS_LAMBDA_FUNCTION_TIMEOUT", "3"))


def post(path: str, body: bytes) -> None:
    request = urllib.request.Request(f"{ENDPOINT}{path}", data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=30):
        pass


def load_handler():
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    return getattr(importlib.import_module(module_name), function_name)


class Context:
    def __init__(self, request_id: str, arn: str):
        self.aws_request_id = request_id
        self.invoked_function_arn = arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self._deadline = time.monotonic() + TIMEOUT_S

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def run(handler, invocation: dict) -> None:
    request_id = invocation["invoke-id"]
    outcome: dict = {}

    def call() -> None:
        try:
            event = json.loads(invocation["payload"] or "null")
            outcome["result"] = handler(event, Context(request_id, invocation["invoked-function-arn"]))
        except Exception as error:
            outcome["error"] = {
                "errorMessage": str(error),
                "errorType": type(error).__name__,
                "stackTrace": traceback.format_exception(error),
            }

    print(f"START RequestId: {request_id} Version: $LATEST", flush=True)
    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    worker.join(TIMEOUT_S)
    print(f"END RequestId: {request_id}", flush=True)
    if worker.is_alive():
        message = f"Task timed out after {TIMEOUT_S:.2f} seconds"
        post(f"/invocations/{request_id}/error", json.dumps({"errorMessage": message, "errorType": "Sandbox.Timedout"}).encode())
        os._exit(1)
    if "error" in outcome:
        print("".join(outcome["error"]["stackTrace"]), file=sys.stderr, flush=True)
        post(f"/invocations/{request_id}/error", json.dumps(outcome["error"]).encode())
    else:
        post(f"/invocations/{request_id}/response", json.dumps(outcome.get("result")).encode())


def main() -> None:
    handler = load_handler()
    lock = threading.Lock()  # one invocation at a time, as in a Lambda environment

    class Invoke(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            invocation = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            self.send_response(202)
            self.end_headers()
            threading.Thread(target=lambda: _serial(lock, handler, invocation), daemon=True).start()

        def log_message(self, *_args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", int(os.environ["LOCALSTACK_RUNTIME_PORT"])), Invoke)
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    post(f"/status/{RUNTIME_ID}/ready", b"{}")
    server.serve_forever()


def _exit_with_parent(parent: int) -> None:
    """An environment never outlives the LocalStack that started it, however LocalStack ends."""
    while os.getppid() == parent:
        time.sleep(1)
    os._exit(1)


def _serial(lock: threading.Lock, handler, invocation: dict) -> None:
    with lock:
        run(handler, invocation)


if __name__ == "__main__":
    main()
