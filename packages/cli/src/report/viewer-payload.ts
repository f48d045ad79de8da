/**
 * The JSON the report page embeds for its viewer script (types only; shared
 * by the page generator and the bundled viewer).
 */
import type { StressStatistics } from './colour-scale.js';
import type { RegionGroup } from './region-groups.js';

/** One configuration's surface, typed arrays as base64 of their little-endian bytes. */
export interface ViewerSurfacePayload {
  name: string;
  loadCase: string;
  vertexCount: number;
  triangleCount: number;
  /** Float32Array, xyz per vertex, mm. */
  positions: string;
  /** Uint32Array, 3 per triangle. */
  indices: string;
  /** Uint16Array, region id per triangle. */
  regionIds: string;
  /** Float32Array, von Mises per vertex, MPa. */
  vonMises: string;
  /** Float32Array, xyz displacement per vertex, mm. */
  displacement?: string;
}

/** Everything the viewer needs. */
export interface ViewerPayload {
  regionNames: string[];
  implantRegionIds: number[];
  /** Region ids counted as bone for the clipped scale (98th percentile). */
  boneRegionIds: number[];
  groups: RegionGroup[];
  /** Stress statistics merged over every surface (one scale for all configurations), MPa. */
  statistics: StressStatistics;
  surfaces: ViewerSurfacePayload[];
}

/** Id of the `<script type="application/json">` element holding the payload. */
export const PAYLOAD_ELEMENT_ID = 'spinefea-report-data';
