#include "container/state_machine.hpp"

namespace hc::container {

Decision decide(Stored previous, bool passed, const std::string& name) {
    const std::string n = "[" + name + "]";
    switch (previous) {
        case Stored::Missing: return passed ? Decision{2, 0, n + "已启动,运行正常"} : Decision{1, 10, n + "正在启动"};
        case Stored::Starting: return passed ? Decision{2, 0, n + "已启动完毕,运行正常"} : Decision{1, 11, ""};
        case Stored::Passing: return passed ? Decision{2, 0, ""} : Decision{3, 12, n + "出现异常,无法访问"};
        case Stored::Failing:
            // The original sends this notice although its README says none.
            return passed ? Decision{4, 0, n + "已经恢复,运行正常"} : Decision{3, 13, n + "出现异常,仍未恢复"};
        case Stored::Recovered: return passed ? Decision{4, 0, ""} : Decision{3, 14, n + "无法访问,很不稳定"};
        case Stored::Garbled: break;
    }
    // A garbled file is repaired as if it were missing, without a notice.
    return passed ? Decision{2, 15, ""} : Decision{1, 20, ""};
}

}  // namespace hc::container
