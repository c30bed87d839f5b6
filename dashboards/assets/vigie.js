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
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    vigie: {
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
