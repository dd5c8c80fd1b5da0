"""`maxk audit MODEL --out DIR`: the auditor's one command, on anyone's Max-of-K model.

    maxk audit my_model.pt --out audit/            # TransformerLens .pt (with or without its cfg)
    maxk audit artifacts/models/max4-seed123.safetensors --out audit/
    make audit MODEL=my_model.pt                   # the same, into maxk-out/audit-<stem>/

Steps, each recorded with its status (ok, FAIL, not run + why, error), seconds and outputs:
  1. load     the model (our safetensors, a bare safetensors, a TransformerLens .pt); a .pt is
              converted to DIR/model/<stem>.safetensors + .json (the archive needs safetensors);
  2. float32  the model's own float32 accuracy (pipeline.model.evaluate), when the brute force is
              within its budget (it shares the enumeration);
  3. brute-force  the sound exact-count enclosure, when its work estimate is within budget
              (strategies/brute_force.py `estimate`; --force lifts it);
  4. cubic    the certificate: certify, then the exact-integer replay (stdlib only);
  5. coq      `coq-check` of the certificate with coqchk (when coqc exists): the theorem, as coqc
              elaborated it, its Print Assumptions and coqchk's context summary;
  6. lean     with a Lean toolchain and lean-dojo: render the Lake project, build it, trace it with
              lean-dojo and list its theorems; otherwise one plain "not run" line;
  7. archive  DIR/<stem>.tar.gz, then verify-archive on it.
Then DIR/report.md, DIR/report.json and DIR/report.html (self-contained: plots inline).

Nothing outside DIR is written (the Coq build runs in a temporary folder; the compiled-layer cache
is the user's ~/.cache/maxk/coq-build).  A step that fails does not stop the later ones that do
not need it; the exit code is 0 when every step that ran passed, 1 if one failed.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import platform
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .errors import PipelineError
from .fileio import atomic_write_bytes, atomic_write_json
from .model.checkpoint import file_sha256


@dataclass
class Step:
    name: str
    status: str = "not run"       # "ok" | "FAIL" | "not run" | "error"
    seconds: float = 0.0
    detail: str = ""              # one line: the result, or why it was not run / failed
    data: dict = field(default_factory=dict)


@dataclass
class AuditOptions:
    coq: bool = True
    coqchk: bool = True
    lean: bool = True
    brute_force: bool = True
    force: bool = False           # run the brute force past its budget
    progress: bool = True
    cache_dir: Path | None = None  # the compiled Coq layers' cache (None: the default)
    coq_timeout: float = 1800.0
    coq_memory_gib: float = 8.0


def _versions() -> dict:
    """Versions of everything that produced the report (None where a tool is absent)."""
    from importlib import metadata

    def dist(name):
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            return None

    from .coq_export import build as B

    coqc = B.find_coqc()
    coqchk = B.find_coqchk(coqc) if coqc else None
    return {"maxk": dist("maxk-certify"), "python": platform.python_version(), "platform": platform.platform(),
            "numpy": dist("numpy"), "torch": dist("torch"), "mpmath": dist("mpmath"), "jinja2": dist("jinja2"),
            "coqc": (f"{B.coqc_version(coqc)} ({coqc})" if coqc else None), "coqchk": coqchk,
            "lake": shutil.which("lake"), "lean-dojo": dist("lean-dojo")}


def _run_step(step: Step, fn, log):
    """Run fn(step) and time it; a PipelineError or OSError becomes status "error" with one line."""
    log(f"[audit] {step.name} ...")
    t0 = time.perf_counter()
    try:
        fn(step)
    except (PipelineError, OSError, ValueError) as e:
        step.status = "error"
        problem = getattr(e, "problem", None) or getattr(e, "strerror", None) or str(e)
        step.detail = " ".join(str(problem).split())[:400]
    step.seconds = round(time.perf_counter() - t0, 3)
    log(f"[audit] {step.name}: {step.status}" + (f" ({step.detail})" if step.detail else "") + f" [{step.seconds:.1f} s]")


def run_audit(model_path, out_dir, options: AuditOptions | None = None, log=print) -> dict:
    """Audit the model at `model_path` into `out_dir` (see the module docstring); return the report
    (also written as report.json).  Raises PipelineError before any work for bad input (an
    unreadable model, an output folder that is not new, empty or a previous maxk output)."""
    from .model.checkpoint import conversion_source, load_weights, save_weights
    from .outputs import check_output_dir, claim_output_dir

    opt = options or AuditOptions()
    model_path = Path(model_path)
    out = check_output_dir(Path(out_dir))
    notes: list = []
    weights = load_weights(model_path, notes)  # bad input fails here, before anything is written
    claim_output_dir(out)
    stem = model_path.stem
    cfg = weights.config
    t_start = time.perf_counter()
    steps: dict = {}
    report = {"kind": "maxk-audit", "version": 1, "model": str(model_path), "out": str(out),
              "model_file_sha256": file_sha256(model_path), "model_sha256": weights.sha256,
              "config": cfg.to_dict(), "n_inputs": cfg.d_vocab ** cfg.n_ctx, "notes": sorted(set(notes)),
              "versions": _versions(), "steps": [], "theorems": [], "not_run": []}

    # 1. load (and convert a .pt)
    model_file = model_path
    s = steps["load"] = Step("load")

    def load(step):
        nonlocal model_file
        if model_path.suffix == ".safetensors":
            step.status, step.detail = "ok", f"{model_path} (d_vocab {cfg.d_vocab}, n_ctx {cfg.n_ctx})"
            return
        model_file = out / "model" / f"{stem}.safetensors"
        save_weights(weights, model_file, {"converted_from": conversion_source(model_path, notes)})
        step.status = "ok"
        step.detail = f"converted {model_path.name} to {model_file} (same float32 values: model_sha256 {weights.sha256[:16]}...)"
        step.data["converted"] = str(model_file)

    _run_step(s, load, log)

    # 2-3. brute force (with the float32 accuracy)
    s = steps["brute-force"] = Step("brute-force")
    if not opt.brute_force:
        s.detail = "not asked for (--no-brute-force)"
    else:
        def brute(step):
            from .report import run_bound
            from .strategies.brute_force import budget_problem, estimate

            why = None if opt.force else budget_problem(estimate(cfg, float32=True))
            if why is not None:
                step.detail = why + " (--force runs it anyway)"
                return
            r = run_bound("brute-force", weights, progress=opt.progress, with_float32=True, force=True)
            j = r.to_json()
            atomic_write_json(out / "brute-force.json", j, sort_keys=False)
            step.status, step.data = "ok", j
            step.detail = (f"accuracy in [{j['accuracy_lo']:.6f}, {j['accuracy_hi']:.6f}]: {j['n_correct']} correct, "
                           f"{j['n_wrong']} wrong, {j['n_undecided']} undecided; float32 accuracy "
                           f"{j['float32_accuracy']:.6f}")

        _run_step(s, brute, log)

    # 4. cubic certificate + replay
    cert_path = out / f"{stem}.cert.json"
    s = steps["certify"] = Step("certify")

    def certify_step(step):
        from .certificate.certify import certify
        from .certificate.schema import dump_certificate

        cert, info = certify(weights, progress=opt.progress)
        atomic_write_bytes(cert_path, dump_certificate(cert).encode())
        step.status = "ok"
        step.data = {"cert": str(cert_path), "claimed_count": cert["claimed_count"], "n_inputs": cert["n_inputs"],
                     "bound": cert["claimed_count"] / cert["n_inputs"], "frac_bits": info["frac_bits"],
                     "cells": len(cert["cells"]), "c0": len(cert["c0"]), "bytes": cert_path.stat().st_size}
        step.detail = (f"{cert['claimed_count']} of {cert['n_inputs']} inputs ({step.data['bound']:.6f}), "
                       f"{step.data['bytes'] / 1e6:.2f} MB")

    _run_step(s, certify_step, log)
    have_cert = s.status == "ok"

    s = steps["replay"] = Step("replay")
    if not have_cert:
        s.detail = "no certificate (certify did not succeed)"
    else:
        def replay_step(step):
            from .certificate.replay import replay_file

            r = replay_file(cert_path)
            step.status = "ok" if r.ok else "FAIL"
            step.detail = r.detail
            step.data = {"ok": r.ok, "count": r.count, "n_inputs": r.n_inputs, "failed_check": r.failed_check}
            if r.ok:
                report["theorems"].append({
                    "checker": "exact-integer replay (pipeline/certificate/replay.py, standard library only)",
                    "statement": f"the certificate's checks pass, so at least {r.count} of the {r.n_inputs} "
                                 f"inputs are classified correctly by the model with model_sha256 {weights.sha256}",
                    "assumptions": "the replay's own correctness (Python, reviewed; no proof assistant)"})

        _run_step(s, replay_step, log)

    # 5. Coq (+ coqchk)
    s = steps["coq"] = Step("coq")
    from .coq_export import build as B

    if not opt.coq:
        s.detail = "not asked for (--no-coq)"
    elif B.find_coqc() is None:
        s.detail = "coqc not found (apt-get install coq libcoq-stdlib libcoq-bignums)"
    elif steps["replay"].status != "ok":
        s.detail = "no replayed certificate"
    else:
        def coq_step(step):
            from .coq_export.summary import coq_check_json, coq_check_log
            from .coq_export.check import PROJECT_DIR, coq_check

            def progress(i, n, rel, reused):
                if not reused and opt.progress:
                    log(f"[audit]   coqc [{i + 1}/{n}] {rel}")

            res = coq_check(cert_path, stem, PROJECT_DIR, cache_dir=opt.cache_dir,
                            memory_bytes=int(opt.coq_memory_gib * 2**30), timeout=opt.coq_timeout,
                            progress=progress, run_coqchk=opt.coqchk)
            atomic_write_bytes(out / "coq-check.log", coq_check_log(res).encode())
            doc = coq_check_json(res, cert_path)
            atomic_write_json(out / "coq-check.json", doc, sort_keys=False)
            step.data = {k: doc[k] for k in ("claimed", "theorem", "coqc_version", "seconds", "compiled_files",
                                             "reused_files", "peak_rss_kb", "trusted_sha256")}
            step.data["coqchk"] = None if res.coqchk is None else {
                k: res.coqchk[k] for k in ("ok", "seconds", "peak_kb", "axioms", "problem")}
            step.data["assumptions"] = doc["assumptions"]
            step.status = "ok" if res.ok else ("not run" if res.code == 3 else "FAIL")
            step.detail = res.lines[-1] if res.lines else ""
            if res.ok:
                report["theorems"].append({
                    "checker": f"Coq {res.coqc_version} (coqc, vm_compute; kernel re-check at Qed)"
                               + (" + coqchk" if res.coqchk else ""),
                    "statement": res.statement,
                    "spec": "MaxK.Spec.count_correct, coq/Spec.v (sha256 "
                            f"{res.trusted_sha256.get('coq/Spec.v', '?')})",
                    "print_assumptions": res.assumptions_text.strip(),
                    "assumptions": f"{len(res.assumptions)} assumptions, each on the allowlist by full path and type",
                    "coqchk": None if res.coqchk is None else
                    f"PASS in {res.coqchk['seconds']:.1f} s; {len(res.coqchk['axioms'])} environment axioms, all allowed"})

        _run_step(s, coq_step, log)
        if s.status == "ok" and opt.coqchk:
            steps["coqchk"] = Step("coqchk", "ok", s.data["coqchk"]["seconds"], "the compiled files re-checked",
                                   s.data["coqchk"])
    if not opt.coqchk:
        report["not_run"].append({"step": "coqchk", "why": "not asked for (--no-coqchk)"})

    # 6. Lean
    s = steps["lean"] = Step("lean")
    if not opt.lean:
        s.detail = "not asked for (--no-lean)"
    elif shutil.which("lake") is None:
        s.detail = "no Lean toolchain (lake) on PATH: the Lean check was NOT run"
    elif not have_cert or steps["replay"].status != "ok":
        s.detail = "no replayed certificate"
    else:
        _run_step(s, lambda step: _lean_step(step, cert_path, stem, out), log)

    # 7. archive (+ verify)
    s = steps["archive"] = Step("archive")
    if steps["replay"].status != "ok":
        s.detail = "no replayed certificate"
    else:
        def archive_step(step):
            from .archive import create_archive, verify_archive

            arch = out / f"{stem}.tar.gz"
            m = create_archive(model_file, cert_path, arch, reports=[p for p in (out / "brute-force.json",)
                                                                       if p.is_file()])
            v = verify_archive(arch)
            step.status = "ok" if v.ok else "FAIL"
            step.data = {"archive": str(arch), "files": len(m["files"]) + 1, "sha256": file_sha256(arch),
                         "verify": list(v.lines)}
            step.detail = f"{arch} ({len(m['files']) + 1} files); verify-archive: {'PASS' if v.ok else 'FAIL'}"

        _run_step(s, archive_step, log)

    for st in steps.values():
        if st.status == "not run":
            report["not_run"].append({"step": st.name, "why": st.detail})
    report["steps"] = [asdict(st) for st in steps.values()]
    report["seconds"] = round(time.perf_counter() - t_start, 3)
    report["ok"] = all(st.status in ("ok", "not run") for st in steps.values())
    trusted = (steps["coq"].data or {}).get("trusted_sha256") or {}
    report["sha256"] = {"model file": report["model_file_sha256"], "model_sha256 (canonical weights)": weights.sha256,
                        **({"certificate": file_sha256(cert_path)} if cert_path.is_file() else {}), **trusted}
    plots = _plots(report, steps, out)
    report["plots"] = sorted(plots)
    atomic_write_json(out / "report.json", report, sort_keys=False)
    md = render_markdown(report)
    atomic_write_bytes(out / "report.md", md.encode())
    atomic_write_bytes(out / "report.html", render_html(report, md, plots).encode())
    return report


def _lean_step(step: Step, cert_path: Path, stem: str, out: Path) -> None:
    """Render the certificate into a Lake project under DIR/lean, `lake build` it (its Main modules
    print `#print axioms`), and, when lean-dojo is installed, trace it and list its theorems.
    Needs a Lean toolchain; never run on the machine this was written on (no toolchain there)."""
    import subprocess

    from .certificate.schema import load_certificate
    from .lean_export.render import render_certificate

    lean_dir = out / "lean"
    render_certificate(load_certificate(cert_path), lean_dir, stem)
    proc = subprocess.run(["lake", "build"], cwd=lean_dir, capture_output=True, text=True)
    step.data["lake_build_exit"] = proc.returncode
    step.data["axioms_report"] = [ln for ln in proc.stdout.splitlines() if "axiom" in ln.lower()][:200]
    if proc.returncode != 0:
        step.status, step.detail = "FAIL", "lake build failed: " + " ".join(proc.stderr.split())[-300:]
        return
    try:
        import lean_dojo  # noqa: F401  (optional: pip install -e '.[replay]')
    except ImportError:
        step.status = "ok"
        step.detail = "lake build passed; lean-dojo not installed (pip install -e '.[replay]'): theorems not traced"
        return
    from lean_dojo import LeanGitRepo, trace

    subprocess.run(["git", "init", "-q"], cwd=lean_dir, check=True)
    subprocess.run(["git", "add", "-A"], cwd=lean_dir, check=True)
    subprocess.run(["git", "-c", "user.name=maxk", "-c", "user.email=maxk@localhost", "commit", "-qm", "audit"],
                   cwd=lean_dir, check=True)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=lean_dir, capture_output=True, text=True).stdout.strip()
    traced = trace(LeanGitRepo(str(lean_dir.resolve()), commit))
    names = sorted(t.theorem.full_name for t in traced.get_traced_theorems())
    step.data["theorems"] = names
    step.status, step.detail = "ok", f"lake build passed; lean-dojo traced {len(names)} theorems"


# ----------------------------------------------------------------------------- plots


def _plots(report: dict, steps: dict, out: Path) -> dict:
    """{name: PNG bytes}, also written to DIR/plots/; {} without matplotlib (said in not_run)."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        report["not_run"].append({"step": "plots", "why": "matplotlib not installed (pip install -e '.[plots]')"})
        return {}
    import io

    def png(fig) -> bytes:
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=110)
        plt.close(fig)
        return buf.getvalue()

    pngs = {}
    bf = steps["brute-force"].data if steps["brute-force"].status == "ok" else {}
    cub = steps["certify"].data if steps["certify"].status == "ok" else {}
    rows = []
    if bf:
        if bf.get("float32_accuracy") is not None:
            rows.append(("float32 accuracy (not a bound)", bf["float32_accuracy"], "#999999"))
        rows.append(("brute force: proved correct (sound)", bf["accuracy_lo"], "#1f77b4"))
    if cub:
        proved = steps["coq"].status == "ok"
        rows.append(("cubic certificate" + (" (Coq-proved)" if proved else " (replayed)"), cub["bound"], "#2ca02c"))
    if rows:
        fig, ax = plt.subplots(figsize=(7, 0.6 + 0.55 * len(rows)))
        ax.barh([r[0] for r in rows][::-1], [r[1] for r in rows][::-1], color=[r[2] for r in rows][::-1])
        for i, r in enumerate(rows[::-1]):
            ax.text(min(r[1], 1.0) - 0.01, i, f"{r[1]:.6f}", va="center", ha="right", color="white", fontsize=9)
        ax.set_xlim(0, 1)
        ax.set_xlabel(f"accuracy (fraction of the {report['n_inputs']:,} inputs)")
        ax.set_title("Accuracy and certified lower bounds")
        pngs["bounds.png"] = png(fig)
    timed = [(st.name, st.seconds) for st in steps.values() if st.status != "not run" and st.seconds > 0]
    if timed:
        fig, ax = plt.subplots(figsize=(7, 0.6 + 0.45 * len(timed)))
        ax.barh([t[0] for t in timed][::-1], [t[1] for t in timed][::-1], color="#555555")
        ax.set_xlim(0, max(t[1] for t in timed) * 1.15)
        for i, t in enumerate(timed[::-1]):
            ax.text(t[1], i, f" {t[1]:.1f} s", va="center", fontsize=9)
        ax.set_xlabel("wall seconds")
        ax.set_title("Where the audit's time went")
        pngs["steps.png"] = png(fig)
    for name, data in pngs.items():
        atomic_write_bytes(out / "plots" / name, data)
    return pngs


