#!/usr/bin/env bash
# Run every zonecrawler benchmark once (ten), printing each one's numbers (see benchmarks/README.md).
#   bash benchmarks/run_all.sh            # full sizes (the 100k-page crawl takes a while)
#   QUICK=1 bash benchmarks/run_all.sh    # small sizes, for a smoke run
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python}"
if [[ -x .venv/bin/python && -z "${PYTHON:-}" ]]; then PY=.venv/bin/python; fi
if [[ -n "${QUICK:-}" ]]; then
  EXTRACT=(--seconds 1); CRAWL=(--articles 300 --rounds 1); SCALE=(--sizes 500,1000); ZONES=(--rounds 2); LABELS=(--sizes 1000,10000)
  SWEEP=(--sites 20 --articles 5); REEXTRACT=(--pages 1000 --rounds 1); STORE=(--sizes 1000,10000 --lookups 2000 --rounds 1); FACTS=(--rounds 2)
else
  EXTRACT=(); CRAWL=(); SCALE=(); ZONES=(); LABELS=(); SWEEP=(); REEXTRACT=(); STORE=(); FACTS=()
fi
REALPAGES="${REALPAGES:-../shared/realpages}"
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
if [[ -f "$REALPAGES/truth.jsonl" ]]; then
  echo; echo "== 6. extraction on real pages ($REALPAGES)"
  "$PY" -m benchmarks.bench_extract --pages "$REALPAGES" "${EXTRACT[@]}"
else
  echo; echo "== 6. extraction on real pages: skipped, no truth.jsonl in $REALPAGES (set REALPAGES=DIR)"
fi
echo; echo "== 7. many polite sites at once: sweep vs bare spider ceiling vs CONCURRENT_REQUESTS=16"
"$PY" -m benchmarks.bench_sweep "${SWEEP[@]}"
echo; echo "== 8. re-extraction with 0, 1 and 2 worker processes"
"$PY" -m benchmarks.bench_reextract "${REEXTRACT[@]}"
echo; echo "== 9. a store of 10k, 100k and 1M articles"
"$PY" -m benchmarks.bench_store "${STORE[@]}"
echo; echo "== 10. facts: extract_facts vs extract_article"
"$PY" -m benchmarks.bench_facts "${FACTS[@]}"
