#!/usr/bin/env bash
# Records real `ip -N -j ... -batch -` output of kernel and iproute2 quirks as fixtures for
# LiveParserQuirksTest (and the fuzz and planner tests that reuse them).
#
#   sudo src/test/resources/ip/quirks/record.sh
#
# Same method as ../record.sh: each case builds a throwaway topology in network namespaces
# named rvq-*, the way rveth builds it (aliases, proto 147, nodad, ...), adds the quirk,
# captures the very reads LiveReader runs (the batch of NamespaceDump.HOST_COMMANDS /
# CONTAINER_COMMANDS into <case>/<role>.json, and for the host NamespaceDump.RULES_COMMAND,
# `ip -6 -N -j rule show`, into <case>/host-rules.json) next to this script, and deletes
# the namespaces again. The plain-text case also captures `ip route show` without -j.
#
# Safety: nothing here touches the namespace the script runs in. Every `ip` call goes
# through ipn (which insists on -n rvq-...), mkns / delns (ip netns add / del rvq-...) or
# nsysctl (ip netns exec rvq-... sysctl). A trap deletes every namespace this run made,
# also when a step fails or the script is interrupted. It refuses to start while any
# rvq-* namespace exists.
#
# Addresses: only 203.0.113.0/24, 198.51.100.0/24, 10.0.0.0/8, 2001:db8::/32 and the
# gateways 169.254.0.1 / fe80::1. MACs are fixed so the fixtures are reproducible
# (the "expires" values count down and differ from run to run).
set -euo pipefail

PREFIX=rvq-
PROTO=147
OUT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOST_BATCH='addr show\nroute show table all\nnetconf show\nnetns list-id\nlink show\nneigh show proxy\n'
CONTAINER_BATCH='addr show\nroute show table all\n'

MADE=()

die() { echo "quirks/record.sh: $*" >&2; exit 1; }

check_ns() {
    case "$1" in
        "$PREFIX"?*) ;;
        *) die "refusing to touch netns \"$1\": not an ${PREFIX}* namespace" ;;
    esac
}

# ip -n NS ...: the only way this script runs ip inside a namespace.
ipn() {
    local ns=$1; shift
    check_ns "$ns"
    ip -n "$ns" "$@"
}

mkns() {
    check_ns "$1"
    ip netns add "$1"
    MADE+=("$1")
    ipn "$1" link set dev lo up
}

delns() {
    check_ns "$1"
    ip netns del "$1"
}

nsysctl() {
    local ns=$1; shift
    check_ns "$ns"
    ip netns exec "$ns" sysctl -q -w "$@"
}

