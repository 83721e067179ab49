// EventLoop::after_timers (loop.hpp): what a timer defers runs once every
// timer due in the same pass has run, in call order. Daemon::tick defers
// its probe this way, so 1,000 checks due together are all ticked on time
// before the first probe starts (a fresh process snapshot starts a probe
// at once).
#include <gtest/gtest.h>

#include <string>

#include "supervise/loop.hpp"

using namespace hc;
using namespace hc::supervise;

TEST(EventLoop, DeferredWorkRunsAfterEveryDueTimer) {
    EventLoop loop;
    std::string order;
    const auto due = Clock::now();
    for (char name : {'a', 'b', 'c'})
        loop.at(due, [&, name] {
            order += name;
            loop.after_timers([&, name] {
                order += static_cast<char>(name - 'a' + 'A');
                if (name == 'c') loop.after_timers([&] { order += '!'; });  // deferred from deferred work
            });
        });
    loop.after_ms(50, [&] {
        order += '|';
        loop.stop();
    });
    loop.run();
    EXPECT_EQ(order, "abcABC!|");
}

TEST(EventLoop, WorkDeferredOutsideAPassDoesNotWaitForTheNextTimer) {
    EventLoop loop;
    bool ran = false;
    loop.after_timers([&] {
        ran = true;
        loop.stop();
    });
    const auto start = Clock::now();
    loop.after_ms(30000, [&] { loop.stop(); });  // the test fails by timing out here, not by hanging
    loop.run();
    EXPECT_TRUE(ran);
    EXPECT_LT(Clock::now() - start, std::chrono::seconds(15));
}
