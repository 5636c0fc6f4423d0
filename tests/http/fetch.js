// fetch.js — the JavaScript guest of the wasi:http tests (componentize-js,
// StarlingMonkey): fetch() against tests/http_server.py on loopback.
//   fetch.component.wasm PORTS_JSON CASE...
// PORTS_JSON is the server's first line ({"http": N, "https": N, ...}).
// Each CASE prints a few stable lines (no ports, no timings) under a
// "== CASE" header; run_http.sh compares them with an expected transcript.
// The async run() export is awaited: componentize-js runs the event loop
// until the promise settles. Errors of fetch() are printed by name and
// message; whether a failed connection got as far as the server is read
// from the server's own counters (/stats), which tells a TLS failure (a
// connection accepted, no request served) from a refused port.
import { getArguments } from 'wasi:cli/environment@0.2.12';

let ports;
const http = (path) => `http://127.0.0.1:${ports.http}${path}`;

function errorText(e) {
  return e instanceof Error ? `${e.name}: ${e.message}` : `non-error ${String(e)}`;
}

async function stats() {
  const r = await fetch(http('/stats'));
  return JSON.parse(await r.text());
}

// The pattern body of tests/http_server.py's /big: byte i is i mod 251.
function patternBytes(n) {
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = i % 251;
  return a;
}

async function readAll(r) {
  const reader = r.body.getReader();
  let total = 0, good = true;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    for (let i = 0; i < value.length; i++) {
      if (value[i] !== (total + i) % 251) { good = false; break; }
    }
    total += value.length;
  }
  return { total, good };
}

// A fetch expected to fail: prints the error.
async function expectError(url) {
  try {
    const r = await fetch(url);
    console.log(`unexpected success: status ${r.status}`);
    await r.text();
  } catch (e) {
    console.log(`fetch failed: ${errorText(e)}`);
  }
}

// A fetch expected to fail on LISTENER (a key of ports): prints the error
// and what the server saw of it.
async function expectFailure(listener, url) {
  const before = await stats();
  await expectError(url);
  const after = await stats();
  const conns = (after.by_listener[listener] || 0) - (before.by_listener[listener] || 0);
  const reqs = (after.requests_by_listener[listener] || 0) - (before.requests_by_listener[listener] || 0);
  console.log(`server accepted a connection: ${conns > 0 ? 'yes' : 'no'}`);
  console.log(`server served requests: ${reqs}`);
}

