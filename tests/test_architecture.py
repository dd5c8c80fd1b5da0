"""The dependency rules of DESIGN.md, checked on the source (a reviewer's grep, automated)."""

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "pipeline"


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            mod = node.module or ""
            if node.level:  # relative: resolve against the file's package
                base = path.relative_to(ROOT).with_suffix("").parts[: -node.level]
                mod = ".".join(base + ((mod,) if mod else ()))
            out.add(mod)
    return out


def files(sub):
    return sorted((PKG / sub).rglob("*.py")) if (PKG / sub).is_dir() else [PKG / sub]


def test_strategies_and_numerics_never_import_torch():
    for f in files("strategies") + files("numerics") + files("paths.py") + files("flops.py"):
        bad = [m for m in imports(f) if m.split(".")[0] == "torch"]
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_numerics_knows_nothing_of_models():
    for f in files("numerics"):
        bad = [m for m in imports(f) if m.startswith("pipeline") and not m.startswith("pipeline.numerics")]
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_model_never_reaches_up():
    """pipeline/model/ is the bottom floor above numerics: it imports nothing of the paths,
    strategies, certificates, exporters or drivers (issue 18: evaluate took the path matrices
    from pipeline/paths.py; the caller now passes them in)."""
    for f in files("model"):
        allowed = ("pipeline.model", "pipeline.fileio", "pipeline.errors", "pipeline.progress")
        bad = [m for m in imports(f) if m.startswith("pipeline") and not m.startswith(allowed)]
        assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_trusted_coq_driver_imports_only_the_trusted_base():
    """The trusted Coq modules (README "Trust model") import the standard library, jinja2, the
    schema, the replay and each other, plus the untrusted renderer only in check.py (for the
    proof module's bytes and the file list, both judged afterwards), and pipeline/resources.py
    (standard library only; in the trusted base: it says where Spec.v and the templates are)."""
    trusted = {"trusted.py", "build.py", "lint.py"}
    for f in files("coq_export"):
        if f.name in trusted:
            bad = [m for m in imports(f) if m.startswith("pipeline") and m not in (
                "pipeline.certificate.schema", "pipeline.render_common", "pipeline.coq_export.lint",
                "pipeline.resources")]
            assert not bad, f"{f.relative_to(ROOT)} imports {bad}"


def test_nothing_imports_the_cli():
    for f in PKG.rglob("*.py"):
        if f.name == "cli.py":
            continue
        assert "pipeline.cli" not in imports(f), f"{f.relative_to(ROOT)} imports the CLI"


def test_library_code_does_not_print():
    for f in PKG.rglob("*.py"):
        if f.name == "cli.py":
            continue
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                raise AssertionError(f"{f.relative_to(ROOT)}:{node.lineno} prints; return results instead")


def test_strategies_run_without_torch_loaded():
    code = ("import sys; from pipeline.strategies import cubic, brute_force; import pipeline.paths, "
            "pipeline.numerics; assert 'torch' not in sys.modules, 'torch was imported'")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
