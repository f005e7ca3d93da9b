// Line charts drawn in the page as SVG from the API's figures: no script library, nothing from the
// internet, nothing inline (colours are classes of hub.css, so the strict CSP holds). A series per
// group, a zero line, four grid lines with values formatted per language, and a <title> on every
// point (what a mouse or a screen reader reads). Missing figures (null) break the line.
"use strict";
window.regua = window.regua || {};
(function (regua) {
  const NS = "http://www.w3.org/2000/svg";
  const H = 260, LEFT = 96, RIGHT = 16, TOP = 12, BOTTOM = 36;

  function el(name, attrs, text) {
    const e = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // A round step so that four grid lines cover `max`.
  function niceMax(max) {
    if (max <= 0) return 1;
    const step = max / 4;
    const magnitude = Math.pow(10, Math.floor(Math.log10(step)));
    const nice = [1, 2, 2.5, 5, 10].find((m) => m * magnitude >= step) * magnitude;
    return nice * 4;
  }

  // spec: {title, labels: [..], series: [{name, values: [number|null]}], format: (v) => text, noData: text}
  regua.lineChart = (container, spec) => {
    // As wide as its place on the page, so that the text keeps its size.
    const W = Math.max(360, Math.round(container.clientWidth) || 960);
    const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-label": spec.title });
    svg.appendChild(el("title", {}, spec.title));
    const values = spec.series.flatMap((s) => s.values).filter((v) => v !== null && v !== undefined);
    if (values.length === 0 || spec.labels.length === 0) {
      svg.appendChild(el("text", { x: W / 2, y: H / 2, "text-anchor": "middle", class: "empty" }, spec.noData));
      container.replaceChildren(svg);
      return svg;
    }
    const max = niceMax(Math.max(0, ...values));
    const min = Math.min(0, ...values);
    const plotW = W - LEFT - RIGHT, plotH = H - TOP - BOTTOM;
    const x = (i) => LEFT + (spec.labels.length === 1 ? plotW / 2 : (i * plotW) / (spec.labels.length - 1));
    const y = (v) => TOP + plotH - ((v - min) / (max - min)) * plotH;
    for (let g = 0; g <= 4; g++) {
      const v = min + ((max - min) * g) / 4;
      svg.appendChild(el("line", { x1: LEFT, x2: W - RIGHT, y1: y(v), y2: y(v), class: "axis" }));
      svg.appendChild(el("text", { x: LEFT - 6, y: y(v) + 4, "text-anchor": "end", class: "tick" }, spec.format(v)));
    }
    // As many labels along the bottom as fit without touching (a date takes about 100 px).
    const every = Math.max(1, Math.ceil(spec.labels.length / Math.max(2, Math.floor(plotW / 110))));
    const last = spec.labels.length - 1;
    spec.labels.forEach((label, i) => {
      // The last label always shows; a regular one too close to it gives way.
      if (i !== last && (i % every !== 0 || (last - i < every && last > 0))) return;
      const anchor = last === 0 ? "middle" : i === 0 ? "start" : i === last ? "end" : "middle";
      svg.appendChild(el("text", { x: x(i), y: H - 12, "text-anchor": anchor, class: "tick" }, label));
    });
    spec.series.forEach((series, s) => {
      const colour = "s" + (s % 6);
      let run = [];
      const flush = () => {
        if (run.length > 1) svg.appendChild(el("polyline", { points: run.join(" "), class: "line " + colour }));
        run = [];
      };
      series.values.forEach((v, i) => {
        if (v === null || v === undefined) return flush();
        run.push(x(i) + "," + y(v));
        const dot = el("circle", { cx: x(i), cy: y(v), r: 3.5, class: "dot " + colour });
        dot.appendChild(el("title", {}, series.name + " · " + spec.labels[i] + ": " + spec.format(v)));
        svg.appendChild(dot);
      });
      flush();
    });
    const legend = document.createElement("ul");
    legend.className = "legend";
    spec.series.forEach((series, s) => {
      const li = document.createElement("li");
      const swatch = el("svg", { viewBox: "0 0 12 12", "aria-hidden": "true" });
      swatch.appendChild(el("rect", { width: 12, height: 12, class: "s" + (s % 6) }));
      li.append(swatch, document.createTextNode(series.name));
      legend.appendChild(li);
    });
    container.replaceChildren(svg, legend);
    return svg;
  };
})(window.regua);
