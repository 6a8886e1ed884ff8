#!/usr/bin/env bash
# `npm run rpm`: builds the two RPMs of packaging/fedora-messaging.spec into dist/
#   dist/fedora-messaging-node-VERSION-1.x86_64.rpm         the single binary (SEA)
#   dist/fedora-messaging-node-nodejs-VERSION-1.noarch.rpm  the bundle, on nodejs
# from what `npm run build` and `npm run sea` left in dist/ (run `npm run package`
# for all three). Installs Debian's `rpm` package (rpmbuild) with apt-get if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

say() { printf 'build-rpm.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

if ! command -v rpmbuild >/dev/null; then
  command -v apt-get >/dev/null || die "rpmbuild is missing: install rpm-build"
  say "installing Debian's rpm package (rpmbuild) with apt-get"
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends rpm; } >/dev/null \
    || die "apt-get install rpm failed"
fi
for file in dist/fedora-messaging dist/fedora-messaging.js dist/index.cjs dist/index.mjs; do
  [[ -f $file ]] || die "$file is missing: run \`npm run build && npm run sea\` first (or \`npm run package\`)"
done

version="$(node -p 'require("./package.json").version')"
top="$(mktemp -d "${TMPDIR:-/tmp}/fm-rpm.XXXXXX")"
trap 'rm -rf "$top"' EXIT
sources="$top/SOURCES"
mkdir -p "$sources"

# The sources are the built files: the SEA, the npm tarball (library + bundle), the rest.
node build/man.mjs
cp dist/fedora-messaging "$sources/"
npm pack --silent --pack-destination "$sources" >/dev/null
[[ -f $sources/fedora-messaging-$version.tgz ]] || die "npm pack did not write fedora-messaging-$version.tgz"
cp systemd/fm-consumer@.service packaging/config.toml packaging/sample.toml packaging/example.mjs \
  dist/fedora-messaging.1 LICENSE "$sources/"
# Licences of what the bundle and the SEA carry.
{
  for module in citty confbox consola debug ms rhea; do
    licence=""
    for candidate in node_modules/"$module"/{LICENSE,LICENSE.md,LICENSE.txt,license,license.md}; do
      [[ -f $candidate ]] && { licence="$candidate"; break; }
    done
    [[ -n $licence ]] || die "no licence file in node_modules/$module"
    printf '==== %s %s ====\n' "$module" "$(node -p "require('./node_modules/$module/package.json').version")"
    cat "$licence"
    echo
  done
  node_licence=""
  for candidate in /usr/share/doc/nodejs/LICENSE "$(dirname "$(readlink -f "$(command -v node)")")/../share/doc/node/LICENSE"; do
    [[ -f $candidate ]] && { node_licence="$candidate"; break; }
  done
  [[ -n $node_licence ]] || die "the licence of Node.js (carried by the SEA) was not found"
  printf '==== Node.js %s (in the single binary) ====\n' "$(node -v)"
  cat "$node_licence"
} >"$sources/LICENSES.bundled"

for variant in "--with sea" "--without sea"; do
  # shellcheck disable=SC2086 # $variant is two words on purpose
  rpmbuild --quiet -bb $variant \
    --define "_topdir $top" --define "fm_version $version" \
    --define "_rpmdir $top/RPMS" --define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
    packaging/fedora-messaging.spec >"$top/rpmbuild.log" 2>&1 || { cat "$top/rpmbuild.log" >&2; die "rpmbuild $variant failed"; }
done
rm -f dist/*.rpm
mv "$top"/RPMS/*.rpm dist/
say "built $(cd dist && echo *.rpm)"
