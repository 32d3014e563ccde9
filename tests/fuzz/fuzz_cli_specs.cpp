// libFuzzer target: the CLI's value parsers for outside input: `--shard I/N`, durations
// (`--time`, `--timeout`: 60s, 5m, 500ms, 1h), sizes (`--max-memory`: 512M, 2G) and plain
// integers (`--seed`, `--runs`, `--max-steps`). The first byte picks the parser; a bad value is
// a UsageError (exit 2), and a good one must be in the range the parser promises.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "commands.hpp"

using corosim::cli::UsageError;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string text(reinterpret_cast<const char*>(data + 1), size - 1);
    try {
        switch (data[0] % 4) {
            case 0: {
                const auto [i, n] = corosim::cli::parse_shard(text);
                if (n == 0 || i >= n) std::abort();
                break;
            }
            case 1: {
                const std::chrono::milliseconds d = corosim::cli::parse_duration("--time", text);
                if (d.count() <= 0 || d > std::chrono::hours(24 * 366)) std::abort();
                break;
            }
            case 2: {
                if (corosim::cli::parse_megabytes("--max-memory", text) == 0) std::abort();
                break;
            }
            default: {
                if (corosim::cli::parse_u64("--runs", text, 1) < 1) std::abort();
                break;
            }
        }
    } catch (const UsageError&) {
    }
    return 0;
}
