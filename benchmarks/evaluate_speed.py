"""Run-level evaluate (issue 13): one run, 4 samplers x 10,000 samples, goal under 3 minutes on 2 cores.

    python benchmarks/evaluate_speed.py [--work /tmp/zspace-evaluate-speed] [--size 64] [--n 10000]

Prepares synthetic faces (20,000 at --size px) and trains a small VAE for one epoch (not timed: the
model's quality does not change the cost), then times, separately:

1. judge training (the factor judge, stored beside the cache; a later evaluate reuses it);
2. the evaluation with the judge already trained: `evaluate_runs` of normal, diag, fullcov, gmm:k=10
   with n samples each (decode, judge features, FD + bootstrap 25, FD∞, KID 100 x 1,000,
   precision/recall/density/coverage, FD latent, off-manifold, cycle error), the data side (real and
   held-out features, the held-out and reconstruction rows) included; the fitted samplers come
   from RUN/samplers when this was run before (the GMM fit is timed separately, cold).

The machine is shared: the load average before and after is recorded beside the numbers.
Result: benchmarks/results/evaluate_speed.json (--results to choose another file).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from machine import machine_info  # noqa: E402

from zspace.config import TrainConfig  # noqa: E402
from zspace.data.cache import open_cache, prepare_cache  # noqa: E402
from zspace.data.synthetic_faces import synthetic_faces_source  # noqa: E402
from zspace.encoding import encode  # noqa: E402
from zspace.evaluation.judges import judge_files, open_judge  # noqa: E402
from zspace.evaluation.run_level import RunEvaluationOptions, evaluate_runs  # noqa: E402
from zspace.models.architectures import model_config  # noqa: E402
from zspace.training.train import train  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "evaluate_speed.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/zspace-evaluate-speed"))
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--torch-threads", type=int, default=None,
                        help="torch intra-op threads (default: torch's own, 2 here); 1 wins on shared cores")
    parser.add_argument("--results", type=Path, default=RESULTS)
    args = parser.parse_args()
    if args.torch_threads:
        import torch

        torch.set_num_threads(args.torch_threads)
    cache_path, run = args.work / f"faces{args.size}", args.work / f"vae{args.size}"
    if not cache_path.exists():
        prepare_cache(synthetic_faces_source(count=20_000, size=args.size, seed=0), cache_path)
    if not (run / "latents.npy").exists():
        config = model_config("small", model="vae", image_size=args.size, channels=3)
        train(config, TrainConfig(data=str(cache_path), epochs=1, batch_size=64, seed=0), run, force=True)
        encode(run, force=True)
    cache = open_cache(cache_path)
    shutil.rmtree(judge_files(cache, "factors")[0].parent, ignore_errors=True)  # judge training from cold
    result: dict = {"machine": machine_info(), "image_size": args.size, "n": args.n,
                    "torch_threads": args.torch_threads or "default",
                    "load_before": os.getloadavg()}
    started = time.monotonic()
    judge = open_judge(cache, "auto")
    result["judge_train_seconds"] = round(time.monotonic() - started, 1)
    result["judge"] = {"name": judge.name, "score": judge.record.get("heldout_summary"),
                       "train_rows": judge.record.get("train_rows")}
    options = RunEvaluationOptions(num_samples=args.n)
    if not (run / "samplers").exists():  # the one-off GMM fit, cold, apart from the evaluation
        started = time.monotonic()
        evaluate_runs([run], RunEvaluationOptions(samplers=options.samplers, num_samples=200, bootstrap=2,
                                                  kid_subsets=2, fd_points=2, cycle_samples=10))
        result["sampler_fits_and_small_evaluate_seconds"] = round(time.monotonic() - started, 1)
    started = time.monotonic()
    evaluation = evaluate_runs([run], options)
    result["evaluate_seconds"] = round(time.monotonic() - started, 1)
    result["load_after"] = os.getloadavg()
    result["steps"] = evaluation.seconds
    result["goal_seconds"] = 180
    result["rows"] = [{k: r[k] for k in ("sampler", "n", "fd", "kid", "precision", "recall", "off_manifold",
                                         "cycle_error")} for r in evaluation.rows]
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in result.items() if k not in ("machine", "rows")}, indent=2))


if __name__ == "__main__":
    main()
