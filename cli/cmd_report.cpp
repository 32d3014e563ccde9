#include <fstream>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "corosim/reports/html.hpp"
#include "corosim/reports/junit.hpp"
#include "corosim/reports/markdown.hpp"

namespace corosim::cli {

namespace {
struct ReportOptions {
    std::string db;
    std::string out;
    std::string format = "md";
    std::int64_t campaign = 0;
};

int run_report(const ReportOptions& opt) {
    if (opt.format != "md" && opt.format != "junit" && opt.format != "html") {
        throw UsageError("--format takes 'md', 'junit' or 'html', got '" + opt.format + "'");
    }
    checker::Store store(opt.db, /*create=*/false);
    const std::string text = opt.format == "junit"  ? reports::junit_xml(store, opt.db, opt.campaign)
                             : opt.format == "html" ? reports::html_report(store, opt.db, opt.campaign)
                                                    : reports::markdown_summary(store, opt.db, opt.campaign);
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
    auto* sub = app.add_subcommand("report", "Summarise a store: Markdown (a CI job summary), JUnit XML or a self-contained HTML page");
    sub->add_option("--db", opt->db, "Trace database")->required()->check(CLI::ExistingFile);
    sub->add_option("--campaign", opt->campaign, "Only this campaign (default: all)");
    sub->add_option("--format", opt->format, "md (default), junit or html");
    sub->add_option("-o,--out", opt->out, "Write the report to this file instead of stdout");
    return {sub, [opt] { return run_report(*opt); }};
}

}  // namespace corosim::cli
