#include "corosim/checker/corpus.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "corosim/checker/replay.hpp"
#include "corosim/checker/repro.hpp"
#include "corosim/scheduler/policies.hpp"

namespace corosim::checker {

namespace fs = std::filesystem;

namespace {
template <typename T>
T parse_number(const std::string& text, const std::string& what) {
    T value{};
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
        throw std::invalid_argument(what + " is not a number: '" + text + "'");
    }
    return value;
}

std::string trim(const std::string& s) {
    const auto a = s.find_first_not_of(" \t\r");
    if (a == std::string::npos) return "";
    return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

CorpusEntry parse_entry(const std::string& path, const scenarios::Registry& registry) {
    std::ifstream in(path);
    if (!in) throw std::invalid_argument("cannot read it");
    CorpusEntry entry;
    entry.path = path;
    std::map<std::string, int> seen;
    std::map<std::string, std::string> param_text;
    std::string line;
    int number = 0;
    while (std::getline(in, line)) {
        ++number;
        const std::string text = trim(line);
        if (text.empty() || text[0] == '#') continue;
        const auto colon = text.find(':');
        if (colon == std::string::npos) throw std::invalid_argument("line " + std::to_string(number) + " is not 'key: value'");
        const std::string key = text.substr(0, colon);
        const std::string value = trim(text.substr(colon + 1));
        if (key != "param" && seen[key]++ > 0) throw std::invalid_argument("'" + key + "' given twice");
        if (key == "scenario") {
            entry.spec.scenario = value;
        } else if (key == "signature") {
            entry.signature = value;
        } else if (key == "seed") {
            entry.spec.seed = parse_number<std::uint64_t>(value, "seed");
        } else if (key == "policy") {
            entry.spec.policy = value;
        } else if (key == "python") {
            const std::optional<PythonVersion> v = parse_python_version(value);
            if (!v) throw std::invalid_argument("python wants 3.11, 3.12 or 3.13, got '" + value + "'");
            entry.spec.python = *v;
        } else if (key == "param") {
            const auto eq = value.find('=');
            if (eq == std::string::npos) throw std::invalid_argument("param wants NAME=VALUE, got '" + value + "'");
            const std::string name = value.substr(0, eq);
            if (entry.spec.params.contains(name)) throw std::invalid_argument("param '" + name + "' given twice");
            entry.spec.params[name] = 0;  // read below, once the scenario (and which are flags) is known
            param_text[name] = value.substr(eq + 1);
        } else if (key == "choices") {
            std::stringstream parts(value);
            std::string part;
            while (std::getline(parts, part, ',')) entry.spec.choices.push_back(parse_number<std::uint32_t>(trim(part), "a choice"));
        } else {
            throw std::invalid_argument("unknown key '" + key + "' on line " + std::to_string(number));
        }
    }
    for (const char* key : {"scenario", "signature", "seed", "policy"}) {
        if (seen[key] == 0) throw std::invalid_argument(std::string("no '") + key + "' line");
    }
    const scenarios::Scenario* scenario = registry.find(entry.spec.scenario);
    if (scenario == nullptr) throw std::invalid_argument("unknown scenario '" + entry.spec.scenario + "'");
    for (const auto& [name, text] : param_text) {
        // Named apart: clang 14 cannot capture a structured binding in a lambda.
        const std::string& key = name;
        const auto spec = std::find_if(scenario->params.begin(), scenario->params.end(),
                                       [&key](const scenarios::ParamSpec& p) { return p.name == key; });
        if (spec != scenario->params.end() && spec->flag) {
            scenario->apply(entry.spec.params, name + "=" + text);  // true, false, 1 or 0, as --param takes it
        } else {
            entry.spec.params[name] = parse_number<std::int64_t>(text, "param '" + name + "'");
        }
    }
    StoredRun as_stored;
    as_stored.spec = entry.spec;
    try {
        validate_stored(*scenario, as_stored);
    } catch (const std::invalid_argument& e) {
        std::string what = e.what();
        // Not a stored run: no id, nothing stored.
        if (what.starts_with("run 0 has bad stored ")) what = "bad " + what.substr(21);
        if (what.starts_with("run 0 has a bad stored ")) what = "a bad " + what.substr(23);
        throw std::invalid_argument(what);
    }
    const sched::PolicySpec policy = sched::parse_policy(entry.spec.policy);
    if (entry.spec.policy != "fifo" && policy.str() != policy.as_replay().str()) {
        throw std::invalid_argument("policy '" + entry.spec.policy + "' does not replay its choices (replay[+...] or fifo)");
    }
    entry.spec.level = TraceLevel::kOff;
    return entry;
}

std::uint64_t fnv1a(const std::string& text) {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (const char c : text) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
    return h;
}
}  // namespace

std::vector<CorpusEntry> load_corpus(const std::string& dir, const scenarios::Registry& registry) {
    std::error_code ec;
    if (!fs::exists(dir, ec)) return {};
    if (!fs::is_directory(dir, ec)) throw std::invalid_argument("corpus '" + dir + "' is not a directory");
    std::vector<std::string> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
        if (e.path().extension() == ".repro") files.push_back(e.path().string());
    }
    if (ec) throw std::invalid_argument("cannot read corpus '" + dir + "': " + ec.message());
    std::sort(files.begin(), files.end());  // directory order is not deterministic
    std::vector<CorpusEntry> entries;
    for (const auto& file : files) {
        try {
            entries.push_back(parse_entry(file, registry));
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument("corpus entry '" + file + "': " + e.what());
        }
    }
    return entries;
}

