#!/usr/bin/env bash
# Per-intent precision, recall and F1: 5-fold cross-validation on the training data, and the
# held-out file tests/nlu/test_nlu.yml against the current model.
set -euo pipefail
out=var/results
mkdir -p "$out"
echo "==> 5-fold cross-validation on bot/data/nlu (trains five models; takes a while)"
.venv-rasa/bin/rasa test nlu --nlu bot/data/nlu --config config.yml --cross-validation --folds 5 \
  --out "$out/nlu-cv" --no-plot --quiet >/dev/null
scripts/train.sh
echo "==> Held-out file tests/nlu/test_nlu.yml against models/current.tar.gz"
.venv-rasa/bin/rasa test nlu --nlu tests/nlu/test_nlu.yml --model models/current.tar.gz \
  --out "$out/nlu-heldout" --no-plot --quiet >/dev/null
echo "==> Everyday requests (tests/safety/open_world_*.yml, plainly out of scope) against the model"
.venv/bin/python - "$out/open_world_nlu.yml" <<'PY'
import sys, yaml
from pathlib import Path
texts = []
for path in sorted(Path("tests/safety").glob("open_world_*.yml")):
    texts += [r["text"] for r in yaml.safe_load(path.read_text())["requests"] if r["plain"]]
lines = "".join(f"- {t}\n" for t in texts)
# Rasa evaluates intents only when the file has two or more: the held-out file's other intents
# go beside the requests, so the out_of_scope row is exactly the everyday requests.
others = [b for b in yaml.safe_load(Path("tests/nlu/test_nlu.yml").read_text())["nlu"]
          if b.get("intent") not in (None, "out_of_scope")]
data = {"version": "3.1", "nlu": [{"intent": "out_of_scope", "examples": lines}, *others]}
Path(sys.argv[1]).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
PY
.venv-rasa/bin/rasa test nlu --nlu "$out/open_world_nlu.yml" --model models/current.tar.gz \
  --out "$out/nlu-open-world" --no-plot --quiet >/dev/null
.venv/bin/python scripts/print_nlu_report.py "$out/nlu-cv/intent_report.json" \
  "$out/nlu-heldout/intent_report.json" "$out/nlu-open-world/intent_report.json"
