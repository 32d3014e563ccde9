// store_sqlite.cpp: the only file that includes sqlite3.h.
#include <pthread.h>
#include <sqlite3.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <algorithm>
#include <map>
#include <stdexcept>
#include <vector>
#include <ctime>

#include "corosim/checker/store.hpp"
#include "corosim/checker/wire.hpp"
#include "corosim/scenarios/scenario.hpp"

namespace corosim::checker {

namespace {

constexpr int kSchemaVersion = 3;
constexpr int kBusyTimeout = 60'000;  // ms a writer waits for another

constexpr const char* kSchema = R"sql(
CREATE TABLE campaigns(
  id INTEGER PRIMARY KEY,
  command TEXT NOT NULL,
  harness_version TEXT NOT NULL,
  started TEXT NOT NULL,
  options TEXT,
  progress TEXT);
CREATE TABLE runs(
  id INTEGER PRIMARY KEY,
  campaign INTEGER REFERENCES campaigns(id),
  scenario TEXT NOT NULL,
  params TEXT NOT NULL,
  policy TEXT NOT NULL,
  seed INTEGER NOT NULL,
  choices BLOB NOT NULL,
  outcome TEXT NOT NULL,
  message TEXT NOT NULL,
  steps INTEGER NOT NULL,
  vtime_ns INTEGER NOT NULL,
  trace_hash TEXT NOT NULL,
  parent INTEGER REFERENCES runs(id),
  harness_version TEXT NOT NULL,
  has_events INTEGER NOT NULL,
  python TEXT NOT NULL DEFAULT '3.12');
CREATE INDEX runs_scenario ON runs(scenario, outcome);
CREATE TABLE events(
  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  seq INTEGER NOT NULL,
  vtime_ns INTEGER NOT NULL,
  task INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  a INTEGER NOT NULL,
  b INTEGER NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY(run, seq)) WITHOUT ROWID;
CREATE TABLE violations(
  run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  message TEXT NOT NULL);
)sql";

// One line naming the store file: a busy store says so (another process held it for a minute).
// Connections this process opened, and (in a forked child) those it inherited. SQLite forbids
// carrying a connection across fork(): a child that used the parent's handle could write through
// its file locks and WAL index. Workers are forked with no transaction open (isolation checks
// it), and a child that reaches for an inherited connection gets a logic_error, not a write.
std::vector<sqlite3*>& open_connections() {
    static std::vector<sqlite3*> open;
    return open;
}
std::vector<sqlite3*>& inherited_connections() {
    static std::vector<sqlite3*> inherited;
    return inherited;
}
void mark_inherited_in_child() {
    inherited_connections() = std::move(open_connections());
    open_connections().clear();
}
void register_connection(sqlite3* db) {
    static const bool hooked = [] { return ::pthread_atfork(nullptr, nullptr, &mark_inherited_in_child) == 0; }();
    (void)hooked;
    open_connections().push_back(db);
}
void unregister_connection(sqlite3* db) noexcept { std::erase(open_connections(), db); }
bool inherited(sqlite3* db) noexcept {
    const auto& in = inherited_connections();
    return !in.empty() && std::find(in.begin(), in.end(), db) != in.end();
}
void refuse_inherited(sqlite3* db) {
    if (inherited(db)) throw std::logic_error("a store connection was used in a forked child");
}

StoreError store_error(sqlite3* db) {
    const char* file = sqlite3_db_filename(db, "main");
    const std::string name = file && *file ? file : "?";
    const int rc = sqlite3_errcode(db) & 0xff;
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
        return StoreError("store '" + name + "' stayed locked by another process for " +
                          std::to_string(kBusyTimeout / 1000) + " s");
    }
    return StoreError("store '" + name + "': " + sqlite3_errmsg(db));
}

