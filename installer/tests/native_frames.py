#!/usr/bin/env python3
"""Talks to a native-messaging host the way Chrome does: starts COMMAND..., writes each request
(JSON, one per argument after `--`) as a 4-byte native-endian length + UTF-8 frame, keeps the
port open until one reply per request has arrived (Chrome closes stdin only on disconnect, and
the agent drops what is still in flight then), closes stdin, and prints every reply frame as one
JSON line. Exit status 1 if the output is not clean frames or replies are missing.

    native_frames.py [--timeout S] COMMAND... -- REQUEST_JSON...
"""
import json
import struct
import subprocess
import sys
import threading


def main() -> int:
    args = sys.argv[1:]
    timeout = 60.0
    if args[:1] == ["--timeout"]:
        timeout = float(args[1])
        args = args[2:]
    if "--" not in args:
        print(__doc__, file=sys.stderr)
        return 2
    split = args.index("--")
    command, requests = args[:split], args[split + 1:]
    payload = b""
    for text in requests:
        body = json.dumps(json.loads(text)).encode()
        payload += struct.pack("=I", len(body)) + body
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    killer = threading.Timer(timeout, proc.kill)
    killer.start()
    status = 0
    try:
        proc.stdin.write(payload)
        proc.stdin.flush()
        for _ in requests:
            header = proc.stdout.read(4)
            if len(header) < 4:
                print(f"port closed after a partial or missing reply: {header!r}", file=sys.stderr)
                status = 1
                break
            (length,) = struct.unpack("=I", header)
            body = proc.stdout.read(length)
            if len(body) != length:
                print(f"frame of {length} bytes cut at {len(body)}: {body[:80]!r}", file=sys.stderr)
                status = 1
                break
            try:
                print(json.dumps(json.loads(body.decode("utf-8")), ensure_ascii=False), flush=True)
            except ValueError:
                print(f"frame is not JSON: {(header + body)[:80]!r}", file=sys.stderr)
                status = 1
                break
        proc.stdin.close()
        rest = proc.stdout.read()
        if rest:
            print(f"bytes after the last reply: {rest[:80]!r}", file=sys.stderr)
            status = 1
        proc.wait()
    finally:
        killer.cancel()
    return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
