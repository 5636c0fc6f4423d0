// wit-embed.mjs — `node wit-embed.mjs JCO WIT_DIR WORLD IN.wasm OUT.wasm`:
// runs `jco embed --wit WIT_DIR -n WORLD` in this Node process after making
// "/" visible to the WASI host jco runs wasm-tools under (otherwise it sees
// no files: "os error 44"). The grant goes to the preview2-shim copy that
// jco-transpile (which hosts wasm-tools) loads: its own nested one if
// present, else the shared one.
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [jcoArg, wit, world, input, output] = process.argv.slice(2);
if (!output) {
  console.error('usage: node wit-embed.mjs JCO WIT_DIR WORLD IN.wasm OUT.wasm');
  process.exit(2);
}
const jco = realpathSync(jcoArg);  // .../node_modules/@bytecodealliance/jco/dist/jco.js
const scope = resolve(dirname(jco), '../..');  // .../node_modules/@bytecodealliance
const shimDir = [join(scope, 'jco-transpile/node_modules/@bytecodealliance/preview2-shim'),
                 join(scope, 'preview2-shim')].find((d) => existsSync(d));
if (!shimDir) throw new Error(`wit-embed.mjs: no preview2-shim under ${scope}`);
const shim = await import(pathToFileURL(join(realpathSync(shimDir), 'dist/nodejs/filesystem.js')).href);
shim._setPreopens({ '/': '/' });
process.argv = [process.argv[0], jco, 'embed', '--wit', resolve(wit), '-n', world, resolve(input),
                '-o', resolve(output)];
await import(pathToFileURL(jco).href);
