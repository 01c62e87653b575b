/* qabot "Ask the archive" widget. One tag on any page of the newsroom's site:
 *   <script src="https://ask.example-news.ro/widget.js" async></script>
 *   <script src="https://ask.example-news.ro/widget.js" data-article="ARTICLE-ID" async></script>
 * It lives in a Shadow DOM (the site's CSS and ours never meet), follows <html lang> (ro, en),
 * and renders every piece of article text with textContent: text, never HTML. No build step. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var API = (script.getAttribute("data-api") || new URL(script.src, location.href).origin).replace(/\/+$/, "");
  var ARTICLE = script.getAttribute("data-article") || "";
  var PAGE = script.getAttribute("data-mode") === "page";
  var ACCENT = script.getAttribute("data-accent") || "#a3111d";
  var LANG = ((document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase() === "ro") ? "ro" : "en";
  var T = {
    en: {
      title: "Ask the archive", about: "Ask about this article", close: "Close", fresh: "New conversation",
      placeholder: "Ask about our reporting…", ask: "Ask", label: "Your question",
      intro: "Ask anything about our reporting. Every answer quotes the articles it comes from.",
      reading: "You're reading: ", aboutIntro: "Ask anything about this article; answers come from it first.",
      thinking: "Searching the archive…", sources: "Sources", timeline: "Timeline", source: "Source ",
      notFound: "Not in the archive", closest: "Closest articles in the archive", undated: "undated",
      helpful: "Helpful", unhelpful: "Not helpful", report: "Report a problem", reason: "What is wrong with this answer?",
      send: "Send", thanks: "Thank you, your feedback was sent.", next: "Ask next", you: "You asked",
      answer: "Answer", error: "Something went wrong. Please try again.", tooMany: "Too many questions. Try again in {s} s.",
      footer: "Answers are quoted from our archive by qabot."
    },
    ro: {
      title: "Întreabă arhiva", about: "Întreabă despre acest articol", close: "Închide", fresh: "Conversație nouă",
      placeholder: "Întreabă despre articole…", ask: "Întreabă", label: "Întrebarea ta",
      intro: "Întreabă orice despre articolele noastre. Fiecare răspuns citează articolele din care provine.",
      reading: "Citești: ", aboutIntro: "Întreabă orice despre acest articol; răspunsurile vin întâi din el.",
      thinking: "Caut în arhivă…", sources: "Surse", timeline: "Cronologie", source: "Sursa ",
      notFound: "Nu există în arhivă", closest: "Cele mai apropiate articole din arhivă", undated: "fără dată",
      helpful: "Util", unhelpful: "Nu este util", report: "Raportează o problemă", reason: "Ce nu este în regulă cu acest răspuns?",
      send: "Trimite", thanks: "Mulțumim, părerea ta a fost trimisă.", next: "Întreabă mai departe", you: "Ai întrebat",
      answer: "Răspuns", error: "Ceva nu a mers. Încearcă din nou.", tooMany: "Prea multe întrebări. Încearcă din nou peste {s} s.",
      footer: "Răspunsurile sunt citate din arhiva noastră de qabot."
    }
  }[LANG];
  var DATES = new Intl.DateTimeFormat(LANG === "ro" ? "ro-RO" : "en-GB", { day: "numeric", month: "long", year: "numeric", timeZone: "UTC" });
  var CSS = [
    ":host{all:initial}",
    ".root{font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;--a:" + ACCENT + "}",
    ".root *{box-sizing:border-box}",
    ".launch{position:fixed;right:20px;bottom:20px;z-index:2147483000;display:flex;gap:8px;align-items:center;border:0;border-radius:999px;padding:12px 18px;background:var(--a);color:#fff;font-weight:600;font-size:15px;line-height:1.2;font-family:inherit;box-shadow:0 6px 24px rgba(0,0,0,.25);cursor:pointer}",
    ".launch:focus-visible,button:focus-visible,a:focus-visible,textarea:focus-visible{outline:3px solid #f5b400;outline-offset:2px}",
    ".box{display:flex;flex-direction:column;background:#fff}",
    ".panel .box{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:420px;height:min(640px,calc(100vh - 40px));border-radius:14px;box-shadow:0 12px 48px rgba(0,0,0,.3);overflow:hidden}",
    ".page .box{max-width:760px;margin:0 auto;min-height:60vh}",
    ".box[hidden]{display:none}",
    ".head{display:flex;align-items:center;gap:8px;padding:12px 16px;border-bottom:3px solid var(--a)}",
    ".head h2{flex:1;margin:0;font:700 19px/1.2 Georgia,'Times New Roman',serif}",
    ".page .head h2{font-size:15px;color:#666;font-family:inherit;font-weight:600}",
    ".head button{border:1px solid #ccc;background:#fff;border-radius:8px;padding:4px 10px;font:inherit;font-size:13px;cursor:pointer;color:#333}",
    ".log{flex:1;overflow-y:auto;padding:16px;display:flex;flex-direction:column;gap:14px}",
    ".page .log{overflow:visible}",
    ".intro{color:#555;margin:0}",
    ".reading{margin:0;padding:10px 12px;background:#f6f1ea;border-left:4px solid var(--a);font-family:Georgia,serif}",
    ".q{align-self:flex-end;max-width:85%;background:var(--a);color:#fff;padding:8px 12px;border-radius:14px 14px 2px 14px;margin:0;white-space:pre-wrap;overflow-wrap:anywhere}",
    ".a{background:#f7f7f5;border:1px solid #e6e3dc;border-radius:12px;padding:12px 14px}",
    ".a p{margin:0 0 8px;overflow-wrap:anywhere}",
    ".a h3{margin:12px 0 6px;font-weight:700;font-size:12px;line-height:1.2;font-family:inherit;text-transform:uppercase;letter-spacing:.06em;color:#666}",
    ".badge{display:inline-block;background:#fff3cd;color:#6b4e00;border-radius:6px;padding:2px 8px;font-size:13px;font-weight:600;margin-bottom:6px}",
    ".m{border:0;background:none;color:var(--a);font-weight:600;font-size:12px;line-height:1;font-family:inherit;vertical-align:super;padding:0 1px;cursor:pointer}",
    "ol,ul{margin:0;padding:0;list-style:none}",
    ".tl li{display:grid;grid-template-columns:8.5em 1fr;gap:8px;padding:6px 0;border-top:1px solid #e6e3dc}",
    ".tl time{font-weight:600;color:#444}",
    ".cards{display:flex;flex-direction:column;gap:8px}",
    ".card a,.near a{display:block;text-decoration:none;color:inherit;background:#fff;border:1px solid #e0ddd5;border-radius:10px;padding:10px 12px}",
    ".card a:hover,.near a:hover{border-color:var(--a)}",
    ".card.hl a{box-shadow:0 0 0 3px #f5b400}",
    ".n{display:inline-block;min-width:1.6em;text-align:center;background:var(--a);color:#fff;border-radius:4px;font-size:12px;font-weight:700;margin-right:6px}",
    ".t{font:700 16px/1.3 Georgia,'Times New Roman',serif;color:#111}",
    "time.d{display:block;font-size:13px;color:#666;margin:2px 0}",
    ".s{display:block;font-size:14px;color:#333}",
    ".near{display:flex;flex-direction:column;gap:6px}",
    ".chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:8px}",
    ".chips button{border:1px solid var(--a);color:var(--a);background:#fff;border-radius:999px;padding:4px 12px;font:inherit;font-size:13px;cursor:pointer}",
    ".fb{display:flex;flex-wrap:wrap;gap:6px;align-items:center;margin-top:10px}",
    ".fb button{border:1px solid #ccc;background:#fff;border-radius:8px;padding:4px 10px;font:inherit;font-size:13px;cursor:pointer;color:#333}",
    ".fb button[aria-pressed=true]{background:var(--a);color:#fff;border-color:var(--a)}",
    ".fb form{display:flex;gap:6px;width:100%}",
    ".fb input{flex:1;font:inherit;font-size:14px;padding:4px 8px;border:1px solid #bbb;border-radius:8px}",
    ".note{font-size:13px;color:#2d6a2d}",
    ".err{color:#a3111d;margin:0}",
    ".wait{color:#666;font-style:italic;margin:0}",
    "form.ask{display:flex;gap:8px;padding:12px 16px;border-top:1px solid #e6e3dc;background:#fff}",
    ".page form.ask{position:sticky;bottom:0}",
    "textarea{flex:1;resize:none;overflow-y:hidden;font:inherit;padding:10px 12px;border:1px solid #bbb;border-radius:10px;min-height:44px;max-height:140px}",
    "form.ask button{border:0;background:var(--a);color:#fff;border-radius:10px;padding:0 18px;font-weight:600;font-size:15px;line-height:1;font-family:inherit;cursor:pointer;min-height:44px}",
    ".foot{margin:0;padding:0 16px 10px;font-size:12px;color:#777;background:#fff}",
    ".sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}",
    "@media (max-width:600px){.panel .box{inset:0;width:auto;height:auto;border-radius:0}.launch{right:12px;bottom:12px}.tl li{grid-template-columns:1fr;gap:0}}"
  ].join("\n");

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    if (attrs) for (var k in attrs) if (attrs[k] !== null && attrs[k] !== undefined) node.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function safeUrl(url) {
    try { var u = new URL(url, location.href); return (u.protocol === "https:" || u.protocol === "http:") ? u.href : null; }
    catch (e) { return null; }
  }
  function day(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
    return m ? DATES.format(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]))) : "";
  }
  function dated(iso) {
    return el("time", { "class": "d", datetime: (iso || "").slice(0, 10) || null }, day(iso) || T.undated);
  }
  function link(url, children) {
    var href = safeUrl(url);
    var a = el(href ? "a" : "div", href ? { href: href, target: "_blank", rel: "noopener noreferrer" } : null);
    children.forEach(function (c) { a.appendChild(c); });
    return a;
  }

  var host = el("div", { "data-qabot": "" });
  var shadow = host.attachShadow({ mode: "open" });
  var style = el("style", null, CSS);
  shadow.appendChild(style);
  var root = el("div", { "class": "root " + (PAGE ? "page" : "panel"), lang: LANG });
  shadow.appendChild(root);
  var title = ARTICLE ? T.about : T.title;
  var launch = null;
  var box = el("section", { "class": "box", id: "qabot-box", role: PAGE ? "region" : "dialog", "aria-label": title });
  if (!PAGE) {
    launch = el("button", { "class": "launch", type: "button", "aria-expanded": "false", "aria-controls": "qabot-box" });
    launch.appendChild(el("span", { "aria-hidden": "true" }, "?"));
    launch.appendChild(el("span", null, title));
    root.appendChild(launch);
    box.hidden = true;
  }
  var head = el("div", { "class": "head" });
  head.appendChild(el("h2", null, title));
  var freshBtn = el("button", { type: "button" }, T.fresh);
  head.appendChild(freshBtn);
  var closeBtn = null;
  if (!PAGE) { closeBtn = el("button", { type: "button", "aria-label": T.close }, "✕"); head.appendChild(closeBtn); }
  var log = el("div", { "class": "log", role: "log", "aria-live": "polite", "aria-label": title });
  var form = el("form", { "class": "ask" });
  var input = el("textarea", { id: "qabot-q", rows: "1", maxlength: "1000", placeholder: T.placeholder, "aria-label": T.label, enterkeyhint: "send" });
  var askBtn = el("button", { type: "submit" }, T.ask);
  form.appendChild(input);
  form.appendChild(askBtn);
  box.appendChild(head);
  box.appendChild(log);
  box.appendChild(form);
  box.appendChild(el("p", { "class": "foot" }, T.footer));
  root.appendChild(box);

  var conversation = null;
  var busy = false;

  function intro() {
    log.textContent = "";
    if (ARTICLE) {
      var reading = el("p", { "class": "reading" });
      log.appendChild(reading);
      log.appendChild(el("p", { "class": "intro" }, T.aboutIntro));
      fetch(API + "/api/articles/" + encodeURIComponent(ARTICLE)).then(function (r) {
        return r.ok ? r.json() : null;
      }).then(function (a) {
        if (a && a.title) { reading.textContent = T.reading + a.title; } else { reading.remove(); }
      }).catch(function () { reading.remove(); });
    } else {
      log.appendChild(el("p", { "class": "intro" }, T.intro));
      // questions the archive answers (checked by asking them), in the page's language
      fetch(API + "/api/suggestions?lang=" + LANG).then(function (r) { return r.ok ? r.json() : null; }).then(function (d) {
        if (d && (d.suggestions || []).length && !log.querySelector(".q")) log.appendChild(chips(d.suggestions));
      }).catch(function () {});
    }
  }

  function markers(parent, text, answerNode) {
    String(text).split(/(\[\d+\])/).forEach(function (part) {
      var m = /^\[(\d+)\]$/.exec(part);
      if (!m) { if (part) parent.appendChild(document.createTextNode(part)); return; }
      var b = el("button", { "class": "m", type: "button", "aria-label": T.source + m[1] }, "[" + m[1] + "]");
      b.addEventListener("click", function () {
        var card = answerNode.querySelector('.card[data-n="' + m[1] + '"]');
        if (!card) return;
        answerNode.querySelectorAll(".card.hl").forEach(function (c) { c.classList.remove("hl"); });
        card.classList.add("hl");
        var a = card.querySelector("a");
        if (a) { a.focus(); } else { card.scrollIntoView({ block: "nearest" }); }
      });
      parent.appendChild(b);
    });
  }

  function cards(node, data) {
    node.appendChild(el("h3", null, T.sources));
    var list = el("ol", { "class": "cards" });
    data.citations.forEach(function (c) {
      var li = el("li", { "class": "card", "data-n": c.n });
      var n = el("span", { "class": "n", "aria-label": T.source + c.n }, c.n);
      li.appendChild(link(c.link || c.url, [n, el("span", { "class": "t" }, c.title || c.article_id), dated(c.published), el("span", { "class": "s" }, c.snippet || "")]));
      list.appendChild(li);
    });
    node.appendChild(list);
  }

  function closest(node, data) {
    node.appendChild(el("h3", null, T.closest));
    var list = el("ul", { "class": "near" });
    (data.closest || []).forEach(function (h) {
      var li = el("li");
      li.appendChild(link(h.url, [el("span", { "class": "t" }, h.title || h.article_id), dated(h.published)]));
      list.appendChild(li);
    });
    node.appendChild(list);
  }

  function feedback(node, data) {
    var row = el("div", { "class": "fb", role: "group", "aria-label": T.report });
    var note = el("span", { "class": "note", role: "status" });
    function post(body) {
      body.answer = data.feedback_id;
      return fetch(API + "/api/feedback", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
        .then(function (r) { note.textContent = r.ok ? T.thanks : T.error; });
    }
    [[1, "✓", T.helpful], [-1, "✗", T.unhelpful]].forEach(function (v) {
      var b = el("button", { type: "button", "aria-pressed": "false", "aria-label": v[2], title: v[2], "data-vote": v[0] }, v[1] + " " + v[2]);
      b.addEventListener("click", function () {
        row.querySelectorAll("[data-vote]").forEach(function (o) { o.setAttribute("aria-pressed", String(o === b)); });
        post({ vote: v[0] });
      });
      row.appendChild(b);
    });
    var rep = el("button", { type: "button", "aria-expanded": "false" }, T.report);
    rep.addEventListener("click", function () {
      if (row.querySelector("form")) return;
      rep.setAttribute("aria-expanded", "true");
      var f = el("form");
      var reason = el("input", { type: "text", maxlength: "300", "aria-label": T.reason, placeholder: T.reason, required: "" });
      f.appendChild(reason);
      f.appendChild(el("button", { type: "submit" }, T.send));
      f.addEventListener("submit", function (e) {
        e.preventDefault();
        if (!reason.value.trim()) return;
        post({ problem: reason.value.trim() }).then(function () { f.remove(); rep.setAttribute("aria-expanded", "false"); });
      });
      row.insertBefore(f, note);
      reason.focus();
    });
    row.appendChild(rep);
    row.appendChild(note);
    node.appendChild(row);
  }

  function chips(questions) {
    var row = el("div", { "class": "chips", role: "group", "aria-label": T.next });
    questions.forEach(function (s) {
      var b = el("button", { type: "button" }, s);
      b.addEventListener("click", function () { ask(String(s)); });
      row.appendChild(b);
    });
    return row;
  }

  function render(data) {
    var node = el("article", { "class": "a", "aria-label": T.answer });
    if (!data.found) {
      node.appendChild(el("span", { "class": "badge" }, T.notFound));
      node.appendChild(el("p", null, data.answer));
      if ((data.closest || []).length) closest(node, data);
    } else if ((data.timeline || []).length) {
      node.appendChild(el("h3", null, data.heading || T.timeline));  // a list's, comparison's or digest's own
      var tl = el("ol", { "class": "tl" });
      data.timeline.forEach(function (e) {
        var li = el("li");
        li.appendChild(dated(e.published));
        var span = el("span");
        markers(span, e.text + (e.n ? " [" + e.n + "]" : ""), node);
        li.appendChild(span);
        tl.appendChild(li);
      });
      node.appendChild(tl);
      var last = data.heading ? (data.answer || "").split("\n").pop() : "";
      if (last && last.indexOf("- ") !== 0) node.appendChild(el("p", null, last));  // "…and 4 older articles."
    } else {
      var p = el("p", { "class": "text" });
      markers(p, data.answer, node);
      node.appendChild(p);
    }
    if (data.found && (data.citations || []).length) cards(node, data);
    if ((data.suggestions || []).length) node.appendChild(chips(data.suggestions));
    if (data.feedback_id) feedback(node, data);
    return node;
  }

  function ask(question) {
    question = question.trim();
    if (!question || busy) return;
    busy = true;
    askBtn.disabled = true;
    log.appendChild(el("p", { "class": "q", "aria-label": T.you }, question));
    var wait = el("p", { "class": "wait", role: "status" }, T.thinking);
    log.appendChild(wait);
    wait.scrollIntoView({ block: "nearest" });
    if (PAGE && history.replaceState) history.replaceState(null, "", "?q=" + encodeURIComponent(question));
    var body = { question: question, language: LANG };
    if (conversation) body.conversation = conversation;
    if (ARTICLE) body.article = ARTICLE;
    fetch(API + "/api/ask", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) { return { r: r, data: data }; });
      })
      .then(function (res) {
        wait.remove();
        if (res.r.ok) {
          conversation = res.data.conversation || conversation;
          var node = render(res.data);
          log.appendChild(node);
          node.scrollIntoView({ block: "nearest" });
        } else if (res.r.status === 429) {
          log.appendChild(el("p", { "class": "err", role: "alert" }, T.tooMany.replace("{s}", res.r.headers.get("Retry-After") || "60")));
        } else {
          if (res.data.field === "conversation") conversation = null;
          log.appendChild(el("p", { "class": "err", role: "alert" }, res.data.error || T.error));
        }
      })
      .catch(function () { wait.remove(); log.appendChild(el("p", { "class": "err", role: "alert" }, T.error)); })
      .then(function () { busy = false; askBtn.disabled = false; });
  }

  function open(show) {
    if (!launch) return;
    box.hidden = !show;
    launch.hidden = show;
    launch.setAttribute("aria-expanded", String(show));
    if (show) { input.focus(); } else { launch.focus(); }
  }

  form.addEventListener("submit", function (e) { e.preventDefault(); var q = input.value; input.value = ""; ask(q); });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit")); }
  });
  box.addEventListener("keydown", function (e) { if (e.key === "Escape" && launch) open(false); });
  freshBtn.addEventListener("click", function () { conversation = null; intro(); input.focus(); });
  if (launch) launch.addEventListener("click", function () { open(true); });
  if (closeBtn) closeBtn.addEventListener("click", function () { open(false); });

  intro();
  var target = PAGE && script.getAttribute("data-target") ? document.getElementById(script.getAttribute("data-target")) : null;
  (target || document.body).appendChild(host);
  if (PAGE) {
    var q = new URLSearchParams(location.search).get("q");
    if (q) { input.value = ""; ask(q); } else { input.focus(); }
  }
})();
