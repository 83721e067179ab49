#!/bin/bash
# Static analysis of src/ (`make lint`): clang-tidy with the curated
# .clang-tidy, then cppcheck. Third-party headers (third_party/, system)
# are not analysed. Exit 1 on any finding.
#   LINT_JOBS=N       parallel clang-tidy processes (default: nproc)
#   LINT_FILES="..."  only these .cpp files (default: every src/**/*.cpp)
#   LINT_MBEDTLS_INC  mbedTLS headers (make lint passes the cached 3.6 tree,
#                     build/cache/mbedtls/host/include, built by make mbedtls;
#                     empty: the system's, e.g. with MBEDTLS=system)
set -u
cd "$(dirname "$0")/.."
TIDY=$(command -v clang-tidy-14 || command -v clang-tidy || true)
CPPCHECK=$(command -v cppcheck || true)
if [ -z "$TIDY" ] || [ -z "$CPPCHECK" ]; then
  echo "lint: needs clang-tidy and cppcheck (apt-get install clang-tidy cppcheck)" >&2
  exit 2
fi
FILES=${LINT_FILES:-$(find src -name '*.cpp' | sort)}
MBEDTLS_INC=${LINT_MBEDTLS_INC-build/cache/mbedtls/host/include}
if [ -n "$MBEDTLS_INC" ] && [ ! -f "$MBEDTLS_INC/mbedtls/ssl.h" ]; then
  echo "lint: no mbedTLS headers in $MBEDTLS_INC (run make mbedtls, or use make lint)" >&2
  exit 2
fi
JOBS=${LINT_JOBS:-$(nproc)}
OUT=build/lint
mkdir -p "$OUT"

# compile_commands.json for clang-tidy (the Makefile's flags; third-party
# headers as -isystem so their warnings stay out of the report).
python3 - "$PWD" "$MBEDTLS_INC" $FILES >"$OUT/compile_commands.json" <<'PY'
import json, sys
root, mbedtls_inc, files = sys.argv[1], sys.argv[2], sys.argv[3:]
args = ["clang++", "-std=c++17", "-Isrc", "-isystem", "third_party/picojson",
        "-isystem", "third_party/cxxopts", '-DHC_VERSION="0.1.0"',
        "-DPICOJSON_USE_INT64", "-DCXXOPTS_NO_REGEX", "-DCXXOPTS_NO_HELP_DETAILS"]
if mbedtls_inc:
    args[2:2] = ["-isystem", mbedtls_inc]
print(json.dumps([{"directory": root, "file": f, "arguments": args + ["-c", f]} for f in files],
                 indent=1))
PY

echo "== clang-tidy ($(echo $FILES | wc -w) files, $JOBS jobs)"
rm -f "$OUT"/tidy.*.log
echo $FILES | tr ' ' '\n' | xargs -P "$JOBS" -I{} sh -c \
  '"$0" -p "$1" --quiet "$2" >"$1/tidy.$(echo "$2" | tr / _).log" 2>/dev/null' "$TIDY" "$OUT" {}
cat "$OUT"/tidy.*.log | grep -E '^[^ ].*: (warning|error):' | sort -u >"$OUT/tidy.txt"
tidy_n=$(wc -l <"$OUT/tidy.txt")
if [ "$tidy_n" != 0 ]; then
  cat "$OUT"/tidy.*.log
fi
echo "clang-tidy: $tidy_n finding(s)"

echo "== cppcheck"
"$CPPCHECK" --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
  --std=c++17 --language=c++ -q -j "$JOBS" -Isrc -DPICOJSON_USE_INT64 -DCXXOPTS_NO_REGEX -DCXXOPTS_NO_HELP_DETAILS \
  --suppress='*:third_party/*' --suppress=missingIncludeSystem \
  --template='{file}:{line}: {severity}: {message} [{id}]' $FILES 2>"$OUT/cppcheck.txt"
cc_rc=$?
cat "$OUT/cppcheck.txt"
cc_n=$(grep -c ': ' "$OUT/cppcheck.txt")
echo "cppcheck: $cc_n finding(s)"

[ "$tidy_n" = 0 ] && [ "$cc_rc" = 0 ] && [ "$cc_n" = 0 ]
