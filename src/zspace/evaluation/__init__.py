"""Sample quality, measured offline (SPEC X4): FD with a bootstrap interval and FD∞, KID,
precision/recall, density/coverage and per-sample realism between two feature sets.

``metrics/`` holds one file per metric; ``features.py`` turns two N x d arrays into
one row; ``table.py`` writes rows as evaluation.json/.csv/.md. ``judges/`` holds the
networks trained on a cache for the feature space; ``run_level.py`` evaluates the
samplers of run folders (``data_side.py``, ``reference.py``, ``latent_checks.py``,
``factor_gaps.py``, ``ranking_figure.py``, ``equal_n.py``, ``run_sentences.py``; across seeds
``replicates.py``, across judges ``judge_robustness.py``); every comparison it prints is decided
from intervals in ``verdict.py``; ``quick.py`` is the demo's short version.
"""

from zspace.evaluation.features import EvaluationOptions, FeatureEvaluation, evaluate_features, measure_features
from zspace.evaluation.table import EVALUATION_FILE, write_evaluation

__all__ = ["EVALUATION_FILE", "EvaluationOptions", "FeatureEvaluation", "evaluate_features", "measure_features",
           "write_evaluation"]
