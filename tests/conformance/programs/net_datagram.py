"""Datagram endpoints: create_datagram_endpoint, DatagramProtocol, DatagramTransport.

Checks (over tests/conformance/refnet.py, zero latency, no loss; the errors'
texts are Linux's, as a real loopback UDP socket gives them):
* connection_made runs before create_datagram_endpoint returns;
* an echo server (unconnected, bound) and a connected client: sockname and
  peername, datagram_received with the sender's address, in order;
* sendto of empty data does nothing; another address than the connected
  one raises ValueError;
* a connected endpoint sending to a port nobody has bound gets
  error_received(ConnectionRefusedError(111, ...)) for each datagram, an
  unconnected one gets nothing;
* a connected endpoint ignores datagrams from other addresses;
* close(): is_closing, connection_lost(None) on the next iteration, sendto
  afterwards dropped; abort() likewise;
* errors: a taken port OSError(98), an unknown host gaierror, no address at
  all ValueError.
"""
import asyncio
import socket

from refloop import trace
from refnet import install

DEFAULTS = {"count": 3}


class Echo(asyncio.DatagramProtocol):
    def connection_made(self, transport):
        self.transport = transport
        trace("server.made", sockname=transport.get_extra_info('sockname'),
              peername=transport.get_extra_info('peername'))

    def datagram_received(self, data, addr):
        trace("server.got", data=data, addr=addr)
        self.transport.sendto(data.upper(), addr)

    def connection_lost(self, exc):
        trace("server.lost", exc=exc)


class Client(asyncio.DatagramProtocol):
    def __init__(self, name):
        self.name = name
        self.got = asyncio.Queue()

    def connection_made(self, transport):
        trace(self.name + ".made", sockname=transport.get_extra_info('sockname'),
              peername=transport.get_extra_info('peername'))

    def datagram_received(self, data, addr):
        trace(self.name + ".got", data=data, addr=addr)
        self.got.put_nowait(data)

    def error_received(self, exc):
        trace(self.name + ".error", exc=exc, refused=isinstance(exc, ConnectionRefusedError))

    def connection_lost(self, exc):
        trace(self.name + ".lost", exc=exc)


async def main(count):
    install()
    loop = asyncio.get_running_loop()
    server, _ = await loop.create_datagram_endpoint(Echo, local_addr=('localhost', 9000))
    trace("server.ready")
    client, proto = await loop.create_datagram_endpoint(lambda: Client("client"),
                                                        remote_addr=('localhost', 9000))
    trace("client.ready", closing=client.is_closing(), buffer=client.get_write_buffer_size())
    for i in range(count):
        client.sendto(b'ping %d' % i)
    client.sendto(b'')
    for i in range(count):
        trace("client.reply", data=await proto.got.get())
    try:
        client.sendto(b'x', ('localhost', 9001))
    except ValueError as e:
        trace("client.wrong_addr", exc=e)
    client.sendto(b'last', ('localhost', 9000))
    trace("client.reply", data=await proto.got.get())

    lonely, lproto = await loop.create_datagram_endpoint(lambda: Client("lonely"),
                                                         remote_addr=('localhost', 9))
    lonely.sendto(b'anyone?')
    lonely.sendto(b'still?')
    await asyncio.sleep(0.01)
    loose, _ = await loop.create_datagram_endpoint(lambda: Client("loose"),
                                                   local_addr=('localhost', 0))
    loose.sendto(b'nobody', ('localhost', 9))
    loose.sendto(b'stranger', ('localhost', client.get_extra_info('sockname')[1]))
    loose.sendto(b'hi', ('nowhere', 9))
    await asyncio.sleep(0.01)
    trace("client.queue", empty=proto.got.empty())

    client.close()
    trace("client.closed", closing=client.is_closing())
    client.sendto(b'dropped')
    client.close()
    await asyncio.sleep(0)
    trace("after.close")
    lonely.abort()
    lonely.abort()
    trace("lonely.aborted", closing=lonely.is_closing())
    await asyncio.sleep(0)

    try:
        await loop.create_datagram_endpoint(Echo, local_addr=('localhost', 9000))
    except OSError as e:
        trace("bind", exc=e)
    try:
        await loop.create_datagram_endpoint(Echo, remote_addr=('nowhere', 1))
    except socket.gaierror as e:
        trace("gaierror", exc=e)
    try:
        await loop.create_datagram_endpoint(Echo)
    except ValueError as e:
        trace("no_addr", exc=e)
    loose.close()
    server.close()
    await asyncio.sleep(0)
    trace("done")
