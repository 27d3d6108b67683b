"""Checks that an objective trains the same under `tf.distribute.MirroredStrategy` as on one device.

Logical CPU devices can only be configured before TensorFlow initialises its devices, so each
comparison runs in a fresh Python process: `run_case("gan", loss="hinge")` starts
`python -m kgan.testing.distribution gan '{"loss": "hinge"}'`, which splits the CPU into two
logical devices, trains one model on `/cpu:0` alone and an identical one mirrored on both, and
prints the largest weight difference as JSON.

Cases are registered in `CASES` by name; later objectives add theirs beside `gan_case`.
"""

import json
import os
import subprocess
import sys

NUM_REPLICAS = 2


def configure_logical_cpus(num_devices=NUM_REPLICAS):
    """Splits the physical CPU into `num_devices` logical devices (before TensorFlow starts)."""
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(num_devices)]
    )
    return [device.name for device in tf.config.list_logical_devices("CPU")]


def compare_to_single_device(build_model, dataset, epochs=2):
    """Trains `build_model()` on one device and mirrored on all logical CPUs, then compares.

    Args:
        build_model: Function returning a *compiled* model with deterministic initial weights
            (it is called once per strategy, under that strategy's scope).
        dataset: A `tf.data.Dataset` with a fixed order; its global batch is split across
            replicas.
        epochs: Epochs to train.

    Returns:
        A dict with `max_abs_diff`, `max_rel_diff` over all weights, `steps`, and both runs'
        final logs.
    """
    import numpy as np
    import tensorflow as tf

    devices = [device.name for device in tf.config.list_logical_devices("CPU")]
    results = {}
    for label, strategy in (
        ("single", tf.distribute.OneDeviceStrategy(devices[0])),
        ("mirrored", tf.distribute.MirroredStrategy(devices)),
    ):
        with strategy.scope():
            model = build_model()
        history = model.fit(dataset, epochs=epochs, verbose=0)
        if label == "mirrored":
            spread = _replica_spread(strategy, model.weights)
        results[label] = (
            [np.array(weight.numpy()) for weight in model.weights],
            {key: float(values[-1]) for key, values in history.history.items()},
            model.step,
            strategy.num_replicas_in_sync,
        )
    single_weights, single_logs, steps, _ = results["single"]
    mirrored_weights, mirrored_logs, mirrored_steps, replicas = results["mirrored"]
    assert replicas == len(devices) and mirrored_steps == steps, (replicas, mirrored_steps, steps)
    abs_diff = max(float(np.max(np.abs(a - b))) for a, b in zip(single_weights, mirrored_weights))
    rel_diff = max(
        float(np.max(np.abs(a - b) / (np.abs(a) + 1e-3)))
        for a, b in zip(single_weights, mirrored_weights)
    )
    return {
        "max_abs_diff": abs_diff,
        "max_rel_diff": rel_diff,
        "steps": steps,
        "replicas": replicas,
        "replica_spread": spread,
        "single_logs": single_logs,
        "mirrored_logs": mirrored_logs,
    }


def _replica_spread(strategy, weights):
    """The largest difference between two replicas' copies of any weight (0 when in sync)."""
    import numpy as np

    spread = 0.0
    for weight in weights:
        copies = [np.asarray(value) for value in strategy.experimental_local_results(weight.value)]
        spread = max([spread] + [float(np.max(np.abs(copy - copies[0]))) for copy in copies])
    return spread


