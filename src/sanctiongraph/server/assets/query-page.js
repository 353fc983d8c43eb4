// The query editor of `sanctiongraph serve`: YASGUI on this server's own endpoint, the named queries as examples.
(function () {
  "use strict";
  const examples = JSON.parse(document.getElementById("examples").textContent);
  const endpoint = new URL("sparql", document.baseURI).href;
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    persistenceId: null,
    populateFromUrl: false,
    autoAddOnInit: false,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
    yasqe: { autocompleters: ["prefixes", "variables"] }, // the others ask services on the web
  });
  window.yasgui = yasgui;

  function open(name) {
    const example = examples.find(function (e) { return e.name === name; });
    if (!example) { return; }
    yasgui.addTab(true, { name: example.name, yasqe: { value: example.text }, requestConfig: { endpoint: endpoint } });
  }

  document.querySelectorAll("button.example").forEach(function (button) {
    button.addEventListener("click", function () { open(button.dataset.name); });
  });
  document.getElementById("network-view").addEventListener("click", function () {
    const query = yasgui.getTab().getQuery();
    window.location.href = new URL("view?query=" + encodeURIComponent(query), document.baseURI).href;
  });
  const wanted = new URLSearchParams(window.location.search).get("example");
  open(wanted && examples.some(function (e) { return e.name === wanted; }) ? wanted : examples[0].name);
})();
