/* visit counter */
var visits = 1;
