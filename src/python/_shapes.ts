/**
 * The lexical shape of parsed JSON numbers, kept beside the plain JS values.
 *
 * `JSON.parse` turns `1.0` into `1` and `123456789012345678901234567890` into
 * an approximation; Python keeps a float and an exact int and prints them back
 * as `1.0` and the exact digits. A parse records, per container and key, only
 * the numbers whose Python spelling a JS number cannot reproduce (integral
 * floats and unsafe ints), and `pyDumps` uses the record while the value at
 * that place is still the number that was parsed.
 *
 * Containers are keyed by identity, so a shape follows its object or array
 * when the user moves it, and silently stops applying when the user replaces
 * the number (the value no longer matches) or the container.
 */

/** How Python sees one parsed number. */
export interface NumberShape {
  /** True for a float literal (`1.0`, `1e16`), false for an int literal. */
  readonly float: boolean;
  /** The JS number the literal parsed to; the shape applies only while the value is still this number. */
  readonly value: number;
  /** Exact decimal digits of an int literal that a JS number cannot hold. */
  readonly digits?: string;
}

type Key = string | number;

/** Side record of number shapes for one parsed document (see module doc). */
export class NumberShapes {
  #byContainer: Map<object, Map<Key, NumberShape>> | undefined;
  #keyOrder: Map<object, string[]> | undefined;
  /** Shape of a document that is a bare number. */
  root: NumberShape | undefined;

  /** True when nothing was recorded (the common case: plain ints only). */
  get isEmpty(): boolean {
    return this.#byContainer === undefined && this.#keyOrder === undefined && this.root === undefined;
  }

  /** The shapes recorded for the members of `container`, if any. */
  of(container: object): ReadonlyMap<Key, NumberShape> | undefined {
    return this.#byContainer?.get(container);
  }

  get(container: object, key: Key): NumberShape | undefined {
    return this.#byContainer?.get(container)?.get(key);
  }

  /** The map for `container`, created on first use (for the parser). */
  mapFor(container: object): Map<Key, NumberShape> {
    this.#byContainer ??= new Map();
    let map = this.#byContainer.get(container);
    if (map === undefined) {
      map = new Map();
      this.#byContainer.set(container, map);
    }
    return map;
  }

  set(container: object, key: Key, shape: NumberShape): void {
    this.mapFor(container).set(key, shape);
  }

  /**
   * Source order of an object's keys, recorded only when JS would reorder
   * them (integer-like keys come first in JS objects, Python keeps insertion
   * order).
   */
  keyOrder(container: object): readonly string[] | undefined {
    return this.#keyOrder?.get(container);
  }

  setKeyOrder(container: object, keys: string[]): void {
    this.#keyOrder ??= new Map();
    this.#keyOrder.set(container, keys);
  }

  /**
   * Let `copy` (a shallow copy of `original`, like Python's `dict.copy()`)
   * print its numbers the way `original` would.
   */
  adopt(copy: object, original: object): void {
    const shapes = this.#byContainer?.get(original);
    if (shapes !== undefined) {
      const target = this.mapFor(copy);
      target.clear();
      for (const [key, shape] of shapes) target.set(key, shape);
    }
    const order = this.#keyOrder?.get(original);
    if (order !== undefined) this.setKeyOrder(copy, [...order]);
  }
}
