// OpenLayers page for the viewer benchmark: the same layers, styles, tiles and view as
// Kartenn's demo, read from Kartenn's own /api/config and /api/catalog.
import Map from 'ol/Map.js';
import View from 'ol/View.js';
import VectorTileLayer from 'ol/layer/VectorTile.js';
import VectorTileSource from 'ol/source/VectorTile.js';
import MVT from 'ol/format/MVT.js';
import { fromLonLat } from 'ol/proj.js';
import { Fill, Stroke, Style, Circle, Text } from 'ol/style.js';
import 'ol/ol.css';
import './page.css';

// Kartenn's style model (fill, stroke, width, point radius, attribute rules with zoom ranges,
// labels from a field) as an OpenLayers style function, so both viewers draw the same thing.
const TEST = {
  '==': (a, b) => a === b, '!=': (a, b) => a !== b, '<': (a, b) => a < b,
  '<=': (a, b) => a <= b, '>': (a, b) => a > b, '>=': (a, b) => a >= b,
};

function symbolizer(fill, stroke, width, radius) {
  const f = fill ? new Fill({ color: fill }) : undefined;
  const s = stroke ? new Stroke({ color: stroke, width }) : undefined;
  return new Style({ fill: f, stroke: s, image: radius > 0 ? new Circle({ radius, fill: f, stroke: s }) : undefined });
}

function styleOf(s) {
  const base = symbolizer(s.fill, s.stroke, s.stroke_width ?? 1, s.point_radius ?? 3);
  const rules = (s.rules ?? []).map((r) => ({
    ...r,
    style: r.hidden ? null : symbolizer(r.fill ?? s.fill, r.stroke ?? s.stroke,
      r.stroke_width ?? s.stroke_width ?? 1, r.point_radius ?? s.point_radius ?? 3),
  }));
  const label = s.label;
  const labelFill = label && new Fill({ color: label.color });
  const halo = new Stroke({ color: 'rgba(255,255,255,0.85)', width: 3 });
  return (feature, resolution) => {
    const zoom = Math.log2(156543.03392804097 / resolution);
    let style = base;
    for (const r of rules) {
      if ((r.minzoom ?? -Infinity) <= zoom && zoom < (r.maxzoom ?? Infinity)
          && TEST[r.op](feature.get(r.field), r.value)) {
        style = r.style;
        break;
      }
    }
    if (!style || !label || zoom < label.minzoom) return style;
    const text = feature.get(label.field);
    if (text === undefined) return style;
    return [style, new Style({
      text: new Text({ text: String(text), font: `${label.size}px sans-serif`, fill: labelFill, stroke: halo, overflow: false }),
      zIndex: feature.get(label.priority) ?? 0,
    })];
  };
}

function layerOf(entry) {
  const src = entry.source;
  return new VectorTileLayer({
    declutter: Boolean(entry.style.label),
    renderMode: 'hybrid',
    visible: entry.visible,
    minZoom: src.minzoom,
    source: new VectorTileSource({
      format: new MVT(),
      url: src.tiles,
      tileSize: 512,
      maxZoom: src.maxzoom,
    }),
    style: styleOf(entry.style),
  });
}

const [config, catalog] = await Promise.all([
  fetch('/api/config').then((r) => r.json()),
  fetch('/api/catalog').then((r) => r.json()),
]);
const target = document.getElementById('map');
target.style.background = config.background;
// Like Kartenn: the first basemap and the catalogue's vector tile overlays.
const layers = [...config.basemaps.slice(0, 1), ...catalog.layers]
  .filter((l) => l.source.type === 'vector_tiles')
  .map(layerOf);
const map = new Map({
  target,
  layers,
  view: new View({ center: fromLonLat(config.view.center), zoom: config.view.zoom }),
});
window.__map = map;
// Every complete render (all tiles loaded and drawn) is a "ready" time for the benchmark,
// like Kartenn's data-ready attribute.
map.on('rendercomplete', () => {
  window.__bench?.ready.push(performance.now());
});
