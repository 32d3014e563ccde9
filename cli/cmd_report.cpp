#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/reports/markdown.hpp"

namespace corosim::cli {

namespace {
struct ReportOptions {
    std::string db;
    std::string out;
    std::int64_t campaign = 0;
};

int run_report(const ReportOptions& opt) {
    checker::Store store(opt.db, /*create=*/false);
    const std::string text = reports::markdown_summary(store, opt.db, opt.campaign);
    if (opt.out.empty()) {
        std::cout << text;
        return kExitOk;
    }
    std::ofstream f(opt.out);
    f << text;
    if (!f) throw UsageError("cannot write report '" + opt.out + "'");
    std::cout << "report written to " << opt.out << "\n";
    return kExitOk;
}
}  // namespace

Command add_report(CLI::App& app) {
    auto opt = std::make_shared<ReportOptions>();
    auto* sub = app.add_subcommand("report", "Summarise a store as Markdown");
    sub->add_option("--db", opt->db, "Trace database")->required()->check(CLI::ExistingFile);
    sub->add_option("--campaign", opt->campaign, "Only this campaign (default: all)");
    sub->add_option("--out", opt->out, "Write the report to this file instead of stdout");
    return {sub, [opt] { return run_report(*opt); }};
}

}  // namespace corosim::cli
