import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { boxMesh, CELL_INFO, type Mesh } from '@spinefea/mesh';
import { GROUND, type FeModel, type LoadCase } from '@spinefea/core';
import { febioExport, toFebioXml } from '../src/api/io.js';

// ---------------------------------------------------------------------------
// A strict little XML reader: every tag must close in order, attributes must be
// quoted and unique, only the five predefined entities are allowed. It throws on
// anything else, so "parses" means well-formed for the subset FEBio uses.
// ---------------------------------------------------------------------------
interface XmlNode {
  tag: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
}

function decode(s: string, where: number): string {
  return s.replace(/&([^;]*);/g, (m, e: string) => {
    const map: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (!(e in map)) throw new Error(`unknown entity &${e}; at ${where}`);
    return map[e];
  });
}

function parseXml(xml: string): XmlNode {
  let i = 0;
  const root: XmlNode = { tag: '#document', attrs: {}, children: [], text: '' };
  const stack: XmlNode[] = [root];
  while (i < xml.length) {
    const lt = xml.indexOf('<', i);
    const text = xml.slice(i, lt < 0 ? xml.length : lt);
    if (/[<>]/.test(text) || (text.includes('&') && !/&(amp|lt|gt|quot|apos);/.test(text))) throw new Error(`bad character data at ${i}`);
    stack[stack.length - 1].text += decode(text, i);
    if (lt < 0) break;
    if (xml.startsWith('<?', lt)) {
      const e = xml.indexOf('?>', lt);
      if (e < 0 || lt !== 0) throw new Error(`processing instruction not at the start (${lt})`);
      i = e + 2;
    } else if (xml.startsWith('<!--', lt)) {
      const e = xml.indexOf('-->', lt + 4);
      if (e < 0) throw new Error(`unclosed comment at ${lt}`);
      if (xml.slice(lt + 4, e).includes('--')) throw new Error(`'--' inside a comment at ${lt}`);
      i = e + 3;
    } else if (xml.startsWith('</', lt)) {
      const e = xml.indexOf('>', lt);
      const tag = xml.slice(lt + 2, e).trim();
      const top = stack.pop()!;
      if (top.tag !== tag) throw new Error(`</${tag}> closes <${top.tag}> at ${lt}`);
      i = e + 1;
    } else {
      const e = xml.indexOf('>', lt);
      if (e < 0) throw new Error(`unclosed tag at ${lt}`);
      let body = xml.slice(lt + 1, e);
      const selfClosing = body.endsWith('/');
      if (selfClosing) body = body.slice(0, -1);
      const m = /^([A-Za-z_][\w.-]*)/.exec(body);
      if (!m) throw new Error(`bad tag name at ${lt}`);
      const node: XmlNode = { tag: m[1], attrs: {}, children: [], text: '' };
      let rest = body.slice(m[1].length);
      const attrRe = /^\s+([A-Za-z_][\w.-]*)="([^"<]*)"/;
      for (let a = attrRe.exec(rest); a; a = attrRe.exec(rest)) {
        if (a[1] in node.attrs) throw new Error(`duplicate attribute ${a[1]} at ${lt}`);
        node.attrs[a[1]] = decode(a[2], lt);
        rest = rest.slice(a[0].length);
      }
      if (rest.trim() !== '') throw new Error(`bad attribute syntax '${rest}' at ${lt}`);
      stack[stack.length - 1].children.push(node);
      if (stack.length === 1 && root.children.length > 1) throw new Error('more than one root element');
      if (!selfClosing) stack.push(node);
      i = e + 1;
    }
  }
  if (stack.length !== 1) throw new Error(`unclosed <${stack[stack.length - 1].tag}>`);
  return root.children[0];
}

const kids = (n: XmlNode, tag: string): XmlNode[] => n.children.filter((c) => c.tag === tag);
const one = (n: XmlNode, tag: string): XmlNode => {
  const k = kids(n, tag);
  expect(k.length, `<${n.tag}> has one <${tag}>`).toBe(1);
  return k[0];
};
const all = (n: XmlNode, tag: string, out: XmlNode[] = []): XmlNode[] => {
  for (const c of n.children) {
    if (c.tag === tag) out.push(c);
    all(c, tag, out);
  }
  return out;
};
const ints = (s: string): number[] => s.split(',').map((t) => Number(t.trim()));

