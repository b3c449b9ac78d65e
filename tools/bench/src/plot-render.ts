// SVG → PNG with resvg (prebuilt binaries from the npm registry). Text needs a system font
// (DejaVu on Debian); without one the marks are drawn and the labels are missing.

import { Resvg } from "@resvg/resvg-js";

export function svgToPng(svg: string): Buffer {
  const r = new Resvg(svg, {
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return r.render().asPng();
}
