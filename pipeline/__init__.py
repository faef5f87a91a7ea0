"""wpx: turn government policy white papers into research-grade datasets."""
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("wpx")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"

from . import code_digest  # noqa: E402,F401  the package's files as this process first loaded them (pipeline.batch.code)
