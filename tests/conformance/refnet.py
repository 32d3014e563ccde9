"""An in-memory TCP network for the stream-layer reference programs (issue 16).

``install()`` replaces the running loop's ``create_connection`` and
``create_server`` with a simulated network of the same shape as corosim's
``net/`` layer (net/src/network.cpp), so ``asyncio.open_connection`` and
``asyncio.start_server`` -- CPython's own Lib/asyncio/streams.py -- run
unchanged on top of it.  Only the wire is ours: every packet (SYN, SYN-ACK,
data, FIN, RST) is a ``loop.call_at(now + latency)`` timer that delivers the
head of its connection's queue, latency is 0, and every host is ``localhost``.
Real loopback sockets would not give a reproducible trace: when the kernel
makes a socket readable relative to the loop's iterations is not ours to fix.

The transport follows _SelectorSocketTransport where a socket shows through
the protocol: write() after close is dropped, close() calls
connection_lost(None) on the next iteration, data arriving at a closed socket
is answered with RST, a reset reaches the protocol as
connection_lost(ConnectionResetError(104, ...)).  Its write buffer holds the
bytes the peer's protocol has not received yet (flow control: high 64 KiB,
low high // 4).

Datagram endpoints (``create_datagram_endpoint``) follow
_SelectorDatagramTransport the same way: connection_made, the reader and the
waiter each on the next iteration, a datagram per timer, ECONNREFUSED through
error_received for a connected endpoint whose datagram found no socket (as
Linux reports the ICMP error), connection_lost(None) after close().
"""
import asyncio
import collections
import socket

_HIGH = 64 * 1024


class _Endpoint(asyncio.Transport):
    def __init__(self, net, eid, port):
        super().__init__()
        self._net = net
        self.id = eid
        self.peer = 0
        self.port = port
        self.server = None
        self.protocol = None
        self.queue = collections.deque()
        self.last_due = 0.0
        self.held = collections.deque()
        self.buffer = 0
        self.high = _HIGH
        self.low = _HIGH // 4
        self.connecting = False
        self.protocol_paused = False
        self.reading = True
        self.closing = False
        self.eof = False
        self.reset_seen = False
        self.lost_called = False
        self.conn_lost = 0
        self.connect_waiter = None

    # -- asyncio.Transport ---------------------------------------------------

    def get_extra_info(self, name, default=None):
        if name == 'peername':
            return ('localhost', self.port)
        return default

    def write(self, data):
        if self.eof and not self.closing:
            raise RuntimeError('Cannot call write() after write_eof()')
        if not data:
            return
        if self.conn_lost or self.closing:
            self.conn_lost += 1
            return
        if self.reset_seen:
            self._net.force_close(self, BrokenPipeError(32, 'Broken pipe'))
            return
        self.buffer += len(data)
        self._net.send(self, ('data', bytes(data)))
        if self.buffer > self.high and not self.protocol_paused and self.protocol is not None:
            self.protocol_paused = True
            self.protocol.pause_writing()

    def write_eof(self):
        if self.closing or self.eof:
            return
        self.eof = True
        self._net.send(self, ('fin', None))

    def can_write_eof(self):
        return True

    def close(self):
        self._net.close(self)

    def abort(self):
        was_open = self.conn_lost == 0 and not self.connecting
        self._net.force_close(self, None)
        if was_open and self.peer:
            self._net.send(self, ('rst', None))

    def is_closing(self):
        return self.closing

    def pause_reading(self):
        if self.closing or not self.reading:
            return
        self.reading = False

    def resume_reading(self):
        if self.closing or self.reading:
            return
        self.reading = True
        self._net.loop.call_soon(self._net.deliver_held, self)

    def is_reading(self):
        return self.reading and not self.closing

    def get_write_buffer_size(self):
        return self.buffer

    def set_write_buffer_limits(self, high=None, low=None):
        self.high = high
        self.low = low


class _Server:
    """base_events.Server's bookkeeping (3.12.1), without sockets."""

    def __init__(self, net, port, factory):
        self._net = net
        self.port = port
        self.factory = factory
        self.serving = True
        self.active = 0
        self._waiters = []

    def close(self):
        if not self.serving:
            return
        self.serving = False
        self._net.listeners.pop(self.port, None)
        if self.active == 0:
            self._wakeup()

    def is_serving(self):
        return self.serving

    def _detach(self):
        if self.active > 0:
            self.active -= 1
        if self.active == 0 and not self.serving:
            self._wakeup()

    def _wakeup(self):
        waiters = self._waiters
        self._waiters = None
        if waiters is None:
            return
        for w in waiters:
            if not w.done():
                w.set_result(None)

    async def wait_closed(self):
        if self._waiters is None:
            return
        waiter = self._net.loop.create_future()
        self._waiters.append(waiter)
        await waiter


