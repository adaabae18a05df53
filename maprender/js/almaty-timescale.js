/* almaty-map time scale: the timeline's axis, with long empty stretches cut out.
 *
 * The stretches of time that hold events share the width, each at least MIN_SEGMENT px, and
 * the empty time between them (more than a fifth of the whole, and three days) becomes a
 * break BREAK px wide, so a week of events and a coda months later both stay legible.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const HOUR = 3600;
  const DAY = 86400;
  const SIDE = 12;         // px of margin left and right
  const BREAK = 18;        // px for a cut-out stretch of time
  const MIN_SEGMENT = 56;  // px at least for each stretch of events

  /** A piecewise-linear scale over the stretches of time that hold events. */
  A.timeScale = function (starts, ends, width) {
    const order = Array.from(starts.keys()).sort((a, b) => starts[a] - starts[b]);
    const first = starts[order[0]];
    let last = first;
    for (let i = 0; i < ends.length; i++) last = Math.max(last, ends[i]);
    const gapLimit = Math.max((last - first) * 0.2, 3 * DAY);
    const stretches = [];
    let lo = first;
    let hi = ends[order[0]];
    for (const i of order) {
      if (starts[i] > hi + gapLimit) {
        stretches.push([lo, hi]);
        lo = starts[i];
      }
      hi = Math.max(hi, ends[i], starts[i]);
    }
    stretches.push([lo, hi]);
    // Pad each stretch, and give an instant a day's width so it is not a point.
    const spans = stretches.map(([a, b]) => {
      const pad = Math.max((b - a) * 0.03, 3 * HOUR);
      const mid = (a + b) / 2;
      return b - a < DAY ? [mid - DAY / 2 - pad, mid + DAY / 2 + pad] : [a - pad, b + pad];
    });
    const inner = Math.max(width - 2 * SIDE - BREAK * (spans.length - 1), spans.length);
    const total = spans.reduce((sum, [a, b]) => sum + (b - a), 0);
    const fixed = Math.min(MIN_SEGMENT, inner / spans.length);
    const spare = inner - fixed * spans.length;
    let x = SIDE;
    const segments = spans.map(([a, b]) => {
      const w = fixed + (spare * (b - a)) / total;
      const segment = { t0: a, t1: b, x0: x, x1: x + w };
      x += w + BREAK;
      return segment;
    });
    return {
      segments,
      gap: BREAK,
      x(t) {
        for (let k = 0; k < segments.length; k++) {
          const s = segments[k];
          if (t <= s.t1 || k === segments.length - 1) {
            if (t < s.t0) return k ? s.x0 - BREAK / 2 : s.x0;
            return s.x0 + ((Math.min(t, s.t1) - s.t0) / (s.t1 - s.t0)) * (s.x1 - s.x0);
          }
        }
        return x;
      },
      t(px) {
        for (let k = 0; k < segments.length; k++) {
          const s = segments[k];
          if (px <= s.x1 || k === segments.length - 1) {
            const clamped = Math.min(Math.max(px, s.x0), s.x1);
            return s.t0 + ((clamped - s.x0) / (s.x1 - s.x0)) * (s.t1 - s.t0);
          }
        }
        return last;
      },
    };
  };

  /** Tick marks at local midnights (or weeks, or months) that leave room for labels. */
  A.timeTicks = function (segment, offsetMinutes) {
    const pxPerSecond = (segment.x1 - segment.x0) / (segment.t1 - segment.t0);
    const steps = [6 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 365 * DAY];
    const step = steps.find((s) => s * pxPerSecond >= 64) || steps[steps.length - 1];
    const shift = offsetMinutes * 60;
    const out = [];
    if (step >= 30 * DAY) {  // month starts
      const months = Math.round(step / (30 * DAY));
      const d = new Date((segment.t0 + shift) * 1000);
      let y = d.getUTCFullYear();
      let m = d.getUTCMonth() + 1;
      for (;;) {
        if (m > 11) { y += Math.floor(m / 12); m %= 12; }
        const t = Date.UTC(y, m, 1) / 1000 - shift;
        if (t > segment.t1) break;
        if (m % months === 0) out.push({ t, month: true });
        m += 1;
      }
      return out;
    }
    let t = Math.ceil((segment.t0 + shift) / Math.min(step, DAY)) * Math.min(step, DAY) - shift;
    for (; t <= segment.t1; t += step) out.push({ t, month: false, hour: step < DAY });
    return out;
  };
})(window);
