// rng.hpp: the run's only source of randomness (DESIGN 7.1). xoshiro256** seeded through
// SplitMix64, with our own bounded draw, so the same seed gives the same numbers on every
// standard library (std distributions are implementation-defined).
#pragma once

#include <cstdint>

namespace corosim {

/// A seeded xoshiro256** generator; copyable, no global state.
class Rng {
public:
    /// Seeds the four state words from `seed` through SplitMix64.
    explicit Rng(std::uint64_t seed) noexcept {
        for (auto& word : s_) word = splitmix64(seed);
    }

    /// The next 64 random bits.
    std::uint64_t next() noexcept {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    /// A uniform integer in [0, bound); bound must be > 0. Rejection sampling keeps it unbiased.
    std::uint64_t below(std::uint64_t bound) noexcept {
        const std::uint64_t threshold = (0 - bound) % bound;  // 2^64 mod bound
        for (;;) {
            const std::uint64_t r = next();
            if (r >= threshold) return r % bound;
        }
    }

    /// True with probability per_million / 1'000'000: an integer threshold, never a double (DESIGN 7.6).
    bool chance(std::uint32_t per_million) noexcept { return below(1'000'000) < per_million; }

    /// One SplitMix64 step; also used to derive independent seeds.
    static std::uint64_t splitmix64(std::uint64_t& x) noexcept {
        std::uint64_t z = (x += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
    std::uint64_t s_[4];
};

}  // namespace corosim
