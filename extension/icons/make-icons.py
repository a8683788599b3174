"""Draws the toolbar icons (a blue rounded square with a white check mark) without any image
library, so they can be regenerated anywhere: python3 extension/icons/make-icons.py"""
import math
import os
import struct
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))


def png(size, pixel):
    rows = b"".join(b"\0" + b"".join(bytes(pixel(x, y, size)) for x in range(size)) for y in range(size))
    chunk = lambda tag, data: struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def seg_dist(px, py, ax, ay, bx, by):
    dx, dy = bx - ax, by - ay
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - ax - t * dx, py - ay - t * dy)


def pixel(x, y, size):
    u, v = (x + 0.5) / size, (y + 0.5) / size
    r = 0.2
    cx, cy = min(max(u, r), 1 - r), min(max(v, r), 1 - r)
    if math.hypot(u - cx, v - cy) > r:
        return (0, 0, 0, 0)
    d = min(seg_dist(u, v, 0.24, 0.52, 0.43, 0.71), seg_dist(u, v, 0.43, 0.71, 0.77, 0.31))
    if d < 0.075:
        return (255, 255, 255, 255)
    return (0, 84, 166, 255)


for size in (16, 32, 48, 128):
    with open(os.path.join(HERE, f"icon{size}.png"), "wb") as f:
        f.write(png(size, pixel))
