#!/usr/bin/env bash
# Records the golden cases of GoldenPlanTest from the real kernel.
#
#   sudo src/test/resources/golden/record.sh            # every case
#   sudo src/test/resources/golden/record.sh mtu-change # only these
#
# Each case is a folder next to this script:
#   manifest.yaml  what is planned (input)
#   build.yaml     optional: what the live state is built with (default: manifest.yaml)
#   live.json      recorded here: `rveth snapshot -f <build manifest>` of that live state
#   plan.txt       recorded here: `rveth plan -f manifest.yaml --live live.json --no-color`
#   plan.json      recorded here: the same with -o json
#
# For each case this builds the live state with real `rveth apply` (and, for a drift case,
# real `ip` commands), takes the snapshot, deletes the namespaces, then plans against the
# snapshot from the project directory with relative paths, exactly as GoldenPlanTest does,
# so plan.json's "manifests" and "live_source" are stable. GoldenPlanTest can also rewrite
# plan.txt/plan.json on its own (-Drveth.golden.update=true); only live.json needs root.
#
# The snapshot's "namespaces" list is every named netns on the machine; it is cut down to
# the case's own rvgold-<case>-* names (with jq), so that namespaces unrelated to the case
# do not end up in the test data. Nothing else in live.json is touched.
#
# Safety: every netns involved is named rvgold-<case>-*. The manifests are checked to name
# only such namespaces (host.netns included, so nothing is ever applied to the namespace
# this script runs in), and every `ip` call goes through ipn (which insists on
# -n rvgold-...). It refuses to start while any rvgold-* namespace exists; after that
# check, a trap deletes the rvgold-* namespaces (this run's) and apply's lock files
# /run/rveth/rvgold-*.lock, also when a step fails or the script is interrupted.
#
# rveth: bin/rveth of this checkout (builds the jar when needed), or set RVETH, e.g.
# RVETH="java -jar target/rveth.jar".
# Addresses: only 203.0.113.0/24, 198.51.100.0/24, 10.0.0.0/8, 2001:db8::/32.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PROJECT=$(cd "$HERE/../../../.." && pwd)
REL=src/test/resources/golden
RVETH=${RVETH:-$PROJECT/bin/rveth}
PREFIX=rvgold-
CASES=(from-scratch converged add-address remove-container mtu-change prefix-change route-drift)

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
}

ours() {
    ls /var/run/netns 2>/dev/null | grep "^$PREFIX" || true
}

cleanup() {
    local ns
    rm -f "$HERE"/*/*.new
    for ns in $(ours); do
        check_ns "$ns"
        ip netns del "$ns" || echo "record.sh: could not delete netns $ns" >&2
    done
    # apply's lock files, one per host netns (rveth apply takes /run/rveth/<host netns>.lock).
    rm -f /run/rveth/"$PREFIX"*.lock
}
# rveth, run from the project directory so that paths in its output are relative to it.
rveth() {
    (cd "$PROJECT" && $RVETH "$@")
}

# A manifest of CASE must name only rvgold-CASE-* namespaces, host.netns included.
check_manifest() { # case file
    local file=$HERE/$1/$2 all mine
    [[ -f $file ]] || die "$file is missing"
    grep -Eq "^host: \{netns: ${PREFIX}$1-host," "$file" || die "$file: host.netns must be ${PREFIX}$1-host"
    all=$(grep -Ec '(^|[ {])netns:' "$file")
    mine=$(grep -Ec "netns: ${PREFIX}$1-[a-z]+[,}]?\$|netns: ${PREFIX}$1-host," "$file")
    [[ $all -eq $mine ]] || die "$file: every netns must be named ${PREFIX}$1-*"
}

apply() { # case file
    check_manifest "$1" "$2"
    rveth apply -q -f "$REL/$1/$2" >/dev/null
}

snapshot() { # case file
    check_manifest "$1" "$2"
    rveth snapshot -f "$REL/$1/$2" \
        | jq --indent 2 --arg p "${PREFIX}$1-" '.namespaces |= map(select(startswith($p)))' >"$HERE/$1/live.json.new"
    mv "$HERE/$1/live.json.new" "$HERE/$1/live.json"
}

plan() { # case
    check_manifest "$1" manifest.yaml
    local args=(plan -f "$REL/$1/manifest.yaml" --live "$REL/$1/live.json")
    rveth "${args[@]}" --no-color >"$HERE/$1/plan.txt.new"
    rveth "${args[@]}" -o json >"$HERE/$1/plan.json.new"
    mv "$HERE/$1/plan.txt.new" "$HERE/$1/plan.txt"
    mv "$HERE/$1/plan.json.new" "$HERE/$1/plan.json"
}

record() { # case
    local c=$1 build=manifest.yaml
    [[ -f $HERE/$c/build.yaml ]] && build=build.yaml
    echo "== $c"
    case $c in
        from-scratch)
            # The host netns exists (as ip netns add leaves it: lo down), nothing else.
            mkns "${PREFIX}$c-host" ;;
        route-drift)
            apply "$c" "$build"
            ipn "${PREFIX}$c-host" route del 198.51.100.0/28 ;;
        *)
            apply "$c" "$build" ;;
    esac
    snapshot "$c" "$build"
    cleanup
    plan "$c"
}

[[ $(id -u) -eq 0 ]] || die "run as root (it creates network namespaces)"
command -v ip >/dev/null || die "ip (iproute2) is not installed"
command -v jq >/dev/null || die "jq is not installed"
leftover=$(ours)
[[ -z $leftover ]] || die "${PREFIX}* namespaces already exist (an earlier run?): $leftover; delete them with ip netns del"
# Only now: every rvgold-* namespace from here on is this run's own.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if (($#)); then CASES=("$@"); fi
for c in "${CASES[@]}"; do
    [[ -d $HERE/$c ]] || die "no case $c under $HERE"
    record "$c"
done
echo "golden cases written under $HERE; check them with: mvn test -Dtest=GoldenPlanTest"
