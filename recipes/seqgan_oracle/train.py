"""Trains a sequence GAN (SeqGAN, MaliGAN or RelGAN) on token ids, e.g. SeqGAN's oracle data.

```
python recipes/seqgan_oracle/make_data.py --out runs/oracle
python recipes/seqgan_oracle/train.py --data runs/oracle/train.npy --vocab-size 5000 \\
    --out runs/seqgan_oracle --oracle runs/oracle/oracle.keras --test runs/oracle/test.npy
```

One `fit` runs the phases: `--mle-epochs` of maximum likelihood, `--pretrain-d-epochs` of the
discriminator alone, then `--adversarial-epochs` of the chosen `--algorithm`
(`--adversarial-epochs 0` trains by maximum likelihood only: the baseline). Every epoch is
`--steps-per-epoch` batches, whichever the phase. The run directory holds `model.keras`,
`settings.json`, TensorBoard logs (`logs/`, with `phase` and each phase's losses) and, with
`--oracle`/`--test`, `metrics.json`: NLL_oracle of 5,000 samples at temperature 1 and NLL_test
of the held-out sentences. Rerunning an interrupted command resumes it.
"""

import os

if __name__ == "__main__":  # hold TensorFlow's start-up lines back, as `kgan` does
    from kgan.cli import quiet

    quiet.import_tensorflow_quietly()
# Imported (by the tests): TensorFlow's C++ info and warnings off, set before it is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402

import keras  # noqa: E402
import numpy as np  # noqa: E402

import kgan  # noqa: E402
from kgan.utils import run_directory  # noqa: E402
from kgan.utils import sequence_recipe  # noqa: E402

DEFAULTS = {
    "data": None,
    "vocab_size": None,
    "algorithm": "seqgan",
    "mle_epochs": 80,
    "pretrain_d_epochs": 5,
    "adversarial_epochs": 5,
    "steps_per_epoch": 25,
    "batch_size": 64,
    "num_rollouts": 8,
    "discriminator_steps": 3,
    "embedding_dim": 32,
    "hidden_dim": 32,
    "learning_rate": 1e-2,
    "adversarial_learning_rate": 1e-3,
    "oracle": None,
    "test": None,
    "num_samples": 5000,
    "seed": 0,
    "out": os.path.join("runs", "seqgan_oracle"),
}


def parse_flags(argv=None):
    """Parses and checks the flags; returns them as a dict, or raises `run_directory.UsageError`."""
    parser = run_directory.Parser(
        prog="train.py",
        description="Train a sequence GAN on token ids [N, T] and save a run directory.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--data", help="an .npy file of int token ids [N, T] (required)")
    add("--vocab-size", type=int, help="token ids are in [0, vocab-size) (required)")
    sequence_recipe.add_training_flags(add)
    add("--oracle", help="the oracle's .keras file, to report NLL_oracle of samples")
    add("--test", help="an .npy of held-out token ids, to report NLL_test")
    add("--num-samples", type=int, help="samples scored by the oracle")
    parser.add_argument("--seed", type=int, help="seed of the weights, data order and sampling")
    parser.add_argument("--out", help="run directory")
    flags = vars(parser.parse_args(argv))
    for name in ("data", "vocab_size"):
        if flags[name] is None:
            raise run_directory.UsageError(
                f"--{name.replace('_', '-')} is required (make oracle data with "
                "recipes/seqgan_oracle/make_data.py)"
            )
    run_directory.check_positive(flags, "vocab_size", "num_samples")
    return sequence_recipe.check_training_flags(flags)


def score(model, flags):
    """NLL_oracle of samples and NLL_test of held-out ids, for the flags that ask for them."""
    metrics = {}
    if flags["oracle"]:
        oracle = keras.saving.load_model(flags["oracle"])
        samples = model.generate(flags["num_samples"], seed=flags["seed"])
        metrics["nll_oracle"] = kgan.metrics.sequence_nll(oracle, samples)
    if flags["test"]:
        test = kgan.data.check_token_ids(
            np.load(flags["test"]), flags["vocab_size"], model.max_length, what="--test ids"
        )
        metrics["nll_test"] = kgan.metrics.sequence_nll(model.generator, test)
    return metrics


def train(flags):
    """Trains as `flags` say and writes the run directory; returns the settings written."""
    run_directory.check_resume(flags["out"], flags)
    keras.utils.set_random_seed(flags["seed"])
    dataset = kgan.data.from_token_ids(
        flags["data"],
        vocab_size=flags["vocab_size"],
        batch_size=flags["batch_size"],
        seed=flags["seed"],
    )
    length = int(dataset.element_spec.shape[1])
    model = sequence_recipe.build_model(flags, flags["vocab_size"], length)
    resolved = {
        "length": length,
        "generator_parameters": model.generator.count_params(),
        "discriminator_parameters": model.discriminator.count_params(),
    }
    callbacks = run_directory.callbacks(flags["out"], None)
    settings = run_directory.fit_and_record(model, dataset.repeat(), flags, resolved, callbacks)
    metrics = score(model, flags)
    if metrics:
        run_directory.write_json(os.path.join(flags["out"], "metrics.json"), metrics)
        print("  ".join(f"{name} {value:.3f}" for name, value in metrics.items()))
    return settings


def main(argv=None):
    """Runs the recipe; returns the exit code (0, or 2 with a one-line error on stderr)."""
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
