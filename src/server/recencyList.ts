interface Node<K> {
  key: K;
  newer: Node<K> | undefined;
  older: Node<K> | undefined;
}

/**
 * Keys ordered by when they were last touched, newest first: touch, delete and "oldest" are
 * O(1), and the newest few can be read without looking at the rest. The relay keeps offline
 * identities in one, so a welcome's "recently seen" list and the directory's eviction do not
 * cost a scan of every identity on every join.
 */
export class RecencyList<K> {
  private readonly nodes = new Map<K, Node<K>>();
  private newestNode: Node<K> | undefined;
  private oldestNode: Node<K> | undefined;

  get size(): number {
    return this.nodes.size;
  }

  has(key: K): boolean {
    return this.nodes.has(key);
  }

  /** Makes `key` the newest, adding it if absent. */
  touch(key: K): void {
    let node = this.nodes.get(key);
    if (node) {
      if (node === this.newestNode) return;
      this.unlink(node);
    } else {
      node = { key, newer: undefined, older: undefined };
      this.nodes.set(key, node);
    }
    node.older = this.newestNode;
    if (this.newestNode) this.newestNode.newer = node;
    this.newestNode = node;
    this.oldestNode ??= node;
  }

  delete(key: K): boolean {
    const node = this.nodes.get(key);
    if (!node) return false;
    this.unlink(node);
    this.nodes.delete(key);
    return true;
  }

  oldest(): K | undefined {
    return this.oldestNode?.key;
  }

  /** Newest first. The list must not change while this is being iterated. */
  *newest(): IterableIterator<K> {
    for (let node = this.newestNode; node; node = node.older) yield node.key;
  }

  private unlink(node: Node<K>): void {
    if (node.newer) node.newer.older = node.older;
    else this.newestNode = node.older;
    if (node.older) node.older.newer = node.newer;
    else this.oldestNode = node.newer;
    node.newer = undefined;
    node.older = undefined;
  }
}
