// One NeuronCore's view of memory: its physical SBUF and PSUM (partition x bytes), and the HBM tensors of
// its Program at the addresses the Device gives them (sim/device.h). Resolves access patterns to
// physical views.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/program.h"
#include "target/target.h"

namespace nkic::sim {

// A caller-owned, C-contiguous buffer for an HBM input or output tensor.
struct HostBuffer {
  void* data = nullptr;
  int64_t bytes = 0;
};

// An access pattern resolved to memory: partition p's first element is at origin + p * pstep (bytes);
// the free dims step through it in bytes.
struct PhysView {
  uint8_t* origin = nullptr;
  int64_t pstep = 0;
  int64_t pnum = 1;
  int64_t lane = 0;  // on-chip: physical partition (compute lane) of partition 0
  DType dtype = DType::Float32;
  struct Dim {
    int64_t step;  // bytes
    int64_t num;
  };
  // The free dims, outermost first: a fixed-capacity list (no heap allocation per operand view).
  struct Dims {
    static constexpr size_t kMax = 8;
    Dim d[kMax];
    size_t n = 0;
    size_t size() const { return n; }
    bool empty() const { return n == 0; }
    Dim& operator[](size_t i) { return d[i]; }
    const Dim& operator[](size_t i) const { return d[i]; }
    Dim* begin() { return d; }
    Dim* end() { return d + n; }
    const Dim* begin() const { return d; }
    const Dim* end() const { return d + n; }
    Dim& back() { return d[n - 1]; }
    void push_back(Dim x);  // throws std::length_error past kMax dims
    void erase_at(size_t i) {
      for (size_t j = i; j + 1 < n; ++j) d[j] = d[j + 1];
      --n;
    }
  };
  Dims free;
  int64_t free_elems() const {
    int64_t n = 1;
    for (auto& d : free) n *= d.num;
    return n;
  }
};

class Memory {
 public:
  // `hbm`: the storage of each HBM tensor of `p` (by tensor id; nullptr for on-chip tensors).
  Memory(const Program& p, const Target& t, std::vector<uint8_t*> hbm);
  // SBUF/PSUM storage is handed back to a per-thread pool and reused by the next run on the thread
  // (no 30 MB allocation and page faults per run). Stale bytes are never observable: every on-chip
  // tensor is filled with its sentinel when it is born, and accesses are bounds-checked per tensor.
  ~Memory();
  Memory(const Memory&) = delete;
  Memory& operator=(const Memory&) = delete;

  PhysView view(APRef ap) const;
  // Storage bytes of tensor t's partition `part` (on-chip) for sentinel fill and state reset.
  uint8_t* partition_base(const TensorDecl& t, int64_t part);
  int64_t psum_word_index(const uint8_t* p) const { return (p - psum_.data()) / 4; }  // 4-byte word index into PSUM
  bool in_psum(const uint8_t* p) const;
  // The whole SBUF or PSUM (the dynamic checks' written maps shadow it byte for byte).
  uint8_t* storage(Mem m) { return m == Mem::SBUF ? sbuf_.data() : psum_.data(); }
  size_t storage_bytes(Mem m) const { return m == Mem::SBUF ? sbuf_.size() : psum_.size(); }
  // The byte within its partition of an SBUF or PSUM address (the timing model's address space).
  int64_t byte_in_partition(const uint8_t* p, Mem m) const {
    return m == Mem::SBUF ? (p - sbuf_.data()) % tgt_.sbuf_partition_bytes
                          : (p - psum_.data()) % tgt_.psum_partition_bytes;
  }

  std::vector<uint8_t> psum_written;  // one flag per 4-byte PSUM word: written by a matmul since birth

  // The indirect operands (tensor indirection) of the instruction being run (sim/indirect.cpp): a view
  // of exactly that stored operand (tensor, offset, interned dims) resolves to its dense scratch tile.
  struct Redirect {
    uint32_t tensor;
    int64_t offset;
    const APDim* dims;
    PhysView to;
  };
  std::vector<Redirect> redirects;

 private:
  const Program& prog_;
  const Target& tgt_;
  std::vector<uint8_t> sbuf_, psum_;
  std::vector<uint8_t*> hbm_;  // base pointer per tensor id (HBM only)
};

// Calls f(ptr, step_bytes, n) for each innermost run of partition p's free elements, in order.
template <class F>
void for_each_run(const PhysView& v, int64_t p, F&& f) {
  uint8_t* base = v.origin + p * v.pstep;
  size_t nd = v.free.size();
  if (nd == 0) {
    f(base, int64_t{0}, int64_t{1});
    return;
  }
  const auto& inner = v.free[nd - 1];
  if (nd == 1) {
    f(base, inner.step, inner.num);
    return;
  }
  int64_t idx[PhysView::Dims::kMax] = {};
  for (;;) {
    uint8_t* ptr = base;
    for (size_t d = 0; d + 1 < nd; ++d) ptr += idx[d] * v.free[d].step;
    f(ptr, inner.step, inner.num);
    size_t d = nd - 1;
    while (d > 0) {
      --d;
      if (++idx[d] < v.free[d].num) break;
      idx[d] = 0;
      if (d == 0) return;
    }
  }
}

// Partition p's free elements as fp32 (in order) / from fp32.
void load_partition(const PhysView& v, int64_t p, float* out);
void store_partition(const PhysView& v, int64_t p, const float* in);
// The same with exact int64 values (numerics::load_row_i64 / store_row_i64: integer stores saturate).
void load_partition_i64(const PhysView& v, int64_t p, int64_t* out);
void store_partition_i64(const PhysView& v, int64_t p, const int64_t* in);
// Every element of the view in row-major order (partition-major), as fp32 / from fp32.
void load_all(const PhysView& v, float* out);
void store_all(const PhysView& v, const float* in);
// Element pointers of the view in row-major order (partition-major).
std::vector<uint8_t*> element_ptrs(const PhysView& v);

}  // namespace nkic::sim
