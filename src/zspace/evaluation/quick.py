"""A short evaluation for the demo: two samplers, 1,000 samples, a quickly trained judge.

``zspace demo`` calls :func:`quick_evaluation` after training its AE and VAE and prints
the rows with ``zspace.cli.evaluate.print_table``. The numbers rank the samplers like the
full evaluation does, with wider intervals (fewer samples, a judge trained for 2 epochs on
3,000 images); the judge is stored beside the cache like any other, under its own settings.
"""

from __future__ import annotations

import os
from dataclasses import replace

from zspace.evaluation.judges import JudgeSettings
from zspace.evaluation.run_level import RunEvaluation, RunEvaluationOptions, evaluate_runs, write_run_evaluation
from zspace.progress import Progress

QUICK = RunEvaluationOptions(samplers=("normal", "gmm:k=10"), num_samples=1000, bootstrap=10, kid_subsets=20,
                             fd_points=5, cycle_samples=500,
                             judge_settings=JudgeSettings(epochs=2, max_train=3000, max_heldout=500))


def quick_evaluation(runs: list[str | os.PathLike], out: str | os.PathLike | None = None, seed: int = 0,
                     progress: Progress | None = None, force: bool = False) -> RunEvaluation:
    """Evaluate N(0,I) and a fitted GMM for each run; write ``out`` (evaluation.json, ranking.png) when given."""

    options = replace(QUICK, seed=seed)
    evaluation = evaluate_runs(list(runs), options, progress)
    if out is not None:
        write_run_evaluation(out, evaluation, options, force=force)
    return evaluation
