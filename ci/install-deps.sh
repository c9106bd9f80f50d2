#!/usr/bin/env bash
# Installs the Debian packages SoakRig needs, only those missing. Idempotent and quiet.
#   ci/install-deps.sh            build + test dependencies
#   ci/install-deps.sh --bench    also the reference peers used by bench/ (nginx, wrk, locust, h2load)
set -euo pipefail

packages=(build-essential cmake pkg-config curl ca-certificates
          libh2o-evloop-dev libcurl4-openssl-dev libevent-dev libyaml-dev libcmocka-dev)
if [[ "${1:-}" == "--bench" ]]; then
    packages+=(wrk nginx-light python3-locust nghttp2-client libcjson-dev procps)
fi

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 ]]; then
    exit 0
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then
    sudo="sudo"
fi
echo "ci/install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
