// queue.hpp: asyncio.Queue<T>, QueueEmpty, QueueFull; a port of CPython 3.12
// Lib/asyncio/queues.py. Blocked getters and putters each wait on their own Future in a FIFO
// deque; `_wakeup_next` pops the first one that is not done and sets its result, so the woken
// task resumes through call_soon. A getter (putter) that was woken and then cancelled before it
// ran passes the wakeup on to the next one, so no item (slot) is lost. unfinished_tasks,
// task_done() and join() work through an Event as in CPython.
#pragma once

#include <cstddef>
#include <deque>
#include <exception>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "corosim/coro.hpp"
#include "corosim/exceptions.hpp"
#include "corosim/future.hpp"
#include "corosim/repr.hpp"
#include "corosim/sync.hpp"
#include "corosim/task.hpp"

namespace corosim {

/// asyncio.QueueEmpty: get_nowait() on an empty queue.
COROSIM_DEFINE_EXCEPTION(QueueEmpty, Exception);
/// asyncio.QueueFull: put_nowait() on a full queue.
COROSIM_DEFINE_EXCEPTION(QueueFull, Exception);

namespace detail {

template <class T>
struct QueueState {
    int maxsize = 0;
    std::deque<T> queue;
    Waiters getters;
    Waiters putters;
    int unfinished_tasks = 0;
    sync::Event finished;
    LoopBound bound;

    /// Queue.full().
    bool full() const noexcept { return maxsize > 0 && queue.size() >= static_cast<std::size_t>(maxsize); }

    /// Queue._wakeup_next: wake up the next waiter (if any) that isn't cancelled.
    static void wakeup_next(Waiters& waiters) {
        while (!waiters.empty()) {
            Future<void> waiter = std::move(waiters.front());
            waiters.pop_front();
            if (!waiter.done()) {
                waiter.set_result();
                break;
            }
        }
    }

    /// Queue.__str__'s _format(): `maxsize=0 _queue=[1, 2] _getters[1] tasks=2`.
    std::string format() const {
        std::string result = "maxsize=" + std::to_string(maxsize);
        if (!queue.empty()) result += " _queue=" + py_repr(std::vector<T>(queue.begin(), queue.end()));
        if (!getters.empty()) result += " _getters[" + std::to_string(getters.size()) + "]";
        if (!putters.empty()) result += " _putters[" + std::to_string(putters.size()) + "]";
        if (unfinished_tasks != 0) result += " tasks=" + std::to_string(unfinished_tasks);
        return result;
    }

    /// `self._get_loop().create_future()`.
    Future<void> new_waiter() {
        bound.get_loop([this] { return "<Queue " + format() + ">"; });
        return Future<void>();
    }

    /// Queue.put_nowait.
    void put_nowait(T item) {
        if (full()) throw QueueFull();
        queue.push_back(std::move(item));
        unfinished_tasks += 1;
        finished.clear();
        wakeup_next(getters);
    }

    /// Queue.get_nowait.
    T get_nowait() {
        if (queue.empty()) throw QueueEmpty();
        T item = std::move(queue.front());
        queue.pop_front();
        wakeup_next(putters);
        return item;
    }
};

// The coroutines take the shared state by value; their names are the Python method names.
namespace queue {

/// Queue.put.
template <class T>
Coro<void> put(std::shared_ptr<QueueState<T>> s, T item) {
    while (s->full()) {
        Future<void> putter = s->new_waiter();
        s->putters.push_back(putter);
        std::exception_ptr failed;
        try {
            co_await putter;
        } catch (...) {
            failed = std::current_exception();
        }
        if (failed) {
            (void)putter.cancel();  // just in case the putter is not done yet
            // Clean the putters of it; a previous get_nowait() may have popped it already.
            remove_waiter(s->putters, putter);
            // Woken by get_nowait() but cannot take the slot: wake up the next in line.
            if (!s->full() && !putter.cancelled()) QueueState<T>::wakeup_next(s->putters);
            std::rethrow_exception(failed);
        }
    }
    s->put_nowait(std::move(item));
}

/// Queue.get.
template <class T>
Coro<T> get(std::shared_ptr<QueueState<T>> s) {
    while (s->queue.empty()) {
        Future<void> getter = s->new_waiter();
        s->getters.push_back(getter);
        std::exception_ptr failed;
        try {
            co_await getter;
        } catch (...) {
            failed = std::current_exception();
        }
        if (failed) {
            (void)getter.cancel();  // just in case the getter is not done yet
            // Clean the getters of it; a previous put_nowait() may have popped it already.
            remove_waiter(s->getters, getter);
            // Woken by put_nowait() but cannot take the item: wake up the next in line.
            if (!s->queue.empty() && !getter.cancelled()) QueueState<T>::wakeup_next(s->getters);
            std::rethrow_exception(failed);
        }
    }
    co_return s->get_nowait();
}

/// Queue.join.
template <class T>
Coro<void> join(std::shared_ptr<QueueState<T>> s) {
    if (s->unfinished_tasks > 0) {
        Coro<bool> w = s->finished.wait();
        co_await std::move(w);
    }
}

}  // namespace queue
}  // namespace detail

/// asyncio.Queue of T (FIFO); copies share one queue. maxsize <= 0 means unbounded.
template <class T>
class Queue {
public:
    /// `asyncio.Queue(maxsize)`: put() blocks while maxsize items are queued (<= 0: never).
    explicit Queue(int maxsize = 0) : s_(std::make_shared<detail::QueueState<T>>()) {
        s_->maxsize = maxsize;
        s_->finished.set();
    }

    /// Number of items in the queue.
    std::size_t qsize() const noexcept { return s_->queue.size(); }
    /// Number of items allowed in the queue (<= 0: unbounded).
    int maxsize() const noexcept { return s_->maxsize; }
    /// True when the queue holds no item.
    bool empty() const noexcept { return s_->queue.empty(); }
    /// True when the queue holds maxsize items (never for an unbounded queue).
    bool full() const noexcept { return s_->full(); }
    /// Items put and not yet marked done by task_done() (`_unfinished_tasks`).
    int unfinished_tasks() const noexcept { return s_->unfinished_tasks; }

    /// `await q.put(item)`: waits (FIFO among putters) while the queue is full.
    Coro<void> put(T item) const { return detail::queue::put<T>(s_, std::move(item)); }
    /// Puts without blocking; QueueFull when full. Wakes the next getter.
    void put_nowait(T item) const { s_->put_nowait(std::move(item)); }
    /// `await q.get()`: waits (FIFO among getters) while the queue is empty.
    Coro<T> get() const { return detail::queue::get<T>(s_); }
    /// Gets without blocking; QueueEmpty when empty. Wakes the next putter.
    T get_nowait() const { return s_->get_nowait(); }

    /// Marks one fetched item as processed; ValueError('task_done() called too many times').
    void task_done() const {
        if (s_->unfinished_tasks <= 0) throw ValueError("task_done() called too many times");
        s_->unfinished_tasks -= 1;
        if (s_->unfinished_tasks == 0) s_->finished.set();
    }
    /// `await q.join()`: blocks until every item put has been marked done.
    Coro<void> join() const { return detail::queue::join<T>(s_); }

    /// CPython's str(): `<Queue maxsize=1 _queue=[1] _putters[1] tasks=1>` (T needs py_repr).
    std::string repr() const { return "<Queue " + s_->format() + ">"; }

    /// Identity (Python's `is`): true when both are copies of one queue.
    friend bool operator==(const Queue& a, const Queue& b) noexcept { return a.s_ == b.s_; }

private:
    std::shared_ptr<detail::QueueState<T>> s_;
};

}  // namespace corosim