# ----------------------------------------------------------------------------- reports


def render_markdown(r: dict) -> str:
    """report.md: results, theorems with their exact statements, assumptions, sha256s, versions,
    and what was not run."""
    cfg = r["config"]
    L = [f"# Audit of {Path(r['model']).name}", "",
         f"- model file: `{r['model']}` (sha256 `{r['model_file_sha256']}`)",
         f"- model_sha256 (canonical float32 weights): `{r['model_sha256']}`",
         f"- architecture: d_vocab {cfg['d_vocab']}, n_ctx {cfg['n_ctx']}, d_model {cfg['d_model']}, "
         f"d_head {cfg['d_head']}: {r['n_inputs']:,} inputs",
         f"- overall: **{'PASS' if r['ok'] else 'FAIL'}** ({r['seconds']:.1f} s)", ""]
    if r["notes"]:
        L += ["Notes from loading the model:", ""] + [f"- {n}" for n in r["notes"]] + [""]
    L += ["## Steps", "", "| step | status | seconds | result |", "|---|---|---:|---|"]
    for st in r["steps"]:
        L.append(f"| {st['name']} | {st['status']} | {st['seconds']:.1f} | {st['detail'].replace('|', '/')} |")
    L += ["", "## Theorems proved", ""]
    if not r["theorems"]:
        L += ["None.", ""]
    for t in r["theorems"]:
        L += [f"### {t['checker']}", "", "```", t["statement"], "```", ""]
        if t.get("spec"):
            L += [f"Specification: {t['spec']}.", ""]
        L += [f"Assumptions: {t['assumptions']}.", ""]
        if t.get("coqchk"):
            L += [f"coqchk: {t['coqchk']}.", ""]
        if t.get("print_assumptions"):
            L += ["<details><summary>Print Assumptions, as coqc printed it</summary>", "", "```",
                  t["print_assumptions"], "```", "", "</details>", ""]
    L += ["## Not run", ""]
    L += [f"- {x['step']}: {x['why']}" for x in r["not_run"]] or ["Everything ran."]
    L += ["", "## sha256", "", "| file | sha256 |", "|---|---|"]
    L += [f"| {k} | `{v}` |" for k, v in r["sha256"].items()]
    L += ["", "## Versions", "", "| tool | version |", "|---|---|"]
    L += [f"| {k} | {v if v is not None else 'not installed'} |" for k, v in r["versions"].items()]
    L += ["", "Files: " + ", ".join(f"`{p}`" for p in ("report.json", "report.html", "coq-check.log", "coq-check.json")
                                   if (Path(r["out"]) / p).exists() or p.startswith("report")), ""]
    return "\n".join(L)


