# Shared by the network-namespace scripts of tests/netns (real-nat.sh, lobby-nat.sh): namespace naming
# and clean-up, leftovers of killed runs, PASS/FAIL bookkeeping, logs, and the two building blocks of every
# topology (a namespace, a veth link), and the daemon helpers (kad, wait_ready, status). Sourced, never
# run. The caller sets -euo pipefail, defines say(), sets kad_dll
# and sets `prefix` (its namespaces' name prefix) and `work_name` (its scratch directory's name).
: "${prefix:?set prefix before sourcing netns-common.sh}" "${work_name:?set work_name before sourcing netns-common.sh}"

# Namespace names carry this script's PID, so concurrent runs never collide and a leftover of a run that
# was killed outright (SIGKILL leaves no chance to clean up) is recognised and removed below.
tag="$prefix$$"
work=$(mktemp -d "/tmp/$work_name.XXXXXX")
namespaces=()
node_pids=()
passed=0
failed=0
started=$SECONDS

ns() { local name=$1; shift; ip netns exec "$tag-$name" "$@"; }

kill_namespace_processes() {
  local pid
  for pid in $(ip netns pids "$1" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  local pid deadline
  for pid in "${node_pids[@]}"; do kill -TERM "$pid" 2>/dev/null; done
  deadline=$((SECONDS + 10))
  for pid in "${node_pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
    kill -KILL "$pid" 2>/dev/null
  done
  local name
  for name in "${namespaces[@]}"; do
    kill_namespace_processes "$name"
    ip netns del "$name" 2>/dev/null
  done
  if [ "${KAD_NETNS_KEEP:-}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$rc"
}
trap cleanup EXIT
trap 'say "FAIL interrupted or timed out after $((SECONDS - started)) s"; exit 124' INT TERM

# Leftovers of earlier runs that died without cleaning up: only our prefix, only when that PID is gone.
for stale in $(ip netns list | awk '{print $1}' | grep -E "^$prefix[0-9]+-" || true); do
  owner=${stale#"$prefix"}; owner=${owner%%-*}
  if ! kill -0 "$owner" 2>/dev/null; then
    say "removing leftover namespace $stale"
    kill_namespace_processes "$stale"
    ip netns del "$stale" || true
  fi
done

pass() { passed=$((passed + 1)); say "PASS $1${2:+ ($2)}"; }
failures=()
fail() { failed=$((failed + 1)); failures+=("$1${2:+ ($2)}"); say "FAIL $1${2:+ ($2)}"; }

# The failures again after the logs, so that the tail of the output (often all a CI report keeps) names them.
repeat_failures() {
  local line
  for line in "${failures[@]}"; do say "FAILED $line"; done
}

show_logs() {
  local log
  for log in "$work"/*.err; do
    say "--- last lines of $(basename "$log")"
    tail -n 15 "$log"
  done
}

# After a failure the rest cannot run (a node did not start).
abort() {
  show_logs
  repeat_failures
  say "$passed passed, $failed failed in $((SECONDS - started)) s (stopped early)"
  exit 1
}

# ---------------------------------------------------------------------------------------------------
# The network
add_namespace() {
  ip netns add "$tag-$1"
  namespaces+=("$tag-$1")
  ns "$1" ip link set lo up
}

# link A ifA addrA/len B ifB addrB/len: a veth pair created inside A with its peer moved straight into B,
# so no interface ever exists in the host's namespace.
link() {
  ip -n "$tag-$1" link add "$2" type veth peer name "$5" netns "$tag-$4"
  ip -n "$tag-$1" addr add "$3" dev "$2"
  ip -n "$tag-$4" addr add "$6" dev "$5"
  ip -n "$tag-$1" link set "$2" up
  ip -n "$tag-$4" link set "$5" up
}

# kad name args…: the kad CLI inside namespace name (the caller sets kad_dll).
kad() { local name=$1; shift; ns "$name" dotnet "$kad_dll" "$@"; }

# wait_ready name seconds: until the daemon prints "ready:", or fail if it exits or the deadline passes.
wait_ready() {
  local name=$1 deadline=$((SECONDS + $2)) pid_var="pid_$1"
  while ! grep -q '^ready:' "$work/$name.out" 2>/dev/null; do
    if ! kill -0 "${!pid_var}" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      fail "$name started" "no 'ready:' line; stderr tail: $(tail -n 5 "$work/$name.err" | tr '\n' ' ')"
      return 1
    fi
    sleep 0.5
  done
  pass "$name started" "$(grep '^ready:' "$work/$name.out")"
}

# status name: the daemon's status as JSON ({} when it does not answer).
status() { kad "$1" status --json --data-dir "$work/$1" --timeout 5 2>/dev/null | jq -c '.status' 2>/dev/null || echo '{}'; }
