// The conveniences of the public API (issue 14): delays as std::chrono durations, doubles in
// trace(), and `using namespace corosim;` next to POSIX <unistd.h>. Expected float reprs are
// CPython 3.12.1's: `python3 -c "print(repr(0.1), repr(1/3), repr(1e16), ...)"`.
#include <gtest/gtest.h>
#include <unistd.h>  // POSIX ::sleep(unsigned), as many user programs pull in

#include <chrono>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "corosim/corosim.hpp"

using namespace corosim;  // what a user file writes: sleep(0) must still mean corosim::sleep
using namespace std::chrono_literals;

static_assert(std::is_same_v<decltype(sleep(0)), SleepAwaiter>, "sleep(0) is corosim's, not POSIX's");
static_assert(std::is_same_v<decltype(sleep(seconds(1))), SleepAwaiter>);
static_assert(std::is_same_v<decltype(sleep(20ms)), SleepAwaiter>);

static_assert(Duration(20ms).count() == 20'000'000);
static_assert(Duration(std::chrono::microseconds(3)).count() == 3'000);
static_assert(Duration(seconds(2)).count() == 2'000'000'000);
static_assert(Duration(std::chrono::duration<double>(0.25)).count() == 250'000'000);
// 0.3 is 0.299999999999999988898 as a double: rounded, not truncated, to nanoseconds.
static_assert(Duration(std::chrono::duration<double>(0.3)).count() == 300'000'000);
static_assert(Duration(std::chrono::duration<double, std::milli>(1.5)).count() == 1'500'000);
static_assert(!std::is_convertible_v<std::string, Duration>);

namespace {

TEST(ApiTest, FloatsTraceAsPythonReprs) {
    EXPECT_EQ(py_repr(0.1), "0.1");
    EXPECT_EQ(py_repr(0.5), "0.5");
    EXPECT_EQ(py_repr(1.0 / 3.0), "0.3333333333333333");
    EXPECT_EQ(py_repr(1e16), "1e+16");
    EXPECT_EQ(py_repr(123456789.0), "123456789.0");
    EXPECT_EQ(py_repr(2.5e-05), "2.5e-05");
    EXPECT_EQ(py_repr(-0.0), "-0.0");
    EXPECT_EQ(py_repr(100.0), "100.0");
    EXPECT_EQ(py_repr(0.1F), "0.10000000149011612");  // a float32 0.1 widened, as Python sees it
    EXPECT_EQ(py_repr(std::vector<double>{0.25, 1.0}), "[0.25, 1.0]");
    EXPECT_EQ(trace_text(0.1), "0.1");
}

Coro<void> traced_double() {
    trace("t", {{"ratio", 0.5}, {"third", 1.0 / 3.0}});
    co_return;
}

TEST(ApiTest, TraceTakesADouble) {
    const RunResult r = run([] { return traced_double(); });
    EXPECT_EQ(r.outcome, Outcome::kPass) << r.message;
    EXPECT_NE(r.trace.render_all(false).find("t ratio=0.5 third=0.3333333333333333"), std::string::npos)
        << r.trace.render_all(false);
}

Coro<void> long_sleep() { co_await sleep(1s); }

Coro<void> chrono_delays(std::vector<Nanos>* at) {
    co_await sleep(20ms);
    at->push_back(running_loop().time());
    co_await sleep(std::chrono::duration<double>(0.3));
    at->push_back(running_loop().time());
    co_await sleep(millis(5));
    at->push_back(running_loop().time());
    try {
        co_await wait_for(long_sleep(), 10ms);
    } catch (const TimeoutError&) {
        at->push_back(running_loop().time());
    }
    auto fired = std::make_shared<Nanos>(-1);
    running_loop().call_later(5ms, [fired] { *fired = running_loop().time(); });
    blocking(2ms);  // the clock moves without yielding
    at->push_back(running_loop().time());
    co_await sleep(10ms);
    at->push_back(*fired);
}

TEST(ApiTest, DelaysTakeChronoDurations) {
    std::vector<Nanos> at;
    const RunResult r = run([&at] { return chrono_delays(&at); });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    // 20 ms; +300 ms; +5 ms; wait_for's 10 ms; blocking's 2 ms; the call_later 5 ms after 335 ms.
    EXPECT_EQ(at, (std::vector<Nanos>{millis(20), millis(320), millis(325), millis(335), millis(337), millis(340)}));
}

}  // namespace
