#!/usr/bin/env bash
# A real NAT (issue 14, item 6): kad nodes in Linux network namespaces, two of them behind nftables
# masquerade, and checks that the NATed nodes learn their translated address, find themselves Private,
# run as clients, still put, get, announce and find providers, and stay out of the public nodes' tables.
#
#   sudo tests/netns/real-nat.sh            # needs root, ip (iproute2), nft (nftables), jq, dotnet
#
# Topology, all inside namespaces this script creates (nothing is attached to the host's own network):
#
#   pub1 10.201.1.2 ─┐                      ┌─ nat1 wan 10.201.101.2 ── masquerade ── lan 192.168.1.1 ── lan1 192.168.1.2
#   pub2 10.201.2.2 ─┤                      │
#    ...             ├── inet (a router) ───┤
#   pub7 10.201.7.2 ─┘   10.201.N.1 each    │
#                                           └─ nat2 wan 10.201.102.2 ── masquerade ── lan 192.168.2.1 ── lan2 192.168.2.2
#
# Each public node sits in its own /24 because a node adopts an observed endpoint only when peers from
# three distinct /24 prefixes agree on it (docs/PROTOCOL.md, "Learning the public endpoint"). Five public
# nodes start first, then the NATed nodes, then the last two public nodes (why: see "creating identities").
# lan1 binds its private address (it advertises it until peers show it is seen elsewhere), lan2 the
# wildcard (on the test network that advertises 127.0.0.1). The NAT routers forward only what the inside
# started (conntrack), so a stranger's packet to the translated endpoint is dropped: endpoint-independent
# mapping with address-and-port-dependent filtering, as most home routers do.
#
# Prints PASS/FAIL per check and exits 0 only when every check passed. Bounded in time: the whole run is
# under `timeout` (KAD_NETNS_TIMEOUT seconds, default 360) and every wait has a deadline. On exit (any
# exit, a failure, Ctrl-C, the timeout) it stops its nodes and deletes its namespaces, which takes
# their veths and nftables tables with them. KAD_NETNS_KEEP=1 keeps the work directory (logs).
# Environment: KAD_DLL, the built kad.dll (default src/Kademlia.Cli/bin/Release/net10.0/kad.dll).
set -euo pipefail

limit=${KAD_NETNS_TIMEOUT:-360}
if [ -z "${KAD_NETNS_UNDER_TIMEOUT:-}" ]; then
  export KAD_NETNS_UNDER_TIMEOUT=1
  # timeout signals the whole process group (this script and the nodes) with TERM, then KILL 20 s later.
  exec timeout --kill-after=20 "$limit" bash "$0" "$@"
fi

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
kad_dll=${KAD_DLL:-$repo/src/Kademlia.Cli/bin/Release/net10.0/kad.dll}

say() { printf '%s real-nat: %s\n' "$(date -u +%H:%M:%S)" "$*"; }

for tool in ip nft jq dotnet timeout; do
  command -v "$tool" >/dev/null || { say "FAIL missing tool: $tool"; exit 2; }
done
[ "$(id -u)" -eq 0 ] || { say "FAIL must run as root (network namespaces)"; exit 2; }
[ -f "$kad_dll" ] || { say "FAIL $kad_dll not found; build it: dotnet build src/Kademlia.Cli -c Release"; exit 2; }

prefix=kadnat
work_name=kad-real-nat
source "$(dirname "${BASH_SOURCE[0]}")/netns-common.sh"
say "building the network ($tag-*)"
add_namespace inet
ns inet sysctl -qw net.ipv4.ip_forward=1
for i in 1 2 3 4 5 6 7; do
  add_namespace "pub$i"
  link inet "p$i" "10.201.$i.1/24" "pub$i" eth0 "10.201.$i.2/24"
  ip -n "$tag-pub$i" route add default via "10.201.$i.1"
