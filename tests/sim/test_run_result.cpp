// run() giving back main's return value as asyncio.run does (SEMANTICS G4): the twin of
// tests/conformance/programs/run_result.py, compared with its CPython golden here because a
// main that returns a value is not a registered scenario.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "corosim/corosim.hpp"
#include "corosim/run_value.hpp"

namespace corosim {
namespace {

std::string golden(const std::string& name) {
    std::ifstream in(std::string(COROSIM_GOLDENS_DIR) + "/" + name + ".trace");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Coro<std::string> child(std::string tag) {
    co_await sleep(millis(500));
    trace("child.done", {{"tag", tag}});
    co_return tag + "-value";
}

Coro<std::string> returns_a_value() {
    const std::string value = co_await create_task(child("a"));
    trace("main.got", {{"value", value}});
    co_return value + "!";
}

TEST(RunResult, RunGivesBackWhatMainReturnedAndTracesItsRepr) {
    const RunValue<std::string> r = run([] { return returns_a_value(); });
    ASSERT_EQ(r.outcome, Outcome::kPass) << r.message;
    ASSERT_TRUE(r.value.has_value());
    EXPECT_EQ(*r.value, "a-value!");
    EXPECT_EQ(r.trace.render_all(false), golden("run_result"));
    EXPECT_EQ(r.frames_created, r.frames_destroyed);
}

Coro<int> fails() {
    co_await sleep(0);
    throw ValueError("no value");
}

TEST(RunResult, NoValueWhenMainRaised) {
    const RunValue<int> r = run([] { return fails(); });
    EXPECT_EQ(r.outcome, Outcome::kError);
    EXPECT_EQ(r.message, "exception escaped main: ValueError('no value')");
    EXPECT_FALSE(r.value.has_value());
}

}  // namespace
}  // namespace corosim
