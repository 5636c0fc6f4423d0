// sockets_js.js — a JavaScript guest (componentize-js, StarlingMonkey) that
// imports every wasi:sockets 0.2.12 interface (world wit/sockets_js.wit)
// and calls what JavaScript can reach of them.
//   sockets_js.component.wasm CASE...
// componentize-js 0.22 emits no class for the method-less `network`
// resource, so instanceNetwork() fails inside the guest's own bindings
// (case `network` prints how) and nothing that needs a network (bind,
// connect, lookup) can be called; the cases use the rest: socket creation,
// address family, every option getter and setter, the state machine's
// errors on an unbound socket, subscribe, and the socket limit.
// A `result` error is thrown with the error-code in `.payload`; each call
// prints `LABEL: ok VALUE` or `LABEL: ERROR-CODE`.
import { getArguments } from 'wasi:cli/environment@0.2.12';
import { instanceNetwork } from 'wasi:sockets/instance-network@0.2.12';
import { resolveAddresses } from 'wasi:sockets/ip-name-lookup@0.2.12';
import { createTcpSocket } from 'wasi:sockets/tcp-create-socket@0.2.12';
import { createUdpSocket } from 'wasi:sockets/udp-create-socket@0.2.12';
import { TcpSocket } from 'wasi:sockets/tcp@0.2.12';
import { UdpSocket } from 'wasi:sockets/udp@0.2.12';

function show(v) {
  if (v === undefined) return '';
  if (typeof v === 'bigint') return ` ${v}`;
  return ` ${JSON.stringify(v)}`;
}

function attempt(label, f) {
  try {
    console.log(`${label}: ok${show(f())}`);
  } catch (e) {
    if (e && e.payload !== undefined) console.log(`${label}: ${e.payload}`);
    else console.log(`${label}: threw ${e instanceof Error ? e.name : typeof e}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

// A value read back after a setter, compared rather than printed where
// the kernel may round or double it.
function atLeast(label, f, floor) {
  try {
    const v = f();
    console.log(`${label} >= ${floor}: ${v >= floor ? 'yes' : `no (${v})`}`);
  } catch (e) {
    console.log(`${label}: ${e && e.payload !== undefined ? e.payload : String(e)}`);
  }
}

// The buffer-size options TCP and UDP sockets share: a size of 0, then
// `size` (a bigint), set and read back (at least `size`).
function bufferSizes(s, size) {
  attempt('set-receive-buffer-size 0', () => s.setReceiveBufferSize(0n));
  attempt(`set-receive-buffer-size ${size}`, () => s.setReceiveBufferSize(size));
  atLeast('receive-buffer-size', () => s.receiveBufferSize(), size);
  attempt(`set-send-buffer-size ${size}`, () => s.setSendBufferSize(size));
  atLeast('send-buffer-size', () => s.sendBufferSize(), size);
}

// Prints whether the socket's pollable is ready, then disposes of both.
function subscribeAndDispose(s) {
  const p = s.subscribe();
  console.log(`subscribe: ready ${p.ready()}`);
  p[Symbol.dispose]?.();
  s[Symbol.dispose]?.();
}

function tcpCase(family) {
  console.log(`== tcp ${family}`);
  const s = createTcpSocket(family);
  console.log(`instance of TcpSocket: ${s instanceof TcpSocket}`);
  console.log(`address-family: ${s.addressFamily()}`);
  console.log(`is-listening: ${s.isListening()}`);
  attempt('keep-alive-enabled', () => s.keepAliveEnabled());
  attempt('set-keep-alive-enabled true', () => s.setKeepAliveEnabled(true));
  attempt('keep-alive-enabled', () => s.keepAliveEnabled());
  attempt('set-keep-alive-idle-time 0', () => s.setKeepAliveIdleTime(0n));
  attempt('set-keep-alive-idle-time 2 s', () => s.setKeepAliveIdleTime(2000000000n));
  attempt('keep-alive-idle-time', () => s.keepAliveIdleTime());
  attempt('set-keep-alive-interval 3 s', () => s.setKeepAliveInterval(3000000000n));
  attempt('keep-alive-interval', () => s.keepAliveInterval());
  attempt('set-keep-alive-count 0', () => s.setKeepAliveCount(0));
  attempt('set-keep-alive-count 5', () => s.setKeepAliveCount(5));
  attempt('keep-alive-count', () => s.keepAliveCount());
  attempt('set-hop-limit 0', () => s.setHopLimit(0));
  attempt('set-hop-limit 42', () => s.setHopLimit(42));
  attempt('hop-limit', () => s.hopLimit());
  bufferSizes(s, 65536n);
  attempt('set-listen-backlog-size 0', () => s.setListenBacklogSize(0n));
  attempt('set-listen-backlog-size 16', () => s.setListenBacklogSize(16n));
  attempt('local-address', () => s.localAddress());
  attempt('remote-address', () => s.remoteAddress());
  attempt('finish-bind', () => s.finishBind());
  attempt('finish-connect', () => s.finishConnect());
  attempt('finish-listen', () => s.finishListen());
  attempt('start-listen', () => s.startListen());
  attempt('accept', () => s.accept());
  attempt('shutdown both', () => s.shutdown('both'));
  subscribeAndDispose(s);
}

function udpCase(family) {
  console.log(`== udp ${family}`);
  const s = createUdpSocket(family);
  console.log(`instance of UdpSocket: ${s instanceof UdpSocket}`);
  console.log(`address-family: ${s.addressFamily()}`);
  attempt('set-unicast-hop-limit 0', () => s.setUnicastHopLimit(0));
  attempt('set-unicast-hop-limit 9', () => s.setUnicastHopLimit(9));
  attempt('unicast-hop-limit', () => s.unicastHopLimit());
  bufferSizes(s, 32768n);
  attempt('stream', () => s.stream(undefined));
  attempt('finish-bind', () => s.finishBind());
  attempt('local-address', () => s.localAddress());
  attempt('remote-address', () => s.remoteAddress());
  subscribeAndDispose(s);
}

// Creates up to n TCP sockets (held until the end), then n UDP sockets:
// how many of each, and the error that stopped them.
function manyCase(n) {
  console.log(`== many ${n}`);
  const held = [];
  for (const [kind, create] of [['tcp', createTcpSocket], ['udp', createUdpSocket]]) {
    let made = 0;
    let stop = 'none';
    for (let i = 0; i < n; i++) {
      try {
        held.push(create('ipv4'));
        made++;
      } catch (e) {
        stop = e && e.payload !== undefined ? e.payload : String(e);
        break;
      }
    }
    console.log(`${kind} sockets: ${made} created, stopped by ${stop}`);
  }
  for (const s of held) s[Symbol.dispose]?.();
}

function networkCase() {
  console.log('== network');
  console.log(`resolve-addresses is a function: ${typeof resolveAddresses === 'function'}`);
  attempt('instance-network', () => instanceNetwork());
}

export const run = {
  run() {
    const args = getArguments().slice(1);
    for (let i = 0; i < args.length; i++) {
      const c = args[i];
      if (c === 'tcp') { tcpCase('ipv4'); tcpCase('ipv6'); }
      else if (c === 'udp') { udpCase('ipv4'); udpCase('ipv6'); }
      else if (c === 'many') manyCase(Number(args[++i]));
      else if (c === 'network') networkCase();
      else { console.log(`unknown case ${c}`); throw new Error('bad case'); }
    }
    console.log('done');
  },
};
