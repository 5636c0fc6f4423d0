// jco_init.mjs — configures Node's reference WASI host (jco's
// preview2-shim) for one guest run, so that `jco run` sees the same grants
// as `wippy-run run`. Loaded with `jco run --jco-import jco_init.mjs`.
// Reads $WIPPY_GUEST_INVOCATION, a file written by run_guests.sh, one item
// per line as KEY<TAB>VALUE: `arg` (argv in order, argv[0] first), `env`
// (K=V), `dir` (HOST<TAB>GUEST), `cwd`. $WIPPY_P2SHIM is the directory of
// the preview2-shim package jco itself resolves (its generated code must
// see the same module instances, hence absolute imports of that copy).
// Everything not listed is withheld: empty environment, no preopens.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

const shim = process.env.WIPPY_P2SHIM;
const cli = await import(pathToFileURL(`${shim}/dist/nodejs/cli.js`).href);
const fs = await import(pathToFileURL(`${shim}/dist/nodejs/filesystem.js`).href);

const args = [];
const env = {};
const dirs = [];
let cwd;
for (const line of readFileSync(process.env.WIPPY_GUEST_INVOCATION, 'utf8').split('\n')) {
  if (line === '') continue;
  const tab = line.indexOf('\t');
  const key = line.slice(0, tab);
  const value = line.slice(tab + 1);
  if (key === 'arg') args.push(value);
  else if (key === 'env') {
    const eq = value.indexOf('=');
    env[value.slice(0, eq)] = value.slice(eq + 1);
  } else if (key === 'dir') {
    const [host, guest] = value.split('\t');
    dirs.push([guest, host]);
  } else if (key === 'cwd') cwd = value;
  else throw new Error(`jco_init.mjs: unknown invocation key ${key}`);
}
cli._setArgs(args);
cli._setEnv(env);
cli._setCwd(cwd);
fs._setPreopens({});
for (const [guest, host] of dirs) fs._addPreopen(guest, host);
