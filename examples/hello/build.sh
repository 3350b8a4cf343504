#!/usr/bin/env bash
# The hello example's whole build: a few lines over a couple of seconds.
set -euo pipefail
echo "building ${VALAR_SERVICE:-hello} in $(pwd)"
for step in fetching compiling packaging; do
  echo "step: $step"
  sleep 0.6
done
echo "warning: this is stderr, shown like stdout" >&2
mkdir -p out && echo "hello from the sandbox" > out/index.html
echo "done: out/index.html"
