"""Trains a sequence GAN on real sentences: by default the bundled corpus of Python's docs.

```
python recipes/seqgan_text/train.py --out runs/seqgan_text
python recipes/seqgan_text/train.py --text my_sentences.txt --out runs/mine --algorithm relgan
kgan sample runs/seqgan_text/model.keras --num 20 --temperature 0.8 --out samples.txt
kgan evaluate runs/seqgan_text/model.keras --data runs/seqgan_text/test.txt
```

The sentences (`kgan.data.python_docs_sentences`: 7,166 sentences of 5-20 words from the
documentation every Python installation ships, or one sentence per line of `--text` files) are
shuffled with `--seed` and split into `--num-test` test sentences (the BLEU references and
NLL_test), `--num-test` validation sentences (the real-data row: real text scored like the
samples) and the training rest. A `kgan.data.Vocabulary` of the training words seen at least
`--min-count` times is built and saved inside the model, so `generate_text` and `kgan sample`
write words.

One `fit` runs the phases: `--mle-epochs` of maximum likelihood, `--pretrain-d-epochs` of the
discriminator, `--adversarial-epochs` of `--algorithm` (`0`: MLE only), every epoch
`--steps-per-epoch` batches. `GenerativeMetrics` logs BLEU-2..5, self-BLEU and NLL_test to
TensorBoard every `--metrics-every` epochs. The run directory holds `model.keras`,
`settings.json`, `logs/`, `test.txt`, `samples.txt` (`--num-samples` sentences at temperature 1)
and `metrics.json`: the samples' and the validation sentences' BLEU and self-BLEU against the
test sentences, and NLL_test. Rerunning an interrupted command resumes it.
"""

import os

if __name__ == "__main__":  # hold TensorFlow's start-up lines back, as `kgan` does
    from kgan.cli import quiet

    quiet.import_tensorflow_quietly()
# Imported (by the tests): TensorFlow's C++ info and warnings off, set before it is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402

import keras  # noqa: E402

import kgan  # noqa: E402
from kgan.metrics import sequence_evaluation  # noqa: E402
from kgan.utils import run_directory  # noqa: E402
from kgan.utils import sequence_recipe  # noqa: E402

METRICS = ("bleu", "self_bleu", "nll_test")
DEFAULTS = {
    "text": None,
    "max_words": 20,
    "min_count": 2,
    "num_test": 500,
    # RelGAN by default: on this corpus SeqGAN's discriminator wins at once (rewards near 0)
    # and each of its steps costs ~5x more (rollouts). 12 MLE epochs: NLL_test is lowest near
    # there, after which the 6,166 training sentences are learnt by heart.
    "algorithm": "relgan",
    "mle_epochs": 12,
    "pretrain_d_epochs": 3,
    "adversarial_epochs": 5,
    "steps_per_epoch": 50,
    "batch_size": 64,
    "num_rollouts": 4,
    "discriminator_steps": 3,
    "embedding_dim": 64,
    "hidden_dim": 128,
    "learning_rate": 1e-2,
    # At 1e-3 RelGAN collapses onto a few phrases within an epoch here (README).
    "adversarial_learning_rate": 1e-4,
    "metrics_every": 4,
    "num_samples": 500,
    "seed": 0,
    "out": os.path.join("runs", "seqgan_text"),
}


