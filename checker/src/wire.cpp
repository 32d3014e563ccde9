#include "corosim/checker/wire.hpp"

#include <stdexcept>

namespace corosim::checker {

namespace {
void put_u64(std::string& out, std::uint64_t v) {
    char b[8];  // one append, not eight: a worker encodes a report per run
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
    out.append(b, sizeof b);
}
void put_str(std::string& out, std::string_view s) {
    put_u64(out, s.size());
    out.append(s);
}

class Reader {
public:
    Reader(std::string_view b, std::size_t pos) : b_(b), pos_(pos) {}
    std::size_t pos() const { return pos_; }
    std::uint64_t u64() {
        need(8);
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(static_cast<unsigned char>(b_[pos_ + i])) << (8 * i);
        pos_ += 8;
        return v;
    }
    std::string str() {
        const std::uint64_t n = u64();
        need(n);
        std::string s(b_.substr(pos_, n));
        pos_ += n;
        return s;
    }

private:
    void need(std::uint64_t n) const {
        if (pos_ + n > b_.size()) throw std::runtime_error("truncated run report");
    }
    std::string_view b_;
    std::size_t pos_;
};
}  // namespace

RunReport make_report(const RunResult& r, bool keep_events) {
    RunReport rep;
    rep.outcome = outcome_name(r.outcome);
    rep.message = r.message;
    rep.steps = r.steps;
    rep.vtime = r.vtime;
    rep.trace_hash = r.trace_hash;
    rep.choices = r.choices;
    rep.has_events = keep_events;
    if (keep_events) rep.events = stored_events(r.trace);
    return rep;
}

void encode_report(const RunReport& r, std::string& out) {
    put_str(out, r.outcome);
    put_str(out, r.message);
    put_u64(out, r.steps);
    put_u64(out, static_cast<std::uint64_t>(r.vtime));
    put_u64(out, r.trace_hash);
    put_u64(out, r.choices.size());
    for (std::uint32_t c : r.choices) put_u64(out, c);
    put_u64(out, r.has_events ? 1 : 0);
    put_u64(out, r.events.size());
    for (const StoredEvent& e : r.events) {
        put_u64(out, static_cast<std::uint64_t>(e.seq));
        put_u64(out, static_cast<std::uint64_t>(e.vtime));
        put_u64(out, e.task);
        put_u64(out, e.kind);
        put_u64(out, static_cast<std::uint64_t>(e.a));
        put_u64(out, static_cast<std::uint64_t>(e.b));
        put_str(out, e.name);
        put_str(out, e.text);
    }
}

RunReport decode_report(std::string_view bytes) {
    std::size_t pos = 0;
    return decode_report(bytes, pos);
}

void encode_spec(const RunSpec& spec, std::string& out) {
    put_str(out, spec.scenario);
    put_str(out, scenarios::params_json(spec.params));
    put_str(out, spec.policy);
    put_u64(out, spec.seed);
    put_u64(out, spec.choices.size());
    for (std::uint32_t c : spec.choices) put_u64(out, c);
    put_u64(out, static_cast<std::uint64_t>(spec.python));
}

RunSpec decode_spec(std::string_view bytes, std::size_t& pos) {
    Reader in(bytes, pos);
    RunSpec spec;
    spec.scenario = in.str();
    spec.params = scenarios::parse_params_json(in.str());
    spec.policy = in.str();
    spec.seed = in.u64();
    const std::uint64_t n = in.u64();
    if (n > bytes.size()) throw std::runtime_error("malformed spec");
    for (std::uint64_t i = 0; i < n; ++i) spec.choices.push_back(static_cast<std::uint32_t>(in.u64()));
    const std::uint64_t python = in.u64();
    if (python > static_cast<std::uint64_t>(PythonVersion::k3_13)) throw std::runtime_error("malformed spec");
    spec.python = static_cast<PythonVersion>(python);
    pos = in.pos();
    return spec;
}

RunReport decode_report(std::string_view bytes, std::size_t& pos) {
    Reader in(bytes, pos);
    RunReport r;
    r.outcome = in.str();
    r.message = in.str();
    r.steps = in.u64();
    r.vtime = static_cast<Nanos>(in.u64());
    r.trace_hash = in.u64();
    const std::uint64_t nc = in.u64();
    if (nc > bytes.size()) throw std::runtime_error("malformed run report");
    r.choices.reserve(nc);
    for (std::uint64_t i = 0; i < nc; ++i) r.choices.push_back(static_cast<std::uint32_t>(in.u64()));
    r.has_events = in.u64() != 0;
    const std::uint64_t ne = in.u64();
    if (ne > bytes.size()) throw std::runtime_error("malformed run report");
    r.events.reserve(ne);
    for (std::uint64_t i = 0; i < ne; ++i) {
        StoredEvent e;
        e.seq = static_cast<std::int64_t>(in.u64());
        e.vtime = static_cast<Nanos>(in.u64());
        e.task = static_cast<std::uint32_t>(in.u64());
        e.kind = static_cast<std::uint16_t>(in.u64());
        e.a = static_cast<std::int64_t>(in.u64());
        e.b = static_cast<std::int64_t>(in.u64());
        e.name = in.str();
        e.text = in.str();
        r.events.push_back(std::move(e));
    }
    pos = in.pos();
    return r;
}

}  // namespace corosim::checker
