#include "supervise/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include "net/url.hpp"
#include "notify/robots.hpp"
#include "picojson.h"
#include "util/file.hpp"
#include "util/text.hpp"
#include "yaml/doc.hpp"

namespace hc::supervise {

using yaml::Node;
using yaml::NodePtr;

const char* to_string(CheckType t) {
    switch (t) {
        case CheckType::Http: return "http";
        case CheckType::Tcp: return "tcp";
        case CheckType::Mem: return "mem";
        case CheckType::Cpu: return "cpu";
        case CheckType::Restart: return "restart";
        case CheckType::Events: return "events";
        case CheckType::Exec: return "exec";
        case CheckType::Cert: return "cert";
    }
    return "?";
}

const char* to_string(HttpMethod m) { return m == HttpMethod::Post ? "POST" : "GET"; }

const char* to_string(PidGet t) {
    switch (t) {
        case PidGet::Supervisor: return "supervisor";
        case PidGet::Name: return "name";
        case PidGet::File: return "file";
    }
    return "?";
}

std::string Actions::str() const {
    std::string s;
    auto add = [&](bool on, const char* w) {
        if (!on) return;
        if (!s.empty()) s += ',';
        s += w;
    };
    add(restart, "restart");
    add(exec, "exec");
    add(kill, "kill");
    add(email, "email");
    add(notify, "notify");
    add(wechat, "wechat");
    return s.empty() ? "none" : s;
}

bool MailConfig::operator==(const MailConfig& o) const {
    return host == o.host && port == o.port && user == o.user && pass == o.pass && to_list == o.to_list &&
           tls == o.tls && from == o.from && cafile == o.cafile && insecure == o.insecure &&
           allow_plain_auth == o.allow_plain_auth;
}

bool GlobalConfig::operator==(const GlobalConfig& o) const {
    return supervisord_url == o.supervisord_url && supervisord_user == o.supervisord_user &&
           supervisord_pass == o.supervisord_pass && mail == o.mail && dingtalk == o.dingtalk && wecom == o.wecom &&
           feishu == o.feishu && webhook == o.webhook && wechat == o.wechat;
}

bool CheckConfig::operator==(const CheckConfig& o) const {
    return name == o.name && program == o.program && type == o.type && host == o.host && port == o.port &&
           period_seconds == o.period_seconds && initial_delay_seconds == o.initial_delay_seconds &&
           timeout_seconds == o.timeout_seconds && failure_threshold == o.failure_threshold &&
           success_threshold == o.success_threshold && min_continue_run == o.min_continue_run && actions == o.actions &&
           send_resolved == o.send_resolved && reminder_seconds == o.reminder_seconds &&
           max_restarts == o.max_restarts && restart_window == o.restart_window && proc == o.proc && http == o.http &&
           http_extras == o.http_extras && tls == o.tls && exec == o.exec && events == o.events;
}

namespace {

constexpr int kMaxSeconds = 31622400;     // 366 days
constexpr int kMaxThreshold = 100000000;  // counts
constexpr int kMaxMergeDepth = 8;
// Entries one mapping may pull in through merge keys, counted as they are
// walked (a merged anchor counts again each time it is merged). The YAML
// layer caps the whole document's expanded size; this caps the work of one
// mapping and names its `<<` line. Real configs merge a few dozen keys.
constexpr size_t kMaxMergedEntries = 10000;
// Unknown-key warnings listed (each costs a did-you-mean search); the rest
// are only counted, so a file of a million merged unknown keys stays cheap.
constexpr size_t kMaxUnknownKeyWarnings = 100;

const std::vector<std::string> kConfigKeys = {"supervisordUrl", "supervisordUser", "supervisordPass", "mail",
                                              "dingtalk",       "wecom",           "feishu",          "webhook",
                                              "statusSocket",   "metricsListen",   "wechat"};
const std::vector<std::string> kWechatKeys = {"corpid", "secret", "agentid", "touser", "toparty", "totag", "webhook"};
const std::vector<std::string> kMailKeys = {"host", "port", "user",   "pass",     "to_list",
                                            "tls",  "from", "cafile", "insecure", "allowPlainAuth"};

// Optimal string alignment distance, case-insensitive, inputs capped at 64.
size_t edit_distance(std::string_view a_in, std::string_view b_in) {
    const std::string a = to_lower(a_in.substr(0, 64));
    const std::string b = to_lower(b_in.substr(0, 64));
    const size_t n = a.size(), m = b.size();
    std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1));
    for (size_t i = 0; i <= n; ++i) d[i][0] = i;
    for (size_t j = 0; j <= m; ++j) d[0][j] = j;
    for (size_t i = 1; i <= n; ++i) {
        for (size_t j = 1; j <= m; ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    }
    return d[n][m];
}

std::string suggest(std::string_view key, const std::vector<std::string>& known) {
    size_t best = 3;
    std::string found;
    for (const auto& k : known) {
        size_t dist = edit_distance(key, k);
        if (dist < best) {
            best = dist;
            found = k;
        }
    }
    return found;
}

// Printable, bounded rendering of a user value for messages.
std::string printable(std::string_view v) {
    std::string out;
    size_t n = 0;
    for (unsigned char c : v) {
        if (++n > 80) {
            out += "...";
            break;
        }
        if (c == '"' || c == '\\') {
            out += '\\';
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

std::string show(const Node& n, bool secret) {
    if (secret) return "<hidden>";
    if (!n.is_scalar()) return n.kind_name();
    return "\"" + printable(n.value) + "\"";
}

// A mapping entry as the loader reads it: views into the YAML document,
// which outlives the Loader.
struct Entry {
    std::string_view key;
    int key_line = 0;
    const Node* value = nullptr;
};

// Keys of one mapping seen so far, with their lines: a linear search while
// few (a check has about ten keys: no allocation), a hash map beyond, so a
// hostile mapping of 100,000 keys stays linear.
class KeySet {
public:
    // Nullptr when `key` is new (now inserted), else the line it was first at.
    const int* insert(std::string_view key, int line) {
        if (!big_) {
            for (size_t i = 0; i < n_; ++i)
                if (small_[i].first == key) return &small_[i].second;
            if (n_ < kSmall) {
                small_[n_++] = {key, line};
                return nullptr;
            }
            big_ = std::make_unique<std::unordered_map<std::string_view, int>>(small_, small_ + n_);
        }
        auto [it, added] = big_->emplace(key, line);
        return added ? nullptr : &it->second;
    }

private:
    static constexpr size_t kSmall = 24;
    std::pair<std::string_view, int> small_[kSmall];
    size_t n_ = 0;
    std::unique_ptr<std::unordered_map<std::string_view, int>> big_;
};

}  // namespace

namespace {
constexpr uint32_t kEmptySlot = UINT32_MAX;  // files are at most 4 MiB
}  // namespace

int NameSet::insert(std::string_view name, int line) {
    if ((used_ + 1) * 2 > slots_.size()) grow();
    const size_t i = find(name);
    if (slots_[i] != kEmptySlot) {
        int first = 0;
        std::memcpy(&first, buf_.data() + slots_[i], sizeof first);
        return first;
    }
    slots_[i] = static_cast<uint32_t>(buf_.size());
    const auto len = static_cast<uint32_t>(name.size());
    buf_.append(reinterpret_cast<const char*>(&line), sizeof line);
    buf_.append(reinterpret_cast<const char*>(&len), sizeof len);
    buf_.append(name);
    ++used_;
    return 0;
}

std::string_view NameSet::text(uint32_t off) const {
    uint32_t len = 0;
    std::memcpy(&len, buf_.data() + off + sizeof(int), sizeof len);
    return std::string_view(buf_).substr(off + sizeof(int) + sizeof len, len);
}

size_t NameSet::find(std::string_view key) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = std::hash<std::string_view>()(key) & mask;; i = (i + 1) & mask)
        if (slots_[i] == kEmptySlot || text(slots_[i]) == key) return i;
}

void NameSet::grow() {
    std::vector<uint32_t> old = std::move(slots_);
    slots_.assign(old.empty() ? 64 : old.size() * 2, kEmptySlot);
    for (uint32_t off : old)
        if (off != kEmptySlot) slots_[find(text(off))] = off;
}

namespace {

bool equals_any(std::string_view v, std::initializer_list<const char*> words) {
    for (const char* w : words)
        if (v == w) return true;
    return false;
}

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    return true;
}

class Loader {
public:
    explicit Loader(std::string path) : path_(std::move(path)) {}

