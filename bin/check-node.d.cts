// Types of check-node.cjs.
/** Writes one line naming the Node version needed and exits 1 when this Node is too old. */
export declare function checkNode(): void;
