"""Generative metrics: FID, KID, Inception Score, precision/recall, density/coverage, and
mode-collapse diagnostics, with the feature extractors and the evaluation loop around them.

Each metric is a plain function on NumPy feature arrays and a streaming `keras.metrics.Metric`
(`update_state(real=..., fake=...)`, `result()`, `reset_state()`) whose result equals the
function on everything it was fed. The metrics run on the host in float64; a metric's
`feature_extractor` maps samples to features (`None`: the inputs already are features), and
its `requires_real` says whether it uses real data at all (not the Inception Score).
`reset_state(keep_real=True)` clears only the generated side, so real features computed once
serve every evaluation. The streaming metrics share this behaviour through
`kgan.metrics.base.FeatureMetric`, which a new metric subclasses.

Around them:

- `feature_extractors`: InceptionV3 (Keras ImageNet weights), the FID Inception graph of the
  papers (`fid_inception`), any Keras model, and `"digits"`, a classifier of the bundled digits
  trained offline (`classifier`); `get(name)` resolves them.
- `mode_collapse`: class histograms, classes present, KL to the real class distribution and
  condition accuracy (`class_statistics`); duplicates and copies of the training data
  (`copy_statistics`).
- `mixture_modes`: modes captured and the high-quality share on a known Gaussian mixture (the
  25-Gaussian grid of VEEGAN and PacGAN, `grid_means`, `grid_points`).
- Text: `sequence_nll` / `SequenceNLL` (NLL_oracle of samples under the synthetic oracle,
  NLL_test of held-out data under the generator) and `bleu` / `self_bleu` (equal to NLTK's
  smoothed sentence BLEU averaged, as text-GAN papers report); `temperature_sweep` traces
  quality against diversity over sampling temperatures (Caccia et al. 2020), and
  `plot_temperature_sweeps` draws those curves to PNG and TensorBoard;
  `sequence_evaluation.SequenceEvaluator` samples a sequence model and computes them all
  (`GenerativeMetrics` and `kgan evaluate` use it for sequence models).
- `evaluation`: `Evaluator` (and `evaluate_generator`, its one-call form) run a generator batch
  by batch through one
  extractor call per batch into every chosen metric (`kgan.callbacks.GenerativeMetrics` and
  `kgan evaluate` use it).

Each function shares its name with the module that defines it; the package exposes the
functions (`kgan.metrics.frechet_distance(...)`). Import anything else from the module's path:
`from kgan.metrics.frechet_distance import FeatureStatistics`.

Example:

```python
from kgan import metrics

fid = metrics.frechet_distance(real_features, fake_features)
kid_mean, kid_std = metrics.kernel_distance(real_features, fake_features)
is_mean, is_std = metrics.inception_score(logits)
precision, recall = metrics.precision_recall(real_features, fake_features, k=3)
density, coverage = metrics.density_coverage(real_features, fake_features, k=5)

scores = metrics.evaluate_generator(
    gan, real_images, metrics=("fid", "kid", "is", "classes"), extractor="digits"
)
```
"""

from kgan.metrics import classifier
from kgan.metrics import evaluation
from kgan.metrics import feature_extractors
from kgan.metrics import linalg
from kgan.metrics import mixture_modes
from kgan.metrics import mode_collapse
from kgan.metrics import sequence_evaluation
from kgan.metrics.bleu import bleu
from kgan.metrics.bleu import self_bleu
from kgan.metrics.density_coverage import DensityCoverage
from kgan.metrics.density_coverage import density_coverage
from kgan.metrics.evaluate_generator import evaluate_generator
from kgan.metrics.evaluation import Evaluator
from kgan.metrics.feature_extractors import FrozenGraphExtractor
from kgan.metrics.frechet_distance import FeatureStatistics
from kgan.metrics.frechet_distance import FrechetDistance
from kgan.metrics.frechet_distance import frechet_distance
from kgan.metrics.frechet_distance import frechet_distance_from_statistics
from kgan.metrics.inception_score import InceptionScore
from kgan.metrics.inception_score import inception_score
from kgan.metrics.kernel_distance import KernelDistance
from kgan.metrics.kernel_distance import kernel_distance
from kgan.metrics.mode_collapse import class_statistics
from kgan.metrics.mode_collapse import copy_statistics
from kgan.metrics.precision_recall import PrecisionRecall
from kgan.metrics.precision_recall import precision_recall
from kgan.metrics.sequence_nll import SequenceNLL
from kgan.metrics.sequence_nll import sequence_nll
from kgan.metrics.temperature_sweep import temperature_sweep
from kgan.metrics.temperature_sweep_plot import plot_temperature_sweeps

__all__ = [
    "DensityCoverage",
    "Evaluator",
    "FeatureStatistics",
    "FrechetDistance",
    "FrozenGraphExtractor",
    "InceptionScore",
    "KernelDistance",
    "PrecisionRecall",
    "SequenceNLL",
    "bleu",
    "class_statistics",
    "classifier",
    "copy_statistics",
    "density_coverage",
    "evaluate_generator",
    "evaluation",
    "feature_extractors",
    "frechet_distance",
    "frechet_distance_from_statistics",
    "inception_score",
    "kernel_distance",
    "linalg",
    "mixture_modes",
    "mode_collapse",
    "sequence_evaluation",
    "precision_recall",
    "self_bleu",
    "sequence_nll",
    "temperature_sweep",
    "plot_temperature_sweeps",
]