    // The messages of the current stage; all_errors()/all_warnings() give
    // every stage's, in the order the stages ran before streaming (see Stage).
    std::vector<std::string> errors, warnings;
    size_t unlisted_unknown_keys = 0;

    // Top-level entries stream in file order, but messages keep the order
    // of the loader that read the whole tree first: the top-level key
    // errors, then the config section's, then the checks' (tidy() sorts by
    // line; equal lines keep this order).
    enum Stage { kTop, kConfig, kChecks, kStages };
    void stage(Stage s) {
        if (s == stage_) return;
        errors.swap(errors_[stage_]);
        warnings.swap(warnings_[stage_]);
        stage_ = s;
        errors.swap(errors_[s]);
        warnings.swap(warnings_[s]);
    }
    std::vector<std::string> all_errors() {
        stage(kTop);
        std::vector<std::string> out = std::move(errors);
        for (int s = kConfig; s < kStages; ++s)
            for (auto& m : errors_[s]) out.push_back(std::move(m));
        return out;
    }
    std::vector<std::string> all_warnings() {
        stage(kTop);
        std::vector<std::string> out = std::move(warnings);
        for (int s = kConfig; s < kStages; ++s) {
            size_t dropped = 0;
            for (size_t i = 0; i < warnings_[s].size(); ++i) {
                if (s == kChecks && dropped < dropped_check_unknown_ && is_dropped(i)) {
                    ++dropped;
                    continue;
                }
                out.push_back(std::move(warnings_[s][i]));
            }
        }
        return out;
    }

    std::string at(int line) const { return path_ + ":" + std::to_string(line) + ": "; }
    void error(int line, const std::string& msg) { errors.push_back(at(line) + msg); }
    void warn(int line, const std::string& msg) { warnings.push_back(at(line) + msg); }
    void bad(const Node& v, const std::string& qual, const std::string& expected, bool secret = false) {
        error(v.line, qual + ": " + expected + ", got " + show(v, secret));
    }

    // Entries of a mapping: explicit keys (duplicates are errors), then keys
    // from merge keys (`<<: *x` or `<<: [*x, *y]`) that are not already set.
    std::vector<Entry> entries(const Node& m, const std::string& qual) {
        std::vector<Entry> out;
        out.reserve(m.entries.size());
        KeySet seen;
        MergeWalk walk;
        collect(m, qual, seen, out, 0, walk);
        return out;
    }

    // The first kMaxUnknownKeyWarnings are listed, the config section's
    // first (as when it was read before the checks): one that comes after
    // the checks' listed ones unlists the last of them.
    void unknown_key(const Entry& e, const std::string& qual, const std::vector<std::string>& known) {
        const bool config = stage_ == kConfig;
        if (config ? config_unknown_ >= kMaxUnknownKeyWarnings
                   : config_unknown_ + check_unknown_.size() >= kMaxUnknownKeyWarnings) {
            ++unlisted_unknown_keys;
            return;
        }
        std::string msg = qual + "." + std::string(e.key) + ": unknown key (ignored)";
        std::string s = suggest(e.key, known);
        if (!s.empty()) msg += ", did you mean " + s + "?";
        warn(e.key_line, msg);
        if (!config) {
            check_unknown_.push_back(warnings.size() - 1);
            return;
        }
        if (++config_unknown_ + check_unknown_.size() > kMaxUnknownKeyWarnings) {
            dropped_.push_back(check_unknown_.back());
            check_unknown_.pop_back();
            ++dropped_check_unknown_;
            ++unlisted_unknown_keys;
        }
    }

    // ---- typed getters: return false when the value is null (= not given)
    //      or invalid (an error was recorded).

    bool get_string(const Entry& e, const std::string& qual, std::string& out, bool secret = false) {
        const Node& v = *e.value;
        if (v.is_null()) return false;
        if (!v.is_scalar()) {
            bad(v, qual, "expected a string", secret);
            return false;
        }
        out = v.value;
        return true;
    }

    bool get_int(const Entry& e, const std::string& qual, int& out, long long min, long long max,
                 const std::string& expected) {
        const Node& v = *e.value;
        if (v.is_null()) return false;
        if (!v.is_scalar()) {
            bad(v, qual, expected);
            return false;
        }
        std::string_view t = trim_view(v.value);
        if (!t.empty() && t[0] == '+') t.remove_prefix(1);
        const bool negative = !t.empty() && t[0] == '-';
        bool digits = !t.empty() && std::all_of(t.begin() + (negative ? 1 : 0), t.end(), [](char c) {
            return c >= '0' && c <= '9';
        }) && t != "-";
        if (!digits || t.size() > 12) {
            bad(v, qual, expected);
            return false;
        }
        long long n = 0;  // at most 12 characters: no overflow
        for (char c : t.substr(negative ? 1 : 0)) n = n * 10 + (c - '0');
        if (negative) n = -n;
        if (n < min || n > max) {
            bad(v, qual, expected);
            return false;
        }
        out = static_cast<int>(n);
        return true;
    }

    bool get_double(const Entry& e, const std::string& qual, double& out, double max, const std::string& expected) {
        const Node& v = *e.value;
        if (v.is_null()) return false;
        if (!v.is_scalar()) {
            bad(v, qual, expected);
            return false;
        }
        std::string t = trim(v.value);
        bool ok = !t.empty() && t.find_first_not_of("+-.0123456789eE") == std::string::npos;
        char* end = nullptr;
        double d = ok ? std::strtod(t.c_str(), &end) : 0;
        if (!ok || end != t.c_str() + t.size() || !std::isfinite(d) || d <= 0 || d > max) {
            bad(v, qual, expected);
            return false;
        }
        out = d;
        return true;
    }

