#include "corosim/exception_group.hpp"

#include <algorithm>

namespace corosim {

ExceptionGroupBase::ExceptionGroupBase(std::string message, std::vector<std::exception_ptr> exceptions)
    : message_(std::move(message)), exceptions_(std::move(exceptions)) {
    if (exceptions_.empty()) throw ValueError("second argument (exceptions) must be a non-empty sequence");
    for (std::size_t i = 0; i < exceptions_.size(); ++i) {
        if (!exceptions_[i]) {
            throw ValueError("Item " + std::to_string(i) + " of second argument (exceptions) is not an exception");
        }
    }
}

std::string ExceptionGroupBase::group_repr(const char* type) const {
    std::string out = type;
    out += "(" + py_str_repr(message_) + (tuple_ ? ", (" : ", [");
    for (std::size_t i = 0; i < exceptions_.size(); ++i) {
        if (i) out += ", ";
        out += exception_repr(exceptions_[i]);
    }
    if (tuple_ && exceptions_.size() == 1) out += ",";
    return out + (tuple_ ? "))" : "])");
}

BaseExceptionGroup::BaseExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : BaseException(message), ExceptionGroupBase(message, std::move(exceptions)) {}

ExceptionGroup::ExceptionGroup(std::string message, std::vector<std::exception_ptr> exceptions)
    : Exception(message), ExceptionGroupBase(message, std::move(exceptions)) {
    for (const auto& e : this->exceptions()) {
        if (!is_exception(e)) throw TypeError("Cannot nest BaseExceptions in an ExceptionGroup");
    }
}

bool is_exception(const std::exception_ptr& e) {
    if (!e) return false;
    try {
        std::rethrow_exception(e);
    } catch (const Exception&) {
        return true;
    } catch (const BaseException&) {
        return false;
    } catch (...) {
        return true;  // a foreign C++ exception behaves as an ordinary error
    }
}

const ExceptionGroupBase* as_group(const std::exception_ptr& e) {
    if (!e) return nullptr;
    try {
        std::rethrow_exception(e);
    } catch (const ExceptionGroupBase& g) {
        return &g;  // the object lives as long as the exception_ptr does
    } catch (...) {
        return nullptr;
    }
}

BaseException* as_base(const std::exception_ptr& e) {
    if (!e) return nullptr;
    try {
        std::rethrow_exception(e);
    } catch (BaseException& b) {
        return &b;
    } catch (...) {
        return nullptr;
    }
}

bool is_exception_group(const std::exception_ptr& e) { return as_group(e) != nullptr; }

std::exception_ptr make_exception_group(std::string message, std::vector<std::exception_ptr> exceptions) {
    bool all_exceptions = true;
    for (const auto& e : exceptions) all_exceptions = all_exceptions && is_exception(e);
    if (all_exceptions && !exceptions.empty()) {
        return std::make_exception_ptr(ExceptionGroup(std::move(message), std::move(exceptions)));
    }
    return std::make_exception_ptr(BaseExceptionGroup(std::move(message), std::move(exceptions)));
}

std::exception_ptr derive(const std::exception_ptr& eg, std::vector<std::exception_ptr> exceptions) {
    const ExceptionGroupBase* g = as_group(eg);
    if (g == nullptr) throw TypeError("derive() needs an exception group");
    return make_exception_group(g->group_message(), std::move(exceptions));
}

namespace {
// exceptiongroup_subset: derive, then copy the metadata split keeps (E2), __notes__ as a copy of
// its own so that the parts' lists are independent.
std::exception_ptr subset(const std::exception_ptr& orig, std::vector<std::exception_ptr> excs) {
    if (excs.empty()) return nullptr;
    std::exception_ptr part = derive(orig, std::move(excs));
    const BaseException* from = as_base(orig);
    if (BaseException* to = as_base(part); to != nullptr && from != nullptr) {
        to->context = from->context;
        to->cause = from->cause;
        to->suppress_context = true;  // PyException_SetCause always sets it
        to->set_notes(from->notes());
    }
    return part;
}
}  // namespace

std::pair<std::exception_ptr, std::exception_ptr> split(const std::exception_ptr& eg, const ExceptionPredicate& cond) {
    if (cond(eg)) return {eg, nullptr};
    const ExceptionGroupBase* g = as_group(eg);
    if (g == nullptr) return {nullptr, eg};
    std::vector<std::exception_ptr> match;
    std::vector<std::exception_ptr> rest;
    for (const auto& member : g->exceptions()) {
        auto [m, r] = split(member, cond);
        if (m) match.push_back(std::move(m));
        if (r) rest.push_back(std::move(r));
    }
    return {subset(eg, std::move(match)), subset(eg, std::move(rest))};
}

std::exception_ptr subgroup(const std::exception_ptr& eg, const ExceptionPredicate& cond) { return split(eg, cond).first; }

std::vector<std::exception_ptr> leaves(const std::exception_ptr& e) {
    std::vector<std::exception_ptr> out;
    if (const ExceptionGroupBase* g = as_group(e)) {
        for (const auto& member : g->exceptions()) {
            auto sub = leaves(member);
            out.insert(out.end(), sub.begin(), sub.end());
        }
    } else if (e) {
        out.push_back(e);
    }
    return out;
}

}  // namespace corosim

