#!/usr/bin/env bash
# Train the Rasa model only when the training data, domain, config or pipeline code changed.
# The fingerprint is a content hash, not timestamps. The safety lexicon is read at run time, so
# changing it needs no training.
set -euo pipefail
model=models/current.tar.gz
# The locality lookup and synonyms come from the borough's localities (the database's, else the
# localities file); the generated file is part of bot/data, so a change of localities is a change
# of the fingerprint below.
.venv/bin/python scripts/generate_localities_nlu.py
fingerprint_file=models/.fingerprint
fingerprint=$(cat config.yml domain.yml requirements/rasa.txt requirements/models.txt \
  $(find bot/domain bot/data bot/components -type f \( -name '*.yml' -o -name '*.py' \) | LC_ALL=C sort) \
  | sha256sum | cut -d' ' -f1)
if [[ -f "$model" && -f "$fingerprint_file" && "$(cat "$fingerprint_file")" == "$fingerprint" ]]; then
  echo "==> Model is up to date with the training data ($model)"
  exit 0
fi
log=var/log/train.log
echo "==> Training the Rasa model (the data or config changed; a few minutes; log in $log)"
mkdir -p models var/log
start=$(date +%s)
if ! .venv-rasa/bin/rasa train --domain bot/domain --data bot/data --config config.yml \
  --out models --fixed-model-name current --quiet > "$log" 2>&1; then
  echo "==> Training failed. The end of $log:" >&2
  tail -n 40 "$log" >&2
  exit 1
fi
echo "$fingerprint" > "$fingerprint_file"
echo "==> Trained $model in $(( $(date +%s) - start ))s"
echo "$(( $(date +%s) - start ))" > models/.train_seconds