    bool get_bool(const Entry& e, const std::string& qual, bool& out) {
        const Node& v = *e.value;
        if (v.is_null()) return false;
        if (v.is_scalar() && equals_any(v.value, {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"})) {
            out = true;
            return true;
        }
        if (v.is_scalar() && equals_any(v.value, {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"})) {
            out = false;
            return true;
        }
        bad(v, qual, "expected a boolean (true/false, yes/no, on/off)");
        return false;
    }

    // Case-insensitive; returns the index in `allowed` or -1.
    int get_enum(const Entry& e, const std::string& qual, std::initializer_list<const char*> allowed) {
        const Node& v = *e.value;
        if (v.is_null()) return -1;
        if (v.is_scalar()) {
            const std::string_view t = trim_view(v.value);
            int i = 0;
            for (const char* a : allowed) {
                if (iequals(a, t)) return i;
                ++i;
            }
        }
        std::string list;
        for (const char* a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
        bad(v, qual, "expected one of " + list);
        return -1;
    }

    // A string or a list of strings (a single string may be comma separated
    // when split_commas).
    bool get_string_list(const Entry& e, const std::string& qual, std::vector<std::string>& out, bool split_commas) {
        const Node& v = *e.value;
        if (v.is_null()) return false;
        const Node* one = &v;
        yaml::Span<const Node*> items{&one, 1};
        if (v.is_sequence()) {
            items = v.items;
        } else if (!v.is_scalar()) {
            bad(v, qual, "expected a string or a list of strings");
            return false;
        }
        out.clear();
        bool ok = true;
        for (const auto& it : items) {
            if (!it->is_scalar() || it->is_null()) {
                bad(*it, qual, "expected a string or a list of strings");
                ok = false;
                continue;
            }
            if (split_commas) {
                for (std::string& part : split_list(it->value)) out.push_back(std::move(part));
            } else {
                out.push_back(trim(it->value));
            }
        }
        return ok;
    }

    void load_global(const Node& n, GlobalConfig& g);
    void load_mail(const Node& n, MailConfig& m);
    void load_status_socket(const Entry& e, const std::string& qual, std::string& out);
    void load_wechat(const Node& n, WechatConfig& w);
    void load_urls(const Entry& e, const std::string& qual, std::vector<std::string>& out, bool allow_token = false);
    bool load_check(std::string_view key, int line, const Node& n, CheckConfig& c);
    void load_headers(const Entry& e, const std::string& qual, CheckConfig& c);
    void load_actions(const Entry& e, const std::string& qual, CheckConfig& c);

private:
    bool is_dropped(size_t i) const { return std::find(dropped_.begin(), dropped_.end(), i) != dropped_.end(); }

    Stage stage_ = kTop;
    std::vector<std::string> errors_[kStages], warnings_[kStages];
    size_t config_unknown_ = 0;          // listed unknown keys of the config section
    std::vector<size_t> check_unknown_;  // listed unknown keys of checks: indexes in warnings_[kChecks]
    std::vector<size_t> dropped_;        // ... unlisted again by the config section's
    size_t dropped_check_unknown_ = 0;

    struct MergeWalk {
        size_t merged = 0;   // entries walked below depth 0
        int merge_line = 0;  // line of the outermost `<<` being expanded
        bool over = false;
    };

    void collect(const Node& m, const std::string& qual, KeySet& seen, std::vector<Entry>& out, int depth,
                 MergeWalk& walk) {
        KeySet local;                                     // explicit keys of this mapping -> line
        std::vector<std::pair<int, const Node*>> merges;  // `<<` line, value
        for (const auto& kv : m.entries) {
            if (walk.over) return;
            if (depth > 0 && ++walk.merged > kMaxMergedEntries) {
                walk.over = true;
                error(walk.merge_line, qual + ".<<: merge keys expand to more than " +
                                           std::to_string(kMaxMergedEntries) +
                                           " entries (the same anchor merged over and over?)");
                return;
            }
            const Node& k = *kv.first;
            if (!k.is_scalar()) {
                error(k.line, qual + ": mapping keys must be plain strings, got " + k.kind_name());
                continue;
            }
            if (k.plain && k.value == "<<") {
                merges.emplace_back(k.line, kv.second);
                continue;
            }
            if (const int* first = local.insert(k.value, k.line)) {
                error(k.line, qual + "." + std::string(k.value) + ": duplicate key (first at line " +
                                  std::to_string(*first) + ")");
                continue;
            }
            if (!seen.insert(k.value, k.line)) out.push_back(Entry{k.value, k.line, kv.second});
        }
        for (const auto& [merge_line, mv] : merges) {
            if (depth == 0) walk.merge_line = merge_line;
            const Node* one = mv;
            yaml::Span<const Node*> sources;
            if (mv->is_mapping()) {
                sources = {&one, 1};
            } else if (mv->is_sequence()) {
                sources = mv->items;
            }
            if (sources.empty() && !mv->is_sequence()) {
                bad(*mv, qual + ".<<", "expected a mapping or a list of mappings to merge");
                continue;
            }
            for (const auto& s : sources) {
                if (!s->is_mapping()) {
                    bad(*s, qual + ".<<", "expected a mapping or a list of mappings to merge");
                    continue;
                }
                if (depth + 1 > kMaxMergeDepth) {
                    error(s->line,
                          qual + ".<<: merge keys nested deeper than " + std::to_string(kMaxMergeDepth) + " levels");
                    continue;
                }
                collect(*s, qual, seen, out, depth + 1, walk);
            }
        }
    }

    std::string path_;
};

bool valid_header_name(const std::string& s) {
    if (s.empty()) return false;
    for (unsigned char c : s) {
        if (std::isalnum(c)) continue;
        if (std::strchr("!#$%&'*+-.^_`|~", c) && c != 0) continue;
        return false;
    }
    return true;
}

bool has_ctl(const std::string& s) {
    for (unsigned char c : s)
        if (c < 0x20 && c != '\t') return true;
    return false;
}

// Robots take a full URL or, like container mode, "TOKEN" / "TOKEN:SECRET"
// (a signed robot); the generic webhook takes a URL only.
bool is_robot_token(const std::string& t) {
    if (t.empty() || t.size() > 512) return false;
    for (unsigned char c : t)
        if (!std::isalnum(c) && std::string_view("-_.:=+/").find(static_cast<char>(c)) == std::string_view::npos)
            return false;
    return true;
}

void Loader::load_urls(const Entry& e, const std::string& qual, std::vector<std::string>& out, bool allow_token) {
    std::vector<std::string> urls;
    if (!get_string_list(e, qual, urls, false)) return;
    for (const auto& u : urls) {
        if (!net::is_http_url(u) && allow_token) {
            if (is_robot_token(u)) {
                out.push_back(u);
            } else {
                error(e.value->line, qual + ": expected TOKEN, TOKEN:SECRET or an http(s) URL, got <hidden>");
            }
            continue;
        }
        // Parsed at load, so a URL that can not be posted to is refused here;
        // the message never echoes it (robot URLs carry tokens).
        if (auto parsed = net::parse_url(u); !parsed) {
            error(e.value->line, qual + ": " + parsed.error());
            continue;
        }
        out.push_back(u);
    }
}

void Loader::load_mail(const Node& n, MailConfig& m) {
    const std::string q = "config.mail";
    // These reach SMTP command and header lines: CR/LF would inject commands.
    auto one_line = [&](const Entry& e, const std::string& qual, std::string& out) {
        if (!get_string(e, qual, out)) return;
        if (has_control(out)) bad(*e.value, qual, "expected a value without control characters (CR, LF, ESC, ...)");
    };
    for (const Entry& e : entries(n, q)) {
        const std::string qual = q + "." + std::string(e.key);
        if (e.key == "host") {
            one_line(e, qual, m.host);
            m.host = trim(m.host);
        } else if (e.key == "port") {
            get_int(e, qual, m.port, 1, 65535, "expected a port number 1-65535");
        } else if (e.key == "user") {
            one_line(e, qual, m.user);
        } else if (e.key == "pass") {
            get_string(e, qual, m.pass, true);
        } else if (e.key == "to_list") {
            if (get_string_list(e, qual, m.to_list, true)) {
                for (const auto& a : m.to_list) {
                    if (a.find('@') == std::string::npos || has_control(a) ||
                        a.find_first_of(" <>,;\"") != std::string::npos) {
                        error(e.value->line, qual + ": expected e-mail addresses, got \"" + printable(a) + "\"");
                    }
                }
            }
        } else if (e.key == "tls") {
            const smtp::TlsMode modes[] = {smtp::TlsMode::Ssl, smtp::TlsMode::StartTls, smtp::TlsMode::None};
            int i = get_enum(e, qual, {"ssl", "starttls", "none"});
            if (i >= 0) m.tls = modes[i];
        } else if (e.key == "from") {
            one_line(e, qual, m.from);
        } else if (e.key == "cafile") {
            get_string(e, qual, m.cafile);
        } else if (e.key == "insecure") {
            get_bool(e, qual, m.insecure);
        } else if (e.key == "allowPlainAuth") {
            get_bool(e, qual, m.allow_plain_auth);
        } else {
            unknown_key(e, q, kMailKeys);
        }
    }
    if (m.from.empty()) m.from = m.user;
    bool any = !m.host.empty() || !m.to_list.empty() || !m.user.empty();
    if (any && m.host.empty()) error(n.line, q + ".host: required key missing");
    if (any && !m.host.empty() && m.to_list.empty())
        error(n.line, q + ".to_list: required key missing (no recipients)");
    // Not an error: the checks and actions still run; each mail is refused.
    if (any && !m.user.empty() && !m.pass.empty() && m.effective_tls() == smtp::TlsMode::None && !m.allow_plain_auth)
        warn(n.line, q + ": user and pass without TLS (tls none, port " + std::to_string(m.port) +
                         "): mails are refused rather than send the password in clear; use tls: ssl or "
                         "starttls, or set allowPlainAuth: true");
}

// An absolute unix socket path, or off (false, no, "") for no socket.
void Loader::load_status_socket(const Entry& e, const std::string& qual, std::string& out) {
    std::string p;
    if (!get_string(e, qual, p)) return;
    p = trim(p);
    const std::string l = to_lower(p);
    if (p.empty() || l == "off" || l == "false" || l == "no") {
        out = "off";
        return;
    }
    if (p[0] != '/' || has_ctl(p) || !net::make_unix(p))
        bad(*e.value, qual, "expected an absolute unix socket path (under 108 bytes) or off");
    else
        out = p;
}

void Loader::load_wechat(const Node& n, WechatConfig& w) {
    const std::string q = "config.wechat";
    // Ids go into a URL query and a JSON body: one line, no control bytes.
    auto id = [&](const Entry& e, const std::string& qual, std::string& out, bool secret) {
        std::vector<std::string> parts;  // touser: [a, b] -> "a|b"
        if (!get_string_list(e, qual, parts, false)) return;
        std::string v;
        for (const auto& p : parts) v += (v.empty() ? "" : "|") + p;
        if (has_control(v))
            bad(*e.value, qual, "expected a value without control characters", secret);
        else
            out = v;
    };
    for (const Entry& e : entries(n, q)) {
        const std::string qual = q + "." + std::string(e.key);
        if (e.key == "corpid" || e.key == "secret" || e.key == "touser" || e.key == "toparty" || e.key == "totag") {
            std::string& out = e.key == "corpid"    ? w.corpid
                               : e.key == "secret"  ? w.secret
                               : e.key == "touser"  ? w.touser
                               : e.key == "toparty" ? w.toparty
                                                    : w.totag;
            id(e, qual, out, e.key == "secret");
        } else if (e.key == "agentid") {
            int a = 0;
            if (get_int(e, qual, a, 1, INT_MAX, "expected the application's agentid (an integer)")) w.agentid = a;
        } else if (e.key == "webhook") {
            std::vector<std::string> urls;
            load_urls(e, qual, urls);
            if (urls.size() > 1) error(e.value->line, qual + ": expected one WeCom robot URL");
            if (urls.size() == 1) w.webhook = urls[0];
        } else {
            unknown_key(e, q, kWechatKeys);
        }
    }
    // The original skipped application messages unless all three were set;
    // so do we (its configs load), but say so.
    bool any = !w.corpid.empty() || !w.secret.empty() || w.agentid > 0;
    if (any && !w.app())
        warn(n.line, q + ": corpid, secret and agentid are all needed for application messages; none will be sent");
}

void Loader::load_global(const Node& n, GlobalConfig& g) {
    const std::string q = "config";
    for (const Entry& e : entries(n, q)) {
        const std::string qual = q + "." + std::string(e.key);
        if (e.key == "supervisordUrl") {
            std::string u;
            if (get_string(e, qual, u)) {
                u = trim(u);
                std::string l = to_lower(u);
                bool ok = (l.rfind("unix://", 0) == 0 && u.size() > 7 && u[7] == '/') ||
                          (l.rfind("http://", 0) == 0 && u.size() > 7);
                if (!ok || has_ctl(u))
                    bad(*e.value, qual, "expected unix:///path/to/supervisor.sock or http://host:port/RPC2");
                else
                    g.supervisord_url = u;
            }
        } else if (e.key == "supervisordUser") {
            get_string(e, qual, g.supervisord_user);
        } else if (e.key == "supervisordPass") {
            get_string(e, qual, g.supervisord_pass, true);
        } else if (e.key == "mail") {
            const Node& v = *e.value;
            if (v.is_null()) continue;  // `mail:` with everything commented out
            if (!v.is_mapping()) {
                bad(v, qual, "expected a mapping (host, port, user, pass, to_list)");
                continue;
            }
            load_mail(v, g.mail);
        } else if (e.key == "dingtalk") {
            load_urls(e, qual, g.dingtalk, true);
        } else if (e.key == "wecom") {
            load_urls(e, qual, g.wecom, true);
        } else if (e.key == "feishu") {
            load_urls(e, qual, g.feishu, true);
        } else if (e.key == "webhook") {
            load_urls(e, qual, g.webhook);
        } else if (e.key == "statusSocket") {
            load_status_socket(e, qual, g.status_socket);
        } else if (e.key == "metricsListen") {
            std::string l;
            if (get_string(e, qual, l) && !parse_listen_address(trim(l)))
                bad(*e.value, qual, "expected an IP address and port (127.0.0.1:9464, [::1]:9464)");
            else if (!l.empty())
                g.metrics_listen = trim(l);
        } else if (e.key == "wechat") {
            if (e.value->is_mapping())
                load_wechat(*e.value, g.wechat);
            else if (!e.value->is_null())  // `wechat:` with everything commented out
                bad(*e.value, qual, "expected a mapping (corpid, secret, agentid, touser, toparty, totag, webhook)");
        } else {
            unknown_key(e, q, kConfigKeys);
        }
    }
}

void Loader::load_headers(const Entry& e, const std::string& qual, CheckConfig& c) {
    const Node& v = *e.value;
    if (v.is_null()) return;
    const std::string expected = "expected a JSON object of header names to scalar values";
    std::vector<std::pair<std::string, std::string>> out;
    if (v.is_mapping()) {
        for (const Entry& h : entries(v, qual)) {
            const Node& hv = *h.value;
            if (!hv.is_scalar()) {
                bad(hv, qual + "." + std::string(h.key), "expected a scalar header value");
                return;
            }
            out.emplace_back(h.key, hv.is_null() ? "" : hv.value);
        }
    } else if (v.is_scalar()) {
        picojson::value j;
        std::string perr;
        auto end = v.value.end();
        try {  // picojson throws std::overflow_error on numbers like 1e999
            end = picojson::parse(j, v.value.begin(), v.value.end(), &perr);
        } catch (const std::overflow_error&) {
            perr = "number out of range";
        }
        if (!perr.empty() || !j.is<picojson::object>() || !trim(std::string(end, v.value.end())).empty()) {
            bad(v, qual, expected);
            return;
        }
        for (const auto& kv : j.get<picojson::object>()) {
            const picojson::value& x = kv.second;
            std::string s;
            if (x.is<std::string>()) {
                s = x.get<std::string>();
            } else if (x.is<int64_t>()) {
                s = std::to_string(x.get<int64_t>());
            } else if (x.is<double>() || x.is<bool>()) {
                s = x.to_str();
            } else if (x.is<picojson::null>()) {
                s = "";
            } else {
                bad(v, qual, expected);
                return;
            }
            out.emplace_back(kv.first, s);
        }
    } else {
        bad(v, qual, expected);
        return;
    }
    for (const auto& h : out) {
        if (!valid_header_name(h.first)) {
            error(v.line, qual + ": expected HTTP header names (tokens), got \"" + printable(h.first) + "\"");
            return;
        }
        // The rule of http::valid_header_value (the request serialiser
        // refuses to send such a value): no control byte but HTAB.
        std::string no_tabs = h.second;
        no_tabs.erase(std::remove(no_tabs.begin(), no_tabs.end(), '\t'), no_tabs.end());
        if (has_control(no_tabs)) {
            error(v.line, qual + "." + h.first + ": header value must not contain line breaks or control characters");
            return;
        }
    }
    c.http_extras.set().headers = std::move(out);
}

void Loader::load_actions(const Entry& e, const std::string& qual, CheckConfig& c) {
    const Node& v = *e.value;
    if (v.is_null()) return;
    const std::string expected = "expected a comma list of restart, kill, exec, email, notify, wechat (or none)";
    std::vector<std::string> words;
    auto split = [&](std::string_view s) {
        for (std::string& w : split_list(s)) words.push_back(std::move(w));
    };
    if (v.is_scalar()) {
        split(v.value);
    } else if (v.is_sequence()) {
        for (const auto& it : v.items) {
            if (!it->is_scalar()) {
                bad(*it, qual, expected);
                return;
            }
            split(it->value);
        }
    } else {
        bad(v, qual, expected);
        return;
    }
    if (words.empty()) {
        bad(v, qual, expected);
        return;
    }
    Actions a;
    bool none = false;
    for (const auto& w : words) {
        std::string l = to_lower(w);
        if (l == "restart")
            a.restart = true;
        else if (l == "kill")
            a.kill = true;
        else if (l == "exec")
            a.exec = true;
        else if (l == "email")
            a.email = true;
        else if (l == "notify")
            a.notify = true;
        else if (l == "wechat")
            a.wechat = true;
        else if (l == "none")
            none = true;
        else {
            error(v.line, qual + ": " + expected + ", got \"" + printable(w) + "\"");
            return;
        }
    }
    if (none && (a.restart || a.kill || a.exec || a.email || a.notify || a.wechat)) {
        bad(v, qual, "\"none\" cannot be combined with other actions");
        return;
    }
    int exclusive = a.restart + a.exec + a.kill;
    if (exclusive > 1) {
        const char* winner = a.restart ? "restart" : "exec";
        warn(v.line, qual + ": restart, exec and kill are exclusive; only " + std::string(winner) +
                         " is used (restart > exec > kill)");
        if (a.restart)
            a.exec = a.kill = false;
        else
            a.kill = false;
    }
    c.actions = a;
}

// Lines load_check needs after the keys, for messages about missing or
// conflicting keys (0: the key was not given).
struct CheckKeyLines {
    int pid_get_line, action_line;
    int period_line = 0, timeout_line = 0;
    int port_line = 0, ca_file_line = 0;
    bool program_given = false;
    bool action_given = false;
    bool command_given = false;
};

// programs / exclude of an events check: shell patterns (fnmatch) of
// supervisorctl names, a comma list or a YAML list.
void load_patterns(Loader& L, const Entry& e, const std::string& qual, std::vector<std::string>& out) {
    std::vector<std::string> v;
    if (!L.get_string_list(e, qual, v, true)) return;
    for (auto& x : v) {
        x = trim(x);
        if (x.empty() || has_ctl(x)) return L.bad(*e.value, qual, "expected program names or shell patterns");
    }
    out = std::move(v);
}

// exitCodes: the exit statuses an events check takes as expected, like
// supervisord's exitcodes (-1: killed by a signal, as supervisord reports it).
void load_exit_codes(Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, CheckKeyLines&) {
    std::vector<std::string> v;
    if (!L.get_string_list(e, qual, v, true)) return;
    std::vector<int64_t> codes;
    for (const auto& x : v) {
        const std::string t = trim(x);
        char* end = nullptr;
        long n = std::strtol(t.c_str(), &end, 10);
        if (t.empty() || *end != '\0' || n < -1 || n > 255)
            return L.bad(*e.value, qual, "expected exit codes -1-255 (a list or comma list)");
        codes.push_back(n);
    }
    c.events.set().exit_codes = std::move(codes);
}

// The check schema: one row per key, in documentation order (also the
// order did-you-mean suggestions are searched in). Each row validates its
// value and stores it; errors and warnings go through the Loader.
struct CheckKey {
    std::string_view name;  // a view: compared with every key of every check
    void (*load)(Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, CheckKeyLines& k);
};

const std::string kSecondsRange1 = "expected a number of seconds 1-" + std::to_string(kMaxSeconds);
const std::string kSecondsRange0 = "expected a number of seconds 0-" + std::to_string(kMaxSeconds);
const std::string kThresholdRange = "expected an integer 1-" + std::to_string(kMaxThreshold);

void load_json(Loader& L, const Entry& e, const std::string& qual, CheckConfig& c) {
    const Node& v = *e.value;
    if (v.is_null()) return;
    if (!v.is_scalar()) {
        L.bad(v, qual, "expected a string holding JSON (quote it: json: '{\"a\":\"b\"}')");
        return;
    }
    picojson::value j;
    std::string perr;
    auto end = v.value.end();
    try {  // picojson throws std::overflow_error on numbers like 1e999
        end = picojson::parse(j, v.value.begin(), v.value.end(), &perr);
    } catch (const std::overflow_error&) {
        perr = "number out of range";
    }
    if (!perr.empty() || !trim(std::string(end, v.value.end())).empty())
        L.bad(v, qual, "expected valid JSON");
    else
        c.http_extras.set().json = v.value;
}

// A status list as a string ("200-399,401"), one code (200) or a YAML list
// of either ([200, "300-399"]).
void load_expect_status(Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, CheckKeyLines&) {
    const Node& v = *e.value;
    if (v.is_null()) return;
    std::string text;
    if (v.is_scalar()) {
        text = v.value;
    } else if (v.is_sequence() && !v.items.empty()) {
        for (const auto& it : v.items) {
            if (!it->is_scalar()) return L.bad(*it, qual, "expected status codes and ranges (200-399,401)");
            text += (text.empty() ? "" : ",") + std::string(it->value);
        }
    } else {
        return L.bad(v, qual, "expected status codes and ranges (200-399,401)");
    }
    auto list = http::StatusList::parse(text);
    if (!list) return L.error(v.line, qual + ": " + list.error());
    c.http_extras.set().expect_status = *list;
}

// exec checks: a list is the argv (no shell), a string runs with /bin/sh -c.
void load_command(Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, CheckKeyLines& k) {
    const Node& v = *e.value;
    k.command_given = true;
    const std::string expected = "expected a command: a list of arguments or a shell command string";
    if (v.is_scalar() && !v.is_null() && !trim(v.value).empty()) {
        c.exec.set().command_line = trim(v.value);
        return;
    }
    bool ok = v.is_sequence() && !v.items.empty();
    for (const auto& it : v.items) ok = ok && it->is_scalar() && !it->is_null();
    if (!ok || v.items[0]->value.empty()) return L.bad(v, qual, expected);
    for (const auto& it : v.items) c.exec.set().command_argv.emplace_back(it->value);
}

using KL = CheckKeyLines;
const CheckKey kCheckSchema[] = {
    {"program",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL& k) {
         k.program_given = true;
         const Node& v = *e.value;
         if (!v.is_scalar() || v.is_null() || trim(v.value).empty())
             L.bad(v, qual, "expected a supervisor program name");
         else
             c.program = trim(v.value);
     }},
    {"type",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         int i = L.get_enum(e, qual, {"http", "tcp", "mem", "cpu", "restart", "exec", "cert", "events"});
         if (i >= 0) c.type = static_cast<CheckType>(i);
     }},
    {"maxMem",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_double(e, qual, c.proc.set().max_mem_mb, 1e9, "expected a size in MB > 0");
     }},
    {"memType",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         const proc::MemKind kinds[] = {proc::MemKind::Rss, proc::MemKind::Pss, proc::MemKind::Uss};
         int i = L.get_enum(e, qual, {"rss", "pss", "uss"});
         if (i >= 0) c.proc.set().mem_type = kinds[i];
     }},
    {"pidGet",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL& k) {
         k.pid_get_line = e.value->line;
         int i = L.get_enum(e, qual, {"supervisor", "name", "file"});
         if (i >= 0) c.proc.set().pid_get = static_cast<PidGet>(i);
     }},
    {"pidFile",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         std::string& f = c.proc.set().pid_file;
         if (L.get_string(e, qual, f)) f = trim(f);
     }},
    {"maxCpu",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_double(e, qual, c.proc.set().max_cpu, 1e6, "expected a percentage > 0");
     }},
    {"includeChildren",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_bool(e, qual, c.proc.set().include_children);
     }},
    // memmon-style spellings: cumulative (memmon -c) = includeChildren,
    // maxRss = maxMem with memType rss.
    {"cumulative",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_bool(e, qual, c.proc.set().include_children);
     }},
    {"maxRss",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         ProcessSpec& p = c.proc.set();
         if (L.get_double(e, qual, p.max_mem_mb, 1e9, "expected a size in MB > 0")) p.mem_type = proc::MemKind::Rss;
     }},
    {"mode",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         int i = L.get_enum(e, qual, {"GET", "POST"});
         if (i >= 0) c.http.set().method = i == 0 ? HttpMethod::Get : HttpMethod::Post;
     }},
    {"keepAlive",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_bool(e, qual, c.http.set().keep_alive);
     }},
    {"host",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         std::string h;
         if (!L.get_string(e, qual, h)) return;
         h = trim(h);
         if (h.empty() || h.find_first_of(" \t/?#@") != std::string::npos || has_ctl(h))
             L.bad(*e.value, qual, "expected a host name or IP address");
         else
             c.host = h;
     }},
    {"path",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         std::string p;
         if (!L.get_string(e, qual, p)) return;
         if (p.empty() || p[0] != '/' || has_ctl(p) || p.find(' ') != std::string::npos)
             L.bad(*e.value, qual, "expected a URL path starting with \"/\"");
         else
             c.http.set().path = p;
     }},
    {"port",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL& k) {
         k.port_line = e.value->line;
         L.get_int(e, qual, c.port, 1, 65535, "expected a port number 1-65535");
     }},
    {"scheme",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         int i = L.get_enum(e, qual, {"http", "https"});
         if (i >= 0) c.tls.set().https = i == 1;
     }},
    {"insecureSkipVerify",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_bool(e, qual, c.tls.set().insecure_skip_verify);
     }},
    {"caFile",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL& k) {
         k.ca_file_line = e.value->line;
         std::string& f = c.tls.set().ca_file;
         if (L.get_string(e, qual, f)) f = trim(f);
     }},
    {"warnDays",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_int(e, qual, c.tls.set().warn_days, 0, 3650, "expected a number of days 0-3650");
     }},
    {"expectStatus", load_expect_status},
    {"expectBody",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         std::string& b = c.http_extras.set().expect_body;
         if (L.get_string(e, qual, b) && b.empty())
             L.bad(*e.value, qual, "expected a non-empty string");
     }},
    {"expectRegex",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         std::string p;
         if (!L.get_string(e, qual, p)) return;
         auto re = Regex::compile(p);
         if (!re) return L.error(e.value->line, qual + ": " + re.error());
         HttpExtras& x = c.http_extras.set();
         x.expect_regex = p;
         x.regex = *re;
     }},
    {"json", [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) { load_json(L, e, qual, c); }},
    {"headers",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) { L.load_headers(e, qual, c); }},
    {"username",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_string(e, qual, c.http_extras.set().username);
     }},
    {"password",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_string(e, qual, c.http_extras.set().password, true);
     }},
    {"periodSeconds",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL& k) {
         k.period_line = e.value->line;
         L.get_int(e, qual, c.period_seconds, 1, kMaxSeconds, kSecondsRange1);
     }},
    {"initialDelaySeconds",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_int(e, qual, c.initial_delay_seconds, 0, kMaxSeconds, kSecondsRange0);
     }},
    {"timeoutSeconds",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL& k) {
         k.timeout_line = e.value->line;
         L.get_int(e, qual, c.timeout_seconds, 1, kMaxSeconds, kSecondsRange1);
     }},
    {"failureThreshold",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_int(e, qual, c.failure_threshold, 1, kMaxThreshold, kThresholdRange);
     }},
    {"successThreshold",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_int(e, qual, c.success_threshold, 1, kMaxThreshold, kThresholdRange);
     }},
    {"mincontinueRun",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_int(e, qual, c.min_continue_run, 1, kMaxSeconds, kSecondsRange1);
     }},
    {"programs", [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c,
                    KL&) { load_patterns(L, e, qual, c.events.set().programs); }},
    {"exclude", [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c,
                   KL&) { load_patterns(L, e, qual, c.events.set().exclude); }},
    {"exitCodes", load_exit_codes},
    {"unseenExits",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_bool(e, qual, c.events.set().unseen_exits);
     }},
    {"action",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL& k) {
         k.action_line = e.value->line;
         k.action_given = true;
         L.load_actions(e, qual, c);
     }},
    {"execCmd",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         std::string& x = c.exec.set().exec_cmd;
         if (L.get_string(e, qual, x)) x = trim(x);
     }},
    {"sendResolved",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_bool(e, qual, c.send_resolved);
     }},
    {"command", load_command},
    {"reminderSeconds",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_int(e, qual, c.reminder_seconds, 0, kMaxSeconds, kSecondsRange0);
     }},
    {"maxRestarts",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_int(e, qual, c.max_restarts, 0, kMaxThreshold,
                   "expected an integer 0-" + std::to_string(kMaxThreshold) + " (0: never give up)");
     }},
    {"restartWindow",
     [](Loader& L, const Entry& e, const std::string& qual, CheckConfig& c, KL&) {
         L.get_int(e, qual, c.restart_window, 1, kMaxSeconds, kSecondsRange1);
     }},
};

