"""What the sequence-GAN recipes share: their training flags, the checks, and the model.

`recipes/seqgan_oracle/train.py` (token ids) and `recipes/seqgan_text/train.py` (sentences) train
the same objectives on the same networks and differ only in their data; this module holds the
rest, so a flag means the same in both and is checked once:

```python
parser = run_directory.Parser(...)
parser.set_defaults(**defaults)
sequence_recipe.add_training_flags(parser.add_argument)
flags = vars(parser.parse_args(argv))
sequence_recipe.check_training_flags(flags)
model = sequence_recipe.build_model(flags, vocab_size, length)
```
"""

from kgan.utils import run_directory

# --algorithm -> the kgan class.
ALGORITHMS = {"seqgan": "SeqGAN", "maligan": "MaliGAN", "relgan": "RelGAN"}

_POSITIVE = (
    "batch_size",
    "num_rollouts",
    "discriminator_steps",
    "embedding_dim",
    "hidden_dim",
    "steps_per_epoch",
)
_EPOCHS = ("mle_epochs", "pretrain_d_epochs", "adversarial_epochs")
_RATES = ("learning_rate", "adversarial_learning_rate")


def add_training_flags(add):
    """Adds the phase, network and optimizer flags with `add` (`parser.add_argument`)."""
    add("--algorithm", choices=sorted(ALGORITHMS), help="adversarial objective")
    add("--mle-epochs", type=int, help="epochs of maximum-likelihood pre-training")
    add("--pretrain-d-epochs", type=int, help="epochs of discriminator pre-training")
    add("--adversarial-epochs", type=int, help="adversarial epochs; 0 = MLE only")
    add("--steps-per-epoch", type=int, help="batches per epoch, every phase")
    add("--batch-size", type=int, help="sequences per step")
    add("--num-rollouts", type=int, help="SeqGAN's Monte-Carlo completions per prefix")
    add("--discriminator-steps", type=int, help="discriminator updates per generator update")
    add("--embedding-dim", type=int, help="generator embedding size")
    add("--hidden-dim", type=int, help="generator LSTM units")
    add("--learning-rate", type=float, help="generator Adam learning rate, MLE (clipnorm 5)")
    add("--adversarial-learning-rate", type=float, help="generator rate, adversarial phase")


def check_training_flags(flags):
    """Checks the flags of `add_training_flags`; sets `flags["epochs"]`, the phases' total.

    Raises:
        run_directory.UsageError: naming the flag and what it must be.
    """
    run_directory.check_positive(flags, *_POSITIVE)
    for name in _EPOCHS:
        if flags[name] < 0:
            raise run_directory.UsageError(f"--{name.replace('_', '-')} must be >= 0")
    for name in _RATES:
        if flags[name] <= 0:
            raise run_directory.UsageError(f"--{name.replace('_', '-')} must be positive")
    flags["epochs"] = sum(flags[name] for name in _EPOCHS)
    if flags["epochs"] == 0:
        raise run_directory.UsageError("all epoch counts are 0: nothing to train")
    return flags


def build_model(flags, vocab_size, length, vocabulary=None):
    """The compiled objective of `--algorithm` on SeqGAN's networks.

    Args:
        flags: The checked flags (`check_training_flags`) with `seed`.
        vocab_size: Tokens the generator chooses among.
        length: The sequence length `T`.
        vocabulary: A `kgan.data.Vocabulary` saved with the model (text recipes), or `None`.

    Returns:
        The compiled `SeqGAN`, `MaliGAN` or `RelGAN`, its phases' epochs set from the flags.
    """
    import keras

    import kgan

    generator = kgan.networks.RecurrentGenerator(
        vocab_size, length, flags["embedding_dim"], flags["hidden_dim"]
    )
    discriminator = kgan.networks.SequenceDiscriminator(vocab_size, length)
    model = getattr(kgan, ALGORITHMS[flags["algorithm"]])(
        generator, discriminator, seed=flags["seed"], vocabulary=vocabulary
    )
    options = {}
    if flags["algorithm"] == "seqgan":
        options["num_rollouts"] = flags["num_rollouts"]
    if flags["algorithm"] == "relgan":
        # The Gumbel-softmax temperature anneals over the whole adversarial phase, as in RelGAN.
        options["annealing_steps"] = max(1, flags["adversarial_epochs"] * flags["steps_per_epoch"])
    model.compile(
        generator_optimizer=keras.optimizers.Adam(flags["learning_rate"], clipnorm=5.0),
        discriminator_optimizer=keras.optimizers.Adam(1e-4),
        pretrain_generator_epochs=flags["mle_epochs"],
        pretrain_discriminator_epochs=flags["pretrain_d_epochs"],
        discriminator_steps=flags["discriminator_steps"],
        adversarial_learning_rate=flags["adversarial_learning_rate"],
        **options,
    )
    return model
