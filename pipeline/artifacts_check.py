"""Artifacts that agree: cross-checks of the reports against the certificates and models they describe.

Two users, one logic:

    check_reports(reports, cert, cubic_flops)   `maxk verify-archive`, check "reports": the reports
                                                inside an archive against the archive's certificate
    check_shipped(root, cubic_flops)            tests/test_artifacts_agree.py: every report shipped
                                                under artifacts/ (and README.md's numbers) against the
                                                shipped certificates, models and each other

Standard library and json only.  Nothing here runs a strategy: a number that only a run can give
(the cubic FLOPs, {model_sha256: flops}) is passed in by the caller; without it that field is compared
between reports but not with a recomputation.  Every function returns problem lines, one per
mismatch, "FILE: FIELD is X, SOURCE says Y" (both values); an empty list means the files agree.

What is compared:

  certificates   artifacts/certs/NAME.cert.json: schema_version is this pipeline's; its model_sha256
                 and config are those of artifacts/models/NAME.json, whose weights_file_sha256 is the
                 sha256 of NAME.safetensors; NAME.exact.cert.json (`certify --exact`) is NAME.cert.json
                 with strategy "exact" and its two claims, cubic count <= lo <= hi, and [lo, hi] meets
                 the brute-force row's [n_correct, n_correct + n_undecided]
  bounds report  NAME.bounds.json (`maxk bounds`): every row's model_sha256 and n_inputs are the
                 certificate's; the cubic row's n_proved is claimed_count, its bound claimed_count /
                 n_inputs, its n_shifts / n_cells / n_c0 the certificate's, its FLOPs the recomputed
                 cubic FLOPs; the brute-force row is self-consistent (n_correct + n_wrong + n_undecided
                 = n_inputs, accuracy_lo = n_correct / n_inputs, accuracy_hi = (n_correct +
                 n_undecided) / n_inputs, bound = accuracy_lo, relative 1) and sound against the
                 certificate (n_correct + n_undecided >= claimed_count: two sound bounds cannot
                 disagree; with 0 undecided this is bound >= the certificate's bound); the cubic
                 relative bound is its bound / accuracy_lo
  bounds text    NAME.bounds.txt: the model prefix, V and K, the enclosure line and every table cell
                 equal the json's values at the printed precision (and the certificate's, alone)
  bound report   NAME.cubic.json / NAME.brute-force.json (`maxk bound --out`): as one bounds row
  frontier       frontier.json: every record's bound = n_proved / n_inputs and relative = bound / its
                 model's brute-force bound, model_sha256 that of its model file's metadata; for a
                 certified model the cubic record is the certificate's count and the bounds report's
                 FLOPs, the brute-force record the bounds report's n_correct and FLOPs;
                 frontier.summary.json: each group's best relative bound per model, mean and std
                 recomputed from the records; frontier.md: its tables equal the json at the
                 printed precision; the exact record of a model with a shipped exact certificate
                 is that certificate's lo and hi (n_proved, n_upper) and its FLOPs are
                 certificate/exact_flops.py's from it and the cubic record
  bench          bench.json: everything it states about a certified model (counts, bounds, relative
                 bound, FLOPs, certificate bytes) equals the certificate and the bounds report; its
                 other seeds equal the frontier records of the same models; the mean relative bound
                 is the mean of its seeds
  sweeps         SWEEP/report.json: settings are sweep.json's; every seed row equals the records in
                 SWEEP/results/ (bounds, relative bounds, FLOPs, certificate count, replay verdict,
                 final loss); every seed with results has a row; the summary's seeds / mean / std /
                 min / max are recomputed from the rows; a row for a certified model carries the
                 certificate's count; SWEEP/report.md's tables and section counts equal the json
  archive        artifacts/archives/NAME.tar.gz: MANIFEST.json's facts are the certificate's and
                 its sha256 of the certificate and of every report equal those of the shipped files
  README.md      "N <= count_correct NAME_model" carries NAME's claimed_count; the results table
                 (cubic and brute-force rows), the frontier group table, the K = 4 sweep table, the
                 K = 5 sweep's cubic bound and the bench's K = 10 / 20 bounds equal the reports
                 at the printed precision

Unknown report kinds are not parsed: check_reports returns them as hashed only.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import statistics
import tarfile
from pathlib import Path

MAX_REPORT_BYTES = 16 << 20  # a report larger than this is not parsed (a hostile archive's report)
REL_TOL = 1e-12  # a ratio of two counts, recomputed (both sides correctly rounded)
STAT_TOL = 1e-9  # a mean or a standard deviation, recomputed (summation order may differ)


# ----------------------------------------------------------------- small helpers


class Problems(list):
    """Problem lines, with helpers that compare one field and name both values."""

    def eq(self, where: str, field: str, got, want, source: str) -> bool:
        if got == want and type(got) is type(want):
            return True
        self.append(f"{where}: {field} is {_short(got)}, {source} says {_short(want)}")
        return False

    def close(self, where: str, field: str, got, want, source: str, tol: float = REL_TOL) -> bool:
        if want is None:
            return self.eq(where, field, got, want, source)
        if _is_num(got) and _is_num(want) and math.isclose(got, want, rel_tol=tol, abs_tol=tol):
            return True
        self.append(f"{where}: {field} is {_short(got)}, {source} says {_short(want)}")
        return False

    def printed(self, where: str, field: str, text: str, want, source: str) -> bool:
        """`text` is `want` printed with fewer digits (None must print as a dash or nothing)."""
        if want is None:
            if text.strip() in ("", "–", "-"):
                return True
        elif printed_matches(text, want):
            return True
        self.append(f"{where}: {field} is {text.strip()!r}, {source} says {_short(want)}")
        return False


def _is_num(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _short(x, n: int = 80) -> str:
    r = repr(x)
    return r if len(r) <= n else r[:n] + "..."


_NUM = re.compile(r"[-+]?(\d+(?:,\d{3})*)?(?:\.(\d*))?(?:[eE]([-+]?\d+))?")
_SCI = re.compile(r"([-+]?\d+(?:\.\d+)?)\s*[·x×]\s*10\^?([-+−]?\d+)|([-+]?\d+(?:\.\d+)?)e([-+]?\d+)")


def printed_matches(text: str, value) -> bool:
    """True iff `text` is `value` rounded to the digits `text` shows: "0.9652", "1.11e+07", "1.1e7",
    "16,187,868", "1.1·10^7".  The tolerance is half a unit in the last printed digit."""
    if not _is_num(value):
        return False
    s = text.strip().replace("−", "-")
    m = _SCI.fullmatch(s)
    if m and m.group(1):  # 1.1·10^7
        s = f"{m.group(1)}e{m.group(2).replace('−', '-')}"
    m = _NUM.fullmatch(s)
    if not m or not (m.group(1) or m.group(2)):
        return False
    digits = len(m.group(2) or "")
    exp = int(m.group(3) or 0)
    unit = 10.0 ** (exp - digits)
    got = float(s.replace(",", ""))
    return abs(got - value) <= unit / 2 * (1 + 1e-9) + abs(value) * 1e-15


def _load_json(path: Path, problems: Problems):
    try:
        return json.loads(Path(path).read_bytes())
    except (OSError, ValueError) as e:
        problems.append(f"{path}: not readable JSON ({type(e).__name__}: {' '.join(str(e).split())[:120]})")
        return None


def md_tables(text: str) -> list[list[list[str]]]:
    """Every markdown table of `text` as rows of stripped cells (header first, separator dropped)."""
    tables, cur = [], []
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("|") and s.endswith("|") and len(s) > 1:
            cells = [c.strip() for c in s[1:-1].split("|")]
            if not all(re.fullmatch(r":?-{3,}:?", c) for c in cells):
                cur.append(cells)
        elif cur:
            tables.append(cur)
            cur = []
    if cur:
        tables.append(cur)
    return tables


def _pm(text: str):
    """"0.9685 ± 0.0064" -> ("0.9685", "0.0064"); None if not of that form."""
    m = re.match(r"\s*(\S+)\s*±\s*(\S+)", text)
    return (m.group(1), m.group(2)) if m else None


# ----------------------------------------------------------------- certificates and models


def cert_facts(cert: dict) -> dict:
    """The facts of a certificate that reports state: model_sha256, claimed_count, n_inputs,
    schema_version, d_vocab, n_ctx, and the numbers of shifts, cells and c = 0 sequences."""
    cfg = cert.get("config") if isinstance(cert.get("config"), dict) else {}
    return {"model_sha256": cert.get("model_sha256"), "claimed_count": cert.get("claimed_count"),
            "n_inputs": cert.get("n_inputs"), "schema_version": cert.get("schema_version"),
            "d_vocab": cfg.get("d_vocab"), "n_ctx": cfg.get("n_ctx"),
            "n_shifts": len(cert["shifts"]) if isinstance(cert.get("shifts"), list) else None,
            "n_cells": len(cert["cells"]) if isinstance(cert.get("cells"), list) else None,
            "n_c0": len(cert["c0"]) if isinstance(cert.get("c0"), list) else None}


def model_problems(model: Path, where: str | None = None) -> tuple[dict | None, Problems]:
    """(metadata, problems) of a shipped model: its metadata JSON beside it must be readable and
    its weights_file_sha256 must be the sha256 of the .safetensors bytes."""
    p = Problems()
    model = Path(model)
    meta_path = model.with_suffix(".json")
    if not model.is_file() or not meta_path.is_file():
        p.append(f"{where or model}: model or its metadata {meta_path.name} missing")
        return None, p
    meta = _load_json(meta_path, p)
    if not isinstance(meta, dict):
        if meta is not None:
            p.append(f"{meta_path}: not a JSON object")
        return None, p
    p.eq(str(meta_path), "weights_file_sha256", meta.get("weights_file_sha256"),
         hashlib.sha256(model.read_bytes()).hexdigest(), f"the sha256 of {model.name}")
    return meta, p


def cert_problems(cert_path: Path, cert: dict, models_dir: Path, schema_version: int) -> Problems:
    """A shipped certificate against this pipeline's schema version and its model's metadata."""
    p = Problems()
    where = str(cert_path)
    p.eq(where, "schema_version", cert.get("schema_version"), schema_version, "this pipeline (schema.SCHEMA_VERSION)")
    name = Path(cert_path).name[: -len(".cert.json")]
    meta, mp = model_problems(Path(models_dir) / f"{name}.safetensors")
    p += mp
    if meta is not None:
        src = f"{name}.json (the model's metadata)"
        p.eq(where, "model_sha256", cert.get("model_sha256"), meta.get("model_sha256"), src)
        for k in ("d_vocab", "n_ctx", "d_model", "d_head"):
            p.eq(where, f"config.{k}", (cert.get("config") or {}).get(k), (meta.get("config") or {}).get(k), src)
    facts = cert_facts(cert)
    if _is_num(facts["d_vocab"]) and _is_num(facts["n_ctx"]):
        p.eq(where, "n_inputs", facts["n_inputs"], facts["d_vocab"] ** facts["n_ctx"], "d_vocab ** n_ctx")
    return p


# ----------------------------------------------------------------- bounds reports (`maxk bounds`, `maxk bound`)


def _rows_by_strategy(where: str, rows, p: Problems) -> dict | None:
    if not isinstance(rows, list) or not all(isinstance(r, dict) and isinstance(r.get("strategy"), str) for r in rows):
        p.append(f"{where}: not a list of strategy rows (objects with a 'strategy')")
        return None
    out = {}
    for r in rows:
        if r["strategy"] in out:
            p.append(f"{where}: two rows for strategy {r['strategy']!r}")
        out[r["strategy"]] = r
    return out


def bound_row_problems(where: str, row: dict, facts: dict, cubic_flops: int | None = None,
                       bf: dict | None = None) -> Problems:
    """One strategy row (a bounds.json row or a `maxk bound --out` report) against the certificate.
    `bf` is the brute-force row of the same report, for the cubic's relative bound."""
    p = Problems()
    s = row.get("strategy")
    src = "the certificate"
    p.eq(where, f"{s}.model_sha256", row.get("model_sha256"), facts["model_sha256"], src)
    p.eq(where, f"{s}.n_inputs", row.get("n_inputs"), facts["n_inputs"], src)
    n = facts["n_inputs"]
    claimed = facts["claimed_count"]
    if s == "cubic":
        p.eq(where, "cubic.n_proved", row.get("n_proved"), claimed, f"{src} (claimed_count)")
        p.close(where, "cubic.bound", row.get("bound"), claimed / n, f"{src} (claimed_count / n_inputs)")
        for k in ("n_shifts", "n_cells", "n_c0"):
            if k in row and facts.get(k) is not None:
                p.eq(where, f"cubic.{k}", row[k], facts[k], src)
        if cubic_flops is not None:
            p.eq(where, "cubic.flops", row.get("flops"), cubic_flops, "a recomputation (cubic.run)")
        elif type(row.get("flops")) is not int:
            p.append(f"{where}: cubic.flops is {_short(row.get('flops'))}, expected an integer")
        if bf is not None and "relative_bound" in row:
            lo = bf.get("accuracy_lo")
            want = claimed / n / lo if _is_num(lo) and lo > 0 else None
            p.close(where, "cubic.relative_bound", row.get("relative_bound"), want,
                    "cubic bound / brute-force accuracy_lo")
    elif s == "brute-force":
        c, w, u = row.get("n_correct"), row.get("n_wrong"), row.get("n_undecided")
        if not all(type(x) is int and x >= 0 for x in (c, w, u)):
            p.append(f"{where}: brute-force n_correct / n_wrong / n_undecided are {_short((c, w, u))}, "
                     "expected non-negative integers")
            return p
        p.eq(where, "brute-force n_correct + n_wrong + n_undecided", c + w + u, n, f"{src} (n_inputs)")
        p.close(where, "brute-force.accuracy_lo", row.get("accuracy_lo"), c / n, "n_correct / n_inputs")
        p.close(where, "brute-force.accuracy_hi", row.get("accuracy_hi"), (c + u) / n,
                "(n_correct + n_undecided) / n_inputs")
        if "bound" in row:
            p.close(where, "brute-force.bound", row.get("bound"), c / n, "n_correct / n_inputs")
        if "relative_bound" in row:
            p.close(where, "brute-force.relative_bound", row.get("relative_bound"), 1.0, "its definition")
        if type(claimed) is int and c + u < claimed:
            p.append(f"{where}: brute-force n_correct + n_undecided is {c + u}, below {src}'s claimed_count "
                     f"{claimed} (two sound bounds cannot disagree: one of them is stale)")
        if type(row.get("flops")) is not int:
            p.append(f"{where}: brute-force.flops is {_short(row.get('flops'))}, expected an integer")
    return p


