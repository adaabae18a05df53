/* almaty-map data: reading the page's data blocks.
 *
 * The page carries two data blocks: the first (positions, categories, time slices) is
 * enough to draw, so the map draws at once; the second (titles, descriptions, sources)
 * follows the start script and is read once the document is parsed.
 * MIT License, almaty-map contributors.
 */
(function (root) {
  "use strict";
  const A = root.AlmatyMapLib;

  /** A data block's content: JSON, or (for large maps) deflated JSON in base64, inflated by
   * the browser's own DecompressionStream. */
  A.readData = function (element) {
    if (element.type === "application/json") return JSON.parse(element.textContent);
    const text = element.textContent.trim();
    let bytes;
    if (Uint8Array.fromBase64) bytes = Uint8Array.fromBase64(text);
    else {
      const binary = atob(text);
      bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    }
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).json();
  };

  /** The block with this id, read after the document is parsed (it follows the script). */
  A.readLater = function (id) {
    const parsed = document.readyState === "loading"
      ? new Promise((done) => document.addEventListener("DOMContentLoaded", done,
        { once: true }))
      : Promise.resolve();
    return parsed.then(() => A.readData(document.getElementById(id)));
  };
})(window);
