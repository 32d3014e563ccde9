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
    std::string campaign;
    bool fail_on_failures = false;
};

// With --fail-on-failures: 1 when a reported campaign has a failing run, as `fuzz` exits, so a
// script that merges shards ends with the campaign's status.
int status(checker::Store& store, std::int64_t campaign, bool fail_on_failures) {
    if (!fail_on_failures) return kExitOk;
    for (const auto& s : store.summary(campaign))
        if (s.failures > 0) return kExitFailures;
    return kExitOk;
}

int run_report(const ReportOptions& opt) {
    if (opt.format != "md" && opt.format != "junit" && opt.format != "html") {
        throw UsageError("--format takes 'md', 'junit' or 'html', got '" + opt.format + "'");
    }
    const auto campaign =
        opt.campaign.empty() ? std::int64_t{0} : static_cast<std::int64_t>(parse_u64("--campaign", opt.campaign, 1));
    std::ofstream f;
    if (!opt.out.empty()) {
        f.open(opt.out);
        if (!f) throw UsageError("cannot write report '" + opt.out + "'");
    }
    checker::Store store(opt.db, checker::Store::kReadOnly);
    if (campaign != 0 && !store.campaign(campaign)) {
        throw UsageError("no campaign " + opt.campaign + " in '" + opt.db + "'");
    }
    const std::string text = opt.format == "junit"  ? reports::junit_xml(store, opt.db, campaign)
                             : opt.format == "html" ? reports::html_report(store, opt.db, campaign)
                                                    : reports::markdown_summary(store, opt.db, campaign);
    if (opt.out.empty()) {
        std::cout << text;
        return status(store, campaign, opt.fail_on_failures);
    }
    f << text;
    f.close();
    if (!f) throw UsageError("cannot write report '" + opt.out + "'");
    std::cout << "report written to " << opt.out << "\n";
    return status(store, campaign, opt.fail_on_failures);
}
}  // namespace

Command add_report(CLI::App& app) {
    auto opt = std::make_shared<ReportOptions>();
    auto* sub = app.add_subcommand("report", "Summarise a store: Markdown (a CI job summary), JUnit XML or a self-contained HTML page");
    sub->add_option("--db", opt->db, "Trace database")->required()->check(CLI::ExistingFile);
    sub->add_option("--campaign", opt->campaign, "Only this campaign (default: all)");
    sub->add_option("--format", opt->format, "md (default), junit or html");
    sub->add_option("-o,--out", opt->out, "Write the report to this file instead of stdout");
    sub->add_flag("--fail-on-failures", opt->fail_on_failures, "Exit 1 when a reported campaign has a failing run");
    return {sub, [opt] { return run_report(*opt); }};
}

}  // namespace corosim::cli
