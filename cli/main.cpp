// main.cpp: parse, dispatch to the parsed subcommand, map errors to exit codes (DESIGN 6).
#include <iostream>
#include <vector>

#include "commands.hpp"
#include "corosim/checker/repro.hpp"
#include "corosim/checker/runner.hpp"
#include "corosim/checker/store.hpp"

int main(int argc, char** argv) {
    using namespace corosim::cli;
    // Repro lines name the binary as the user invoked it: a user's `my_sim` prints `my_sim`.
    if (argc > 0) corosim::checker::set_program_name(argv[0]);
    CLI::App app{"corosim: deterministic simulation testing of asyncio-style coroutine code"};
    app.set_version_flag("--version", std::string("corosim ") + corosim::checker::harness_version());
    app.require_subcommand(1);
    const std::vector<Command> commands{add_list(app), add_run(app), add_replay(app), add_fuzz(app), add_report(app), add_merge(app),
                                        add_export(app), add_explore(app)};
    const auto known = [&app](const std::string& name) {
        for (const CLI::App* sub : app.get_subcommands({})) {
            if (sub->get_name() == name) return true;
        }
        return false;
    };
    if (argc > 1 && argv[1][0] != '-' && !known(argv[1])) {
        std::cerr << "corosim: unknown command '" << terminal_text(argv[1])
                  << "' (list, run, fuzz, replay, explore, report, merge, export)\n";
        return kExitUsage;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        if (e.get_exit_code() == 0) return app.exit(e);  // --help, --version
        std::cerr << "corosim: " << terminal_text(e.what()) << "\n";
        return kExitUsage;
    }
    try {
        for (const Command& c : commands) {
            if (c.app->parsed()) return c.run();
        }
        return kExitUsage;
    } catch (const UsageError& e) {
        std::cerr << "corosim: " << terminal_text(e.what()) << "\n";
        return kExitUsage;
    } catch (const corosim::checker::StoreError& e) {
        std::cerr << "corosim: " << terminal_text(e.what()) << "\n";
        return kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "corosim: internal error: " << terminal_text(e.what()) << "\n";
        return kExitInternal;
    }
}
