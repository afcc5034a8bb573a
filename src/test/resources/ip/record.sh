#!/usr/bin/env bash
# Records real `ip -N -j ... -batch -` output as fixtures for LiveParserTest.
#
#   sudo src/test/resources/ip/record.sh
#
# For each scenario it builds a throwaway topology in network namespaces named rvfix-*,
# exactly as rveth would build it (aliases, proto 147, nodad, ...), then captures the very
# batch reads LiveReader runs (NamespaceDump.HOST_COMMANDS / CONTAINER_COMMANDS) into
# <scenario>/<role>.json next to this script, and deletes the namespaces again.
#
# Safety: nothing here touches the namespace the script runs in. Every `ip` call goes
# through ipn (which insists on -n rvfix-...), mkns / delns (ip netns add / del rvfix-...)
# or nsysctl (ip netns exec rvfix-... sysctl, the way rveth itself writes a sysctl in a
# named netns). A trap deletes every namespace this run made, also when a step fails or
# the script is interrupted. It refuses to start while any rvfix-* namespace exists.
#
# Addresses: only 203.0.113.0/24, 198.51.100.0/24, 10.0.0.0/8, 2001:db8::/32 and the
# gateways 169.254.0.1 / fe80::1. MACs are fixed so the fixtures are reproducible.
set -euo pipefail

PREFIX=rvfix-
PROTO=147
OUT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
HOST_BATCH='addr show\nroute show table all\nnetconf show\nnetns list-id\nlink show\nneigh show proxy\n'
CONTAINER_BATCH='addr show\nroute show table all\n'

MADE=()

die() { echo "record.sh: $*" >&2; exit 1; }

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
            delns "$ns" || echo "record.sh: could not delete netns $ns" >&2
        fi
    done
    MADE=()
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Deletes this scenario's namespaces before the next one reuses the names.
teardown() {
    cleanup
}

[[ $(id -u) -eq 0 ]] || die "run as root (it creates network namespaces)"
command -v ip >/dev/null || die "ip (iproute2) is not installed"
leftover=$(ls /var/run/netns 2>/dev/null | grep "^$PREFIX" || true)
[[ -z $leftover ]] || die "${PREFIX}* namespaces already exist (an earlier run?): $leftover; delete them with ip netns del"

record_host() { # scenario netns role
    mkdir -p "$OUT/$1"
    printf "$HOST_BATCH" | ipn "$2" -N -j -batch - >"$OUT/$1/$3.json"
}

record_container() { # scenario netns role
    mkdir -p "$OUT/$1"
    printf "$CONTAINER_BATCH" | ipn "$2" -N -j -batch - >"$OUT/$1/$3.json"
}

HOST=${PREFIX}host
WEB=${PREFIX}web
DB=${PREFIX}db
OTHER=${PREFIX}other

host_ns() {
    mkns "$HOST"
    nsysctl "$HOST" net/ipv4/conf/all/forwarding=1
    nsysctl "$HOST" net/ipv6/conf/all/forwarding=1
}

# A routed veth as rveth's Planner creates it: host end HOSTEND in $HOST, peer IFNAME in
# NETNS, alias rveth:CONTAINER/IFNAME, strict rp_filter and the gateway addresses on the
# host end. MTU may be empty (kernel default).
veth() { # container netns hostend ifname hostmac peermac mtu
    local c=$1 ns=$2 hend=$3 ifn=$4 hmac=$5 pmac=$6 mtu=$7
    local m=()
    [[ -n $mtu ]] && m=(mtu "$mtu")
    ipn "$HOST" link add name "$hend" "${m[@]}" address "$hmac" type veth \
        peer name "$ifn" "${m[@]}" address "$pmac" netns "$ns"
    ipn "$HOST" link set dev "$hend" alias "rveth:$c/$ifn" up
    ipn "$ns" link set dev "$ifn" up
    nsysctl "$HOST" "net/ipv4/conf/$hend/rp_filter=1"
    ipn "$HOST" address add 169.254.0.1/32 dev "$hend"
    ipn "$HOST" address add fe80::1/128 dev "$hend" nodad
}

