// What of the page stands out too little from what is behind it, as WCAG 2.2 AA counts it: a text under
// 4.5:1 (SVG text by its fill), and a field or button whose edge (its own background, or its border)
// is under 3:1 against what surrounds it. Run by tests/web/test_access.py in Chromium.
() => {
  const rgb = (text) => {
    const m = text.match(/[\d.]+/g).map(Number);
    return { r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1 };
  };
  const lum = (c) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
  };
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  const behind = (element) => {
    for (let n = element; n; n = n.parentElement) {
      const c = rgb(getComputedStyle(n).backgroundColor);
      if (c.a > 0) return c;
    }
    return { r: 255, g: 255, b: 255, a: 1 };
  };
  const low = [];
  for (const e of document.querySelectorAll("body *")) {
    if (!e.getClientRects().length) continue;
    const style = getComputedStyle(e);
    if ([...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim())) {
      const r = ratio(rgb(e instanceof SVGElement ? style.fill : style.color), behind(e));
      if (r < 4.5) low.push(`text ${e.tagName} "${e.textContent.trim().slice(0, 40)}": ${r.toFixed(2)}`);
    }
    if (e.matches("input:not([type=checkbox]), select, textarea, button")) {
      const own = rgb(style.backgroundColor);
      const around = behind(e.parentElement);
      const fill = own.a > 0 ? ratio(own, around) : 1;
      const border = parseFloat(style.borderTopWidth) > 0 ? ratio(rgb(style.borderTopColor), around) : 1;
      const edge = Math.max(fill, border);
      if (edge < 3) low.push(`edge of ${e.tagName}#${e.id} "${e.textContent.trim()}": ${edge.toFixed(2)}`);
    }
  }
  return low;
}
