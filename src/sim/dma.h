// The DMA transfers on resolved views, shared by the static instructions (dma.cpp) and the dynamic-
// offset ones (dynamic_dma.cpp).
#pragma once

#include <span>
#include <vector>

#include "sim/exec.h"

namespace nkic::sim {

// Copies every element of `src` into `dst` in row-major order; raw bytes when dtypes match.
void copy_elements(const PhysView& dst, const PhysView& src, std::vector<float>& scratch);
// dst = op(srcs[0], srcs[1], ...) in fp32, element by element (every src read before dst is written).
void dma_compute_views(ExecContext& cx, AluOp op, const PhysView& dst, const std::vector<PhysView>& srcs);
// dst dims[i] = src dims[axes[i]], raw bytes; `src_shape` is the src access pattern's dims.
void dma_transpose_views(const PhysView& dst, const PhysView& src, const std::vector<int64_t>& src_shape,
                         std::span<const int64_t> axes);

}  // namespace nkic::sim
