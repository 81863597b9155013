/**
 * A first-in-first-out queue with O(1) push and O(batch) take/drop from the front (an array
 * shift per item would make a 100,000-row backlog quadratic to drain).
 */
export class Fifo<T> {
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest `count` items, left in the queue. */
  peek(count: number): T[] {
    return this.items.slice(this.head, this.head + count);
  }

  /** Removes the oldest `count` items. */
  drop(count: number): void {
    this.head = Math.min(this.items.length, this.head + Math.max(0, count));
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
  }
}
