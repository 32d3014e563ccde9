// streams.hpp: asyncio streams over the simulated network, a port of CPython 3.12
// Lib/asyncio/streams.py: StreamReader (its buffer, limit, waiter and transport pausing),
// FlowControlMixin + StreamReaderProtocol, StreamWriter (drain() with the transport's water
// marks), open_connection and start_server. The only difference in shape is that both take the
// Network explicitly. Bytes are std::string; traces show them with py_bytes_repr.
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "corosim/coro.hpp"
#include "corosim/future.hpp"
#include "corosim/net/errors.hpp"
#include "corosim/net/network.hpp"

namespace corosim::net {

/// streams._DEFAULT_LIMIT: 64 KiB.
inline constexpr std::size_t kDefaultLimit = 64 * 1024;

namespace detail {
struct ReaderState;
}

/// asyncio.StreamReader; copies share one reader.
class StreamReader {
public:
    /// A reader whose buffer limit is `limit`; ValueError('Limit cannot be <= 0') for 0.
    explicit StreamReader(std::size_t limit = kDefaultLimit);

    /// `await read(n)`: up to n bytes (n < 0: until EOF); b'' at EOF.
    Coro<std::string> read(long n = -1) const;
    /// `await readline()`: up to and including b'\n'; the partial line at EOF; ValueError when
    /// the limit is overrun (the buffer is cleared up to the separator, or entirely).
    Coro<std::string> readline() const;
    /// `await readexactly(n)`: exactly n bytes, or IncompleteReadError(partial, n) at EOF.
    Coro<std::string> readexactly(long n) const;
    /// `await readuntil(sep)`: up to and including `sep`; IncompleteReadError(partial, None)
    /// at EOF, LimitOverrunError past the limit.
    Coro<std::string> readuntil(std::string separator = "\n") const;
    /// True when EOF was fed and the buffer is empty.
    bool at_eof() const;
    /// The exception set by set_exception (the connection's loss), or null.
    std::exception_ptr exception() const;

    // The protocol side (StreamReaderProtocol calls these).
    /// Appends received bytes and wakes a waiting read; pauses the transport's reading when
    /// the buffer passes twice the limit. Ignored after EOF.
    void feed_data(std::string_view data) const;
    /// Marks EOF (the peer wrote EOF or closed) and wakes a waiting read.
    void feed_eof() const;
    /// The connection was lost with `exc`: a waiting read raises it, and later reads too.
    void set_exception(std::exception_ptr exc) const;
    /// The transport whose reading feed_data pauses and reads resume.
    void set_transport(Transport transport) const;
    /// len(reader._buffer).
    std::size_t buffered() const;

private:
    std::shared_ptr<detail::ReaderState> s_;
};

/// streams.StreamReaderProtocol (with FlowControlMixin): adapts a connection to a reader.
class StreamReaderProtocol : public Protocol, public std::enable_shared_from_this<StreamReaderProtocol> {
public:
    /// What start_server calls for each connection.
    using Callback = std::function<Coro<void>(StreamReader, class StreamWriter)>;
    /// Feeds `reader`; with `client_connected_cb` (a server's handler) a task runs
    /// `client_connected_cb(reader, writer)` once the connection is made.
    explicit StreamReaderProtocol(StreamReader reader, Callback client_connected_cb = nullptr);

    void connection_made(Transport transport) override;
    void data_received(std::string data) override;
    bool eof_received() override;
    void connection_lost(std::exception_ptr exc) override;
    void pause_writing() override;
    void resume_writing() override;

    /// FlowControlMixin._drain_helper.
    Coro<void> drain_helper();
    /// The future wait_closed() awaits (`_closed`).
    Future<void> close_waiter() const { return closed_; }

private:
    StreamReader reader_;
    Callback cb_;
    Transport transport_;
    Future<void> closed_;
    bool paused_ = false;
    bool connection_lost_ = false;
    std::deque<Future<void>> drain_waiters_;  // collections.deque of futures
};

/// asyncio.StreamWriter; copies share the connection.
class StreamWriter {
public:
    /// What open_connection and start_server hand out: writes to `transport`, drains through
    /// `protocol`, and `reader` is the connection's read side.
    StreamWriter(Transport transport, std::shared_ptr<StreamReaderProtocol> protocol, StreamReader reader)
        : transport_(std::move(transport)), protocol_(std::move(protocol)), reader_(std::move(reader)) {}

    /// transport.write(data).
    void write(std::string_view data) const { transport_.write(data); }
    /// transport.writelines(lines).
    void writelines(const std::vector<std::string>& lines) const;
    /// transport.write_eof().
    void write_eof() const { transport_.write_eof(); }
    /// transport.can_write_eof().
    bool can_write_eof() const { return transport_.can_write_eof(); }
    /// transport.close().
    void close() const { transport_.close(); }
    /// transport.is_closing(): true once close() or abort() ran or the connection was lost.
    bool is_closing() const { return transport_.is_closing(); }
    /// `await wait_closed()`: until connection_lost; raises what the connection died of.
    Coro<void> wait_closed() const;
    /// `await drain()`: the reader's exception if any; a yield when closing; then waits while
    /// the transport's buffer is above its high-water mark. ConnectionResetError('Connection
    /// lost') once the connection is gone.
    Coro<void> drain() const;
    /// The transport.
    const Transport& transport() const noexcept { return transport_; }

private:
    Transport transport_;
    std::shared_ptr<StreamReaderProtocol> protocol_;
    StreamReader reader_;
};

/// `await asyncio.open_connection(host, port)` from the current task's host.
Coro<std::pair<StreamReader, StreamWriter>> open_connection(Network net, std::string host, int port,
                                                            std::size_t limit = kDefaultLimit);

/// `await asyncio.start_server(cb, host, port)`: each connection runs `cb(reader, writer)` as
/// a task of `host` (see Transport::start_task). An exception escaping it is reported through
/// the loop's exception handler ('Unhandled exception in client_connected_cb') and the
/// connection closed, as streams.py does.
Coro<Server> start_server(Network net, StreamReaderProtocol::Callback cb, std::string host, int port,
                          std::size_t limit = kDefaultLimit);

}  // namespace corosim::net
