"""Tests for kgan/utils/sequence_recipe.py: the sequence recipes' shared flags and model."""

import argparse

import pytest

from kgan.data import vocabulary as vocabulary_lib
from kgan.utils import run_directory
from kgan.utils import sequence_recipe

DEFAULTS = {
    "algorithm": "seqgan",
    "mle_epochs": 2,
    "pretrain_d_epochs": 1,
    "adversarial_epochs": 3,
    "steps_per_epoch": 4,
    "batch_size": 8,
    "num_rollouts": 2,
    "discriminator_steps": 3,
    "embedding_dim": 8,
    "hidden_dim": 16,
    "learning_rate": 1e-2,
    "adversarial_learning_rate": 1e-3,
    "seed": 0,
}


def parse(argv):
    parser = argparse.ArgumentParser()
    parser.set_defaults(**DEFAULTS)
    sequence_recipe.add_training_flags(parser.add_argument)
    return sequence_recipe.check_training_flags(vars(parser.parse_args(argv)))


def test_flags_parse_and_total_the_epochs():
    flags = parse(["--algorithm", "relgan", "--mle-epochs", "5", "--adversarial-epochs", "0"])
    assert flags["algorithm"] == "relgan" and flags["epochs"] == 6


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--batch-size", "0"], "--batch-size must be a positive integer, got 0"),
        (["--mle-epochs", "-1"], "--mle-epochs must be >= 0"),
        (["--adversarial-learning-rate", "0"], "--adversarial-learning-rate must be positive"),
        (
            ["--mle-epochs", "0", "--pretrain-d-epochs", "0", "--adversarial-epochs", "0"],
            "all epoch counts are 0",
        ),
    ],
)
def test_bad_flags_are_usage_errors(argv, message):
    with pytest.raises(run_directory.UsageError, match=message):
        parse(argv)


@pytest.mark.parametrize("algorithm", sorted(sequence_recipe.ALGORITHMS))
def test_build_model_follows_the_flags(algorithm):
    flags = parse(["--algorithm", algorithm])
    words = ["a", "b", "c", "d"]
    model = sequence_recipe.build_model(flags, 8, 6, vocabulary_lib.Vocabulary(words))
    assert type(model).__name__ == sequence_recipe.ALGORITHMS[algorithm]
    assert model.vocabulary.words == words and model.max_length == 6
    assert model.generator.vocab_size == 8 and model.generator.hidden_dim == 16
    config = model.get_compile_config()
    assert config["pretrain_generator_epochs"] == 2
    assert config["pretrain_discriminator_epochs"] == 1
    assert config["discriminator_steps"] == 3
    if algorithm == "seqgan":
        assert model.num_rollouts == 2
    if algorithm == "relgan":
        assert model.annealing_steps == 3 * 4  # the whole adversarial phase
