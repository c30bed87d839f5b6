// Client-side helpers: the document language (WCAG 3.1.1) and the wall's rotation and staleness,
// which must work when the server does not answer (a restart, a network cut).
(function () {
  // The wall's clock: tests inject one (window.vigieClock = () => ms); else the real clock.
  function now() {
    return typeof window.vigieClock === "function" ? window.vigieClock() : Date.now();
  }
  var noUpdate = function () {
    return window.dash_clientside.no_update;
  };
  // One request at a time: the next refresh is asked once the last answer came back (or after
  // `retry_ms` without one: a lost request during a network cut or a restart is asked again).
  var wall = { requestedAt: -Infinity, receivedAt: -Infinity };

  // The alerts page's rows: Dash component JSON (html.Table, Tr, Th, Td, Span, Strong, Br, P,
  // Button, dcc.Link) drawn as DOM in one pass. Texts become text nodes (never HTML); only
  // these tags and attributes are drawn.
  var TAGS = {
    Table: "table", Thead: "thead", Tbody: "tbody", Tr: "tr", Th: "th", Td: "td", Span: "span",
    Strong: "strong", Br: "br", P: "p", Button: "button", Link: "a", Div: "div",
  };
  function domId(id) {
    if (typeof id === "string") {
      return id;
    }
    // a pattern id, written as Dash writes it (JSON, keys sorted)
    return JSON.stringify(id, Object.keys(id).sort());
  }
  function draw(node, parent) {
    if (node === null || node === undefined || node === false) {
      return;
    }
    if (Array.isArray(node)) {
      node.forEach(function (child) {
        draw(child, parent);
      });
      return;
    }
    if (typeof node !== "object") {
      parent.appendChild(document.createTextNode(String(node)));
      return;
    }
    var tag = TAGS[node.type];
    if (!tag) {
      return;
    }
    var props = node.props || {};
    var el = document.createElement(tag);
    if (props.id !== undefined && props.id !== null) {
      el.id = domId(props.id);
      if (typeof props.id === "object") {
        el.dataset.action = props.id.type;
        el.dataset.index = props.id.index;
      }
    }
    if (props.className) {
      el.className = props.className;
    }
    ["scope", "colSpan", "type", "role"].forEach(function (name) {
      if (props[name] !== undefined && props[name] !== null) {
        el.setAttribute(name.toLowerCase(), String(props[name]));
      }
    });
    if (tag === "a" && typeof props.href === "string" && props.href.charAt(0) === "/") {
      el.setAttribute("href", props.href);
      el.dataset.link = "1";
    }
    draw(props.children, el);
    parent.appendChild(el);
  }
  // A click on a row's button names its action in the row-action store; a click on a SAMU link
  // moves within the app as dcc.Link does (no reload).
  function wireRows(host, store) {
    if (host.dataset.wired) {
      return;
    }
    host.dataset.wired = "1";
    var asked = 0;
    host.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-action]");
      if (button && host.contains(button)) {
        asked += 1;
        window.dash_clientside.set_props(store, {
          data: { action: button.dataset.action, index: button.dataset.index, n: asked },
        });
        return;
      }
      var link = event.target.closest("a[data-link]");
      if (link && host.contains(link) && !(event.metaKey || event.ctrlKey || event.shiftKey)) {
        event.preventDefault();
        window.history.pushState({}, "", link.getAttribute("href"));
        window.dispatchEvent(new CustomEvent("_dashprivate_pushstate"));
        window.scrollTo(0, 0);
      }
    });
  }
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    vigie: {
      // The alerts page's rows arrived: draw them in place of the previous ones.
      alertRows: function (rows, hostId, storeId) {
        var host = document.getElementById(hostId);
        if (!host || rows === null || rows === undefined) {
          return noUpdate();
        }
        wireRows(host, storeId);
        var fragment = document.createDocumentFragment();
        draw(rows, fragment);
        host.replaceChildren(fragment);
        return host.querySelectorAll("tr.alert-row").length;
      },
      setLang: function (lang) {
        var value = lang === "en" ? "en" : "fr";
        document.documentElement.setAttribute("lang", value);
        return value === "en" ? "Skip to content" : "Aller au contenu";
      },
      // A successful refresh arrived: remember when, on the wall's clock.
      wallReceived: function (last) {
        if (!last) {
          return noUpdate();
        }
        wall.receivedAt = now();
        return wall.receivedAt;
      },
      // Every second: which page the rotation is on, whether a refresh is due, and whether
      // the data on screen is stale.
      wallSecond: function (_n, config, slot, last, received, request) {
        if (!config) {
          return [noUpdate(), noUpdate(), noUpdate(), noUpdate()];
        }
        var t = now();
        if (t < wall.requestedAt) {
          wall.requestedAt = -Infinity; // the clock went back (an injected one): start again
        }
        var answered = wall.receivedAt >= wall.requestedAt;
        var due =
          t - wall.requestedAt >= config.refresh_ms &&
          (answered || t - wall.requestedAt >= config.retry_ms);
        if (due) {
          wall.requestedAt = t;
        }
        var pages = config.pages;
        var cycle = Math.floor(now() / config.rotate_ms);
        var index = ((cycle % pages.length) + pages.length) % pages.length;
        var next = { page: pages[index], cycle: Math.floor(cycle / pages.length) };
        var same = slot && slot.page === next.page && slot.cycle === next.cycle;
        var label = config.page_text.replace("{n}", index + 1).replace("{m}", pages.length);
        var stale = "";
        if (last && received && now() - received > config.stale_ms) {
          stale = config.stale_text.replace("{t}", last.clock);
        }
        return [same ? noUpdate() : next, label, stale, due ? (request || 0) + 1 : noUpdate()];
      },
    },
  });
})();
