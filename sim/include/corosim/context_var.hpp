// context_var.hpp: contextvars for tasks (python/cpython Lib/contextvars, asyncio tasks.py
// Task.__init__'s copy_context()). A Context is a mutable holder of an immutable mapping; a task
// gets a copy of the creating code's context at creation (or the Context passed to
// create_task, shared, so its writes show through it), so tasks are isolated from each other.
// A call_soon/call_later/call_at callback runs in a copy of the context it was scheduled in
// (asyncio.Handle's _context); code outside tasks and callbacks sees the loop's root context.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "corosim/exceptions.hpp"
#include "corosim/repr.hpp"

namespace corosim {

namespace detail {
/// One Context's current mapping; replaced (never mutated) on every set.
struct ContextData {
    std::shared_ptr<const std::map<const void*, std::shared_ptr<const void>>> values =
        std::make_shared<const std::map<const void*, std::shared_ptr<const void>>>();
};
/// The context the running code sees: the current task's, the running callback's, or the
/// loop's root context.
ContextData& current_context();
/// The same context, shared (a Token keeps the context it was made in alive).
const std::shared_ptr<ContextData>& current_context_ptr();
/// A new context holding `from`'s mapping (copy_context), allocated from the frame pool:
/// every task and every scheduled callback makes one.
std::shared_ptr<ContextData> copy_context_data(const ContextData& from);
}  // namespace detail

template <class T>
class ContextVar;

/// contextvars.Context: a handle; copies share one context.
class Context {
public:
    /// An empty context.
    Context() : d_(std::make_shared<detail::ContextData>()) {}
    /// A handle on existing context data (a task's or the loop's context).
    explicit Context(std::shared_ptr<detail::ContextData> d) : d_(std::move(d)) {}
    /// `ctx[var]`: the value, or KeyError.
    template <class T>
    T operator[](const ContextVar<T>& var) const {
        auto it = d_->values->find(&var);
        if (it == d_->values->end()) {
            // KeyError(var): the argument is the variable, shown by its repr, unquoted.
            KeyError e(var.repr());
            e.set_arg_repr(var.repr());
            throw e;
        }
        return *static_cast<const T*>(it->second.get());
    }
    /// The shared data (create_task takes it).
    const std::shared_ptr<detail::ContextData>& data() const noexcept { return d_; }

private:
    std::shared_ptr<detail::ContextData> d_;
};

/// contextvars.copy_context(): a new Context with the current mapping.
inline Context copy_context() { return Context(std::make_shared<detail::ContextData>(detail::current_context())); }

/// contextvars.Token: what set() returns, for reset(). It holds a strong reference to the
/// context it was made in (Python/context.c tok_ctx), so that context's address cannot be reused
/// by another one while the token lives.
template <class T>
struct ContextToken {
    const ContextVar<T>* var;  ///< `Token.var`: the variable set() was called on
    std::shared_ptr<detail::ContextData> context;  ///< the context set() ran in; reset() must run there
    std::optional<T> old_value;  ///< none: Token.MISSING
    /// Set by reset(); a second reset() raises RuntimeError. Shared by copies of the token.
    std::shared_ptr<bool> used = std::make_shared<bool>(false);

    /// `<Token used var=<ContextVar name='c'>>` (Python/context.c token_repr; the address
    /// CPython shows is left out, as the conformance traces strip it).
    std::string repr() const {
        std::string out = "<Token";
        if (*used) out += " used";
        return out + " var=" + var->repr() + ">";
    }
};

/// contextvars.ContextVar<T>. Keep variables alive as long as any context refers to them
/// (globals or statics, as Python modules do).
template <class T>
class ContextVar {
public:
    /// `ContextVar(name, default=...)`; no default: get() without a value raises LookupError.
    explicit ContextVar(std::string name, std::optional<T> default_value = std::nullopt)
        : name_(std::move(name)), default_(std::move(default_value)) {}
    ContextVar(const ContextVar&) = delete;
    ContextVar& operator=(const ContextVar&) = delete;

    /// var.get(): the current value, else the default, else LookupError(var).
    T get() const {
        if (auto v = lookup()) return *v;
        if (default_) return *default_;
        LookupError e;
        e.set_arg_repr(repr());
        throw e;
    }
    /// var.get(fallback).
    T get(T fallback) const {
        if (auto v = lookup()) return *v;
        return fallback;
    }
    /// var.set(value) in the current context; returns the token reset() takes.
    ContextToken<T> set(T value) const {
        const std::shared_ptr<detail::ContextData>& ctx_ptr = detail::current_context_ptr();
        detail::ContextData& ctx = *ctx_ptr;
        ContextToken<T> token{this, ctx_ptr, lookup(), std::make_shared<bool>(false)};
        auto next = std::make_shared<std::map<const void*, std::shared_ptr<const void>>>(*ctx.values);
        (*next)[this] = std::make_shared<const T>(std::move(value));
        ctx.values = std::move(next);
        return token;
    }
    /// var.reset(token): restores the value before set(); RuntimeError when used twice,
    /// ValueError for another variable's token or another context's.
    void reset(const ContextToken<T>& token) const {
        // Python/context.c contextvar_reset: "%R has already been used once" etc., %R being
        // the token's repr.
        if (*token.used) throw RuntimeError(token.repr() + " has already been used once");
        if (token.var != this) throw ValueError(token.repr() + " was created by a different ContextVar");
        detail::ContextData& ctx = detail::current_context();
        if (token.context.get() != &ctx) throw ValueError(token.repr() + " was created in a different Context");
        auto next = std::make_shared<std::map<const void*, std::shared_ptr<const void>>>(*ctx.values);
        if (token.old_value) {
            (*next)[this] = std::make_shared<const T>(*token.old_value);
        } else {
            next->erase(this);
        }
        ctx.values = std::move(next);
        *token.used = true;
    }
    /// `<ContextVar name='var' default='dflt'>` (the address CPython shows is left out).
    std::string repr() const {
        std::string out = "<ContextVar name=" + py_str_repr(name_);
        if (default_) out += " default=" + py_repr(*default_);
        return out + ">";
    }
    /// `var.name`.
    const std::string& name() const noexcept { return name_; }

private:
    std::optional<T> lookup() const {
        const detail::ContextData& ctx = detail::current_context();
        auto it = ctx.values->find(this);
        if (it == ctx.values->end()) return std::nullopt;
        return *static_cast<const T*>(it->second.get());
    }
    std::string name_;
    std::optional<T> default_;
};

}  // namespace corosim
