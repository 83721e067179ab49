#!/bin/bash
# Container mode command line: every option spelling the original accepted,
# tokens anywhere, help/version, and usage errors (exit 2).
. "$(dirname "$0")/../lib.sh"

# The request the mock recorded last, as "path|method|tokens".
dt_tokens() {
  "$PY" -c '
import json,sys
print(",".join(sorted(json.loads(l)["query"]["access_token"] for l in open(sys.argv[1]) if "/robot/send" in l)))' "$T/requests.jsonl"
}
dt_title() {
  "$PY" -c '
import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if "/robot/send" in l][0]
print(json.loads(r["body"])["markdown"]["title"])' "$T/requests.jsonl"
}

# spelling SHORT LONG -> runs a check with every spelling of -n/-u/-t/-m/-f
# and checks the values were all taken.
spelling() { # form: one of eq colon space leq lcolon lspace
  start_mock
  local form=$1 args=() o v
  local -a opts=(n:名字 u:$MOCK_URL/status/200?body=hello-kw t:3000 m:hello-kw f:$T/st)
  local -A long=([n]=name [u]=url [t]=timeout [m]=match [f]=file)
  for ov in "${opts[@]}"; do
    o=${ov%%:*}; v=${ov#*:}
    case $form in
      eq) args+=("-$o=$v") ;;
      colon) args+=("-$o:$v") ;;
      space) args+=("-$o" "$v") ;;
      leq) args+=("--${long[$o]}=$v") ;;
      lcolon) args+=("--${long[$o]}:$v") ;;
      lspace) args+=("--${long[$o]}" "$v") ;;
    esac
  done
  run env HEALTHCHECK_DINGTALK_URL=$MOCK_URL/robot/send "$HC" tok1 "${args[@]:0:4}" tok2 "${args[@]:4}" tok3
  assert_eq 0 "$RC" "rc ($form) $ERR"
  assert_file_eq "$T/st" 2
  assert_eq "tok1,tok2,tok3" "$(dt_tokens)" tokens
  assert_eq "[名字]已启动,运行正常" "$(dt_title)" title
  # The keyword was taken: a body without it fails.
  local bad=("${args[@]}")
  run "$HC" "${bad[@]}" "$( [ "${form#l}" != "$form" ] && echo --match || echo -m)" absent-kw
  assert_eq 12 "$RC" "rc with absent keyword ($form)"
}
test_spelling_short_eq()     { spelling eq; }
test_spelling_short_colon()  { spelling colon; }
test_spelling_short_space()  { spelling space; }
test_spelling_long_eq()      { spelling leq; }
test_spelling_long_colon()   { spelling lcolon; }
test_spelling_long_space()   { spelling lspace; }

test_timeout_option_spellings_take_effect() {
  start_mock
  local t0 t1 form
  for form in "-t=300" "-t:300" "--timeout=300" "--timeout:300"; do
    t0=$(now_ms); run "$HC" -u $MOCK_URL/hang -f st "$form"; t1=$(now_ms)
    assert_ne 0 "$RC" "rc ($form)"
    assert_time_lt $((t1 - t0)) 1500 "duration with $form"
  done
}

test_report_spellings() {
  start_mock
  local form
  for form in "-r=$MOCK_URL/report" "-r:$MOCK_URL/report" "--report=$MOCK_URL/report" "--report:$MOCK_URL/report"; do
    run "$HC" -u "$MOCK_URL/json?body={\"a\":1}" -f st "$form"
    assert_eq 0 "$RC" "rc ($form)"
  done
  assert_eq 4 "$(grep -c '"path":"/report"' requests.jsonl)" "reports sent"
}

test_value_with_colon_and_equals() {
  # -u=http://... keeps everything after the first separator.
  start_mock
  run "$HC" "-u=$MOCK_URL/status/200?body=a=b:c" "-m:a=b:c" -f st
  assert_eq 0 "$RC" "rc: $OUT $ERR"
}

test_help() {
  local f
  for f in -h --help; do
    run "$HC" $f
    assert_eq 0 "$RC" "rc $f"
    assert_contains "$OUT" "usage:" "stdout of $f"
    assert_contains "$OUT" "--url" "stdout of $f"
    assert_eq "" "$ERR" "stderr of $f"
  done
}

test_version() {
  run "$HC" --version
  assert_eq 0 "$RC" rc
  [[ $OUT =~ ^healthcheck\ [0-9]+\.[0-9]+\.[0-9]+ ]] || _fail "version line: [$OUT]"
}

