// corpus.hpp: the regression corpus (issue 11), like Hypothesis's example database: every
// distinct failure a campaign found (scenario and failure signature) kept as a small text file
// holding the run that reproduces it (its shrunk run when there is one), which `fuzz --corpus
// DIR` re-runs before any new seed. A fixed bug that comes back fails at once, whatever seeds
// the new campaign draws; an entry that passes again stays, as the bug can come back.
//
// An entry, DIR/SCENARIO-HASH.repro (HASH from the scenario and signature), one `key: value` a
// line, `#` comments allowed:
//   scenario: planted_double_release
//   signature: fail: check failed: every acquire is released exactly once
//   seed: 5
//   policy: replay
//   param: cancel_ms=0
//   param: work_ms=0
//   choices: 1
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "corosim/checker/runner.hpp"
#include "corosim/scenarios/registry.hpp"

namespace corosim::checker {

/// One corpus entry: the run to re-run and the failure it was kept for.
struct CorpusEntry {
    std::string path;       ///< the file it came from (or goes to)
    RunSpec spec;           ///< complete parameters, a policy that replays `choices` (or fifo)
    std::string signature;  ///< failure_signature() of the failure it reproduced
};

/// The entries of `dir` (its *.repro files, by name), each validated as strictly as `replay`
/// validates a stored run: known scenario, every parameter present and in range, a known
/// policy, numbers that parse. A missing directory is an empty corpus. Throws
/// std::invalid_argument naming the file and what is wrong.
std::vector<CorpusEntry> load_corpus(const std::string& dir, const scenarios::Registry& registry);

/// The entry's text (what load_corpus reads back).
std::string corpus_entry_text(const CorpusEntry& entry);

/// The file `dir` keeps the failure (scenario, signature) in.
std::string corpus_entry_path(const std::string& dir, const std::string& scenario, const std::string& signature);

/// The shard of `count` that re-runs `entry`: fixed by its scenario and signature, so shards that
/// read the corpus at different moments (a shard may add entries while another starts) still
/// split it without gaps.
std::uint32_t corpus_shard(const CorpusEntry& entry, std::uint32_t count);

/// Writes `entry` to corpus_entry_path(dir, ...) unless that file exists (creating `dir`);
/// written to a temporary file of its own and renamed, so a killed campaign leaves no half entry
/// and shards writing to one shared corpus do not collide. Returns
/// whether it was added; throws std::runtime_error naming the file when it cannot write it.
bool add_to_corpus(const std::string& dir, CorpusEntry entry);

}  // namespace corosim::checker
