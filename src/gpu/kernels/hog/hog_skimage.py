"""Ground truth for the HOG-target kernel, run by hog.skimage.test.ts with Debian's /usr/bin/python3.

Usage: hog_skimage.py IN.json OUT.json SEED
IN.json:  {"images": [{"name", "height", "width", "data": [H*W*3 floats, HWC]}]}  (images made in TypeScript)
OUT.json: {"skimage": "0.19.3", "images": [{"name", "height", "width", "data", "features": [Hc*Wc*3*9]}]}
          the TypeScript images followed by numpy-generated ones (seeded); features are
          skimage.feature.hog(channel, 9, (8,8), (1,1), 'L2', feature_vector=False) per channel on the float32
          channel, laid out [Hc, Wc, 3, 9].
Exit code 3 with a message when numpy or scikit-image is missing.
"""
import json
import sys

try:
    import numpy as np
    import skimage
    from skimage.feature import hog
except ImportError as err:  # pragma: no cover - the message is the point
    sys.stderr.write(f"hog_skimage.py: {err}. Install Debian's scikit-image: apt-get install python3-skimage\n")
    sys.exit(3)


def hog_targets(image):
    """image: float32 [H, W, 3] -> float32 [H//8, W//8, 3, 9]."""
    per_channel = []
    for c in range(3):
        channel = np.ascontiguousarray(image[:, :, c], dtype=np.float32)
        f = hog(channel, orientations=9, pixels_per_cell=(8, 8), cells_per_block=(1, 1),
                block_norm='L2', feature_vector=False)
        per_channel.append(f[:, :, 0, 0, :])  # (n_blocks_row, n_blocks_col, 1, 1, 9)
    return np.stack(per_channel, axis=2).astype(np.float32)


def numpy_images(seed):
    rng = np.random.default_rng(seed)
    images = []

    def add(name, chans, scale):
        img = np.clip(np.stack(chans, axis=2), 0.0, 1.0)
        if scale == 255:
            img = np.round(img * 255.0)
        images.append((f"numpy:{name}/{scale}", img.astype(np.float32)))

    for (h, w) in [(32, 40), (27, 19), (64, 56)]:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float64)
        theta = rng.uniform(0, np.pi)
        ramp = 0.5 + 0.01 * xx - 0.008 * yy + 0.2 * np.sin(0.2 * (xx * np.cos(theta) + yy * np.sin(theta)))
        edge = np.where(xx * np.cos(theta) + yy * np.sin(theta) > (h + w) / 3, 0.8, 0.2)
        edge = edge + np.where(yy > h / 2, 0.1, 0.0)
        noise = rng.uniform(0.0, 1.0, size=(h, w))
        flat = np.full((h, w), rng.uniform(0.2, 0.8))
        flat[: h // 2, : w // 3] = rng.uniform(0.0, 1.0)
        u = (xx * np.cos(theta + 0.7) + yy * np.sin(theta + 0.7)) / rng.uniform(5.0, 11.0)
        bars = np.where(u - np.floor(u) < 0.5, 0.85, 0.1)
        smooth_noise = 0.5 + 0.1 * rng.standard_normal((h, w))
        add(f"ramp+edge+noise@{h}x{w}", [ramp, edge, noise], 1)
        add(f"flat+bars+smooth@{h}x{w}", [flat, bars, smooth_noise], 1)
        add(f"bars+ramp+flat@{h}x{w}", [bars, ramp, flat], 255)
    return images


def main():
    in_path, out_path, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
    with open(in_path) as f:
        given = json.load(f)["images"]
    results = []
    for item in given:
        img = np.asarray(item["data"], dtype=np.float32).reshape(item["height"], item["width"], 3)
        results.append({**item, "features": hog_targets(img).ravel().tolist()})
    for name, img in numpy_images(seed):
        h, w, _ = img.shape
        results.append({"name": name, "height": h, "width": w, "data": img.ravel().tolist(),
                        "features": hog_targets(img).ravel().tolist()})
    with open(out_path, "w") as f:
        json.dump({"skimage": skimage.__version__, "images": results}, f)


if __name__ == "__main__":
    main()
