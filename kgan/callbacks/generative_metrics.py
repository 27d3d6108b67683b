"""`GenerativeMetrics`: a callback that writes FID, KID, IS, ... into the epoch logs."""

import keras
import numpy as np

from kgan.metrics import evaluation
from kgan.metrics import sequence_evaluation

# Result keys that count samples or classes rather than score the generator: not logged.
_COUNT_KEYS = ("num_samples", "num_real", "num_classes", "num_train")


class GenerativeMetrics(keras.callbacks.Callback):
    """Evaluates the generator during `fit` and adds the results to the epoch logs.

    At the end of an evaluated epoch it generates `num_samples` samples with
    `model.generate(num, seed=..., batch_size=...)`, runs the metrics of
    `kgan.metrics.evaluation.Evaluator` on them (for a sequence GAN with the text metrics
    `"bleu"`, `"self_bleu"`, `"nll_test"`, `"nll_oracle"`: those of
    `kgan.metrics.sequence_evaluation.SequenceEvaluator`) and puts the scalar results (`fid`, `kid`,
    `kid_std`, `is`, `precision`, ...) into `logs`, so that the callbacks after it in the list
    (`History`, which `fit` returns, the progress bar, `CSVLogger`, `TensorBoard` as `epoch_fid`,
    `EarlyStopping(monitor="fid", mode="min")`, `ModelCheckpoint`) see them. List values
    (`class_histogram`) stay out of the logs; every result, lists included, is kept in
    `results`.

    **Order**: Keras hands one logs dict to the callbacks in list order, so a callback that
    runs *before* this one has already run when the metrics arrive. `kgan.GAN.fit` (and the
    fit of every kgan model) therefore runs `GenerativeMetrics` first, wherever it is listed.
    With another model's `fit`, put `CSVLogger`, `TensorBoard`, `EarlyStopping` and
    `ModelCheckpoint` after it. (`History` and the progress bar are appended by Keras, so they
    always come after.)

    **Which epochs**: the first epoch of each `fit` call, every `every_n_epochs`-th epoch
    (counting finished epochs from 1, as Keras does, so `initial_epoch` resumes the schedule),
    and the last epoch of `fit` (`epochs`). Other epochs carry no metric keys, as Keras
    treats `validation_freq`: `History` lists only the evaluated epochs' values,
    `EarlyStopping` and `ModelCheckpoint` skip those epochs (with a warning that the key is
    missing), and `CSVLogger` writes `NA`. The first epoch is evaluated because `CSVLogger`
    fixes its columns at its first row: a key missing there would never be written. (An early
    stop by another callback ends training without a final evaluation.)

    The samples come from the same `seed` every time, so the latent vectors are the same at
    every evaluation and the numbers change only with the model. Real features are computed
    once, in `on_train_begin` (so a data or extractor error shows before the first epoch), and
    reused by every evaluation and every later `fit`.

    Args:
        metrics: Names from `kgan.metrics.evaluation.METRICS` (`"fid"`, `"kid"`, `"is"`,
            `"pr"`, `"dc"`, `"classes"`, `"copies"`), a sequence or a comma-separated string.
            For a sequence model, names from `sequence_evaluation.SEQUENCE_METRICS` instead
            (`"bleu"`, `"self_bleu"`, `"nll_test"`, `"nll_oracle"`), logged as `bleu_2` ..
            `bleu_5`, `self_bleu_2` .. `self_bleu_5`, `nll_test`, `nll_oracle`.
        real_data: Real samples: a NumPy array or a `tf.data.Dataset` of samples or
            `(samples, labels)` (see `Evaluator`); for text metrics, held-out token ids
            `[N, T]` (array or dataset) or a list of sentences. Defaults to `None`.
        every_n_epochs: Evaluate after every this many epochs. Defaults to `1`.
        num_samples: Samples generated per evaluation. FID from fewer samples than the
            feature dimension (2048 for Inception) is biased and warned about. Defaults to
            `10000`.
        extractor: The feature extractor (see `Evaluator`). Defaults to `"inception_v3"`.
        seed: Seed of the generated samples, the same at every evaluation. Defaults to `0`.
        batch_size: Samples per generator and extractor call. Defaults to `256`.
        real_statistics: Precomputed FID statistics, a `FeatureStatistics` or `.npz` path.
            Defaults to `None`.
        num_real: Cap on the real samples used. Defaults to `None` (all of a finite dataset).
        prefix: Prepended to every key in the logs, e.g. `"ema_"`. Defaults to `""`.
        options: Keyword arguments per metric (see `Evaluator`), e.g.
            `{"kid": {"subset_size": 500}}`; for text metrics, keyword arguments of
            `SequenceEvaluator` (`orders`, `self_bleu_samples`, `decoding`). Defaults to
            `None`.
        condition_source: Where a conditional model's conditions come from (see
            `Evaluator`): `None` for uniform class ids (rows of the real labels for attribute
            vectors), `"real"` for the real data's labels. Defaults to `None`.
        oracle: For `"nll_oracle"`: the synthetic oracle (`keras.Model` or `.keras` path)
            that scores the samples. Defaults to `None`.

    Attributes:
        evaluator: The `Evaluator`, holding the real features.
        results: `{epoch: results}` of every evaluation (0-based epochs, all keys, lists
            included).

    Example:

    ```python
    history = gan.fit(
        dataset,
        epochs=20,
        callbacks=[
            kgan.callbacks.GenerativeMetrics(
                ["fid", "kid"], real_data=real_images, every_n_epochs=5, num_samples=5000
            ),
            keras.callbacks.CSVLogger("log.csv"),  # logs fid and kid columns
            keras.callbacks.TensorBoard("logs"),  # logs epoch_fid, epoch_kid
        ],
    )
    history.history["fid"]  # epochs 1, 5, 10, 15 and 20
    ```
    """

    # Adds `fid`, `kid`, ... to the epoch logs: objectives run it before the other callbacks.
    adds_epoch_logs = True

    def __init__(
        self,
        metrics,
        real_data=None,
        every_n_epochs=1,
        num_samples=10000,
        extractor="inception_v3",
        seed=0,
        batch_size=256,
        real_statistics=None,
        num_real=None,
        prefix="",
        options=None,
        condition_source=None,
        oracle=None,
    ):
        super().__init__()
        for name, value in (("every_n_epochs", every_n_epochs), ("num_samples", num_samples)):
            if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
                raise ValueError(f"`{name}` must be a positive integer, got {value!r}.")
        if _names_sequence_metrics(metrics):
            self.evaluator = sequence_evaluation.SequenceEvaluator(
                metrics,
                real_data=real_data,
                oracle=oracle,
                num_references=num_real,
                batch_size=batch_size,
                **(options or {}),
            )
        else:
            self.evaluator = evaluation.Evaluator(
                metrics,
                extractor=extractor,
                real_data=real_data,
                real_statistics=real_statistics,
                num_real=num_real,
                batch_size=batch_size,
                options=options,
                condition_source=condition_source,
            )
        self.every_n_epochs = int(every_n_epochs)
        self.num_samples = int(num_samples)
        self.seed = seed
        self.prefix = str(prefix)
        self.results = {}
        self._first_epoch_done = False

    def on_train_begin(self, logs=None):
        if not callable(getattr(self.model, "generate", None)):
            raise ValueError(
                f"GenerativeMetrics samples with `model.generate(num, seed=..., batch_size=...)`, "
                f"which {type(self.model).__name__} does not have. Use a kgan model (kgan.GAN), "
                "or evaluate with kgan.metrics.evaluation.Evaluator and a generate function."
            )
        if isinstance(self.evaluator, sequence_evaluation.SequenceEvaluator):
            self.evaluator.prepare(self.model)  # encodes real sentences with its vocabulary
        else:
            self.evaluator.prepare()
        self._first_epoch_done = False

    def should_evaluate(self, epoch):
        """Whether the epoch (0-based) ending now is evaluated; see the class docstring."""
        last_epoch = (self.params or {}).get("epochs")
        return (
            not self._first_epoch_done
            or (epoch + 1) % self.every_n_epochs == 0
            or (last_epoch is not None and epoch + 1 == last_epoch)
        )

    def on_epoch_end(self, epoch, logs=None):
        evaluate = self.should_evaluate(epoch)
        self._first_epoch_done = True
        if not evaluate:
            return
        results = self.evaluator.evaluate(self.model, num_samples=self.num_samples, seed=self.seed)
        self.results[epoch] = results
        if logs is not None:
            logs.update(self.scalar_logs(results))

    def scalar_logs(self, results):
        """The results to log: scalar metric values, prefixed (no lists, no counts)."""
        return {
            self.prefix + key: value
            for key, value in results.items()
            if key not in _COUNT_KEYS
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        }


def _names_sequence_metrics(metrics):
    """Whether `metrics` are text metrics; mixing them with image metrics is refused."""
    names = metrics.split(",") if isinstance(metrics, str) else list(metrics)
    names = [str(name).strip().lower() for name in names if str(name).strip()]
    text = [name for name in names if name in sequence_evaluation.SEQUENCE_METRICS]
    if text and len(text) < len(names):
        others = [name for name in names if name not in text]
        raise ValueError(
            f"The metrics {others} score images and {text} score sequences: one model makes "
            "one kind of sample, so choose metrics of that kind."
        )
    return bool(text)
