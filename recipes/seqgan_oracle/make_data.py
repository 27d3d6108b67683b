"""Makes SeqGAN's synthetic-oracle data: a random LSTM language and 10,000 of its sentences.

```
python recipes/seqgan_oracle/make_data.py --out runs/oracle
```

writes `runs/oracle/oracle.keras` (the oracle, the judge of NLL_oracle), `train.npy` (int32
`[10000, 20]`, what `train.py --data` takes) and `test.npy` (held-out sentences for NLL_test),
and prints the two reference points: the oracle's NLL of its own held-out sentences (the floor)
and of uniform random tokens.
"""

import os

if __name__ == "__main__":  # hold TensorFlow's start-up lines back, as `kgan` does
    from kgan.cli import quiet

    quiet.import_tensorflow_quietly()
# Imported (by the tests): TensorFlow's C++ info and warnings off, set before it is imported.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import argparse  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

import kgan  # noqa: E402
from kgan.utils import run_directory  # noqa: E402


def parse_flags(argv=None):
    parser = run_directory.Parser(
        prog="make_data.py",
        description="Make the synthetic-oracle data of SeqGAN (Yu et al. 2017, Section 5).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    add = parser.add_argument
    add("--out", default=os.path.join("runs", "oracle"), help="folder to write")
    add("--vocab-size", type=int, default=5000, help="tokens of the oracle's language")
    add("--length", type=int, default=20, help="tokens per sentence")
    add("--num", type=int, default=10_000, help="training sentences")
    add("--num-test", type=int, default=2_000, help="held-out sentences")
    add("--seed", type=int, default=0, help="seed of the oracle's weights and of its samples")
    flags = vars(parser.parse_args(argv))
    run_directory.check_positive(flags, "vocab_size", "length", "num", "num_test")
    return flags


def make(flags):
    """Writes the oracle and its sentences; returns the reference NLLs."""
    oracle = kgan.data.make_oracle(
        vocab_size=flags["vocab_size"], max_length=flags["length"], seed=flags["seed"]
    )
    sentences = kgan.data.oracle_sequences(
        oracle, flags["num"] + flags["num_test"], seed=flags["seed"] + 1
    )
    os.makedirs(flags["out"], exist_ok=True)
    oracle.save(os.path.join(flags["out"], "oracle.keras"))
    np.save(os.path.join(flags["out"], "train.npy"), sentences[: flags["num"]])
    np.save(os.path.join(flags["out"], "test.npy"), sentences[flags["num"] :])
    uniform = np.random.default_rng(flags["seed"]).integers(
        0, flags["vocab_size"], (flags["num_test"], flags["length"])
    )
    return {
        "oracle_nll_of_its_own_sentences": kgan.metrics.sequence_nll(
            oracle, sentences[flags["num"] :]
        ),
        "oracle_nll_of_uniform_tokens": kgan.metrics.sequence_nll(oracle, uniform),
    }


def main(argv=None):
    try:
        flags = parse_flags(argv)
        references = make(flags)
    except SystemExit as exit:  # --help
        return exit.code
    except (run_directory.UsageError, ValueError, OSError) as error:
        print(f"error: {' '.join(str(error).split())}", file=sys.stderr)
        return 2
    run_directory.write_json(os.path.join(flags["out"], "references.json"), references)
    for name, value in references.items():
        print(f"{name:34s} {value:.3f} nats/token")
    print(f"wrote oracle.keras, train.npy, test.npy to {flags['out']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