class Network:
    def __init__(self, loop):
        self.loop = loop
        self.endpoints = {}
        self.listeners = {}
        self.next_id = 0
        self.bound = {}  # datagram endpoints by port
        self.next_port = 40000  # ephemeral ports, in order, as net/src/datagram.cpp

    def _make(self, port):
        self.next_id += 1
        e = _Endpoint(self, self.next_id, port)
        self.endpoints[e.id] = e
        return e

    # -- the wire ------------------------------------------------------------

    def send(self, e, packet):
        due = max(self.loop.time(), e.last_due)
        e.last_due = due
        e.queue.append(packet)
        self.loop.call_at(due, self._fire, e)

    def _fire(self, e):
        if not e.queue:
            return
        kind, data = e.queue.popleft()
        if kind == 'syn':
            self._accept(e)
            return
        self._receive(self.endpoints[e.peer], e, kind, data)

    def _accept(self, c):
        server = self.listeners.get(c.port)
        s = self._make(c.port)
        s.peer = c.id
        if server is None or not server.serving:
            s.closing = True
            s.lost_called = True
            self.send(s, ('rst', None))
            return
        s.server = server
        server.active += 1
        self.send(s, ('synack', None))
        protocol = server.factory()
        s.protocol = protocol
        protocol.connection_made(s)

    def _receive(self, e, src, kind, data):
        if e.closing and not e.connecting:
            if kind == 'data' and e.peer == src.id:
                self.send(e, ('rst', None))
            return
        if kind == 'synack':
            if not e.connecting:
                return
            e.connecting = False
            e.peer = src.id
            w = e.connect_waiter
            e.connect_waiter = None
            if w.done():
                e.abort()
                return
            e.protocol.connection_made(e)
            w.set_result(None)
        elif kind == 'rst':
            if e.connecting:
                e.connecting = False
                e.closing = True
                e.lost_called = True
                w = e.connect_waiter
                e.connect_waiter = None
                e.protocol = None
                if not w.done():
                    w.set_exception(ConnectionRefusedError(
                        111, f"Connect call failed ('localhost', {e.port})"))
                return
            if not e.reading:
                e.reset_seen = True
                return
            self.force_close(e, ConnectionResetError(104, 'Connection reset by peer'))
        else:
            if not e.reading or e.held:
                e.held.append((kind, data))
                return
            self._deliver(e, kind, data)

    def _deliver(self, e, kind, data):
        protocol = e.protocol
        if kind == 'fin':
            if not protocol.eof_received():
                self.close(e)
            return
        protocol.data_received(data)
        src = self.endpoints.get(e.peer)
        if src is not None:
            src.buffer -= min(src.buffer, len(data))
            if src.protocol is not None and src.protocol_paused and src.buffer <= src.low:
                src.protocol_paused = False
                src.protocol.resume_writing()

    def deliver_held(self, e):
        while not e.closing and e.reading:
            if not e.held:
                if e.reset_seen:
                    self.force_close(e, ConnectionResetError(104, 'Connection reset by peer'))
                return
            kind, data = e.held.popleft()
            self._deliver(e, kind, data)

    # -- transport operations -------------------------------------------------

    def _connection_lost(self, e, exc):
        if e.lost_called:
            return
        e.lost_called = True
        protocol, e.protocol = e.protocol, None
        if protocol is not None:
            protocol.connection_lost(exc)
        if e.server is not None:
            e.server._detach()

    def force_close(self, e, exc):
        if e.conn_lost:
            return
        e.buffer = 0
        e.closing = True
        e.reading = False
        e.conn_lost += 1
        self.loop.call_soon(self._connection_lost, e, exc)

    def close(self, e):
        if e.closing:
            return
        e.closing = True
        e.reading = False
        if not e.eof:
            e.eof = True
            self.send(e, ('fin', None))
        e.conn_lost += 1
        self.loop.call_soon(self._connection_lost, e, None)

    # -- datagrams ------------------------------------------------------------

    def dgram_deliver(self, e, data, addr):
        if e.conn_lost:
            return
        if not e.reading:
            e.held.append((data, addr))
            return
        e.protocol.datagram_received(data, addr)

    def dgram_arrive(self, src, port, data):
        dst = self.bound.get(port)
        if dst is None:
            self.loop.call_at(self.loop.time(), self.dgram_unreachable, src)
            return
        if dst.remote and dst.remote != ('localhost', src.port):
            return
        self.dgram_deliver(dst, data, ('localhost', src.port))

    def dgram_unreachable(self, e):
        if e.conn_lost or not e.remote or not e.reading:
            return
        e.protocol.error_received(ConnectionRefusedError(111, 'Connection refused'))

    def dgram_lost(self, e):
        protocol, e.protocol = e.protocol, None
        if protocol is not None:
            protocol.connection_lost(None)

    def _start_reading(self, e):
        if e.conn_lost:
            return
        e.reading = True
        held, e.held = e.held, collections.deque()
        for data, addr in held:
            self.dgram_deliver(e, data, addr)

    async def create_datagram_endpoint(self, protocol_factory, local_addr=None, remote_addr=None, **kwds):
        if not (local_addr or remote_addr):
            raise ValueError('unexpected address family')
        for addr in (local_addr, remote_addr):
            if addr is not None and addr[0] != 'localhost':
                raise socket.gaierror(-2, 'Name or service not known')
        port = local_addr[1] if local_addr else 0
        if port and port in self.bound:
            raise OSError(98, 'Address already in use')
        if not port:
            while self.next_port in self.bound:
                self.next_port += 1
            port = self.next_port
            self.next_port += 1
        protocol = protocol_factory()
        self.next_id += 1
        e = _DatagramEndpoint(self, self.next_id, port, tuple(remote_addr) if remote_addr else None)
        e.protocol = protocol
        self.bound[port] = e
        waiter = self.loop.create_future()
        self.loop.call_soon(protocol.connection_made, e)
        self.loop.call_soon(self._start_reading, e)
        self.loop.call_soon(asyncio.futures._set_result_unless_cancelled, waiter, None)
        await waiter
        return e, protocol

    # -- the loop methods streams.py calls -------------------------------------

    async def create_connection(self, protocol_factory, host=None, port=None, **kwds):
        if host != 'localhost':
            raise socket.gaierror(-2, 'Name or service not known')
        e = self._make(port)
        waiter = self.loop.create_future()
        e.connecting = True
        e.protocol = protocol_factory()
        e.connect_waiter = waiter
        self.send(e, ('syn', None))
        await waiter
        return e, e.protocol

    async def create_server(self, protocol_factory, host=None, port=None, **kwds):
        if host != 'localhost':
            raise socket.gaierror(-2, 'Name or service not known')
        if port in self.listeners:
            raise OSError(98, 'address already in use')
        server = _Server(self, port, protocol_factory)
        self.listeners[port] = server
        return server


