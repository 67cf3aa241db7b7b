#!/usr/bin/env bash
# Builds the wolfSSL that ringress links against: Debian's own source package of the installed
# libwolfssl-dev version, configured with Debian's flags (read from its debian/rules) plus AES-NI
# and the Intel assembly, and with smaller sessions. It goes into a cached prefix outside the
# tree, named by the version and a hash of the recipe, so a warm run does nothing:
#   /var/cache/ringress/wolfssl-<version>-<hash>                  (as root)
#   ${XDG_CACHE_HOME:-~/.cache}/ringress/wolfssl-<version>-<hash>  (otherwise)
# cmake/dependencies.cmake asks this script for the prefix, prefers it, and falls back to
# Debian's library (with a warning) when it is not there.
#   scripts/build_wolfssl.sh                 build it unless it is cached
#   scripts/build_wolfssl.sh --print-prefix  print the prefix (built or not) and exit
set -euo pipefail

# Added to Debian's configure flags:
# - AES-NI, PCLMULQDQ and the AVX1/AVX2/BMI2 assembly (AES-GCM, ChaCha20-Poly1305, SHA-2,
#   X25519), and the single-precision code with its x86-64 assembly for P-256/384/521 and RSA
#   2048-4096 (ECDSA signatures, ECDHE: a quarter of a handshake in the generic big-number
#   code). wolfSSL picks them per CPU at run time (CPUID) and keeps the C code for the rest.
# - No copy of the peer's certificate chain in every session (SESSION_CERTS: two arrays of
#   9 x 2 KB, 37 KB per TLS connection). Chains are verified during the handshake; ringress only
#   reads the peer's own certificate afterwards, which KEEP_PEER_CERT keeps. The compatibility
#   layers for nginx, OpenVPN, lighttpd, stunnel and Qt turn SESSION_CERTS back on, and so do
#   external PSKs with TLS 1.3; ringress uses none of them (resumption by tickets and session
#   IDs stays). The settings those layers also make for every user of the library are kept
#   (extra_cppflags and --disable-oldnames), so the rest behaves as Debian's build does.
# - No TLS 1.3 post-handshake client authentication: for it, every TLS 1.3 session keeps its
#   handshake hashes, cached handshake messages and key-exchange arrays (6.5 KB) for its whole
#   life. ringress asks for client certificates in the handshake only.
# - No DTLS multicast: it puts 100 peer sequence records (3.5 KB) in every session's keys.
# - No fixed-point ECC caches (FP_ECC, which --enable-distro turns on): 1.35 MB of thread-local
#   tables (sp_cache_1024, sp_cache_521/384/256, fp_cache) that every thread gets, zeroed and so
#   resident, 1.4 MB per worker at rest. They speed up a point multiplication repeated on the same
#   arbitrary point; a server's ECDHE and signatures use the precomputed base-point tables and
#   its peers' points differ per handshake, so they do not help a proxy.
extra_configure=(
  --enable-aesni --enable-intelasm --enable-sp --enable-sp-asm
  --disable-sessioncerts --disable-psk
  --disable-nginx --disable-openvpn --disable-lighty --disable-stunnel --disable-qt
  --disable-oldnames
  --disable-postauth --disable-mcast --disable-fpecc
)
extra_cppflags="-DOPENSSL_COMPATIBLE_DEFAULTS -DWOLFSSL_ALWAYS_KEEP_SNI -DHAVE_KEYING_MATERIAL
  -DWOLFSSL_SIGNER_DER_CERT"
recipe=3  # bump when a step below changes what gets built

fail() {
  echo "build_wolfssl: $*" >&2
  exit 1
}

package=libwolfssl-dev
read -r source_package version < <(dpkg-query -W -f='${source:Package} ${source:Version}\n' \
  "$package" 2>/dev/null) || fail "$package is not installed (scripts/setup.sh installs it)"
key=$(printf '%s\n' "$recipe" "$version" "${extra_configure[@]}" $extra_cppflags |
  sha256sum | cut -c1-12)
if [ "$(id -u)" -eq 0 ]; then
  cache=/var/cache/ringress
else
  cache=${XDG_CACHE_HOME:-$HOME/.cache}/ringress
