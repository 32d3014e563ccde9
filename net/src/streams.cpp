// streams.cpp: CPython 3.12.1 Lib/asyncio/streams.py, method for method. The coroutines take
// the reader's shared state by value, as the sync primitives do, and keep Python's names.
#include "corosim/net/streams.hpp"

#include <algorithm>

#include "corosim/diagnostics.hpp"
#include "corosim/loop.hpp"
#include "corosim/sleep.hpp"
#include "corosim/sync.hpp"

namespace corosim::net {

namespace detail {

struct ReaderState {
    std::size_t limit = kDefaultLimit;
    std::string buffer;
    bool eof = false;
    std::optional<Future<void>> waiter;
    std::exception_ptr exception;
    Transport transport;
    bool paused = false;

    void wakeup_waiter() {
        if (!waiter) return;
        Future<void> w = std::move(*waiter);
        waiter.reset();
        if (!w.cancelled()) w.set_result();
    }
    void maybe_resume_transport() {
        if (paused && buffer.size() <= limit) {
            paused = false;
            transport.resume_reading();
        }
    }
};

namespace {

using State = std::shared_ptr<ReaderState>;

Coro<void> wait_for_data(State s, const char* func_name) {
    if (s->waiter) {
        throw RuntimeError(std::string(func_name) +
                           "() called while another coroutine is already waiting for incoming data");
    }
    if (s->paused) {
        s->paused = false;
        s->transport.resume_reading();
    }
    Future<void> w;
    s->waiter = w;
    std::exception_ptr failed;
    try {
        co_await w;
    } catch (...) {
        failed = std::current_exception();
    }
    s->waiter.reset();  // finally: self._waiter = None
    if (failed) std::rethrow_exception(failed);
}

Coro<std::string> readuntil(State s, std::string separator) {
    const std::size_t seplen = separator.size();
    if (seplen == 0) throw ValueError("Separator should be at least one-byte string");
    if (s->exception) std::rethrow_exception(s->exception);
    std::size_t offset = 0;
    std::size_t isep = 0;
    for (;;) {
        const std::size_t buflen = s->buffer.size();
        if (buflen >= offset + seplen) {
            const std::size_t found = s->buffer.find(separator, offset);
            if (found != std::string::npos) {
                isep = found;
                break;
            }
            offset = buflen + 1 - seplen;
            if (offset > s->limit) throw LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
        }
        if (s->eof) {
            std::string chunk = std::move(s->buffer);
            s->buffer.clear();
            throw IncompleteReadError(std::move(chunk), std::nullopt);
        }
        co_await wait_for_data(s, "readuntil");
    }
    if (isep > s->limit) throw LimitOverrunError("Separator is found, but chunk is longer than limit", isep);
    std::string chunk = s->buffer.substr(0, isep + seplen);
    s->buffer.erase(0, isep + seplen);
    s->maybe_resume_transport();
    co_return chunk;
}

Coro<std::string> readline(State s) {
    const std::string sep = "\n";
    std::exception_ptr failed;
    try {
        co_return co_await readuntil(s, sep);
    } catch (const IncompleteReadError& e) {
        co_return e.partial;
    } catch (const LimitOverrunError& e) {
        if (s->buffer.compare(std::min(e.consumed, s->buffer.size()), sep.size(), sep) == 0) {
            s->buffer.erase(0, e.consumed + sep.size());
        } else {
            s->buffer.clear();
        }
        s->maybe_resume_transport();
        throw ValueError(e.message().value_or(""));
    }
}

Coro<std::string> read(State s, long n) {
    if (s->exception) std::rethrow_exception(s->exception);
    if (n == 0) co_return std::string();
    if (n < 0) {
        std::string all;
        for (;;) {
            std::string block = co_await read(s, static_cast<long>(s->limit));
            if (block.empty()) break;
            all += block;
        }
        co_return all;
    }
    if (s->buffer.empty() && !s->eof) co_await wait_for_data(s, "read");
    const auto take = std::min(static_cast<std::size_t>(n), s->buffer.size());
    std::string data = s->buffer.substr(0, take);
    s->buffer.erase(0, take);
    s->maybe_resume_transport();
    co_return data;
}

Coro<std::string> readexactly(State s, long n) {
    if (n < 0) throw ValueError("readexactly size can not be less than zero");
    if (s->exception) std::rethrow_exception(s->exception);
    if (n == 0) co_return std::string();
    const auto want = static_cast<std::size_t>(n);
    while (s->buffer.size() < want) {
        if (s->eof) {
            std::string incomplete = std::move(s->buffer);
            s->buffer.clear();
            throw IncompleteReadError(std::move(incomplete), want);
        }
        co_await wait_for_data(s, "readexactly");
    }
    std::string data = s->buffer.substr(0, want);
    s->buffer.erase(0, want);
    s->maybe_resume_transport();
    co_return data;
}

}  // namespace
}  // namespace detail

// ---- StreamReader ----

StreamReader::StreamReader(std::size_t limit) : s_(std::make_shared<detail::ReaderState>()) {
    if (limit == 0) throw ValueError("Limit cannot be <= 0");
    s_->limit = limit;
}
Coro<std::string> StreamReader::read(long n) const { return detail::read(s_, n); }
Coro<std::string> StreamReader::readline() const { return detail::readline(s_); }
Coro<std::string> StreamReader::readexactly(long n) const { return detail::readexactly(s_, n); }
Coro<std::string> StreamReader::readuntil(std::string separator) const {
    return detail::readuntil(s_, std::move(separator));
}
bool StreamReader::at_eof() const { return s_->eof && s_->buffer.empty(); }
std::exception_ptr StreamReader::exception() const { return s_->exception; }
std::size_t StreamReader::buffered() const { return s_->buffer.size(); }

void StreamReader::feed_data(std::string_view data) const {
    if (data.empty() || s_->eof) return;
    s_->buffer.append(data);
    s_->wakeup_waiter();
    if (s_->transport && !s_->paused && s_->buffer.size() > 2 * s_->limit) {
        s_->transport.pause_reading();
        s_->paused = true;
    }
}
void StreamReader::feed_eof() const {
    s_->eof = true;
    s_->wakeup_waiter();
}
void StreamReader::set_exception(std::exception_ptr exc) const {
    s_->exception = exc;
    if (!s_->waiter) return;
    Future<void> w = std::move(*s_->waiter);
    s_->waiter.reset();
    if (!w.cancelled()) w.set_exception(exc);
}
void StreamReader::set_transport(Transport transport) const { s_->transport = std::move(transport); }

// ---- StreamReaderProtocol ----

StreamReaderProtocol::StreamReaderProtocol(StreamReader reader, Callback client_connected_cb)
    : reader_(std::move(reader)), cb_(std::move(client_connected_cb)) {}

namespace {
// The handler task's body: the callback's coroutine, then what the done callback in
// StreamReaderProtocol.connection_made does, on the next iteration as a done callback would.
Coro<void> client_connected(Coro<void> body, Transport transport) {
    std::exception_ptr exc;
    try {
        co_await std::move(body);
    } catch (...) {
        exc = std::current_exception();
    }
    if (!exc) co_return;
    const bool cancelled = is_cancelled_error(exc);
    (void)running_loop().call_soon(
        [transport, exc, cancelled] {
            if (!cancelled) {
                ExceptionContext context;
                context.message = "Unhandled exception in client_connected_cb";
                context.exception = exc;
                running_loop().call_exception_handler(context);
            }
            transport.close();
        },
        "callback()");
    if (cancelled) std::rethrow_exception(exc);
}
}  // namespace

void StreamReaderProtocol::connection_made(Transport transport) {
    transport_ = transport;
    reader_.set_transport(transport);
    if (cb_) {
        StreamWriter writer(transport, shared_from_this(), reader_);
        (void)transport.start_task(client_connected(cb_(reader_, writer), transport));
    }
}
void StreamReaderProtocol::data_received(std::string data) { reader_.feed_data(data); }
bool StreamReaderProtocol::eof_received() {
    reader_.feed_eof();
    return true;  // not over SSL: keep the transport half-open
}
void StreamReaderProtocol::connection_lost(std::exception_ptr exc) {
    if (exc) {
        reader_.set_exception(exc);
    } else {
        reader_.feed_eof();
    }
    if (!closed_.done()) {
        if (exc) {
            closed_.set_exception(exc);
            (void)closed_.exception();  // StreamReaderProtocol.__del__ retrieves it
        } else {
            closed_.set_result();
        }
    }
    // FlowControlMixin.connection_lost.
    connection_lost_ = true;
    if (!paused_) return;
    for (auto& w : drain_waiters_) {
        if (w.done()) continue;
        if (exc) {
            w.set_exception(exc);
        } else {
            w.set_result();
        }
    }
}
void StreamReaderProtocol::pause_writing() { paused_ = true; }
void StreamReaderProtocol::resume_writing() {
    paused_ = false;
    for (auto& w : drain_waiters_) {
        if (!w.done()) w.set_result();
    }
}

Coro<void> StreamReaderProtocol::drain_helper() {
    // The writer that awaits this holds the protocol, so `this` outlives the coroutine.
    if (connection_lost_) throw ConnectionResetError("Connection lost");
    if (!paused_) co_return;
    Future<void> w;
    drain_waiters_.push_back(w);
    std::exception_ptr failed;
    try {
        co_await w;
    } catch (...) {
        failed = std::current_exception();
    }
    corosim::detail::remove_waiter(drain_waiters_, w);
    if (failed) std::rethrow_exception(failed);
}

// ---- StreamWriter ----

void StreamWriter::writelines(const std::vector<std::string>& lines) const {
    std::string all;
    for (const auto& l : lines) all += l;
    transport_.write(all);
}

namespace {
Coro<void> writer_wait_closed(Future<void> closed) { co_await closed; }

Coro<void> writer_drain(Transport transport, std::shared_ptr<StreamReaderProtocol> protocol, StreamReader reader) {
    if (std::exception_ptr exc = reader.exception()) std::rethrow_exception(exc);
    if (transport.is_closing()) {
        // Yield so connection_lost() may run (streams.py's comment).
        co_await sleep(0);
    }
    co_await protocol->drain_helper();
}
}  // namespace

Coro<void> StreamWriter::wait_closed() const { return writer_wait_closed(protocol_->close_waiter()); }
Coro<void> StreamWriter::drain() const { return writer_drain(transport_, protocol_, reader_); }

// ---- open_connection / start_server ----

namespace {
Coro<std::pair<StreamReader, StreamWriter>> open_impl(Network net, std::string host, int port, std::size_t limit) {
    StreamReader reader(limit);
    auto protocol = std::make_shared<StreamReaderProtocol>(reader);
    Transport transport = co_await net.create_connection(protocol, std::move(host), port);
    StreamWriter writer(transport, protocol, reader);
    co_return std::pair{reader, writer};
}

Coro<Server> start_impl(Network net, StreamReaderProtocol::Callback cb, std::string host, int port, std::size_t limit) {
    co_return net.create_server(
        [cb, limit]() -> std::shared_ptr<Protocol> {
            return std::make_shared<StreamReaderProtocol>(StreamReader(limit), cb);
        },
        host, port);
}
}  // namespace

Coro<std::pair<StreamReader, StreamWriter>> open_connection(Network net, std::string host, int port, std::size_t limit) {
    return open_impl(std::move(net), std::move(host), port, limit);
}

Coro<Server> start_server(Network net, StreamReaderProtocol::Callback cb, std::string host, int port, std::size_t limit) {
    return start_impl(std::move(net), std::move(cb), std::move(host), port, limit);
}

}  // namespace corosim::net
