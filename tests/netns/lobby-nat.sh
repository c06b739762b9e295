#!/usr/bin/env bash
# The lobby across real NATs (issue 15, item 6): the GameLobby example's host and join commands, each in a
# private network namespace behind its own nftables NAT router, find each other through kad nodes in a
# public namespace and play a scripted game over DhtNode.ConnectAsync's channel. Game 1 is between two
# NATs that map endpoint-independently (plain masquerade keeps the source port): the punch gets through,
# the channel must be Direct. Game 2 has the joiner behind `masquerade random`, a new outside port per
# destination (address-and-port-dependent mapping, a "symmetric" NAT), against the host's port-restricted
# filter: no punch can work, the channel must be Relayed by one of the host's rendezvous points. Every
# move of every game must be delivered and applied on both sides, and each game reports the time from the
# joiner's ConnectAsync call to its first message arriving at the host (both clocks are this machine's).
#
#   sudo tests/netns/lobby-nat.sh           # needs root, ip (iproute2), nft (nftables), jq, dotnet
#
# Topology, all inside namespaces this script creates (nothing is attached to the host's own network;
# names, veths and subnets differ from real-nat.sh's, so the two never meet even when run together):
#
#   pub1 10.202.1.2 ─┐                 ┌─ nat1 wan 10.202.101.2 ─ masquerade ──────── lan 192.168.11.1 ─ lan1 .11.2 (hosts)
#   pub2 10.202.2.2 ─┼─ inet (router) ─┼─ nat2 wan 10.202.102.2 ─ masquerade ──────── lan 192.168.12.1 ─ lan2 .12.2 (joins game 1)
#   pub3 10.202.3.2 ─┘  10.202.N.1     └─ nat3 wan 10.202.103.2 ─ masquerade random ─ lan 192.168.13.1 ─ lan3 .13.2 (joins game 2)
#
# The public namespaces run `kad node` (servers: the DHT and the players' rendezvous points). The routers
# forward from the LAN out, and from the WAN in only what conntrack matches to a flow the inside started
# (port-restricted filtering). They also drop unsolicited packets that reach them (`ct state new` from the
# WAN, input and forward): a punch packet that arrives before the router's own outbound packet to that peer
# must leave no conntrack entry behind, or the outbound packet's mapping clashes with it and masquerade
# gives it another port (the punch then fails, or lands on a relay, by accident). The players run as
# clients (--mode client): real-nat.sh checks how a node finds out that it is behind a NAT, which takes
# one to two minutes of probes; here the lobby is what is tested.
#
# Prints PASS/FAIL per check and a TIMES line per path, and exits 0 only when every check passed.
# KAD_LOBBY_ROUNDS (default 1) plays that many pairs of games, each pair with fresh processes and ports.
# Bounded in time: the whole run is under `timeout` (KAD_NETNS_TIMEOUT seconds, default 240) and every
# wait has a deadline. On exit (any exit, a failure, Ctrl-C, the timeout) it stops its processes and
# deletes its namespaces, which takes their veths and nftables tables with them. KAD_NETNS_KEEP=1 keeps
# the work directory (logs). Environment: KAD_DLL, the built kad.dll (default
# src/Kademlia.Cli/bin/Release/net10.0/kad.dll); KAD_LOBBY_DLL, the built GameLobby.dll (default
# examples/GameLobby/bin/Release/net10.0/GameLobby.dll).
set -euo pipefail

limit=${KAD_NETNS_TIMEOUT:-240}
if [ -z "${KAD_NETNS_UNDER_TIMEOUT:-}" ]; then
  export KAD_NETNS_UNDER_TIMEOUT=1
  # timeout signals the whole process group (this script and the nodes) with TERM, then KILL 20 s later.
  exec timeout --kill-after=20 "$limit" bash "$0" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kad_dll=${KAD_DLL:-$repo/src/Kademlia.Cli/bin/Release/net10.0/kad.dll}
lobby_dll=${KAD_LOBBY_DLL:-$repo/examples/GameLobby/bin/Release/net10.0/GameLobby.dll}
rounds=${KAD_LOBBY_ROUNDS:-1}

