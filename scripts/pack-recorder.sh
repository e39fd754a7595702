#!/usr/bin/env bash
# Packs a prebuilt dropcap (recorder + analyzer) for hosts that have no
# compiler, no BPF toolchain and maybe no Node: one tarball with Node itself,
# the CLI, the native addon (BPF object embedded in its skeleton) and the
# shared libraries it loads from its own directory (RUNPATH $ORIGIN).
#   npm run pack:recorder            -> dist-pack/dropcap-<version>-linux-<arch>.tar.gz
#   PACK_WITHOUT_NODE=1 npm run pack:recorder   (use the host's Node >= 20.15)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
version=$(node -p "require('./package.json').version")
arch=$(uname -m)
name="dropcap-${version}-linux-${arch}"
out="$root/dist-pack"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f native/build/Release/dropcap.node ] || { echo "pack: build first (npm run build)" >&2; exit 1; }

mkdir -p "$work/tgz" "$work/$name/lib" "$work/$name/bin" "$out"
for p in packages/format packages/analyzer native packages/recorder packages/cli; do
  (cd "$p" && npm pack --silent --pack-destination "$work/tgz" >/dev/null)
done

cd "$work/$name/lib"
# allowScripts: better-sqlite3 builds its addon here, against this Node
printf '{ "name": "dropcap-bundle", "private": true, "allowScripts": { "better-sqlite3": true, "msgpackr-extract": true } }\n' > package.json
npm install --omit=dev --no-audit --no-fund --prefer-offline --nodedir=/usr "$work"/tgz/*.tgz >/dev/null

# libbpf and libelf travel beside the addon; libc, libstdc++ and zlib are everywhere
release=node_modules/@dropcap/native/build/Release
for lib in libbpf.so.1 libelf.so.1; do
  cp -L "$(ldd "$release/dropcap.node" | awk -v l="$lib" '$1 == l { print $3 }')" "$release/"
done

cd "$work/$name"
if [ -z "${PACK_WITHOUT_NODE:-}" ]; then
  cp "$(command -v node)" bin/node
  node_cmd='"$here/node"'
else
  node_cmd='node'
fi
cat > bin/dropcap <<SH
#!/bin/sh
# dropcap ${version}, prebuilt for Linux ${arch}
here=\$(dirname "\$(readlink -f "\$0")")
exec ${node_cmd} "\$here/../lib/node_modules/@dropcap/cli/dist/main.js" "\$@"
SH
chmod +x bin/dropcap
cp "$root/README.md" . 2>/dev/null || true

tar -C "$work" -czf "$out/$name.tar.gz" "$name"
echo "pack: $out/$name.tar.gz ($(du -h "$out/$name.tar.gz" | cut -f1)); unpack and run $name/bin/dropcap record"