fi
prefix=$cache/wolfssl-${version//:/_}-$key  # no ":" (an epoch) in an RPATH

if [ "${1:-}" = "--print-prefix" ]; then
  echo "$prefix"
  exit 0
fi
if [ -f "$prefix/lib/libwolfssl.so" ] && [ -f "$prefix/include/wolfssl/options.h" ]; then
  exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# The source entries twin the machine's own Debian entries (same mirror, suites, components and
# options, Signed-By included), in a file of ours next to them.
debian_source_entries() {
  apt-get indextargets --format '$(SOURCESENTRY)' 'Identifier: Packages' 'Origin: Debian' |
    sort -u | while IFS= read -r entry; do
    file=${entry%:*}
    n=${entry##*:}
    case $file in
      *.sources)  # deb822: n counts the file's stanzas
        awk -v n="$n" 'BEGIN { RS = "" }
          /(^|\n)[^#]/ && ++i == n { sub(/Types:[^\n]*/, "Types: deb-src"); print; print "" }' "$file" ;;
      *)  # one-line format: n is the line
        sed -n "${n}s/^[[:space:]]*deb[[:space:]]/deb-src /p" "$file" ;;
    esac
  done
}

have_source() {
  apt-cache showsrc --only-source "$source_package" 2>/dev/null | grep -qx "Version: $version"
}

if ! have_source; then
  list=/etc/apt/sources.list.d/ringress-deb-src
  entries=$(debian_source_entries)
  [ -n "$entries" ] || fail "no Debian entry in the apt sources to take a deb-src entry from"
  if printf '%s\n' "$entries" | grep -q '^Types:'; then
    printf '%s\n' "$entries" | $sudo tee "$list.sources" >/dev/null
  else
    printf '%s\n' "$entries" | $sudo tee "$list.list" >/dev/null
  fi
  echo "build_wolfssl: added deb-src entries ($list.*); apt-get update"
  $sudo apt-get update -qq
  have_source || fail "apt has no source package $source_package $version"
fi

mkdir -p "$cache"
work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
log=$work/build.log
step() {
  "$@" >>"$log" 2>&1 || {
    tail -n 40 "$log" >&2
    fail "failed: $* (log above)"
  }
}

echo "build_wolfssl: building $source_package $version with AES-NI into $prefix (once)"
cd "$work"
step apt-get source -q --only-source "$source_package=$version"
cd "$(find "$work" -mindepth 1 -maxdepth 1 -type d -name "$source_package-*")"
# Debian's flags: the arguments after `dh_auto_configure --` in override_dh_auto_configure.
mapfile -t debian_configure < <(awk '/dh_auto_configure --/ { on = 1 }
  on { for (i = 1; i <= NF; i++) if ($i ~ /^--./) print $i; if ($0 !~ /\\$/) on = 0 }' debian/rules)
printf '%s\n' "${debian_configure[@]}" | grep -qx -- --enable-distro ||
  fail "debian/rules does not configure as expected: ${debian_configure[*]:-nothing found}"
# Debian's compiler and linker flags (debian/rules asks for hardening=+all).
eval "$(DEB_BUILD_MAINT_OPTIONS=hardening=+all dpkg-buildflags --export=sh)"
CPPFLAGS="$CPPFLAGS $(echo $extra_cppflags)"
# Two guards 5.5.4 lacks, so that a CPU missing a feature (turned off in the firmware, or
# hidden by a hypervisor) never runs its instructions:
# - AES-GCM takes its AVX1/AVX2 code on AVX alone, also without AES-NI, where that code runs AES
#   instructions (on a key schedule the C code made). Ask for AES-NI there too.
# - The single-precision code takes its "avx2" routines on BMI2 and ADX alone; some of them
#   (constant-time table lookups, the P-256 inversion) are AVX2 code. Ask for AVX2 there too.
sed -i 's/IS_INTEL_AVX\([12]\)(intel_flags)/(haveAESNI \&\& IS_INTEL_AVX\1(intel_flags))/g' \
  wolfcrypt/src/aes.c
sed -i 's/IS_INTEL_BMI2(cpuid_flags) && IS_INTEL_ADX(cpuid_flags)/IS_INTEL_AVX2(cpuid_flags) \&\& &/g' \
  wolfcrypt/src/sp_x86_64.c
[ "$(grep -c 'haveAESNI && IS_INTEL_AVX[12](intel_flags)' wolfcrypt/src/aes.c)" -eq 42 ] &&
  [ "$(grep -c 'AVX2(cpuid_flags) && IS_INTEL_BMI2(cpuid_flags) && IS_INTEL_ADX' \
    wolfcrypt/src/sp_x86_64.c)" -eq 178 ] ||
  fail "the source is not the 5.5.4 whose CPU checks this script completes"
[ -x configure ] || step autoreconf -fi
step ./configure --prefix="$prefix" --libdir="$prefix/lib" --disable-dependency-tracking \
  "${debian_configure[@]}" "${extra_configure[@]}"
grep -q '^#define WOLFSSL_AESNI' wolfssl/options.h || fail "configure did not enable AES-NI"
! grep -q '^#define SESSION_CERTS' wolfssl/options.h || fail "SESSION_CERTS is still on"
! grep -q '^#define FP_ECC' wolfssl/options.h || fail "FP_ECC is still on"
# Only the shared library and its headers: --enable-distro also asks for a static library
# (every file compiled twice) and `make` builds test programs larger than the library.
step make -j"$(nproc)" LIBTOOLFLAGS=--tag=disable-static src/libwolfssl.la
step make DESTDIR="$work/stage" LIBTOOLFLAGS=--tag=disable-static install-libLTLIBRARIES \
  install-nobase_includeHEADERS install-pkgconfigDATA
# A distro build leaves options.h out of `make install`; Debian installs it itself, so do we.
install -m 644 wolfssl/options.h "$work/stage$prefix/include/wolfssl/options.h"
{
  echo "wolfSSL $version (Debian source package $source_package), built by scripts/build_wolfssl.sh"
  echo "configure ${debian_configure[*]} ${extra_configure[*]}"
  echo "CFLAGS=$CFLAGS"
  echo "CPPFLAGS=$CPPFLAGS"
  echo "LDFLAGS=$LDFLAGS"
} >"$work/stage$prefix/BUILD-INFO"
mv -T "$work/stage$prefix" "$prefix" 2>/dev/null || [ -f "$prefix/lib/libwolfssl.so" ] ||
  fail "cannot move the build into $prefix"
echo "build_wolfssl: done: $prefix"
