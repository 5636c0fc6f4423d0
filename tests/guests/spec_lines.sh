# spec_lines.sh — sourced by run_guests.sh and ../run_http.sh: the spec
# reading they share (format in README.md).
#   spec_lines SPEC_FILE NAME [DIFFERENCES_FILE]
# prints the KEY<TAB>VALUE lines of SPEC_FILE; with DIFFERENCES_FILE (a
# jco.differences), its lines `NAME KEY VALUE` replace the spec's lines
# with the same KEY and come last.
#   jco_p2shim JCO
# prints the directory of the preview2-shim package that jco resolves (its
# generated code and jco_init.mjs must share that copy).

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
