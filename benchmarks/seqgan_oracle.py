"""SeqGAN's synthetic-oracle benchmark: MLE against SeqGAN, MaliGAN and RelGAN from one start.

Every adversarial objective starts from the same maximum-likelihood generator (the `model.keras`
of `recipes/seqgan_oracle/train.py --adversarial-epochs 0`), gets a fresh discriminator,
`--pretrain-d-epochs` of discriminator pre-training and `--adversarial-epochs` of its own
training, all of `--steps-per-epoch` batches. Reported per model: NLL_oracle of 5,000 samples
at temperature 1 (quality; the oracle's own sentences are the floor) and NLL_test of held-out
sentences (coverage), then the temperature sweep of each (Caccia et al. 2020). Run from the
repository root after `recipes/seqgan_oracle/make_data.py --out runs/oracle`:

```
python benchmarks/seqgan_oracle.py --mle runs/mle/model.keras --oracle-dir runs/oracle \
    --out runs/seqgan_oracle_benchmark.json
```

With `--out`, the temperature curves are also drawn to `..._sweep.png` and to TensorBoard
(`..._logs`, image `temperature_sweep`). `--plot-only` redraws them from an existing `--out`.
"""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgan  # noqa: E402

OBJECTIVES = {"seqgan": kgan.SeqGAN, "maligan": kgan.MaliGAN, "relgan": kgan.RelGAN}


def adversarial_model(name, mle, flags):
    """`name`'s objective with the MLE generator's weights and a fresh discriminator."""
    generator = kgan.networks.RecurrentGenerator.from_config(mle.generator.get_config())
    generator.set_weights(mle.generator.get_weights())
    discriminator = kgan.networks.SequenceDiscriminator(mle.vocab_size, mle.max_length)
    model = OBJECTIVES[name](generator, discriminator, seed=flags.seed)
    options = {"seqgan": {"num_rollouts": flags.num_rollouts}, "maligan": {}}.get(
        name, {"annealing_steps": flags.adversarial_epochs * flags.steps_per_epoch}
    )
    model.compile(
        generator_optimizer=keras.optimizers.Adam(flags.generator_learning_rate, clipnorm=5.0),
        discriminator_optimizer=keras.optimizers.Adam(1e-4),
        pretrain_discriminator_epochs=flags.pretrain_d_epochs,
        discriminator_steps=flags.discriminator_steps,
        **options,
    )
    return model


def scores(generator, oracle, test, seed):
    samples = kgan.networks.sequence_sampling.generate_tokens(generator, 5000, seed=seed)
    return {
        "nll_oracle": kgan.metrics.sequence_nll(oracle, samples),
        "nll_test": kgan.metrics.sequence_nll(generator, test),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mle", help="model.keras of an MLE-only recipe run")
    parser.add_argument("--oracle-dir", help="the folder make_data.py wrote")
    parser.add_argument("--algorithms", default="seqgan,maligan,relgan")
    parser.add_argument("--pretrain-d-epochs", type=int, default=10)
    parser.add_argument("--adversarial-epochs", type=int, default=6)
    parser.add_argument("--steps-per-epoch", type=int, default=25)
    parser.add_argument("--num-rollouts", type=int, default=8)
    parser.add_argument("--discriminator-steps", type=int, default=3)
    parser.add_argument("--generator-learning-rate", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default=None, help="write the results as JSON here")
    parser.add_argument("--plot-only", action="store_true", help="redraw the curves of --out")
    flags = parser.parse_args()
    if flags.plot_only:
        stem = os.path.splitext(flags.out)[0]
        with open(flags.out) as file:
            sweeps = json.load(file)["temperature_sweeps"]
        kgan.metrics.plot_temperature_sweeps(
            sweeps, path=stem + "_sweep.png", log_dir=stem + "_logs"
        )
        return
    if not (flags.mle and flags.oracle_dir):
        parser.error("--mle and --oracle-dir are required (or --plot-only --out FILE)")

    oracle = keras.saving.load_model(os.path.join(flags.oracle_dir, "oracle.keras"))
    test = np.load(os.path.join(flags.oracle_dir, "test.npy"))
    train = os.path.join(flags.oracle_dir, "train.npy")
    mle = keras.saving.load_model(flags.mle)
    references = json.load(open(os.path.join(flags.oracle_dir, "references.json")))
    results = {"references": references, "flags": vars(flags), "models": {}}
    results["models"]["mle"] = scores(mle.generator, oracle, test, flags.seed)
    sweeps = {"mle": kgan.metrics.temperature_sweep(mle.generator, oracle=oracle, test_tokens=test)}
    for name in flags.algorithms.split(","):
        keras.utils.set_random_seed(flags.seed)
        model = adversarial_model(name, mle, flags)
        dataset = kgan.data.from_token_ids(train, mle.vocab_size, batch_size=64, seed=flags.seed)
        start = time.perf_counter()
        model.fit(
            dataset.repeat(),
            epochs=flags.pretrain_d_epochs + flags.adversarial_epochs,
            steps_per_epoch=flags.steps_per_epoch,
            verbose=2,
        )
        results["models"][name] = {
            **scores(model.generator, oracle, test, flags.seed),
            "train_seconds": round(time.perf_counter() - start, 1),
        }
        sweeps[name] = kgan.metrics.temperature_sweep(
            model.generator, oracle=oracle, test_tokens=test
        )
    results["temperature_sweeps"] = sweeps

    print(f"\n{'model':10s} {'NLL_oracle':>10s} {'NLL_test':>9s}")
    print(f"{'oracle':10s} {references['oracle_nll_of_its_own_sentences']:10.3f}")
    print(f"{'uniform':10s} {references['oracle_nll_of_uniform_tokens']:10.3f}")
    for name, row in results["models"].items():
        print(f"{name:10s} {row['nll_oracle']:10.3f} {row['nll_test']:9.3f}")
    print("\ntemperature sweep (NLL_oracle / NLL_test)")
    temperatures = [row["temperature"] for row in sweeps["mle"]]
    print(f"{'model':10s} " + " ".join(f"{t:>13.2f}" for t in temperatures))
    for name, rows in sweeps.items():
        cells = " ".join(f"{r['nll_oracle']:6.3f}/{r['nll_test']:6.3f}" for r in rows)
        print(f"{name:10s} {cells}")
    if flags.out:
        with open(flags.out, "w") as file:
            json.dump(results, file, indent=2)
        # The curves (Caccia et al. 2020) beside the JSON: a PNG and a TensorBoard image.
        stem = os.path.splitext(flags.out)[0]
        kgan.metrics.plot_temperature_sweeps(
            sweeps, path=stem + "_sweep.png", log_dir=stem + "_logs"
        )
        print(f"wrote {flags.out}, {stem}_sweep.png and TensorBoard logs in {stem}_logs")


if __name__ == "__main__":
    main()