# The container's way out: on-link route to the IPv4 gateway, then both defaults.
gateway_routes() { # netns ifname
    ipn "$1" route add 169.254.0.1/32 dev "$2" scope link proto $PROTO
    ipn "$1" route add 0.0.0.0/0 via 169.254.0.1 dev "$2" proto $PROTO
    ipn "$1" route add ::/0 via fe80::1 dev "$2" proto $PROTO
}

# converged: web (203.0.113.10, 2001:db8:10::10) and db (mtu 9000, 203.0.113.20,
# 10.20.0.1/24, 2001:db8:20::1/64, routed 198.51.100.0/28 and 2001:db8:21::/48 via db),
# plus things rveth must leave alone.
build_converged() {
    host_ns
    mkns "$WEB"
    mkns "$DB"

    veth web "$WEB" rv-web eth0 02:00:00:00:01:01 02:00:00:00:01:02 ""
    ipn "$WEB" address add 203.0.113.10/32 dev eth0
    ipn "$WEB" address add 2001:db8:10::10/128 dev eth0 nodad
    ipn "$HOST" route add 203.0.113.10/32 dev rv-web scope link proto $PROTO
    ipn "$HOST" route add 2001:db8:10::10/128 dev rv-web proto $PROTO
    gateway_routes "$WEB" eth0

    veth db "$DB" rv-db eth0 02:00:00:00:02:01 02:00:00:00:02:02 9000
    ipn "$DB" address add 203.0.113.20/32 dev eth0
    ipn "$DB" address add 10.20.0.1/24 dev eth0
    ipn "$DB" address add 2001:db8:20::1/64 dev eth0 nodad
    ipn "$HOST" route add 203.0.113.20/32 dev rv-db scope link proto $PROTO
    ipn "$HOST" route add 10.20.0.0/24 dev rv-db scope link proto $PROTO
    ipn "$HOST" route add 2001:db8:20::/64 dev rv-db proto $PROTO
    ipn "$HOST" route add 198.51.100.0/28 via 10.20.0.1 onlink dev rv-db proto $PROTO
    ipn "$HOST" route add 2001:db8:21::/48 via 2001:db8:20::1 onlink dev rv-db proto $PROTO
    gateway_routes "$DB" eth0

    # Host side, not rveth's: a veth without alias (both ends here) with a boot route
    # (ip's default protocol), a static route and even a proto 147 route.
    ipn "$HOST" link add name vx-unowned address 02:00:00:00:09:01 type veth \
        peer name vx-unowned-p address 02:00:00:00:09:02
    ipn "$HOST" link set dev vx-unowned up
    ipn "$HOST" link set dev vx-unowned-p up
    ipn "$HOST" address add 10.66.0.1/24 dev vx-unowned
    ipn "$HOST" route add 10.67.0.0/16 dev vx-unowned
    ipn "$HOST" route add 10.68.0.0/16 dev vx-unowned proto static
    ipn "$HOST" route add 10.69.0.0/16 dev vx-unowned proto $PROTO
    # An rveth-protocol route on an owned link, but outside the main table.
    ipn "$HOST" route add 203.0.113.10/32 dev rv-web table 100 proto $PROTO

    # Container side, not rveth's: a dummy link with its own routes (one even proto 147),
    # and a static route on the owned eth0.
    # Type dummy needs the dummy module; where it cannot be loaded (a container without
    # module loading), ifb is the closest built-in stand-in: a software link with no peer.
    if ! ipn "$WEB" link add name dummy0 address 02:00:00:00:01:09 type dummy 2>/dev/null; then
        echo "record.sh: no dummy link type here; dummy0 is an ifb link instead" >&2
        ipn "$WEB" link add name dummy0 address 02:00:00:00:01:09 type ifb
    fi
    ipn "$WEB" link set dev dummy0 up
    ipn "$WEB" address add 10.99.0.1/24 dev dummy0
    ipn "$WEB" route add 10.98.0.0/16 dev dummy0 proto static
    ipn "$WEB" route add 10.97.0.0/16 dev dummy0 proto $PROTO
    ipn "$WEB" route add 198.51.100.128/25 dev eth0 proto static
}

