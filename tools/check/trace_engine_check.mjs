// Loads a Chrome trace-event JSON file with Chrome DevTools' own trace engine (the npm
// package @paulirish/trace_engine) and prints how many slices it placed on each track,
// in perfetto_check's format, so that the two independent parsers can be compared.
//
// usage: node tools/check/trace_engine_check.mjs FILE
// Counts come from the engine's per-thread trees (the Renderer handler): an event that
// the engine drops, for overlapping its parent or for a broken B/E pair, is not counted.
import fs from 'node:fs';

// The engine is written for a browser: some of its handlers build DOMRect objects (for
// layout-shift data), and node has no DOMRect. Our traces never reach that code, but a
// stand-in with the constructor and the four fields keeps any such path from throwing.
if (typeof globalThis.DOMRect === 'undefined') {
  globalThis.DOMRect = class DOMRect {
    constructor(x = 0, y = 0, width = 0, height = 0) {
      Object.assign(this, { x, y, width, height });
    }
    static fromRect(r = {}) {
      return new DOMRect(r.x, r.y, r.width, r.height);
    }
  };
}

const { TraceModel } = await import('@paulirish/trace_engine');

function countNodes(tree) {
  let n = 0;
  const stack = [...(tree?.roots ?? [])];
  while (stack.length) {
    const node = stack.pop();
    n++;
    stack.push(...node.children);
  }
  return n;
}

async function main(file) {
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  const events = Array.isArray(json) ? json : json.traceEvents;
  const model = TraceModel.Model.createWithAllHandlers();
  await model.parse(events);
  const { processes } = model.parsedTrace().data.Renderer;
  const rows = [];
  for (const [pid, proc] of processes) {
    for (const [tid, thread] of proc.threads) {
      const count = countNodes(thread.tree);
      if (count) rows.push([Number(pid), Number(tid), count]);
    }
  }
  rows.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let total = 0;
  for (const [pid, tid, count] of rows) {
    console.log(`slices pid=${pid} tid=${tid} count=${count}`);
    total += count;
  }
  console.log(`trace_engine: ${file}: ${events.length} events, ${total} slices on ${rows.length} tracks`);
}

const file = process.argv[2];
if (!file) {
  console.error('usage: node trace_engine_check.mjs FILE');
  process.exit(2);
}
main(file).catch((e) => {
  console.error(`trace_engine_check: ${file}: ${e.stack ?? e}`);
  process.exit(1);
});
