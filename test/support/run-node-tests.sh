# Sourced by the test runners (test/integration/run.sh, test/cluster/run.sh):
#   run_node_tests DIR [node --test options, as --name=value] [test files]
# Options go before the files; files given on the command line replace DIR's full list
# (every DIR/**/*.test.ts). One file at a time: the tests share one broker.
run_node_tests() {
  local dir=$1 arg
  shift
  local options=() files=()
  for arg in "$@"; do
    if [[ $arg == -* ]]; then options+=("$arg"); else files+=("$arg"); fi
  done
  if ((${#files[@]} == 0)); then
    mapfile -t files < <(find "$dir" -name '*.test.ts' | sort)
  fi
  node --import tsx --test --test-concurrency=1 --test-reporter=spec "${options[@]}" "${files[@]}"
}
