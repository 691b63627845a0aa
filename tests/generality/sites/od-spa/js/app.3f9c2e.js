/* the app bundle: renders the catalogue from the platform API */
(function () {
  var api = "/api/open/datasets?pageNum=1&pageSize=5";

fetch(api).then(function (r) { return r.json(); }).then(function (d) {
  window.render(d.data.list);
});
})();
