#!/usr/bin/env python3
"""Floods the search API (8081) with unauthenticated requests while an investigator searches.

Usage, against a running `./platewarden run` (demo config):
    python3 bench/audit-flood.py [CONNECTIONS=400] [SECONDS=45] [HOST=127.0.0.1] [PORT=8081]

Each flood connection keeps alive and alternates a POST /v1/search with a bad bearer token and a
GET /v1/audit without one (both answered 401 and audited, until the audit trail's anonymous share
is full: then 503 + Retry-After, unaudited). Meanwhile one investigator search per second with the
demo token. Prints the flood's status counts and the investigator's statuses and latencies; the
server's /metrics has platewarden_audit_saturated_total{lane}.
"""
import asyncio, collections, json, sys, time

CONC = int(sys.argv[1]) if len(sys.argv) > 1 else 400
DUR = float(sys.argv[2]) if len(sys.argv) > 2 else 45
HOST = sys.argv[3] if len(sys.argv) > 3 else "127.0.0.1"
PORT = int(sys.argv[4]) if len(sys.argv) > 4 else 8081
FLOOD = [b"POST /v1/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer bad-token\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}",
         b"GET /v1/audit HTTP/1.1\r\nHost: x\r\n\r\n"]
SEARCH = json.dumps({"plate": "ABC1234", "purpose": "stolen_vehicle", "case_number": "FLOOD-1"}).encode()
INVESTIGATOR = (b"POST /v1/search HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-dpd-investigator\r\n"
                b"Content-Type: application/json\r\nConnection: close\r\nContent-Length: " + str(len(SEARCH)).encode() + b"\r\n\r\n" + SEARCH)


async def exchange(reader, writer, request):
    """Sends one request, reads its answer; returns (status, close?)."""
    writer.write(request)
    await writer.drain()
    line = await reader.readline()
    if not line:
        return None, True
    status, length, close = line.split()[1].decode(), 0, False
    while True:
        header = await reader.readline()
        if header in (b"\r\n", b""):
            break
        name, _, value = header.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
        if name.lower() == "connection" and "close" in value.lower():
            close = True
    if length:
        await reader.readexactly(length)
    return status, close


async def flood(i, end, counts):
    while time.time() < end:
        try:
            reader, writer = await asyncio.open_connection(HOST, PORT)
            while time.time() < end:
                status, close = await exchange(reader, writer, FLOOD[i % 2])
                if status is None:
                    break
                counts[status] += 1
                if close:
                    break
            writer.close()
        except Exception as e:  # a refused or reset connection is counted, not fatal
            counts["error:" + type(e).__name__] += 1
            await asyncio.sleep(0.01)


async def investigator(end, results):
    while time.time() < end:
        started = time.time()
        try:
            reader, writer = await asyncio.open_connection(HOST, PORT)
            status, _ = await exchange(reader, writer, INVESTIGATOR)
            writer.close()
        except Exception as e:
            status = "error:" + type(e).__name__
        results.append((status, time.time() - started))
        await asyncio.sleep(max(0.0, 1.0 - (time.time() - started)))


async def main():
    end = time.time() + DUR
    counts, searches = collections.Counter(), []
    await asyncio.gather(investigator(end, searches), *[flood(i, end, counts) for i in range(CONC)])
    latencies = sorted(t for _, t in searches)
    print("flood:", dict(counts))
    print("investigator:", dict(collections.Counter(s for s, _ in searches)))
    if latencies:
        print("investigator latency s: p50 %.3f p90 %.3f max %.3f" % (
            latencies[len(latencies) // 2], latencies[int(len(latencies) * 0.9)], latencies[-1]))


asyncio.run(main())
