# spec_lines.sh — sourced by run_guests.sh and ../run_http.sh: the spec
# reading and the per-case verdict they share (format in README.md).
#   spec_lines SPEC_FILE NAME [DIFFERENCES_FILE]
# prints the KEY<TAB>VALUE lines of SPEC_FILE; with DIFFERENCES_FILE (a
# jco.differences), its lines `NAME KEY VALUE` replace the spec's lines
# with the same KEY and come last.
#   jco_p2shim JCO
# prints the directory of the preview2-shim package that jco resolves (its
# generated code and jco_init.mjs must share that copy).
#   fail MESSAGE / check_outcome / report_case / summary
# the counting of passed, failed and skipped cases (below).

spec_lines() {
  local spec=$1 name=$2 differences=${3:-} line key value
  local -A overridden=()
  local diffs=()
  if [ -n "$differences" ] && [ -f "$differences" ]; then
    while IFS= read -r line || [ -n "$line" ]; do
      [[ -z $line || $line == \#* ]] && continue
      [ "${line%% *}" = "$name" ] || continue
      line=${line#* }
      key=${line%% *}; value=${line#"$key"}; value=${value# }
      overridden[$key]=1
      diffs+=("$key"$'\t'"$value")
    done < "$differences"
  fi
  while IFS= read -r line || [ -n "$line" ]; do
    [[ -z $line || $line == \#* ]] && continue
    key=${line%% *}; value=${line#"$key"}; value=${value# }
    [ -n "${overridden[$key]:-}" ] && continue
    printf '%s\t%s\n' "$key" "$value"
  done < "$spec"
  for line in "${diffs[@]+"${diffs[@]}"}"; do printf '%s\n' "$line"; done
}

jco_p2shim() {
  local jco_dir
  jco_dir=$(dirname "$(readlink -f "$1")")
  (cd "$jco_dir" && node --input-type=module \
    -e 'import {fileURLToPath} from "node:url"; console.log(fileURLToPath(import.meta.resolve("@bytecodealliance/preview2-shim/cli")))' \
    | sed 's|/dist/nodejs/cli.js$||')
}

passed=0 failed=0 skipped=0

# fail MESSAGE: prints "FAIL $name: MESSAGE" and counts a failed case.
fail() { echo "FAIL $name: $*"; failed=$((failed + 1)); }

# check_outcome RC EXIT_WANT EXPECTED ACTUAL DIFF_LINES: sets `problems`
# afresh to what is wrong with a case that exited RC and printed the file
# ACTUAL: a status other than EXIT_WANT, no transcript EXPECTED, or an ACTUAL
# that differs from it (shown as the first DIFF_LINES lines of diff -u).
check_outcome() {
  local rc=$1 exit_want=$2 expected=$3 actual=$4 diff_lines=$5
  problems=()
  [ "$rc" = "$exit_want" ] || problems+=("exit status $rc, expected $exit_want")
  if [ ! -f "$expected" ]; then
    problems+=("no transcript $expected")
  elif ! cmp -s "$expected" "$actual"; then
    problems+=("stdout differs from $(basename "$expected"):"$'\n'"$(diff -u "$expected" "$actual" | head -n "$diff_lines")")
  fi
}

# report_case STDERR_FILE MAX_BYTES: with `problems` empty prints
# "ok   $name" and counts a pass; otherwise fails with the problems, one a
# line, and shows the first MAX_BYTES of STDERR_FILE.
report_case() {
  if [ ${#problems[@]} -eq 0 ]; then
    echo "ok   $name"; passed=$((passed + 1))
  else
    fail "$(printf '%s\n' "${problems[@]}")"
    echo "     stderr: $(head -c "$2" "$1")"
  fi
}

# summary LABEL: prints the counts; its status is 0 when nothing failed.
summary() {
  echo "$1: $passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
}
