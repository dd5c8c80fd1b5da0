"""Build step (the rest of the configuration is in pyproject.toml): copy the package data that lives
in the checkout's top-level folders (coq/, templates/, lean/: the source of truth) into the built
package under pipeline/_share/, so that a non-editable install works from any folder.

The list of files is pipeline/resources.py's share_files(); the copies are real files (never links).
An editable install copies nothing: it runs from the checkout, whose folders pipeline/resources.py
then uses directly.
"""

import importlib.util
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py as _build_py

HERE = Path(__file__).resolve().parent


def _resources():
    spec = importlib.util.spec_from_file_location("_maxk_resources", HERE / "pipeline" / "resources.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


class build_py(_build_py):
    """build_py, then the shared files copied into <build>/pipeline/_share/."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        self._share_outputs = []
        share = Path(self.build_lib) / "pipeline" / "_share"
        if share.exists():
            shutil.rmtree(share)  # a stale copy must not keep a file the checkout no longer has
        for rel in _resources().share_files(HERE):
            src = HERE / rel
            if src.is_symlink() or not src.is_file():
                raise SystemExit(f"error: {src}: a packaged file must be a regular file, not a link or missing")
            dst = share / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)  # content only: a real file, never a link
            self._share_outputs.append(str(dst))

    def get_outputs(self, include_bytecode=True):
        return list(super().get_outputs(include_bytecode)) + list(getattr(self, "_share_outputs", []))


setup(cmdclass={"build_py": build_py})
