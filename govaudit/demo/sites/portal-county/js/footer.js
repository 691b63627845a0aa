document.write('<div class="footer">主办单位：某某县人民政府办公室　浙ICP备87654321号</div>');
