#!/usr/bin/env bash
# Installs the real peers that the interop tests and the bench script run against:
# sgdisk, tftpd-hpa, tftp-hpa, atftp (client), atftpd (unpacked, see below), curl,
# dnsmasq, bsdiff, mtools, dosfstools, sfdisk (fdisk), parted, openssl, nginx (nginx-light) and python3
# (static HTTP servers for the update agent: one honours ranges, one ignores them), and U-Boot for a real board:
# u-boot-qemu (its qemu_arm64 build) run by qemu-system-aarch64 (qemu-system-arm), networked through
# a tap in a network namespace (ip, iproute2); chromium for the dashboard's end-to-end tests (tests/Web,
# driven by Playwright with Debian's binary). Idempotent; needs root for apt-get.
#
# atftpd and tftpd-hpa conflict as Debian packages, so atftpd is not installed: its .deb is
# downloaded and unpacked into .peers/atftpd, and tests find it through RECOVERYSIM_ATFTPD.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

need=()
# systemd: systemd-analyze and systemd-socket-activate, for the service tests (tests/Cli/Service).
{ command -v systemd-analyze && command -v systemd-socket-activate; } >/dev/null 2>&1 || need+=(systemd)
for pair in sgdisk:gdisk in.tftpd:tftpd-hpa tftp:tftp-hpa atftp:atftp curl:curl dnsmasq:dnsmasq-base \
            bsdiff:bsdiff mcopy:mtools mkfs.vfat:dosfstools sfdisk:fdisk parted:parted openssl:openssl bc:bc zstd:zstd \
            qemu-system-aarch64:qemu-system-arm ip:iproute2 nginx:nginx-light python3:python3 chromium:chromium; do
  cmd=${pair%%:*} pkg=${pair#*:}
  PATH="$PATH:/usr/sbin:/sbin" command -v "$cmd" >/dev/null 2>&1 || need+=("$pkg")
done
[ -x /usr/bin/time ] || need+=(time)   # the bench script's peak-memory measure
[ -f /usr/lib/u-boot/qemu_arm64/u-boot.bin ] || need+=(u-boot-qemu)   # tests/Interop/UBoot, scripts/bench/uboot.sh

apt_updated=0
apt_update() { [ $apt_updated = 1 ] || { apt-get update -qq; apt_updated=1; }; }

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "install-peers: missing ${need[*]}; run as root or: sudo apt-get install ${need[*]}" >&2
    exit 1
  fi
  echo "install-peers: installing ${need[*]}"
  # Packages must not start their daemons (tftpd-hpa would take port 69): policy-rc.d says no.
  created_policy=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created_policy=1
  fi
  apt_update
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  [ $created_policy = 0 ] || rm -f /usr/sbin/policy-rc.d
fi

# A package's postinst may still have started a daemon on port 69; the tests own the ports.
pkill -x in.tftpd 2>/dev/null || true

atftpd_dir="$top/.peers/atftpd"
if [ ! -x "$atftpd_dir/usr/sbin/atftpd" ]; then
  echo "install-peers: unpacking atftpd into .peers/atftpd"
  apt_update
  tmp=$(mktemp -d); chmod 777 "$tmp"
  (cd "$tmp" && apt-get download -qq atftpd >/dev/null)
  rm -rf "$atftpd_dir"; mkdir -p "$atftpd_dir"
  dpkg -x "$tmp"/atftpd_*.deb "$atftpd_dir"
  rm -rf "$tmp"
fi
"$atftpd_dir/usr/sbin/atftpd" --help >/dev/null 2>&1 || [ $? -le 1 ] || { echo "install-peers: atftpd does not run" >&2; exit 1; }
