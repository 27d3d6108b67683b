"""Datasets for kgan: float32 image batches in [-1, 1], shaped [batch, height, width, channels].

Every loader returns a shuffled, batched, prefetched `tf.data.Dataset` that `model.fit` takes as
is, and checks its input before building it: corrupt files, unknown dataset names, pixel ranges it
cannot infer and batch sizes larger than the data raise `DataError` with a message naming the
problem.

- `load(spec)`: `"digits"`, a folder path, or a tensorflow-datasets name such as `"mnist"` or
  `"cifar10:test"`; the one entry point for scripts and the `kgan` command.
- `load_digits()`, `digits_arrays()`: the bundled 8x8 handwritten digits, offline.
- `from_arrays(images, labels)`: NumPy images or vectors.
- `from_folder(path)`: a folder of PNG/JPEG/BMP/GIF files.
- `from_tfds(name)`: a tensorflow-datasets split.
- `from_paired_folders()`, `from_side_by_side()`, `paired_arrays()`: `(source, target)` pairs
  for image-to-image models, with `random_jitter` applied to both images identically.
- `from_token_ids(tokens)`: int token ids `[N, T]` (an array or `.npy` file) for the sequence
  GANs; `make_oracle()` and `oracle_sequences()`: SeqGAN's synthetic oracle language.
- `Vocabulary`: words to token ids and back (Keras `StringLookup`'s layout, with `[EOS]`);
  `from_text_lines(lines)`, `from_text_files(paths)`, `from_tfds_text(name)`: sentences to
  `(token-id batches, vocabulary)` for the sequence GANs; `python_docs_sentences()`: thousands
  of English sentences from Python's bundled documentation, offline.
- `task_pairs()`, `task_dataset()`, `task_accuracy()`: `(source, target)` token sequences of
  tasks with one right answer (reversing, sorting) for sequence-to-sequence models.
- `load_unpaired(a, b)`: `(images_a, images_b)` batches from two unpaired domains (CycleGAN), each
  a `load` spec, an array or a `tf.data.Dataset`, shuffled independently.

Example:

```python
import kgan

dataset = kgan.data.load("digits", image_size=32, batch_size=64)
```
"""

from kgan.data.arrays import from_arrays
from kgan.data.corpus import python_docs_sentences
from kgan.data.digits import digits_arrays
from kgan.data.digits import load_digits
from kgan.data.errors import DataError
from kgan.data.folder import from_folder
from kgan.data.jitter import random_jitter
from kgan.data.loading import load
from kgan.data.oracle import make_oracle
from kgan.data.oracle import oracle_sequences
from kgan.data.paired import from_paired_folders
from kgan.data.paired import from_side_by_side
from kgan.data.paired import paired_arrays
from kgan.data.sequence_tasks import task_accuracy
from kgan.data.sequence_tasks import task_dataset
from kgan.data.sequence_tasks import task_pairs
from kgan.data.text import from_text_files
from kgan.data.text import from_text_lines
from kgan.data.text import from_tfds_text
from kgan.data.tfds import from_tfds
from kgan.data.tokens import check_token_ids
from kgan.data.tokens import from_token_ids
from kgan.data.unpaired import load_unpaired
from kgan.data.vocabulary import Vocabulary

__all__ = [
    "DataError",
    "Vocabulary",
    "check_token_ids",
    "digits_arrays",
    "from_arrays",
    "from_token_ids",
    "make_oracle",
    "oracle_sequences",
    "from_folder",
    "from_paired_folders",
    "from_side_by_side",
    "from_text_files",
    "from_text_lines",
    "from_tfds",
    "from_tfds_text",
    "load",
    "load_digits",
    "load_unpaired",
    "paired_arrays",
    "python_docs_sentences",
    "random_jitter",
    "task_accuracy",
    "task_dataset",
    "task_pairs",
]
