"""The examples each command's ``--help`` ends with: whole command lines that run as written, in order.

Run one after another in an empty folder, they make a small faces cache (``faces``), a VAE and an AE
(``runs/vae``, ``runs/ae``) and use them; ``tests/test_cli_examples.py`` parses every line against its
command's flags. Three need files of yours: ``my_vae.py`` (``import``; docs/own-model.md), two feature arrays
(``evaluate --real/--fake``) and a folder of pictures (``prepare folder``). No line is longer than 76
characters, so that none wraps in an 80-column help.
"""

from __future__ import annotations

EXAMPLES: dict[str, tuple[str, ...]] = {
    "prepare": (
        "zspace prepare synthetic-faces --count 2000 --size 32 --out faces",
        "zspace prepare digits --out digits",
        "zspace prepare fashion-mnist --out fm    # Debian's dataset-fashion-mnist",
        "zspace prepare folder photos --size 64 --out photos-cache",
    ),
    "train": (
        "zspace train faces --model vae --latent-dim 16 --epochs 3 --out runs/vae",
        "zspace train faces --model ae --latent-dim 16 --epochs 3 --out runs/ae",
        "zspace train faces --out runs/vae --epochs 5 --resume    # 5 epochs in all",
    ),
    "import": (
        "zspace import my_vae.py:make_model --data faces --out runs/mine",
    ),
    "encode": (
        "zspace encode runs/vae",
        "zspace encode runs/ae",
    ),
    "analyze": (
        "zspace analyze runs/vae",
        "zspace analyze runs/ae --structure --link default    # filaments, voids",
        "zspace analyze --latents runs/vae/latents.npy --out vae-analysis",
    ),
    "generate": (
        "zspace generate runs/vae --sampler normal",
        "zspace generate runs/ae --sampler gmm:k=10    # fitted to the AE's latents",
        "zspace generate runs/vae --sweep uniform:b=0.5,1,2,3",
        "zspace generate runs/vae --interpolate 0,1",
        "zspace generate runs/vae --traverse pca:1",
        "zspace generate runs/vae --attribute glasses",
    ),
    "compare": (
        "zspace compare runs/vae runs/ae --out vae-vs-ae.png",
    ),
    "evaluate": (
        "zspace evaluate runs/vae runs/ae --samplers normal,gmm:k=10 --n 500 --out q",
        "zspace evaluate --real real.npy --fake fake.npy --out feature-quality",
    ),
    "explore": (
        "zspace explore runs/vae    # then open http://127.0.0.1:8765",
        "zspace explore runs/vae runs/ae    # side by side, linked",
    ),
    "export": (
        "zspace export runs/vae    # runs/vae/export.parquet",
        "zspace export runs/vae --thumbnail 0 --out vae.parquet",
    ),
    "report": (
        "zspace report runs/vae --compare runs/ae",
        "zspace report runs/vae --compare runs/ae --evaluation q --out r.html",
    ),
    "verify": (
        "zspace verify faces",
    ),
    "demo": (
        "zspace demo    # about 2 minutes on 2 cores, into zspace-demo/",
        "zspace demo --quick --out demo-quick",
        "zspace demo --full --out demo-full",
    ),
}


def epilog(name: str) -> str | None:
    """The ``Examples:`` block shown at the end of ``zspace NAME --help`` (one example a line)."""
    lines = EXAMPLES.get(name)
    if not lines:
        return None
    return "Examples:\n" + "\n".join(f"  {line}" for line in lines)


def command_line(example: str) -> list[str]:
    """The arguments of an example after ``zspace``, without its trailing ``# comment``."""
    return example.split("#")[0].split()[1:]
