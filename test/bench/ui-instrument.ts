// In-page instrumentation for the UI bench, installed as an init script (runs before the app, and
// outside the page's CSP). It listens in the capture phase, ahead of the app's own keydown handler.
//
// decision sample: keydown (event.timeStamp) -> the triage view shows another item (MutationObserver
// on body[data-focused-item-id]) -> the next animation frame (the frame that paints it); `waited` when no item
// was shown in between (the look-ahead was empty and the key waited for the core); `startMs`: keydown -> this
// capture listener runs (the input delay: what the main thread was still doing when the key came).
// rpc: desk calls sent, by method (browser mode's POST /rpc/<method>, or a message on its desk socket).
// baseline sample: keydown of an unbound key -> the next animation frame (the floor any key pays).
// durable sample: keydown of a decision -> the desk API's answer to triage.decide arrives in the page, with the
//   key's and the request's epoch times and the item decided. The bench lines these up with the core's work trace:
//   keypress -> decision durable is the key to the decision's commit in the core (synchronous=FULL), not this
//   answer's arrival (which adds the way back; the UI does not wait for it).
// filter sample: class toggle click or text input -> the grid shows a different, loaded row set -> next frame.
export const UI_INSTRUMENT = String.raw`
(() => {
  const b = { decisions: [], durable: [], baseline: [], filters: [], loafs: [], armed: null, decisionT0: null, rpc: {} };
  // Browser mode calls the desk API with fetch (bound at start-up, after this script ran): the first
  // triage.decide after an armed keydown is that key's decision.
  const realFetch = window.fetch.bind(window);
  window.fetch = (input, init) => {
    const url = typeof input === 'string' ? input : input.url;
    // Desk calls by method (the bench reads them per decision): every call costs the page a fetch and an answer.
    const method = /\/rpc\/([^/?]+)$/.exec(url);
    if (method) b.rpc[method[1]] = (b.rpc[method[1]] || 0) + 1;
    const t0 = url.endsWith('/rpc/triage.decide') ? b.decisionT0 : null;
    if (t0 !== null) b.decisionT0 = null;
    const answer = realFetch(input, init);
    if (t0 !== null) {
      const sentMs = performance.now() - t0;
      // Epoch times (performance.timeOrigin + now, as the core's work trace keeps them) and the item decided,
      // so the bench can line this decision up with what the core's thread did meanwhile.
      const epoch = (t) => performance.timeOrigin + t;
      let itemId = null;
      try { itemId = JSON.parse(String(init && init.body)).itemId; } catch (e) { itemId = null; }
      let headersAt = null;
      answer.then((res) => { headersAt = epoch(performance.now()); return res.clone().json(); }).then((body) => {
        if (body && body.ok) b.durable.push({ ms: performance.now() - t0, sentMs, itemId, keyAt: epoch(t0), sentAt: epoch(t0 + sentMs), headersAt, answerAt: epoch(performance.now()) });
      }, () => undefined);
    }
    return answer;
  };
  // The desk socket (browser mode's persistent transport): calls go out as { id, method, input } messages and
  // come back as { id, result }. The listener is added in the constructor, ahead of the app's onmessage, so an
  // answer is stamped when it arrives, not after the app has handled it.
  const RealWebSocket = window.WebSocket;
  if (typeof RealWebSocket === 'function') {
    const epochOf = (t) => performance.timeOrigin + t;
    window.WebSocket = class extends RealWebSocket {
      constructor(...args) {
        super(...args);
        this.__decisions = new Map();
        this.addEventListener('message', (e) => {
          let msg = null;
          try { msg = JSON.parse(String(e.data)); } catch (err) { msg = null; }
          const d = msg && this.__decisions.get(msg.id);
          if (!d) return;
          this.__decisions.delete(msg.id);
          const now = performance.now();
          if (msg.result && msg.result.ok) b.durable.push({ ms: now - d.t0, sentMs: d.sentMs, itemId: d.itemId, keyAt: epochOf(d.t0), sentAt: epochOf(d.t0 + d.sentMs), headersAt: null, answerAt: epochOf(now) });
        });
      }
      send(data) {
        let msg = null;
        try { msg = JSON.parse(String(data)); } catch (err) { msg = null; }
        if (msg && typeof msg.method === 'string') {
          b.rpc[msg.method] = (b.rpc[msg.method] || 0) + 1;
          if (msg.method === 'triage.decide' && b.decisionT0 !== null) {
            const t0 = b.decisionT0;
            b.decisionT0 = null;
            this.__decisions.set(msg.id, { t0, sentMs: performance.now() - t0, itemId: msg.input ? msg.input.itemId : null });
          }
        }
        return super.send(data);
      }
    };
  }
  window.__uiBench = b;
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) b.loafs.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration || 0 });
    }).observe({ type: 'long-animation-frame', buffered: false });
  } catch (e) { b.loafUnsupported = String(e); }
  const afterNextFrame = (t0, sink, extra) => requestAnimationFrame(() => sink.push(Object.assign({ ms: performance.now() - t0 }, extra || {})));
  window.addEventListener('keydown', (e) => {
    const t0 = e.timeStamp;
    if (b.armed === 'baseline') { b.armed = null; afterNextFrame(t0, b.baseline); return; }
    if (b.armed !== 'decision') return;
    b.armed = null;
    b.decisionT0 = t0;
    // Input delay: the page's main thread was busy (answers, re-renders) when the key arrived.
    const startMs = performance.now() - t0;
    const before = document.body.dataset.focusedItemId;
    // No item shown for a moment (the triage view's "Loading…"): the look-ahead had no next item, so this
    // key waited for the core's answers instead of painting from the window.
    let waited = false;
    const mo = new MutationObserver(() => {
      const now = document.body.dataset.focusedItemId;
      if (!now) waited = true;
      if (now && now !== before) {
        mo.disconnect();
        afterNextFrame(t0, b.decisions, { commitMs: performance.now() - t0, startMs, waited });
      }
    });
    mo.observe(document.body, { attributes: true, attributeFilter: ['data-focused-item-id'] });
  }, true);
  // Filter: from the event that changed the filter (a class toggle click, or typing in the text box) to
  // the frame after the grid shows a different, fully loaded set of rows.
  const signature = (grid) => grid.dataset.total + '|' + [...grid.querySelectorAll('[data-testid="queue-row"]')].map((r) => r.dataset.itemId || '?').join(',');
  // A filter change that leaves the rows as they were (clearing a term every row matched) never
  // completes; its observer must not live on and time the NEXT change from this event's timestamp.
  let pendingFilter = null;
  const onFilterEvent = (e) => {
    if (b.armed !== 'filter') return;
    b.armed = null;
    if (pendingFilter) { pendingFilter.disconnect(); pendingFilter = null; }
    const t0 = e.timeStamp;
    const grid = document.querySelector('[data-testid="queue-grid"]');
    if (!grid) return;
    const before = signature(grid);
    const mo = new MutationObserver(() => {
      const g = document.querySelector('[data-testid="queue-grid"]');
      if (!g || g.querySelector('.is-loading')) return;
      if (g.querySelectorAll('[data-testid="queue-row"]').length === 0 && g.dataset.total !== '0') return;
      if (signature(g) === before) return;
      mo.disconnect();
      pendingFilter = null;
      afterNextFrame(t0, b.filters, { commitMs: performance.now() - t0, kind: e.type, total: Number(g.dataset.total) });
    });
    pendingFilter = mo;
    mo.observe(document.body, { attributes: true, childList: true, subtree: true, attributeFilter: ['data-total', 'data-item-id', 'class'] });
  };
  window.addEventListener('input', onFilterEvent, true);
  window.addEventListener('click', onFilterEvent, true);
})();
`;
