#!/bin/bash
cd /work/main/tests/e2e
for i in $(seq 1 $1); do
  pids=""; for _ in $(seq 1 $2); do (while :; do :; done) & pids="$pids $!"; done
  RRTC_E2E_ATTEMPTS=1 RRTC_BINARY=/work/main/build/test/rrtc node run.mjs > /tmp/p21/e2e-all-$i.log 2>&1
  echo "run $i rc=$? $(tail -1 /tmp/p21/e2e-all-$i.log) $(grep '^failed:' /tmp/p21/e2e-all-$i.log)" >> /tmp/p21/e2e-all.txt
  kill $pids; wait $pids 2>/dev/null
  cp artifacts/failures.txt /tmp/p21/e2e-failures-$i.txt 2>/dev/null
done