function richModel(): { model: FeModel; lc: LoadCase; mesh: Mesh } {
  const mesh = boxMesh({ size: [4, 2, 2], divisions: [4, 2, 2], cellType: 'hex8' });
  for (let c = 0; c < mesh.materialIds.length; c++) mesh.materialIds[c] = c % 2;
  const n = mesh.nodes.length / 3;
  const model: FeModel = {
    mesh,
    materials: [
      { kind: 'isotropic', E: 1000, nu: 0.3, name: 'bone & <co>' },
      { kind: 'transversely-isotropic', Ep: 1000, Ez: 2000, nuP: 0.3, nuPz: 0.2, Gz: 400, axis: [0, 0, 1] },
    ],
    displacementBcs: [{ nodes: 'xmin' }, { nodes: 'ymin', components: [1], value: 0.01 }],
    referenceNodes: [
      { name: 'tip', position: [5, 1, 1] },
      { name: 'top', position: [2, 1, 3] },
    ],
    couplings: [
      { kind: 'kinematic', reference: 'tip', nodes: 'xmax' },
      { kind: 'distributing', reference: 'top', nodes: 'zmax' },
    ],
    referenceBcs: [{ reference: 'tip', components: [2, 3], value: [0.02, 0] }],
    springs: {
      nodesA: Uint32Array.of(0, 5),
      nodesB: Uint32Array.of(n - 1, GROUND),
      stiffness: Float64Array.of(10, 20),
      direction: Float64Array.of(0, 0, 0, 0, 1, 0),
    },
    constraints: [{ slave: 3 * 7 + 2, masters: Uint32Array.of(3 * 8 + 2), coefficients: Float64Array.of(1) }],
  };
  const lc: LoadCase = {
    name: 'flexion -- test',
    nodalForces: [{ nodes: Uint32Array.of(3), forces: Float64Array.of(1, 2, 3) }],
    pressures: [{ faces: 'zmax', pressure: 0.5 }],
    tractions: [{ faces: 'ymax', traction: [0, 0.1, 0] }],
    bodyForces: [{ force: [0, 0, -0.01] }],
    referenceLoads: [
      { reference: 'tip', moment: [0, 100, 0], force: [1, 0, 0] },
      { reference: 'top', force: [0, 0, -5] },
    ],
  };
  return { model, lc, mesh };
}