const CheckKey* find_check_key(std::string_view key) {
    for (const auto& row : kCheckSchema)
        if (key == row.name) return &row;
    return nullptr;
}

// The schema's key names, for unknown-key suggestions.
const std::vector<std::string>& check_key_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const auto& row : kCheckSchema) v.emplace_back(row.name);
        return v;
    }();
    return names;
}

// The http check's request URL, parsed once here instead of on every probe.
void prepare_http_url(CheckConfig& c) {
    HttpSpec& h = c.http.set();
    std::string path = h.path.empty() || h.path[0] != '/' ? "/" + h.path : h.path;
    auto url = net::parse_url(std::string(c.tls->https ? "https://" : "http://") + net::bracket_host(c.host) + ":" +
                              std::to_string(c.port) + path);

    if (!url) {
        h.url_error = url.error();
        return;
    }
    h.url = std::move(*url);
    // Credentials go through the URL so the client builds the Basic header;
    // logs and notices get redacted(): no credentials, query values as ***.
    const HttpExtras& x = *c.http_extras;
    if (!x.username.empty() || !x.password.empty()) h.url.userinfo = x.username + ":" + x.password;
}

// https and cert checks: port 443 unless given; a caFile must be readable
// now (an error at its line, not a failing probe later).
void check_tls_keys(Loader& L, const std::string& name, CheckConfig& c, const CheckKeyLines& k) {
    const TlsSpec& t = *c.tls;
    const bool tls = (c.type == CheckType::Http && t.https) || c.type == CheckType::Cert;
    if (tls && k.port_line == 0) c.port = 443;
    if (!tls || t.ca_file.empty()) return;
    if (t.insecure_skip_verify)
        L.warn(k.ca_file_line, name + ".caFile: not used: insecureSkipVerify is true");
    else if (::access(t.ca_file.c_str(), R_OK) != 0)
        L.error(k.ca_file_line, name + ".caFile: cannot read " + printable(t.ca_file) + ": " + std::strerror(errno));
}

