// Tape autograd. Ops call record() right after computing their output, with the closure that
// maps the output's gradient to the inputs' gradients (forward and backward read together).
// backward() walks the recorded graph in reverse topological order, frees each node's saved
// tensors and the consumed gradient as soon as that node is done, and accumulates leaf grads.
import { keep, tidy } from './scope.ts';
import { setAutogradHooks, Tensor, withSavedAccess } from './tensor.ts';
import type { Node } from './node.ts';
import { add } from '../ops/elementwise.ts';
import { full } from './create.ts';

let gradEnabled = true;

export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** Run fn without recording anything (inference, optimizer updates, backward itself). */
export function noGrad<T>(fn: () => T): T {
  const prev = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = prev;
  }
}

/** Mark a leaf tensor as trainable. */
export function requireGrad<T extends Tensor>(t: T): T {
  if (t.dtype !== 'f32') throw new Error(`Only f32 tensors can require grad (got ${t.dtype})`);
  t.requiresGrad = true;
  return t;
}

/** Does any input need a gradient (and is recording on)? Ops use it to skip saving tensors. */
export function needsGrad(...inputs: (Tensor | number | null | undefined)[]): boolean {
  return gradEnabled && inputs.some((t) => t instanceof Tensor && t.requiresGrad);
}

export function record(
  op: string,
  out: Tensor,
  inputs: readonly Tensor[],
  saved: readonly Tensor[],
  backward: Node['backward'],
): void {
  if (!needsGrad(...inputs)) return;
  for (const s of saved) s.storage.retain();
  for (const i of inputs) if (i.node) i.node.consumers++;
  out.requiresGrad = true;
  out.node = { op, inputs, saved, backward, consumers: 0, released: false };
}

/** Free a node's saved tensors. With `cascade`, upstream nodes that nobody needs any more
 *  (their tensor disposed, no other consumer) go too; backward passes false, since it is about
 *  to visit those nodes itself. */
function releaseNode(node: Node, cascade = true): void {
  if (node.released) return;
  node.released = true;
  for (const s of node.saved) s.storage.release();
  for (const i of node.inputs) {
    const n = i.node;
    if (n && !n.released && --n.consumers === 0 && cascade && i.isDisposed) {
      releaseNode(n);
      i.node = null;
    }
  }
}

/** A tensor disposed by its owner drops its node once nothing downstream needs it. */
function onDispose(t: Tensor): void {
  if (t.node && t.node.consumers === 0) {
    releaseNode(t.node);
    t.node = null;
  }
}

/** A copy-free handle on the same data that autograd does not see through. */
export function detach(t: Tensor): Tensor {
  const d = t.view(t.shape);
  d.requiresGrad = false;
  return d;
}

function topoOrder(root: Tensor): Tensor[] {
  const order: Tensor[] = [];
  const visited = new Set<Tensor>();
  // Iterative DFS: deep graphs (long training unrolls) must not overflow the JS stack.
  const stack: [Tensor, number][] = [[root, 0]];
  visited.add(root);
  while (stack.length) {
    const top = stack[stack.length - 1];
    const [t, i] = top;
    const inputs = t.node?.inputs ?? [];
    if (i < inputs.length) {
      top[1]++;
      const next = inputs[i];
      if (next.requiresGrad && !visited.has(next)) {
        visited.add(next);
        stack.push([next, 0]);
      }
    } else {
      order.push(t);
      stack.pop();
    }
  }
  return order;
}

function backward(root: Tensor, grad?: Tensor): void {
  if (!root.requiresGrad) throw new Error(`backward() on ${root} which does not require grad`);
  if (!grad && root.size !== 1) {
    throw new Error(`backward() without a gradient needs a scalar, got [${root.shape.join(', ')}]`);
  }
  if (grad && grad.size !== root.size) throw new Error('backward(): gradient shape differs from the tensor');
  noGrad(() => {
    const order = topoOrder(root);
    const grads = new Map<Tensor, Tensor>();
    grads.set(root, grad ?? full(root.shape, 1));
    for (let k = order.length - 1; k >= 0; k--) {
      const t = order[k];
      const g = grads.get(t);
      grads.delete(t);
      const node = t.node;
      if (!g) {
        // No gradient reaches t (its consumers sent none back): its graph is consumed all the same,
        // or the tensors it saved would stay retained for ever.
        if (node) {
          releaseNode(node, false);
          t.node = null;
        }
        continue;
      }
      if (!node) {
        // A leaf: accumulate into .grad, which outlives every scope.
        const acc = t.grad ? add(t.grad, g) : g === grad ? g.view(g.shape) : g;
        if (t.grad) {
          t.grad.dispose();
          if (g !== grad) g.dispose();
        }
        t.grad = keep(acc);
        continue;
      }
      if (node.released) throw new Error(`backward() through ${t} whose graph was already consumed`);
      // Its own scope: temporaries of this backward are freed at once; the returned grads survive.
      // Backward closures read the tensors the forward saved, which may be disposed handles.
      const inputGrads = withSavedAccess(() => tidy(() => node.backward(g)));
      if (g !== grad) g.dispose();
      node.inputs.forEach((input, i) => {
        const ig = inputGrads[i];
        if (!ig || !input.requiresGrad) {
          if (ig) ig.dispose();
          return;
        }
        const prev = grads.get(input);
        if (prev) {
          grads.set(input, add(prev, ig));
          prev.dispose();
          ig.dispose();
        } else {
          grads.set(input, ig);
        }
      });
      releaseNode(node, false);
      t.node = null;
    }
  });
}

setAutogradHooks(backward, onDispose);