def bounds_text_problems(where: str, text: str, facts: dict, rows: dict | None, json_name: str | None) -> Problems:
    """NAME.bounds.txt against its json (`rows`, by strategy; None if absent) and the certificate."""
    p = Problems()
    lines = [ln for ln in text.splitlines() if ln.strip()]
    src = json_name or "the certificate"
    m = re.fullmatch(r"model ([0-9a-f]+)\s+V=(\d+) K=(\d+)", lines[0].strip()) if lines else None
    if m is None:
        p.append(f"{where}: line 1 is not 'model <sha256 prefix>  V=<V> K=<K>' (not written by `maxk bounds`)")
        return p
    sha = facts["model_sha256"] or ""
    if not sha.startswith(m.group(1)):
        p.append(f"{where}: model is {m.group(1)}, the certificate says {sha[:len(m.group(1))]}")
    p.eq(where, "V", int(m.group(2)), facts["d_vocab"], "the certificate")
    p.eq(where, "K", int(m.group(3)), facts["n_ctx"], "the certificate")
    header = None
    for i, ln in enumerate(lines[1:], start=2):
        e = re.fullmatch(r"brute-force enclosure of the exact accuracy: \[(\S+), (\S+)\]\s+\(undecided (\d+); "
                         r"float32 torch accuracy (\S+)\)", ln.strip())
        if e:
            bf = (rows or {}).get("brute-force")
            if bf is not None:
                p.printed(where, "enclosure accuracy_lo", e.group(1), bf.get("accuracy_lo"), json_name)
                p.printed(where, "enclosure accuracy_hi", e.group(2), bf.get("accuracy_hi"), json_name)
                p.eq(where, "enclosure undecided", int(e.group(3)), bf.get("n_undecided"), json_name)
                f32 = bf.get("float32_accuracy")
                if f32 is None:
                    p.printed(where, "float32 torch accuracy", "" if e.group(4) == "None" else e.group(4), None, json_name)
                else:
                    p.printed(where, "float32 torch accuracy", e.group(4), f32, json_name)
            continue
        toks = ln.split()
        if toks and toks[0] == "strategy":
            header = toks
            continue
        if header is None:
            p.append(f"{where}: line {i} {ln.strip()[:60]!r} comes before the table header")
            continue
        name = toks[0]
        vals = dict(zip(header[1:], toks[1:])) if len(toks) == len(header) else None
        if vals is None and len(toks) == len(header) - 1 and "relative" in header:  # relative left blank
            rest = header[1:]
            rest.remove("relative")
            vals = dict(zip(rest, toks[1:]), relative="")
        if vals is None:
            p.append(f"{where}: line {i} has {len(toks)} cells, the header {len(header)}")
            continue
        if name == "cubic":
            p.printed(where, "cubic bound", vals.get("bound", ""), facts["claimed_count"] / facts["n_inputs"],
                      "the certificate (claimed_count / n_inputs)")
        if rows is None:
            continue
        row = rows.get(name)
        if row is None:
            p.append(f"{where}: row {name!r} is not in {json_name}")
            continue
        for col, key in (("bound", "bound"), ("relative", "relative_bound"), ("FLOPs", "flops"),
                         ("seconds", "seconds")):
            if col in vals:
                p.printed(where, f"{name} {col}", vals[col], row.get(key), src)
    if header is None:
        p.append(f"{where}: no table header 'strategy bound relative FLOPs seconds'")
    elif rows is not None:
        shown = {ln.split()[0] for ln in lines[1:] if ln.split() and ln.split()[0] in rows}
        for name in sorted(set(rows) - shown):
            p.append(f"{where}: no row for {name!r}, which {json_name} has")
    return p


