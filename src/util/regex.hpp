#pragma once
// POSIX extended regular expressions (regcomp/regexec) with bounds: the
// pattern's length, no back-references (they make matching exponential)
// and the size counted repetitions expand to ("((a{100}){100}){100}"
// makes regcomp build a million-state automaton).
#include <memory>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace hc {

// The number of atoms `pattern` expands to once counted repetitions are
// unrolled ("(ab){10}" -> 20), capped just above Regex::kMaxExpandedAtoms;
// an error for a back-reference.
Result<size_t> regex_expanded_size(std::string_view pattern);

class Regex {
public:
    static constexpr size_t kMaxPatternBytes = 512;
    static constexpr size_t kMaxExpandedAtoms = 10000;

    // REG_EXTENDED | REG_NOSUB | REG_NEWLINE. Errors start with "regex: "
    // and have ErrorKind::Config.
    static Result<std::shared_ptr<const Regex>> compile(const std::string& pattern);
    ~Regex();
    Regex(const Regex&) = delete;
    Regex& operator=(const Regex&) = delete;

    // True when the pattern matches anywhere in text (NUL bytes included).
    // Even without back-references regexec can be quadratic in the text
    // for some patterns ("(a|aa)*c"): callers bound the text.
    bool search(std::string_view text) const;
    const std::string& pattern() const { return pattern_; }

private:
    Regex() = default;
    struct Impl;
    std::unique_ptr<Impl> impl_;
    std::string pattern_;
};

}  // namespace hc
