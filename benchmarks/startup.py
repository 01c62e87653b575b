"""Section 1: start-up time of the CLI (`qabot --help`, importing it), paid by every command; torch must stay out."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time

from common import ROOT, child_env, qabot_command


def startup(repeats: int = 5) -> dict:
    """Wall time of ``qabot --help`` and of importing the CLI (no torch may be imported)."""
    env, out = child_env(), {}
    for name, cmd in (("qabot --help", [*qabot_command(), "--help"]),
                      ("import qabot.interfaces.cli.main", [sys.executable, "-c", "import qabot.interfaces.cli.main"])):
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, check=True)
            times.append(time.perf_counter() - t)
        out[name] = {"min_s": round(min(times), 3), "median_s": round(statistics.median(times), 3)}
    probe = "import sys, qabot.interfaces.cli.main; print(sorted(m for m in ('torch', 'sentence_transformers', 'faiss', 'numpy') if m in sys.modules))"
    heavy = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True,
                           text=True, check=True).stdout.strip()
    out["heavy_modules_after_import"] = heavy
    return out