def report_kind(name: str) -> str | None:
    """'bounds' (NAME.bounds.json), 'bounds-text' (NAME.bounds.txt), 'bound' (NAME.cubic.json,
    NAME.brute-force.json) or None: a kind this module does not parse."""
    base = name.rsplit("/", 1)[-1]
    if base.endswith(".bounds.json"):
        return "bounds"
    if base.endswith(".bounds.txt"):
        return "bounds-text"
    if base.endswith(".cubic.json") or base.endswith(".brute-force.json"):
        return "bound"
    return None


def check_reports(reports: dict[str, bytes], cert: dict, cubic_flops: int | None = None
                  ) -> tuple[list[str], list[str], list[str]]:
    """The reports {name: bytes} of one model against its certificate (the archive's check).

    Returns (cross-checked names, hashed-only names, problems).  `cubic_flops` is the recomputed
    cubic FLOP count (None: the FLOPs are only type-checked)."""
    facts = cert_facts(cert)
    checked, hashed_only, p = [], [], Problems()
    n = facts["n_inputs"]
    if type(n) is not int or n <= 0 or type(facts["claimed_count"]) is not int:
        return [], sorted(reports), [f"the certificate's n_inputs / claimed_count ({_short(n)}, "
                                     f"{_short(facts['claimed_count'])}) are not usable: reports not cross-checked"]
    parsed: dict[str, object] = {}
    skip: set[str] = set()
    for name in sorted(reports):
        kind = report_kind(name)
        if kind is None:
            hashed_only.append(name)
            continue
        checked.append(name)
        if len(reports[name]) > MAX_REPORT_BYTES:
            p.append(f"{name}: {len(reports[name])} bytes, over the {MAX_REPORT_BYTES} a report of this kind may have")
            skip.add(name)
            parsed[name] = None
            continue
        if kind == "bounds-text":
            continue
        try:
            parsed[name] = json.loads(reports[name])
        except (ValueError, UnicodeDecodeError, RecursionError) as e:
            p.append(f"{name}: not readable JSON ({type(e).__name__})")
            parsed[name] = None
    for name in checked:
        if name in skip:
            continue
        kind = report_kind(name)
        data = parsed.get(name)
        if kind == "bounds" and data is not None:
            rows = _rows_by_strategy(name, data, p)
            if rows is None:
                continue
            if "cubic" not in rows:
                p.append(f"{name}: no cubic row (the certificate's strategy)")
            for r in rows.values():
                p += bound_row_problems(name, r, facts, cubic_flops, rows.get("brute-force"))
        elif kind == "bound" and data is not None:
            if not isinstance(data, dict) or not isinstance(data.get("strategy"), str):
                p.append(f"{name}: not a strategy report (an object with a 'strategy')")
                continue
            p += bound_row_problems(name, data, facts, cubic_flops)
        elif kind == "bounds-text":
            json_name = name[: -len(".txt")] + ".json"
            data = parsed.get(json_name)
            rows = None
            if json_name in reports:
                rows = _rows_by_strategy(json_name, data, Problems()) if data is not None else None
                if rows is None:
                    continue  # the json's own problem is reported
            try:
                text = reports[name].decode("utf-8")
            except UnicodeDecodeError:
                p.append(f"{name}: not UTF-8 text")
                continue
            p += bounds_text_problems(name, text, facts, rows, json_name if json_name in reports else None)
    return checked, hashed_only, list(p)


# ----------------------------------------------------------------- frontier


