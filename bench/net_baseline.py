#!/usr/bin/env python3
"""CPython asyncio baseline for the network benchmark (N1, N2 of bench/bench_net.cpp).

The same echo exchange as corosim's simulated network runs, in stock CPython asyncio over real
loopback TCP sockets (127.0.0.1, a port the kernel picks): a server echoes 16-byte lines, a
client writes a line and reads the echo, `rounds` times. N1 uses one connection, N2 64 at once.
A message is one line delivered (a request or a reply). Standard library only.

Usage:
    net_baseline.py [--scale F] [--json]
"""
import argparse
import asyncio
import json
import sys
import time

WORKLOADS = {"N1": 1, "N2": 64}
TOTAL_ROUNDS = 100_000
LINE = b"0123456789abcde\n"


async def echo(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
    writer.close()


async def client(port, rounds):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    received = 0
    for _ in range(rounds):
        writer.write(LINE)
        if len(await reader.readline()) == len(LINE):
            received += 2
    writer.close()
    await writer.wait_closed()
    return received


async def exchange(connections, rounds):
    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    counts = await asyncio.gather(*(client(port, rounds) for _ in range(connections)))
    server.close()
    await server.wait_closed()
    return sum(counts)


def measure(connections, scale):
    rounds = max(1, int(TOTAL_ROUNDS * scale + 0.5)) // connections + 1
    best = None
    for _ in range(3):
        wall0, cpu0 = time.perf_counter(), time.process_time()
        messages = asyncio.run(exchange(connections, rounds))
        wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
        if best is None or wall < best[1]:
            best = (messages, wall, cpu)
    messages, wall, cpu = best
    return {"items": messages, "per_s": messages / wall, "cpu_seconds": cpu}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = {w: measure(c, args.scale) for w, c in WORKLOADS.items()}
    if args.json:
        print(json.dumps(result))
    else:
        for w, r in result.items():
            print("%s %d messages, %.0f messages/s" % (w, r["items"], r["per_s"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
