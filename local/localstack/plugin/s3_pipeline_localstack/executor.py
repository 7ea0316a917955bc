"""A LocalStack Lambda runtime executor that runs each execution environment as a local process.

LocalStack's own executor starts a Docker container per environment and runs the AWS runtime
interface emulator in it. This one starts a process in the function's unzipped code folder with
the environment LocalStack computed for it, on the runtime the function declares:

- ``nodejs*.x``: the Node.js binary named by ``PIPELINE_LAMBDA_NODE`` (the project pins Node 24,
  the version its functions declare) running ``PIPELINE_LAMBDA_NODE_RUNTIME``, the project's
  bundled runtime (``local/localstack/lambda-runtime.ts``);
- ``python3.x``: this interpreter (LocalStack's own, CPython 3.13) running ``python_runtime.py``,
  when the declared version is this interpreter's.

Both speak LocalStack's executor protocol (``executor_endpoint.py``): they serve ``POST /invoke``
on the port given, call back ``…/status/<id>/ready`` once listening and post each result to
``…/invocations/<request>/response|error``. The environment stays warm between invocations;
the runtimes enforce the function's timeout and memory.

Bridges, each explicit:
- ``PIPELINE_LAMBDA_MOUNTS`` (``/mnt/shared=/some/folder,…``): LocalStack does not model Lambda's
  ``FileSystemConfigs``; a function whose environment names a mount path is given the local
  folder instead, so functions and tasks share one folder as they share one EFS file system.
- ``PIPELINE_LAMBDA_SDK_MODULES``: the ``node_modules`` folder that provides the AWS SDK, as the
  Lambda runtime does (``@aws-sdk/*`` only).
- CDK's custom-resource framework sends its answer to port 443 whatever the ResponseURL says; the
  Node runtime sends HTTPS requests for port 443 on this machine to the gateway over HTTP.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
from pathlib import Path

from localstack import config
from localstack.services.lambda_.invocation.executor_endpoint import ExecutorEndpoint
from localstack.services.lambda_.invocation.lambda_models import FunctionVersion, InvocationResult
from localstack.services.lambda_.invocation.runtime_executor import LambdaRuntimeException, RuntimeExecutor
from localstack.utils.net import get_free_tcp_port

LOG = logging.getLogger(__name__)

HOST = "127.0.0.1"
PYTHON_RUNTIME = Path(__file__).with_name("python_runtime.py")


def parse_mounts(spec: str) -> dict[str, str]:
    """``/mnt/a=/x,/mnt/b=/y`` → ``{'/mnt/a': '/x', '/mnt/b': '/y'}``."""
    mounts = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        mount, sep, folder = item.partition("=")
        if not sep or not mount.startswith("/") or not folder:
            raise ValueError(f"PIPELINE_LAMBDA_MOUNTS: expected MOUNT_PATH=FOLDER, got {item!r}")
        mounts[mount.rstrip("/") or "/"] = folder
    return mounts


def map_mounts(env: dict[str, str], mounts: dict[str, str]) -> dict[str, str]:
    """Environment values that are a mount path, or a path under one, point into its folder."""
    out = dict(env)
    for name, value in env.items():
        for mount, folder in mounts.items():
            if value == mount or value.startswith(mount + "/"):
                out[name] = folder + value[len(mount) :]
    return out


def runtime_command(runtime: str | None, memory_mb: int) -> list[str]:
    """The command that starts an environment of this runtime, or a clear error."""
    if runtime and runtime.startswith("nodejs"):
        node = os.environ.get("PIPELINE_LAMBDA_NODE")
        script = os.environ.get("PIPELINE_LAMBDA_NODE_RUNTIME")
        if not node or not script:
            raise LambdaRuntimeException(
                "the process executor needs PIPELINE_LAMBDA_NODE and PIPELINE_LAMBDA_NODE_RUNTIME "
                "to run Node.js functions (the project's LocalStack launcher sets them)"
            )
        # As the managed runtime's bootstrap starts node (local/lambda-environment.ts,
        # lambdaNodeFlags): the collector exposed, a tenth of the memory for the young generation.
        young_mb = round(memory_mb / 10)
        return [
            node,
            "--expose-gc",
            f"--max-semi-space-size={young_mb // 2}",
            f"--max-old-space-size={memory_mb - young_mb}",
            script,
        ]
    if runtime and runtime.startswith("python"):
        mine = f"python{sys.version_info.major}.{sys.version_info.minor}"
        if runtime != mine:
            raise LambdaRuntimeException(f"the process executor runs Python functions on {mine}, not {runtime}")
        return [sys.executable, str(PYTHON_RUNTIME)]
    raise LambdaRuntimeException(f"the process executor has no runtime for {runtime!r} (Node.js and {sys.version})")


class ProcessRuntimeExecutor(RuntimeExecutor):
    def __init__(self, id: str, function_version: FunctionVersion) -> None:
        super().__init__(id=id, function_version=function_version)
        self.port = get_free_tcp_port()
        self.executor_endpoint = ExecutorEndpoint(self.id, container_address=HOST, container_port=self.port)
        self.process: subprocess.Popen | None = None
        log_dir = Path(os.environ.get("PIPELINE_LAMBDA_LOG_DIR") or config.dirs.tmp) / "lambda"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{function_version.id.function_name}-{id}.log"

    def start(self, env_vars: dict[str, str]) -> None:
        cfg = self.function_version.config
        code_dir = str(cfg.code.get_unzipped_code_location())
        command = runtime_command(cfg.runtime, int(cfg.memory_size))
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),
            "LANG": "en_US.UTF-8",
            **map_mounts({k: str(v) for k, v in env_vars.items()}, parse_mounts(os.environ.get("PIPELINE_LAMBDA_MOUNTS", ""))),
            "LAMBDA_TASK_ROOT": code_dir,
            "LOCALSTACK_RUNTIME_PORT": str(self.port),
        }
        if cfg.runtime and cfg.runtime.startswith("nodejs"):
            # CDK's custom-resource framework answers over HTTPS on port 443 (see lambda-host.ts).
            env["PIPELINE_LAMBDA_LOOPBACK_HTTPS_PORT"] = str(config.GATEWAY_LISTEN[0].port)
        if modules := os.environ.get("PIPELINE_LAMBDA_SDK_MODULES"):
            env["PIPELINE_LAMBDA_SDK_MODULES"] = modules
            # CommonJS handlers (CDK's custom resources) find the SDK through NODE_PATH.
            env["NODE_PATH"] = modules
        self.executor_endpoint.start()
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command, cwd=code_dir, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        LOG.debug("started %s (pid %s) for %s", command, self.process.pid, self.function_version.qualified_arn)
        self.executor_endpoint.wait_for_startup()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            # The runtime and whatever it started (the Node handler process) go together.
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        try:
            self.executor_endpoint.shutdown()
        except Exception as error:
            LOG.debug("stopping the endpoint of %s: %s", self.id, error)

    def get_address(self) -> str:
        return HOST

    def get_endpoint_from_executor(self) -> str:
        return HOST

    def get_runtime_endpoint(self) -> str:
        port = config.GATEWAY_LISTEN[0].port
        return f"http://{HOST}:{port}{self.executor_endpoint.get_endpoint_prefix()}"

    def invoke(self, payload: dict[str, str]) -> InvocationResult:
        return self.executor_endpoint.invoke(payload)

    def get_logs(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except FileNotFoundError:
            return ""

    @classmethod
    def prepare_version(cls, function_version: FunctionVersion) -> None:
        if function_version.config.code:
            function_version.config.code.prepare_for_execution()

    @classmethod
    def cleanup_version(cls, function_version: FunctionVersion) -> None:
        pass

    @classmethod
    def validate_environment(cls) -> bool:
        return True