def frontier_problems(records, summary, md: str | None, certs: dict, bounds: dict, models: dict,
                      cubic_flops: dict | None = None, where: str = "frontier",
                      exact_certs: dict | None = None) -> Problems:
    """frontier.json records, frontier.summary.json and frontier.md against each other, the
    certificates ({model_sha256: facts}), the exact certificates ({model_sha256: the certificate
    dict}), the bounds reports ({model_sha256: rows by strategy}) and the models' metadata ({model
    path as in the records: model_sha256}).  An exact record (config "exact") of a model with an
    exact certificate carries its lo (n_proved) and hi (n_upper) and the FLOPs exact_flops gives
    from it and the cubic record's FLOPs; an "unavailable" exact record carries no numbers."""
    from .certificate.exact_flops import exact_flops

    p = Problems()
    exact_certs = exact_certs or {}
    cubic_rec = {r.get("model_sha256"): r for r in records if isinstance(r, dict) and r.get("config") == "cubic"} \
        if isinstance(records, list) else {}
    wj, ws, wm = f"{where}.json", f"{where}.summary.json", f"{where}.md"
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        p.append(f"{wj}: not a list of records")
        return p
    bf_bound = {r.get("model_sha256"): r.get("bound") for r in records if r.get("config") == "brute-force"}
    for i, r in enumerate(records):
        at = f"{wj}: record {i} ({Path(str(r.get('model'))).name} {r.get('config')})"
        if r.get("unavailable") is not None:  # an exact certificate over its budget: the reason, no numbers
            if r.get("config") != "exact" or not isinstance(r.get("unavailable"), str):
                p.append(f"{at}: unavailable is {_short(r.get('unavailable'))}, expected a reason on an exact record")
            for f in ("n_proved", "bound", "relative", "flops", "n_upper", "upper"):
                p.eq(at, f, r.get(f), None, "an unavailable record (no numbers)")
            if r.get("model_sha256") in exact_certs:
                p.append(f"{at}: unavailable, but a shipped exact certificate exists for this model")
            continue
        n, k = r.get("n_inputs"), r.get("n_proved")
        if type(n) is not int or type(k) is not int or n <= 0:
            p.append(f"{at}: n_inputs / n_proved are {_short((n, k))}, expected integers")
            continue
        p.close(at, "bound", r.get("bound"), k / n, "n_proved / n_inputs")
        lo = bf_bound.get(r.get("model_sha256"))
        if _is_num(lo) and lo > 0:
            p.close(at, "relative", r.get("relative"), r.get("bound") / lo if _is_num(r.get("bound")) else None,
                    "bound / the brute-force bound of the same model")
        sha = r.get("model_sha256")
        if r.get("config") == "exact":
            hi = r.get("n_upper")
            if type(hi) is not int or not k <= hi <= n:
                p.append(f"{at}: n_upper is {_short(hi)}, expected an integer in n_proved..n_inputs")
            else:
                p.close(at, "upper", r.get("upper"), hi / n, "n_upper / n_inputs")
            ec = exact_certs.get(sha)
            if ec is not None:
                src = "the exact certificate"
                p.eq(at, "n_proved", k, ec.get("claimed_count"), f"{src} (claimed_count, lo)")
                p.eq(at, "n_upper", hi, ec.get("claimed_upper"), f"{src} (claimed_upper, hi)")
                p.eq(at, "n_inputs", n, ec.get("n_inputs"), src)
                cu = cubic_rec.get(sha)
                if cu is not None and type(cu.get("flops")) is int:
                    p.eq(at, "flops", r.get("flops"), exact_flops(ec, cu["flops"]),
                         f"exact_flops({src}, the cubic record's FLOPs)")
        if sha in certs and r.get("config") == "cubic":
            p.eq(at, "n_proved", k, certs[sha]["claimed_count"], "the certificate (claimed_count)")
            p.eq(at, "n_inputs", n, certs[sha]["n_inputs"], "the certificate")
            if cubic_flops and sha in cubic_flops:
                p.eq(at, "flops", r.get("flops"), cubic_flops[sha], "a recomputation (cubic.run)")
        if sha in bounds:
            row = bounds[sha].get(r.get("config"))
            if r.get("config") == "cubic" and row is not None:
                p.eq(at, "flops", r.get("flops"), row.get("flops"), "the bounds report")
                p.eq(at, "n_proved", k, row.get("n_proved"), "the bounds report")
            if r.get("config") == "brute-force" and row is not None:
                p.eq(at, "n_proved", k, row.get("n_correct"), "the bounds report (n_correct)")
                p.eq(at, "flops", r.get("flops"), row.get("flops"), "the bounds report")
    for path, want in sorted(models.items()):  # one line per model, not per record
        got = sorted({str(r.get("model_sha256")) for r in records if r.get("model") == path})
        if got and got != [want]:
            p.append(f"{wj}: the records of {path} have model_sha256 {', '.join(got)}, its metadata says {want}")
    # summary: recomputed from the records (the "any subcubic" row: every group but brute-force,
    # exact, cubic and the attention-cubic-reference ones, as pipeline/frontier.py defines it;
    # unavailable exact records are in no group)
    if summary is not None:
        if not isinstance(summary, list) or not all(isinstance(s, dict) for s in summary):
            p.append(f"{ws}: not a list of group rows")
            summary = []
        shas = sorted({r.get("model_sha256") for r in records})
        for s in summary:
            g = s.get("group")
            if isinstance(g, str) and g.startswith("any subcubic"):
                member = lambda r: r.get("group") not in ("brute-force", "exact", "cubic") and not str(
                    r.get("group")).startswith("attention-cubic-reference")
            else:
                member = lambda r, g=g: r.get("group") == g
            best = []
            for m in shas:
                rs = [r for r in records if r.get("model_sha256") == m and member(r) and r.get("unavailable") is None]
                if rs:
                    best.append(max(rs, key=lambda r: (r.get("relative") or 0.0, -(r.get("flops") or 0))))
            at = f"{ws}: group {g!r}"
            rel = [b.get("relative") for b in best]
            p.eq(at, "n_models", s.get("n_models"), len(best), f"{wj} (models with a record in the group)")
            if not best or not all(_is_num(x) for x in rel):
                continue
            bpm = s.get("best_relative_per_model")
            if not (isinstance(bpm, list) and len(bpm) == len(rel) and all(
                    _is_num(a) and math.isclose(a, b, rel_tol=REL_TOL) for a, b in zip(bpm, rel))):
                p.append(f"{at}: best_relative_per_model is {_short(bpm)}, {wj} says {_short(rel)}")
            p.close(at, "mean", s.get("mean"), statistics.fmean(rel), f"{wj} (mean of the best per model)", STAT_TOL)
            p.close(at, "std", s.get("std"), statistics.pstdev(rel) if len(rel) > 1 else 0.0,
                    f"{wj} (population std of the best per model)", STAT_TOL)
            p.close(at, "flops_of_best_mean", s.get("flops_of_best_mean"),
                    statistics.fmean(b.get("flops") or 0 for b in best), f"{wj} (mean FLOPs of the best)", STAT_TOL)
    if md is not None and summary:
        tables = md_tables(md)
        groups = {s.get("group"): s for s in summary}
        gt = next((t for t in tables if t and t[0][:2] == ["group", "ours (mean ± std)"]), None)
        if gt is None:
            p.append(f"{wm}: no group table ('| group | ours (mean ± std) | ...')")
        else:
            seen = set()
            for row in gt[1:]:
                s = groups.get(row[0])
                if s is None:
                    p.append(f"{wm}: group {row[0]!r} is not in {ws}")
                    continue
                seen.add(row[0])
                pm = _pm(row[1]) or ("", "")
                p.printed(wm, f"group {row[0]!r} mean", pm[0], s.get("mean"), ws)
                p.printed(wm, f"group {row[0]!r} std", pm[1], s.get("std"), ws)
                p.printed(wm, f"group {row[0]!r} paper", row[2], s.get("paper"), ws)
                p.printed(wm, f"group {row[0]!r} models", row[3], s.get("n_models"), ws)
                p.printed(wm, f"group {row[0]!r} FLOPs of the best", row[4], s.get("flops_of_best_mean"), ws)
            for g in sorted(set(groups) - seen, key=str):
                p.append(f"{wm}: no row for group {g!r} of {ws}")
        et = next((t for t in tables if t and t[0][:3] == ["model", "strategy", "group"]), None)
        if et is None:
            p.append(f"{wm}: no per-strategy table ('| model | strategy | group | ...')")
        elif len(et) - 1 != len(records):
            p.append(f"{wm}: the per-strategy table has {len(et) - 1} rows, {wj} {len(records)} records")
        else:
            for i, (row, r) in enumerate(zip(et[1:], records)):
                at = f"{wm}: strategy row {i + 1}"
                if row[:3] != [str(r.get("model")).split("/")[-1], r.get("config"), r.get("group")]:
                    p.append(f"{at}: is {row[:3]}, {wj} record {i} is {[r.get('model'), r.get('config'), r.get('group')]}")
                    continue
                p.printed(at, "bound", row[3], r.get("bound"), wj)
                p.printed(at, "relative", row[4], r.get("relative"), wj)
                p.printed(at, "FLOPs", row[5], r.get("flops"), wj)
        # the exact certificate's table: one row per exact record, in order
        xt = next((t for t in tables if t and t[0][:3] == ["model", "lo", "hi"]), None)
        ex = [r for r in records if r.get("config") == "exact"]
        if ex and xt is None:
            p.append(f"{wm}: no exact-certificate table ('| model | lo | hi | ...')")
        elif ex and len(xt) - 1 != len(ex):
            p.append(f"{wm}: the exact-certificate table has {len(xt) - 1} rows, {wj} {len(ex)} exact records")
        elif ex:
            for i, (row, r) in enumerate(zip(xt[1:], ex)):
                at = f"{wm}: exact row {i + 1} ({row[0]})"
                if row[0] != str(r.get("model")).split("/")[-1]:
                    p.append(f"{at}: model is {row[0]!r}, {wj} says {r.get('model')!r}")
                elif r.get("unavailable") is not None:
                    if not row[1].startswith("unavailable"):
                        p.append(f"{at}: lo is {row[1]!r}, {wj} says unavailable")
                else:
                    p.printed(at, "lo", row[1], r.get("n_proved"), wj)
                    p.printed(at, "hi", row[2], r.get("n_upper"), wj)
                    p.printed(at, "FLOPs", row[7], r.get("flops"), wj)
    return p


