#!/bin/sh
# Copyright The opsagent Authors
# SPDX-License-Identifier: Apache-2.0
#
# The opsagent init hook: copies opsagent.jar, checked against its SHA-256, into a directory shared
# with the application's container. Run with -h for usage. POSIX sh; needs only cp, mv, rm, chmod,
# dirname and sha256sum (all in busybox).
set -eu

me=opsagent-init
default_target=/opsagent

usage() {
  cat <<EOF
Usage: $me [-h] [TARGET_DIR]

Copies opsagent.jar, checked against opsagent.jar.sha256 (both next to this script), into
TARGET_DIR for an application container to load with
  JAVA_TOOL_OPTIONS=-javaagent:TARGET_DIR/opsagent.jar

TARGET_DIR is, in this order: the argument, \$OPSAGENT_INIT_TARGET_DIR, $default_target.
It must exist and be writable (a volume shared with the application: emptyDir, named volume).

- The jar is copied to a temporary file in TARGET_DIR, the copy is checked, then renamed:
  the application never sees a partial jar.
- A jar already in TARGET_DIR with the same checksum is left as it is; any other is replaced.
- A jar that does not match its checksum (corrupt, truncated) is refused: nothing is written.

Exit status: 0 done or nothing to do, 1 error (the message says why and what to do), 2 usage.
EOF
}

info() {
  echo "$me: $*"
}

fail() {
  echo "$me: ERROR $*" >&2
  exit 1
}

sha256_of() {
  # From standard input, so the output is "<hex>  -" whatever the file's name.
  sum=$(sha256sum <"$1") || return 1
  echo "${sum%% *}"
}

case "${1:-}" in
  -h | --help)
    usage
    exit 0
    ;;
  -*)
    echo "$me: unknown option $1" >&2
    usage >&2
    exit 2
    ;;
esac
if [ $# -gt 1 ]; then
  echo "$me: one target directory at most, got $#: $*" >&2
  usage >&2
  exit 2
fi

source_dir=$(dirname "$0")
jar=$source_dir/opsagent.jar
checksum_file=$jar.sha256
target_dir=${1:-${OPSAGENT_INIT_TARGET_DIR:-$default_target}}
target=$target_dir/opsagent.jar

# The source: present and intact, or nothing happens.
[ -f "$jar" ] || fail "no agent jar at $jar: keep opsagent.jar next to this script"
[ -f "$checksum_file" ] || fail "no checksum file at $checksum_file: keep opsagent.jar.sha256 next to opsagent.jar (the build writes it to agent/target)"
expected=
read -r expected _ <"$checksum_file" || true
case "$expected" in
  *[!0-9a-f]* | "") valid=false ;;
  *) [ ${#expected} -eq 64 ] && valid=true || valid=false ;;
esac
$valid || fail "$checksum_file does not hold a SHA-256 (64 lower-case hex digits, then the file name): rebuild it with 'sha256sum opsagent.jar > opsagent.jar.sha256'"
actual=$(sha256_of "$jar") || fail "cannot read $jar (see the error above)"
[ "$actual" = "$expected" ] || fail "$jar is corrupt or truncated: its SHA-256 is $actual, $checksum_file expects $expected. Nothing was written to $target_dir. Pull the image again, or rebuild it from a fresh 'mvn package'."

# The target: an existing, writable directory.
[ -d "$target_dir" ] || fail "target directory $target_dir does not exist: mount the volume shared with the application there, or name another directory (argument or OPSAGENT_INIT_TARGET_DIR)"
[ -w "$target_dir" ] || fail "target directory $target_dir is not writable by user $(id -u): make the volume writable for it (emptyDir is; for a named volume, create it with this image) or run as its owner"

[ ! -d "$target" ] || fail "$target is a directory: remove it, or name another target directory"

if [ -f "$target" ] && [ "$(sha256_of "$target")" = "$expected" ]; then
  info "$target is already this opsagent.jar (sha256 $expected): nothing to do"
  exit 0
fi
if [ -e "$target" ]; then
  outcome="replaced $target, a different or damaged jar, with this one"
else
  outcome="copied opsagent.jar to $target"
fi

# Copy beside the target, check the copy, then rename: atomic in one directory.
temporary=$target_dir/.opsagent.jar.$$.tmp
trap 'rm -f "$temporary"' EXIT
trap 'exit 1' HUP INT TERM
cp "$jar" "$temporary" || fail "cannot copy $jar to $target_dir (see the error above): check free space and permissions of the volume"
copied=$(sha256_of "$temporary") || fail "cannot read back $temporary (see the error above)"
[ "$copied" = "$expected" ] || fail "the copy in $target_dir has SHA-256 $copied, not $expected: the volume lost data (full?); $target was left as it was"
chmod 0644 "$temporary"
mv -f "$temporary" "$target" || fail "cannot rename $temporary to $target (see the error above)"
info "$outcome (sha256 $expected)"
info "load it with JAVA_TOOL_OPTIONS=-javaagent:$target"