// type: events watches every program (or `programs`), so `program` is
// optional (one more pattern when given); it only notifies (email by
// default) and looks every second unless periodSeconds says otherwise.
void check_events(Loader& L, CheckConfig& c, const CheckKeyLines& k) {
    if (!c.program.empty()) c.events.set().programs.push_back(c.program);
    if (c.program.empty()) c.program = "*";
    if (!k.action_given) {
        c.actions = Actions{};
        c.actions.email = true;
    } else if (c.actions.restart || c.actions.exec || c.actions.kill) {
        L.error(k.action_line, c.name + ".action: an events check only notifies (email, notify or none), got \"" +
                                   c.actions.str() + "\"");
    }
    if (k.period_line == 0) c.period_seconds = 1;
}

bool Loader::load_check(std::string_view key, int line, const Node& n, CheckConfig& c) {
    c.name = key;
    c.line = line;
    const std::string& name = c.name;
    const size_t errors_before = errors.size();
    if (!n.is_mapping()) {
        if (n.is_null())
            error(line, name + ": empty check (expected a mapping with at least program)");
        else
            bad(n, name, "expected a mapping with at least program");
        return false;
    }
    CheckKeyLines k{line, line};
    std::string qual;  // "<check>.<key>", reused: one allocation per check
    for (const Entry& e : entries(n, name)) {
        const CheckKey* row = find_check_key(e.key);
        if (!row) {
            unknown_key(e, name, check_key_names());
            continue;
        }
        qual.assign(name).append(1, '.').append(e.key);
        row->load(*this, e, qual, c, k);
    }

    if (c.type == CheckType::Events) check_events(*this, c, k);
    if (!k.program_given && c.type != CheckType::Events) {
        std::string msg = name + ".program: required key missing";
        if (edit_distance(name, "config") <= 2) msg += " (or did you mean \"config:\"?)";
        error(line, msg);
    }
    if (c.proc->pid_get == PidGet::File && c.proc->pid_file.empty())
        error(k.pid_get_line, name + ".pidFile: required key missing (pidGet is file)");
    if (c.type == CheckType::Restart && c.proc->pid_get != PidGet::Supervisor)
        error(k.pid_get_line, name + ".pidGet: restart checks only support supervisor, got \"" +
                                  std::string(to_string(c.proc->pid_get)) + "\"");
    if (c.actions.exec && c.exec->exec_cmd.empty())
        error(k.action_line, name + ".execCmd: required key missing (action has exec)");
    check_tls_keys(*this, name, c, k);
    if (c.type == CheckType::Exec && !k.command_given)
        error(line, name + ".command: required key missing (type is exec)");
    if (c.type == CheckType::Http) prepare_http_url(c);
    if ((c.type == CheckType::Http || c.type == CheckType::Tcp || c.type == CheckType::Exec ||
         c.type == CheckType::Cert) &&
        c.timeout_seconds > c.period_seconds) {
        int wl = k.timeout_line ? k.timeout_line : k.period_line ? k.period_line : line;
        warn(wl, name + ".timeoutSeconds: " + std::to_string(c.timeout_seconds) + " is longer than periodSeconds " +
                     std::to_string(c.period_seconds) + "; a probe may still run when the next one is due");
    }
    return errors.size() == errors_before;
}

