#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/checker/store.hpp"
#include "corosim/reports/text.hpp"

namespace corosim::cli {

namespace {
struct MergeOptions {
    std::string out;
    std::vector<std::string> inputs;
};

int run_merge(const MergeOptions& opt) {
    // Every input is checked (a corosim store, intact) before the output is touched.
    for (const auto& in : opt.inputs) {
        if (in == opt.out) throw UsageError("cannot merge '" + in + "' into itself");
        checker::Store check(in, checker::Store::kReadOnly);
    }
    checker::Store out(opt.out);
    for (const auto& in : opt.inputs) {
        const auto [copied, skipped] = out.merge_from(in);
        std::cout << in << ": " << reports::counted(copied, "run") << " copied, " << skipped << " already present\n";
    }
    return kExitOk;
}
}  // namespace

Command add_merge(CLI::App& app) {
    auto opt = std::make_shared<MergeOptions>();
    auto* sub = app.add_subcommand("merge", "Combine stores (e.g. one per shard) into one, without duplicates");
    sub->add_option("out", opt->out, "Store to merge into (created if missing)")->required();
    sub->add_option("inputs", opt->inputs, "Stores to merge from")->required()->check(CLI::ExistingFile);
    return {sub, [opt] { return run_merge(*opt); }};
}

}  // namespace corosim::cli
