"""`make bench`: every benchmark in turn, each printing its own table."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [["pages.py", "--seconds", "10"], ["trainer_pages.py", "--seconds", "10"],
           ["verify.py", "--seconds", "10"], ["pdf_render.py", "-n", "20"],
           ["question_import.py", "--questions", "20000"], ["reports.py", "--runs", "20"],
           ["login.py", "-n", "20"]]

if __name__ == "__main__":
    if (HERE / "quiz_load.py").exists():
        SCRIPTS.append(["quiz_load.py", "--kill-worker"])
    failed = 0
    for script, *args in SCRIPTS:
        print(f"\n#### bench/{script} {' '.join(args)}", flush=True)
        failed |= subprocess.call([sys.executable, str(HERE / script), *args])
    sys.exit(failed)
