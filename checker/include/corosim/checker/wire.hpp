// wire.hpp: the byte encoding of a run's result, as a fuzz worker process sends it to the
// parent (isolation.hpp). Little-endian fixed-width integers and length-prefixed strings.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "corosim/checker/store.hpp"

namespace corosim::checker {

/// What a worker reports for one run: everything the store needs.
struct RunReport {
    std::string outcome = "pass";  ///< outcome_name(), or "crash"
    std::string message;                 ///< why it did not pass ("" when it did)
    std::uint64_t steps = 0;             ///< callbacks run
    Nanos vtime = 0;                     ///< virtual time at the end
    std::uint64_t trace_hash = 0;        ///< RunResult::trace_hash
    std::vector<std::uint32_t> choices;  ///< the choice sequence (replay input)
    std::vector<StoredEvent> events;  ///< empty unless kept
    bool has_events = false;             ///< events were kept for this run (`events` may still be empty)
};

/// Encodes a spec (scenario, params, policy, seed, choices), appending to `out`.
void encode_spec(const RunSpec& spec, std::string& out);
/// Decodes encode_spec's output starting at `pos` (advanced past it).
RunSpec decode_spec(std::string_view bytes, std::size_t& pos);

/// The report of an in-process run.
RunReport make_report(const RunResult& r, bool keep_events);

/// Encodes `r` (appending to `out`).
void encode_report(const RunReport& r, std::string& out);
/// Decodes one report starting at `pos` (advanced past it); throws std::runtime_error on
/// malformed input.
RunReport decode_report(std::string_view bytes, std::size_t& pos);
/// Decodes a buffer holding exactly one report.
RunReport decode_report(std::string_view bytes);

}  // namespace corosim::checker