def parse_flags(argv=None):
    """Parses and checks the flags; returns them as a dict, or raises `run_directory.UsageError`."""
    parser = run_directory.Parser(
        prog="train.py",
        description="Train a sequence GAN on sentences and save a run directory.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.set_defaults(**DEFAULTS)
    add = parser.add_argument
    add("--text", nargs="+", help="text files, one sentence per line (default: Python's docs)")
    add("--max-words", type=int, help="longest sentence kept, in words ([EOS] is one more)")
    add("--min-count", type=int, help="words seen fewer times in training become [UNK]")
    add("--num-test", type=int, help="test sentences, and as many validation sentences")
    sequence_recipe.add_training_flags(add)
    add("--metrics-every", type=int, help="log BLEU and NLL_test every this many epochs")
    add("--num-samples", type=int, help="samples scored and written to samples.txt")
    add("--seed", type=int, help="seed of the split, weights, data order and sampling")
    add("--out", help="run directory")
    flags = vars(parser.parse_args(argv))
    run_directory.check_positive(flags, "max_words", "min_count", "num_test", "metrics_every")
    if flags["num_samples"] < 2:
        raise run_directory.UsageError("--num-samples must be at least 2 (self-BLEU pairs them)")
    return sequence_recipe.check_training_flags(flags)


def split_sentences(flags):
    """`(train, validation, test)` sentence lists, shuffled by `--seed`."""
    if flags["text"]:
        sentences = kgan.data.text.read_text_lines(flags["text"])
        sentences = [s for s in sentences if len(s.split()) <= flags["max_words"]]
        source = ", ".join(flags["text"])
    else:
        sentences = kgan.data.python_docs_sentences(max_words=flags["max_words"])
        source = "Python's documentation"
    sentences = sorted(set(sentences))
    random.Random(flags["seed"]).shuffle(sentences)
    held_out = 2 * flags["num_test"]
    if len(sentences) < held_out + flags["batch_size"]:
        raise run_directory.UsageError(
            f"{source} has {len(sentences)} distinct sentences of at most {flags['max_words']} "
            f"words: too few for {flags['num_test']} test and as many validation sentences and "
            f"one batch of {flags['batch_size']} to train on (lower --num-test)"
        )
    test = sentences[: flags["num_test"]]
    return sentences[held_out:], sentences[flags["num_test"] : held_out], test


def score(model, samples, validation, test, flags):
    """The samples' and the validation sentences' scores against the test sentences."""
    evaluator = sequence_evaluation.SequenceEvaluator(
        METRICS, real_data=test, self_bleu_samples=flags["num_samples"]
    )
    metrics = {"samples": evaluator.score(model, samples)}
    # Real text through the same metrics: the row the samples should approach.
    real = model.vocabulary.encode(validation[: flags["num_samples"]], model.max_length)
    hypotheses = sequence_evaluation.sentences(real, model.pad_token, model.vocabulary.end_id)
    metrics["validation_sentences"] = {
        **evaluator.bleu_scores(hypotheses),
        "nll_test_of_validation": kgan.metrics.sequence_nll(model.generator, real, 0),
    }
    return metrics


def train(flags):
    """Trains as `flags` say and writes the run directory; returns the settings written."""
    run_directory.check_resume(flags["out"], flags)
    keras.utils.set_random_seed(flags["seed"])
    train_sentences, validation, test = split_sentences(flags)
    length = flags["max_words"] + 1
    dataset, vocabulary = kgan.data.from_text_lines(
        train_sentences,
        length,
        batch_size=flags["batch_size"],
        min_frequency=flags["min_count"],
        seed=flags["seed"],
    )
    model = sequence_recipe.build_model(flags, len(vocabulary), length, vocabulary)
    resolved = {
        "max_length": length,
        "vocab_size": len(vocabulary),
        "sentences": {
            "train": len(train_sentences),
            "validation": len(validation),
            "test": len(test),
        },
        "generator_parameters": model.generator.count_params(),
        "discriminator_parameters": model.discriminator.count_params(),
    }
    os.makedirs(flags["out"], exist_ok=True)
    write_lines(os.path.join(flags["out"], "test.txt"), test)
    metrics_callback = kgan.callbacks.GenerativeMetrics(
        METRICS,
        real_data=test,
        every_n_epochs=flags["metrics_every"],
        num_samples=min(200, flags["num_samples"]),
        seed=flags["seed"],
        options={"self_bleu_samples": min(200, flags["num_samples"])},
    )
    callbacks = run_directory.callbacks(flags["out"], None, extra=[metrics_callback])
    settings = run_directory.fit_and_record(model, dataset.repeat(), flags, resolved, callbacks)
    # One draw, written out and scored: samples.txt holds exactly the sentences measured.
    samples = model.generate(flags["num_samples"], seed=flags["seed"], end_token=vocabulary.end_id)
    write_lines(os.path.join(flags["out"], "samples.txt"), vocabulary.decode(samples))
    metrics = score(model, samples, validation, test, flags)
    run_directory.write_json(os.path.join(flags["out"], "metrics.json"), metrics)
    samples, real = metrics["samples"], metrics["validation_sentences"]
    print(
        f"BLEU-4 {samples['bleu_4']:.3f} (real {real['bleu_4']:.3f})  self-BLEU-4 "
        f"{samples['self_bleu_4']:.3f} (real {real['self_bleu_4']:.3f})  NLL_test "
        f"{samples['nll_test']:.3f}"
    )
    return settings


def write_lines(path, lines):
    """Writes one line per item, whole to a temporary file, then moved into place."""
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        file.writelines(line + "\n" for line in lines)
    os.replace(temporary, path)


def main(argv=None):
    """Runs the recipe; returns the exit code (0, or 2 with a one-line error on stderr)."""
    return run_directory.run_main(parse_flags, train, argv)


if __name__ == "__main__":
    sys.exit(main())
