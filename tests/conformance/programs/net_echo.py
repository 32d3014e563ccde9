"""Streams: an echo server and its client over the in-memory network.

Checks (Lib/asyncio/streams.py, run unchanged on tests/conformance/refnet.py):
* start_server's handler runs as its own task (Task-N) per connection;
* readline() returns each line with its b'\\n'; two lines sent in one write
  come back as two readline() results;
* write_eof() reaches the server as EOF: its readline() returns b'', it
  closes, and the client's read() returns b'' and at_eof() is true;
* wait_closed() returns once connection_lost ran; Server.wait_closed()
  (3.12.1) once the server is closed and its connections are gone.

Trace ordering depends only on refnet's wire (zero latency, one call_at per
packet), which corosim's net/ layer mirrors.
"""
import asyncio

from refloop import trace
from refnet import install

DEFAULTS = {'lines': 2}


async def echo(reader, writer):
    trace("server.accepted")
    while True:
        line = await reader.readline()
        trace("server.line", data=line)
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()
    await writer.wait_closed()
    trace("server.closed")


async def main(lines=2):
    install()
    server = await asyncio.start_server(echo, 'localhost', 7000)
    reader, writer = await asyncio.open_connection('localhost', 7000)
    trace("client.connected")
    writer.write(b''.join(b'line %d\n' % i for i in range(lines)))
    await writer.drain()
    for _ in range(lines):
        trace("client.got", data=await reader.readline())
    writer.write_eof()
    rest = await reader.read()
    trace("client.rest", data=rest, at_eof=reader.at_eof())
    writer.close()
    await writer.wait_closed()
    trace("client.closed", closing=writer.is_closing())
    server.close()
    await server.wait_closed()
    trace("server.wait_closed", serving=server.is_serving())
