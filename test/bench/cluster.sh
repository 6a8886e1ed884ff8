#!/usr/bin/env bash
# `npm run bench:cluster`: test/bench/cluster.ts with the variables of both the single test
# broker (test/broker/rabbitmq.sh) and the 3-node test cluster (test/broker/cluster.sh)
# exported. Both must be running, and dist/ built:
#   bash test/broker/rabbitmq.sh start && bash test/broker/cluster.sh start && npm run build
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

for script in test/broker/rabbitmq.sh test/broker/cluster.sh; do
  bash "$script" status >/dev/null 2>&1 || { echo "bench:cluster: not running; start it first: bash $script start" >&2; exit 1; }
done
[[ -f dist/fedora-messaging.js ]] || { echo "bench:cluster: dist/ is not built; run npm run build first" >&2; exit 1; }

set -a
eval "$(bash test/broker/rabbitmq.sh env)"
eval "$(bash test/broker/cluster.sh env)"
set +a
exec node --import tsx test/bench/cluster.ts
