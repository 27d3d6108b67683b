"""Speed of the sequence GANs: Monte-Carlo rollout rewards, and MLE against a plain Keras LM.

1. **Rollouts**: SeqGAN's reward computation (all `batch x N x (T - 1)` completions of a batch
   and their discriminator scores, one call) for several rollout counts `N` and lengths `T`:
   sampled sequences scored per second, so the cost of `N` and `T` can be read off.
2. **Maximum likelihood**: `SeqGAN`'s MLE phase through `fit` against a plain Keras language
   model (`Embedding`, `LSTM`, `Dense`, sparse cross-entropy) with the same sizes, trained with
   `fit` on the same data, interleaved in one process; the ratio is printed.

```
python benchmarks/sequence_throughput.py            # vocabulary 5,000, batch 64, as SeqGAN
```
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

import kgan  # noqa: E402
from kgan.models import noise  # noqa: E402
from kgan.models import rollouts  # noqa: E402
from kgan.networks import token_sampling  # noqa: E402


def rollout_rate(vocab_size, length, num_rollouts, batch, repeats):
    """Sequences per second whose token rewards `SeqGAN.token_rewards` computes."""
    model = kgan.SeqGAN(
        kgan.networks.RecurrentGenerator(vocab_size, length),
        kgan.networks.SequenceDiscriminator(vocab_size, length),
        seed=0,
    )
    model.compile(num_rollouts=num_rollouts)
    layout = noise.batch_layout(batch)
    fake = tf.constant(np.random.default_rng(0).integers(0, vocab_size, (batch, length)), tf.int32)

    @tf.function
    def rewards(step):
        return model.token_rewards(fake, step, layout)

    rewards(tf.constant(0, tf.int64)).numpy()  # trace
    start = time.perf_counter()
    for step in range(repeats):
        rewards(tf.constant(step + 1, tf.int64)).numpy()
    return batch * repeats / (time.perf_counter() - start)


def rollout_split(vocab_size, length, num_rollouts, batch, repeats):
    """Seconds per call of the two halves of a reward computation: completion and scoring.

    The completion samples `batch * N * (T - 1)` rows through the rollout policy; the scoring
    runs the discriminator once over all of them. Which half dominates says where to cut.
    """
    model = kgan.SeqGAN(
        kgan.networks.RecurrentGenerator(vocab_size, length),
        kgan.networks.SequenceDiscriminator(vocab_size, length),
        seed=0,
    )
    rng = np.random.default_rng(0)
    fake = tf.constant(rng.integers(0, vocab_size, (batch, length)), tf.int32)
    tokens, _ = rollouts.prefixes(fake, num_rollouts)
    uniforms = tf.constant(rng.random((tokens.shape[0], length)), tf.float32)

    @tf.function
    def complete():
        return rollouts.complete(model.generator, tokens, uniforms, batch * num_rollouts)

    completed = complete()

    @tf.function
    def score():
        return model.discriminator(completed, training=False)

    seconds = {}
    for name, call in (("completion", complete), ("discriminator", score)):
        call().numpy()  # trace
        start = time.perf_counter()
        for _ in range(repeats):
            call().numpy()
        seconds[name] = (time.perf_counter() - start) / repeats
    return seconds


def sampler_seconds(vocab_size, rows, repeats):
    """Seconds per call: `token_sampling.choose` (two levels) and one cumsum over the row."""
    rng = np.random.default_rng(0)
    logits = tf.constant(rng.normal(size=(rows, vocab_size)), tf.float32)
    uniform = tf.constant(rng.random(rows), tf.float32)

    @tf.function
    def one_level():
        weights = tf.exp(logits - tf.reduce_max(logits, axis=-1, keepdims=True))
        return token_sampling._invert(weights, uniform)[0]

    two_level = tf.function(lambda: token_sampling.choose(logits, uniform))
    seconds = {}
    for round_ in range(repeats + 1):
        for name, call in (("one cumsum (before)", one_level), ("two levels", two_level)):
            start = time.perf_counter()
            call().numpy()
            if round_ > 0:  # round 0 traces
                elapsed = time.perf_counter() - start
                seconds[name] = min(seconds.get(name, elapsed), elapsed)
    return seconds


def keras_language_model(vocab_size, length):
    inputs = keras.Input((length,), dtype="int32")
    hidden = keras.layers.Embedding(vocab_size + 1, 32)(inputs)
    hidden = keras.layers.LSTM(32, return_sequences=True)(hidden)
    model = keras.Model(inputs, keras.layers.Dense(vocab_size)(hidden))
    model.compile(
        keras.optimizers.Adam(1e-2, clipnorm=5.0),
        keras.losses.SparseCategoricalCrossentropy(from_logits=True),
    )
    return model


def mle_rates(vocab_size, length, batch, steps, rounds):
    """(kgan MLE, plain Keras LM) sequences per second, the best of `rounds` interleaved runs."""
    tokens = np.random.default_rng(0).integers(0, vocab_size, (batch * steps, length))
    tokens = tokens.astype(np.int32)
    inputs = np.concatenate([np.full((len(tokens), 1), vocab_size), tokens[:, :-1]], axis=1)
    seqgan = kgan.SeqGAN(
        kgan.networks.RecurrentGenerator(vocab_size, length),
        kgan.networks.SequenceDiscriminator(vocab_size, length),
        seed=0,
    )
    seqgan.compile(pretrain_generator_epochs=1000)
    plain = keras_language_model(vocab_size, length)
    kgan_data = tf.data.Dataset.from_tensor_slices(tokens).batch(batch)
    keras_data = tf.data.Dataset.from_tensor_slices((inputs, tokens)).batch(batch)
    best = {"kgan": 0.0, "keras": 0.0}
    for round_ in range(rounds + 1):
        for name, model, data in (("kgan", seqgan, kgan_data), ("keras", plain, keras_data)):
            start = time.perf_counter()
            model.fit(data, epochs=round_ + 1, initial_epoch=round_, verbose=0)
            rate = len(tokens) / (time.perf_counter() - start)
            if round_ > 0:  # round 0 traces
                best[name] = max(best[name], rate)
    return best["kgan"], best["keras"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vocab-size", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", help="write the results as JSON here")
    flags = parser.parse_args()
    results = {"vocab_size": flags.vocab_size, "batch_size": flags.batch_size, "rollouts": []}
    sampler = sampler_seconds(flags.vocab_size, 20_000, flags.repeats)
    before, after = sampler.values()
    print(f"sampling 20,000 rows of vocabulary {flags.vocab_size} (best of {flags.repeats}):")
    for name, seconds in sampler.items():
        print(f"  {name:20s} {seconds * 1000:7.1f} ms")
    print(f"  speed-up {before / after:.2f}x\n")
    results["sampler_20000_rows_seconds"] = sampler
    print(f"rollout rewards, vocabulary {flags.vocab_size}, batch {flags.batch_size}")
    print(f"{'T':>4s} {'N':>4s} {'sequences/s':>12s}")
    for length in (10, 20, 40):
        for num_rollouts in (1, 4, 8, 16):
            rate = rollout_rate(
                flags.vocab_size, length, num_rollouts, flags.batch_size, flags.repeats
            )
            print(f"{length:4d} {num_rollouts:4d} {rate:12.1f}", flush=True)
            results["rollouts"].append({"T": length, "N": num_rollouts, "sequences_per_s": rate})
    split = rollout_split(flags.vocab_size, 20, 16, flags.batch_size, flags.repeats)
    total = sum(split.values())
    print("\none reward computation, T=20, N=16 (SeqGAN's setting):")
    for name, seconds in split.items():
        print(f"  {name:14s} {seconds:7.2f} s  ({seconds / total:.0%})")
    results["split_T20_N16_seconds"] = split
    kgan_rate, keras_rate = mle_rates(flags.vocab_size, 20, flags.batch_size, 100, rounds=3)
    print(
        f"\nMLE, T=20: kgan {kgan_rate:.0f} sequences/s, plain Keras LM {keras_rate:.0f} "
        f"sequences/s: ratio (Keras / kgan) {keras_rate / kgan_rate:.2f}"
    )
    results["mle_T20"] = {"kgan_sequences_per_s": kgan_rate, "keras_sequences_per_s": keras_rate}
    if flags.out:
        with open(flags.out, "w") as file:
            json.dump(results, file, indent=2)


if __name__ == "__main__":
    main()