# usage_error ARGS... : exit 2, first stderr line says what is wrong,
# usage follows on stderr, nothing on stdout, no state file.
usage_error() {
  local want=$1; shift
  run "$HC" "$@"
  assert_eq 2 "$RC" "rc for $*"
  assert_eq "" "$OUT" "stdout for $*"
  local first=${ERR%%$'\n'*}
  assert_contains "$first" "$want" "first stderr line for $*"
  assert_contains "$ERR" "usage:" "stderr for $*"
  [ -e st ] && _fail "state file written on usage error ($*)"
  return 0
}

test_usage_missing_url()     { usage_error "-u" -n x -f st; }
test_usage_no_args()         { usage_error "-u" ; }
test_usage_timeout_text()    { usage_error "timeout" -u http://127.0.0.1:9/ -t abc -f st; }
test_usage_timeout_suffix()  { usage_error "timeout" -u http://127.0.0.1:9/ -t 5s -f st; }
test_usage_timeout_negative(){ usage_error "timeout" -u http://127.0.0.1:9/ -t=-5 -f st; }
test_usage_unknown_long()    { usage_error "bogus" -u http://127.0.0.1:9/ --bogus -f st; }
test_usage_unknown_short()   { usage_error "x" -u http://127.0.0.1:9/ -x -f st; }
test_usage_ftp_url()         { usage_error "http" -u ftp://x -f st; }
test_usage_bare_host()       { usage_error "http" -u 127.0.0.1 -f st; }
test_usage_option_without_value() { usage_error "argument" -f st -u; }

# Issue 11.2: a -u that can not be probed (bad port, unparsable) is a usage
# error, never a check failure: exit 2, the state file neither created nor
# written, and the message names the problem without echoing the URL.
test_usage_bad_url_after_scheme() {
  usage_error "port" -u http://127.0.0.1:99999/ -f st
  usage_error "port" -u http://127.0.0.1:0/ -f st
  usage_error "IPv6" -u "http://[::1/" -f st
  usage_error "host" -u "http:///path" -f st
  # An existing state file is left exactly as it was.
  printf '2\n' > st; touch -d '2020-01-01 00:00:00' st
  run "$HC" -u http://127.0.0.1:99999/ -f st
  assert_eq 2 "$RC" "rc with an existing state file"
  assert_file_eq st 2
  assert_eq "2020-01-01" "$(date -r st +%F)" "state file mtime"
}

test_usage_bad_url_hides_credentials_and_tokens() {
  local u
  for u in "http://user:Pw-Cli-80801@127.0.0.1:99999/?access_token=Tok-Cli-90902&sign=Sig-Cli-30303" \
           "http://user:Pw-Cli-80801/?access_token=Tok-Cli-90902" \
           "https://user:Pw-Cli-80801@[::1/x?sign=Sig-Cli-30303" \
           "ftp://user:Pw-Cli-80801@h/?access_token=Tok-Cli-90902"; do
    usage_error "-u/--url" -u "$u" -f st
    assert_not_contains "$OUT$ERR" "Pw-Cli-80801" "output for $u"
    assert_not_contains "$OUT$ERR" "Tok-Cli-90902" "output for $u"
    assert_not_contains "$OUT$ERR" "Sig-Cli-30303" "output for $u"
  done
  usage_error "--webhook" -u http://127.0.0.1:9/ --webhook "http://127.0.0.1:0/hooks/Hook-Cli-40404?k=Tok-Cli-90902" -f st
  assert_not_contains "$ERR" "Hook-Cli-40404" "stderr for a bad --webhook"
  assert_not_contains "$ERR" "Tok-Cli-90902" "stderr for a bad --webhook"
}

# Issue 11.10: the scheme is case-insensitive (-u and --webhook alike).
test_upper_case_scheme_accepted() {
  start_mock
  run "$HC" -u "HTTP://127.0.0.1:$MOCK_PORT/status/200" --webhook "HTTP://127.0.0.1:$MOCK_PORT/webhook" -f st -t 3000
  assert_eq 0 "$RC" "rc: $OUT $ERR"
  assert_file_eq st 2
  assert_contains "$OUT" "http://127.0.0.1:$MOCK_PORT/status/200 pass"
  grep -q '"path":"/webhook"' requests.jsonl || _fail "webhook given as HTTP:// not called"
}

# Issue 11.15: control bytes in values echoed by a usage error are escaped.
test_usage_error_escapes_control_bytes() {
  usage_error "timeout" -u http://127.0.0.1:9/ -t $'\e[2J5' -f st
  assert_not_contains "$ERR" $'\e' "stderr"
  assert_contains "$ERR" '\x1b[2J5' "stderr"
}

run_tests
