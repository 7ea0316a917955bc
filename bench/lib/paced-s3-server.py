"""Serves a folder as path-style S3 objects (HEAD, GET, ranged GET), each connection paced by the
kernel at a given rate (SO_MAX_PACING_RATE): S3's rate per request, without the burst nginx's
`limit_rate` allows (a second's worth at once, so a 4 MiB ranged GET would not be limited at all).

Usage: python3 paced-s3-server.py ROOT PORT BYTES_PER_SECOND [FIRST_BYTE_SECONDS]. With
FIRST_BYTE_SECONDS, each GET waits that long before it answers, as S3 does before a request's first
byte. Linux only; the body goes with sendfile, so the server takes little CPU. Signatures and query
strings are ignored.
"""

import email.utils
import os
import re
import socket
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SO_MAX_PACING_RATE = 47  # Linux, include/uapi/asm-generic/socket.h
MSS = 9001 - 52  # IPv4 and TCP headers with timestamps
RANGE = re.compile(r"^bytes=(\d+)-(\d*)$")

root, port, rate = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
first_byte = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's agents expect

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.SOL_SOCKET, SO_MAX_PACING_RATE, rate)

    def log_message(self, format, *args):
        pass

    def do_HEAD(self):
        self.answer(body=False)

    def do_GET(self):
        # Each connection has a thread of its own: a wait holds up its own request only.
        time.sleep(first_byte)
        self.answer(body=True)

    def answer(self, body):
        relative = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
        path = os.path.realpath(os.path.join(root, relative))
        if not os.path.isfile(path):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        stat = os.stat(path)
        start, end = 0, stat.st_size - 1
        status = 200
        match = RANGE.match(self.headers.get("Range", ""))
        if match:
            start = int(match.group(1))
            end = min(end, int(match.group(2))) if match.group(2) else end
            if start > end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{stat.st_size}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            status = 206
        length = end - start + 1
        self.send_response(status)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(length))
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("ETag", f'"{stat.st_size:x}-{stat.st_mtime_ns:x}"')
        self.send_header("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end}/{stat.st_size}")
        self.end_headers()
        if not body:
            return
        with open(path, "rb") as file:
            sent = 0
            while sent < length:
                done = os.sendfile(self.connection.fileno(), file.fileno(), start + sent, length - sent)
                if done == 0:
                    break
                sent += done


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def server_bind(self):
        # Segments as in a VPC (jumbo frames, MTU 9001), not loopback's 64 KiB: fewer bytes
        # then go before the pacing starts, and they arrive as a network delivers them.
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, MSS)
        super().server_bind()


Server(("127.0.0.1", port), Handler).serve_forever()
