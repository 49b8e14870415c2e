"""Build the console's front-end assets and compile its message catalogs.

``python -m openboss.web.build`` runs, in ``src/openboss/web/assets``::

    npm ci --no-audit --no-fund   (skipped with --skip-npm-install, or when up to date)
    npm run build                 (esbuild → web/static/dist/app.js, app.css, fonts/)

and then compiles ``locale/*/LC_MESSAGES/messages.po`` to ``.mo``. Both
outputs are git-ignored: an installation builds them, a checkout runs this
once (the catalogs are also compiled lazily on first use).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Final

from openboss.web.i18n import compile_catalogs
from openboss.web.shell import STATIC_DIR, WEB_DIR

ASSETS_DIR: Final = WEB_DIR / "assets"
DIST_DIR: Final = STATIC_DIR / "dist"
#: Files the console's pages load; a build that lacks one failed.
BUNDLE_FILES: Final[tuple[str, ...]] = ("app.js", "app.css", "diagram.js", "diagram.css")


class BuildError(RuntimeError):
    """The asset build could not run or did not produce the bundle."""


def _npm() -> str:
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is not installed; install Node.js 18+ (Debian: apt-get install npm)")
    return npm


def _node_modules_current() -> bool:
    """True when ``npm ci`` already installed exactly the locked packages."""
    marker = ASSETS_DIR / "node_modules" / ".package-lock.json"
    lock = ASSETS_DIR / "package-lock.json"
    return marker.exists() and marker.stat().st_mtime >= lock.stat().st_mtime


def bundle_present() -> bool:
    return all((DIST_DIR / name).is_file() for name in BUNDLE_FILES)


def build_assets(*, install: bool = True) -> list[Path]:
    """Install the locked npm packages (unless current) and bundle them; returns the bundle."""
    npm = _npm()
    if install and not _node_modules_current():
        subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [npm, "ci", "--no-audit", "--no-fund"], cwd=ASSETS_DIR, check=True
        )
    subprocess.run([npm, "run", "build"], cwd=ASSETS_DIR, check=True)  # noqa: S603
    if not bundle_present():
        raise BuildError(f"the asset build did not write {', '.join(BUNDLE_FILES)} to {DIST_DIR}")
    return [DIST_DIR / name for name in BUNDLE_FILES]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m openboss.web.build", description="Build console assets and catalogs."
    )
    parser.add_argument(
        "--skip-npm-install", action="store_true", help="do not run npm ci (offline rebuild)"
    )
    parser.add_argument("--catalogs-only", action="store_true", help="only compile the .mo files")
    args = parser.parse_args(argv)
    try:
        if not args.catalogs_only:
            for path in build_assets(install=not args.skip_npm_install):
                print(f"built {path}")
        for path in compile_catalogs():
            print(f"compiled {path}")
    except (BuildError, subprocess.CalledProcessError) as exc:
        print(f"console build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
