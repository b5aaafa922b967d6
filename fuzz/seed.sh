#!/usr/bin/env bash
# Builds the seed corpora of the fuzz targets in fuzz/corpus/<target>/ from
#   - the recorded fixtures of this repository (fixtures/*/),
#   - the raw OpenPegasus exchanges in $SMIS_SHARED/captures/openpegasus*/ (read at run
#     time, never copied into the repository; skipped when absent),
#   - the small hand-written seeds in fuzz/seeds/<target>/.
# Files are named by content hash, so running it again adds nothing twice.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
shared="${SMIS_SHARED:-$root/../shared}"
corpus="$here/corpus"
targets=(decode_response decode_request object_path wbem_uri datetime response_headers sim_request)
for t in "${targets[@]}"; do mkdir -p "$corpus/$t"; done

# add TARGET FILE: copies stdin-less FILE into the corpus of TARGET under its hash.
add() {
  local t="$1" f="$2" h
  [ -s "$f" ] || return 0
  h="$(sha1sum "$f" | cut -c1-40)"
  cp "$f" "$corpus/$t/$h"
}
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# The body of a raw HTTP message: everything after the first empty line.
body_of() { sed -e '1,/^\r\{0,1\}$/d' "$1"; }

n=0
# Recorded fixtures: request and response bodies.
for f in "$root"/fixtures/*/*.request.xml; do
  [ -e "$f" ] || continue
  add decode_request "$f"
  { printf '\000'; cat "$f"; } > "$tmp/s"; add sim_request "$tmp/s"
  n=$((n + 1))
done
for f in "$root"/fixtures/*/*.response.xml; do
  [ -e "$f" ] || continue
  add decode_response "$f"
  add response_headers "$f"
  n=$((n + 1))
done
# Sequences of up to four requests of one fixture for the simulator (jobs progress).
for d in "$root"/fixtures/*/; do
  files=("$d"*.request.xml)
  [ -e "${files[0]}" ] || continue
  : > "$tmp/q"; printf '\000' >> "$tmp/q"
  for i in 0 1 2 3; do
    [ -n "${files[$i]:-}" ] || break
    [ "$i" -gt 0 ] && printf '<!--NEXT-->' >> "$tmp/q"
    cat "${files[$i]}" >> "$tmp/q"
  done
  add sim_request "$tmp/q"
done
# Paths of method calls and datetimes in the fixtures.
{ grep -ho '"object": "[^"\\]*\(\\.[^"\\]*\)*"' "$root"/fixtures/*/manifest.json 2>/dev/null || true; } \
  | sed -e 's/^"object": "//' -e 's/"$//' -e 's/\\"/"/g' -e 's/\\\\/\\/g' | sort -u \
  | while IFS= read -r p; do printf '%s' "$p" > "$tmp/p"; add object_path "$tmp/p"; done
{ grep -ohE '[0-9*]{14}\.[0-9*]{6}[-+:][0-9*]{3}' "$root"/fixtures/*/*.xml 2>/dev/null || true; } | sort -u \
  | while IFS= read -r d; do printf '%s' "$d" > "$tmp/d"; add datetime "$tmp/d"; done

# OpenPegasus captures: whole responses (status, headers, chunked body, trailers) for
# response_headers; bodies for the decoders and the simulator.
m=0
for dir in "$shared"/captures/openpegasus*; do
  [ -d "$dir" ] || continue
  for f in "$dir"/*.request.* ; do
    [ -e "$f" ] || continue
    body_of "$f" > "$tmp/b"
    add decode_request "$tmp/b"
    { printf '\001'; cat "$tmp/b"; } > "$tmp/s"; add sim_request "$tmp/s"
    grep -o '^CIMObject: .*' "$f" | sed -e 's/^CIMObject: //' -e 's/\r$//' > "$tmp/o" || true
    add object_path "$tmp/o"
    m=$((m + 1))
  done
  for f in "$dir"/*.response.*; do
    [ -e "$f" ] || continue
    add response_headers "$f"
    body_of "$f" > "$tmp/b"
    add decode_response "$tmp/b"
    m=$((m + 1))
  done
  { grep -ohE '[0-9*]{14}\.[0-9*]{6}[-+:][0-9*]{3}' "$dir"/* 2>/dev/null || true; } | sort -u \
    | while IFS= read -r d; do printf '%s' "$d" > "$tmp/d"; add datetime "$tmp/d"; done
done

# Hand-written seeds.
for t in "${targets[@]}"; do
  for f in "$here"/seeds/"$t"/*; do
    [ -e "$f" ] && add "$t" "$f"
  done
done

echo "seeded from $n fixture files and $m capture files:"
for t in "${targets[@]}"; do
  printf '  %-18s %s inputs\n' "$t" "$(find "$corpus/$t" -type f | wc -l)"
done
