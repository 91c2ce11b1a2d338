"""The icon files are rendered from resources/icon.svg with Qt at build time."""

from __future__ import annotations

import os
import struct

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtGui import QImage  # noqa: E402

from tests.packaging.scripts import load_script  # noqa: E402

icons = load_script("icons")


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    out = tmp_path_factory.mktemp("icons")
    return out, icons.build_icons(out)


def test_pngs_have_their_sizes_and_are_not_blank(built) -> None:
    out, _ = built
    for size in icons.PNG_SIZES:
        image = QImage(str(out / f"safeguard-studio-{size}.png"))
        assert (image.width(), image.height()) == (size, size)
        centre = image.pixelColor(size // 2, size // 2)
        corner = image.pixelColor(0, 0)
        assert centre.alpha() == 255 and corner.alpha() == 0  # drawn, with rounded corners


def test_ico_directory_lists_every_size_with_png_data(built) -> None:
    out, _ = built
    data = (out / "safeguard-studio.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind, count) == (0, 1, len(icons.ICO_SIZES))
    sizes = []
    for index in range(count):
        width, _h, _c, _r, _p, _bpp, length, offset = struct.unpack_from(
            "<BBBBHHII", data, 6 + 16 * index
        )
        assert data[offset : offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(width or 256)
    assert sizes == list(icons.ICO_SIZES)


def test_icns_entries_are_pngs_of_the_declared_sizes(built) -> None:
    out, _ = built
    data = (out / "safeguard-studio.icns").read_bytes()
    assert data[:4] == b"icns" and struct.unpack(">I", data[4:8])[0] == len(data)
    position, seen = 8, []
    while position < len(data):
        kind, length = (
            data[position : position + 4],
            struct.unpack_from(">I", data, position + 4)[0],
        )
        image = QImage.fromData(data[position + 8 : position + length])
        seen.append((kind, image.width()))
        position += length
    assert seen == [(kind, size) for kind, size in icons.ICNS_TYPES]


def test_a_broken_svg_is_one_sentence(tmp_path) -> None:
    bad = tmp_path / "icon.svg"
    bad.write_text("<svg", encoding="utf-8")
    with pytest.raises(ValueError, match="not an SVG image Qt can draw; check the file"):
        icons.render_png(bad, 16)
