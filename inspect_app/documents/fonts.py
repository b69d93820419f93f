"""The fonts a 公文 asks for, or the best one installed where the document is made."""

import functools
import shutil
import subprocess
from dataclasses import dataclass

TITLE_FONTS = (
    "方正小标宋简体",
    "方正小标宋_GBK",
    "FZXiaoBiaoSong-B05S",
    "华文中宋",
    "STZhongsong",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "宋体",
    "SimSun",
)
BODY_FONTS = (
    "仿宋_GB2312",
    "仿宋",
    "FangSong",
    "STFangsong",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "宋体",
    "SimSun",
)
HEADING_FONTS = ("黑体", "SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "宋体")


@dataclass(frozen=True)
class DocumentFonts:
    title: str
    body: str
    heading: str


@functools.cache
def installed_families() -> frozenset[str]:
    """Font family names known to fontconfig (empty when fc-list is absent)."""
    if shutil.which("fc-list") is None:
        return frozenset()
    done = subprocess.run(
        ["fc-list", ":", "family"], capture_output=True, text=True, check=False, timeout=20
    )
    names = set()
    for line in done.stdout.splitlines():
        names.update(name.strip() for name in line.split(","))
    return frozenset(names)


def best(candidates: tuple[str, ...], installed: frozenset[str]) -> str:
    """The first candidate installed; the first one of all when none is (Word substitutes)."""
    return next((name for name in candidates if name in installed), candidates[0])


def document_fonts() -> DocumentFonts:
    installed = installed_families()
    return DocumentFonts(
        best(TITLE_FONTS, installed), best(BODY_FONTS, installed), best(HEADING_FONTS, installed)
    )
