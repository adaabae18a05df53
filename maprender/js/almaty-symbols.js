/* almaty-map symbols: a shape per category, so the map reads in greyscale.
 *
 * The outlines are maprender/symbols.py's (in AlmatyMapLib.constants). Popups and the
 * timeline trace them on a canvas path; the canvas layer draws each category's symbol once
 * as a sprite and copies it straight into its pixels for every event (path calls cost
 * several microseconds each, a sprite copy a fraction of that).
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;
  const SYMBOL_RADIUS = (A.SYMBOL_RADIUS = 7);
  const HOLLOW_RADIUS = (A.HOLLOW_RADIUS = 5);  // an approximate location: hollow, smaller

  /** The unit outlines as flat [x0, y0, x1, y1, ...] lists. */
  const SHAPES = {};
  for (const [name, points] of Object.entries(A.constants.shapes)) SHAPES[name] = points.flat();

  /** Add one symbol to the current path (no allocation: this runs for every event drawn). */
  A.traceSymbol = function (ctx, symbol, x, y, r) {
    const shape = SHAPES[symbol];
    if (!shape) {
      ctx.moveTo(x + r, y);
      ctx.arc(x, y, r, 0, Math.PI * 2);
      return;
    }
    ctx.moveTo(x + shape[0] * r, y + shape[1] * r);
    for (let k = 2; k < shape.length; k += 2) ctx.lineTo(x + shape[k] * r, y + shape[k + 1] * r);
    ctx.closePath();
  };

  /** A category's symbol drawn once, as pixels: solid (exact) or hollow (approximate). */
  A.symbolSprite = function (cat, hollow, ratio) {
    const size = Math.ceil((SYMBOL_RADIUS * 2 + 6) * ratio);
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = size;
    const ctx = canvas.getContext("2d", { willReadFrequently: true });
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.beginPath();
    const centre = size / ratio / 2;
    A.traceSymbol(ctx, cat.symbol, centre, centre, hollow ? HOLLOW_RADIUS : SYMBOL_RADIUS);
    ctx.fillStyle = hollow ? "#ffffff" : cat.colour;
    ctx.fill();
    ctx.lineWidth = hollow ? 2 : 1;
    ctx.strokeStyle = hollow ? cat.colour : "#1a1a1a";
    ctx.stroke();
    const pixels = new Uint32Array(ctx.getImageData(0, 0, size, size).data.buffer.slice(0));
    // Keep only the pixels that show: a symbol covers about half its square.
    const cells = [];
    pixels.forEach((value, k) => {
      if (value >>> 24) cells.push(k);
    });
    return { size, half: size / 2, pixels, cells: Int32Array.from(cells),
      values: Uint32Array.from(cells, (k) => pixels[k]) };
  };

  /** Copy a sprite into a canvas's pixels (``out``, width x height) centred on each event of
   * ``indices``, placed by ``view`` {wx, wy (world positions), scale, ox, oy, ratio}. */
  A.stampSprite = function (out, width, height, sprite, indices, view) {
    const { wx, wy, scale, ox, oy, ratio } = view;
    const { size, half, pixels, cells, values } = sprite;
    const count = cells.length;
    if (sprite.width !== width) {  // offsets of the visible pixels in this canvas's rows
      sprite.width = width;
      sprite.offsets = Int32Array.from(cells, (cell) => Math.floor(cell / size) * width
        + (cell % size));
    }
    const offsets = sprite.offsets;
    for (const i of indices) {
      const left = Math.round((wx[i] * scale - ox) * ratio - half);
      const top = Math.round((wy[i] * scale - oy) * ratio - half);
      if (left <= -size || top <= -size || left >= width || top >= height) continue;
      if (left >= 0 && top >= 0 && left + size <= width && top + size <= height) {
        // Wholly inside (nearly always): copy the visible pixels without clipping.
        const base = top * width + left;
        for (let k = 0; k < count; k++) {
          const at = base + offsets[k];
          const src = values[k];
          const alpha = src >>> 24;
          out[at] = alpha === 255 ? src : blend(src, out[at], alpha);
        }
        continue;
      }
      for (let row = 0; row < size; row++) {
        const y = top + row;
        if (y < 0 || y >= height) continue;
        const line = y * width;
        for (let col = 0; col < size; col++) {
          const x = left + col;
          if (x < 0 || x >= width) continue;
          const src = pixels[row * size + col];
          const alpha = src >>> 24;
          if (alpha === 0) continue;
          if (alpha === 255) out[line + x] = src;
          else out[line + x] = blend(src, out[line + x], alpha);
        }
      }
    }
  };

  /** Source-over compositing of one non-premultiplied RGBA pixel (as little-endian ABGR);
   * onto an empty pixel (the usual case) it is a copy. */
  function blend(src, dst, alpha) {
    const dstAlpha = dst >>> 24;
    if (dstAlpha === 0) return src;
    const keep = (dstAlpha * (255 - alpha)) / 255;
    const total = alpha + keep;
    const r = (((src & 255) * alpha + (dst & 255) * keep) / total) | 0;
    const g = ((((src >>> 8) & 255) * alpha + ((dst >>> 8) & 255) * keep) / total) | 0;
    const b = ((((src >>> 16) & 255) * alpha + ((dst >>> 16) & 255) * keep) / total) | 0;
    return (((total | 0) << 24) | (b << 16) | (g << 8) | r) >>> 0;
  }
})(window);