namespace corosim {

StarMatcher::StarMatcher(std::exception_ptr exc) : original_(std::move(exc)) {
    if (!original_) return;
    naked_ = !is_exception_group(original_);
    // A naked exception is matched as ExceptionGroup('', (exc,)) (E5).
    group_ = naked_ ? make_exception_group("", {original_}) : original_;
    if (naked_) {
        try {
            std::rethrow_exception(group_);
        } catch (ExceptionGroupBase& g) {
            g.set_members_are_tuple();  // CPython builds the wrapper from a tuple
        }
    }
    unmatched_ = group_;
}

std::exception_ptr StarMatcher::take(const ExceptionPredicate& cond) {
    if (!unmatched_) return nullptr;
    if (naked_) {
        // exception_group_match: a matching naked exception is handed over as the wrapper itself.
        if (!cond(original_)) return nullptr;
        unmatched_ = nullptr;
        any_matched_ = true;
        return group_;
    }
    auto [match, rest] = split(unmatched_, cond);
    if (!match) return nullptr;
    unmatched_ = std::move(rest);
    any_matched_ = true;
    return match;
}

void StarMatcher::clause_ended(const std::exception_ptr& matched, const std::exception_ptr& raised) {
    if (!raised) return;
    if (raised == matched) {
        // A bare `raise` re-raises the clause's subgroup: its leaves go back into the projection.
        for (auto& leaf : leaves(matched)) reraised_leaves_.push_back(leaf);
        return;
    }
    // A new exception raised inside the clause has the clause's subgroup as its context (E6).
    if (BaseException* b = as_base(raised); b != nullptr && !b->context) b->context = matched;
    raised_.push_back(raised);
}

std::exception_ptr StarMatcher::result() const {
    if (!original_) return nullptr;
    if (naked_) {
        // Only one clause can have run: what it raised, the wrapper it re-raised, or nothing;
        // with no clause matched the naked exception propagates unwrapped (E5).
        if (!any_matched_) return original_;
        if (!raised_.empty()) return raised_.front();
        return reraised_leaves_.empty() ? nullptr : group_;
    }
    std::vector<std::exception_ptr> keep = reraised_leaves_;
    for (auto& leaf : leaves(unmatched_)) keep.push_back(leaf);
    std::exception_ptr reraised;
    if (!keep.empty()) {
        // The re-raised part is a projection of the original group onto the kept leaves.
        reraised = split(group_, [&keep](const std::exception_ptr& e) {
                       for (const auto& k : keep)
                           if (k == e) return true;
                       return false;
                   }).first;
    }
    std::vector<std::exception_ptr> out = raised_;
    if (reraised) out.push_back(reraised);
    if (out.empty()) return nullptr;
    // 3.11.4+: exactly one resulting exception is raised as-is (3.11.2 wrapped a single raised one).
    if (out.size() == 1) return out.front();
    return make_exception_group("", std::move(out));
}

void except_star(const std::exception_ptr& exc, const std::vector<StarClause>& clauses) {
    StarMatcher m(exc);
    for (const StarClause& clause : clauses) {
        std::exception_ptr matched = m.take(clause.match);
        if (!matched) continue;
        std::exception_ptr raised;
        try {
            clause.handler(matched);
        } catch (...) {
            raised = std::current_exception();
        }
        m.clause_ended(matched, raised);
    }
    if (auto out = m.result()) std::rethrow_exception(out);
}

}  // namespace corosim

namespace corosim {

namespace {
// traceback's walk: __cause__ if set, else __context__ unless suppressed; stops at a repeat.
std::string chain_links(const std::exception_ptr& e) {
    std::string out;
    std::vector<const BaseException*> seen;
    const BaseException* cur = as_base(e);
    if (cur != nullptr) seen.push_back(cur);
    while (cur != nullptr) {
        std::exception_ptr next;
        const char* label = nullptr;
        if (cur->cause) {
            next = cur->cause;
            label = "cause";
        } else if (cur->context && !cur->suppress_context) {
            next = cur->context;
            label = "context";
        } else {
            break;
        }
        const BaseException* n = as_base(next);
        if (std::find(seen.begin(), seen.end(), n) != seen.end()) break;
        seen.push_back(n);
        out += std::string(" <-") + label + "- " + exception_repr(next);
        cur = n;
    }
    return out;
}

bool has_member_links(const ExceptionGroupBase& g) {
    for (const auto& m : g.exceptions()) {
        if (!chain_links(m).empty()) return true;
        if (const ExceptionGroupBase* sub = as_group(m); sub != nullptr && has_member_links(*sub)) return true;
    }
    return false;
}

std::string chain_members(const ExceptionGroupBase& g, const std::string& path) {
    if (!has_member_links(g)) return "";
    std::string out;
    for (std::size_t i = 0; i < g.exceptions().size(); ++i) {
        const auto& m = g.exceptions()[i];
        const std::string p = path + std::to_string(i);
        out += " [" + p + "]: " + exception_repr(m) + chain_links(m);
        if (const ExceptionGroupBase* sub = as_group(m)) out += chain_members(*sub, p + ".");
    }
    return out;
}
}  // namespace

std::string chain_repr(const std::exception_ptr& e) {
    std::string out = exception_repr(e) + chain_links(e);
    if (const ExceptionGroupBase* g = as_group(e)) out += chain_members(*g, "");
    return out;
}

}  // namespace corosim
