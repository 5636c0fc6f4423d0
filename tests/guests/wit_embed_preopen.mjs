// wit_embed_preopen.mjs — loaded with `node --import` before jco (see
// wit_embed.sh): grants "/" to the WASI host that runs jco's wasm-tools, so
// `jco embed` can read the WIT directory and write its output.
// The preopen must be set on the very preview2-shim copy that jco's
// wasm-tools imports; Node resolves it from the jco-transpile package
// (nested node_modules first, then each parent's), and so does this lookup,
// starting from jco's own location (process.argv[1]).
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

function findUp(start, rel) {
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', rel);
    if (existsSync(candidate)) return realpathSync(candidate);
    if (dirname(dir) === dir) throw new Error(`wit_embed_preopen.mjs: ${rel} not found above ${start}`);
  }
}

const jcoDir = dirname(realpathSync(process.argv[1]));
const transpile = findUp(jcoDir, '@bytecodealliance/jco-transpile');
const shim = findUp(transpile, '@bytecodealliance/preview2-shim');
const fs = await import(pathToFileURL(join(shim, 'dist/nodejs/filesystem.js')).href);
fs._setPreopens({ '/': '/' });
