import { after } from 'node:test';

const stack: (() => unknown)[] = [];
let registered = false;

/** Runs `fn` when the test file ends, after everything deferred later (last in, first out). */
export function defer(fn: () => unknown): void {
  if (!registered) {
    registered = true;
    after(async () => {
      while (stack.length > 0) await stack.pop()!();
    });
  }
  stack.push(fn);
}
