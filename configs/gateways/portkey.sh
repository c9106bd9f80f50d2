#!/bin/sh
# configs/gateways/portkey.sh — Portkey's open-source gateway (npm @portkey-ai/gateway, pinned) for scenarios:
#   portkey.sh install        installs it once into ${XDG_CACHE_HOME:-~/.cache}/soakrig/portkey-VERSION
#   portkey.sh start PORT     serves it on 127.0.0.1:PORT (its start-server takes a port but no address;
#                             a preloaded module binds it to loopback only)
# SOAKRIG_PORTKEY_DIR names a directory where it is installed already (node_modules/@portkey-ai/gateway).
set -eu
version=1.15.2
dir=${SOAKRIG_PORTKEY_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/soakrig/portkey-$version}
server=$dir/node_modules/@portkey-ai/gateway/build/start-server.js
case "${1:-}" in
install)
    if [ ! -f "$server" ]; then
        mkdir -p "$dir"
        npm install --prefix "$dir" --no-audit --no-fund --no-save "@portkey-ai/gateway@$version"
    fi
    echo "portkey $version in $dir"
    ;;
start)
    [ -f "$server" ] || { echo "portkey.sh: not installed in $dir (run: portkey.sh install)" >&2; exit 2; }
    preload=$(mktemp "${TMPDIR:-/tmp}/portkey-loopback.XXXXXX.cjs")
    cat >"$preload" <<'JS'
const net = require('net');
const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  if (typeof args[0] === 'number' && typeof args[1] !== 'string') args.splice(1, 0, '127.0.0.1');
  return listen.apply(this, args);
};
JS
    exec node --require "$preload" "$server" --port="$2" --headless
    ;;
*)
    echo "usage: portkey.sh install | start PORT" >&2
    exit 2
    ;;
esac
