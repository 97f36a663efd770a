#!/usr/bin/env bash
# Installs the Debian packages the Python in models/ needs (make_pack.py, make_fixtures.py,
# train_shapes.py, the check_*.py scripts), and does nothing when they are all there.
#   bash models/setup.sh          install what is missing (apt-get update first, only then)
#   bash models/setup.sh --check  list what is missing; exit 1 if anything is, install nothing
# Packages: python3-torch (PyTorch 1.13, CPU), python3-onnx (onnx 1.12, for export and the
# checker), libopenblas0-openmp (the BLAS torch's CPU kernels run on). The Python to use
# afterwards is Debian's /usr/bin/python3.
set -euo pipefail

PACKAGES=(python3-torch python3-onnx libopenblas0-openmp)

check=0
for arg in "$@"; do
  case "$arg" in
    --check) check=1 ;;
    *) echo "models/setup.sh: unknown argument $arg (use --check or nothing)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${PACKAGES[@]}"; do
  # Installed means dpkg's status says so, not merely that the package is known.
  [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" == "install ok installed" ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "models/setup.sh: ${PACKAGES[*]} already installed"
  exit 0
fi
if ((check)); then
  echo "models/setup.sh: missing ${missing[*]}"
  exit 1
fi

SUDO=""
[[ "$(id -u)" == 0 ]] || SUDO="sudo"
echo "models/setup.sh: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
/usr/bin/python3 -c 'import onnx, torch; print(f"models/setup.sh: torch {torch.__version__}, onnx {onnx.__version__}")'
