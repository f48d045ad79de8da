/**
 * Mesh file formats: VTU (ParaView), Gmsh `.msh`, STL.
 * @packageDocumentation
 */
export * from './vtu.js';
export * from './msh.js';
export * from './stl.js';
export { encodeBase64, decodeBase64 } from './base64.js';
