// Pass 2 of the forward: one workgroup per channel merges the chunks' Welford summaries into the packed
// per-channel stats f32[5, channels] = [mean, biased variance, new running mean, new running var, scale]:
// scale = gamma / sqrt(var + eps) feeds the normalise pass; the running-stat update has PyTorch semantics,
// new = (1 − momentum)·running + momentum·batch, with the UNBIASED variance M2 / (rows − 1) for running_var.

@group(0) @binding(1) var<storage, read> partials: array<vec4f>;
@group(0) @binding(2) var<storage, read> gamma: array<f32>;
@group(0) @binding(3) var<storage, read> runningMean: array<f32>;
@group(0) @binding(4) var<storage, read> runningVar: array<f32>;
@group(0) @binding(5) var<storage, read_write> stats: array<f32>;

var<workgroup> summary: array<vec3f, 256>;

@compute @workgroup_size(256, 1, 1)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_index) li: u32) {
  let c = wg.x;
  let cs = params.channels;
  var s = vec3f(0.0);
  for (var g = li; g < params.chunks; g += 256u) {
    s = mergeMoments(s, partials[g * cs + c].xyz);
  }
  summary[li] = s;
  workgroupBarrier();
  for (var stride = 128u; stride > 0u; stride /= 2u) {
    if (li < stride) {
      summary[li] = mergeMoments(summary[li], summary[li + stride]);
    }
    workgroupBarrier();
  }
  if (li == 0u) {
    let t = summary[0];
    let m = t.y;
    let v = max(t.z * params.invRows, 0.0);
    let keep = 1.0 - params.momentum;
    stats[c] = m;
    stats[cs + c] = v;
    stats[2u * cs + c] = keep * runningMean[c] + params.momentum * m;
    stats[3u * cs + c] = keep * runningVar[c] + params.momentum * (v * params.unbias);
    stats[4u * cs + c] = gamma[c] / sqrt(v + params.eps);
  }
}