# ----------------------------------------------------------------- bench


def bench_problems(bench, shipped_name: str, facts: dict, rows: dict | None, records: list | None,
                   cert_bytes: int | None, where: str = "bench.json") -> Problems:
    """bench.json against the shipped model's certificate (`facts`), its bounds report (`rows`, by
    strategy) and the frontier records of the other seeds.  `shipped_name` is the stem bench.py
    measures first ("max4-seed123"); its seeds entries are named by the number after "seed"."""
    p = Problems()
    if not isinstance(bench, dict):
        p.append(f"{where}: not a JSON object")
        return p
    n, claimed = facts["n_inputs"], facts["claimed_count"]
    bf = (rows or {}).get("brute-force") or {}
    cu = (rows or {}).get("cubic") or {}
    src, bsrc = "the certificate", "the bounds report"

    def shipped_like(at, d, keys):
        if not isinstance(d, dict):
            p.append(f"{at}: missing")
            return
        for k in keys:
            if k not in d:
                p.append(f"{at}: no field {k!r} (bench.json predates this bench.py: run make bench)")
        if "v2_count" in d:
            p.eq(at, "v2_count", d["v2_count"], claimed, f"{src} (claimed_count)")
        for k in ("cubic_bound", "cubic"):
            if k in d:
                p.close(at, k, d[k], claimed / n, f"{src} (claimed_count / n_inputs)")
        if bf:
            if "relative" in d:
                p.close(at, "relative", d["relative"], claimed / bf.get("n_correct", 0) if bf.get("n_correct") else None,
                        f"{src} / {bsrc}'s n_correct")
            for k in ("accuracy_lo", "accuracy_hi"):
                if k in d:
                    p.close(at, k, d[k], bf.get(k), bsrc)
            if "brute_count" in d:
                p.eq(at, "brute_count", d["brute_count"], bf.get("n_correct"), f"{bsrc} (n_correct)")
            if "brute_flops" in d:
                p.eq(at, "brute_flops", d["brute_flops"], bf.get("flops"), bsrc)
        if cu and "cubic_flops" in d:
            p.eq(at, "cubic_flops", d["cubic_flops"], cu.get("flops"), bsrc)

    shipped_like(f"{where}: shipped", bench.get("shipped"),
                 ("v2_count", "cubic_bound", "relative", "accuracy_lo", "brute_flops", "cubic_flops"))
    sh = bench.get("shipped") if isinstance(bench.get("shipped"), dict) else {}
    if cert_bytes is not None and sh.get("cert_bytes") is not None:
        p.eq(f"{where}: shipped", "cert_bytes", sh["cert_bytes"], cert_bytes, "the size of the shipped certificate")
    seeds = bench.get("seeds")
    if not isinstance(seeds, list):
        p.append(f"{where}: seeds is missing or not a list")
        return p
    ship_seed = shipped_name.rsplit("seed", 1)[-1]
    by_stem = {}
    for r in records or []:
        by_stem.setdefault(Path(str(r.get("model"))).name.rsplit(".", 1)[0], {})[r.get("config")] = r
    prefix = shipped_name.rsplit("seed", 1)[0]
    rels = []
    for e in seeds:
        if not isinstance(e, dict):
            p.append(f"{where}: a seeds entry is not an object")
            continue
        at = f"{where}: seeds[{e.get('seed')}]"
        rels.append(e.get("relative"))
        if str(e.get("seed")) == ship_seed:
            shipped_like(at, e, ("v2_count", "cubic", "relative", "brute_count", "cubic_flops"))
            continue
        fr = by_stem.get(f"{prefix}seed{e.get('seed')}")
        if fr is None:
            continue
        fb, fc = fr.get("brute-force"), fr.get("cubic")
        if fc is not None:
            p.eq(at, "v2_count", e.get("v2_count"), fc.get("n_proved"), "frontier.json's cubic record")
            p.eq(at, "cubic_flops", e.get("cubic_flops"), fc.get("flops"), "frontier.json's cubic record")
            p.close(at, "cubic", e.get("cubic"), fc.get("bound"), "frontier.json's cubic record")
        if fb is not None:
            p.eq(at, "brute_count", e.get("brute_count"), fb.get("n_proved"), "frontier.json's brute-force record")
            p.eq(at, "brute_flops", e.get("brute_flops"), fb.get("flops"), "frontier.json's brute-force record")
        if fb is not None and fc is not None and _is_num(fb.get("n_proved")) and fb["n_proved"] > 0:
            p.close(at, "relative", e.get("relative"), fc.get("n_proved") / fb["n_proved"], "frontier.json")
    mr = bench.get("mean_relative")
    if isinstance(mr, dict) and rels and all(_is_num(x) for x in rels):
        p.close(f"{where}: mean_relative", "v2", mr.get("v2"), statistics.fmean(rels), "the mean of its seeds", STAT_TOL)
    return p


# ----------------------------------------------------------------- sweeps