say() { printf '%s lobby-nat: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

for tool in ip nft jq dotnet timeout; do
  command -v "$tool" >/dev/null || { say "FAIL missing tool: $tool"; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { say "FAIL must run as root (network namespaces)"; exit 2; }
[ -f "$kad_dll" ] || { say "FAIL $kad_dll not found; build it: dotnet build src/Kademlia.Cli -c Release"; exit 2; }
[ -f "$lobby_dll" ] || { say "FAIL $lobby_dll not found; build it: dotnet build examples/GameLobby -c Release"; exit 2; }
[[ "$rounds" =~ ^[1-9][0-9]?$ ]] || { say "FAIL KAD_LOBBY_ROUNDS must be 1 to 99"; exit 2; }

prefix=kadlob
work_name=kad-lobby-nat
source "$(dirname "${BASH_SOURCE[0]}")/netns-common.sh"

# router j mapping: a home router for lan j. "masquerade" keeps a flow's source port when it is free, so
# one inside socket has one outside port whatever the destination (endpoint-independent mapping);
# "masquerade random" draws the port from a hash of the destination (address-and-port-dependent mapping).
router() {
  local j=$1 masquerade=$2
  ns "nat$j" nft -f - <<EOF
table ip home {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" $masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "wan" ct state new drop
    iifname "lan" oifname "wan" accept
  }
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state new drop
  }
}
EOF
}

say "building the network ($tag-*)"
add_namespace inet
ns inet sysctl -qw net.ipv4.ip_forward=1
for i in 1 2 3; do
  add_namespace "pub$i"
  link inet "lp$i" "10.202.$i.1/24" "pub$i" eth0 "10.202.$i.2/24"
  ip -n "$tag-pub$i" route add default via "10.202.$i.1"
done
for j in 1 2 3; do
  add_namespace "nat$j"
  add_namespace "lan$j"
  link inet "lw$j" "10.202.10$j.1/24" "nat$j" wan "10.202.10$j.2/24"
  link "nat$j" lan "192.168.1$j.1/24" "lan$j" eth0 "192.168.1$j.2/24"
  ip -n "$tag-nat$j" route add default via "10.202.10$j.1"
  ip -n "$tag-lan$j" route add default via "192.168.1$j.1"
  ns "nat$j" sysctl -qw net.ipv4.ip_forward=1
done
router 1 masquerade
router 2 masquerade
router 3 "masquerade random"
declare -A mapping=([lan1]="endpoint-independent" [lan2]="endpoint-independent" [lan3]="address-and-port-dependent")

# ---------------------------------------------------------------------------------------------------
# The public nodes

start_node() {
  local name=$1; shift
  ns "$name" dotnet "$kad_dll" node --network test --data-dir "$work/$name" --port 4000 --mode server "$@" \
    >"$work/$name.out" 2>"$work/$name.err" &
  node_pids+=($!)
  eval "pid_$name=$!"
}

# relays: relay circuits the public nodes opened so far, summed.
relays() {
  local i total=0 n
  for i in 1 2 3; do n=$(status "pub$i" | jq -r '.relayCircuitsOpened // 0'); total=$((total + n)); done
  echo "$total"
}

say "starting 3 public nodes"
start_node pub1 --bind 10.202.1.2
wait_ready pub1 60 || abort
for i in 2 3; do start_node "pub$i" --bind "10.202.$i.2" --bootstrap 10.202.1.2:4000; done
for i in 2 3; do wait_ready "pub$i" 60 || abort; done

# ---------------------------------------------------------------------------------------------------
# The games
lobby() {
  local name=$1; shift
  ns "$name" dotnet "$lobby_dll" "$@" --network test --mode client --json
}

