#!/usr/bin/env bash
# Installs every Debian package mailhygiene needs to build, test and run (idempotent, non-interactive).
set -euo pipefail

packages=(
  build-essential cmake pkg-config ninja-build
  libldns-dev ldnsutils
  libpoco-dev
  libsqlite3-dev
  libspdlog-dev
  libgtest-dev libgmock-dev
  libpsl-dev publicsuffix
  libidn2-dev
  libssl-dev
  libyaml-cpp-dev
  libxlsxwriter-dev
  knot knot-dnsutils
  ca-certificates openssl
  dns-root-data
  chromium chromium-driver fonts-dejavu-core
  postfix sslscan
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
# postfix is the transport lab's real MTA: the tests run private instances on loopback ports with
# their own configuration. "No configuration" keeps its postinst from writing /etc/postfix/main.cf
# and starting a system instance on port 25.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
