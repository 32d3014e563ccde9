"""Streams: StreamReader's errors at EOF and at its limit.

Checks (Lib/asyncio/streams.py StreamReader, over tests/conformance/refnet.py):
* readexactly(n) past EOF raises IncompleteReadError whose partial is what
  was buffered and expected is n; the buffer is then empty and at_eof();
* readuntil(sep) with no separator before EOF raises IncompleteReadError
  with expected None;
* readuntil past the limit raises LimitOverrunError with consumed (the
  separator found beyond the limit: its offset; not found: the scanned
  length), and leaves the buffer alone;
* readline past the limit raises ValueError and drops the buffer up to and
  including the separator; read(n) returns at most n bytes, b'' at EOF.
"""
import asyncio

from refloop import trace
from refnet import install

DEFAULTS = {}


def sender(payload):
    async def handler(reader, writer):
        writer.write(payload)
        writer.close()
    return handler


async def attempt(label, coro):
    try:
        got = await coro
        trace(label, got=got)
    except asyncio.IncompleteReadError as e:
        trace(label, exc=e, partial=e.partial, expected=e.expected)
    except asyncio.LimitOverrunError as e:
        trace(label, exc=e, consumed=e.consumed)
    except ValueError as e:
        trace(label, exc=e)


async def main():
    install()
    s1 = await asyncio.start_server(sender(b'abc'), 'localhost', 1)
    r, w = await asyncio.open_connection('localhost', 1)
    await attempt("readexactly", r.readexactly(5))
    trace("after", at_eof=r.at_eof(), read=await r.read(10))
    w.close()

    s2 = await asyncio.start_server(sender(b'no separator'), 'localhost', 2)
    r, w = await asyncio.open_connection('localhost', 2)
    await attempt("readuntil", r.readuntil(b';'))
    w.close()

    s3 = await asyncio.start_server(sender(b'0123456789;xy;abcdefghij\nrest\n'), 'localhost', 3)
    r, w = await asyncio.open_connection('localhost', 3, limit=4)
    await asyncio.sleep(0.5)
    await attempt("readuntil.found", r.readuntil(b';'))
    await attempt("read", r.read(3))
    await attempt("readuntil.small", r.readuntil(b';'))
    await attempt("readline.long", r.readline())
    await attempt("readline", r.readline())
    await attempt("readuntil.notfound", r.readuntil(b'!'))
    w.close()

    s4 = await asyncio.start_server(sender(b'abcdefghijklmnop'), 'localhost', 4)
    r, w = await asyncio.open_connection('localhost', 4, limit=4)
    await asyncio.sleep(0.5)
    await attempt("readuntil.scan", r.readuntil(b'!'))
    await attempt("readline.scan", r.readline())
    await attempt("rest", r.read())
    w.close()
    for s in (s1, s2, s3, s4):
        s.close()
        await s.wait_closed()
    trace("done")
