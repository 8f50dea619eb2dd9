// Showing text people wrote inside text of ours, whatever its direction.
//
// A right-to-left name (Arabic, Hebrew) set next to other text reorders its
// neighbours: "#12 محمد 3" can read as "#12 3 محمد". Isolated, it takes its
// direction from its own first strong letter (like dir="auto") and leaves the
// text around it alone. Elements get dir="auto" or <bdi>; plain strings (an
// <option>, which holds no elements) get Unicode's isolate characters.

export const FIRST_STRONG_ISOLATE = "\u2068";
export const POP_DIRECTIONAL_ISOLATE = "\u2069";

/** `text` isolated for use inside a plain string. */
export function isolate(text) {
  return `${FIRST_STRONG_ISOLATE}${text}${POP_DIRECTIONAL_ISOLATE}`;
}

/** A <bdi> element holding `text`, for use among other nodes. */
export function bdi(text, doc = globalThis.document) {
  const element = doc.createElement("bdi");
  element.textContent = text;
  return element;
}