done
for j in 1 2; do
  add_namespace "nat$j"
  add_namespace "lan$j"
  link inet "w$j" "10.201.10$j.1/24" "nat$j" wan "10.201.10$j.2/24"
  link "nat$j" lan "192.168.$j.1/24" "lan$j" eth0 "192.168.$j.2/24"
  ip -n "$tag-nat$j" route add default via "10.201.10$j.1"
  ip -n "$tag-lan$j" route add default via "192.168.$j.1"
  ns "nat$j" sysctl -qw net.ipv4.ip_forward=1
  # A home router forgets a UDP mapping (and with it the filter's exception for that peer) after 30 s
  # without traffic, where Linux keeps an answered flow 120 s: many routers use 30 s (RFC 4787 asks for
  # 2 minutes at least, routers often do less). Set after the nft rules below load conntrack.
  # The home router: inside traffic leaves with the router's address; from outside only answers to what
  # the inside started come back in. The inet router has no route to 192.168.0.0/16 anyway.
  ns "nat$j" nft -f - <<'EOF'
table ip home {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" masquerade
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
}
EOF
  ns "nat$j" sysctl -qw net.netfilter.nf_conntrack_udp_timeout=30 net.netfilter.nf_conntrack_udp_timeout_stream=30
done

# ---------------------------------------------------------------------------------------------------
# The nodes

start_node() {
  local name=$1; shift
  ns "$name" dotnet "$kad_dll" node --network test --data-dir "$work/$name" --port 4000 --log-level Debug "$@" \
    >"$work/$name.out" 2>"$work/$name.err" &
  node_pids+=($!)
  eval "pid_$name=$!"
}

