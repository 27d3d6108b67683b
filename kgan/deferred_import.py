"""Registering kgan's Keras classes as soon as Keras is in use, without importing it first.

`import kgan` does not import TensorFlow, so that the `kgan` command's `--help` returns at once.
But kgan's classes must be registered with Keras before `keras.saving.load_model` reads a
`.keras` file that names them, whatever the order of `import kgan`, `import keras` and
`from kgan.networks import dcgan` in the user's script. Keras cannot be used before it is
imported, so a `sys.meta_path` hook runs the registration (`callback`) at the end of the first
import, of Keras or of a kgan module, after which Keras is imported and no kgan module is half
done. The second condition matters: a kgan module that imports Keras at its top is itself
unfinished when Keras finishes, and importing the objectives then would find it half-empty.
"""

import importlib.abc
import sys


def _kgan_module_initializing():
    return any(
        getattr(getattr(module, "__spec__", None), "_initializing", False)
        for name, module in list(sys.modules.items())
        if name.startswith("kgan.")
    )


class _Hook(importlib.abc.MetaPathFinder):
    """Wraps the loaders of `keras` and of `kgan.*` modules to check, after each, if it is time."""

    def __init__(self, callback):
        self.callback = callback

    def find_spec(self, fullname, path, target=None):
        if fullname != "keras" and not fullname.startswith("kgan."):
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _Loader(spec.loader, self)
                return spec
        return None

    def maybe_run(self):
        if self not in sys.meta_path:
            return  # already ran
        if "keras" in sys.modules and not _kgan_module_initializing():
            sys.meta_path.remove(self)
            self.callback()


class _Loader(importlib.abc.Loader):
    def __init__(self, loader, hook):
        self.loader = loader
        self.hook = hook

    def __getattr__(self, name):
        # Everything else (`get_code` for `python -m`, resource readers...) is the real loader's.
        return getattr(self.loader, name)

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.loader.exec_module(module)
        # `module` counts as initializing until this returns, so it is not counted here.
        module.__spec__._initializing = False
        self.hook.maybe_run()


def once_keras_is_imported(callback):
    """Calls `callback()` when Keras is imported and no kgan module is half imported.

    At once if that is already so; else at the end of the import that makes it so.

    Args:
        callback: A function of no arguments, such as `kgan.import_all`.
    """
    hook = _Hook(callback)
    sys.meta_path.insert(0, hook)
    hook.maybe_run()
