import { after } from 'node:test';

const stack: (() => unknown)[] = [];

// Registered when the test file loads, so it belongs to the file, not to whichever test or hook first
// called defer(): it runs once, after every test in the file.
after(async () => {
  while (stack.length > 0) await stack.pop()!();
});

/** Runs `fn` when the test file ends, after everything deferred later (last in, first out). */
export function defer(fn: () => unknown): void {
  stack.push(fn);
}