cleanup() {
    local ns
    for ns in "${MADE[@]}"; do
        if [[ -e /var/run/netns/$ns ]]; then
            delns "$ns" || echo "quirks/record.sh: could not delete netns $ns" >&2
        fi
    done
    MADE=()
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

[[ $(id -u) -eq 0 ]] || die "run as root (it creates network namespaces)"
command -v ip >/dev/null || die "ip (iproute2) is not installed"
leftover=$(ls /var/run/netns 2>/dev/null | grep "^$PREFIX" || true)
[[ -z $leftover ]] || die "${PREFIX}* namespaces already exist (an earlier run?): $leftover; delete them with ip netns del"

record_host() { # case netns role
    mkdir -p "$OUT/$1"
    printf "$HOST_BATCH" | ipn "$2" -N -j -batch - >"$OUT/$1/$3.json"
    ipn "$2" -6 -N -j rule show >"$OUT/$1/$3-rules.json"
}

record_container() { # case netns role
    mkdir -p "$OUT/$1"
    printf "$CONTAINER_BATCH" | ipn "$2" -N -j -batch - >"$OUT/$1/$3.json"
}

HOST=${PREFIX}host
WEB=${PREFIX}web
DB=${PREFIX}db

# ---- the base topology: what rveth's planner builds for two containers ---------------------

host_ns() {
    mkns "$HOST"
    nsysctl "$HOST" net/ipv4/conf/all/forwarding=1
    nsysctl "$HOST" net/ipv6/conf/all/forwarding=1
}

veth() { # container netns hostend ifname hostmac peermac
    local c=$1 ns=$2 hend=$3 ifn=$4 hmac=$5 pmac=$6
    ipn "$HOST" link add name "$hend" address "$hmac" type veth peer name "$ifn" address "$pmac" netns "$ns"
    ipn "$HOST" link set dev "$hend" alias "rveth:$c/$ifn" up
    ipn "$ns" link set dev "$ifn" up
    nsysctl "$HOST" "net/ipv4/conf/$hend/rp_filter=1"
    ipn "$HOST" address add 169.254.0.1/32 dev "$hend"
    ipn "$HOST" address add fe80::1/128 dev "$hend" nodad
}

# rveth's IPv6 anti-spoofing rules on a host end, as the planner adds them: allow each IPv6
# prefix routed there and link-local sources, drop the rest.
antispoof() { # hostend prefix...
    local hend=$1 p; shift
    for p in "$@" fe80::/10; do
        ipn "$HOST" -6 rule add from "$p" iif "$hend" lookup main pref 1000 proto $PROTO
    done
    ipn "$HOST" -6 rule add from ::/0 iif "$hend" blackhole pref 1001 proto $PROTO
}

gateway_routes() { # netns ifname
    ipn "$1" route add 169.254.0.1/32 dev "$2" scope link proto $PROTO
    ipn "$1" route add 0.0.0.0/0 via 169.254.0.1 dev "$2" proto $PROTO
    ipn "$1" route add ::/0 via fe80::1 dev "$2" proto $PROTO
}

# web: 203.0.113.10, 2001:db8:10::10. db: 203.0.113.20, 2001:db8:20::1/64. A veth pair
# rveth does not own (vx-unowned / vx-unowned-p, no alias) sits next to them. A case whose
# manifest routes more IPv6 prefixes to web sets WEB_V6_EXTRA for their allow rules.
WEB_V6_EXTRA=()
build_base() {
    host_ns
    mkns "$WEB"
    mkns "$DB"
    veth web "$WEB" rv-web eth0 02:00:00:00:01:01 02:00:00:00:01:02
    ipn "$WEB" address add 203.0.113.10/32 dev eth0
    ipn "$WEB" address add 2001:db8:10::10/128 dev eth0 nodad
    ipn "$HOST" route add 203.0.113.10/32 dev rv-web scope link proto $PROTO
    ipn "$HOST" route add 2001:db8:10::10/128 dev rv-web proto $PROTO
    gateway_routes "$WEB" eth0
    antispoof rv-web 2001:db8:10::10/128 "${WEB_V6_EXTRA[@]}"

    veth db "$DB" rv-db eth0 02:00:00:00:02:01 02:00:00:00:02:02
    ipn "$DB" address add 203.0.113.20/32 dev eth0
    ipn "$DB" address add 2001:db8:20::1/64 dev eth0 nodad
    ipn "$HOST" route add 203.0.113.20/32 dev rv-db scope link proto $PROTO
    ipn "$HOST" route add 2001:db8:20::/64 dev rv-db proto $PROTO
    gateway_routes "$DB" eth0
    antispoof rv-db 2001:db8:20::/64

    ipn "$HOST" link add name vx-unowned address 02:00:00:00:09:01 type veth \
        peer name vx-unowned-p address 02:00:00:00:09:02
    ipn "$HOST" link set dev vx-unowned up
    ipn "$HOST" link set dev vx-unowned-p up
    ipn "$HOST" address add 10.66.0.1/24 dev vx-unowned
}

# Carrier changes reach routes and flags through the kernel's linkwatch, up to a second
# later: wait until `ip -n NS OBJECT show ...` prints PATTERN (at most 10 s).
wait_for() { # netns pattern object-args...
    local ns=$1 pattern=$2; shift 2
    local i
    for i in $(seq 50); do
        ipn "$ns" "$@" | grep -q -- "$pattern" && return 0
        sleep 0.2
    done
    die "timed out waiting for \"$pattern\" in ip -n $ns $*"
}

wait_no() { # netns pattern object-args...: until PATTERN is gone
    local ns=$1 pattern=$2; shift 2
    local i
    for i in $(seq 50); do
        ipn "$ns" "$@" | grep -q -- "$pattern" || return 0
        sleep 0.2
    done
    die "timed out waiting for \"$pattern\" to go from ip -n $ns $*"
}

record_all() { # case
    record_host "$1" "$HOST" host
    record_container "$1" "$WEB" web
    record_container "$1" "$DB" db
}

# ---- the cases ---------------------------------------------------------------------------

# multipath: routes with "nexthops" and no top-level dev, all proto 147: one over both
# owned host ends, one over an owned host end and the unowned vx-unowned, an IPv6 one over
# both owned host ends; and routes through nexthop objects (ip nexthop): nhid 7 is a single
# nexthop on rv-web, nhid 9 a group of 7 and 8 (via 203.0.113.20 on rv-db). In web, a
# multipath default-like route over eth0 twice is not possible; web gets a proto 147
# multipath route over eth0 and a second veth end is not needed for the point.
echo "== multipath"
build_base
ipn "$HOST" route add 198.51.100.0/28 proto $PROTO nexthop dev rv-web nexthop dev rv-db
ipn "$HOST" route add 198.51.100.16/28 proto $PROTO \
    nexthop via 203.0.113.10 dev rv-web onlink nexthop dev vx-unowned
ipn "$HOST" -6 route add 2001:db8:50::/64 proto $PROTO \
    nexthop via 2001:db8:10::10 dev rv-web onlink nexthop via 2001:db8:20::1 dev rv-db onlink
ipn "$HOST" nexthop add id 7 dev rv-web
ipn "$HOST" nexthop add id 8 via 203.0.113.20 dev rv-db onlink
ipn "$HOST" nexthop add id 9 group 7/8
ipn "$HOST" route add 198.51.100.32/28 nhid 7 proto $PROTO
ipn "$HOST" route add 198.51.100.48/28 nhid 9 proto $PROTO
ipn "$WEB" route add 10.80.0.0/16 proto $PROTO nexthop via 169.254.0.1 dev eth0 onlink weight 1 \
    nexthop via 169.254.0.1 dev eth0 onlink weight 2
record_all multipath
cleanup

# route-types: routes of other types, all proto 147 and in the main table: unreachable,
# blackhole, prohibit and throw (no dev), a local route on the owned rv-web, IPv6
# blackhole and unreachable (which ip prints with dev lo), unreachable defaults in both
# families (metric 4096), and in web a blackhole and a local route on eth0.
echo "== route-types"
build_base
ipn "$HOST" route add unreachable 203.0.113.60/32 proto $PROTO
ipn "$HOST" route add blackhole 203.0.113.61/32 proto $PROTO
ipn "$HOST" route add prohibit 203.0.113.62/32 proto $PROTO
ipn "$HOST" route add throw 203.0.113.63/32 proto $PROTO
ipn "$HOST" route add local 203.0.113.64/32 dev rv-web table main proto $PROTO
ipn "$HOST" -6 route add blackhole 2001:db8:60::/64 proto $PROTO
ipn "$HOST" -6 route add unreachable 2001:db8:61::/64 proto $PROTO
ipn "$HOST" route add unreachable default metric 4096 proto $PROTO
ipn "$HOST" -6 route add unreachable default metric 4096 proto $PROTO
ipn "$WEB" route add blackhole 10.81.0.0/16 proto $PROTO
ipn "$WEB" route add local 10.82.0.1/32 dev eth0 table main proto $PROTO
record_all route-types
cleanup

# linkdown: web's eth0 (the peer of rv-web) set down. rv-web stays administratively up
# without carrier, and the kernel flags the routes on it "linkdown" (one with onlink too).
echo "== linkdown"
WEB_V6_EXTRA=(2001:db8:11::/48)
build_base
ipn "$HOST" route add 198.51.100.0/28 via 203.0.113.10 dev rv-web onlink proto $PROTO
ipn "$HOST" -6 route add 2001:db8:11::/48 via 2001:db8:10::10 dev rv-web onlink proto $PROTO
ipn "$WEB" link set dev eth0 down
wait_for "$HOST" linkdown route show dev rv-web
wait_for "$HOST" linkdown -6 route show dev rv-web
record_all linkdown
cleanup
WEB_V6_EXTRA=()

# tables: proto 147 routes on owned links outside the main table: table 100 (IPv4 and
# IPv6, one with the same destination as a main-table route), table 253 ("default"),
# table 4000000000, and in web table 200 (one with the destination of its main default).
echo "== tables"
build_base
ipn "$HOST" route add 203.0.113.10/32 dev rv-web table 100 proto $PROTO
ipn "$HOST" route add 203.0.113.11/32 dev rv-web table 100 proto $PROTO
ipn "$HOST" -6 route add 2001:db8:12::/64 dev rv-web table 100 proto $PROTO
ipn "$HOST" route add 203.0.113.12/32 dev rv-db table 253 proto $PROTO
ipn "$HOST" route add 203.0.113.13/32 dev rv-db table 4000000000 proto $PROTO
ipn "$WEB" route add 0.0.0.0/0 via 169.254.0.1 dev eth0 table 200 proto $PROTO
ipn "$WEB" route add 10.83.0.0/16 dev eth0 table 200 proto $PROTO
record_all tables
cleanup

# expires: IPv6 routes with a lifetime (expires 600) and proto 147: on the owned rv-web,
# on web's eth0, and on the unowned vx-unowned.
echo "== expires"
WEB_V6_EXTRA=(2001:db8:30::/64)
build_base
ipn "$HOST" -6 route add 2001:db8:30::/64 dev rv-web proto $PROTO expires 600
ipn "$HOST" -6 route add 2001:db8:31::/64 dev vx-unowned proto $PROTO expires 600
ipn "$WEB" -6 route add 2001:db8:32::/64 dev eth0 proto $PROTO expires 600
record_all expires
cleanup
WEB_V6_EXTRA=()

# metric-dup: routes that differ only by metric, all proto 147 on rv-web:
# 2001:db8:40::/64 with metrics 1024 and 2048, 203.0.113.70/32 with metrics 0 and 100.
echo "== metric-dup"
WEB_V6_EXTRA=(2001:db8:40::/64)
build_base
ipn "$HOST" -6 route add 2001:db8:40::/64 dev rv-web proto $PROTO metric 1024
ipn "$HOST" -6 route add 2001:db8:40::/64 dev rv-web proto $PROTO metric 2048
ipn "$HOST" route add 203.0.113.70/32 dev rv-web scope link proto $PROTO
ipn "$HOST" route add 203.0.113.70/32 dev rv-web scope link proto $PROTO metric 100
record_all metric-dup
cleanup
WEB_V6_EXTRA=()

# down-up: the base topology, then the host end rv-web set down and up again, and db's
# eth0 (the peer of rv-db) set down and up again. What is left is what the kernel keeps.
echo "== down-up"
build_base
ipn "$HOST" link set dev rv-web down
ipn "$HOST" link set dev rv-web up
ipn "$DB" link set dev eth0 down
ipn "$DB" link set dev eth0 up
# Settled: carrier back on both pairs, no linkdown left, the kernel's link-locals back.
wait_no "$HOST" NO-CARRIER link show dev rv-web
wait_no "$HOST" NO-CARRIER link show dev rv-db
wait_no "$HOST" linkdown route show table all
wait_for "$HOST" "fe80::ff:fe00:101/64" -6 address show dev rv-web
wait_for "$DB" "fe80::ff:fe00:202/64" -6 address show dev eth0
record_all down-up
cleanup

# plain-text: what an ip without JSON support for a command prints: `ip route show`
# (host and web), and a container read where only "addr show" spoke JSON (the JSON of
# `ip -N -j addr show` followed by the text of `ip -N route show table all`).
echo "== plain-text"
build_base
mkdir -p "$OUT/plain-text"
ipn "$HOST" route show >"$OUT/plain-text/host-route-show.txt"
ipn "$WEB" route show >"$OUT/plain-text/web-route-show.txt"
{ ipn "$WEB" -N -j addr show; ipn "$WEB" -N route show table all; } >"$OUT/plain-text/web-mixed.txt"
cleanup

echo "fixtures written under $OUT"