class Stmt {
public:
    Stmt(sqlite3* db, const char* sql) {
        refuse_inherited(db);
        if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) != SQLITE_OK) throw store_error(db);
    }
    ~Stmt() { sqlite3_finalize(s_); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;
    Stmt& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(s_, i, v);
        return *this;
    }
    Stmt& bind(int i, const std::string& v) {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    /// Binds without copying: `v` must outlive the next step().
    Stmt& bind_static(int i, const std::string& v) {
        sqlite3_bind_text(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
        return *this;
    }
    Stmt& blob(int i, const std::string& v) {
        sqlite3_bind_blob(s_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    /// Steps once: true when a row is available.
    bool step() {
        const int rc = sqlite3_step(s_);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw store_error(sqlite3_db_handle(s_));
    }
    void reset() {
        sqlite3_reset(s_);
        sqlite3_clear_bindings(s_);
    }
    std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
    std::string text(int c) const {
        const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string();
    }
    std::string bytes(int c) const {
        const auto* p = static_cast<const char*>(sqlite3_column_blob(s_, c));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string();
    }

private:
    sqlite3_stmt* s_ = nullptr;
};

std::string now_utc() {
    const std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

}  // namespace

struct Store::Impl {
    sqlite3* db = nullptr;
    std::string path;
    int version = kSchemaVersion;  // a read-only version-2 store has no runs.python: 3.12

    void exec(const char* sql) {
        refuse_inherited(db);
        if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) throw store_error(db);
    }
};

namespace {
// The schema in a fresh file beside `path`, linked into place only when complete: a second
// process creating the same store at the same time finds either nothing or a whole store.
void create_store(const std::string& path) {
    const std::string tmp = path + ".new-" + std::to_string(::getpid());
    ::unlink(tmp.c_str());
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(tmp.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
    std::string error;
    if (rc != SQLITE_OK) {
        error = db ? sqlite3_errmsg(db) : "out of memory";
    } else {
        const std::string sql = std::string("PRAGMA journal_mode=WAL; BEGIN; ") + kSchema +
                                "PRAGMA user_version=" + std::to_string(kSchemaVersion) + "; COMMIT;";
        char* err = nullptr;
        if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
            error = err ? err : "unknown error";
            sqlite3_free(err);
        }
    }
    sqlite3_close(db);
    if (error.empty() && ::link(tmp.c_str(), path.c_str()) != 0 && errno != EEXIST) {
        // No hard links here (some network file systems): move it unless someone was first.
        struct stat st {};
        if (::stat(path.c_str(), &st) != 0 && ::rename(tmp.c_str(), path.c_str()) != 0) error = std::strerror(errno);
    }
    ::unlink(tmp.c_str());
    if (!error.empty()) throw StoreError("cannot create store '" + path + "': " + error);
}
}  // namespace

Store::Store(const std::string& path, Mode mode) : impl_(std::make_unique<Impl>()) {
    impl_->path = path;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        if (mode != Mode::kCreate) throw StoreError("no store '" + path + "'");
        create_store(path);
    } else if (S_ISREG(st.st_mode) && st.st_size == 0) {
        throw StoreError("'" + path + "' is an empty file, not a corosim store");
    }
    const bool read_only = mode == Mode::kReadOnly;
    const auto open = [&](const std::string& name, int flags) {
        if (sqlite3_open_v2(name.c_str(), &impl_->db, flags, nullptr) != SQLITE_OK) {
            const std::string msg = impl_->db ? sqlite3_errmsg(impl_->db) : "out of memory";
            sqlite3_close(impl_->db);  // never registered
            impl_->db = nullptr;
            throw StoreError("cannot open store '" + path + "': " + msg);
        }
        sqlite3_busy_timeout(impl_->db, kBusyTimeout);
        register_connection(impl_->db);
    };
    open(path, read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE);
    try {
        // Statements are scoped: an unfinished one holds a read transaction, and WAL mode
        // cannot be entered inside a transaction.
        const auto scalar = [this](const char* sql) {
            Stmt s(impl_->db, sql);
            s.step();
            return s.i64(0);
        };
        std::int64_t v = 0;
        try {
            v = scalar("PRAGMA user_version");
        } catch (const StoreError&) {
            const int rc = sqlite3_errcode(impl_->db) & 0xff;
            if (!read_only || (rc != SQLITE_CANTOPEN && rc != SQLITE_READONLY)) throw;
            // A WAL store on a read-only mount: no -shm can be made, so read it as immutable
            // (nobody can be writing it).
            unregister_connection(impl_->db);
            sqlite3_close(impl_->db);
            impl_->db = nullptr;
            char* uri = sqlite3_mprintf("file:%q?immutable=1", path.c_str());
            const std::string name = uri ? uri : "";
            sqlite3_free(uri);
            open(name, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI);
            v = scalar("PRAGMA user_version");
        }
        if (v > kSchemaVersion) {
            throw StoreError("store '" + path + "' has schema version " + std::to_string(v) +
                             ", newer than this corosim (" + std::to_string(kSchemaVersion) + ")");
        }
        if (v == 0) throw StoreError("'" + path + "' is an SQLite file but not a corosim store");
        {
            Stmt check(impl_->db, "PRAGMA quick_check");
            check.step();
            const std::string verdict = check.text(0);
            if (verdict != "ok") throw StoreError("store '" + path + "' is damaged (quick_check: " + verdict + ")");
        }
        impl_->version = static_cast<int>(v);
        if (read_only) return;
        if (v == 1) {
            // Version 2 keeps each fuzz campaign's options and progress (fuzz --resume).
            impl_->exec("BEGIN IMMEDIATE");
            if (scalar("PRAGMA user_version") == 1) {
                impl_->exec("ALTER TABLE campaigns ADD COLUMN options TEXT");
                impl_->exec("ALTER TABLE campaigns ADD COLUMN progress TEXT");
                impl_->exec("PRAGMA user_version=2");
            }
            impl_->exec("COMMIT");
        }
        if (v <= 2) {
            // Version 3 records each run's Python version (--python); older runs were 3.12's.
            impl_->exec("BEGIN IMMEDIATE");
            if (scalar("PRAGMA user_version") == 2) {
                impl_->exec("ALTER TABLE runs ADD COLUMN python TEXT NOT NULL DEFAULT '3.12'");
                impl_->exec("PRAGMA user_version=3");
            }
            impl_->exec("COMMIT");
            impl_->version = kSchemaVersion;
        }
        // Foreign keys are declared for readers and tools; the store writes consistent ids by
        // construction, and enforcing them costs a lookup per event row.
        impl_->exec("PRAGMA foreign_keys=OFF");
        // WAL with synchronous=NORMAL is durable across application crashes (only an OS crash
        // can lose the last transactions), and it makes batch commits cheap.
        impl_->exec("PRAGMA synchronous=NORMAL");
    } catch (const StoreError& e) {
        unregister_connection(impl_->db);
        sqlite3_close(impl_->db);
        impl_->db = nullptr;
        const std::string what = e.what();
        if (what.find("file is not a database") != std::string::npos) {
            throw StoreError("'" + path + "' is not a corosim store (not an SQLite database)");
        }
        throw;
    }
}

Store::~Store() {
    if (!impl_ || !impl_->db) return;
    // An inherited connection is the parent's: closing it here would release the parent's locks.
    if (inherited(impl_->db)) return;
    unregister_connection(impl_->db);
    sqlite3_close(impl_->db);
}

void Store::begin() { impl_->exec("BEGIN IMMEDIATE"); }
void Store::commit() { impl_->exec("COMMIT"); }
bool Store::in_transaction() const { return sqlite3_get_autocommit(impl_->db) == 0; }

bool Store::transaction_open_anywhere() noexcept {
    const auto& open = open_connections();
    return std::any_of(open.begin(), open.end(), [](sqlite3* db) { return sqlite3_get_autocommit(db) == 0; });
}

std::int64_t Store::begin_campaign(const std::string& command, const std::string& options) {
    Stmt s(impl_->db, "INSERT INTO campaigns(command, harness_version, started, options) VALUES(?,?,?,?)");
    s.bind(1, command).bind(2, std::string(harness_version())).bind(3, now_utc());
    if (!options.empty()) s.bind(4, options);
    s.step();
    return sqlite3_last_insert_rowid(impl_->db);
}

void Store::save_progress(std::int64_t id, const std::string& progress) {
    Stmt s(impl_->db, "UPDATE campaigns SET progress=? WHERE id=?");
    s.bind(1, progress).bind(2, id);
    s.step();
}

namespace {
StoredCampaign read_campaign(const Stmt& s) {
    return {s.i64(0), s.text(1), s.text(2), s.text(3), s.text(4)};
}
}  // namespace

std::optional<StoredCampaign> Store::campaign(std::int64_t id) {
    Stmt s(impl_->db, "SELECT id, command, started, coalesce(options, ''), coalesce(progress, '') FROM campaigns WHERE id=?");
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_campaign(s);
}

std::optional<StoredCampaign> Store::latest_fuzz_campaign() {
    Stmt s(impl_->db,
           "SELECT id, command, started, options, coalesce(progress, '') FROM campaigns WHERE options IS NOT NULL "
           "ORDER BY id DESC LIMIT 1");
    if (!s.step()) return std::nullopt;
    return read_campaign(s);
}

std::vector<StoredEvent> stored_events(const Trace& trace) {
    std::vector<StoredEvent> out;
    out.reserve(trace.events().size());
    std::int64_t seq = 0;
    for (const Event& e : trace.events()) {
        out.push_back({seq++, e.vtime, e.task, static_cast<std::uint16_t>(e.kind), e.a, e.b, trace.str(e.name),
                       trace.str(e.str)});
    }
    return out;
}

std::string encode_choices(const std::vector<std::uint32_t>& choices) {
    std::string out;
    for (std::uint32_t c : choices) {
        do {
            unsigned char byte = c & 0x7f;
            c >>= 7;
            if (c != 0) byte |= 0x80;
            out += static_cast<char>(byte);
        } while (c != 0);
    }
    return out;
}

std::vector<std::uint32_t> decode_choices(const std::string& blob) {
    std::vector<std::uint32_t> out;
    std::uint32_t value = 0;
    int shift = 0;
    for (const char ch : blob) {
        const auto byte = static_cast<unsigned char>(ch);
        // A choice is 32 bits: the fifth byte holds its top four, and nothing follows it.
        if (shift > 28 || (shift == 28 && byte > 0x0f)) throw StoreError("store: malformed choice sequence");
        value |= static_cast<std::uint32_t>(byte & 0x7f) << shift;
        if (byte & 0x80) {
            shift += 7;
        } else {
            out.push_back(value);
            value = 0;
            shift = 0;
        }
    }
    if (shift != 0) throw StoreError("store: truncated choice sequence");
    return out;
}

std::int64_t Store::add_run(std::int64_t campaign, const RunSpec& spec, const RunResult& result, bool with_events,
                            std::int64_t parent) {
    return add_report(campaign, spec, make_report(result, with_events), parent);
}

std::int64_t Store::add_report(std::int64_t campaign, const RunSpec& spec, const RunReport& report, std::int64_t parent) {
    Stmt s(impl_->db,
           "INSERT INTO runs(campaign, scenario, params, policy, seed, choices, outcome, message, steps, vtime_ns, "
           "trace_hash, parent, harness_version, has_events, python) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
    s.bind(15, std::string(python_version_name(spec.python)));
    s.bind(1, campaign)
        .bind(2, spec.scenario)
        .bind(3, scenarios::params_json(spec.params))
        .bind(4, spec.policy)
        .bind(5, static_cast<std::int64_t>(spec.seed))
        .blob(6, encode_choices(report.choices))
        .bind(7, report.outcome)
        .bind(8, report.message)
        .bind(9, static_cast<std::int64_t>(report.steps))
        .bind(10, report.vtime)
        .bind(11, hash_hex(report.trace_hash))
        .bind(13, std::string(harness_version()))
        .bind(14, report.has_events ? 1 : 0);
    if (parent != 0) s.bind(12, parent);
    s.step();
    const std::int64_t id = sqlite3_last_insert_rowid(impl_->db);
    if (report.has_events) {
        Stmt ev(impl_->db, "INSERT INTO events(run, seq, vtime_ns, task, kind, a, b, name, text) VALUES(?,?,?,?,?,?,?,?,?)");
        for (const StoredEvent& e : report.events) {
            ev.bind(1, id).bind(2, e.seq).bind(3, e.vtime).bind(4, e.task).bind(5, e.kind).bind(6, e.a).bind(7, e.b);
            ev.bind_static(8, e.name).bind_static(9, e.text);
            ev.step();
            ev.reset();
        }
    }
    if (report.outcome != "pass") {
        Stmt v(impl_->db, "INSERT INTO violations(run, message) VALUES(?,?)");
        v.bind(1, id).bind(2, report.message);
        v.step();
    }
    return id;
}

namespace {
constexpr const char* kRunColumns =
    "id, campaign, scenario, params, policy, seed, choices, outcome, message, steps, vtime_ns, trace_hash, "
    "coalesce(parent, 0), harness_version, has_events";
// The runs.python column, or 3.12 for a store from before it (read-only, so not migrated).
std::string run_columns(int version) {
    return std::string(kRunColumns) + (version >= 3 ? ", python" : ", '3.12'");
}

StoredRun read_run(const Stmt& s) {
    StoredRun r;
    r.id = s.i64(0);
    r.campaign = s.i64(1);
    r.spec.scenario = s.text(2);
    try {
        r.spec.params = scenarios::parse_params_json(s.text(3));
    } catch (const std::invalid_argument& e) {
        throw StoreError(std::string("store: run ") + std::to_string(r.id) + ": " + e.what());
    }
    r.spec.policy = s.text(4);
    r.spec.seed = static_cast<std::uint64_t>(s.i64(5));
    r.spec.choices = decode_choices(s.bytes(6));
    r.outcome = s.text(7);
    r.message = s.text(8);
    r.steps = static_cast<std::uint64_t>(s.i64(9));
    r.vtime = s.i64(10);
    r.trace_hash = s.text(11);
    r.parent = s.i64(12);
    r.harness_version = s.text(13);
    r.has_events = s.i64(14) != 0;
    const std::string python = s.text(15);
    const std::optional<PythonVersion> v = parse_python_version(python);
    if (!v) throw StoreError("store: run " + std::to_string(r.id) + ": unknown Python version '" + python + "'");
    r.spec.python = *v;
    return r;
}
}  // namespace

std::optional<StoredRun> Store::run(std::int64_t id) {
    Stmt s(impl_->db, ("SELECT " + run_columns(impl_->version) + " FROM runs WHERE id=?").c_str());
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    return read_run(s);
}

std::vector<StoredEvent> Store::events(std::int64_t id) {
    Stmt s(impl_->db, "SELECT seq, vtime_ns, task, kind, a, b, name, text FROM events WHERE run=? ORDER BY seq");
    s.bind(1, id);
    std::vector<StoredEvent> out;
    while (s.step()) {
        out.push_back({s.i64(0), s.i64(1), static_cast<std::uint32_t>(s.i64(2)), static_cast<std::uint16_t>(s.i64(3)),
                       s.i64(4), s.i64(5), s.text(6), s.text(7)});
    }
    return out;
}

std::vector<std::int64_t> Store::run_ids() {
    Stmt s(impl_->db, "SELECT id FROM runs ORDER BY id");
    std::vector<std::int64_t> out;
    while (s.step()) out.push_back(s.i64(0));
    return out;
}

std::vector<ScenarioSummary> Store::summary(std::int64_t campaign) {
    Stmt s(impl_->db,
           "SELECT scenario, count(*), sum(outcome != 'pass'), count(DISTINCT trace_hash), "
           "(SELECT group_concat(policy, ',') FROM (SELECT DISTINCT policy FROM runs r2 "
           "  WHERE r2.scenario = runs.scenario AND (?1 = 0 OR r2.campaign = ?1) ORDER BY policy)) "
           "FROM runs WHERE (?1 = 0 OR campaign = ?1) GROUP BY scenario ORDER BY scenario");
    s.bind(1, campaign);
    std::vector<ScenarioSummary> out;
    while (s.step()) out.push_back({s.text(0), s.i64(1), s.i64(2), s.i64(3), s.text(4)});
    return out;
}

std::pair<std::int64_t, std::int64_t> Store::merge_from(const std::string& path) {
    int src_version = 0;
    {
        Store check(path, Mode::kReadOnly);  // validates the schema and refuses foreign or damaged files
        src_version = check.impl_->version;
    }
    Stmt attach(impl_->db, "ATTACH DATABASE ? AS src");
    attach.bind(1, path);
    attach.step();
    std::int64_t copied = 0;
    std::int64_t skipped = 0;
    try {
        impl_->exec("BEGIN IMMEDIATE");
        std::map<std::int64_t, std::int64_t> campaigns;
        {
            Stmt src(impl_->db, "SELECT id, command, harness_version, started FROM src.campaigns ORDER BY id");
            Stmt ins(impl_->db, "INSERT INTO campaigns(command, harness_version, started) VALUES(?,?,?)");
            while (src.step()) {
                ins.bind(1, src.text(1)).bind(2, src.text(2)).bind(3, src.text(3));
                ins.step();
                ins.reset();
                campaigns[src.i64(0)] = sqlite3_last_insert_rowid(impl_->db);
            }
        }
        std::map<std::int64_t, std::int64_t> runs;
        Stmt src(impl_->db,
                 (std::string("SELECT id, campaign, scenario, params, policy, seed, choices, outcome, message, steps, "
                              "vtime_ns, trace_hash, parent, harness_version, has_events, ") +
                  (src_version >= 3 ? "python" : "'3.12'") + " FROM src.runs ORDER BY id")
                     .c_str());
        Stmt find(impl_->db,
                  "SELECT id FROM runs WHERE scenario=? AND params=? AND policy=? AND seed=? AND choices=? AND trace_hash=? "
                  "AND python=?");
        Stmt ins(impl_->db,
                 "INSERT INTO runs(campaign, scenario, params, policy, seed, choices, outcome, message, steps, vtime_ns, "
                 "trace_hash, parent, harness_version, has_events, python) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
        Stmt events(impl_->db,
                    "INSERT INTO events(run, seq, vtime_ns, task, kind, a, b, name, text) "
                    "SELECT ?, seq, vtime_ns, task, kind, a, b, name, text FROM src.events WHERE run=?");
        Stmt violations(impl_->db, "INSERT INTO violations(run, message) SELECT ?, message FROM src.violations WHERE run=?");
        while (src.step()) {
            find.bind(1, src.text(2)).bind(2, src.text(3)).bind(3, src.text(4)).bind(4, src.i64(5)).blob(5, src.bytes(6));
            find.bind(6, src.text(11)).bind(7, src.text(15));
            const bool exists = find.step();
            const std::int64_t existing = exists ? find.i64(0) : 0;
            find.reset();
            if (exists) {
                runs[src.i64(0)] = existing;
                ++skipped;
                continue;
            }
            ins.bind(1, campaigns[src.i64(1)]).bind(2, src.text(2)).bind(3, src.text(3)).bind(4, src.text(4));
            ins.bind(5, src.i64(5)).blob(6, src.bytes(6)).bind(7, src.text(7)).bind(8, src.text(8)).bind(9, src.i64(9));
            ins.bind(10, src.i64(10)).bind(11, src.text(11)).bind(13, src.text(13)).bind(14, src.i64(14));
            ins.bind(15, src.text(15));
            if (auto it = runs.find(src.i64(12)); it != runs.end()) ins.bind(12, it->second);
            ins.step();
            ins.reset();
            const std::int64_t id = sqlite3_last_insert_rowid(impl_->db);
            runs[src.i64(0)] = id;
            events.bind(1, id).bind(2, src.i64(0));
            events.step();
            events.reset();
            violations.bind(1, id).bind(2, src.i64(0));
            violations.step();
            violations.reset();
            ++copied;
        }
        impl_->exec("COMMIT");
    } catch (...) {
        sqlite3_exec(impl_->db, "ROLLBACK", nullptr, nullptr, nullptr);
        sqlite3_exec(impl_->db, "DETACH DATABASE src", nullptr, nullptr, nullptr);
        throw;
    }
    impl_->exec("DETACH DATABASE src");
    return {copied, skipped};
}

std::vector<StoredRun> Store::failures(std::int64_t campaign) {
    Stmt s(impl_->db, ("SELECT " + run_columns(impl_->version) +
                       " FROM runs WHERE outcome != 'pass' AND (?1 = 0 OR campaign = ?1) ORDER BY id")
                          .c_str());
    s.bind(1, campaign);
    std::vector<StoredRun> out;
    while (s.step()) out.push_back(read_run(s));
    return out;
}

}  // namespace corosim::checker
