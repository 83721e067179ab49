// Memory use: rss from /proc/PID/status, pss/uss from smaps_rollup.
#include <cerrno>
#include <charconv>

#include "proc/proc.hpp"
#include "util/file.hpp"

namespace hc::proc {

namespace {

constexpr size_t kStatusCap = 64 * 1024;        // ~1.5 KB in practice
constexpr size_t kRollupCap = 64 * 1024;        // ~1 KB in practice
constexpr size_t kSmapsCap = 64 * 1024 * 1024;  // old-kernel fallback, ~1 KB per mapping

// Calls fn(key, value) for every "Key:   123 kB" line; the value is the
// text after the colon, trimmed.
template <class Fn>
void for_each_line(std::string_view text, Fn fn) {
    while (!text.empty()) {
        const size_t nl = text.find('\n');
        const std::string_view line = text.substr(0, nl);
        text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view value = line.substr(colon + 1);
        while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
        fn(line.substr(0, colon), value);
    }
}

// "123 kB" -> 123. The kernel always says kB for these keys.
bool parse_kb(std::string_view value, uint64_t& out) {
    auto r = std::from_chars(value.data(), value.data() + value.size(), out);
    if (r.ec != std::errc() || r.ptr == value.data()) return false;
    const std::string_view unit(r.ptr, static_cast<size_t>(value.data() + value.size() - r.ptr));
    return unit == " kB" || unit == " kB\r";
}

// Sum without wrapping: a hostile fixture must not overflow into a small
// number.
bool add_kb(std::string_view value, uint64_t& total) {
    uint64_t v = 0;
    if (!parse_kb(value, v)) return false;
    total = (UINT64_MAX - total < v) ? UINT64_MAX : total + v;
    return true;
}

double to_mb(uint64_t kb) { return static_cast<double>(kb) / 1024.0; }

Result<std::string> read_proc(pid_t pid, const char* file, size_t cap, int* e) {
    return read_file("/proc/" + std::to_string(pid) + "/" + file, cap, {}, e);
}

Result<Smaps> read_smaps(pid_t pid) {
    int e = 0;
    Result<std::string> text = read_proc(pid, "smaps_rollup", kRollupCap, &e);
    // Kernels before 4.14 lack the rollup: sum the per-mapping file.
    if (!text && e == ENOENT && process_alive(pid)) text = read_proc(pid, "smaps", kSmapsCap, &e);
    if (!text) {
        if (e == ENOENT || e == ESRCH) return err("no such process " + std::to_string(pid));
        return err(text.error());
    }
    return parse_smaps_rollup(*text);
}

}  // namespace

const char* mem_kind_name(MemKind kind) {
    switch (kind) {
        case MemKind::Rss: return "rss";
        case MemKind::Pss: return "pss";
        case MemKind::Uss: return "uss";
    }
    return "?";
}

Result<uint64_t> parse_status_rss_kb(std::string_view text) {
    bool found = false, bad = false;
    uint64_t kb = 0;
    for_each_line(text, [&](std::string_view key, std::string_view value) {
        if (key != "VmRSS" || found) return;
        found = true;
        bad = !parse_kb(value, kb);
    });
    if (!found) return err("no VmRSS in /proc status (zombie or kernel thread?)");
    if (bad) return err("malformed VmRSS in /proc status");
    return kb;
}

Result<Smaps> parse_smaps_rollup(std::string_view text) {
    Smaps s;
    bool has_pss = false, bad = false;
    for_each_line(text, [&](std::string_view key, std::string_view value) {
        uint64_t* slot = nullptr;
        if (key == "Rss")
            slot = &s.rss_kb;
        else if (key == "Pss")
            slot = &s.pss_kb, has_pss = true;
        else if (key == "Private_Clean")
            slot = &s.private_clean_kb;
        else if (key == "Private_Dirty")
            slot = &s.private_dirty_kb;
        else if (key == "Private_Hugetlb")
            slot = &s.private_hugetlb_kb;
        if (slot && !add_kb(value, *slot)) bad = true;
    });
    if (bad) return err("malformed smaps line");
    if (!has_pss) return err("no Pss in smaps (zombie or kernel thread?)");
    return s;
}

Result<double> read_mem_mb(pid_t pid, MemKind kind) {
    if (pid <= 0) return err("no such process " + std::to_string(pid));
    if (kind == MemKind::Rss) {
        int e = 0;
        Result<std::string> text = read_proc(pid, "status", kStatusCap, &e);
        if (!text) {
            if (e == ENOENT || e == ESRCH) return err("no such process " + std::to_string(pid));
            return err(text.error());
        }
        Result<uint64_t> kb = parse_status_rss_kb(*text);
        if (!kb) return err(kb.error());
        return to_mb(*kb);
    }
    Result<Smaps> s = read_smaps(pid);
    if (!s) return err(s.error());
    return to_mb(kind == MemKind::Pss ? s->pss_kb : s->uss_kb());
}

}  // namespace hc::proc