const cases = {
  async get() {
    const r = await fetch(http('/hello'));
    console.log(`status ${r.status} ok ${r.ok}`);
    console.log(`content-type ${r.headers.get('content-type')}`);
    console.log(`content-length ${r.headers.get('content-length')}`);
    console.log(`body ${JSON.stringify(await r.text())}`);
  },

  async head() {
    const r = await fetch(http('/hello'), { method: 'HEAD' });
    console.log(`status ${r.status}`);
    console.log(`content-length ${r.headers.get('content-length')}`);
    const body = await r.arrayBuffer();
    console.log(`body bytes ${body.byteLength}`);
  },

  async post() {
    const body = patternBytes(5 * 1024 * 1024);
    const r = await fetch(http('/echo'), { method: 'POST', body });
    console.log(`status ${r.status}`);
    const echo = JSON.parse(await r.text());
    console.log(`server got ${echo.length} bytes (${echo.framing}) sha256 ${echo.sha256}`);
  },

  async post_stream() {
    // A body of unknown length (100029 bytes). How it goes out is the
    // host's choice: jco sends it chunked, wippy holds up to 4 MiB and
    // sends a body finished by then with a content-length; the framing is
    // therefore not printed. post_stream_big sends a longer one.
    const parts = ['first part\n', 'second part\n', 'x'.repeat(100000), '\nlast\n'];
    const enc = new TextEncoder();
    const stream = new ReadableStream({
      start(controller) {
        for (const p of parts) controller.enqueue(enc.encode(p));
        controller.close();
      },
    });
    const r = await fetch(http('/echo'), { method: 'POST', body: stream, duplex: 'half' });
    console.log(`status ${r.status}`);
    const echo = JSON.parse(await r.text());
    console.log(`server got ${echo.length} bytes sha256 ${echo.sha256}`);
  },

  async post_stream_big() {
    // 6 MiB of unknown length pulled 64 KiB at a time, each pull after a
    // timer turn of the event loop: more than the host holds back to frame
    // with a content-length, so it goes out chunked while the guest is
    // still producing it (both hosts chunk it).
    const big = patternBytes(6 * 1024 * 1024);
    let off = 0;
    const stream = new ReadableStream({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 0));
        if (off >= big.length) {
          controller.close();
          return;
        }
        controller.enqueue(big.subarray(off, off + 65536));
        off += 65536;
      },
    });
    const r = await fetch(http('/echo'), { method: 'POST', body: stream, duplex: 'half' });
    console.log(`status ${r.status}`);
    const echo = JSON.parse(await r.text());
    console.log(`server got ${echo.length} bytes (${echo.framing}) sha256 ${echo.sha256}`);
  },

  async chunked() {
    const r = await fetch(http('/chunked'));
    console.log(`status ${r.status}`);
    console.log(`transfer-encoding ${r.headers.get('transfer-encoding')}`);
    const text = await r.text();
    console.log(`body length ${text.length}`);
    console.log(`body starts ${JSON.stringify(text.slice(0, 34))}`);
    console.log(`body ends ${JSON.stringify(text.slice(-11))}`);
  },

  async trailers() {
    // fetch() has no trailers; the body before them must be whole.
    const r = await fetch(http('/trailers'));
    console.log(`status ${r.status}`);
    console.log(`body ${JSON.stringify(await r.text())}`);
  },

  async status404() {
    const r = await fetch(http('/status/404'));
    console.log(`status ${r.status} ok ${r.ok}`);
    console.log(`body ${JSON.stringify(await r.text())}`);
  },

  async big() {
    const r = await fetch(http('/big?mb=16'));
    console.log(`status ${r.status} content-length ${r.headers.get('content-length')}`);
    const { total, good } = await readAll(r);
    console.log(`read ${total} bytes, pattern ${good ? 'ok' : 'WRONG'}`);
  },

  async headers() {
    const h = new Headers();
    h.append('X-One', '1');
    h.append('x-two', 'a b');
    h.append('x-two', 'c');
    const r = await fetch(http('/headers'), { headers: h });
    console.log(`status ${r.status}`);
    console.log(`server saw ${await r.text()}`.trimEnd());
    console.log(`x-multi ${r.headers.get('x-multi')}`);
  },

  async redirect() {
    // fetch() follows the 302 itself; the host only makes the requests.
    const r = await fetch(http('/redirect'));
    console.log(`status ${r.status} redirected ${r.redirected}`);
    console.log(`final path ${new URL(r.url).pathname}`);
    console.log(`body ${JSON.stringify(await r.text())}`);
    const manual = await fetch(http('/redirect'), { redirect: 'manual' });
    console.log(`manual: status ${manual.status} location ${manual.headers.get('location')}`);
  },

  async parallel() {
    // Ten delayed GETs at once from one guest: the server holds them all.
    await (await fetch(http('/reset-max'))).text();
    const rs = await Promise.all(Array.from({ length: 10 }, () => fetch(http('/delay?ms=300'))));
    const bodies = await Promise.all(rs.map((r) => r.text()));
    console.log(`statuses ${rs.map((r) => r.status).join(',')}`);
    console.log(`bodies all "delayed 300": ${bodies.every((b) => b === 'delayed 300\n')}`);
    const s = await stats();
    console.log(`server held at once: ${s.max_in_flight}`);
  },

  async closed() {
    await expectError(`http://127.0.0.1:${ports.closed}/hello`);
  },

  async keepalive() {
    // Five sequential GETs, each body read to its end, between two /stats
    // requests: a host that reuses connections opens none for them.
    const before = await stats();
    for (let i = 0; i < 5; i++) {
      const r = await fetch(http('/hello'));
      await r.text();
    }
    const after = await stats();
    const opened = after.by_listener.http - before.by_listener.http;
    console.log(`requests served ${after.requests_by_listener.http - before.requests_by_listener.http}`);
    console.log(`connections opened for them ${opened}`);
  },

  async https() {
    for (const host of ['127.0.0.1', 'localhost']) {
      const r = await fetch(`https://${host}:${ports.https}/hello`);
      console.log(`${host}: status ${r.status} body ${JSON.stringify(await r.text())}`);
    }
  },

  async https_untrusted() {
    await expectFailure('https_untrusted', `https://127.0.0.1:${ports.https_untrusted}/hello`);
  },

  async https_wrongname() {
    await expectFailure('https_wrongname', `https://127.0.0.1:${ports.https_wrongname}/hello`);
  },

  // Run with a host that does not trust the test CA.
  async https_noca() {
    await expectFailure('https', `https://127.0.0.1:${ports.https}/hello`);
  },

  // Run with a network grant that does not cover the server's port.
  async denied() {
    await expectError(http('/hello'));
  },

  async stall() {
    // The server never answers: only a host timeout ends this.
    await expectError(http('/stall'));
  },

  async dribble() {
    // A head one byte per 500 ms without end: a host timeout or a header
    // size limit ends this.
    await expectError(http('/dribble'));
  },
};

export const run = {
  async run() {
    const args = getArguments();
    ports = JSON.parse(args[1]);
    for (const name of args.slice(2)) {
      console.log(`== ${name}`);
      const fn = cases[name];
      if (!fn) {
        console.log(`unknown case ${name}`);
        throw new Error(`unknown case ${name}`);
      }
      try {
        await fn();
      } catch (e) {
        console.log(`case failed: ${errorText(e)}`);
      }
    }
  },
};
