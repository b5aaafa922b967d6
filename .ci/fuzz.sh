#!/usr/bin/env bash
# The fuzz step of CI: builds the cargo-fuzz targets of fuzz/ and runs each for a short
# fixed time on corpora seeded from fixtures/ and the OpenPegasus captures. Fails on any
# crash, panic, timeout or out-of-memory input (libFuzzer exits non-zero) and prints the
# input that caused it.
#
#   bash .ci/fuzz.sh            # every target, FUZZ_SECONDS (default 20) each
#   bash .ci/fuzz.sh datetime   # one target
#
# cargo-fuzz needs nightly-only rustc flags; RUSTC_BOOTSTRAP=1 lets the stable toolchain
# accept them. No sanitizer (`-s none`): the code under test forbids `unsafe`, and the
# build and the runs are several times faster; debug assertions and overflow checks are on
# (fuzz/Cargo.toml).
set -euo pipefail
cd "$(dirname "$0")/.."
export RUSTC_BOOTSTRAP=1
export CARGO_TERM_COLOR=never
export SMIS_SHARED="${SMIS_SHARED:-$(cd .. && pwd)/shared}"
seconds="${FUZZ_SECONDS:-20}"
targets=(decode_response decode_request object_path wbem_uri datetime response_headers sim_request)
[ $# -gt 0 ] && targets=("$@")

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

cd fuzz
echo "== fmt and clippy on the fuzz targets (their own workspace)"
cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
bash seed.sh
echo "== building the fuzz targets"
cargo fuzz build -s none

cat cimxml.dict hostile.dict > target/sim_request.dict
failed=()
for t in "${targets[@]}"; do
  dict=cimxml.dict
  [ "$t" = sim_request ] && dict=target/sim_request.dict
  echo "== fuzzing $t for ${seconds}s"
  rm -rf "artifacts/$t"
  set +e
  cargo fuzz run -s none "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -timeout=30 -rss_limit_mb=2048 -dict="$dict" \
    -print_final_stats=1 > "target/$t.log" 2>&1
  rc=$?
  set -e
  grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb|^Done [0-9]+ runs' "target/$t.log" || true
  if [ "$rc" -ne 0 ]; then
    failed+=("$t")
    tail -n 60 "target/$t.log"
    for a in artifacts/"$t"/*; do
      [ -e "$a" ] || continue
      echo "-- $a (base64):"
      head -c 65536 "$a" | base64
    done
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzzing found crashes in: ${failed[*]}"
  exit 1
fi
echo "fuzzing: ${#targets[@]} targets, no crash"
