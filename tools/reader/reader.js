// The side-by-side reader's only script (tools/reader/reader.py): the
// index's search box, and on a page, landing on an anchor below the sticky
// headers and opening a folded declaration that is linked to. No network.
"use strict";
(function () {
  const search = document.getElementById("search");
  if (search) {
    const items = Array.from(document.querySelectorAll("#functions li"));
    search.addEventListener("input", () => {
      const q = search.value.trim().toLowerCase();
      for (const li of items) li.hidden = q !== "" && !li.dataset.name.includes(q);
    });
  }
  // Both columns of a row share its top, so scrolling the page keeps them
  // level; what remains is to land an anchor below the sticky headers.
  function land() {
    const id = decodeURIComponent(location.hash.slice(1));
    if (!id) return;
    const el = document.getElementById(id);
    if (!el) return;
    const folded = el.closest("details") || (el.querySelector && el.querySelector("details.folded"));
    if (folded) folded.open = true;
    const row = el.closest(".row") || el;
    const top = row.getBoundingClientRect().top + window.scrollY;
    const header = document.querySelector("header");
    const heads = document.querySelector(".colheads");
    const offset = (header ? header.offsetHeight : 0) + (heads ? heads.offsetHeight : 0);
    const target = el.classList.contains("ln") ? el.getBoundingClientRect().top + window.scrollY : top;
    window.scrollTo(0, Math.max(0, target - offset - 4));
  }
  window.addEventListener("hashchange", land);
  if (document.readyState === "complete") land();
  else window.addEventListener("load", land);
})();