def sweep_problems(sweep_dir: Path, certs: dict | None = None) -> Problems:
    """SWEEP/report.json and report.md against SWEEP/results/ and sweep.json (module docstring)."""
    from .sweep import STEPS, read_record

    p = Problems()
    d = Path(sweep_dir)
    wj, wm = f"{d.name}/report.json", f"{d.name}/report.md"
    settings = _load_json(d / "sweep.json", p)
    rep = _load_json(d / "report.json", p)
    if not isinstance(rep, dict) or not isinstance(settings, dict):
        return p
    p.eq(wj, "settings", rep.get("settings"), settings, "sweep.json")
    recs: dict = {}  # seed -> sha -> step -> record
    for f in sorted((d / "results").glob("*/*.json")):
        rec, problem = read_record(f)
        if problem is not None:
            continue  # listed by the report itself as a problem
        recs.setdefault(rec["seed"], {}).setdefault(rec["model_sha256"], {})[rec["step"]] = rec
    rows = rep.get("seeds")
    if not isinstance(rows, list):
        p.append(f"{wj}: seeds is not a list")
        return p
    p.eq(wj, "seeds (the set of seed numbers)", sorted(r.get("seed") for r in rows), sorted(recs),
         "results/ (the seeds with a result file)")

    def ok(step_recs, step):
        r = step_recs.get(step)
        return r["result"] if r is not None and r["status"] == "ok" else None

    for row in rows:
        seed = row.get("seed")
        at = f"{wj}: seed {seed}"
        by_sha = recs.get(seed)
        if not by_sha:
            continue
        sha = row.get("model_sha256")
        sr = by_sha.get(sha, {})
        if sha not in by_sha:
            p.append(f"{at}: model_sha256 {_short(sha)} has no results (results/ has {sorted(k for k in by_sha if k)[:3]})")
            continue
        bf = ok(sr, "brute-force")
        denom = bf["n_proved"] if bf and bf.get("n_proved") else None
        tr = ok(sr, "train")
        p.close(at, "final_loss", row.get("final_loss"), tr.get("final_loss") if tr else None, "train.json")
        for name in ("brute-force", "cubic", "subcubic"):
            r = ok(sr, name)
            p.close(at, name, row.get(name), r["n_proved"] / r["n_inputs"] if r else None,
                    f"{name}.json (n_proved / n_inputs)")
            p.close(at, f"{name} relative", row.get(f"{name} relative"),
                    r["n_proved"] / denom if (r and denom) else None, f"{name}.json / brute-force.json")
            p.eq(at, f"{name} flops", row.get(f"{name} flops"), r.get("flops") if r else None, f"{name}.json")
        c = ok(sr, "certify")
        p.close(at, "certificate", row.get("certificate"), c["claimed_count"] / c["n_inputs"] if c else None,
                "certify.json (claimed_count / n_inputs)")
        rp = ok(sr, "replay")
        p.eq(at, "replay", row.get("replay"), rp.get("verdict") if rp else None, "replay.json")
        if c and rp and rp.get("verdict") == "PASS":
            p.eq(at, "replay count", rp.get("count"), c["claimed_count"], "certify.json (claimed_count)")
        if certs and sha in certs and c:
            p.eq(at, "certificate claimed_count", c["claimed_count"], certs[sha]["claimed_count"],
                 "the shipped certificate of the same model")
    # the summary, recomputed from the rows (sample std, as sweep_report.py states)
    summ = {t.get("strategy"): t for t in rep.get("summary") or [] if isinstance(t, dict)}
    for name, t in summ.items():
        at = f"{wj}: summary {name}"
        vals = [r.get(name) for r in rows if r.get(name) is not None]
        rel = [r.get(f"{name} relative") for r in rows if r.get(f"{name} relative") is not None]
        p.eq(at, "seeds", t.get("seeds"), len(vals), "the seed rows")
        for key, xs in (("", vals), ("relative_", rel)):
            if not all(_is_num(x) for x in xs):
                p.append(f"{at}: a seed row's {key or 'absolute '}bound is not a number")
                continue
            m = statistics.fmean(xs) if xs else None
            sd = (statistics.stdev(xs) if len(xs) > 1 else 0.0) if xs else None
            p.close(at, f"{key}mean", t.get(f"{key}mean"), m, "the seed rows", STAT_TOL)
            p.close(at, f"{key}std", t.get(f"{key}std"), sd, "the seed rows (sample std)", STAT_TOL)
            p.close(at, f"{key}min", t.get(f"{key}min"), min(xs) if xs else None, "the seed rows")
    # report.md against report.json
    try:
        md = (d / "report.md").read_text()
    except OSError as e:
        p.append(f"{wm}: not readable ({e.strerror or e})")
        return p
    tables = md_tables(md)
    bt = next((t for t in tables if t and t[0][:3] == ["strategy", "seeds", "absolute bound"]), None)
    if bt is None:
        p.append(f"{wm}: no bounds table ('| strategy | seeds | absolute bound | ...')")
    else:
        for row in bt[1:]:
            t = summ.get(row[0])
            if t is None:
                p.append(f"{wm}: strategy {row[0]!r} is not in {wj}'s summary")
                continue
            at = f"{wm}: bounds row {row[0]!r}"
            p.printed(at, "seeds", row[1], t.get("seeds"), wj)
            pm = _pm(row[2])
            if pm:
                p.printed(at, "mean", pm[0], t.get("mean"), wj)
                p.printed(at, "std", pm[1], t.get("std"), wj)
            elif t.get("seeds"):
                p.append(f"{at}: absolute bound is {row[2]!r}, {wj} has {t.get('seeds')} seeds")
            pm = _pm(row[3])
            if pm:
                p.printed(at, "relative mean", pm[0], t.get("relative_mean"), wj)
                p.printed(at, "relative std", pm[1], t.get("relative_std"), wj)
    st = next((t for t in tables if t and t[0][:2] == ["seed", "model"]), None)
    if st is None:
        p.append(f"{wm}: no per-seed table ('| seed | model | ...')")
    else:
        hdr = st[0]
        col = {h: i for i, h in enumerate(hdr)}
        md_rows = {r[0]: r for r in st[1:]}
        for row in rows:
            r = md_rows.get(str(row.get("seed")))
            at = f"{wm}: seed {row.get('seed')}"
            if r is None:
                p.append(f"{at}: no row in the per-seed table")
                continue
            sha = row.get("model_sha256") or ""
            if r[col["model"]].strip("`") != (sha[:12] or "–"):
                p.append(f"{at}: model is {r[col['model']]!r}, {wj} says {sha[:12]!r}")
            for h, key in (("cubic", "cubic"), ("certificate", "certificate")):
                if h in col:
                    p.printed(at, h, r[col[h]], row.get(key), wj)
            if "replay" in col and not r[col["replay"]].startswith(row.get("replay") or "–"):
                p.append(f"{at}: replay is {r[col['replay']]!r}, {wj} says {row.get('replay')!r}")
        if len(md_rows) != len(rows):
            p.append(f"{wm}: the per-seed table has {len(md_rows)} rows, {wj} {len(rows)} seeds")
    for key, title in (("failures", "Failures"), ("not_run", "Not run")):
        m = re.search(rf"^## {title} \((\d+)\)", md, re.M)
        if key in rep or m:
            n = len(rep.get(key) or [])
            if m is None:
                p.append(f"{wm}: no '## {title} (N)' section, {wj} lists {n}")
            else:
                p.eq(wm, f"'## {title}' count", int(m.group(1)), n, f"{wj} ({key})")
    return p


# ----------------------------------------------------------------- archive (MANIFEST only)


