// Client-side helpers: keep <html lang> in step with the chosen language (WCAG 3.1.1).
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  vigie: {
    setLang: function (lang) {
      var value = lang === "en" ? "en" : "fr";
      document.documentElement.setAttribute("lang", value);
      return value === "en" ? "Skip to content" : "Aller au contenu";
    },
  },
});
