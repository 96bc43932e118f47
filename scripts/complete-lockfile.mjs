// The npm registry as this project's machines reach it does not serve every platform build of a
// package's optional native binaries (e.g. @swc/core-darwin-arm64 answers 404). npm then writes a
// package-lock.json without them, and `npm ci` rejects that lockfile as out of sync. This adds the
// missing entries: version from the parent's optionalDependencies, os/cpu/libc from the package
// name, so `npm ci` skips them on other platforms here and installs them where they are served.
// Run after `npm install` changes the lockfile: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from 'node:fs';

const LOCK = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(LOCK, 'utf8'));
const packages = lock.packages;

const OS = [
  'darwin',
  'linux',
  'win32',
  'android',
  'freebsd',
  'openharmony',
  'sunos',
  'aix',
  'netbsd',
  'openbsd',
];
const CPU = ['arm64', 'x64', 'arm', 'ia32', 'ppc64', 's390x', 'loong64', 'riscv64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  if (!os || !cpu) return undefined;
  const abi = parts[parts.indexOf(cpu) + 1] ?? '';
  const libc =
    os === 'linux'
      ? abi.startsWith('musl')
        ? 'musl'
        : abi.startsWith('gnu')
          ? 'glibc'
          : undefined
      : undefined;
  return { os: [os], cpu: [cpu], ...(libc && { libc: [libc] }) };
}

let added = 0;
for (const [parentPath, parent] of Object.entries(packages)) {
  for (const [name, spec] of Object.entries(parent.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const nested = parentPath ? `${parentPath}/node_modules/${name}` : key;
    if (packages[key] || packages[nested]) continue;
    const platform = platformOf(name);
    if (!platform || !/^\d+\.\d+\.\d+/.test(spec)) continue; // only exact-version platform binaries
    packages[key] = {
      version: spec,
      ...(parent.dev && { dev: true }),
      optional: true,
      ...platform,
    };
    added++;
  }
}

lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(LOCK, JSON.stringify(lock, null, 2) + '\n');
console.log(`complete-lockfile: added ${added} platform-specific optional package entries`);
