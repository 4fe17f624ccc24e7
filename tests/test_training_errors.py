"""Training's rows of the errors table (error_cases_training.py), under the checks of test_errors_table.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from error_cases import Case
from error_cases_training import CASES
from test_errors_table import test_bad_input as check_bad_input


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_input(case: Case, tmp_path: Path, faces_cache: Path, vae_run: Path) -> None:
    check_bad_input(case, tmp_path, faces_cache, vae_run)