# Identities first, so that roles can be dealt by ID. A reachability probe is dialled by one of the
# helper's contacts farther from the asker (docs/PROTOCOL.md, PROBE): in a big network a node the asker
# never talked to, so its dial meets the NAT's filter. In a network this small the NATed nodes talk to every
# public node there when they join, so the two public nodes farthest from them join just after them, and
# the NATed nodes keep mappings open to their 3 closest contacts only, so the others' mappings expire: the
# strangers a big network is full of. (A dial that passes the NAT because the asker talked to the dialer
# recently proves nothing; the probe moves on to another helper.)
say "creating identities"
for k in 0 1 2 3 4 5 6; do dotnet "$kad_dll" id --create --json --network test --data-dir "$work/id$k" >"$work/id$k.json" & done
for name in lan1 lan2; do dotnet "$kad_dll" id --create --json --network test --data-dir "$work/$name" >"$work/$name.json" & done
wait
for json in "$work"/*.json; do
  jq -e '.id | length == 64' "$json" >/dev/null 2>&1 || { fail "identity $(basename "$json" .json) created" "$(cat "$json")"; abort; }
done
id_of() { jq -r .id "$work/$1.json"; }

# farther a b t: whether ID a is farther from ID t than ID b is (XOR distance, hex digit by digit).
farther() {
  local i x y
  for ((i = 0; i < 64; i++)); do
    x=$((16#${1:i:1} ^ 16#${3:i:1})); y=$((16#${2:i:1} ^ 16#${3:i:1}))
    if ((x != y)); then ((x > y)); return; fi
  done
  return 1
}

# farthest target candidates...: the candidate whose ID is farthest from target's.
farthest() {
  local target=$1 best=$2 candidate; shift 2
  for candidate in "$@"; do
    if farther "$(id_of "$candidate")" "$(id_of "$best")" "$(id_of "$target")"; then best=$candidate; fi
  done
  echo "$best"
}

pool=(id0 id1 id2 id3 id4 id5 id6)
late1=$(farthest lan1 "${pool[@]}")
rest=(); for k in "${pool[@]}"; do [ "$k" = "$late1" ] || rest+=("$k"); done
late2=$(farthest lan2 "${rest[@]}")
i=1
for k in "${rest[@]}"; do
  if [ "$k" != "$late2" ]; then mv "$work/$k" "$work/pub$i"; mv "$work/$k.json" "$work/pub$i.json"; i=$((i + 1)); fi
done
mv "$work/$late1" "$work/pub6"; mv "$work/$late1.json" "$work/pub6.json"
mv "$work/$late2" "$work/pub7"; mv "$work/$late2.json" "$work/pub7.json"

say "starting 5 public nodes"
start_node pub1 --bind 10.201.1.2
wait_ready pub1 60 || abort
for i in 2 3 4 5; do start_node "pub$i" --bind "10.201.$i.2" --bootstrap 10.201.1.2:4000; done
for i in 2 3 4 5; do wait_ready "pub$i" 60 || abort; done

say "starting lan1 (bound to its private address) and lan2 (bound to the wildcard) behind their NATs"
# Each keeps mappings open to its 3 closest contacts only (the default, 8, is every public node here), so
# that the public nodes it talked to only while joining are strangers again once their mappings expire.
start_node lan1 --bind 192.168.1.2 --bootstrap 10.201.1.2:4000 --keepalive-peers 3
start_node lan2 --bind 0.0.0.0 --bootstrap 10.201.2.2:4000 --keepalive-peers 3
nat_started=$SECONDS
wait_ready lan1 60 || abort
wait_ready lan2 60 || abort

say "starting pub6 and pub7, the public nodes farthest from lan1 and lan2, after them"
for i in 6 7; do start_node "pub$i" --bind "10.201.$i.2" --bootstrap 10.201.1.2:4000; done
for i in 6 7; do wait_ready "pub$i" 60 || abort; done

declare -A wan=([lan1]=10.201.101.2 [lan2]=10.201.102.2)
declare -A nat_ids=([lan1]="$(id_of lan1)" [lan2]="$(id_of lan2)")

# ---------------------------------------------------------------------------------------------------
# What the NATed nodes find out about themselves. The address vote needs 3 prefixes (pings every 30 s
# until it has them); the probes need 3 forwarded probes without a dial (10 s each) for Private, and a
# dial that passes the NAT because the node talked to its sender recently costs another 10 s. Seen: Private
# 62-133 s after the start on a loaded machine; the wait allows 210 s.
for name in lan1 lan2; do
  deadline=$((SECONDS + 210))
  learned=""; reach=""; mode=""
  while :; do
    s=$(status "$name")
    learned=$(jq -r '.externalEndpoint // ""' <<<"$s")
    reach=$(jq -r '.reachability // ""' <<<"$s")
    mode=$(jq -r '.mode // ""' <<<"$s")
    [ -n "$learned" ] && [ "$reach" = Private ] && [ "$mode" = client ] && break
    [ $SECONDS -ge $deadline ] && break
    sleep 2
  done
  waited=$((SECONDS - nat_started))
  if [ "${learned%:*}" = "${wan[$name]}" ]; then
    pass "$name learned its translated address" "externalEndpoint $learned, the NAT's outside address ${wan[$name]}"
  else
    fail "$name learned its translated address" "externalEndpoint '${learned}', expected ${wan[$name]}:<port>"
  fi
  if [ "$reach" = Private ]; then pass "$name reports Private" "within ${waited} s of starting; probes $(jq -c '.probes' <<<"$s")"; else fail "$name reports Private" "reachability '$reach' after ${waited} s; probes $(jq -c '.probes' <<<"$s")"; fi
  if [ "$mode" = client ]; then pass "$name runs as a client"; else fail "$name runs as a client" "mode '$mode'"; fi
done

for i in 1 2 3 4 5 6 7; do
  s=$(status "pub$i")
  mode=$(jq -r '.mode // ""' <<<"$s")
  learned=$(jq -r '.externalEndpoint // ""' <<<"$s")
  if [ "$mode" = server ]; then pass "pub$i runs as a server" "externalEndpoint ${learned:-not agreed}"; else fail "pub$i runs as a server" "mode '$mode'"; fi
done

# A stranger cannot get through the NAT: a fresh one-shot node in pub5 pings lan1's translated endpoint
# (no answer), while the same kind of ping to a public node is answered (the method itself works).
control=0
kad pub5 ping 10.201.3.2:4000 --bootstrap 10.201.5.2:4000 --network test --json --timeout 20 >/dev/null 2>&1 || control=$?
stranger=0
kad pub5 ping "${wan[lan1]}:4000" --bootstrap 10.201.5.2:4000 --network test --json --timeout 20 >/dev/null 2>&1 || stranger=$?
if [ "$control" -eq 0 ] && { [ "$stranger" -eq 1 ] || [ "$stranger" -eq 10 ]; }; then
  pass "the NAT drops a stranger's packets" "ping of a public node: exit 0; ping of ${wan[lan1]}:4000: exit $stranger (no answer)"
else
  fail "the NAT drops a stranger's packets" "ping of a public node: exit $control (want 0); ping of ${wan[lan1]}:4000: exit $stranger (want 1 or 10)"
fi

# ---------------------------------------------------------------------------------------------------
# Every operation from behind the NATs, each one read back from the other side.
value="written behind a NAT at $(date -u +%s)"
out=$(kad lan1 put "$value" --json --data-dir "$work/lan1" --timeout 30 2>&1) || true
key=$(jq -r '.key // ""' <<<"$out" 2>/dev/null || true)
stored=$(jq -r '.stored // 0' <<<"$out" 2>/dev/null || echo 0)
if [ -n "$key" ] && [ "$stored" -ge 1 ]; then pass "lan1 put" "key $key stored on $stored nodes"; else fail "lan1 put" "$out"; fi

for reader in lan2 pub4; do
  out=$(kad "$reader" get "$key" --json --data-dir "$work/$reader" --timeout 30 2>&1) || true
  got=$(jq -r '.text // ""' <<<"$out" 2>/dev/null || true)
  if [ "$got" = "$value" ]; then pass "$reader gets lan1's value"; else fail "$reader gets lan1's value" "$out"; fi
done
out=$(kad lan2 put "second value from behind the other NAT" --json --data-dir "$work/lan2" --timeout 30 2>&1) || true
key2=$(jq -r '.key // ""' <<<"$out" 2>/dev/null || true)
out=$(kad lan1 get "$key2" --json --data-dir "$work/lan1" --timeout 30 2>&1) || true
if [ "$(jq -r '.text // ""' <<<"$out" 2>/dev/null || true)" = "second value from behind the other NAT" ]; then
  pass "lan2 put, lan1 gets it"
else
  fail "lan2 put, lan1 gets it" "$out"
fi

topic="real-nat-lobby"
for name in lan1 lan2; do
  out=$(kad "$name" announce "$topic" --data "table of $name" --json --data-dir "$work/$name" --timeout 30 2>&1) || true
  stored=$(jq -r '.stored // 0' <<<"$out" 2>/dev/null || echo 0)
  if [ "$stored" -ge 1 ]; then pass "$name announce" "stored on $stored nodes"; else fail "$name announce" "$out"; fi
done
for pair in "lan1 lan2" "lan2 lan1" "pub3 lan1" "pub3 lan2"; do
  read -r finder provider <<<"$pair"
  out=$(kad "$finder" providers "$topic" --json --data-dir "$work/$finder" --timeout 30 2>&1) || true
  contact=$(jq -r --arg id "${nat_ids[$provider]}" '.providers[]? | select(.id == $id) | .contact' <<<"$out" 2>/dev/null || true)
  if [ -n "$contact" ]; then
    pass "$finder finds provider $provider" "advertised contact ${contact#*@}"
  else
    fail "$finder finds provider $provider" "$out"
  fi
done

target=$(id_of pub3)
out=$(kad lan1 find "$target" --json --data-dir "$work/lan1" --timeout 30 2>&1) || true
if jq -e --arg id "$target" '[.closest[]? | select(.id == $id)] | length == 1' <<<"$out" >/dev/null 2>&1; then
  pass "lan1 finds pub3 by ID"
else
  fail "lan1 finds pub3 by ID" "$out"
fi

# ---------------------------------------------------------------------------------------------------
# After all of that traffic: no public table holds a NATed node, by ID or by any address of theirs.
for name in lan1 lan2; do
  s=$(status "$name")
  size=$(jq -r '.tableSize // 0' <<<"$s")
  if [ "$size" -ge 4 ]; then pass "$name's own table holds the public nodes" "$size contacts"; else fail "$name's own table holds the public nodes" "$size contacts"; fi
done
for i in 1 2 3 4 5 6 7; do
  s=$(status "pub$i")
  size=$(jq -r '.tableSize // -1' <<<"$s")
  held=$(jq -r --arg a "${nat_ids[lan1]}" --arg b "${nat_ids[lan2]}" \
    '[.contacts[]? | select(.id == $a or .id == $b or (.endpoint | test("^(10\\.201\\.10[12]\\.|192\\.168\\.|127\\.)")))] | map(.id[0:12] + "@" + .endpoint) | join(", ")' <<<"$s")
  if [ "$size" -ge 1 ] && [ -z "$held" ]; then
    pass "pub$i's table holds no NATed node" "$size contacts, all public"
  else
    fail "pub$i's table holds no NATed node" "table size $size; NATed contacts: ${held:-none}"
  fi
done

# ---------------------------------------------------------------------------------------------------
if [ "$failed" -ne 0 ]; then
  show_logs
  repeat_failures
fi
say "$passed passed, $failed failed in $((SECONDS - started)) s"
[ "$failed" -eq 0 ] || exit 1
