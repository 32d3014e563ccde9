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


def install():
    """Puts a fresh simulated network under the running loop's streams."""
    loop = asyncio.get_running_loop()
    net = Network(loop)
    loop.create_connection = net.create_connection
    loop.create_server = net.create_server
    return net
