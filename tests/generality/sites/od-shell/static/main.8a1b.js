/* the app: every address is built from run-time settings, none is written out here */
(function (conf) {
  var gw = conf.gateway, route = conf.routes && conf.routes.catalogue;
  if (gw && route) {
    fetch(gw + route + "?p=1").then(function (r) { return r.json(); }).then(function (d) { window.show(d); });
  }
})(window.__CONF__);