def gan_case(
    loss="non_saturating",
    gradient_penalty_weight=0.0,
    discriminator_steps=1,
    num_examples=96,
    ema_decay=None,
    augmentation=None,
):
    """`kgan.GAN` with tiny batch-norm-free image networks on a fixed image dataset.

    `ema_decay` keeps an EMA generator (with StyleGAN2's ramp-up), compared like every weight;
    `augmentation` (keyword arguments of `kgan.layers.AdaptiveAugmentation`) augments the
    critic's inputs, its `p` compared like a weight.

    With `num_examples` not a multiple of 16 the last batch is kept and splits unevenly across
    the replicas (e.g. 11 examples as 6 + 5).
    """
    import keras

    import kgan
    from kgan.testing import networks
    from kgan.testing import test_case

    def build_model():
        keras.utils.set_random_seed(21)
        options = {} if ema_decay is None else {"ema_decay": ema_decay, "ema_ramp_up": 0.5}
        if augmentation is not None:
            options["augmentation"] = kgan.layers.AdaptiveAugmentation(**augmentation)
        gan = kgan.GAN(
            networks.tiny_image_generator(), networks.tiny_image_discriminator(), seed=5, **options
        )
        gan.compile(
            loss=loss,
            gradient_penalty_weight=gradient_penalty_weight,
            discriminator_steps=discriminator_steps,
        )
        return gan

    dataset = test_case.image_dataset(num=num_examples, batch_size=16, drop_remainder=False)
    return compare_to_single_device(build_model, dataset)


def conditional_gan_case(conditioning_kind="concat", condition_dim=None, num_examples=91):
    """`kgan.ConditionalGAN` (WGAN-GP, 2 critic steps) with tiny conditional vector networks.

    Class ids (`condition_dim=None`, two classes) or attribute vectors of length
    `condition_dim`. Wrong attribute vectors are drawn from the global batch, gathered across
    replicas. With 91 examples the last batch of 11 splits 6 + 5 across two replicas.
    """
    import keras
    import numpy as np
    import tensorflow as tf

    import kgan
    from kgan.testing import conditional

    condition = {"condition_dim": condition_dim} if condition_dim else {"num_classes": 2}

    def build_model():
        keras.utils.set_random_seed(21)
        model = kgan.ConditionalGAN(
            conditional.tiny_conditional_generator(**condition),
            conditional.tiny_conditional_discriminator(
                conditioning_kind=conditioning_kind, **condition
            ),
            conditioning=conditioning_kind,
            seed=5,
            **condition,
        )
        model.compile(loss="wasserstein", gradient_penalty_weight=1.0, discriminator_steps=2)
        return model

    if condition_dim:
        points = np.random.default_rng(0).uniform(-1, 1, (num_examples, 2)).astype("float32")
        labels = conditional.attribute_vectors(num_examples, condition_dim)
    else:
        points, labels = conditional.toy_points(num_examples)
    dataset = tf.data.Dataset.from_tensor_slices((points, labels)).batch(16)
    return compare_to_single_device(build_model, dataset)


def cycle_gan_case(
    loss="least_squares", gradient_penalty_weight=0.0, num_examples=43, ema_decay=None
):
    """`kgan.CycleGAN` with tiny networks and image pools of 4 on the unpaired negation task.

    The pools see the global batch of fakes (gathered across replicas); with 43 examples in
    batches of 8 the last batch of 3 splits 2 + 1, so each replica must keep the right rows.
    """
    import keras
    import tensorflow as tf

    import kgan
    from kgan.testing import paired

    def build_model():
        keras.utils.set_random_seed(21)
        model = kgan.CycleGAN(
            paired.tiny_translation_generator(name="generator_ab"),
            paired.tiny_translation_generator(name="generator_ba"),
            paired.tiny_image_patch_discriminator(name="discriminator_a"),
            paired.tiny_image_patch_discriminator(name="discriminator_b"),
            pool_size=4,
            seed=5,
            ema_decay=ema_decay,
        )
        model.compile(loss=loss, gradient_penalty_weight=gradient_penalty_weight)
        return model

    images_a, images_b = paired.unpaired_negation(num_examples)
    dataset = tf.data.Dataset.from_tensor_slices((images_a, images_b)).batch(8)
    return compare_to_single_device(build_model, _without_autotune(dataset))


