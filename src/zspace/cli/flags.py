"""How the command line spells what the library says in words: the one place that maps them.

The library never names a command-line flag (docs/design.md). A :class:`ZspaceError` lists the
parameters it is about in ``options`` (library names: ``learning_rate``, ``force``);
:func:`error_line` adds the flags that set them. The report says in words what would make a
missing part and tags it with a key (``structure``); :data:`REPORT_COMMANDS` gives the command.
"""

from __future__ import annotations

from zspace.errors import ZspaceError

# library parameter (a config field or a stage's argument) -> the flag that sets it
FLAGS: dict[str, str] = {
    "out": "--out",
    "force": "--force",
    "resume": "--resume",
    "epochs": "--epochs",
    "batch_size": "--batch-size",
    "learning_rate": "--lr",
    "kl_weight": "--kl-weight",
    "precision": "--precision",
    "devices": "--devices",
    "num_nodes": "--num-nodes",
    "num_workers": "--num-workers",
    "checkpoint_every": "--checkpoint-every",
    "arch": "--arch",
    "count": "--count",
    "drop_nonfinite": "--drop-nonfinite",
    # analyze's maps
    "tsne_points": "--tsne",
    "tsne_fit_points": "--tsne-fit",
    "tsne_perplexity": "--tsne-perplexity",
    # zspace export
    "format": "--format",
    "thumbnail": "--thumbnail",
    "features": "--features",
    "judge": "--judge",
    # zspace import
    "weights": "--weights",
    "input_range": "--input-range",
    "data": "--data",
    "device": "--device",
    "accelerator": "--accelerator",
    "num_samples": "--n",
    "bootstrap": "--bootstrap",
    "confidence": "--confidence",
    "kid_subsets": "--kid-subsets",
    "kid_subset_size": "--kid-subset-size",
    "fd_points": "--fd-points",
    "k": "--k",
    "precision_recall_k": "--precision-recall-k",
    "link_samples": "--link-samples",
    "compare": "--compare",
    # StructureOptions' fields -> analyze's --structure-* flags
    "max_points": "--structure-points",
    "query_points": "--structure-queries",
    "null_draws": "--structure-draws",
    "probes": "--structure-probes",
    "alpha": "--structure-alpha",
    "correction": "--structure-correction",
    "scales": "--structure-scales",
    "mixture_components": "--structure-mixture",
    "evaluations": "--evaluation",
}

# report key of a missing part -> the command that makes it (str.format of ``run``, a zspace.run.Run)
REPORT_COMMANDS: dict[str, str] = {
    "evaluation": ("zspace evaluate {run.path} --out {run.evaluation_dir}, or give an evaluation written "
                   "elsewhere: zspace report {run.path} --evaluation DIR"),
    "structure": "zspace analyze {run.path} --structure --force",
    "samples": ("zspace generate {run.path} --sampler normal (and --sweep uniform:b=0.5,1,2,3,5, "
                "--sampler gmm:k=10, ...): each writes into RUN/samples/, where the report finds it"),
    "map": "zspace analyze {run.path} --force (a t-SNE map of every point; this analysis drew no map)",
}


def error_line(err: ZspaceError) -> str:
    """The one line the CLI prints for ``err``: its message, then the flags of the options it names."""
    flags = [FLAGS[name] for name in err.options if name in FLAGS]
    return f"zspace: error: {err}" + (f" ({', '.join(flags)})" if flags else "")
