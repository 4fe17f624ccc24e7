"""Sampler parameters: stored by the constructor, checked by validate() (at fit, with_dim, from_state and
parse time), and the one grammar of sampler lists."""

from __future__ import annotations

import numpy as np
import pytest

from zspace.errors import ZspaceError
from zspace.samplers import DEFAULT_SAMPLERS, check_sampler_list, parse_sampler, parse_sampler_list
from zspace.samplers.gmm import GaussianMixtureSampler
from zspace.samplers.knn_mix import KNNMixSampler
from zspace.samplers.normal import NormalSampler
from zspace.samplers.pca import PCASampler
from zspace.samplers.uniform import UniformSampler

LATENTS = np.random.default_rng(0).standard_normal((200, 4)).astype(np.float32)


@pytest.mark.parametrize(("cls", "given", "message"), [
    (GaussianMixtureSampler, {"k": 0}, "gmm:k=0 is not allowed; k must be an integer >= 1"),
    (GaussianMixtureSampler, {"cov": "tri"}, "gmm:cov='tri' is not allowed; cov must be one of: full, diag"),
    (KNNMixSampler, {"alpha": -1}, "knn-mix:alpha=-1.0 is not allowed; alpha must be a number > 0"),
    (PCASampler, {"k": 2.5}, "pca:k=2.5 is not allowed; k must be an integer >= 1"),
])
def test_the_constructor_stores_and_fit_checks(cls, given, message):
    sampler = cls(**given)  # scikit-learn's convention: nothing is checked here
    assert sampler.get_params() == {**cls().get_params(), **given}
    for call in (sampler.validate, lambda: sampler.fit(LATENTS), lambda: sampler.spec):
        with pytest.raises(ZspaceError) as caught:
            call()
        assert str(caught.value).startswith(message) and "\n" not in str(caught.value)
    assert not sampler.is_fitted
    assert repr(sampler)  # a sampler with a bad parameter still prints


def test_data_free_samplers_check_at_with_dim_and_take_a_given_dim():
    with pytest.raises(ZspaceError, match="uniform:b=0.0 is not allowed"):
        UniformSampler(b=0).with_dim(3)
    assert NormalSampler(dim=4).sample(5, np.random.default_rng(0)).shape == (5, 4)
    with pytest.raises(ZspaceError, match="normal:dim=0 is not allowed"):
        NormalSampler(dim=0).sample(5, np.random.default_rng(0))


def test_validate_gives_floats_their_type_and_the_spec_is_checked():
    sampler = UniformSampler(b=2)
    assert sampler.get_params() == {"b": 2, "dim": None}
    assert sampler.spec == "uniform:b=2.0"  # the spec a cached fit is filed under, before and after validate
    assert sampler.validate() is sampler and sampler.b == 2.0 and isinstance(sampler.b, float)


def test_from_state_checks_the_saved_parameters():
    meta, arrays = parse_sampler("gmm:k=2").fit(LATENTS).state()
    meta["params"]["k"] = -3
    with pytest.raises(ZspaceError, match="gmm:k=-3 is not allowed"):
        GaussianMixtureSampler.from_state(meta, arrays)


def test_parse_sampler_checks_before_any_fit():
    with pytest.raises(ZspaceError, match="knn-mix:k=0 is not allowed"):
        parse_sampler("knn-mix:k=0")


def test_fit_refuses_a_non_matrix_in_one_line():
    with pytest.raises(ZspaceError, match="latents for the diag sampler: array of shape \\(5,\\) has rank 1"):
        parse_sampler("diag").fit(np.zeros(5))
    with pytest.raises(ZspaceError, match="latents for the fullcov sampler: dtype <U1"):
        parse_sampler("fullcov").fit(np.array([["a"], ["b"]]))


@pytest.mark.parametrize(("text", "specs"), [
    ("normal", ("normal",)),
    ("normal,diag,fullcov,gmm:k=10", ("normal", "diag", "fullcov", "gmm:k=10")),  # docs/evaluation.md
    ("normal,gmm:k=10,cov=full,uniform:b=1.5", ("normal", "gmm:k=10,cov=full", "uniform:b=1.5")),  # structure.md
    ("normal;gmm:k=10,cov=full", ("normal", "gmm:k=10,cov=full")),
    (" normal ; diag ", ("normal", "diag")),
    ("default", DEFAULT_SAMPLERS),
    ("default,knn-mix:k=3", (*DEFAULT_SAMPLERS, "knn-mix:k=3")),
])
def test_sampler_lists(text, specs):
    assert parse_sampler_list(text) == specs


@pytest.mark.parametrize(("text", "fragment"), [
    ("normal,,diag", "empty item"), ("normal;;diag", "empty item"), ("", "empty item"),
    ("normal,normal", "twice"), ("default,normal", "twice"), ("warp", "unknown sampler 'warp'"),
    ("normal,gmm:k=0", "gmm:k=0 is not allowed"),
])
def test_bad_sampler_lists_say_why(text, fragment):
    with pytest.raises(ZspaceError, match=fragment) as caught:
        parse_sampler_list(text)
    assert "\n" not in str(caught.value)


def test_one_default_list():
    from zspace.evaluation.run_level import RunEvaluationOptions
    from zspace.generate.link import generation_link

    assert RunEvaluationOptions().samplers is DEFAULT_SAMPLERS
    assert generation_link.__defaults__[0] is DEFAULT_SAMPLERS
    assert check_sampler_list(DEFAULT_SAMPLERS) == DEFAULT_SAMPLERS
    with pytest.raises(ZspaceError, match="empty"):
        check_sampler_list(())
