// VectorE elementwise and per-partition instructions: tensor_tensor, tensor_scalar,
// scalar_tensor_tensor, tensor_copy(_predicated), tensor_reduce, tensor_tensor_scan, reciprocal, memset.
// Each works a partition at a time: load the row as fp32 (or exact int64 on the integer paths),
// compute with the operator switch outside the loop, store with the dst dtype's rounding.
#include <cmath>
#include <cstring>

#include "numerics/numerics.h"
#include "sim/exec.h"
#include "sim/rows.h"

namespace nkic::sim {

void copy_elements(const PhysView& dst, const PhysView& src, std::vector<float>& scratch);

namespace {

PhysView opnd(ExecContext& cx, const Instruction& in, int role) { return cx.mem.view(*cx.prog.role_op(in, role)); }

// Exact integer bitvec/arith over rows: x is the data row, the other operand per element (ys=1) or a
// broadcast scalar (ys=0).
void store_int_result(const PhysView& d, int64_t p, int64_t* x, int64_t n, bool bitvec) {
  if (bitvec)
    for (int64_t i = 0; i < n; ++i) x[i] = wrap_to(d.dtype, x[i]);
  store_partition_i64(d, p, x);
}

}  // namespace

void exec_TensorTensor(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1), y = opnd(cx, in, 2);
  int64_t n = d.free_elems();
  if (all_int({d.dtype, x.dtype, y.dtype}) && int_op(in.alu)) {
    cx.ia.resize(n);
    cx.ib.resize(n);
    int bits = int_bits(x.dtype);
    for (int64_t p = 0; p < d.pnum; ++p) {
      load_partition_i64(x, p, cx.ia.data());
      load_partition_i64(y, p, cx.ib.data());
      alu_row_int(in.alu, cx.ia.data(), cx.ib.data(), 1, n, bits, false);
      store_int_result(d, p, cx.ia.data(), n, is_bitvec(in.alu));
    }
    return;
  }
  cx.a.resize(n);
  cx.b.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    load_partition(y, p, cx.b.data());
    alu_row_rows(in.alu, cx.a.data(), cx.b.data(), n);
    store_partition(d, p, cx.a.data());
  }
}

void exec_TensorScalar(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1);
  std::optional<APRef> o0 = cx.prog.role_op(in, 2), o1 = cx.prog.role_op(in, 3);
  PhysView v0 = o0 ? cx.mem.view(*o0) : PhysView{}, v1 = o1 ? cx.mem.view(*o1) : PhysView{};
  bool two = in.alu1 != AluOp::Bypass || o1;
  int64_t n = d.free_elems();
  if (is_bitvec(in.alu)) {  // validated: integer dtypes, both ops bitvec
    cx.ia.resize(n);
    int bits = int_bits(x.dtype);
    for (int64_t p = 0; p < d.pnum; ++p) {
      load_partition_i64(x, p, cx.ia.data());
      int64_t s0 = o0 ? column_int(v0, p) : static_cast<int64_t>(in.f0);
      alu_row_int(in.alu, cx.ia.data(), &s0, 0, n, bits, in.flags & kRev0);
      if (two) {
        int64_t s1 = o1 ? column_int(v1, p) : static_cast<int64_t>(in.f1);
        alu_row_int(in.alu1, cx.ia.data(), &s1, 0, n, bits, in.flags & kRev1);
      }
      store_int_result(d, p, cx.ia.data(), n, true);
    }
    return;
  }
  auto dense_f32 = [](const PhysView& v) {
    return v.dtype == DType::Float32 && (v.free.empty() || (v.free.size() == 1 && v.free[0].step == 4));
  };
  // Element-wise streaming equals the row-at-a-time path unless dst and data overlap shifted.
  auto span_end = [&](const PhysView& v) { return v.origin + (v.pnum - 1) * v.pstep + 4 * n; };
  bool disjoint_or_same = d.origin == x.origin || span_end(d) <= x.origin || span_end(x) <= d.origin;
  if (dense_f32(d) && dense_f32(x) && disjoint_or_same && d.pstep == x.pstep) {
    // fast path: both ops dispatched once, rows computed in place
    bool r0 = in.flags & kRev0, r1 = two && (in.flags & kRev1);
    AluOp op1 = two ? in.alu1 : AluOp::Bypass;
    dispatch_alu(in.alu, [&](auto f0) {
      dispatch_alu(op1, [&](auto f1) {
        for (int64_t p = 0; p < d.pnum; ++p) {
          const uint8_t* xs = x.origin + p * x.pstep;
          uint8_t* ds = d.origin + p * d.pstep;
          float s0 = o0 ? column_value(v0, p) : static_cast<float>(in.f0);
          float s1 = o1 ? column_value(v1, p) : static_cast<float>(in.f1);
          for (int64_t i = 0; i < n; ++i) {
            float v;
            std::memcpy(&v, xs + 4 * i, 4);
            v = r0 ? f0(s0, v) : f0(v, s0);
            v = r1 ? f1(s1, v) : f1(v, s1);
            std::memcpy(ds + 4 * i, &v, 4);
          }
        }
      });
    });
    return;
  }
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    float s0 = o0 ? column_value(v0, p) : static_cast<float>(in.f0);
    alu_row_scalar(in.alu, cx.a.data(), n, s0, in.flags & kRev0);
    if (two) {
      float s1 = o1 ? column_value(v1, p) : static_cast<float>(in.f1);
      alu_row_scalar(in.alu1, cx.a.data(), n, s1, in.flags & kRev1);
    }
    store_partition(d, p, cx.a.data());
  }
}