describe('FEBio 4 export', () => {
  it('is well-formed XML with the FEBio 4 sections, 1-based nodes and the mesh connectivity', () => {
    for (const cellType of ['hex8', 'tet4', 'tet10'] as const) {
      const mesh = boxMesh({ size: [2, 1, 1], divisions: [2, 1, 1], cellType });
      const xml = toFebioXml(
        { mesh, materials: [{ kind: 'isotropic', E: 100, nu: 0.3 }], displacementBcs: [{ nodes: 'xmin' }] },
        { pressures: [{ faces: 'xmax', pressure: 1 }] },
      );
      const root = parseXml(xml);
      expect(root.tag).toBe('febio_spec');
      expect(root.attrs.version).toBe('4.0');
      expect(one(root, 'Module').attrs.type).toBe('solid');
      expect(one(one(root, 'Control'), 'analysis').text).toBe('STATIC');
      for (const s of ['Material', 'Mesh', 'MeshDomains', 'Boundary', 'Loads', 'LoadData', 'Output']) one(root, s);
      const meshEl = one(root, 'Mesh');
      const nodes = kids(one(meshEl, 'Nodes'), 'node');
      expect(nodes.length).toBe(mesh.nodes.length / 3);
      nodes.forEach((nd, i) => {
        expect(Number(nd.attrs.id)).toBe(i + 1);
        expect(ints(nd.text)).toEqual(Array.from(mesh.nodes.subarray(3 * i, 3 * i + 3)));
      });
      const npc = CELL_INFO[cellType].nodesPerCell;
      const elems = kids(meshEl, 'Elements');
      expect(elems.every((e) => e.attrs.type === cellType)).toBe(true);
      const rows = elems.flatMap((e) => kids(e, 'elem'));
      expect(rows.length).toBe(mesh.cells.length / npc);
      for (const r of rows) {
        const c = Number(r.attrs.id) - 1;
        expect(ints(r.text)).toEqual(Array.from(mesh.cells.subarray(c * npc, (c + 1) * npc), (v) => v + 1));
      }
      // Pressure facets: the face nodes of CELL_INFO, in order (outward normal, FEBio quad4/tri3/tri6).
      const surf = one(meshEl, 'Surface');
      const fs = mesh.faceSets.xmax;
      const facets = surf.children;
      expect(facets.length).toBe(fs.cells.length);
      facets.forEach((fc, k) => {
        expect(fc.tag).toBe({ hex8: 'quad4', tet4: 'tri3', tet10: 'tri6' }[cellType]);
        expect(ints(fc.text)).toEqual(CELL_INFO[cellType].faces[fs.faces[k]].map((a) => mesh.cells[fs.cells[k] * npc + a] + 1));
      });
    }
  });

  it('every reference resolves: sets, surfaces, materials, rigid bodies, load controllers, maps', () => {
    const { model, lc, mesh } = richModel();
    const { xml, warnings } = febioExport(model, lc);
    const root = parseXml(xml); // throws on malformed XML (the material name needs escaping, the load case name has '--')
    expect(warnings.length).toBe(1);
    expect(warnings[0]).toMatch(/linear multi-point constraint/);
    const meshEl = one(root, 'Mesh');
    const nodeCount = kids(one(meshEl, 'Nodes'), 'node').length;
    expect(nodeCount).toBe(mesh.nodes.length / 3 + 1); // + the anchor of the spring to ground
    const nodeSets = new Map(kids(meshEl, 'NodeSet').map((s) => [s.attrs.name, ints(s.text)]));
    for (const ids of nodeSets.values()) for (const id of ids) expect(id >= 1 && id <= nodeCount && Number.isInteger(id)).toBe(true);
    const surfaces = new Set(kids(meshEl, 'Surface').map((s) => s.attrs.name));
    const discreteSets = new Set(kids(meshEl, 'DiscreteSet').map((s) => s.attrs.name));
    const materials = kids(one(root, 'Material'), 'material');
    const matNames = new Set(materials.map((m) => m.attrs.name));
    expect(materials.map((m) => m.attrs.type)).toEqual(['isotropic elastic', 'orthotropic elastic', 'rigid body']);
    expect(materials[0].attrs.name).toBe('mat0_bone____co_'); // sanitised to a safe FEBio name
    const rigidBodies = new Set(materials.filter((m) => m.attrs.type === 'rigid body').map((m) => m.attrs.name));
    const elementNames = new Set(kids(meshEl, 'Elements').map((e) => e.attrs.name));
    for (const d of kids(one(root, 'MeshDomains'), 'SolidDomain')) {
      expect(elementNames.has(d.attrs.name)).toBe(true);
      expect(matNames.has(d.attrs.mat)).toBe(true);
    }
    const controllers = new Set(kids(one(root, 'LoadData'), 'load_controller').map((c) => c.attrs.id));
    for (const n of all(root, 'value').concat(all(root, 'pressure'), all(root, 'scale'))) if (n.attrs.lc) expect(controllers.has(n.attrs.lc)).toBe(true);
    for (const n of [...all(root, 'bc'), ...all(root, 'nodal_load'), ...all(root, 'NodeData')])
      if (n.attrs.node_set) expect(nodeSets.has(n.attrs.node_set), `node set ${n.attrs.node_set}`).toBe(true);
    for (const n of all(root, 'surface_load')) expect(surfaces.has(n.attrs.surface)).toBe(true);
    for (const n of all(root, 'rb')) expect(rigidBodies.has(n.text)).toBe(true);
    for (const n of all(root, 'discrete')) expect(discreteSets.has(n.attrs.discrete_set)).toBe(true);

    // BCs: xmin fixed in all three, ymin y prescribed 0.01, rigid binding of xmax.
    const bcs = kids(one(root, 'Boundary'), 'bc');
    const fixed = bcs.find((b) => b.attrs.type === 'zero displacement' && b.attrs.node_set === 'xmin')!;
    expect(['x_dof', 'y_dof', 'z_dof'].map((t) => one(fixed, t).text)).toEqual(['1', '1', '1']);
    const pres = bcs.find((b) => b.attrs.type === 'prescribed displacement')!;
    expect([one(pres, 'dof').text, Number(one(pres, 'value').text)]).toEqual(['y', 0.01]);
    const rigidBc = bcs.find((b) => b.attrs.type === 'rigid')!;
    expect(nodeSets.get(rigidBc.attrs.node_set)!.sort((a, b) => a - b)).toEqual(Array.from(mesh.nodeSets.xmax, (v) => v + 1).sort((a, b) => a - b));
    // Rigid: Rz prescribed 0.02, Ru fixed, force Rx 1, moment Rv 100.
    const rig = one(root, 'Rigid');
    const rbc = kids(rig, 'rigid_bc');
    expect(rbc.find((r) => r.attrs.type === 'rigid_displacement' && one(r, 'dof').text === 'Rz')).toBeTruthy();
    expect(one(rbc.find((r) => r.attrs.type === 'rigid_fixed')!, 'Ru_dof').text).toBe('1');
    const rl = kids(rig, 'rigid_load');
    expect(rl.map((r) => [r.attrs.type, one(r, 'dof').text, Number(one(r, 'value').text)])).toEqual([
      ['rigid_force', 'Rx', 1],
      ['rigid_moment', 'Rv', 100],
    ]);
    // Nodal force map: its total is the nodal force + body force (b·V) + distributed reference force.
    const nd = one(one(root, 'MeshData'), 'NodeData');
    const tot = [0, 0, 0];
    for (const r of kids(nd, 'node')) ints(r.text).forEach((v, k) => (tot[k] += v));
    const V = 4 * 2 * 2;
    // Sums of a few hundred doubles: round-off well below 1e-9 N.
    expect(Math.abs(tot[0] - 1)).toBeLessThan(1e-9);
    expect(Math.abs(tot[1] - 2)).toBeLessThan(1e-9);
    expect(Math.abs(tot[2] - (3 - 0.01 * V - 5))).toBeLessThan(1e-9);
    expect(kids(nd, 'node').length).toBe(nodeSets.get(nd.attrs.node_set)!.length);
    // Springs: two stiffness groups, the ground spring ends at the extra node.
    const ds = kids(meshEl, 'DiscreteSet');
    expect(ds.map((d) => kids(d, 'delem').map((e) => ints(e.text)))).toEqual([[[1, mesh.nodes.length / 3]], [[6, nodeCount]]]);
  });

  const PY = '/usr/bin/python3';
  const HAVE_PY = existsSync(PY);
  const IN_CI = process.env.CI === 'true';
  if (!HAVE_PY && !IN_CI) console.warn('[io-febio] /usr/bin/python3 not found: skipping the independent xml.etree check');
  it.skipIf(!HAVE_PY && !IN_CI)('an independent reader (Python xml.etree) sees the same counts and sets', () => {
    expect(HAVE_PY, '/usr/bin/python3 (with the xml.etree standard library) is required in CI').toBe(true);
    const { model, lc, mesh } = richModel();
    const xml = toFebioXml(model, lc);
    const script = [
      'import sys, json, xml.etree.ElementTree as ET',
      'r = ET.fromstring(sys.stdin.read())',
      'm = r.find("Mesh")',
      'print(json.dumps({"version": r.get("version"),',
      ' "nodes": len(m.find("Nodes").findall("node")),',
      ' "elems": sum(len(e.findall("elem")) for e in m.findall("Elements")),',
      ' "nodesets": sorted(s.get("name") for s in m.findall("NodeSet")),',
      ' "surfaces": sorted(s.get("name") for s in m.findall("Surface")),',
      ' "bc_sets": sorted(b.get("node_set") for b in r.find("Boundary").findall("bc")),',
      ' "facets": sum(len(list(s)) for s in m.findall("Surface"))}))',
    ].join('\n');
    const res = spawnSync(PY, ['-c', script], { input: xml, encoding: 'utf8' });
    expect(res.status, res.stderr).toBe(0);
    const py = JSON.parse(res.stdout) as Record<string, unknown>;
    const root = parseXml(xml);
    const meshEl = one(root, 'Mesh');
    expect(py.version).toBe('4.0');
    expect(py.nodes).toBe(mesh.nodes.length / 3 + 1);
    expect(py.elems).toBe(mesh.cells.length / 8);
    expect(py.nodesets).toEqual(kids(meshEl, 'NodeSet').map((s) => s.attrs.name).sort());
    expect(py.surfaces).toEqual(kids(meshEl, 'Surface').map((s) => s.attrs.name).sort());
    for (const s of py.bc_sets as string[]) expect((py.nodesets as string[]).includes(s)).toBe(true);
    expect(py.facets).toBe(mesh.faceSets.zmax.cells.length + mesh.faceSets.ymax.cells.length);
  });

  it('rejects bad input with typed errors', () => {
    const { model, lc } = richModel();
    expect(() => toFebioXml({ ...model, displacementBcs: [{ nodes: 'nope' }] }, lc)).toThrow(/unknown node set 'nope'/);
    expect(() => toFebioXml(model, { pressures: [{ faces: 'zmax', pressure: NaN }] })).toThrow(/not finite/);
    expect(() => toFebioXml(model, { referenceLoads: [{ reference: 'ghost', force: [1, 0, 0] }] })).toThrow(/nowhere to go/);
  });
});
