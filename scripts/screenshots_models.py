"""Render the models dialog to ``docs/screenshots/models.png`` (offscreen, no network).

    python -m scripts.screenshots_models

The scene is staged in a temporary data folder: the shipped catalog, one ready synthetic
gpt-oss file registered with "Add file", a partial download of the native MXFP4 file (a
sparse file of 4.6 GB), and a fixed hardware snapshot (a CUDA laptop with 32 GB of RAM and
an 8 GB GPU) so that the image does not depend on the machine that renders it. A second
image, ``models-downloading.png``, shows the progress row during a (simulated) download.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
GiB = 1024**3


def _stage(tmp: Path) -> None:
    for name in ("CONFIG", "DATA", "CACHE", "LOG"):
        os.environ[f"SAFEGUARD_{name}_DIR"] = str(tmp / name.lower())
    os.environ["SAFEGUARD_MODELS_DIR"] = str(tmp / "models")
    os.environ.pop("HF_HUB_OFFLINE", None)
    from app.library import catalog
    from tests.support.synthetic_gguf import write_synthetic_gguf

    models = catalog.models_dir()
    own = write_synthetic_gguf(tmp / "elsewhere" / "safeguard-synthetic-test.gguf", "tiny")
    catalog.add_model(own)
    catalog.use_model(str(own))
    entry = catalog.find_entry("gpt-oss-safeguard-20b-mxfp4", catalog.load_catalog())
    part = models / catalog.PARTIAL_DIR / f"{entry.filename}.3f5a9c1e2b7d4a60.part"
    part.parent.mkdir(parents=True, exist_ok=True)
    with part.open("wb") as handle:
        handle.truncate(4_600_000_000)  # sparse: takes no disk space


def _fake_hardware():
    from app.library.hardware import Hardware

    return Hardware(
        backend="CUDA",
        gpu_offload=True,
        system_info="CUDA : ARCHS = 890 | CPU : AVX2 = 1",
        ram_total=32 * GiB,
        ram_available=21 * GiB,
        vram_total=8 * GiB,
        vram_free=7 * GiB,
        gpu_name="NVIDIA GeForce RTX 4070 Laptop GPU",
    )


def main() -> int:
    from app.gui.app import ensure_application
    from app.gui.models import controller as models_controller
    from app.gui.shared.theme import apply_theme

    app = ensure_application()
    apply_theme(app, "light")
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="models-shot-") as tmp:
        _stage(Path(tmp))
        models_controller.detect_hardware = _fake_hardware
        from app.gui.models.controller import ModelsController
        from app.gui.models.dialog import ModelsDialog

        controller = ModelsController()
        dialog = ModelsDialog(controller, n_ctx=8192)
        deadline = time.monotonic() + 20
        while dialog.model.rowCount() == 0 and time.monotonic() < deadline:
            app.processEvents()  # the list arrives from the controller's worker thread
            time.sleep(0.01)
        dialog.show()
        dialog.select_name("gpt-oss-safeguard-20b-mxfp4")
        app.processEvents()
        dialog.grab().save(str(OUT / "models.png"))

        name = "gpt-oss-safeguard-20b-q4_k_m"  # a staged download, drawn as it would be
        dialog.select_name(name)
        controller._downloading = name
        dialog._on_started(name)
        dialog._on_progress(name, 6_254_000_000, 15_805_136_672, 38_400_000.0, 249.0)
        app.processEvents()
        dialog.grab().save(str(OUT / "models-downloading.png"))
        controller._downloading = None
        dialog.close()
        controller.shutdown()
    print(f"wrote {OUT / 'models.png'} and {OUT / 'models-downloading.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