void exec_ScalarTensorTensor(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1), y = opnd(cx, in, 3);
  std::optional<APRef> o0 = cx.prog.role_op(in, 2);
  PhysView v0 = o0 ? cx.mem.view(*o0) : PhysView{};
  int64_t n = d.free_elems();
  cx.a.resize(n);
  cx.b.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    load_partition(y, p, cx.b.data());
    float s0 = o0 ? column_value(v0, p) : static_cast<float>(in.f0);
    alu_row_scalar(in.alu, cx.a.data(), n, s0, in.flags & kRev0);
    alu_row_rows(in.alu1, cx.a.data(), cx.b.data(), n, in.flags & kRev1);
    store_partition(d, p, cx.a.data());
  }
}

void exec_TensorCopy(ExecContext& cx, const Instruction& in) { copy_elements(opnd(cx, in, 0), opnd(cx, in, 1), cx.a); }

void exec_TensorCopyPredicated(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), pr = opnd(cx, in, 2);
  std::optional<APRef> so = cx.prog.role_op(in, 1);
  PhysView s = so ? cx.mem.view(*so) : PhysView{};
  int64_t n = d.free_elems();
  bool rev = in.flags & kRevPred;
  cx.c.resize(n);
  bool exact = !is_float(d.dtype);
  if (exact) {
    cx.ia.resize(n);
    cx.ib.assign(n, static_cast<int64_t>(in.f0));
  } else {
    cx.a.resize(n);
    cx.b.assign(n, static_cast<float>(in.f0));
  }
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(pr, p, cx.c.data());
    const float* c = cx.c.data();
    if (exact) {
      load_partition_i64(d, p, cx.ia.data());
      if (so) load_partition_i64(s, p, cx.ib.data());
      for (int64_t i = 0; i < n; ++i)
        if ((c[i] != 0) != rev) cx.ia[i] = cx.ib[i];
      store_partition_i64(d, p, cx.ia.data());
    } else {
      load_partition(d, p, cx.a.data());
      if (so) load_partition(s, p, cx.b.data());
      for (int64_t i = 0; i < n; ++i)
        if ((c[i] != 0) != rev) cx.a[i] = cx.b[i];
      store_partition(d, p, cx.a.data());
    }
  }
}

void exec_TensorReduce(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1);
  int64_t n = x.free_elems(), g = in.i0, groups = n / g;
  bool neg = in.flags & kNegate;
  if (is_bitvec(in.alu) || (all_int({d.dtype, x.dtype}) && int_op(in.alu))) {
    cx.ia.resize(n);
    cx.ib.resize(groups);
    int bits = int_bits(x.dtype);
    for (int64_t p = 0; p < d.pnum; ++p) {
      load_partition_i64(x, p, cx.ia.data());
      for (int64_t k = 0; k < groups; ++k) {
        const int64_t* row = cx.ia.data() + k * g;
        int64_t acc = row[0];
        for (int64_t i = 1; i < g; ++i) acc = apply_alu_int(in.alu, acc, row[i], bits);
        cx.ib[k] = neg && !is_bitvec(in.alu) ? -acc : acc;
      }
      store_int_result(d, p, cx.ib.data(), groups, is_bitvec(in.alu));
    }
    return;
  }
  cx.a.resize(n);
  cx.b.resize(groups);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    dispatch_alu(in.alu, [&](auto f) {
      for (int64_t k = 0; k < groups; ++k) {
        const float* row = cx.a.data() + k * g;
        float acc = row[0];
        for (int64_t i = 1; i < g; ++i) acc = f(acc, row[i]);
        cx.b[k] = neg ? -acc : acc;
      }
    });
    store_partition(d, p, cx.b.data());
  }
}

void exec_TensorTensorScan(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1), y = opnd(cx, in, 2);
  std::optional<APRef> io = cx.prog.role_op(in, 3);
  PhysView iv = io ? cx.mem.view(*io) : PhysView{};
  int64_t n = d.free_elems();
  bool r0 = in.flags & kRev0, r1 = in.flags & kRev1;
  cx.a.resize(n);
  cx.b.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    load_partition(y, p, cx.b.data());
    float r = io ? column_value(iv, p) : static_cast<float>(in.f0);
    float *a = cx.a.data(), *b = cx.b.data();
    AluOp op1 = in.alu1;
    dispatch_alu(in.alu, [&](auto f0) {
      for (int64_t i = 0; i < n; ++i) {
        float t = r0 ? f0(r, a[i]) : f0(a[i], r);
        r = r1 ? apply_alu(op1, b[i], t) : apply_alu(op1, t, b[i]);
        a[i] = r;
      }
    });
    store_partition(d, p, a);
  }
}

void exec_Reciprocal(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0), x = opnd(cx, in, 1);
  int64_t n = d.free_elems();
  cx.a.resize(n);
  for (int64_t p = 0; p < d.pnum; ++p) {
    load_partition(x, p, cx.a.data());
    float* a = cx.a.data();
    for (int64_t i = 0; i < n; ++i) a[i] = 1.f / a[i];
    store_partition(d, p, a);
  }
}

void exec_Memset(ExecContext& cx, const Instruction& in) {
  PhysView d = opnd(cx, in, 0);
  int64_t n = d.free_elems();
  if (!is_float(d.dtype)) {  // exact for every integer value
    cx.ia.assign(n, static_cast<int64_t>(in.f0));
    for (int64_t p = 0; p < d.pnum; ++p) store_partition_i64(d, p, cx.ia.data());
    return;
  }
  cx.a.assign(n, static_cast<float>(in.f0));
  for (int64_t p = 0; p < d.pnum; ++p) store_partition(d, p, cx.a.data());
}

}  // namespace nkic::sim
