// Host-side input preparation, exactly as face-api.js does it on its tensors (browser-safe, plain JS):
// pad the (cropped) image to a square with zeros — at the bottom/right for the detector, centred for
// the landmark net — then TF's legacy bilinear resize (align_corners = false, half_pixel_centers =
// false: source = dst · in/out, the last row/column repeated), all on RGB 0‥255. Output: CHW f32.

export interface RgbPixels {
  width: number;
  height: number;
  /** interleaved RGB, row-major */
  data: Uint8Array;
}

/** An integer pixel rectangle inside the image. */
export interface PixelRect { x: number; y: number; width: number; height: number }

export interface SquareInput {
  chw: Float32Array;
  /** where the rect's top-left landed in the padded square, and the square's side (source pixels) */
  padLeft: number;
  padTop: number;
  side: number;
}

/**
 * The rect of `img`, padded to a square (face-api's padToSquare: `centered` puts round(diff/2) after
 * and the rest before, otherwise all after), resized to size². Pixels outside the rect are zeros.
 */
export function squareInput(img: RgbPixels, rect: PixelRect, size: number, centered: boolean): SquareInput {
  const { x: rx, y: ry, width: rw, height: rh } = rect;
  if (!(rw > 0 && rh > 0 && rx >= 0 && ry >= 0 && rx + rw <= img.width && ry + rh <= img.height)) {
    throw new Error(`squareInput: rect ${JSON.stringify(rect)} is not inside the ${img.width}×${img.height} image`);
  }
  const side = Math.max(rw, rh);
  const diff = side - Math.min(rw, rh);
  const before = centered ? diff - Math.round(diff * 0.5) : 0;
  const padLeft = rw < rh ? before : 0;
  const padTop = rh < rw ? before : 0;
  const chw = new Float32Array(3 * size * size);
  const plane = size * size;
  const ratio = side / size;
  const px = (yy: number, xx: number, c: number) => {
    const sx = xx - padLeft, sy = yy - padTop;
    if (sx < 0 || sy < 0 || sx >= rw || sy >= rh) return 0;
    return img.data[((ry + sy) * img.width + rx + sx) * 3 + c];
  };
  for (let oy = 0; oy < size; oy++) {
    const fy = oy * ratio, y0 = Math.floor(fy), y1 = Math.min(side - 1, Math.ceil(fy)), ty = fy - y0;
    for (let ox = 0; ox < size; ox++) {
      const fx = ox * ratio, x0 = Math.floor(fx), x1 = Math.min(side - 1, Math.ceil(fx)), tx = fx - x0;
      for (let c = 0; c < 3; c++) {
        const top = px(y0, x0, c) + (px(y0, x1, c) - px(y0, x0, c)) * tx;
        const bottom = px(y1, x0, c) + (px(y1, x1, c) - px(y1, x0, c)) * tx;
        chw[c * plane + oy * size + ox] = top + (bottom - top) * ty;
      }
    }
  }
  return { chw, padLeft, padTop, side };
}
