// bench_scale.hpp: the workload size every benchmark scales by COROSIM_BENCH_SCALE.
#pragma once

#include <cstdint>
#include <cstdlib>

namespace corosim {

/// `n` times $COROSIM_BENCH_SCALE (1 when unset), rounded, at least 1: the smoke tests run the
/// benchmarks at a fraction of their size.
inline std::int64_t scaled(std::int64_t n) {
    const char* env = std::getenv("COROSIM_BENCH_SCALE");
    const double scale = env ? std::atof(env) : 1.0;
    const auto v = static_cast<std::int64_t>(static_cast<double>(n) * scale + 0.5);
    return v < 1 ? 1 : v;
}

}  // namespace corosim