def archive_manifest_problems(archive: Path, cert_path: Path, facts: dict, reports_dir: Path) -> Problems:
    """The shipped archive's MANIFEST.json against the shipped certificate and reports (sha256 of
    the certificate file and of every reports/ member equal to the files under `reports_dir`).
    Reads only the first member (MANIFEST.json sorts first); the full check is verify-archive."""
    p = Problems()
    where = str(archive)
    try:
        with tarfile.open(archive, "r:gz") as tf:
            first = tf.next()
            if first is None or first.name != "MANIFEST.json" or not first.isreg() or first.size > 16 << 20:
                p.append(f"{where}: the first member is not MANIFEST.json")
                return p
            m = json.loads(tf.extractfile(first).read())
    except (OSError, tarfile.TarError, ValueError, EOFError) as e:
        p.append(f"{where}: MANIFEST.json not readable ({type(e).__name__})")
        return p
    at = f"{where}: MANIFEST.json"
    for k in ("model_sha256", "claimed_count", "n_inputs"):
        p.eq(at, k, m.get(k), facts[k], str(cert_path))
    files = m.get("files") if isinstance(m.get("files"), dict) else {}
    cert_rel = f"cert/{Path(cert_path).name}"
    p.eq(at, f"sha256 of {cert_rel}", files.get(cert_rel), hashlib.sha256(Path(cert_path).read_bytes()).hexdigest(),
         f"the sha256 of {cert_path}")
    for rel in sorted(r for r in files if r.startswith("reports/")):
        f = Path(reports_dir) / rel.split("/", 1)[1]
        if not f.is_file():
            p.append(f"{at}: {rel} has no counterpart {f} (the archive holds a report that is not shipped)")
        else:
            p.eq(at, f"sha256 of {rel}", files[rel], hashlib.sha256(f.read_bytes()).hexdigest(),
                 f"the sha256 of {f} (rebuild the archive: make archive)")
    return p


# ----------------------------------------------------------------- README


def readme_problems(text: str, certs_by_ident: dict, bounds: dict | None, summary, sweeps: dict, bench,
                    where: str = "README.md") -> Problems:
    """README.md's numbers about the shipped artifacts (module docstring).  `certs_by_ident` maps
    "max4_seed123" to the certificate's facts, `bounds` is the shipped model's bounds report (rows
    by strategy), `sweeps` maps a sweep folder name to its report.json."""
    p = Problems()
    found = False
    for m in re.finditer(r"(\d[\d,]*) <= (?:Z\.of_nat \()?(?:MaxK\.)?(?:Spec\.)?count_correct (\w+)_model", text):
        ident = m.group(2)
        if ident in certs_by_ident:
            found = True
            p.printed(where, f"the count in '{m.group(0)}'", m.group(1), certs_by_ident[ident]["claimed_count"],
                      f"the certificate of {ident}")
    if certs_by_ident and not found:
        p.append(f"{where}: no 'N <= count_correct <ident>_model' statement for {sorted(certs_by_ident)}")
    tables = md_tables(text)
    # Results on the shipped model
    rt = next((t for t in tables if t and t[0][:2] == ["strategy", "certified bound"]), None)
    if bounds is not None:
        cu, bf = bounds.get("cubic") or {}, bounds.get("brute-force") or {}
        if rt is None:
            p.append(f"{where}: no results table ('| strategy | certified bound | ...')")
        else:
            for row in rt[1:]:
                at = f"{where}: results row {row[0]!r}"
                if row[0].startswith("cubic"):
                    p.printed(at, "certified bound", row[1], cu.get("bound"), "the bounds report")
                    p.printed(at, "relative", row[2], cu.get("relative_bound"), "the bounds report")
                    p.printed(at, "FLOPs", row[3], cu.get("flops"), "the bounds report")
                elif row[0].startswith("brute force"):
                    e = re.search(r"\[(\S+), (\S+)\]\s*\((\d+) undecided\)", row[1])
                    if e is None:
                        p.append(f"{at}: certified bound {row[1]!r} is not '[lo, hi] (N undecided)'")
                    else:
                        p.printed(at, "accuracy_lo", e.group(1), bf.get("accuracy_lo"), "the bounds report")
                        p.printed(at, "accuracy_hi", e.group(2), bf.get("accuracy_hi"), "the bounds report")
                        p.printed(at, "undecided", e.group(3), bf.get("n_undecided"), "the bounds report")
                    p.printed(at, "FLOPs", row[3], bf.get("flops"), "the bounds report")
    # frontier group table
    if summary:
        groups = {s.get("group"): s for s in summary if isinstance(s, dict)}
        ft = next((t for t in tables if t and t[0][:1] == ["group"] and len(t[0]) >= 4 and "ours" in t[0][1]), None)
        if ft is None:
            p.append(f"{where}: no frontier group table ('| group | ours: ... |')")
        else:
            for row in ft[1:]:
                g = row[0] if row[0] in groups else next((k for k in groups if row[0].startswith(k + " (")), None)
                at = f"{where}: frontier row {row[0]!r}"
                if g is None:
                    p.append(f"{at}: not a group of frontier.summary.json")
                    continue
                pm = _pm(row[1]) or ("", "")
                p.printed(at, "mean", pm[0], groups[g].get("mean"), "frontier.summary.json")
                p.printed(at, "std", pm[1], groups[g].get("std"), "frontier.summary.json")
                p.printed(at, "paper", row[2], groups[g].get("paper"), "frontier.summary.json")
                p.printed(at, "FLOPs", row[3], groups[g].get("flops_of_best_mean"), "frontier.summary.json")
    # K = 4 sweep table and K = 5 sentence
    k4 = sweeps.get("max4-paper-seeds")
    if isinstance(k4, dict):
        summ = {t.get("strategy"): t for t in k4.get("summary") or []}
        st = next((t for t in tables if t and t[0][:2] == ["statistic (151 seeds, mean ± std)", "ours (sound)"]), None)
        if st is None:
            p.append(f"{where}: no K = 4 sweep table ('| statistic (151 seeds, mean ± std) | ours (sound) | ...')")
        else:
            for row in st[1:]:
                name, kind = {"brute-force accuracy": ("brute-force", ""), "cubic relative bound": ("cubic", "relative_"),
                              "cubic absolute bound": ("cubic", "")}.get(row[0], (None, None))
                if row[0].startswith("subcubic"):
                    name, kind = "subcubic", "relative_"
                if name is None or name not in summ:
                    continue
                at = f"{where}: sweep row {row[0]!r}"
                pm = _pm(row[1]) or ("", "")
                p.printed(at, "mean", pm[0], summ[name].get(f"{kind}mean"), "max4-paper-seeds/report.json")
                p.printed(at, "std", pm[1], summ[name].get(f"{kind}std"), "max4-paper-seeds/report.json")
                mn = re.search(r"\(min (\S+)\)", row[1])
                if mn:
                    p.printed(at, "min", mn.group(1), summ[name].get(f"{kind}min"), "max4-paper-seeds/report.json")
    k5 = sweeps.get("max5-paper-seeds")
    if isinstance(k5, dict):
        cu = next((t for t in k5.get("summary") or [] if t.get("strategy") == "cubic"), {})
        m = re.search(r"max5-paper-seeds.{0,400}?cubic bound (\S+) ± (\S+)", text, re.S)
        if m is None:
            p.append(f"{where}: no 'cubic bound X ± Y' sentence for max5-paper-seeds")
        else:
            p.printed(where, "K = 5 cubic bound mean", m.group(1), cu.get("mean"), "max5-paper-seeds/report.json")
            p.printed(where, "K = 5 cubic bound std", m.group(2), cu.get("std"), "max5-paper-seeds/report.json")
    # bench: K = 10 / 20 bounds
    if isinstance(bench, dict):
        for e in bench.get("long") or []:
            if not isinstance(e, dict):
                continue
            m = re.search(rf"K = {e.get('k')}: bound (\S+)", text)
            if m:
                p.printed(where, f"K = {e.get('k')} bound", m.group(1), e.get("bound"), "bench.json")
                v1 = re.search(rf"K = {e.get('k')}: bound \S+ in [^(]*\(v1[^:]*: (\S+?)\)", text)
                if v1 and "bound_v1" in e:
                    p.printed(where, f"K = {e.get('k')} v1 bound", v1.group(1), e.get("bound_v1"), "bench.json")
    return p


