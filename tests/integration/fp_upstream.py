#!/usr/bin/env python3
"""tests/integration/fp_upstream.py — the simple upstream behind fault-proxy in its tests (loopback only).

  fp_upstream.py PORTFILE [SECONDS]
Listens on 127.0.0.1:0, writes its port to PORTFILE and serves until SECONDS (default 120) have passed.
Each connection's first line picks what it does:
  echo\\n         echoes every byte after the line until the client closes
  source N\\n     sends N bytes of 'x', then closes (FIN)
  sink\\n         reads until the client closes, then answers with the byte count and closes
  reset\\n        closes with an RST (SO_LINGER 0) once a byte after the line arrives
  watch\\n        reads until the client closes or resets; remembers which ("eof N" or "reset N")
  report\\n       answers what the last watch connection saw, then closes
"""
import socket
import struct
import sys
import threading
import time


def first_line(conn):
    buf = b""
    while b"\n" not in buf and len(buf) < 256:
        chunk = conn.recv(256 - len(buf))
        if not chunk:
            return None, b""
        buf += chunk
    line, _, rest = buf.partition(b"\n")
    return line.decode(errors="replace"), rest


LAST_WATCH = ["none"]


def watch(conn, total):
    LAST_WATCH[0] = "open %d" % total
    try:
        while True:
            data = conn.recv(65536)
            if not data:
                LAST_WATCH[0] = "eof %d" % total
                return
            total += len(data)
    except ConnectionResetError:
        LAST_WATCH[0] = "reset %d" % total


def serve(conn):
    try:
        line, rest = first_line(conn)
        if line is None:
            return
        if line == "echo":
            if rest:
                conn.sendall(rest)
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                conn.sendall(data)
        elif line.startswith("source "):
            n = int(line.split()[1])
            block = b"x" * 65536
            while n > 0:
                k = min(n, len(block))
                conn.sendall(block[:k])
                n -= k
        elif line == "reset":
            if not rest:
                conn.recv(1)
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif line == "watch":
            watch(conn, len(rest))
        elif line == "report":
            conn.sendall(LAST_WATCH[0].encode() + b"\n")
        elif line == "sink":
            total = len(rest)
            while True:
                data = conn.recv(65536)
                if not data:
                    break
                total += len(data)
            conn.sendall(b"%d\n" % total)
    except OSError:
        pass
    finally:
        conn.close()


def main():
    deadline = time.monotonic() + (float(sys.argv[2]) if len(sys.argv) > 2 else 120.0)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", 0))
    srv.listen(128)
    srv.settimeout(0.5)
    with open(sys.argv[1] + ".tmp", "w") as f:
        f.write("%d\n" % srv.getsockname()[1])
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while time.monotonic() < deadline:
        try:
            conn, _ = srv.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