record_converged() { # scenario
    record_host "$1" "$HOST" host
    record_container "$1" "$WEB" web
    record_container "$1" "$DB" db
}

echo "== converged"
build_converged
record_converged converged
teardown

# drift: converged, then: web's host route 203.0.113.10/32 deleted, web's
# 2001:db8:10::10 removed, db's eth0 (the peer of rv-db) set down, rv-web's mtu 1400
# (its peer keeps 1500), rp_filter 0 on rv-db.
echo "== drift"
build_converged
ipn "$HOST" route del 203.0.113.10/32 dev rv-web table main
ipn "$WEB" address del 2001:db8:10::10/128 dev eth0
ipn "$DB" link set dev eth0 down
ipn "$HOST" link set dev rv-web mtu 1400
nsysctl "$HOST" net/ipv4/conf/rv-db/rp_filter=0
record_converged drift
teardown

# wrong-peer-netns: rv-web says it is web's eth0, but its peer (configured as web's
# would be) sits in rvfix-other; rvfix-web exists and holds only lo.
echo "== wrong-peer-netns"
host_ns
mkns "$WEB"
mkns "$OTHER"
veth web "$OTHER" rv-web eth0 02:00:00:00:01:01 02:00:00:00:01:02 ""
ipn "$OTHER" address add 203.0.113.10/32 dev eth0
ipn "$OTHER" address add 2001:db8:10::10/128 dev eth0 nodad
ipn "$HOST" route add 203.0.113.10/32 dev rv-web scope link proto $PROTO
ipn "$HOST" route add 2001:db8:10::10/128 dev rv-web proto $PROTO
gateway_routes "$OTHER" eth0
record_host wrong-peer-netns "$HOST" host
record_container wrong-peer-netns "$WEB" web
record_container wrong-peer-netns "$OTHER" other
teardown

# uplink: converged, plus the host's LAN link up0 (203.0.113.1/24, 2001:db8:10::1/64; its
# other end stays on the host) with rveth's proxy entries for web's two addresses, a stale
# one of rveth's (203.0.113.66), and one of someone else's without a protocol (203.0.113.77);
# forwarding and proxy_ndp on up0.
echo "== uplink"
build_converged
ipn "$HOST" link add name up0 address 02:00:00:00:0a:01 type veth peer name up0-lan address 02:00:00:00:0a:02
ipn "$HOST" link set dev up0 up
ipn "$HOST" link set dev up0-lan up
ipn "$HOST" address add 203.0.113.1/24 dev up0
ipn "$HOST" address add 2001:db8:10::1/64 dev up0 nodad
nsysctl "$HOST" net/ipv4/conf/up0/forwarding=1
nsysctl "$HOST" net/ipv6/conf/up0/forwarding=1
nsysctl "$HOST" net/ipv6/conf/up0/proxy_ndp=1
ipn "$HOST" neigh add proxy 203.0.113.10 dev up0 protocol $PROTO
ipn "$HOST" neigh add proxy 2001:db8:10::10 dev up0 protocol $PROTO
ipn "$HOST" neigh add proxy 203.0.113.66 dev up0 protocol $PROTO
ipn "$HOST" neigh add proxy 203.0.113.77 dev up0
record_converged uplink
teardown

# empty-host: a host netns with only lo.
echo "== empty-host"
mkns "$HOST"
record_host empty-host "$HOST" host
teardown

echo "fixtures written under $OUT"