std::string join_lines(const std::vector<std::string>& v, const std::string& prefix) {
    std::string s;
    for (const auto& x : v) {
        if (!s.empty()) s += '\n';
        s += prefix + x;
    }
    return s;
}

// Drops repeated messages (a merged anchor is checked once per user) and
// orders them by line number; messages without a line come first.
std::vector<std::string> tidy(const std::vector<std::string>& v, const std::string& path) {
    std::vector<std::pair<long, std::string>> lines;
    std::set<std::string> seen;
    for (const auto& x : v) {
        if (!seen.insert(x).second) continue;
        long line = 0;
        if (x.compare(0, path.size(), path) == 0 && x.size() > path.size() && x[path.size()] == ':')
            line = std::strtol(x.c_str() + path.size() + 1, nullptr, 10);
        lines.emplace_back(line, x);
    }
    std::stable_sort(lines.begin(), lines.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    out.reserve(lines.size());
    for (auto& l : lines) out.push_back(std::move(l.second));
    return out;
}

}  // namespace

Result<Config> load_config_text(const std::string& text, const std::string& path) {
    return load_config_text(text, path, CheckSink());
}

namespace {

// yaml::parse of the text or the file, streaming each top-level entry.
using ParseFn = std::function<Result<yaml::NodePtr>(const yaml::TopEntryFn&)>;

Result<Config> load_config(const ParseFn& parse, const std::string& path, const CheckSink& sink, TopNames& seen) {
    Loader L(path);
    Config cfg;
    cfg.path = path;
    size_t tops = 0;  // distinct top-level keys
    bool has_config = false;
    // One line each, not one per check: the default action includes email.
    std::string no_mail, no_notify, no_wechat;
    // Each top-level entry as the YAML parser completes it (yaml::parse
    // frees its subtree after this returns): a check's config goes to the
    // sink (or cfg.checks) at once, so the whole config is never built
    // next to the document.
    auto each_top = [&](const Node& k, const Node& v) {
        L.stage(Loader::kTop);
        if (!k.is_scalar()) {
            L.error(k.line, "top-level keys must be plain strings, got " + k.kind_name());
            return;
        }
        if (const int first = seen.insert(k.value, k.line)) {
            L.error(k.line, "duplicate top-level key \"" + printable(k.value) + "\" (first at line " +
                                std::to_string(first) + ")");
            return;
        }
        ++tops;
        if (k.value == "config") {
            has_config = true;
            L.stage(Loader::kConfig);
            if (v.is_null()) return;
            if (!v.is_mapping())
                L.bad(v, "config", "expected a mapping (supervisordUrl, mail, ...)");
            else
                L.load_global(v, cfg.global);
            return;
        }
        L.stage(Loader::kChecks);
        CheckConfig c;
        if (!L.load_check(k.value, k.line, v, c)) return;
        auto add = [&](std::string& list) { list += (list.empty() ? "" : ", ") + c.name; };
        if (c.actions.email) add(no_mail);
        if (c.actions.notify) add(no_notify);
        if (c.actions.wechat) add(no_wechat);
        if (!sink) return cfg.checks.push_back(std::move(c));
        check_secret_keys(c, cfg.sunk_secret_keys);
        sink(std::move(c));
    };
    auto doc = parse(each_top);
    if (!doc) return err(doc.error());
    const Node& root = **doc;
    L.stage(Loader::kTop);

    if (root.is_null()) {
        L.warnings.push_back(path + ": no checks configured (empty file)");
    } else if (!root.is_mapping()) {
        L.bad(root, "top level", "expected a mapping of check names (and config)");
    } else {
        if (tops == 1 && has_config) L.warnings.push_back(path + ": no checks configured");
        if (!no_mail.empty() && !cfg.global.mail.configured())
            L.warnings.push_back(path + ": action email (" + no_mail +
                                 ") but config.mail is not configured; no mail will be sent");
        if (!no_notify.empty() && !cfg.global.notify_configured())
            L.warnings.push_back(path + ": action notify (" + no_notify +
                                 ") but none of config.dingtalk, wecom, feishu, webhook is set");
        if (!no_wechat.empty() && !cfg.global.wechat.configured())
            L.warnings.push_back(path + ": action wechat (" + no_wechat +
                                 ") but config.wechat is not configured; no WeChat message will be sent");
    }

    if (L.unlisted_unknown_keys > 0)
        L.warnings.push_back(path + ": " + std::to_string(L.unlisted_unknown_keys) +
                             " more unknown keys (ignored) not listed");
    // kTop's last: the end-of-file lines above come after every stage's.
    std::vector<std::string> top_warnings = std::move(L.warnings);
    L.warnings.clear();
    auto errors = tidy(L.all_errors(), path);
    std::vector<std::string> all_warnings = L.all_warnings();
    for (auto& w : top_warnings) all_warnings.push_back(std::move(w));
    auto warnings = tidy(all_warnings, path);
    if (!errors.empty()) {
        std::string msg = join_lines(errors, "");
        if (!warnings.empty()) msg += "\n" + join_lines(warnings, "warning: ");
        return err(msg);
    }
    cfg.warnings = std::move(warnings);
    cfg.global.supervisord = parse_supervisord_url(cfg.global.supervisord_url);
    return cfg;
}

}  // namespace

