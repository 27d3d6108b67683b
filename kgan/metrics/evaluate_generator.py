"""`evaluate_generator`: one evaluation of a generator in one call.

The functional form of `kgan.metrics.evaluation.Evaluator` (see there for what is computed and
how), exposed as `kgan.metrics.evaluate_generator`.
"""

from kgan.metrics import evaluation


def evaluate_generator(
    model,
    real_data=None,
    metrics=("fid",),
    extractor="inception_v3",
    num_samples=None,
    seed=0,
    batch_size=256,
    real_statistics=None,
    num_real=None,
    options=None,
    conditions=None,
    condition_source=None,
):
    """Evaluates a generator once: `Evaluator(...).evaluate(model, num_samples, seed)`.

    For one evaluation; a callback or a loop that evaluates again and again keeps an
    `kgan.metrics.evaluation.Evaluator`, which computes the real features only once.

    Args:
        model: A model with `generate(num, seed=..., batch_size=...)` (a `kgan.GAN`), a function
            `generate_fn(num, seed)`, or samples already generated (see `Evaluator.evaluate`).
        real_data: Real samples (see `Evaluator`). Defaults to `None`.
        metrics: Names from `METRICS`. Defaults to `("fid",)`.
        extractor: See `Evaluator`. Defaults to `"inception_v3"`.
        num_samples: Samples to generate. Papers use 10,000 or 50,000. Defaults to `None`:
            one per row of `conditions` when they are given, else `10_000`.
        seed: Seed of the generated samples. Defaults to `0`.
        batch_size: Samples per generator and extractor call. Defaults to `256`.
        real_statistics: Precomputed FID statistics (see `Evaluator`). Defaults to `None`.
        num_real: Cap on the real samples used. Defaults to `None` (all).
        options: Keyword arguments per metric (see `Evaluator`). Defaults to `None`.
        conditions: A conditional model's conditions, one row per sample (see
            `Evaluator.evaluate`). Defaults to `None`.
        condition_source: See `Evaluator`. Defaults to `None`.

    Returns:
        The dict of `Evaluator.evaluate`.

    Example:

    ```python
    results = evaluate_generator(
        gan, real_data=kgan.data.load_digits(image_size=32), metrics=("fid", "is"),
        extractor="digits", num_samples=5000,
    )
    ```
    """
    evaluator = evaluation.Evaluator(
        metrics,
        extractor=extractor,
        real_data=real_data,
        real_statistics=real_statistics,
        num_real=num_real,
        batch_size=batch_size,
        options=options,
        condition_source=condition_source,
    )
    if num_samples is None and conditions is None:
        num_samples = 10_000
    return evaluator.evaluate(model, num_samples=num_samples, seed=seed, conditions=conditions)
