#!/usr/bin/env bash
# tests/integration/mock_keepalive_default_test.sh — by default the mock keeps an idle keep-alive connection
# well past h2o's own 10 s (a gateway's pooled connection survives a quiet phase). One raw HTTP/1.1 connection
# idle for 11 s (reuse_after.py). Labelled `wallclock`: the release tree only, since the wait is the same in
# every build (mock_keepalive_test.sh closes idle connections in every tree).
source "$(dirname "$0")/mock_lib.sh"

start_mock "
mock:
  threads: 1
  deployments:
    - name: a
"
# Idle past h2o's own 10 s (a sleep, not a deadline: it needs no sanitizer scaling)
IDLE=11
expect_eq "$(python3 "$(dirname "$0")/reuse_after.py" "$(url_of a)" "$IDLE")" "reused" \
    "connection idle ${IDLE}s with the default keepalive_timeout"
stop_mock
pass "default keep-alive outlives h2o's 10 s"
