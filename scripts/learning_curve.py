"""How cross-validated macro-F1 grows with the amount of training data (a screening harness).

Runs in the Rasa runtime (`.venv-rasa/bin/python scripts/learning_curve.py`). The features are the
pipeline's, less the lexicon regexes: word 1-2-gram and char_wb 2-5-gram counts beside the
SentenceEncoder's vectors (layers 6, 4 and 2, times 8), then a balanced logistic regression. Folds
are stratified 5-fold with seed 42, so every run gives the same figures, unlike `rasa test nlu`.

For each fraction, each fold's training part is cut to that share of every intent (seed 0); the
test parts stay whole. `--extra FILE ...` adds candidate training files to the pool first, to see
what new examples would do before they go into `bot/data/nlu`. Prints one line a fraction.
Takes about 5 minutes a fraction on the 2-core machine.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
from rasa.shared.nlu.training_data.loading import load_data
from scipy.sparse import csr_matrix, hstack
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.components.minilm import shared_model  # noqa: E402

SCALE = 8.0  # config.yml: SentenceEncoder scale
LAYERS = (6, 4, 2)  # config.yml: SentenceEncoder layers


def examples(paths: list[Path]) -> tuple[list[str], list[str]]:
    texts, labels = [], []
    for path in paths:
        for message in load_data(str(path)).intent_examples:
            texts.append(message.get("text"))
            labels.append(message.get("intent"))
    return texts, labels


def features(train: list[str], test: list[str], vectors_train, vectors_test):
    # Every word, one letter ones too, as Rasa's featurizer counts the tokenizer's tokens.
    words = CountVectorizer(ngram_range=(1, 2), token_pattern=r"(?u)\b\w+\b")  # noqa: S106
    chars = CountVectorizer(analyzer="char_wb", ngram_range=(2, 5))
    fitted = [words.fit_transform(train), chars.fit_transform(train)]
    applied = [words.transform(test), chars.transform(test)]
    return (
        hstack([*fitted, csr_matrix(vectors_train * SCALE)]).tocsr(),
        hstack([*applied, csr_matrix(vectors_test * SCALE)]).tocsr(),
    )


def share(indices: np.ndarray, labels: np.ndarray, fraction: float, rng) -> np.ndarray:
    """The given fraction of each intent's examples among `indices` (at least 2 an intent)."""
    kept = []
    for label in np.unique(labels[indices]):
        mine = indices[labels[indices] == label].copy()
        rng.shuffle(mine)
        kept.extend(mine[: max(2, round(len(mine) * fraction))])
    return np.sort(np.array(kept))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fractions", type=float, nargs="+", default=[0.5, 0.75, 1.0])
    parser.add_argument("--extra", type=Path, nargs="*", default=[])
    args = parser.parse_args()

    nlu = ROOT / "bot" / "data" / "nlu"
    paths = [p for p in sorted(nlu.glob("*.yml")) if p.stem not in ("entities", "lexicons")]
    texts, labels = examples(paths + args.extra)
    y = np.array(labels)
    vectors = shared_model().encode(texts, batch_size=32, layers=LAYERS)
    print(f"{len(texts)} examples, {len(set(labels))} intents", flush=True)

    folds = list(StratifiedKFold(5, shuffle=True, random_state=42).split(texts, y))
    for fraction in args.fractions:
        rng = np.random.RandomState(0)
        predicted = np.empty(len(y), dtype=object)
        for train, test in folds:
            train = share(train, y, fraction, rng) if fraction < 1 else train
            x_train, x_test = features(
                [texts[i] for i in train], [texts[i] for i in test], vectors[train], vectors[test]
            )
            classifier = LogisticRegression(
                C=1.0, max_iter=1000, class_weight="balanced", random_state=42
            )
            predicted[test] = classifier.fit(x_train, y[train]).predict(x_test)
        score = f1_score(y, predicted.astype(str), average="macro")
        print(f"fraction {fraction:.2f}: CV macro-F1 {score:.3f}", flush=True)


if __name__ == "__main__":
    main()
