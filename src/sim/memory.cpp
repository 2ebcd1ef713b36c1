// Memory layout and access-pattern resolution.
#include "sim/memory.h"

#include <cstring>
#include <stdexcept>

#include "numerics/numerics.h"

namespace nkic::sim {

namespace {
struct Pool {
  std::vector<uint8_t> sbuf, psum, written;
};
Pool& pool() {
  thread_local Pool p;
  return p;
}
}  // namespace

Memory::Memory(const Program& p, const Target& t, std::vector<uint8_t*> hbm) : prog_(p), tgt_(t), hbm_(std::move(hbm)) {
  auto take = [](std::vector<uint8_t>& pooled, std::vector<uint8_t>& mine, size_t bytes) {
    mine = std::move(pooled);
    if (mine.size() != bytes) mine.assign(bytes, 0);
  };
  take(pool().sbuf, sbuf_, static_cast<size_t>(t.partitions) * t.sbuf_partition_bytes);
  take(pool().psum, psum_, static_cast<size_t>(t.partitions) * t.psum_partition_bytes);
  psum_written = std::move(pool().written);
  psum_written.assign(psum_.size() / 4, 0);
}

Memory::~Memory() {
  pool().sbuf = std::move(sbuf_);
  pool().psum = std::move(psum_);
  pool().written = std::move(psum_written);
}

uint8_t* Memory::partition_base(const TensorDecl& t, int64_t part) {
  if (t.mem == Mem::SBUF) return sbuf_.data() + (t.start_partition + part) * tgt_.sbuf_partition_bytes + t.byte_offset;
  return psum_.data() + (t.start_partition + part) * tgt_.psum_partition_bytes + t.byte_offset;
}

bool Memory::in_psum(const uint8_t* p) const { return p >= psum_.data() && p < psum_.data() + psum_.size(); }

void PhysView::Dims::push_back(Dim x) {
  if (n == kMax) throw std::length_error("access pattern has more than 8 free dimensions");
  d[n++] = x;
}

PhysView Memory::view(APRef ap) const {
  for (const Redirect& r : redirects)
    if (r.tensor == ap.tensor && r.offset == ap.offset && r.dims == ap.dims.data()) return r.to;
  const TensorDecl& t = prog_.tensors[ap.tensor];
  PhysView v;
  v.dtype = ap.dtype;
  int64_t isz = size_of(ap.dtype);
  if (t.mem == Mem::HBM) {
    v.origin = hbm_[ap.tensor] + ap.offset * isz;
    v.pstep = ap.dims[0].stride * isz;
  } else {
    int64_t pb = t.partition_bytes();
    int64_t byte = ap.offset * isz;
    int64_t part = byte / pb, within = byte % pb;
    const std::vector<uint8_t>& mem = t.mem == Mem::SBUF ? sbuf_ : psum_;
    int64_t phys = t.mem == Mem::SBUF ? tgt_.sbuf_partition_bytes : tgt_.psum_partition_bytes;
    v.origin = const_cast<uint8_t*>(mem.data()) + (t.start_partition + part) * phys + t.byte_offset + within;
    v.pstep = phys;  // dims[0] steps whole partitions (verified)
    v.lane = t.start_partition + part;
  }
  v.pnum = ap.dims[0].num;
  for (size_t i = 1; i < ap.dims.size(); ++i) v.free.push_back({ap.dims[i].stride * isz, ap.dims[i].num});
  // Merge contiguous dims into longer runs.
  for (size_t i = v.free.size(); i-- > 1;) {
    auto &outer = v.free[i - 1], &inner = v.free[i];
    if (outer.step == inner.step * inner.num) {
      outer = {inner.step, outer.num * inner.num};
      v.free.erase_at(i);
    }
  }
  return v;
}

void load_partition(const PhysView& v, int64_t p, float* out) {
  int64_t isz = size_of(v.dtype);
  if (v.dtype == DType::BFloat16) {  // exact widening: the bf16 bits are the high half of the fp32 bits
    for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
      if (step == 2) {  // contiguous: a vectorizable loop
        for (int64_t j = 0; j < n; ++j) {
          uint16_t h;
          std::memcpy(&h, ptr + 2 * j, 2);
          uint32_t w = static_cast<uint32_t>(h) << 16;
          std::memcpy(out + j, &w, 4);
        }
        out += n;
        return;
      }
      for (int64_t j = 0; j < n; ++j) {
        uint16_t h;
        std::memcpy(&h, ptr + j * step, 2);
        uint32_t w = static_cast<uint32_t>(h) << 16;
        std::memcpy(out + j, &w, 4);
      }
      out += n;
    });
    return;
  }
  if (v.dtype == DType::Float32) {
    for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
      if (step == 4 && n > 16)
        std::memcpy(out, ptr, static_cast<size_t>(n) * 4);
      else  // short rows: an inline loop beats a libc call
        for (int64_t j = 0; j < n; ++j) std::memcpy(out + j, ptr + j * step, 4);
      out += n;
    });
    return;
  }
  for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
    numerics::load_row(v.dtype, ptr, step / isz, n, out);
    out += n;
  });
}

void store_partition(const PhysView& v, int64_t p, const float* in) {
  int64_t isz = size_of(v.dtype);
  if (v.dtype == DType::Float32) {
    for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
      if (step == 4 && n > 16)
        std::memcpy(ptr, in, static_cast<size_t>(n) * 4);
      else
        for (int64_t j = 0; j < n; ++j) std::memcpy(ptr + j * step, in + j, 4);
      in += n;
    });
    return;
  }
  for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
    numerics::store_row(v.dtype, in, n, ptr, step / isz);
    in += n;
  });
}

void load_partition_i64(const PhysView& v, int64_t p, int64_t* out) {
  int64_t isz = size_of(v.dtype);
  for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
    numerics::load_row_i64(v.dtype, ptr, step / isz, n, out);
    out += n;
  });
}

void store_partition_i64(const PhysView& v, int64_t p, const int64_t* in) {
  int64_t isz = size_of(v.dtype);
  for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
    numerics::store_row_i64(v.dtype, in, n, ptr, step / isz);
    in += n;
  });
}

void load_all(const PhysView& v, float* out) {
  int64_t f = v.free_elems();
  for (int64_t p = 0; p < v.pnum; ++p) load_partition(v, p, out + p * f);
}

void store_all(const PhysView& v, const float* in) {
  int64_t f = v.free_elems();
  for (int64_t p = 0; p < v.pnum; ++p) store_partition(v, p, in + p * f);
}

std::vector<uint8_t*> element_ptrs(const PhysView& v) {
  std::vector<uint8_t*> out;
  out.reserve(v.pnum * v.free_elems());
  for (int64_t p = 0; p < v.pnum; ++p)
    for_each_run(v, p, [&](uint8_t* ptr, int64_t step, int64_t n) {
      for (int64_t j = 0; j < n; ++j) out.push_back(ptr + j * step);
    });
  return out;
}

}  // namespace nkic::sim
