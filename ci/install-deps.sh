#!/usr/bin/env bash
# Installs what SoakRig needs on Debian 12, only what is missing. Idempotent; safe to run on every build.
#   ci/install-deps.sh            build dependencies and what the main job runs
#   ci/install-deps.sh --test     also every tool a test uses (python3, wrk, h2load, redis, node and npm from
#                                 Debian, chromium to render the HTML report)
#                                 and the SDKs the tests drive (tests/sdk, installed with npm ci)
#   ci/install-deps.sh --bench    also the reference peers used by bench/ (nginx, locust, hey, autocannon, ...)
# Nothing here is optional for the mode asked: a package that cannot be installed stops the script with its
# name, so a test never finds a tool missing (tests fail, never skip, when a tool is absent).
set -euo pipefail
cd "$(dirname "$0")/.."

test=0
bench=0
for a in "$@"; do
    case $a in
    --test) test=1 ;;
    --bench) test=1; bench=1 ;;
    *) echo "usage: ci/install-deps.sh [--test] [--bench]" >&2; exit 2 ;;
    esac
done

# libssl-dev: h2o.h includes <openssl/ssl.h>, but libh2o-evloop-dev does not depend on it.
packages=(build-essential cmake pkg-config curl ca-certificates libssl-dev
          libh2o-evloop-dev libcurl4-openssl-dev libevent-dev libyaml-dev libcmocka-dev)
if [[ $test -eq 1 ]]; then
    # procps: ps and /proc readers; iproute2: ss (sockets of a process); nghttp2-client: h2load; chromium:
    # renders the HTML report headless (tests/integration/soak_html_test.sh); redis-server, redis-tools: the
    # real Redis (and redis-cli, redis-benchmark) behind fault-proxy.
    packages+=(python3 wrk nghttp2-client nodejs npm procps iproute2 chromium redis-server redis-tools)
fi
if [[ $bench -eq 1 ]]; then
    # haproxy: the TCP-mode reference for fault-proxy's passthrough (bench/fault_proxy_vs_haproxy.sh).
    packages+=(nginx-light python3-locust hey libcjson-dev linux-perf haproxy)
fi

# A tool already on PATH counts as present whatever package brought it (a machine may have Node.js from
# elsewhere, whose npm is not Debian's npm package and would conflict with it).
declare -A provides=([python3]=python3 [wrk]=wrk [nghttp2-client]=h2load [nodejs]=node [npm]=npm [hey]=hey
                     [chromium]=chromium)
missing=()
for p in "${packages[@]}"; do
    if [[ -n ${provides[$p]:-} ]] && command -v "${provides[$p]}" >/dev/null; then
        continue
    fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi
if [[ ${#missing[@]} -gt 0 ]]; then
    echo "ci/install-deps.sh: installing ${missing[*]}" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    if ! $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/soakrig-apt.log 2>&1; then
        tail -n 20 /tmp/soakrig-apt.log >&2
        echo "ci/install-deps.sh: apt-get could not install: ${missing[*]}" >&2
        exit 1
    fi
fi

# npm_install DIR: the packages pinned in DIR/package-lock.json, into DIR/node_modules, when the lock changed.
npm_install() {
    local dir=$1 stamp=$1/node_modules/.soakrig-lock
    if [[ -f $stamp ]] && cmp -s "$dir/package-lock.json" "$stamp"; then
        return 0
    fi
    echo "ci/install-deps.sh: npm ci in $dir" >&2
    if ! (cd "$dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error) >/tmp/soakrig-npm.log 2>&1; then
        tail -n 20 /tmp/soakrig-npm.log >&2
        echo "ci/install-deps.sh: npm ci failed in $dir" >&2
        exit 1
    fi
    cp "$dir/package-lock.json" "$stamp"
}
if [[ $test -eq 1 ]]; then
    npm_install tests/sdk
fi
if [[ $bench -eq 1 ]]; then
    npm_install bench/node
fi