def exact_cert_problems(where, cert, cert_paths: dict, bounds: dict) -> Problems:
    """A shipped exact certificate artifacts/certs/NAME.exact.cert.json (`maxk certify --exact`)
    against NAME.cert.json and NAME's bounds report: it is that certificate with strategy "exact"
    and its two claims (anything else differing means it is stale: re-run certify --exact), its
    lower claim is at least the cubic count, and [lo, hi] overlaps the brute force's
    [n_correct, n_correct + n_undecided] (two sound enclosures of the same count)."""
    p = Problems()
    if not isinstance(cert, dict):
        return p  # _load_json said why
    name = Path(where).name[: -len(".exact.cert.json")]
    if name not in cert_paths:
        p.append(f"{where}: no {name}.cert.json beside it")
        return p
    cubic = json.loads(Path(cert_paths[name]).read_bytes())
    lo, hi = cert.get("claimed_count"), cert.get("claimed_upper")
    p.eq(str(where), "strategy", cert.get("strategy"), "exact", "maxk certify --exact")
    rest = {k: v for k, v in cert.items() if k not in ("strategy", "claimed_count", "claimed_upper")}
    if rest != {k: v for k, v in cubic.items() if k not in ("strategy", "claimed_count")}:
        p.append(f"{where}: differs from {name}.cert.json beyond strategy and the claims (stale: re-run "
                 f"maxk certify --exact)")
    if not (_is_num(lo) and _is_num(hi) and cubic.get("claimed_count", 0) <= lo <= hi <= cert.get("n_inputs", -1)):
        p.append(f"{where}: claims {_short(lo)} .. {_short(hi)} are not cubic count <= lo <= hi <= n_inputs")
        return p
    bf = (bounds.get(cert.get("model_sha256")) or {}).get("brute-force")
    if bf is not None and _is_num(bf.get("n_correct")) and _is_num(bf.get("n_undecided")):
        if not (lo <= bf["n_correct"] + bf["n_undecided"] and bf["n_correct"] <= hi):
            p.append(f"{where}: [{lo}, {hi}] does not meet the brute force's [{bf['n_correct']}, "
                     f"{bf['n_correct'] + bf['n_undecided']}] (two sound enclosures of the same count)")
    return p


# ----------------------------------------------------------------- everything shipped


def check_shipped(root, cubic_flops: dict | None = None) -> list[str]:
    """Every shipped report under root/artifacts and README.md's numbers against the shipped
    certificates, models and each other (module docstring).  cubic_flops: {model_sha256: the cubic
    FLOPs of a fresh cubic.run}, optional.  Returns problem lines; [] means everything agrees."""
    from .certificate.schema import SCHEMA_VERSION

    root = Path(root)
    art = root / "artifacts"
    p = Problems()
    certs, by_name, by_ident, cert_paths = {}, {}, {}, {}
    exact_paths = []
    for cp in sorted((art / "certs").glob("*.cert.json")):
        if cp.name.endswith(".exact.cert.json"):  # NAME's exact certificate: checked against NAME's below
            exact_paths.append(cp)
            continue
        cert = _load_json(cp, p)
        if not isinstance(cert, dict):
            continue
        p += cert_problems(cp.relative_to(root), cert, art / "models", SCHEMA_VERSION)
        facts = cert_facts(cert)
        name = cp.name[: -len(".cert.json")]
        certs[facts["model_sha256"]] = by_name[name] = by_ident[name.replace("-", "_")] = facts
        cert_paths[name] = cp
    # bounds reports
    reports = art / "reports"
    bounds = {}  # model_sha256 -> rows by strategy
    for name, facts in by_name.items():
        files = {f"reports/{f.name}": f.read_bytes() for f in sorted(reports.glob(f"{name}.*"))
                 if report_kind(f.name) is not None}
        if f"reports/{name}.bounds.json" not in files:
            p.append(f"artifacts/reports/{name}.bounds.json: missing (make bounds)")
        cert = json.loads(cert_paths[name].read_bytes())
        _, _, probs = check_reports(files, cert, (cubic_flops or {}).get(facts["model_sha256"]))
        p += [f"artifacts/{x}" for x in probs]
        rows = _rows_by_strategy("", json.loads(files[f"reports/{name}.bounds.json"]), Problems()) \
            if f"reports/{name}.bounds.json" in files else None
        if rows:
            bounds[facts["model_sha256"]] = rows
    exact_certs = {}  # model_sha256 -> the shipped exact certificate (the frontier's exact record must be it)
    for cp in exact_paths:
        ec = _load_json(cp, p)
        p += exact_cert_problems(cp.relative_to(root), ec, cert_paths, bounds)
        if isinstance(ec, dict) and ec.get("strategy") == "exact":
            exact_certs[ec.get("model_sha256")] = ec
    # models referenced by the frontier
    records = _load_json(reports / "frontier.json", p)
    summary = _load_json(reports / "frontier.summary.json", p)
    md = (reports / "frontier.md").read_text() if (reports / "frontier.md").is_file() else None
    models = {}
    for r in records if isinstance(records, list) else []:
        mp = str(r.get("model")) if isinstance(r, dict) else ""
        if mp and mp not in models and (root / mp).is_file():
            meta, mprob = model_problems(root / mp)
            p += mprob
            if meta is not None:
                models[mp] = meta.get("model_sha256")
    if records is not None:
        p += [f"artifacts/reports/{x}" for x in frontier_problems(records, summary, md, certs, bounds, models,
                                                                  cubic_flops, exact_certs=exact_certs)]
        for sha in exact_certs:
            if not any(isinstance(r, dict) and r.get("model_sha256") == sha and r.get("config") == "exact"
                       for r in records):
                p.append(f"artifacts/reports/frontier.json: no exact record for the exact certificate of {sha[:12]}")
        for name, facts in by_name.items():
            if not any(isinstance(r, dict) and r.get("model_sha256") == facts["model_sha256"] and r.get("config") == "cubic"
                       for r in records):
                p.append(f"artifacts/reports/frontier.json: no cubic record for {name} ({facts['model_sha256'][:12]})")
    # bench (it measures max4-seed123 first)
    bench = _load_json(reports / "bench.json", p)
    if bench is not None and "max4-seed123" in by_name:
        facts = by_name["max4-seed123"]
        p += [f"artifacts/reports/{x}" for x in bench_problems(
            bench, "max4-seed123", facts, bounds.get(facts["model_sha256"]),
            records if isinstance(records, list) else None, cert_paths["max4-seed123"].stat().st_size)]
    # sweeps
    sweeps = {}
    for sd in sorted(d for d in (art / "sweeps").glob("*") if (d / "report.json").is_file()):
        p += [f"artifacts/sweeps/{x}" for x in sweep_problems(sd, certs)]
        sweeps[sd.name] = _load_json(sd / "report.json", Problems())
    # archives
    for name, facts in by_name.items():
        a = art / "archives" / f"{name}.tar.gz"
        if a.is_file():
            p += archive_manifest_problems(a, cert_paths[name], facts, reports)
    # README
    readme = root / "README.md"
    if readme.is_file():
        p += readme_problems(readme.read_text(), by_ident,
                             bounds.get(by_name["max4-seed123"]["model_sha256"]) if "max4-seed123" in by_name else None,
                             summary, sweeps, bench)
    return [line.replace(f"{root}/", "") for line in p]  # paths relative to the repository
