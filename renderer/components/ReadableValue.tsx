import { isPlainObject } from '../logic/json-paths';

/** Field names as words: "invoice_total" / "invoiceTotal" -> "Invoice total". */
export function humanKey(key: string): string {
  const words = key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .trim()
    .toLowerCase();
  return words ? words[0].toUpperCase() + words.slice(1) : key;
}

function Scalar({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span className="val-null">empty</span>;
  if (typeof value === 'boolean') return <span className="val-bool">{value ? 'Yes' : 'No'}</span>;
  if (typeof value === 'number') return <span className="val-num">{value.toLocaleString()}</span>;
  return <span className="val-str">{String(value)}</span>;
}

/**
 * A JSON value as people read it: objects as key/value lists, nested objects as nested lists,
 * arrays as numbered lists. Never raw JSON.
 */
export function ReadableValue({ value, highlight }: { value: unknown; highlight?: ReadonlySet<string> }) {
  return <ValueNode value={value} path="" highlight={highlight} />;
}

function ValueNode({ value, path, highlight }: { value: unknown; path: string; highlight?: ReadonlySet<string> }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span className="val-null">none</span>;
    if (value.every((v) => !Array.isArray(v) && !isPlainObject(v))) {
      return (
        <ul className="kv-inline">
          {value.map((v, i) => (
            <li key={i}>
              <Scalar value={v} />
            </li>
          ))}
        </ul>
      );
    }
    return (
      <ol className="kv-array">
        {value.map((v, i) => (
          <li key={i}>
            <ValueNode value={v} path={`${path}[${i}]`} highlight={highlight} />
          </li>
        ))}
      </ol>
    );
  }
  if (isPlainObject(value)) {
    const keys = Object.keys(value);
    if (keys.length === 0) return <span className="val-null">none</span>;
    return (
      <dl className="kv">
        {keys.map((k) => {
          const p = path ? `${path}.${k}` : k;
          const hot = highlight?.has(p);
          return (
            <div key={k} className={`kv-row${hot ? ' kv-hot' : ''}`}>
              <dt>{humanKey(k)}</dt>
              <dd>
                <ValueNode value={value[k]} path={p} highlight={highlight} />
              </dd>
            </div>
          );
        })}
      </dl>
    );
  }
  return <Scalar value={value} />;
}
