"""The records of a coq-check, for people and programs (not trusted: formatting only).

    coq_check_json(res, cert)  the --json document of `maxk coq-check` (also in `maxk audit`)
    coq_check_log(res)         the full text: the lines, Print Assumptions, coqchk's summary
"""

from __future__ import annotations


def coq_check_json(res, cert_path, binding=None) -> dict:
    """The --json document of coq-check (also used by `maxk audit`)."""
    return {"command": "coq-check", "cert": str(cert_path), "ok": res.ok, "exit_code": res.code,
            "claimed": res.claimed if res.ok else None, "upper": res.upper if res.ok else None,
            "theorem": res.statement or None,
            "assumptions": [{"path": p, "name": n} for p, n in res.assumptions],
            "print_assumptions": res.assumptions_text or None, "coqchk": res.coqchk,
            "coqc": res.coqc, "coqc_version": res.coqc_version, "seconds": round(res.seconds, 3),
            "compiled_files": res.compiled, "reused_files": res.reused, "peak_rss_kb": res.peak_kb,
            "trusted_sha256": res.trusted_sha256, "model_file": binding, "lines": res.lines}


def coq_check_log(res) -> str:
    """The full text of a coq-check: its lines, Print Assumptions as coqc printed it, and
    coqchk's context summary (--log FILE, --verbose, and maxk audit's coq-check.log)."""
    parts = ["\n".join(res.lines), ""]
    if res.assumptions_text:
        parts += ["== Print Assumptions (coqc) ==", res.assumptions_text.rstrip(), ""]
    if res.coqchk is not None:
        parts += ["== coqchk context summary ==", (res.coqchk.get("output") or res.coqchk.get("problem", "")).rstrip(), ""]
    return "\n".join(parts)
