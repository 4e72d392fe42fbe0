"""Run one command and report its own wall time, CPU time and peak RSS.

    python bench/_launch.py REPORT_FILE COMMAND...

A child's ``ru_maxrss`` starts at its parent's RSS when forked, so benchmarks holding a corpus in
memory launch through this small process: the measured command is forked from it instead.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time


def main() -> int:
    report, argv = sys.argv[1], sys.argv[2:]
    start = time.perf_counter()
    proc = subprocess.Popen(argv)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    with open(report, "w") as fh:
        fh.write(f"{wall} {usage.ru_utime + usage.ru_stime} {usage.ru_maxrss} {code}\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
