// The Node/V8 flags and the environment the operator process runs with (the image's ENTRYPOINT and ENV,
// scripts/start.sh and the benchmarks' operator; test/unit/deploy-image.test.ts keeps them equal).
//
// --max-semi-space-size=16: V8 sizes the young generation from the machine's memory; on a 24 GiB machine it grew to
// 128 MiB committed (two 64 MiB semi-spaces), about 40 % of the operator's RSS with 2000 applications
// (`npm run bench -- scale --apps 2000 --executors 5`). 16 MiB semi-spaces cost about 4 % more CPU per submitted
// application (4.46 → 4.65 ms) and took the RSS after a 2000-application burst from 261.4 to 172.5 MiB
// (`npm run bench -- submit-load --apps 2000`, without and with `--node-flags=--max-semi-space-size=16`).
//
// --heap-growing-percent=25: after each full collection V8 lets the old generation grow to a multiple of what
// survived, up to 4× when collections are cheap; it keeps those pages. With 1.5× the operator of `npm run bench --
// scale --apps 2000 --executors 5` (12 000 pods) ended with 72 MiB of old space committed instead of 148 and 210.7 MiB
// of RSS instead of 287.3, for the same CPU. With 1.25×, `npm run bench -- scale --apps 10000 --executors 5
// --namespaces 10` (UI Services on) ended at 267.0 and 275.8 MiB of RSS in two runs against 298.0 with 1.5×, a
// restarted process at 283.4 and 291.9 against 335.9; its initial lists took 12.6 and 15.1 s against 10.8 (more
// collections while the heap grows). So while the caches fill at start the operator lets V8 grow the heap its own way
// and sets this step back once they are full (heap-growth.ts).
export const OPERATOR_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=16', '--heap-growing-percent=25'];

// MALLOC_MMAP_THRESHOLD_=131072: glibc serves allocations of 128 KiB and more with mmap and gives them back when
// freed, but by default it raises that threshold to the size of any such block freed, after which big blocks come
// from its heap, which it does not give back. A restart lists every cached kind in every watched namespace at once
// (pages of 500 objects, bodies held whole until decoded): with 10 000 applications the restarted process kept
// about 128 MiB of malloc'd memory outside V8's heap and ran at 348.8–352.6 MiB of RSS; with the threshold fixed,
// 296.2 MiB (median over 20 s), and the first process 288.2 instead of 294.8 (`npm run bench -- scale --apps 10000
// --executors 5 --namespaces 10`, with and without `--operator-flags=--enable-ui-service=false` and
// `--operator-env=MALLOC_MMAP_THRESHOLD_=131072`).
export const OPERATOR_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '131072' };
