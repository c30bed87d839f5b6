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
  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    vigie: {
      setLang: function (lang) {
        var value = lang === "en" ? "en" : "fr";
        document.documentElement.setAttribute("lang", value);
        return value === "en" ? "Skip to content" : "Aller au contenu";
      },
      // A successful refresh arrived: remember when, on the wall's clock.
      wallReceived: function (last) {
        return last ? now() : noUpdate();
      },
      // Every second: which page the rotation is on, and whether the data is stale.
      wallSecond: function (_n, config, slot, last, received) {
        if (!config) {
          return [noUpdate(), noUpdate(), noUpdate()];
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
        return [same ? noUpdate() : next, label, stale];
      },
    },
  });
})();
