// Pure frame geometry for ingest (any thread): display rotation from a track matrix and the stored frame size.

/** Clockwise rotation, in degrees, that turns a decoded picture into the picture a player shows. */
export type Rotation = 0 | 90 | 180 | 270;

/**
 * The display rotation of an ISO-BMFF track matrix `[a b u  c d v  x y w]` (a, b, c, d in 16.16 fixed point).
 * A point (p, q) is shown at (a·p + c·q, b·p + d·q); with y pointing down, (a, b) = (0, 1) turns the picture
 * 90° clockwise. Angles snap to the nearest quarter turn; mirroring (negative determinant) is ignored.
 */
export function rotationFromMatrix(matrix: ArrayLike<number> | undefined): Rotation {
  if (!matrix || matrix.length < 5) return 0;
  const a = matrix[0] ?? 0;
  const b = matrix[1] ?? 0;
  if (a === 0 && b === 0) return 0;
  const degrees = (Math.atan2(b, a) * 180) / Math.PI;
  const quarter = (((Math.round(degrees / 90) % 4) + 4) % 4) as 0 | 1 | 2 | 3;
  return ([0, 90, 180, 270] as const)[quarter];
}

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** The size a picture of `width`×`height` is shown at after a clockwise `rotation`. */
export function rotatedSize(width: number, height: number, rotation: Rotation): Size {
  return rotation === 90 || rotation === 270 ? { width: height, height: width } : { width, height };
}

/** Resizes so that the shorter side is `shortSide` pixels, keeping the aspect ratio (rounded, at least 1). */
export function shortSideSize(width: number, height: number, shortSide: number): Size {
  if (!(width > 0 && height > 0)) throw new RangeError(`bad frame size ${width}x${height}`);
  if (!(Number.isInteger(shortSide) && shortSide > 0)) throw new RangeError(`bad short side ${shortSide}`);
  if (width <= height) {
    return { width: shortSide, height: Math.max(1, Math.round((height * shortSide) / width)) };
  }
  return { width: Math.max(1, Math.round((width * shortSide) / height)), height: shortSide };
}