class _DatagramEndpoint(asyncio.DatagramTransport):
    """_SelectorDatagramTransport (3.12.1) where the socket shows through the
    protocol; the datagrams travel as net/src/datagram.cpp moves them at zero
    latency with no loss (what FIFO runs give)."""

    def __init__(self, net, eid, port, remote):
        super().__init__()
        self._net = net
        self.id = eid
        self.port = port
        self.remote = remote
        self.protocol = None
        self.reading = False
        self.closing = False
        self.conn_lost = 0
        self.held = collections.deque()

    def get_extra_info(self, name, default=None):
        if name == 'sockname':
            return ('localhost', self.port)
        if name == 'peername':
            return self.remote
        return default

    def get_write_buffer_size(self):
        return 0

    def sendto(self, data, addr=None):
        if not data:
            return
        if self.remote:
            if addr not in (None, self.remote):
                raise ValueError(f'Invalid address: must be None or {self.remote}')
            if self.conn_lost:
                self.conn_lost += 1
                return
            addr = self.remote
        else:
            if self.conn_lost:
                return
            if addr[0] != 'localhost':
                self.protocol.error_received(socket.gaierror(-2, 'Name or service not known'))
                return
        self._net.loop.call_at(self._net.loop.time(), self._net.dgram_arrive,
                               self, addr[1], bytes(data))

    def close(self):
        if self.closing:
            return
        self.closing = True
        self.reading = False
        if self._net.bound.get(self.port) is self:
            del self._net.bound[self.port]
        self.conn_lost += 1
        self._net.loop.call_soon(self._net.dgram_lost, self)

    def abort(self):
        if self.conn_lost:
            return
        self.closing = False
        self.close()

    def is_closing(self):
        return self.closing


def install():
    """Puts a fresh simulated network under the running loop's streams and
    datagram endpoints."""
    loop = asyncio.get_running_loop()
    net = Network(loop)
    loop.create_connection = net.create_connection
    loop.create_server = net.create_server
    loop.create_datagram_endpoint = net.create_datagram_endpoint
    return net
