"""Runs a command on a pseudo-terminal, as a person at a terminal would, for tests of what only a
terminal does: Ctrl-C signals the whole foreground process group, programs see a TTY and its size.

    python3 run-in-pty.py [--cols 80] [--rows 24] -- command [args...]

stdout: all the command writes to its terminal, as it comes (CR LF line ends, escape codes kept).
stdin: one JSON string per line, written to the terminal as typed ("\\u0003" is Ctrl-C). When
stdin ends (the test is gone), the terminal hangs up: the command gets SIGHUP, as when a window
is closed. SIGTERM to this helper kills the command's process group.
Exit status: the command's, or 128 + the number of the signal that ended it.
"""

import argparse
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cols", type=int, default=80)
    parser.add_argument("--rows", type=int, default=24)
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")

    pid, terminal = pty.fork()
    if pid == 0:
        # The child's stdin is the terminal: sized before the command starts and reads it.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", args.rows, args.cols, 0, 0))
        try:
            os.execvp(command[0], command)
        except OSError as error:
            os.write(2, f"{command[0]}: {error.strerror}\n".encode())
        os._exit(127)

    signal.signal(signal.SIGTERM, lambda *_: kill_group(pid, signal.SIGKILL))
    stdin = sys.stdin.fileno()
    typed = b""
    status = None
    while True:
        watched = [terminal] + ([stdin] if stdin is not None else [])
        ready, _, _ = select.select(watched, [], [], 0.05)
        if terminal in ready and not relay(terminal):
            break  # every process holding the terminal has closed it
        if stdin is not None and stdin in ready:
            chunk = os.read(stdin, 65536)
            if not chunk:
                stdin = None
                kill_group(pid, signal.SIGHUP)
            typed += chunk
            *lines, typed = typed.split(b"\n")
            for line in lines:
                if line.strip():
                    os.write(terminal, json.loads(line).encode())
        if status is None:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done == 0:
                status = None
            else:
                # What the command wrote just before it ended; a process it left behind may keep
                # the terminal open, so this does not wait for the end of it.
                while select.select([terminal], [], [], 0.2)[0] and relay(terminal):
                    pass
                break
    if status is None:
        _, status = os.waitpid(pid, 0)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)


def relay(terminal: int) -> bool:
    try:
        data = os.read(terminal, 65536)
    except OSError:  # EIO once the terminal's other end is closed
        return False
    if data:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return bool(data)


def kill_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)
    except ProcessLookupError:
        pass


if __name__ == "__main__":
    sys.exit(main())
