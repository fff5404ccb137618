# Sourced by bench/compare and bench/diff/run (not run on its own).
#
# ensure_peer: makes sure bench/.venv holds the peer, PyPI workflows-emulator
# $PEER_VERSION, creating the venv and installing it with pip when missing. PyPI is
# the only network access the benchmark scripts need, and only the first time.
# ensure_wfkit: builds target/release/wf (and the in-process example when asked).

PEER_PACKAGE=workflows-emulator
PEER_VERSION=1.10.0
VENV=bench/.venv

peer_installed() {
    [ -x "$VENV/bin/python" ] &&
        "$VENV/bin/python" - "$PEER_PACKAGE" "$PEER_VERSION" 2>/dev/null <<'EOF'
import importlib.metadata, sys
sys.exit(0 if importlib.metadata.version(sys.argv[1]) == sys.argv[2] else 1)
EOF
}

make_venv() {
    rm -rf "$VENV"
    if python3 -m venv "$VENV" >/dev/null 2>&1; then
        return 0
    fi
    rm -rf "$VENV"
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "bench: python3 -m venv failed; installing python3-venv with apt-get" >&2
        if ! apt-get install -y python3-venv >&2; then
            apt-get update >&2 && apt-get install -y python3-venv >&2
        fi
        python3 -m venv "$VENV" && return 0
    fi
    cat >&2 <<EOF
bench: cannot create a Python virtual environment: \`python3 -m venv\` failed.
  On Debian or Ubuntu install the venv module first:   sudo apt-get install python3-venv
  (bench/compare and bench/diff/run need python3 with venv and pip to install the peer,
  PyPI $PEER_PACKAGE==$PEER_VERSION, into $VENV.)
EOF
    return 1
}

ensure_peer() {
    if ! command -v python3 >/dev/null 2>&1; then
        echo "bench: python3 is not installed (needed to run the peer, $PEER_PACKAGE)" >&2
        return 1
    fi
    if peer_installed; then
        return 0
    fi
    echo "bench: installing $PEER_PACKAGE==$PEER_VERSION into $VENV (from PyPI)" >&2
    make_venv || return 1
    if ! "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        "$PEER_PACKAGE==$PEER_VERSION" >&2; then
        echo "bench: pip could not install $PEER_PACKAGE==$PEER_VERSION (is PyPI reachable?)" >&2
        return 1
    fi
    peer_installed || { echo "bench: $PEER_PACKAGE==$PEER_VERSION is still missing after pip install" >&2; return 1; }
}

ensure_wfkit() {
    echo "bench: building wfkit (release)" >&2
    cargo build --release -q -p wf-cli || return 1
    if [ "${1:-}" = with-example ]; then
        cargo build --release -q -p wf-vm --example run_workload || return 1
    fi
}
