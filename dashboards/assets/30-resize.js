/* A graph's box takes its figure's height in the same answer as the figure, so plotly
   draws the figure at the box's size at once; the box's resize observer then fires all
   the same, and Plotly.Plots.resize would wait 100 ms and lay the plot out again at the
   size it already has (the graph pending all that time). A resize that would not change
   the plot's size is answered at once; every other one goes to plotly. */
window.addEventListener('DOMContentLoaded', function () {
  const plots = window.Plotly && window.Plotly.Plots;
  if (!plots || plots.resize.keepsSize) {
    return;
  }
  const resize = plots.resize;
  const fits = function (gd) {
    const layout = gd && gd._fullLayout;
    if (!layout || !layout.autosize || !gd.offsetParent) {
      return false;
    }
    const box = window.getComputedStyle(gd);
    return Math.abs(parseFloat(box.width) - layout.width) < 0.5
      && Math.abs(parseFloat(box.height) - layout.height) < 0.5;
  };
  plots.resize = function (gd) {
    const plot = typeof gd === 'string' ? document.getElementById(gd) : gd;
    return fits(plot) ? Promise.resolve(plot) : resize.apply(this, arguments);
  };
  plots.resize.keepsSize = true;
});
