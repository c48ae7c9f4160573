"""SnapStart's runtime hooks for Python, as Lambda's Python managed runtimes ship them (the
snapshot-restore-py library): a function registers callables to run before its version's snapshot
is taken and after each environment is restored from it. The emulator's runtime
(python-bootstrap.py) runs them: before the snapshot in the reverse order of registration, after a
restore in the order of registration. A function that ships its own copy of the library finds its
own first, as on Lambda, and the runtime runs what that copy registered.
"""

_before_snapshot_registry = []
_after_restore_registry = []


def register_before_snapshot(func, *args, **kwargs):
    """Run `func(*args, **kwargs)` before the snapshot is taken; returns `func` (usable as a decorator)."""
    _before_snapshot_registry.append((func, args, kwargs))
    return func


def register_after_restore(func, *args, **kwargs):
    """Run `func(*args, **kwargs)` each time an environment is restored from the snapshot; returns `func`."""
    _after_restore_registry.append((func, args, kwargs))
    return func


def get_before_snapshot():
    return _before_snapshot_registry


def get_after_restore():
    return _after_restore_registry
