"""Streams: writing after close, resets and flow control.

Checks (Lib/asyncio/streams.py StreamWriter.drain, FlowControlMixin, over
tests/conformance/refnet.py):
* write() after close() is dropped; drain() yields once (so
  connection_lost runs) and raises ConnectionResetError('Connection lost');
* data sent to a peer that closed is answered with a reset: the sender's
  next read raises ConnectionResetError(104, ...), as does wait_closed();
* abort() resets the peer: its pending read raises ConnectionResetError;
* a reader above 2*limit pauses its transport, the sender's buffer stays
  above the high-water mark and drain() waits until the reader reads.
"""
import asyncio

from refloop import trace
from refnet import install

DEFAULTS = {}


async def closer(reader, writer):
    trace("closer.accepted")
    writer.close()


async def sleepy(reader, writer):
    await asyncio.sleep(1)
    data = await reader.read()
    trace("sleepy.read", n=len(data))
    writer.close()


async def waiter(reader, writer):
    try:
        await reader.read(10)
    except ConnectionResetError as e:
        trace("waiter.reset", exc=e)
    writer.close()


async def main():
    install()
    s1 = await asyncio.start_server(closer, 'localhost', 1)
    r, w = await asyncio.open_connection('localhost', 1)
    w.close()
    w.write(b'late')
    try:
        await w.drain()
    except ConnectionResetError as e:
        trace("drain", exc=e)

    r, w = await asyncio.open_connection('localhost', 1)
    trace("eof", data=await r.read())
    w.write(b'into the void')
    try:
        trace("read", data=await r.read(10))
    except ConnectionResetError as e:
        trace("read.reset", exc=e)
    try:
        await w.wait_closed()
    except ConnectionResetError as e:
        trace("wait_closed", exc=e)
    w.close()

    s2 = await asyncio.start_server(waiter, 'localhost', 2)
    r, w = await asyncio.open_connection('localhost', 2)
    await asyncio.sleep(0.25)
    w.transport.abort()
    await asyncio.sleep(0.25)
    trace("aborted", closing=w.is_closing())

    s3 = await asyncio.start_server(sleepy, 'localhost', 3, limit=1000)
    r, w = await asyncio.open_connection('localhost', 3)
    w.transport.set_write_buffer_limits(1000, 100)
    w.write(b'x' * 3000)
    await asyncio.sleep(0.25)
    w.write(b'y' * 2000)
    trace("buffered", n=w.transport.get_write_buffer_size())
    await w.drain()
    trace("drained", n=w.transport.get_write_buffer_size())
    w.write_eof()
    trace("eof", data=await r.read())
    w.close()
    await w.wait_closed()
    for s in (s1, s2, s3):
        s.close()
        await s.wait_closed()
    trace("done")
