"""Structural rules of kgan's own source, read with `ast` so that they stay true.

The rules (see DESIGN.md, "The objective family"):

- no import circle among kgan's modules (imports inside functions count: a circle that only
  works because one side imports late is still a circle of responsibilities);
- no objective module (`kgan.models.*`) imports `kgan.callbacks`: an objective does not depend
  on its observers;
- no module uses another module's private names (`module._name`, `from module import _name`);
- no file in `kgan/` is longer than `MAX_LINES` lines;
- no code runs what a user's file holds: no `eval`/`exec`, no `pickle`/`marshal`/`dill` or
  `np.load(..., allow_pickle=True)`, and no way out of Keras' safe mode (`safe_mode=False`,
  `keras.config.enable_unsafe_deserialization`), in `kgan/` and in `recipes/`.

Each check returns a list of readable violations, empty when the rule holds.
"""

import ast
import pathlib

MAX_LINES = 450


def package_root():
    """The directory of the `kgan` package."""
    return pathlib.Path(__file__).resolve().parents[1]


def modules(root=None):
    """Maps each dotted module name of the package (`kgan.models.gan`) to its file."""
    root = pathlib.Path(root or package_root())
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _resolve(module_name, is_package, node):
    """The absolute module an `ImportFrom` node names (handles `from . import x`)."""
    if not node.level:
        return node.module or ""
    base = module_name.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports(module_name, path, known):
    """The kgan modules `module_name` imports (anywhere in the file), as a set of names.

    `from kgan.models import gan` counts as importing `kgan.models.gan` when that is a module,
    else `kgan.models` (a name defined in the package's `__init__`).
    """
    tree = ast.parse(path.read_text(), filename=str(path))
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = alias.name
                while name and name not in known:
                    name = name.rpartition(".")[0]
                if name:
                    found.add(name)
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(module_name, is_package, node)
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full in known:
                    found.add(full)
                elif target in known:
                    found.add(target)
    found.discard(module_name)
    return found


def _graph(root=None):
    known = modules(root)
    return {name: imports(name, path, known) for name, path in known.items()}


def import_cycles(root=None):
    """Import circles among kgan's modules, each as `a -> b -> a`.

    A package's `__init__` that re-exports its own submodules is not a circle with them
    (the submodule does not import its package's `__init__` for its own names), so edges from
    a package to its own children are left out.
    """
    graph = _graph(root)
    for name, targets in graph.items():
        graph[name] = {t for t in targets if not t.startswith(name + ".")}
    # Tarjan's strongly connected components; each component of more than one module is a
    # circle (a self-import is dropped above).
    index, low, stack, on_stack, components = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [" -> ".join(component + component[:1]) for component in components]


def objective_imports_of_callbacks(root=None):
    """`kgan.models.*` modules that import anything from `kgan.callbacks`."""
    graph = _graph(root)
    return [
        f"{name} imports {target}"
        for name, targets in sorted(graph.items())
        if name.startswith("kgan.models")
        for target in sorted(targets)
        if target == "kgan.callbacks" or target.startswith("kgan.callbacks.")
    ]


def private_name_uses(root=None):
    """Uses of another module's private names: `module._name` and `from module import _name`.

    `self._x`, `cls._x` and attributes of objects that are not imported modules are fine: the
    rule is about modules, not about an object's own state.
    """
    root = pathlib.Path(root or package_root())
    known = modules(root)
    violations = []
    for module_name, path in known.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_package = path.name == "__init__.py"
        module_aliases = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    module_aliases[alias.asname or alias.name.split(".")[0]] = alias.name
            elif isinstance(node, ast.ImportFrom):
                target = _resolve(module_name, is_package, node)
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        violations.append(
                            f"{path.relative_to(root.parent)}:{node.lineno} imports "
                            f"{target}.{alias.name}"
                        )
                    if f"{target}.{alias.name}" in known or not target.startswith("kgan"):
                        module_aliases[alias.asname or alias.name] = f"{target}.{alias.name}"
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Attribute)
                and node.attr.startswith("_")
                and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name)
                and node.value.id in module_aliases
            ):
                violations.append(
                    f"{path.relative_to(root.parent)}:{node.lineno} uses "
                    f"{module_aliases[node.value.id]}.{node.attr}"
                )
    return violations


def long_files(root=None, max_lines=MAX_LINES):
    """Files of the package longer than `max_lines` lines, with their length."""
    root = pathlib.Path(root or package_root())
    return [
        f"{path.relative_to(root.parent)}: {count} lines"
        for path in modules(root).values()
        if (count := len(path.read_text().splitlines())) > max_lines
    ]


# Modules whose loading runs code stored in the data.
_UNSAFE_MODULES = ("pickle", "cPickle", "marshal", "dill", "cloudpickle", "shelve")


def unsafe_code_paths(root=None, extra_roots=()):
    """Constructs that would run code from a user's file (see the module's rules).

    Args:
        root: The package folder. Defaults to kgan's.
        extra_roots: More folders of Python files to check (e.g. `recipes/`).

    Returns:
        `"path:line what"` for each use found.
    """
    root = pathlib.Path(root or package_root())
    files = list(modules(root).values())
    for folder in extra_roots:
        files += sorted(pathlib.Path(folder).rglob("*.py"))
    violations = []
    for path in files:
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            found = _unsafe(node)
            if found:
                violations.append(f"{path.relative_to(root.parent)}:{node.lineno} {found}")
    return violations


def _unsafe(node):
    if isinstance(node, ast.Import):
        names = [alias.name.split(".")[0] for alias in node.names]
        return next((f"imports {name}" for name in names if name in _UNSAFE_MODULES), None)
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in _UNSAFE_MODULES:
        return f"imports from {node.module}"
    if not isinstance(node, ast.Call):
        return None
    function = node.func
    name = function.id if isinstance(function, ast.Name) else getattr(function, "attr", None)
    if isinstance(function, ast.Name) and name in ("eval", "exec"):
        return f"calls {name}"
    if name == "enable_unsafe_deserialization":
        return "leaves Keras' safe mode"
    for keyword in node.keywords:
        unsafe_value = isinstance(keyword.value, ast.Constant) and keyword.value.value is not None
        if keyword.arg == "safe_mode" and unsafe_value and keyword.value.value is False:
            return "loads with safe_mode=False"
        if keyword.arg == "allow_pickle" and unsafe_value and keyword.value.value is True:
            return "loads with allow_pickle=True"
    return None
