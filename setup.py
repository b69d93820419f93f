"""Build hook: ship templates/, static/, migrations/ and the compiled catalogues in the wheel.

The checkout keeps these folders beside the package (where everyone edits them); a built
package carries copies inside `inspect_app/` so `create_app` finds them when installed.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
SHIPPED = ("templates", "static", "migrations")
SKIPPED = {"__pycache__", ".DS_Store"}


class BuildWithAppFiles(build_py):
    """build_py plus the app's data folders and .mo files compiled from the .po catalogues."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the checkout's folders directly
        target = Path(self.build_lib) / "inspect_app"
        for folder in SHIPPED:
            if (target / folder).is_dir():
                self.announce(f"removing stale {target / folder}", level=2)
                shutil.rmtree(target / folder)
            for source in sorted((HERE / folder).rglob("*")):
                if source.is_file() and not SKIPPED & set(source.parts):
                    destination = target / source.relative_to(HERE)
                    self.mkpath(str(destination.parent))
                    self.copy_file(str(source), str(destination))
        self._compile_catalogues(target / "translations")

    @staticmethod
    def _compile_catalogues(translations: Path) -> None:
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in (HERE / "inspect_app" / "translations").rglob("*.po"):
            mo_path = translations / po_path.relative_to(HERE / "inspect_app" / "translations")
            mo_path = mo_path.with_suffix(".mo")
            mo_path.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as handle:
                catalog = read_po(handle)
            with mo_path.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=True)


setup(cmdclass={"build_py": BuildWithAppFiles})
