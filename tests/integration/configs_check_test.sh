#!/usr/bin/env bash
# Every scenario file in configs/ validates with every binary (`--check`, and `soak run --check` for
# whole scenarios), and a broken copy of one is
# rejected with exit 2 and a file:line:col message.
set -euo pipefail
: "${MOCK_PROVIDER:?}" "${SOAK:?}" "${FAULT_PROXY:?}" "${SOAK_SOURCE_DIR:?}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fail=0
checked=0
for config in "$SOAK_SOURCE_DIR"/configs/*.yaml; do
    cmds=("$MOCK_PROVIDER --check --config $config" "$SOAK load --check --config $config")
    # fault-proxy alone cannot check proxies whose addresses `soak run` fills in (it says so); soak run --check
    # below checks those, with the addresses filled in
    if ! grep -q '^\s*\(listen\|upstream\):.*{{' "$config"; then
        cmds+=("$FAULT_PROXY --check --config $config")
    fi
    for cmd in "${cmds[@]}"; do
        if ! out=$($cmd 2>&1); then
            echo "FAIL: $cmd" >&2
            echo "$out" >&2
            fail=1
        fi
        checked=$((checked + 1))
    done
    # a file with a load: section is a whole scenario: `soak run --check` validates every section
    if grep -q '^load:' "$config"; then
        if ! out=$(SOAK_MOCK_PROVIDER=$MOCK_PROVIDER SOAK_FAULT_PROXY=$FAULT_PROXY "$SOAK" run --check "$config" 2>&1); then
            echo "FAIL: soak run --check $config" >&2
            echo "$out" >&2
            fail=1
        fi
        checked=$((checked + 1))
    fi
done

# A typo in a deployment key must be an error that says where.
sed 's/^\(\s*\)output_tokens:/\1output_tokns:/' "$SOAK_SOURCE_DIR/configs/1k-rps.yaml" >"$work/typo.yaml"
rc=0
out=$("$MOCK_PROVIDER" --check --config "$work/typo.yaml" 2>&1) || rc=$?
if [[ $rc -ne 2 || "$out" != *"typo.yaml:"*":"*"output_tokns"* ]]; then
    echo "FAIL: mock-provider accepted or misreported a typo (exit $rc): $out" >&2
    fail=1
fi
sed 's/^\(\s*\)repeat:/\1repaet:/' "$SOAK_SOURCE_DIR/configs/1k-rps.yaml" >"$work/typo2.yaml"
rc=0
out=$("$SOAK" load --check --config "$work/typo2.yaml" 2>&1) || rc=$?
if [[ $rc -ne 2 || "$out" != *"typo2.yaml:"*":"*"repaet"* ]]; then
    echo "FAIL: soak accepted or misreported a typo (exit $rc): $out" >&2
    fail=1
fi
# The slow-redis scenario keeps its 25 s stall window; a typo in its toxic is caught with its position.
if ! grep -q 'attributes: {start: 10s, duration: 25s}' "$SOAK_SOURCE_DIR/configs/slow-redis.yaml"; then
    echo "FAIL: configs/slow-redis.yaml lost its 25 s stall window" >&2
    fail=1
fi
sed 's/type: stall/type: stal/' "$SOAK_SOURCE_DIR/configs/slow-redis.yaml" >"$work/typo3.yaml"
rc=0
out=$("$FAULT_PROXY" --check --config "$work/typo3.yaml" --set 'proxies[redis].upstream=127.0.0.1:6379' \
    --set 'proxies[provider].upstream=127.0.0.1:8090' 2>&1) || rc=$?
if [[ $rc -ne 2 || "$out" != *"typo3.yaml:"*":"*"proxies[0].toxics[0].type"*"stal"* ]]; then
    echo "FAIL: fault-proxy accepted or misreported a typo (exit $rc): $out" >&2
    fail=1
fi
echo "configs: $checked checks, failures: $fail"
exit "$fail"