std::string corpus_entry_text(const CorpusEntry& entry) {
    std::string out = "# A failure a corosim campaign found, re-run first by `fuzz --corpus`. To reproduce:\n# " +
                      repro_command(entry.spec) + "\n";
    out += "scenario: " + entry.spec.scenario + "\n";
    std::string signature = entry.signature;
    std::replace(signature.begin(), signature.end(), '\n', ' ');  // one line, as load_corpus reads it
    out += "signature: " + signature + "\n";
    out += "seed: " + std::to_string(entry.spec.seed) + "\n";
    out += "policy: " + entry.spec.policy + "\n";
    if (entry.spec.python != PythonVersion::k3_12) out += std::string("python: ") + python_version_name(entry.spec.python) + "\n";
    for (const auto& [name, value] : entry.spec.params) out += "param: " + name + "=" + std::to_string(value) + "\n";
    if (entry.spec.policy != "fifo") out += "choices: " + choices_arg(entry.spec.choices) + "\n";
    return out;
}

std::string corpus_entry_path(const std::string& dir, const std::string& scenario, const std::string& signature) {
    char hash[17];
    std::snprintf(hash, sizeof hash, "%016llx", static_cast<unsigned long long>(fnv1a(scenario + "\n" + signature)));
    return (fs::path(dir) / (scenario + "-" + hash + ".repro")).string();
}

std::uint32_t corpus_shard(const CorpusEntry& entry, std::uint32_t count) {
    return static_cast<std::uint32_t>(fnv1a(entry.spec.scenario + "\n" + entry.signature) % count);
}

bool add_to_corpus(const std::string& dir, CorpusEntry entry) {
    entry.path = corpus_entry_path(dir, entry.spec.scenario, entry.signature);
    std::error_code ec;
    if (fs::exists(entry.path, ec)) return false;
    fs::create_directories(dir, ec);
    const std::string tmp = entry.path + "." + std::to_string(::getpid()) + ".tmp";
    {
        std::ofstream out(tmp);
        out << corpus_entry_text(entry);
        out.close();
        if (!out) throw std::runtime_error("cannot write corpus entry '" + entry.path + "'");
    }
    fs::rename(tmp, entry.path, ec);
    if (ec) throw std::runtime_error("cannot write corpus entry '" + entry.path + "': " + ec.message());
    return true;
}

}  // namespace corosim::checker
