"""zspace export of a large run (issue 22): wall time and memory while the Parquet table is written.

    python benchmarks/export_speed.py [--rows 1000000] [--dim 256] [--work /tmp/zspace-explore-bench]

The run is explore_speed.py's synthetic one (kept in --work, made once): N x d latents, a 32 px image
cache, a saved t-SNE-like map of every row and the PCA axes. The export runs in a child process that
samples its own memory every 20 ms: the resident set (which counts the memory-mapped latents and images
it has read, pages the kernel may drop) and the anonymous part (what the process itself holds: row
groups, map columns, the index). The table is then opened with pyarrow (row count, row groups, one row
group read back). Result: benchmarks/results/export_speed.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from explore_speed import make_run  # noqa: E402
from machine import machine_info  # noqa: E402

from zspace.io import save_json  # noqa: E402

RESULT = Path(__file__).parent / "results" / "export_speed.json"
CHILD = r"""
import json, sys, threading, time
from zspace.export import export_table

peak = {"VmRSS": 0, "RssAnon": 0}
done = threading.Event()

def sample():
    while not done.is_set():
        for line in open("/proc/self/status"):
            key = line.split(":")[0]
            if key in peak:
                peak[key] = max(peak[key], int(line.split()[1]))
        time.sleep(0.02)

threading.Thread(target=sample, daemon=True).start()
start = time.perf_counter()
summary = export_table(sys.argv[1], sys.argv[2], force=True)
seconds = time.perf_counter() - start
done.set()
print(json.dumps({"seconds": round(seconds, 1), "row_groups": summary.row_groups, "columns": summary.columns,
                  "peak_rss_mb": peak["VmRSS"] // 1024, "peak_anonymous_mb": peak["RssAnon"] // 1024}))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dim", type=int, default=256)
    parser.add_argument("--work", type=Path, default=Path("/tmp/zspace-explore-bench"))
    args = parser.parse_args()
    run = make_run(args.work, args.rows, args.dim)
    out = args.work / "export.parquet"
    done = subprocess.run([sys.executable, "-c", CHILD, str(run.path), str(out)], capture_output=True, text=True,
                          check=True)
    measured = json.loads(done.stdout.strip().splitlines()[-1])
    import pyarrow.parquet as pq

    table = pq.ParquetFile(out)
    group = table.read_row_group(table.metadata.num_row_groups // 2)
    measured |= {"rows": args.rows, "dim": args.dim, "file_mb": out.stat().st_size >> 20,
                 "latents_mb": (run.latents_file.stat().st_size) >> 20,
                 "read_back_rows": table.metadata.num_rows, "middle_row_group_rows": group.num_rows,
                 "machine": machine_info()}
    print(json.dumps({k: v for k, v in measured.items() if k not in ("columns", "machine")}))
    save_json(RESULT, measured)


if __name__ == "__main__":
    main()
