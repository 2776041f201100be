import type { Tensor } from './tensor.ts';

/** One recorded op: how to send its output's gradient back to its inputs. */
export interface Node {
  readonly op: string;
  readonly inputs: readonly Tensor[];
  /** Tensors the backward reads; their storage is retained until the node is released. */
  readonly saved: readonly Tensor[];
  /** Gradient w.r.t. each input (null where an input needs none), given the output's gradient. */
  readonly backward: (grad: Tensor) => readonly (Tensor | null)[];
  /** Live nodes that take this node's output as an input. */
  consumers: number;
  released: boolean;
}
