#include "bank.hpp"

#include <corosim/corosim.hpp>
#include <memory>
#include <vector>

using namespace corosim;

namespace {

struct Bank {
    std::int64_t a = 100;
    std::int64_t b = 100;
    Lock lock;
};

Coro<void> move_money(std::shared_ptr<Bank> bank, std::int64_t amount) {
    co_await bank->lock.acquire();
    const std::int64_t from = bank->a;
    co_await sleep(0);  // the lock makes this await safe
    bank->a = from - amount;
    bank->b += amount;
    bank->lock.release();
}

// The bug: the read and the write of `a` are split by an await with no lock held.
Coro<void> move_money_unlocked(std::shared_ptr<Bank> bank, std::int64_t amount) {
    const std::int64_t from = bank->a;
    co_await sleep(0);
    bank->a = from - amount;
    bank->b += amount;
}

Coro<void> teller(std::shared_ptr<Bank> bank, std::int64_t transfers, bool locked) {
    for (std::int64_t i = 0; i < transfers; ++i) {
        Coro<void> t = locked ? move_money(bank, 1) : move_money_unlocked(bank, 1);
        co_await std::move(t);
    }
}

Coro<void> bank_transfers(std::int64_t tellers, std::int64_t transfers, bool locked) {
    auto bank = std::make_shared<Bank>();
    std::vector<Task<void>> tasks;
    for (std::int64_t i = 0; i < tellers; ++i) tasks.push_back(create_task(teller(bank, transfers, locked)));
    for (auto& t : tasks) co_await t;
    trace("balances", {{"a", bank->a}, {"b", bank->b}});
    check(bank->a + bank->b == 200, "money is conserved");
}

}  // namespace

scenarios::Scenario bank_scenario() {
    return {"bank_transfers", "example", "tellers move money between two accounts under a Lock",
            {{"tellers", 1, 8, 3, "concurrent tellers"}, {"transfers", 1, 20, 5, "transfers per teller"}},
            [](const scenarios::ScenarioArgs& c) { return bank_transfers(c.get("tellers"), c.get("transfers"), true); }};
}

scenarios::Scenario bank_unlocked_scenario() {
    return {"bank_unlocked", "example", "BUG: tellers move money without the Lock; some schedules lose an update",
            {{"tellers", 1, 8, 2, "concurrent tellers"}, {"transfers", 1, 20, 2, "transfers per teller"}},
            [](const scenarios::ScenarioArgs& c) { return bank_transfers(c.get("tellers"), c.get("transfers"), false); }};
}