Result<Config> load_config_text(const std::string& text, const std::string& path, const CheckSink& sink) {
    if (text.size() > kMaxConfigBytes)
        return err(path + ": file too large (" + std::to_string(text.size()) + " bytes, limit 4 MiB)");
    NameSet names;
    return load_config(
        [&](const yaml::TopEntryFn& each_top) { return yaml::parse(text, path, yaml::Limits(), each_top); }, path, sink,
        names);
}

Result<SupervisordEndpoint> parse_supervisord_url(const std::string& url) {
    SupervisordEndpoint s;
    const std::string scheme = to_lower(url.substr(0, 7));
    if (scheme == "unix://") {
        auto addr = net::make_unix(url.substr(7));
        if (!addr) return err("supervisordUrl: bad unix socket path in " + url, ErrorKind::Config);
        s.unix_socket = true;
        s.unix_address = *addr;
        s.url = *net::parse_url("http://localhost/RPC2");
        s.display = url;
    } else {
        auto parsed = net::parse_url(url);
        if (!parsed) return Error{"supervisordUrl: " + parsed.error(), ErrorKind::Config};
        s.url = *parsed;
        if (s.url.target == "/") s.url.target = "/RPC2";
        s.display = s.url.redacted();
        s.url.userinfo.clear();
    }
    return s;
}

