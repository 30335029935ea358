"""The NumPy all-MiniLM-L6-v2 in bot/components/minilm.py against the reference implementation.

The expected token ids and vector values below were produced once by the Hugging Face tokenizer
and sentence-transformers 6.2 (PyTorch) on the same weights; over all 2,552 training examples the
two implementations gave the same token ids and vectors within 5e-7. This test keeps that
agreement pinned without needing PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest

from bot.components.minilm import MAX_TOKENS, MiniLM, ModelNotInstalled, basic_tokens


@pytest.fixture(scope="module")
def model() -> MiniLM:
    return MiniLM()


@pytest.mark.parametrize(
    ("text", "ids"),
    [
        (
            "I'm SO skint rn, cant afford the bus!!",
            [101, 1045, 1005, 1049, 2061, 3096, 2102, 29300, 1010, 2064, 2102, 8984, 1996, 3902]
            + [999, 999, 102],
        ),
        (
            "Ami khub kharap feel kortesi \U0001f62d café",
            [101, 26445, 1047, 6979, 2497, 1047, 11077, 2361, 2514, 12849, 19731, 5332, 100, 7668]
            + [102],
        ),
        ("nobody texts me back", [101, 6343, 6981, 2033, 2067, 102]),
    ],
)
def test_tokenizer_matches_the_reference(model, text, ids):
    assert model.tokenizer.encode(text) == ids


def test_basic_tokenizer_splits_punctuation_and_strips_accents():
    assert basic_tokens("  Café,\tNAÏVE!?  ") == ["cafe", ",", "naive", "!", "?"]


def test_long_text_is_cut_to_the_model_limit(model):
    ids = model.tokenizer.encode("word " * 1000)
    assert len(ids) == MAX_TOKENS
    assert ids[0] == model.tokenizer.cls and ids[-1] == model.tokenizer.sep


def test_vectors_match_the_reference(model):
    vectors = model.encode(["nobody texts me back", "I'm SO skint rn, cant afford the bus!!"])
    expected = np.array(
        [
            [0.068541, -0.03176, 0.018513, 0.049096, 0.004892, -0.060211],
            [0.016861, 0.001772, 0.077594, 0.018683, 0.07128, 0.03468],
        ]
    )
    assert vectors.shape == (2, 384)
    np.testing.assert_allclose(vectors[:, :6], expected, atol=2e-6)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_batching_and_padding_do_not_change_a_vector(model):
    texts = ["hi", "my mum and dad argue every night and i cant sleep", "skint", "hi"]
    together = model.encode(texts, batch_size=4)
    alone = np.vstack([model.encode([t]) for t in texts])
    np.testing.assert_allclose(together, alone, atol=1e-5)
    np.testing.assert_allclose(together[0], together[3], atol=1e-6)


def test_meaning_is_closer_than_spelling(model):
    lonely, no_friends, football = model.encode(
        ["i feel so lonely", "i have no one to talk to", "who won the football last night"]
    )
    assert lonely @ no_friends > lonely @ football + 0.2


def test_empty_input_gives_no_rows(model):
    assert model.encode([]).shape == (0, 384)


def test_a_wrong_weights_file_is_refused(tmp_path):
    (tmp_path / "model.safetensors").write_bytes(b"\x00" * 64)
    (tmp_path / "vocab.txt").write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n", encoding="utf-8")
    with pytest.raises(ModelNotInstalled, match="not the expected file"):
        MiniLM(tmp_path)


def test_earlier_layers_match_the_reference(model):
    """Layers 4 and 2, mean-pooled and unit length: Hugging Face's hidden_states[4] and [2]."""
    vectors = model.encode(
        ["nobody texts me back", "I'm SO skint rn, cant afford the bus!!"], layers=(6, 4, 2)
    )
    assert vectors.shape == (2, 3 * 384)
    layer4 = [
        [0.042619, 0.010409, -0.012857, 0.029012, 0.039105, -0.03085],
        [0.022561, -0.012962, 0.013095, -0.003313, 0.050151, 0.017126],
    ]
    layer2 = [
        [0.022869, 0.029346, -0.005343, -0.003871, 0.033636, 0.009622],
        [-0.016535, 0.008885, -0.01137, -0.024329, 0.071537, -0.00591],
    ]
    np.testing.assert_allclose(vectors[:, 384:390], layer4, atol=2e-6)
    np.testing.assert_allclose(vectors[:, 768:774], layer2, atol=2e-6)
    np.testing.assert_allclose(
        vectors[:, :384],
        model.encode(["nobody texts me back", "I'm SO skint rn, cant afford the bus!!"]),
        atol=1e-6,
    )
    for block in range(3):
        part = vectors[:, 384 * block : 384 * (block + 1)]
        np.testing.assert_allclose(np.linalg.norm(part, axis=1), 1.0, atol=1e-5)


@pytest.mark.parametrize("layers", [(), (0,), (7,), (6, 9), (6.0,), (True,)])
def test_layer_numbers_outside_the_model_are_refused(model, layers):
    with pytest.raises(ValueError, match="layers"):
        model.encode(["hi"], layers=layers)


def test_no_texts_give_no_rows_of_the_right_width(model):
    assert model.encode([], layers=(6, 4)).shape == (0, 768)
