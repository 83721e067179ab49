#include "util/regex.hpp"

#include <regex.h>

#include <vector>

#include "util/text.hpp"

namespace hc {

struct Regex::Impl {
    regex_t re{};
    bool compiled = false;
    ~Impl() {
        if (compiled) ::regfree(&re);
    }
};

namespace {

constexpr size_t kOver = Regex::kMaxExpandedAtoms + 1;

size_t cap(size_t v) { return v > kOver ? kOver : v; }
size_t mul(size_t a, size_t b) { return (a != 0 && b > kOver / a) ? kOver : cap(a * b); }

// Index just past the bracket expression that opens at text[i] ("[a-z]",
// "[]x]", "[^]x]", "[[:alpha:]_]"), or text.size() when it is unterminated
// (regcomp reports that).
size_t skip_bracket(std::string_view p, size_t i) {
    size_t j = i + 1;
    if (j < p.size() && p[j] == '^') ++j;
    if (j < p.size() && p[j] == ']') ++j;  // a leading ']' is a member
    while (j < p.size() && p[j] != ']') {
        if (p[j] == '[' && j + 1 < p.size() && (p[j + 1] == ':' || p[j + 1] == '=' || p[j + 1] == '.')) {
            const char close = p[j + 1];
            size_t end = p.find(std::string{close, ']'}, j + 2);
            if (end == std::string_view::npos) return p.size();
            j = end + 2;
            continue;
        }
        ++j;
    }
    return j < p.size() ? j + 1 : p.size();
}

// "{n}", "{n,}", "{n,m}" at p[i]: the repetition factor and the index past
// '}', or false when p[i] does not start a count (glibc then reads '{' as a
// literal).
bool parse_count(std::string_view p, size_t i, size_t& factor, size_t& next) {
    size_t j = i + 1;
    auto number = [&](size_t& out) {
        size_t start = j;
        out = 0;
        while (j < p.size() && p[j] >= '0' && p[j] <= '9' && j - start < 6) out = out * 10 + (p[j++] - '0');
        return j > start;
    };
    size_t n = 0, m = 0;
    if (!number(n)) return false;
    bool open = false;
    if (j < p.size() && p[j] == ',') {
        ++j;
        if (!number(m)) open = true;
    } else {
        m = n;
    }
    if (j >= p.size() || p[j] != '}') return false;
    factor = open ? n + 1 : (m > n ? m : n);
    if (factor == 0) factor = 1;
    next = j + 1;
    return true;
}

}  // namespace

Result<size_t> regex_expanded_size(std::string_view p) {
    struct Frame {
        size_t total = 0, last = 0;
    };
    std::vector<Frame> stack(1);
    auto atom = [&](size_t cost) {
        stack.back().total = cap(stack.back().total + cost);
        stack.back().last = cost;
    };
    for (size_t i = 0; i < p.size();) {
        const char c = p[i];
        if (c == '\\') {
            if (i + 1 < p.size() && p[i + 1] >= '1' && p[i + 1] <= '9')
                return err("regex: back-references (\\" + std::string(1, p[i + 1]) +
                               ") are not supported: they make matching exponential",
                           ErrorKind::Config);
            atom(1);
            i += 2;
        } else if (c == '[') {
            atom(1);
            i = skip_bracket(p, i);
        } else if (c == '(') {
            stack.emplace_back();
            ++i;
        } else if (c == ')' && stack.size() > 1) {
            size_t inner = stack.back().total ? stack.back().total : 1;
            stack.pop_back();
            atom(inner);
            ++i;
        } else if (c == '|') {
            stack.back().last = 0;
            ++i;
        } else if (c == '{') {
            size_t factor = 0, next = 0;
            if (parse_count(p, i, factor, next)) {
                Frame& f = stack.back();
                const size_t grown = mul(f.last, factor);
                f.total = cap(f.total + grown - (f.last < grown ? f.last : grown));
                f.last = grown;
                i = next;
            } else {
                atom(1);
                ++i;
            }
        } else {
            if (c != '*' && c != '+' && c != '?') atom(1);
            ++i;
        }
        if (stack.back().total >= kOver) return kOver;
    }
    size_t total = 0;
    for (const Frame& f : stack) total = cap(total + f.total);  // unclosed '(' : regcomp reports it
    return total;
}

Result<std::shared_ptr<const Regex>> Regex::compile(const std::string& pattern) {
    if (pattern.empty()) return err("regex: empty pattern", ErrorKind::Config);
    if (pattern.size() > kMaxPatternBytes)
        return err("regex: pattern longer than " + std::to_string(kMaxPatternBytes) + " bytes", ErrorKind::Config);
    if (pattern.find('\0') != std::string::npos) return err("regex: pattern holds a NUL byte", ErrorKind::Config);
    auto size = regex_expanded_size(pattern);
    if (!size) return size.failure();
    if (*size > kMaxExpandedAtoms)
        return err("regex: counted repetitions expand to more than " + std::to_string(kMaxExpandedAtoms) +
                       " atoms (e.g. (a{100}){100})",
                   ErrorKind::Config);
    std::shared_ptr<Regex> r(new Regex());
    r->impl_ = std::make_unique<Impl>();
    r->pattern_ = pattern;
    // REG_NEWLINE: ^ and $ also match at line breaks, as grep -E reads a
    // body line by line ("^OK$" matches a body "OK\n").
    int rc = ::regcomp(&r->impl_->re, pattern.c_str(), REG_EXTENDED | REG_NOSUB | REG_NEWLINE);
    if (rc != 0) {
        char buf[160];
        ::regerror(rc, &r->impl_->re, buf, sizeof buf);
        return err("regex: " + std::string(buf), ErrorKind::Config);
    }
    r->impl_->compiled = true;
    return std::shared_ptr<const Regex>(std::move(r));
}

Regex::~Regex() = default;

bool Regex::search(std::string_view text) const {
#ifdef REG_STARTEND
    // glibc: the range is given, so NUL bytes in the text are matched over.
    regmatch_t range[1];
    range[0].rm_so = 0;
    range[0].rm_eo = static_cast<regoff_t>(text.size());
    static const char empty[] = "";
    return ::regexec(&impl_->re, text.empty() ? empty : text.data(), 1, range, REG_STARTEND) == 0;
#else
    // No REG_STARTEND (musl): search each NUL-free part on its own.
    size_t start = 0;
    for (;;) {
        size_t nul = text.find('\0', start);
        std::string part(text.substr(start, nul == std::string_view::npos ? std::string_view::npos : nul - start));
        if (::regexec(&impl_->re, part.c_str(), 0, nullptr, 0) == 0) return true;
        if (nul == std::string_view::npos) return false;
        start = nul + 1;
    }
#endif
}

}  // namespace hc
