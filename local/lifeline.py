"""Runs a server command for as long as the process that started this one lives.

    python3 lifeline.py command [args...]

This process's stdin is a pipe from its parent, which the system closes however the parent ends
(Ctrl-C, kill -9, a crash): then, or on SIGTERM, the command is stopped (SIGTERM, then SIGKILL
after 5 s). This process ends when the command does, with its exit status.
"""

import os
import signal
import subprocess
import sys
import threading


def main() -> int:
    command = subprocess.Popen(sys.argv[1:], stdin=subprocess.DEVNULL)

    def stop(*_: object) -> None:
        command.terminate()
        try:
            command.wait(5)
        except subprocess.TimeoutExpired:
            command.kill()

    def stop_when_parent_is_gone() -> None:
        while os.read(0, 4096):
            pass
        stop()

    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=stop, daemon=True).start())
    threading.Thread(target=stop_when_parent_is_gone, daemon=True).start()
    code = command.wait()
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main())
