"""The one error type that `kgan.data` raises for data it cannot turn into a dataset.

Every loader checks its input before building a `tf.data` pipeline, because the failures it
prevents otherwise surface late and far from their cause: a corrupt file aborts training mid-epoch,
a batch larger than the data makes `fit` run zero steps without complaint, pixels in 0..255 train a
`tanh` generator against targets it can never reach. Each message names the offending value and
says what to pass instead.
"""


class DataError(ValueError):
    """Raised when `kgan.data` cannot build a dataset from what it was given.

    It subclasses `ValueError`, so existing `except ValueError` handlers keep working, while
    `except kgan.data.DataError` catches exactly the problems found in the data or its arguments:
    a missing folder, unreadable images, an unknown dataset name, an impossible batch size.

    Example:

    ```python
    try:
        dataset = kgan.data.load("mnst")
    except kgan.data.DataError as error:
        print(error)  # names 'mnist' as a close match
    ```
    """