def render_html(r: dict, md: str, plots: dict) -> str:
    """report.html: one self-contained page (the markdown's content as preformatted sections,
    the plots inline as data: URIs; no external resource)."""
    imgs = "".join(f'<figure><img alt="{html.escape(n)}" src="data:image/png;base64,'
                   f'{base64.b64encode(b).decode()}"><figcaption>{html.escape(n)}</figcaption></figure>'
                   for n, b in sorted(plots.items()))
    rows = "".join(f"<tr><td>{html.escape(st['name'])}</td><td class='{st['status'].replace(' ', '-')}'>"
                   f"{html.escape(st['status'])}</td><td>{st['seconds']:.1f}</td><td>{html.escape(st['detail'])}</td></tr>"
                   for st in r["steps"])
    theorems = "".join(f"<h3>{html.escape(t['checker'])}</h3><pre>{html.escape(t['statement'])}</pre>"
                       f"<p>Assumptions: {html.escape(t['assumptions'])}</p>"
                       + (f"<details><summary>Print Assumptions</summary><pre>{html.escape(t['print_assumptions'])}"
                          "</pre></details>" if t.get("print_assumptions") else "")
                       for t in r["theorems"]) or "<p>None.</p>"
    notrun = "".join(f"<li>{html.escape(x['step'])}: {html.escape(x['why'])}</li>" for x in r["not_run"]) or "<li>none</li>"
    sha = "".join(f"<tr><td>{html.escape(k)}</td><td><code>{html.escape(v)}</code></td></tr>" for k, v in r["sha256"].items())
    ver = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(str(v) if v is not None else 'not installed')}</td></tr>"
                  for k, v in r["versions"].items())
    title = f"Audit of {Path(r['model']).name}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:.2em .5em;vertical-align:top}}
pre{{background:#f4f4f4;padding:.5em;overflow-x:auto;white-space:pre-wrap}}.ok{{color:#080}}.FAIL,.error{{color:#b00}}
.not-run{{color:#777}}img{{max-width:100%}}</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Overall: <b class="{'ok' if r['ok'] else 'FAIL'}">{'PASS' if r['ok'] else 'FAIL'}</b> in {r['seconds']:.1f} s.
Model <code>{html.escape(r['model'])}</code>, sha256 <code>{r['model_file_sha256']}</code>; model_sha256
<code>{r['model_sha256']}</code>; {r['n_inputs']:,} inputs.</p>
<h2>Steps</h2><table><tr><th>step</th><th>status</th><th>s</th><th>result</th></tr>{rows}</table>
{imgs}
<h2>Theorems proved</h2>{theorems}
<h2>Not run</h2><ul>{notrun}</ul>
<h2>sha256</h2><table>{sha}</table>
<h2>Versions</h2><table>{ver}</table>
</body></html>
"""
