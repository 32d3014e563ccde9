#include "corosim/observe.hpp"

#include "corosim/loop.hpp"

namespace corosim {

void trace(std::string_view kind, std::initializer_list<Field> fields) {
    Loop* loop = Loop::current();
    if (loop == nullptr) return;
    std::string text(kind);
    for (const Field& f : fields) {
        text += ' ';
        text += f.key;
        text += '=';
        text += f.text;
    }
    loop->line(text);
}

void check(bool cond, std::string_view message) {
    if (cond) return;
    Loop* loop = Loop::current();
    if (loop == nullptr) return;
    loop->line("check.failed message=" + std::string(message));
    loop->add_violation(std::string(message));
}

}  // namespace corosim
