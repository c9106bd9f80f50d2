#!/usr/bin/env bash
# tests/integration/mock_keepalive_test.sh — --keepalive-timeout (keepalive_timeout in the config) closes idle
# keep-alive connections after it, and not before. One raw HTTP/1.1 connection per check (reuse_after.py).
# mock_keepalive_default_test.sh shows the default outlives h2o's own 10 s.
source "$(dirname "$0")/mock_lib.sh"

start_mock "
mock:
  threads: 1
  keepalive_timeout: 500ms
  deployments:
    - name: a
"
expect_eq "$(python3 "$(dirname "$0")/reuse_after.py" "$(url_of a)" 0.1)" "reused" \
    "connection idle 0.1s with keepalive_timeout 500ms"
expect_eq "$(python3 "$(dirname "$0")/reuse_after.py" "$(url_of a)" "$(python3 -c "print(0.5 + 1.5 * $SCALE)")")" \
    "closed" "connection idle past keepalive_timeout 500ms"
stop_mock
pass "keepalive_timeout closes idle connections"
