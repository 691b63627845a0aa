/* 来信选登：按页加载 */
var pageNo = 0;
function more() {
  pageNo += 1;
  $.ajax({url: "/api/letters?pageNo=" + pageNo, dataType: "json", success: function (res) {
    res.data.list.forEach(function (l) {
      $("#letters").append('<div class="row"><a href="' + l.detailUrl + '">' + l.letterTitle + '</a><span>' + l.writeDate + '</span></div>');
    });
  }});
}
more();
