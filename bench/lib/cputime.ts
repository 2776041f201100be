// CPU time of the process's worker threads (everything but Node's main thread): on a software adapter
// that is lavapipe's compute threads, which run both our kernels and the peer's. On a shared machine
// wall time mostly measures the other tenants; GFLOP per worker-CPU-second × cores estimates the speed
// with the machine to ourselves (cache contention still leaks in). Linux only (/proc); null elsewhere.
import { readdirSync, readFileSync } from 'node:fs';

export function workerCpuNs(): number | null {
  try {
    let ns = 0;
    for (const tid of readdirSync('/proc/self/task')) {
      if (Number(tid) === process.pid) continue; // the main thread: JS, and its spin while awaiting Dawn
      // schedstat: time on CPU (ns), time waiting on a run queue (ns), timeslices
      ns += Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    }
    return ns;
  } catch {
    return null;
  }
}
