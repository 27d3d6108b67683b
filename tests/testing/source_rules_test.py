"""Tests for kgan/testing/source_rules.py, and the rules themselves on kgan's source: no import
circle, no objective importing the callbacks, no use of another module's private names, no file
over 450 lines, nothing that runs code from a user's file."""

import pathlib
import textwrap

from kgan.testing import source_rules


def write_package(root, files):
    """Writes `{relative path: source}` under `root/kgan`; returns the package folder."""
    package = root / "kgan"
    for relative, source in files.items():
        path = package / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(source))
    return package


def test_each_rule_catches_what_it_is_for(tmp_path):
    package = write_package(
        tmp_path,
        {
            "__init__.py": "from kgan import models\n",
            "models/__init__.py": "from kgan.models import gan\n",
            "models/gan.py": "from kgan.callbacks import grid\nfrom kgan.models import helpers\n",
            # A circle closed by an import inside a function still counts.
            "models/helpers.py": "def f():\n    from kgan.models import gan\n    return gan._x\n",
            "callbacks/__init__.py": "",
            "callbacks/grid.py": "from kgan.fine import _hidden\n" + "x = 1\n" * 451,
            "fine.py": "import os\nclass A:\n    def f(self):\n        return self._y, os.sep\n",
        },
    )
    assert source_rules.import_cycles(package) == [
        "kgan.models.gan -> kgan.models.helpers -> kgan.models.gan"
    ]
    assert source_rules.objective_imports_of_callbacks(package) == [
        "kgan.models.gan imports kgan.callbacks.grid"
    ]
    violations = source_rules.private_name_uses(package)
    assert len(violations) == 2
    assert any("uses kgan.models.gan._x" in item for item in violations), violations
    assert any("imports kgan.fine._hidden" in item for item in violations), violations
    assert source_rules.long_files(package) == ["kgan/callbacks/grid.py: 452 lines"]


def test_relative_imports_resolve_to_their_modules(tmp_path):
    package = write_package(
        tmp_path,
        {
            "__init__.py": "",
            "a/__init__.py": "from . import b\n",
            "a/b.py": "from .. import c\n",
            "c.py": "from kgan.a import b\n",
        },
    )
    assert source_rules.import_cycles(package) == ["kgan.a.b -> kgan.c -> kgan.a.b"]


def test_kgan_has_no_import_circle():
    assert source_rules.import_cycles() == []


def test_no_objective_imports_the_callbacks():
    assert source_rules.objective_imports_of_callbacks() == []


def test_no_module_uses_another_modules_private_names():
    assert source_rules.private_name_uses() == []


def test_no_kgan_file_is_over_the_line_limit():
    assert source_rules.long_files() == []


def test_unsafe_code_paths_are_found(tmp_path):
    package = write_package(
        tmp_path,
        {
            "__init__.py": "import pickle\n",
            "a.py": "from dill import loads\nx = eval('1')\nexec('y = 2')\n",
            "b.py": (
                "import keras, numpy as np\n"
                "keras.saving.load_model('m.keras', safe_mode=False)\n"
                "keras.config.enable_unsafe_deserialization()\n"
                "np.load('a.npy', allow_pickle=True)\n"
                "np.load('a.npy', allow_pickle=False)\n"  # fine
                "keras.saving.load_model('m.keras', safe_mode=True)\n"  # fine
                "model.evaluate(x)\n"  # a method called evaluate is fine
            ),
        },
    )
    found = source_rules.unsafe_code_paths(package)
    assert [item.split(" ", 1)[1] for item in found] == [
        "imports pickle",
        "imports from dill",
        "calls eval",
        "calls exec",
        "loads with safe_mode=False",
        "leaves Keras' safe mode",
        "loads with allow_pickle=True",
    ], found


def test_no_code_path_runs_code_from_a_users_file():
    recipes = pathlib.Path(source_rules.package_root()).parent / "recipes"
    assert source_rules.unsafe_code_paths(extra_roots=[recipes]) == []
