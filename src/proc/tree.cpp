// Process trees: a program and its descendants (memmon -c, monit totalmem).
#include <dirent.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "proc/proc.hpp"

namespace hc::proc {

std::vector<pid_t> descendants_of(pid_t root, const std::vector<std::pair<pid_t, pid_t>>& pid_ppid) {
    std::multimap<pid_t, pid_t> children;
    for (const auto& [pid, ppid] : pid_ppid)
        if (pid != ppid) children.emplace(ppid, pid);
    std::vector<pid_t> out{root};
    // Breadth first; `out` doubles as the queue. A pid is taken once, so a
    // pid reused mid-scan can not make a loop.
    for (size_t i = 0; i < out.size() && out.size() < kMaxTree; ++i) {
        auto range = children.equal_range(out[i]);
        for (auto it = range.first; it != range.second && out.size() < kMaxTree; ++it)
            if (std::find(out.begin(), out.end(), it->second) == out.end()) out.push_back(it->second);
    }
    return out;
}

std::vector<pid_t> process_tree(pid_t root) {
    std::vector<std::pair<pid_t, pid_t>> table;
    if (DIR* dir = opendir("/proc")) {
        while (const dirent* ent = readdir(dir)) {
            char* end = nullptr;
            long pid = std::strtol(ent->d_name, &end, 10);
            if (pid <= 0 || pid > kMaxPid || *end != '\0') continue;
            // Processes vanish mid-scan: an unreadable one has no children.
            if (pid_t ppid = read_ppid(static_cast<pid_t>(pid)); ppid > 0)
                table.emplace_back(static_cast<pid_t>(pid), ppid);
        }
        closedir(dir);
    }
    return descendants_of(root, table);
}

Result<TreeMem> read_tree_mem_mb(pid_t root, MemKind kind) {
    TreeMem total;
    for (pid_t pid : process_tree(root)) {
        Result<double> mb = read_mem_mb(pid, kind);
        if (!mb) {
            // The program itself must be readable; a child that exited (or
            // a zombie, which has no memory) since the scan adds nothing.
            if (pid == root) return err(mb.error());
            continue;
        }
        total.mb += *mb;
        ++total.processes;
    }
    return total;
}

}  // namespace hc::proc
