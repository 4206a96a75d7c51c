# Swift 6 on these machines (sourced): Debian bookworm has no Swift, trixie
# does, so the toolchain lives in a minimal trixie chroot cached outside the
# repo ($SWIFT_ROOT), built from Debian's archive when absent.
SWIFT_ROOT="${SWIFT_ROOT:-$HOME/.cache/antonnia-sdk/swift-trixie}"

ensure_swift() {
  [ -f "$SWIFT_ROOT/.antonnia-ready" ] && return 0
  command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap >/dev/null; }
  step "building a trixie chroot with Swift in $SWIFT_ROOT (once per machine)"
  rm -rf "$SWIFT_ROOT"
  mkdir -p "$(dirname "$SWIFT_ROOT")"
  debootstrap --variant=minbase trixie "$SWIFT_ROOT" http://deb.debian.org/debian >/dev/null
  cp /etc/resolv.conf "$SWIFT_ROOT/etc/"
  mount -t proc proc "$SWIFT_ROOT/proc"
  # libc6-dev: swiftc links against crt files it does not ship.
  if ! chroot "$SWIFT_ROOT" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
      DEBIAN_FRONTEND=noninteractive sh -c \
      'apt-get update -qq && apt-get install -y -qq --no-install-recommends swiftlang libc6-dev >/dev/null && apt-get clean'; then
    umount "$SWIFT_ROOT/proc"
    return 1
  fi
  umount "$SWIFT_ROOT/proc"
  touch "$SWIFT_ROOT/.antonnia-ready"
}

# Runs a shell command in the chroot with the repo at /repo (bind-mounted
# read-write) and /proc mounted (swiftc needs it); both are unmounted after,
# whatever happens. The chroot shares the host's network, so a server the
# host starts on 127.0.0.1 is reachable from Swift.
in_swift() {
  local repo
  repo="$(pwd)"
  mkdir -p "$SWIFT_ROOT/repo"
  mount -t proc proc "$SWIFT_ROOT/proc"
  # The bind mount once failed with ENOENT on a repo that existed (seen on
  # 2026-12-06, not reproduced): try once more, then give up without leaving
  # /proc mounted in the chroot.
  if ! mount --bind "$repo" "$SWIFT_ROOT/repo"; then
    echo "swift-env: binding $repo at $SWIFT_ROOT/repo failed; trying once more" >&2
    sleep 1
    if ! mount --bind "$repo" "$SWIFT_ROOT/repo"; then
      umount "$SWIFT_ROOT/proc" || umount -l "$SWIFT_ROOT/proc"
      return 1
    fi
  fi
  local status=0
  chroot "$SWIFT_ROOT" /usr/bin/env -i PATH=/usr/bin:/bin HOME=/root "$@" || status=$?
  # Whatever a killed or hung run left behind in the chroot (an XCTest
  # process, a sandbox it started) is stopped here, so nothing outlives it.
  local root pid
  root="$(readlink -f "$SWIFT_ROOT")"
  for pid in $(ls /proc | grep -E '^[0-9]+$'); do
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill -9 "$pid" 2>/dev/null || true
  done
  umount "$SWIFT_ROOT/repo" || umount -l "$SWIFT_ROOT/repo"
  umount "$SWIFT_ROOT/proc" || umount -l "$SWIFT_ROOT/proc"
  return $status
}