def pix2pix_case(loss="wasserstein", gradient_penalty_weight=1.0, num_examples=45):
    """`kgan.Pix2Pix` with tiny norm-free networks on the negation task, WGAN-GP by default.

    The penalty's interpolation weights are drawn for the global batch and sliced per replica;
    with 45 examples in batches of 8 the last batch of 5 splits 3 + 2.
    """
    import keras
    import tensorflow as tf

    import kgan
    from kgan.testing import paired

    def build_model():
        keras.utils.set_random_seed(21)
        model = kgan.Pix2Pix(
            paired.tiny_translation_generator(),
            paired.tiny_patch_discriminator(),
            seed=5,
        )
        model.compile(loss=loss, gradient_penalty_weight=gradient_penalty_weight)
        return model

    source, target = paired.negation_pairs(num_examples)
    dataset = tf.data.Dataset.from_tensor_slices((source, target)).batch(8)
    return compare_to_single_device(build_model, _without_autotune(dataset))


def sequence_gan_case(objective="seq_gan", num_examples=44):
    """A sequence GAN on the tiny token networks through all three phases (one epoch each).

    `objective` is `"seq_gan"` (rollouts and the delayed rollout policy), `"mali_gan"`
    (importance weights normalised over the global batch) or `"seq2seq_gan"` (mismatched
    targets gathered from the global batch, Gumbel-softmax). With 44 examples in batches of 8
    the last batch of 4 splits 2 + 2 and the others 4 + 4.
    """
    import keras
    import tensorflow as tf

    import kgan
    from kgan.data import sequence_tasks
    from kgan.testing import sequences

    def build_model():
        keras.utils.set_random_seed(21)
        if objective == "seq2seq_gan":
            model = sequences.tiny_seq2seq_model(seed=5)
        else:
            objective_class = {"seq_gan": kgan.SeqGAN, "mali_gan": kgan.MaliGAN}[objective]
            model = sequences.tiny_model(objective_class, seed=5)
        settings = {"num_rollouts": 2} if objective == "seq_gan" else {}
        model.compile(pretrain_generator_epochs=1, pretrain_discriminator_epochs=1, **settings)
        return model

    if objective == "seq2seq_gan":
        sources, targets = sequence_tasks.task_pairs(
            num_examples, sequences.LENGTH, sequences.VOCAB_SIZE
        )
        dataset = tf.data.Dataset.from_tensor_slices((sources, targets)).batch(8)
    else:
        tokens = sequences.counting_sequences(num_examples)
        dataset = tf.data.Dataset.from_tensor_slices(tokens).batch(8)
    return compare_to_single_device(build_model, _without_autotune(dataset), epochs=3)


def _without_autotune(dataset):
    """`dataset` with tf.data's autotuning off: two fits on one pipeline can idle on its
    autotune loop (see DESIGN.md); turning it off halved the CycleGAN case's time."""
    import tensorflow as tf

    options = tf.data.Options()
    options.autotune.enabled = False
    return dataset.with_options(options)


CASES = {
    "gan": gan_case,
    "conditional_gan": conditional_gan_case,
    "cycle_gan": cycle_gan_case,
    "pix2pix": pix2pix_case,
    "sequence_gan": sequence_gan_case,
}


def run_case(name, timeout=300, **kwargs):
    """Runs a case in a fresh process with two logical CPUs; returns its result dict.

    Args:
        name: A name registered in `CASES`, or `"path/to/file.py:function"` for a case defined
            elsewhere (e.g. beside a test of an objective written outside kgan); the function
            takes `kwargs` and returns `compare_to_single_device(...)`'s dict.
        timeout: Seconds before the process is stopped. Defaults to `300`.
        **kwargs: JSON-serializable arguments of the case.
    """
    environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", KERAS_BACKEND="tensorflow")
    completed = subprocess.run(
        [sys.executable, "-m", "kgan.testing.distribution", name, json.dumps(kwargs)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=environment,
    )
    if completed.returncode != 0:
        raise RuntimeError(f"Distribution case {name!r} failed:\n{completed.stderr[-4000:]}")
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _case(name):
    if ":" not in name:
        return CASES[name]
    import importlib.util

    path, function = name.rsplit(":", 1)
    spec = importlib.util.spec_from_file_location("distribution_case", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function)


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    configure_logical_cpus()
    result = _case(argv[0])(**(json.loads(argv[1]) if len(argv) > 1 else {}))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
