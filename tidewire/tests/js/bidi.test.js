import assert from "node:assert/strict";
import { test } from "node:test";

import { bdi, isolate } from "../../static/tidewire/bidi.js";

test("isolate wraps text in first-strong-isolate ... pop-directional-isolate", () => {
  assert.equal(isolate("محمد Lee"), "\u2068محمد Lee\u2069");
  assert.equal(`#3 ${isolate("שרה")} 4`, "#3 \u2068שרה\u2069 4");
});

test("bdi makes a <bdi> element holding the text as text, never markup", () => {
  const made = [];
  const doc = { createElement: (tag) => (made.push(tag), { tagName: tag, textContent: "" }) };
  const element = bdi("<b>محمد</b>", doc);
  assert.deepEqual(made, ["bdi"]);
  assert.equal(element.textContent, "<b>محمد</b>");
});
