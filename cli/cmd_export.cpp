#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/checker/replay.hpp"
#include "corosim/reports/chrome.hpp"

namespace corosim::cli {

namespace {
struct ExportOptions {
    std::string db;
    std::int64_t run = 0;
    std::string format = "chrome";
    std::string out;
};

int run_export(const ExportOptions& opt) {
    if (opt.format != "chrome") throw UsageError("--format takes 'chrome', got '" + opt.format + "'");
    checker::Store store(opt.db, checker::Store::kReadOnly);
    const auto stored = store.run(opt.run);
    if (!stored) throw UsageError("no run " + std::to_string(opt.run) + " in '" + opt.db + "'");
    std::vector<checker::StoredEvent> events = store.events(opt.run);
    if (events.empty()) {
        // Passing runs are stored without events (unless --record all): re-run it for them.
        if (stored->outcome == "crash" || stored->outcome == "hang" || stored->outcome == "oom") {
            throw UsageError("run " + std::to_string(opt.run) + " ended with " + stored->outcome + " and has no events");
        }
        const auto report = checker::replay(find_scenario(stored->spec.scenario), *stored, {});
        if (!report.ended.empty()) throw UsageError("run " + std::to_string(opt.run) + ": " + report.why);
        events = report.result.events;
    }
    const std::string text = reports::chrome_trace(*stored, events);
    if (opt.out.empty() || opt.out == "-") {
        std::cout << text;
        return kExitOk;
    }
    std::ofstream f(opt.out);
    f << text;
    if (!f) throw UsageError("cannot write '" + opt.out + "'");
    std::cerr << "trace of run " << opt.run << " written to " << opt.out << "\n";
    return kExitOk;
}
}  // namespace

Command add_export(CLI::App& app) {
    auto opt = std::make_shared<ExportOptions>();
    auto* sub = app.add_subcommand("export", "Write a stored run's trace for a viewer (Chrome trace-event JSON)");
    sub->add_option("--db", opt->db, "Trace database")->required()->check(CLI::ExistingFile);
    sub->add_option("--run", opt->run, "Run id")->required();
    sub->add_option("--format", opt->format, "chrome (trace-event JSON for Perfetto / chrome://tracing)");
    sub->add_option("-o,--out", opt->out, "Output file (default: stdout)");
    return {sub, [opt] { return run_export(*opt); }};
}

}  // namespace corosim::cli
