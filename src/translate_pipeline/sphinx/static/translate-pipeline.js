/* translate-pipeline: the language switcher keeps the reader's place.
 *
 * The switcher's links work as they are (same page, other language); on
 * click, this adds the section the reader is at: the address's #fragment,
 * else the section heading last scrolled past. On the search page it keeps
 * the query. The choice is remembered for the site's root page. */
(function () {
  "use strict";

  function sectionInView() {
    /* the address's section, while the reader is still at it */
    if (location.hash) {
      var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (target) {
        var box = target.getBoundingClientRect();
        if (box.bottom > 0 && box.top < window.innerHeight) return location.hash;
      }
    }
    var sections = document.querySelectorAll("[role=main] section[id]");
    var current = null;
    for (var i = 0; i < sections.length; i++) {
      if (sections[i].getBoundingClientRect().top > 80) break;
      current = sections[i];
    }
    /* the page's own top-level section is the top of the page */
    return current && current !== sections[0] ? "#" + current.id : "";
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-tp-language]") : null;
    if (!link) return;
    try {
      localStorage.setItem("tp-language", link.getAttribute("data-tp-language"));
    } catch (error) { /* storage disabled: nothing to remember */ }
    var base = link.href.split("#")[0];
    if (/(^|\/)search\.html$/.test(location.pathname)) base = base.split("?")[0] + location.search;
    link.href = base + sectionInView();
  });

  /* In the local preview of `translate-pipeline serve` only: while a review
   * page runs (`translate-pipeline review`), the preview says where, and
   * each marked passage links to its entry there. A published site answers
   * no such address, so its marks never link anywhere. */
  if (location.protocol === "http:" && /^(127\.0\.0\.1|localhost|\[::1\])$/.test(location.hostname)) {
    fetch("/_translate-pipeline/review.json", {cache: "no-store"}).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data || !data.review) return;
      var page = location.pathname.replace(/^\//, "");
      if (page === "" || /\/$/.test(page)) page += "index.html";
      var french = (document.documentElement.lang || "").slice(0, 2) === "fr";
      function reviewLink(where) {
        var link = document.createElement("a");
        link.className = "tp-review-link";
        link.href = data.review + "go?" + new URLSearchParams(Object.assign({path: page}, where));
        link.textContent = french ? "Réviser ce passage" : "Review this passage";
        return link;
      }
      document.querySelectorAll(".tp-mark > .tp-anchor[id]").forEach(function (anchor) {
        var mark = anchor.parentElement;
        var label = mark.querySelector(".tp-label") || mark;
        label.appendChild(document.createTextNode(" "));
        label.appendChild(reviewLink({anchor: anchor.id}));
      });
      /* a marked title: its entry is found by its section's id (derived from the original title) */
      document.querySelectorAll(":is(h1, h2, h3, h4, h5, h6).tp-mark").forEach(function (heading) {
        var section = heading.closest("section[id]");
        if (!section) return;
        var line = document.createElement("p");
        line.className = "tp-review-title";
        line.appendChild(reviewLink({section: section.id}));
        heading.insertAdjacentElement("afterend", line);
      });
    }).catch(function () { /* no preview server: nothing to link */ });
  }
})();
