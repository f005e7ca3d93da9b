#!/usr/bin/env bash
# Inside the throwaway root (deb_in_root.sh): each step a store's support person or dpkg takes.
set -euo pipefail
fail() { echo "FAILED: $*" >&2; exit 1; }
mode_owner() { stat -c '%a %U:%G' "$1"; }

echo "== install"
dpkg -i /tmp/debs/agent.deb
getent passwd regua >/dev/null || fail "the package made no system user regua"
[ "$(getent passwd regua | cut -d: -f7)" = /usr/sbin/nologin ] || fail "regua must not have a login shell"
[ "$(mode_owner /var/lib/regua)" = "700 regua:regua" ] || fail "/var/lib/regua is $(mode_owner /var/lib/regua)"
[ "$(mode_owner /etc/regua)" = "750 root:regua" ] || fail "/etc/regua is $(mode_owner /etc/regua)"
[ -f /usr/lib/systemd/system/regua-agent.service ] || fail "no systemd unit"
regua-agent --version
if command -v systemd-analyze >/dev/null; then
  # The unit as systemd reads it (the binary and user exist now): no unknown setting, no bad value.
  systemd-analyze verify /usr/lib/systemd/system/regua-agent.service 2>&1 | tee /tmp/verify.log
  if grep -Ei 'unknown|invalid|failed' /tmp/verify.log | grep -v 'Failed to connect'; then
    fail "systemd-analyze found problems in the unit"
  fi
fi

echo "== setup, then the agent at work as its service user"
regua-agent setup --config /etc/regua/agent.toml --non-interactive --store-id loja-1 \
  --pos /var/lib/regua/pos/sales.jsonl
chgrp regua /etc/regua/agent.toml
install -d -o regua -g regua /var/lib/regua/pos
printf '%s\n' '{"type":"sale","id":"S-1","ts":"2026-03-01T10:00:00-03:00","total":"10.00","customer":{"id":"C-1"}}' \
  >/var/lib/regua/pos/sales.jsonl
as_regua() { setpriv --reuid regua --regid regua --init-groups --inh-caps=-all -- "$@"; }
as_regua regua-agent import --config /etc/regua/agent.toml /var/lib/regua/pos/sales.jsonl
[ "$(mode_owner /var/lib/regua/ledger.db)" = "600 regua:regua" ] || fail "the ledger is $(mode_owner /var/lib/regua/ledger.db)"
as_regua regua-agent backup --config /etc/regua/agent.toml --to /var/lib/regua/backups/before-upgrade.db
[ "$(mode_owner /var/lib/regua/backups/before-upgrade.db)" = "600 regua:regua" ] || fail "a backup must be 0600"
if setpriv --reuid nobody --regid nogroup --clear-groups -- cat /var/lib/regua/ledger.db >/dev/null 2>&1; then
  fail "another user can read the ledger"
fi

echo "== upgrade: data and configuration stay, permissions are re-applied"
chmod 0644 /var/lib/regua/ledger.db  # loosened by hand: the upgrade tightens it again
dpkg -i /tmp/debs/agent-next.deb
dpkg-query -W -f='${Version}\n' regua-agent | grep -q '+next1' || fail "not upgraded"
[ "$(mode_owner /var/lib/regua/ledger.db)" = "600 regua:regua" ] || fail "upgrade left the ledger $(mode_owner /var/lib/regua/ledger.db)"
grep -q 'id = "loja-1"\|id = '"'"'loja-1'"'" /etc/regua/agent.toml || fail "the configuration was not kept"
sales=$(as_regua regua-agent status --config /etc/regua/agent.toml --json | sed -n 's/^  "sales": \([0-9]*\),$/\1/p')
[ "$sales" = 1 ] || fail "after the upgrade status says $sales sale(s), not 1"

echo "== the hub package beside it shares the user"
dpkg -i /tmp/debs/hub.deb
[ "$(mode_owner /var/lib/regua-hub)" = "700 regua:regua" ] || fail "/var/lib/regua-hub is $(mode_owner /var/lib/regua-hub)"
dpkg -P regua-hub
[ ! -e /var/lib/regua-hub ] || fail "purging the hub left its data"
getent passwd regua >/dev/null || fail "purging the hub removed the user the agent still uses"

echo "== remove keeps data and configuration; purge deletes them and the user"
dpkg -r regua-agent
[ ! -e /usr/bin/regua-agent ] || fail "remove left the binary"
[ -f /var/lib/regua/ledger.db ] || fail "remove deleted the ledger"
[ -f /etc/regua/agent.toml ] || fail "remove deleted the configuration"
dpkg -P regua-agent
[ ! -e /var/lib/regua ] || fail "purge left /var/lib/regua"
[ ! -e /etc/regua ] || fail "purge left /etc/regua"
! getent passwd regua >/dev/null || fail "purge left the user regua"
echo "packaging: every check passed"
