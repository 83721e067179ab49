#!/bin/bash
# Packaging files stay in step with the Makefile: Dockerfile.alpine builds
# with the same size/static flags, installs static libs for every -l the
# Makefile links, copies every source folder the build reads, and ships a
# scratch image with an exec-form HEALTHCHECK. Same for mk/musl.mk.
# Static checks only (no registry here to build the Alpine image).
. "$(dirname "$0")/../lib.sh"

DF=$HC_ROOT/Dockerfile.alpine

# Value of a Makefile variable as make expands it.
mkvar() {
  make -s --no-print-directory -C "$HC_ROOT" -f Makefile -f <(printf 'hc-print-%%:\n\t@echo $(%s)\n' '$*') "hc-print-$1" 2>/dev/null
}
# Dockerfile instructions with continuation lines joined.
df_joined() { sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$DF"; }

test_stages_and_scratch() {
  [ -f "$DF" ] || _fail "Dockerfile.alpine missing"
  local froms
  froms=$(grep -E '^FROM ' "$DF" | tr -s ' ')
  assert_eq "FROM alpine:3.21 AS build
FROM scratch" "$froms" "stages"
  # the final stage copies only from the build stage
  local last
  last=$(awk '/^FROM scratch/{f=1} f' "$DF")
  assert_not_contains "$last" "RUN " "scratch stage has no RUN (no shell there)"
  while read -r line; do
    assert_contains "$line" "--from=build" "COPY in scratch stage"
  done < <(grep -E '^COPY' <<<"$last")
  assert_contains "$last" "/healthcheck" "binary"
}

test_healthcheck_exec_form() {
  local hc
  hc=$(df_joined | grep -E '^HEALTHCHECK ')
  [ -n "$hc" ] || _fail "no HEALTHCHECK"
  [[ $hc =~ CMD\ *\[\ *\"/healthcheck\" ]] || _fail "HEALTHCHECK not in exec form: $hc"
  local ep
  ep=$(grep -E '^ENTRYPOINT' "$DF")
  [[ $ep =~ ENTRYPOINT\ *\[ ]] || _fail "ENTRYPOINT not in exec form: $ep"
  # the probe deadline (-t ms) stays below Docker's --timeout
  local t_ms to_s
  t_ms=$(sed -n 's/.*"-t", *"\([0-9]*\)".*/\1/p' <<<"$hc")
  to_s=$(sed -n 's/.*--timeout=\([0-9]*\)s.*/\1/p' <<<"$hc")
  [ -n "$t_ms" ] && [ -n "$to_s" ] || _fail "HEALTHCHECK needs -t and --timeout: $hc"
  assert_lt "$t_ms" "$((to_s * 1000))" "probe deadline vs docker timeout"
}

test_apk_packages_cover_makefile_libs() {
  local apk libs l pkg
  apk=" $(df_joined | grep -E '^RUN apk add' | head -1 | sed 's/^RUN apk add//; s/--[a-z-]*//g') "
  for pkg in build-base linux-headers; do
    assert_contains "$apk" " $pkg " "apk packages"
  done
  # Alpine links its own mbedtls packages (MBEDTLS=system); the Debian
  # builds link mbedTLS compiled from source into build/cache.
  assert_contains "$(df_joined | grep -E '^RUN make ')" "MBEDTLS=system" "Dockerfile uses Alpine's mbedtls"
  libs=$(MBEDTLS=system mkvar LDLIBS)
  assert_contains "$libs" "-lmbedtls" "Makefile LDLIBS"
  assert_contains "$libs" "-lyaml" "Makefile LDLIBS"
  for l in $libs; do
    case $l in
      -lmbedtls|-lmbedx509|-lmbedcrypto) pkg=mbedtls ;;
      -lyaml) pkg=yaml ;;
      -l*) _fail "Makefile links $l: add its -dev/-static apk packages to Dockerfile.alpine and to this test" ;;
      *) continue ;;
    esac
    assert_contains "$apk" " $pkg-dev " "apk packages for $l"
    assert_contains "$apk" " $pkg-static " "apk static libs for $l"
  done
}

test_build_flags_match_makefile() {
  local run sections ldflags opt static
  run=$(df_joined | grep -E '^RUN make ')
  [ -n "$run" ] || _fail "no 'RUN make' in Dockerfile.alpine"
  assert_contains "$run" "build/healthcheck" "make target"
  sections=$(mkvar SECTIONS); opt=$(mkvar OPT); static=$(mkvar STATIC); ldflags=$(mkvar LDFLAGS)
  assert_eq "-ffunction-sections -fdata-sections" "$sections" "Makefile SECTIONS"
  assert_eq "-static" "$static" "Makefile STATIC"
  assert_contains "$ldflags" "-Wl,--gc-sections" "Makefile LDFLAGS"
  assert_contains " $ldflags " " -s " "Makefile LDFLAGS strips"
  # what the Dockerfile passes equals the Makefile's defaults
  assert_contains "$run" "OPT=$opt " "Dockerfile OPT"
  assert_contains "$run" "STATIC=$static " "Dockerfile STATIC"
  assert_contains "$run" "LDFLAGS=\"$ldflags\"" "Dockerfile LDFLAGS"
  # nothing that would drop the section flags or the static link
  assert_not_contains "$run" "SECTIONS=" "Dockerfile overrides SECTIONS"
  assert_not_contains "$run" "ALL_CXXFLAGS=" "Dockerfile overrides ALL_CXXFLAGS"
  assert_contains "$run" "INTERP" "Dockerfile checks the binary is static"
}

test_copies_every_source_folder() {
  local copies inc d
  copies=$(grep -E '^COPY ' "$DF" | grep -v -- '--from')
  assert_contains "$copies" "COPY Makefile" "Makefile copied"
  assert_contains "$copies" "COPY src/" "src copied"
  inc=$(mkvar INCLUDES)
  for d in $inc; do
    d=${d#-I}; d=${d%%/*}
    assert_contains "$copies" "COPY $d/" "include folder $d copied"
  done
}

test_musl_flags_match_makefile() {
  local mk=$HC_ROOT/mk/musl.mk
  [ -f "$mk" ] || _fail "mk/musl.mk missing"
  local cxx ld
  cxx=$(mkvar MUSL_CXXFLAGS); ld=$(mkvar MUSL_LDFLAGS)
  assert_contains "$cxx" "$(mkvar SECTIONS)" "musl compile flags"
  assert_contains "$cxx" "$(mkvar OPT)" "musl compile flags"
  assert_contains "$cxx" "$(mkvar DEFINES)" "musl defines"
  assert_contains "$ld" "-static" "musl link flags"
  assert_contains " $ld " " -s " "musl link flags"
  assert_contains "$ld" "-Wl,--gc-sections" "musl link flags"
}

run_tests
