#!/usr/bin/env bash
# Run every zonecrawler benchmark once, printing each one's numbers (see benchmarks/README.md).
#   bash benchmarks/run_all.sh            # full sizes (the 100k-page crawl takes a while)
#   QUICK=1 bash benchmarks/run_all.sh    # small sizes, for a smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
if [[ -x .venv/bin/python && -z "${PYTHON:-}" ]]; then PY=.venv/bin/python; fi
if [[ -n "${QUICK:-}" ]]; then
  EXTRACT=(--seconds 1); CRAWL=(--articles 300 --rounds 1); SCALE=(--sizes 500,1000); ZONES=(--rounds 2); LABELS=(--sizes 1000,10000)
else
  EXTRACT=(); CRAWL=(); SCALE=(); ZONES=(); LABELS=()
fi
echo "== 1. extraction throughput and accuracy"
"$PY" -m benchmarks.bench_extract "${EXTRACT[@]}"
echo; echo "== 2. crawl throughput: full spider + pipelines vs bare download-only spider"
"$PY" -m benchmarks.bench_crawl "${CRAWL[@]}"
echo; echo "== 3. scale: 10k and 100k-page crawls"
"$PY" -m benchmarks.bench_scale "${SCALE[@]}"
echo; echo "== 4. zones: find_zone_in_text, normalize_zone, gazetteer load"
"$PY" -m benchmarks.bench_zones "${ZONES[@]}"
echo; echo "== 5. label-line scaling: 1k/10k/100k label lines"
"$PY" -m benchmarks.bench_labels "${LABELS[@]}"