# stranger_check lan port: a fresh one-shot node in pub3 pings the host's outside endpoint (masquerade
# kept its port) and gets no answer, while the same kind of ping to a public node is answered: a punch is
# needed to reach the host, the router does not let strangers in.
stranger_check() {
  local wan="10.202.10${1#lan}.2:$2" control=0 stranger=0
  kad pub3 ping 10.202.1.2:4000 --bootstrap 10.202.3.2:4000 --network test --json --timeout 10 >/dev/null 2>&1 || control=$?
  kad pub3 ping "$wan" --bootstrap 10.202.3.2:4000 --network test --json --timeout 5 >/dev/null 2>&1 || stranger=$?
  if [ "$control" -eq 0 ] && { [ "$stranger" -eq 1 ] || [ "$stranger" -eq 10 ]; }; then
    pass "the host's NAT drops a stranger's packets" "ping of a public node: exit 0; ping of the host at $wan: exit $stranger (no answer)"
  else
    fail "the host's NAT drops a stranger's packets" "ping of a public node: exit $control (want 0); ping of the host at $wan: exit $stranger (want 1 or 10)"
  fi
}

direct_times=()
relayed_times=()

# game label host joiner expected-path port: the host announces a table in lobby <label> and plays it
# with the joiner; each binds its private address at <port>, a port no earlier game used (fresh mappings).
game() {
  local label=$1 host=$2 joiner=$3 expected=$4 port=$5
  local h="$work/$label-host" j="$work/$label-join" before after
  local host_ip="192.168.1${host#lan}.2" joiner_ip="192.168.1${joiner#lan}.2"
  before=$(relays)
  say "game $label: $host (${mapping[$host]} NAT) hosts, $joiner (${mapping[$joiner]} NAT) joins; expecting $expected"
  lobby "$host" host --bind "$host_ip:$port" --bootstrap 10.202.1.2:4000 --lobby "$label" --name Alice --timeout 90 >"$h.json" 2>"$h.err" &
  local host_pid=$!
  node_pids+=("$host_pid")
  local deadline=$((SECONDS + 60))
  while ! grep -q 'announced' "$h.err" 2>/dev/null; do
    if ! kill -0 "$host_pid" 2>/dev/null || [ $SECONDS -ge $deadline ]; then
      fail "game $label: the host announced its table" "stderr tail: $(tail -n 5 "$h.err" | tr '\n' ' ')"
      kill -TERM "$host_pid" 2>/dev/null || true
      return
    fi
    sleep 0.2
  done
  pass "game $label: the host announced its table" "$(grep -o 'announced.*' "$h.err" | head -n 1)"
  if [ "$label" = r1-direct ]; then stranger_check "$host" "$port"; fi

  local join_rc=0 host_rc=0
  lobby "$joiner" join --bind "$joiner_ip:$port" --bootstrap 10.202.2.2:4000 --lobby "$label" --name Carol --timeout 90 >"$j.json" 2>"$j.err" || join_rc=$?
  # The host stays 3 s after the game for a late retry, then prints; it has its own 90 s limit.
  deadline=$((SECONDS + 100))
  while kill -0 "$host_pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
  wait "$host_pid" || host_rc=$?
  after=$(relays)

  if [ "$join_rc" -ne 0 ] || [ "$host_rc" -ne 0 ]; then
    fail "game $label: both players finished" "join exit $join_rc: $(tail -n 3 "$j.err" | tr '\n' ' '); host exit $host_rc: $(tail -n 3 "$h.err" | tr '\n' ' ')"
    return
  fi
  local hj jj
  hj=$(jq -c . "$h.json" 2>/dev/null || echo '{}')
  jj=$(jq -c . "$j.json" 2>/dev/null || echo '{}')

  local path final
  path=$(jq -r '.path // ""' <<<"$jj"); final=$(jq -r '.finalPath // ""' <<<"$jj")
  if [ "$path" = "$expected" ]; then
    pass "game $label: the channel is $expected" "at ConnectAsync's return; at the end $final; ConnectAsync took $(jq -r .connectMs <<<"$jj") ms"
  else
    fail "game $label: the channel is $expected" "it was '$path' (at the end '$final')"
  fi
  # Direct through a punch: the joiner asked a rendezvous and punched (the host's router drops strangers:
  # checked once below). Whether the punch counts as succeeded is known only when its 2.5 s window is
  # over, which a short game may not see; the path is what tells.
  local punches
  punches=$(jq -r '(.punchesStarted // 0)' <<<"$jj")
  if [ "$punches" -ge 1 ]; then pass "game $label: the joiner punched" "punches started $punches, succeeded by the time it printed $(jq -r .punchesSucceeded <<<"$jj")"; else fail "game $label: the joiner punched" "$(jq -c '{punchesStarted, punchesSucceeded}' <<<"$jj")"; fi
  if [ "$expected" = Relayed ]; then
    if [ "$after" -gt "$before" ]; then pass "game $label: a rendezvous relayed it" "relay circuits opened by the public nodes: $before before, $after after"; else fail "game $label: a rendezvous relayed it" "relay circuits opened: $before before, $after after"; fi
  else
    if [ "$after" -eq "$before" ]; then pass "game $label: no relay was used" "relay circuits opened by the public nodes: $after before and after"; else fail "game $label: no relay was used" "relay circuits opened: $before before, $after after"; fi
  fi

  # Every move delivered: both sides end with the same finished table, and each side applied every move
  # the other made (the host moves first: 3 of the 5 default moves, the guest 2).
  local hs js played
  hs=$(jq -r '.state // ""' <<<"$hj"); js=$(jq -r '.state // ""' <<<"$jj")
  played=$(jq -r '.board // "" | gsub("\\."; "") | length' <<<"$hj")
  if [ -n "$hs" ] && [ "$hs" = "$js" ] && [ "$(jq -r .status <<<"$hj")" = "won by Alice" ] \
    && [ "$(jq -r '.movesSent + .movesReceived' <<<"$hj")" = "$played" ] \
    && [ "$(jq -r .movesSent <<<"$hj")" = "$(jq -r .movesReceived <<<"$jj")" ] \
    && [ "$(jq -r .movesSent <<<"$jj")" = "$(jq -r .movesReceived <<<"$hj")" ]; then
    pass "game $label: every move delivered, both hold the same table" "$played moves (host sent $(jq -r .movesSent <<<"$hj"), joiner $(jq -r .movesSent <<<"$jj")); $hs"
  else
    fail "game $label: every move delivered, both hold the same table" "host: $hj; joiner: $jj"
  fi

  # ConnectAsync to the first message at the host: the joiner's clock when it called ConnectAsync, the
  # host's when the JOIN arrived; one machine, one clock.
  local ms
  ms=$(jq -rn --argjson h "$hj" --argjson j "$jj" '($h.firstMessageAtUnixMs - $j.connectStartedAtUnixMs) | . * 10 | round / 10')
  say "game $label: ConnectAsync to the first message at the host: $ms ms ($path); to the host's answer back at the joiner: $(jq -r .firstAnswerMs <<<"$jj") ms"
  if [ "$path" = Direct ]; then direct_times+=("$ms"); elif [ "$path" = Relayed ]; then relayed_times+=("$ms"); fi
}

for ((r = 1; r <= rounds; r++)); do
  game "r$r-direct" lan1 lan2 Direct $((5000 + 2 * r))
  game "r$r-relayed" lan1 lan3 Relayed $((5001 + 2 * r))
done

# summarize label values...: count, median and range, for the docs.
summarize() {
  local label=$1; shift
  [ $# -gt 0 ] || { say "TIMES $label: none"; return; }
  printf '%s\n' "$@" | sort -g | awk -v label="$label" -v when="$(date -u +%H:%M:%S)" '
    { v[NR] = $1 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "%s lobby-nat: TIMES %s: %d games, ConnectAsync to the first message median %.0f ms, range %.0f-%.0f ms\n", when, label, NR, m, v[1], v[NR] }'
}
summarize direct "${direct_times[@]}"
summarize relayed "${relayed_times[@]}"

# ---------------------------------------------------------------------------------------------------
if [ "$failed" -ne 0 ]; then
  show_logs
  repeat_failures
fi
say "$passed passed, $failed failed in $((SECONDS - started)) s"
[ "$failed" -eq 0 ] || exit 1
