#!/bin/bash
# Rules the build's size and start-up depend on, checked on the sources and
# the binary. iostreams cost the static glibc binary 463 KB and 450 KB of
# peak RSS (std::ios_base::Init sets up cin/cout/cerr and their locales at
# every start), and the musl binary about 110 KB of locale code
# (docs/BENCHMARKS.md). third_party/*/PATCHES.md lists what we changed there.
. "$(dirname "$0")/../lib.sh"

test_no_iostreams_in_src() {
  local hits
  hits=$(grep -rnE '#include <(iostream|sstream|fstream)>|std::(cout|cerr|cin|clog|[io]?stringstream|[io]?fstream)\b' \
         "$HC_ROOT/src" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//' || true)
  [ -z "$hits" ] || _fail "iostreams in src/ (use TextBuilder, hc::read_file, stdio): $hits"
}

test_vendored_headers_do_not_pull_iostream() {
  grep -n '#include <iostream>' "$HC_ROOT/third_party/picojson/picojson.h" \
    && _fail "picojson.h includes <iostream> again (third_party/picojson/PATCHES.md)"
  # cxxopts includes it only for CXXOPTS_NO_EXCEPTIONS, which we never define.
  local before
  before=$(grep -B1 '#include <iostream>' "$HC_ROOT/third_party/cxxopts/cxxopts.hpp" | head -1)
  [ -z "$before" ] || assert_eq "#ifdef CXXOPTS_NO_EXCEPTIONS" "$before" "guard of cxxopts' <iostream>"
  grep -rq 'CXXOPTS_NO_EXCEPTIONS' "$HC_ROOT/Makefile" "$HC_ROOT/mk" && _fail "CXXOPTS_NO_EXCEPTIONS is defined"
  grep -v '^[[:space:]]*//' "$HC_ROOT/third_party/cxxopts/cxxopts.hpp" | grep -q 'std::locale::classic()' \
    && _fail "cxxopts.hpp uses std::locale::classic() again (third_party/cxxopts/PATCHES.md)"
  return 0
}

# The glibc build links no stream objects: no typeinfo of the wide ostream,
# which comes only with libstdc++'s iostream initialisation.
test_glibc_binary_has_no_stream_objects() {
  [ -x "$HC_ROOT/build/healthcheck" ] || { echo "  (no build/healthcheck; not checked)"; return 0; }
  strings "$HC_ROOT/build/healthcheck" | grep -q 'St13basic_ostreamIwSt11char_traitsIwEE' \
    && _fail "build/healthcheck links libstdc++'s iostream objects"
  return 0
}

# Layering: no file includes a layer above its own (the "may include" column
# of docs/ARCHITECTURE.md is the rule; scripts/check-layers.sh reads it).
test_no_include_of_a_higher_layer() {
  local out
  out=$("$HC_ROOT/scripts/check-layers.sh" "$HC_ROOT") || _fail "layer violations: $out"
}

# The check itself catches a planted violation (net/ including http/) and a
# folder the table does not know, in a copy of src/ and the doc.
test_layer_check_fails_on_planted_violation() {
  mkdir -p copy && cp -r "$HC_ROOT/src" "$HC_ROOT/docs" copy/
  "$HC_ROOT/scripts/check-layers.sh" copy >/dev/null || _fail "the unchanged copy fails"
  echo '#include "http/message.hpp"' >> copy/src/net/url.cpp
  local out
  out=$("$HC_ROOT/scripts/check-layers.sh" copy) && _fail "net/ including http/ passed"
  assert_contains "$out" "net/url.cpp: includes http/"
  sed -i '$d' copy/src/net/url.cpp
  mkdir copy/src/extra && echo '#include "util/text.hpp"' > copy/src/extra/x.cpp
  out=$("$HC_ROOT/scripts/check-layers.sh" copy) && _fail "a folder without a table row passed"
  assert_contains "$out" "src/extra/ has no row"
}

# The sources follow .clang-format (clang-format 14). Plant a badly formatted
# copy to see this fail: the check runs on the tracked C++ files only.
test_sources_are_clang_formatted() {
  command -v clang-format >/dev/null || _fail "clang-format missing (scripts/install-deps.sh test installs it)"
  local files out
  files=$(cd "$HC_ROOT" && git ls-files 'src/*.cpp' 'src/*.hpp' 'tests/*.cpp' 'tests/*.hpp' 2>/dev/null)
  [ -n "$files" ] || files=$(cd "$HC_ROOT" && find src tests -name '*.cpp' -o -name '*.hpp')
  out=$(cd "$HC_ROOT" && clang-format --dry-run -Werror $files 2>&1 | grep -E '^[^ ].*(error|warning):' | head -5)
  [ -z "$out" ] || _fail "not clang-formatted (run: clang-format -i FILE): $out"
  # The check itself can fail: a misformatted copy of one file is caught.
  sed 's/^    /  /' "$HC_ROOT/src/util/text.cpp" > "$T/bad.cpp"
  cp "$HC_ROOT/.clang-format" "$T/"
  (cd "$T" && clang-format --dry-run -Werror bad.cpp >/dev/null 2>&1) && _fail "a misformatted file passed the check"
  return 0
}

run_tests
