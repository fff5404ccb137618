#!/usr/bin/env bash
# Installs what the tests use beyond the Rust toolchain:
# - Neovim, for the headless language-server test (`cargo test -p wf-lsp --test nvim`).
#   Debian's package is Neovim 0.7.2; the test and editors/nvim work with it.
# - Microsoft's SARIF validator (npm `@microsoft/sarif-multitool`) into target/test-tools,
#   for the test that validates `wf check --format sarif`.
# - lcov's `genhtml` (Debian package lcov), for the test that renders `wf-test
#   --coverage-lcov` as HTML. Installed with apt-get as root (or with sudo); otherwise the
#   .deb is fetched with `apt-get download`, unpacked with `dpkg -x` into
#   target/test-tools/lcov, and run through the wrapper target/test-tools/bin/genhtml
#   (genhtml is a Perl script that needs only Perl's core modules; those are fetched too
#   when Perl lacks them).
# - PyYAML, in a virtual environment target/test-tools/pyyaml-venv (Debian's pip refuses
#   system installs), for the loader's agreement test (`cargo test -p wf-cli --test pyyaml`).
# Tests that need a missing tool say SKIPPED, and fail when CI=true.
set -euo pipefail
cd "$(dirname "$0")/.."

if command -v nvim >/dev/null 2>&1; then
  echo "nvim already installed: $(nvim --version | head -n 1)"
else
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get update
  $sudo apt-get install -y neovim
  nvim --version | head -n 1
fi

tools=target/test-tools
if [ -x "$tools/node_modules/.bin/sarif-multitool" ]; then
  echo "sarif-multitool already installed"
else
  mkdir -p "$tools"
  (cd "$tools" && npm install --silent --no-audit --no-fund @microsoft/sarif-multitool@5)
  echo "sarif-multitool installed in $tools"
fi

# Runs apt-get download, first with the system's package lists, then (a normal user cannot
# update those) with lists of its own under $1.
download_debs() {
  local dir=$1
  shift
  if (cd "$dir" && apt-get download "$@"); then
    return 0
  fi
  local state
  state="$(cd "$dir" && pwd)/apt"
  mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
  local opts=(-o "Dir::State::Lists=$state/lists" -o "Dir::Cache=$state/cache" -o "Debug::NoLocking=1")
  apt-get "${opts[@]}" update
  (cd "$dir" && apt-get "${opts[@]}" download "$@")
}

lcov_dir="$tools/lcov"
genhtml_modules=(-MFile::Basename -MFile::Temp -MGetopt::Long -MDigest::MD5 -MCwd)
if command -v genhtml >/dev/null 2>&1; then
  echo "genhtml already installed: $(genhtml --version)"
elif [ -x "$tools/bin/genhtml" ]; then
  echo "genhtml already unpacked: $("$tools/bin/genhtml" --version)"
elif [ "$(id -u)" -eq 0 ] || sudo -n true 2>/dev/null; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    sudo="sudo"
  fi
  $sudo apt-get install -y lcov || { $sudo apt-get update && $sudo apt-get install -y lcov; }
  genhtml --version
else
  if ! command -v perl >/dev/null 2>&1; then
    echo "error: genhtml needs perl, which is not installed (as root: apt-get install lcov)" >&2
    exit 1
  fi
  rm -rf "$lcov_dir"
  mkdir -p "$lcov_dir/debs" "$tools/bin"
  debs=(lcov)
  if ! perl "${genhtml_modules[@]}" -e 1 2>/dev/null; then
    v=$(perl -e 'printf "%d.%d", $^V->{version}[0], $^V->{version}[1]')
    debs+=("perl-modules-$v" "libperl$v")
  fi
  download_debs "$lcov_dir/debs" "${debs[@]}"
  for deb in "$lcov_dir"/debs/*.deb; do
    dpkg -x "$deb" "$lcov_dir"
  done
  cat >"$tools/bin/genhtml" <<'WRAPPER'
#!/usr/bin/env bash
# genhtml from lcov's .deb unpacked beside this folder (scripts/install-test-deps.sh).
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../lcov" && pwd)"
lib=""
for d in "$root"/usr/share/perl5 "$root"/usr/share/perl/* "$root"/usr/lib/*/perl5/* "$root"/usr/lib/*/perl/*; do
  if [ -d "$d" ]; then
    lib="$lib${lib:+:}$d"
  fi
done
PERL5LIB="$lib${PERL5LIB:+:$PERL5LIB}" exec perl "$root/usr/bin/genhtml" "$@"
WRAPPER
  chmod +x "$tools/bin/genhtml"
  "$tools/bin/genhtml" --version
  echo "genhtml unpacked in $lcov_dir (run it as $tools/bin/genhtml)"
fi

venv="$tools/pyyaml-venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import yaml' 2>/dev/null; then
  echo "PyYAML already installed: $("$venv/bin/python" -c 'import yaml; print(yaml.__version__)')"
else
  mkdir -p "$tools"
  if ! python3 -m venv "$venv" 2>/dev/null; then
    # Debian ships venv (ensurepip) separately from python3.
    rm -rf "$venv"
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then
      sudo="sudo"
    fi
    $sudo apt-get update
    $sudo apt-get install -y python3-venv
    python3 -m venv "$venv"
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'PyYAML>=6'
  echo "PyYAML $("$venv/bin/python" -c 'import yaml; print(yaml.__version__)') installed in $venv"
fi
