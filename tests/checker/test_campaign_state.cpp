// A campaign row's options and progress JSON, as `fuzz --resume` reads them back: what was
// written reads back equal, and a hand-edited or corrupt row is refused, never converted.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <functional>
#include <stdexcept>
#include <string>

#include "corosim/checker/campaign.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::checker {
namespace {

RC_GTEST_PROP(CampaignRow, ProgressRoundTrips, ()) {
    CampaignProgress p;
    p.round = *rc::gen::arbitrary<std::uint64_t>();
    p.item = *rc::gen::arbitrary<std::uint64_t>();
    p.runs = *rc::gen::arbitrary<std::uint64_t>();
    p.regressions = *rc::gen::arbitrary<std::uint64_t>();
    p.failing_runs = *rc::gen::arbitrary<std::uint64_t>();
    p.elapsed_ms = *rc::gen::arbitrary<std::int64_t>();
    p.done = *rc::gen::arbitrary<bool>();
    const CampaignProgress q = parse_progress(progress_json(p));
    RC_ASSERT(q.round == p.round);
    RC_ASSERT(q.item == p.item);
    RC_ASSERT(q.runs == p.runs);
    RC_ASSERT(q.regressions == p.regressions);
    RC_ASSERT(q.failing_runs == p.failing_runs);
    RC_ASSERT(q.elapsed_ms == p.elapsed_ms);
    RC_ASSERT(q.done == p.done);
}

std::string progress_with_round(const std::string& round) {
    return R"({"done":true,"elapsed_ms":306,"failing_runs":1,"item":0,"round":)" + round + R"(,"runs":20})";
}

TEST(CampaignRow, ProgressAcceptsEveryUint64Round) {
    EXPECT_EQ(parse_progress(progress_with_round("0")).round, 0u);
    EXPECT_EQ(parse_progress(progress_with_round("18446744073709551615")).round, UINT64_MAX);
}

// The input the parser fuzzer found (tests/fuzz/regressions/campaign_row): a float out of
// uint64's range was static_cast by nlohmann's get<>(), undefined behaviour.
TEST(CampaignRow, ProgressRefusesANumberThatIsNotItsIntegerType) {
    for (const char* bad : {"1444444444444444444444", "1.5", "1e3", "-1", "true", "\"3\"", "null", "[]"}) {
        EXPECT_THROW(parse_progress(progress_with_round(bad)), std::invalid_argument) << bad;
    }
    EXPECT_THROW(parse_progress(R"({"done":1,"elapsed_ms":0,"failing_runs":0,"item":0,"round":0,"runs":0})"),
                 std::invalid_argument);
    EXPECT_THROW(parse_progress(R"({"done":true,"elapsed_ms":1e300,"failing_runs":0,"item":0,"round":0,"runs":0})"),
                 std::invalid_argument);
}

std::string refusal(const std::function<void()>& parse) {
    try {
        parse();
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

// A message names the record a bad field is in: the progress is not an option.
TEST(CampaignRow, ARefusedFieldIsNamedAsProgressOptionOrRegressionRun) {
    EXPECT_EQ(refusal([] { parse_progress(progress_with_round("1.5")); }), "stored campaign progress field 'round' is malformed");
    EXPECT_EQ(refusal([] { parse_progress(R"({"done":true,"elapsed_ms":0,"failing_runs":0,"round":0,"runs":0})"); }),
              "stored campaign progress field 'item' is missing");
}

CampaignOptions options_with_regression() {
    const auto& registry = scenarios::builtin_registry();
    CampaignOptions o;
    o.scenarios.push_back(registry.find("planted_double_release"));
    o.policies = {"fifo", "random"};
    o.seed_base = 7;
    o.runs = 100;
    RunSpec r;
    r.scenario = "planted_double_release";
    r.seed = 3;
    r.policy = "random";
    r.params = {{"cancel_ms", 2}, {"work_ms", 3}};
    o.regressions.push_back(r);
    return o;
}

std::string replace(std::string s, const std::string& from, const std::string& to) {
    const auto at = s.find(from);
    EXPECT_NE(at, std::string::npos) << from << " not in " << s;
    if (at != std::string::npos) s.replace(at, from.size(), to);
    return s;
}

TEST(CampaignRow, OptionsRoundTrip) {
    const CampaignOptions o = options_with_regression();
    const CampaignOptions p = parse_campaign_options(campaign_options_json(o), scenarios::builtin_registry());
    EXPECT_EQ(campaign_options_json(p), campaign_options_json(o));
    ASSERT_EQ(p.regressions.size(), 1u);
    EXPECT_EQ(p.regressions[0].params, o.regressions[0].params);
}

// `fuzz --param` pins: stored only when given, read back equal, refused when no scenario of the
// campaign has the parameter or its value is outside the range of one that has.
TEST(CampaignRow, PinnedParametersRoundTripAndAreChecked) {
    const auto& registry = scenarios::builtin_registry();
    EXPECT_EQ(campaign_options_json(options_with_regression()).find("pinned"), std::string::npos);
    CampaignOptions o = options_with_regression();
    o.pinned = {{"work_ms", 4}};
    const std::string good = campaign_options_json(o);
    EXPECT_NE(good.find(R"("pinned":{"work_ms":4})"), std::string::npos) << good;
    EXPECT_EQ(parse_campaign_options(good, registry).pinned, o.pinned);
    for (const char* bad : {R"("pinned":{"work_ms":-1})", R"("pinned":{"nosuch":1})", R"("pinned":{"work_ms":1.5})",
                            R"("pinned":{"work_ms":true})", R"("pinned":[4])"}) {
        EXPECT_THROW(parse_campaign_options(replace(good, R"("pinned":{"work_ms":4})", bad), registry), std::invalid_argument)
            << bad;
    }
}

TEST(CampaignRow, OptionsRefuseValuesOutsideTheirType) {
    const std::string good = campaign_options_json(options_with_regression());
    const auto& registry = scenarios::builtin_registry();
    for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
             {R"("shard_count":1)", R"("shard_count":4294967297)"},   // wraps to 1 as a uint32
             {R"("shard_count":1)", R"("shard_count":1.0)"},
             {R"("runs":100)", R"("runs":-100)"},
             {R"("seed":3)", R"("seed":3e40)"},
             {R"("cancel_ms":2)", R"("cancel_ms":2.5)"},
             {R"("choices":[])", R"("choices":[4294967296])"},
             {R"("choices":[])", R"("choices":[-1])"},
             {R"("choices":[])", R"("choices":["1"])"},
             {R"("policies":["fifo","random"])", R"("policies":["fifo",1])"},
             {R"("record_all":false)", R"("record_all":0)"},
         }) {
        const std::string bad = replace(good, from, to);
        EXPECT_THROW(parse_campaign_options(bad, registry), std::invalid_argument) << bad;
    }
    EXPECT_EQ(refusal([&] { parse_campaign_options(replace(good, R"("runs":100)", R"("runs":-100)"), registry); }),
              "stored campaign option 'runs' is malformed");
    EXPECT_EQ(refusal([&] { parse_campaign_options(replace(good, R"("seed":3)", R"("seed":3e40)"), registry); }),
              "stored regression run field 'seed' is malformed");
    EXPECT_EQ(refusal([&] { parse_campaign_options(replace(good, R"("shard_count":1,)", ""), registry); }),
              "stored campaign option 'shard_count' is missing");
}

}  // namespace
}  // namespace corosim::checker
