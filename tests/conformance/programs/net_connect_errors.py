"""Streams: connection errors through open_connection and start_server.

Checks (over tests/conformance/refnet.py; the errors' texts are modelled on
CPython's socket errors, the point is how streams.py passes them on):
* a port nobody listens on: ConnectionRefusedError(111, ...) from
  open_connection, an OSError and a ConnectionError;
* an unknown host name: socket.gaierror(-2, ...);
* a second server on a taken port: OSError(98, ...);
* a closed server refuses new connections; its existing one keeps working.
"""
import asyncio
import socket

from refloop import trace
from refnet import install

DEFAULTS = {}


async def echo_once(reader, writer):
    data = await reader.readline()
    writer.write(data)
    await writer.drain()
    writer.close()


async def main():
    install()
    try:
        await asyncio.open_connection('localhost', 9)
    except ConnectionRefusedError as e:
        trace("refused", exc=e, oserror=isinstance(e, OSError), connerror=isinstance(e, ConnectionError))
    try:
        await asyncio.open_connection('nowhere', 80)
    except socket.gaierror as e:
        trace("gaierror", exc=e, oserror=isinstance(e, OSError))
    server = await asyncio.start_server(echo_once, 'localhost', 9)
    try:
        await asyncio.start_server(echo_once, 'localhost', 9)
    except OSError as e:
        trace("bind", exc=e)
    reader, writer = await asyncio.open_connection('localhost', 9)
    server.close()
    trace("server.closed", serving=server.is_serving())
    try:
        await asyncio.open_connection('localhost', 9)
    except ConnectionRefusedError as e:
        trace("refused.after_close", exc=e)
    writer.write(b'still here\n')
    trace("echo", data=await reader.readline())
    trace("eof", data=await reader.read())
    writer.close()
    await writer.wait_closed()
    await server.wait_closed()
    trace("done")