namespace {

// Mode bits name the file, not the text read: checked here, not in
// load_config_text, so `--test`, the start and every SIGHUP reload see it.
void warn_if_world_readable(Config& cfg) {
    struct stat st {};
    if (::stat(cfg.path.c_str(), &st) != 0 || !(st.st_mode & S_IROTH)) return;
    const std::vector<std::string> keys = secret_keys(cfg);
    if (keys.empty()) return;
    std::string names;
    for (size_t i = 0; i < keys.size() && i < 5; ++i) names += (i ? ", " : "") + keys[i];
    if (keys.size() > 5) names += ", ... (" + std::to_string(keys.size()) + " in all)";
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    cfg.warnings.insert(cfg.warnings.begin(), cfg.path + ": holds secrets (" + names +
                                                  ") and is readable by all users (mode " + mode + "): chmod 600 " +
                                                  cfg.path);
}

}  // namespace

Result<Config> load_config_file(const std::string& path) { return load_config_file(path, CheckSink()); }

// The file is parsed as it is read, never held whole (with the streamed
// entries, a reload of 10,000 checks holds a few hundred KB next to the
// running checks). Same messages as reading it first: larger than 4 MiB, or
// a read error, wins over whatever the parser said.
Result<Config> load_config_file(const std::string& path, const CheckSink& sink) {
    NameSet names;
    return load_config_file(path, sink, names);
}

Result<Config> load_config_file(const std::string& path, const CheckSink& sink, TopNames& names) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) return err(path + ": cannot read: " + std::strerror(errno));
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<size_t>(st.st_size) > kMaxConfigBytes) {
        ::close(fd);
        return err(path + ": file too large (more than 4 MiB)");
    }
    size_t total = 0;
    int read_errno = 0;
    const yaml::ReadFn read = [&](char* buf, size_t size) -> long {
        for (;;) {
            const ssize_t n = ::read(fd, buf, size);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) read_errno = errno;
            if (n < 0 || (total += static_cast<size_t>(n)) > kMaxConfigBytes) return -1;
            return static_cast<long>(n);
        }
    };
    auto cfg =
        load_config([&](const yaml::TopEntryFn& each_top) { return yaml::parse(read, path, yaml::Limits(), each_top); },
                    path, sink, names);
    // A parse that stopped early: the rest decides "too large" (a pipe).
    // The buffer is not a local array: it would sit on the stack below
    // the whole parse, a page deeper than needed (a reload runs deeper in
    // the stack than the first load; issue 14.4).
    if (!cfg) {
        std::vector<char> rest(4096);
        while (read_errno == 0 && total <= kMaxConfigBytes && read(rest.data(), rest.size()) > 0) {
        }
    }
    ::close(fd);
    if (read_errno != 0) return err(path + ": cannot read: " + std::strerror(read_errno));
    if (total > kMaxConfigBytes) return err(path + ": file too large (more than 4 MiB)");
    if (cfg) warn_if_world_readable(*cfg);
    return cfg;
}

std::string status_socket_path(const Config& cfg) {
    const std::string& s = cfg.global.status_socket;
    if (s == "off") return "";
    if (!s.empty()) return s;
    // Next to the config: one socket per config file, found by `-c CONFIG`.
    const size_t slash = cfg.path.rfind('/');
    const size_t dot = cfg.path.rfind('.');
    const bool has_ext = dot != std::string::npos && (slash == std::string::npos || dot > slash + 1);
    return (has_ext ? cfg.path.substr(0, dot) : cfg.path) + ".sock";
}

std::optional<net::Address> parse_listen_address(const std::string& text) {
    const size_t colon = text.rfind(':');
    if (colon == std::string::npos || colon + 1 >= text.size() || colon + 6 < text.size()) return std::nullopt;
    const std::string port_text = text.substr(colon + 1);
    if (port_text.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
    const int port = std::stoi(port_text);
    if (port < 1 || port > 65535) return std::nullopt;
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    if (host == "localhost") host = "127.0.0.1";
    return net::parse_ip_literal(host, static_cast<uint16_t>(port));
}

}  // namespace hc::supervise
