// nki.language convenience APIs of 0.3.0 (spec §4.11: nl.load, nl.store, nl.add, nl.exp, nl.sum, ...),
// each lowered to nki.isa instructions through the same builtins a kernel would call (so they share
// the ISA validation). Results are new SBUF tiles (PSUM for matmul/transpose). Operator constants
// (nl.add, nl.exp, nl.max, ...) are VK::Op values; calling one dispatches here (call_language_op).
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "numerics/activation.h"
#include "target/rules.h"
#include "trace/interpreter.h"

namespace nkic::trace {

namespace {

using Fn = std::function<Value(Interpreter&, CallArgs&)>;

std::string shape_of(const TensorObj& t) {
  std::string s = "(";
  auto sh = t.shape();
  for (size_t i = 0; i < sh.size(); ++i) s += (i ? ", " : "") + std::to_string(sh[i]);
  return s + (sh.size() == 1 ? ",)" : ")");
}

[[noreturn]] void fail(Interpreter& in, Span s, const std::string& fn, const std::string& msg,
                       const std::string& hint = "") {
  in.error(s, "nl." + fn + ": " + msg, hint, "validation");
}

// Calls nisa.<name> with keyword arguments, reporting errors at the user's call.
void isa(Interpreter& in, const CallArgs& user, const char* name, std::vector<std::pair<std::string, Value>> kw) {
  Value fn = in.builtin_module("nki.isa").as<ModuleObj>()->ns.at(name);
  CallArgs a;
  a.call_span = user.call_span;
  for (auto& [k, v] : kw) {
    a.kw.emplace_back(k, v);
    a.kw_spans.push_back(user.call_span);
  }
  in.call(fn, a);
}

TensorObj* tile_arg(Interpreter& in, const Value& v, Span s, const std::string& fn, const char* what) {
  TensorObj* t = expect_tensor(in, v, s, "nl." + fn + " " + what);
  if (in.program.tensors[t->ap.tensor].mem == Mem::HBM)
    fail(in, s, fn, std::string(what) + " must be an on-chip tile (SBUF or PSUM), but it is in HBM",
         "load it first with nl.load");
  return t;
}

DType dtype_arg(Interpreter& in, const Value& v, Span s, DType def) {
  if (v.is_none()) return def;
  if (v.k == VK::Str)  // NKI 0.3.0 dtypes are their names
    if (auto named = dtype_from_name(v.as<StrObj>()->s)) return *named;
  if (v.k != VK::DType) in.error(s, "dtype must be an nki.language dtype (e.g. nl.float32)");
  return v.as_dtype();
}

Value new_tile(Interpreter& in, const std::vector<int64_t>& shape, DType dt, Mem mem, Span s) {
  return in.new_tensor(in.take_name_hint(), mem, dt, shape, s);
}

Value engine_value(Interpreter& in, const char* name) {
  return in.builtin_module("nki.isa").as<ModuleObj>()->ns.at("engine").as<ModuleObj>()->ns.at(name);
}

bool int32_like(DType t) { return t == DType::Int32 || t == DType::UInt32; }

int rank_of(DType t) {  // promotion lattice: float32 > tfloat32 > bf16/fp16 > fp8 > ints
  switch (t) {
    case DType::Float32: return 10;
    case DType::TFloat32: return 9;
    case DType::BFloat16:
    case DType::Float16: return 8;
    default: return is_float(t) ? 7 : size_of(t);
  }
}

const std::map<std::string, Value>& functions();

// A call's arguments bound to the signature nl.<fn> is registered with (functions() below).
struct Bound {
  const std::vector<Param>& ps;
  std::vector<Value> v;
};
Bound bind_args(Interpreter& in, CallArgs& a, const std::string& fn) {
  const std::vector<Param>& ps = *functions().at(fn).as<BuiltinObj>()->params;
  return {ps, in.bind(a, fn, ps)};
}

// ---- elementwise

Value binary(Interpreter& in, CallArgs& a, AluOp op) {
  std::string fn(name_of(op));
  Bound b = bind_args(in, a, fn);
  const Value &x = b.v[0], &y = b.v[1];
  Span sx = in.arg_span(a, b.ps, 0), sy = in.arg_span(a, b.ps, 1);
  if (x.k != VK::Tensor && y.k != VK::Tensor) fail(in, a.call_span, fn, "at least one of x and y must be a tile");
  if (x.k == VK::Tensor && y.k == VK::Tensor) {
    TensorObj *tx = tile_arg(in, x, sx, fn, "x"), *ty = tile_arg(in, y, sy, fn, "y");
    if (tx->shape() != ty->shape())
      fail(in, sy, fn, "x " + shape_of(*tx) + " and y " + shape_of(*ty) + " must have the same shape",
           "NKI 0.3.0 does not broadcast between tiles; use a (P, 1) operand with nisa.tensor_scalar");
    DType def = rank_of(tx->ap.dtype) >= rank_of(ty->ap.dtype) ? tx->ap.dtype : ty->ap.dtype;
    DType dt = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), def);
    Value out = new_tile(in, tx->shape(), dt, Mem::SBUF, a.call_span);
    std::vector<std::pair<std::string, Value>> kw = {{"dst", out}, {"data1", x}, {"data2", y}, {"op", Value::op(op)}};
    // Bitvec operators run on VectorE only (the ALU table's engine column), also for 32-bit integers.
    if (is_bitvec(op)) kw.emplace_back("engine", engine_value(in, "vector"));
    isa(in, a, "tensor_tensor", kw);
    return out;
  }
  bool rev = x.k != VK::Tensor;
  const Value& tv = rev ? y : x;
  const Value& sv = rev ? x : y;
  TensorObj* t = tile_arg(in, tv, rev ? sy : sx, fn, rev ? "y" : "x");
  if (!sv.is_number()) fail(in, rev ? sx : sy, fn, std::string(rev ? "x" : "y") + " must be a tile or a number");
  DType dt = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), t->ap.dtype);
  Value out = new_tile(in, t->shape(), dt, Mem::SBUF, a.call_span);
  Value operand = is_bitvec(op) ? sv : Value::real(sv.as_float());
  std::vector<std::pair<std::string, Value>> kw = {
      {"dst", out}, {"data", tv}, {"op0", Value::op(op)}, {"operand0", operand}, {"reverse0", Value::boolean(rev)}};
  // power, and arithmetic on 32-bit integers, run on GpSimd (the ALU table's engine column), as
  // nisa.tensor_tensor picks for them; GpSimd cannot reach PSUM.
  bool gpsimd = op == AluOp::Power || (!is_bitvec(op) && int32_like(t->ap.dtype) && int32_like(dt));
  if (gpsimd && in.program.tensors[t->ap.tensor].mem != Mem::PSUM)
    kw.emplace_back("engine", engine_value(in, "gpsimd"));
  isa(in, a, "tensor_scalar", kw);
  return out;
}

Value unary_activation(Interpreter& in, CallArgs& a, AluOp f) {
  std::string fn(name_of(f));
  Bound b = bind_args(in, a, fn);
  TensorObj* t = tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), fn, "x");
  DType dt = dtype_arg(in, b.v[1], in.arg_span(a, b.ps, 1), t->ap.dtype);
  // nl.copy: a VectorE tensor_copy into a new SBUF tile from NKI 0.6.0 (and by default); before, a ScalarE
  // activation(copy) in x's buffer (docs/semantics.md, "NKI releases").
  bool vector_copy = f == AluOp::Copy && (!in.launch.release || *in.launch.release >= trace::Release::V0_6);
  Mem mem = f == AluOp::Copy && !vector_copy ? in.program.tensors[t->ap.tensor].mem : Mem::SBUF;
  // nl.rsqrt: a GpSimd tensor_scalar from NKI 0.5.0 (and by default), which cannot read PSUM; before, a
  // ScalarE activation.
  bool gpsimd_rsqrt = f == AluOp::Rsqrt && (!in.launch.release || *in.launch.release >= trace::Release::V0_5);
  if (gpsimd_rsqrt && in.program.tensors[t->ap.tensor].mem == Mem::PSUM)
    fail(in, in.arg_span(a, b.ps, 0), fn, "x is in PSUM, which nl.rsqrt (GpSimd since NKI 0.5.0) cannot read",
         "copy it to SBUF first (nisa.tensor_copy)");
  Value out = new_tile(in, t->shape(), dt, mem, a.call_span);
  if (gpsimd_rsqrt)
    isa(in, a, "tensor_scalar",
        {{"dst", out},
         {"data", b.v[0]},
         {"op0", Value::op(f)},
         {"operand0", Value::real(0.0)},
         {"engine", engine_value(in, "gpsimd")}});
  else if (vector_copy)
    isa(in, a, "tensor_copy", {{"dst", out}, {"src", b.v[0]}, {"engine", engine_value(in, "vector")}});
  else
    isa(in, a, "activation", {{"dst", out}, {"op", Value::op(f)}, {"data", b.v[0]}});
  return out;
}

// x op c for a fixed scalar c (negative, logical_not, invert).
Value unary_scalar(Interpreter& in, CallArgs& a, const std::string& fn, AluOp op, Value c) {
  Bound b = bind_args(in, a, fn);
  TensorObj* t = tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), fn, "x");
  DType dt = dtype_arg(in, b.v[1], in.arg_span(a, b.ps, 1), t->ap.dtype);
  Value out = new_tile(in, t->shape(), dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_scalar", {{"dst", out}, {"data", b.v[0]}, {"op0", Value::op(op)}, {"operand0", c}});
  return out;
}

// ---- reductions: (x, axis, dtype=None, keepdims=False), axis = trailing free dims

struct Reduced {
  Value out;
  std::vector<int64_t> shape;    // of the result
  DType dtype = DType::Float32;  // of the result (out holds `acc` when reduce() was given one)
  int64_t count = 1;             // elements reduced per output element
};

// One tensor_reduce into a new tile of the result's dtype, or of `acc` if given (for a further step).
Reduced reduce(Interpreter& in, CallArgs& a, const std::string& fn, AluOp op, std::optional<DType> acc = {}) {
  Bound b = bind_args(in, a, fn);
  TensorObj* t = tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), fn, "x");
  auto shape = t->shape();
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes;
  if (b.v[1].is_int())
    axes = {b.v[1].as_int()};
  else
    axes = expect_shape(in, b.v[1], in.arg_span(a, b.ps, 1), "axis");
  for (auto& x : axes) {
    if (x < 0) x += rank;
    if (x <= 0 || x >= rank)
      fail(in, in.arg_span(a, b.ps, 1), fn, "axis must name free dimensions of x " + shape_of(*t) + " (never 0)");
  }
  bool keep = b.v.size() > 3 && b.v[3].k == VK::Bool && b.v[3].b;  // nl.all has no keepdims
  Reduced r;
  std::vector<int64_t> out_shape;
  for (int64_t i = 0; i < rank; ++i) {
    bool red = std::find(axes.begin(), axes.end(), i) != axes.end();
    if (red) r.count *= shape[i];
    if (!red)
      out_shape.push_back(shape[i]);
    else if (keep)
      out_shape.push_back(1);
  }
  if (out_shape.size() == 1) out_shape.push_back(1);  // on-chip tiles keep a free dimension
  r.dtype = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), t->ap.dtype);
  r.shape = out_shape;
  r.out = new_tile(in, out_shape, acc.value_or(r.dtype), Mem::SBUF, a.call_span);
  Value ax;
  std::vector<Value> axv;
  for (auto x : axes) axv.push_back(Value::integer(x));
  ax = Value::tuple(axv);
  isa(in, a, "tensor_reduce", {{"dst", r.out}, {"op", Value::op(op)}, {"data", b.v[0]}, {"axis", ax}});
  return r;
}

// The sum in fp32 (the documented intermediate), then one multiply by 1/n into the result: the ALU has
// no divide.
Value mean(Interpreter& in, CallArgs& a) {
  Reduced r = reduce(in, a, "mean", AluOp::Add, DType::Float32);
  Value out = new_tile(in, r.shape, r.dtype, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_scalar",
      {{"dst", out},
       {"data", r.out},
       {"op0", Value::op(AluOp::Multiply)},
       {"operand0", Value::real(1.0 / double(r.count))}});
  return out;
}

// ---- data movement

Value load(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "load");
  Span s = in.arg_span(a, b.ps, 0);
  TensorObj* t = expect_tensor(in, b.v[0], s, "nl.load src");
  if (in.program.tensors[t->ap.tensor].mem != Mem::HBM) fail(in, s, "load", "src must be an HBM tensor");
  auto shape = t->shape();
  if (shape.size() == 1) shape.insert(shape.begin(), 1);
  if (shape[0] > in.tgt.partitions)
    fail(in, s, "load",
         "src " + shape_of(*t) + " has partition dimension " + std::to_string(shape[0]) +
             ", more than the maximum of " + std::to_string(in.tgt.partitions),
         "load a tile at a time, e.g. src[i * 128:(i + 1) * 128, :]");
  DType dt = dtype_arg(in, b.v[1], in.arg_span(a, b.ps, 1), t->ap.dtype);
  Value out = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
  isa(in, a, "dma_copy", {{"dst", out}, {"src", b.v[0]}});
  return out;
}

Value store(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "store");
  TensorObj* d = expect_tensor(in, b.v[0], in.arg_span(a, b.ps, 0), "nl.store dst");
  if (in.program.tensors[d->ap.tensor].mem != Mem::HBM)
    fail(in, in.arg_span(a, b.ps, 0), "store", "dst must be an HBM tensor");
  TensorObj* v = tile_arg(in, b.v[1], in.arg_span(a, b.ps, 1), "store", "value");
  if (in.program.tensors[v->ap.tensor].mem == Mem::PSUM)
    fail(in, in.arg_span(a, b.ps, 1), "store", "value cannot be a PSUM tile in NKI 0.3.0",
         "copy it to SBUF first (nl.copy)");
  isa(in, a, "dma_copy", {{"dst", b.v[0]}, {"src", b.v[1]}});
  return Value::none();
}

Value matmul(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "matmul");
  TensorObj *x = tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), "matmul", "x"),
            *y = tile_arg(in, b.v[1], in.arg_span(a, b.ps, 1), "matmul", "y");
  if (!(b.v[2].k == VK::Bool && b.v[2].b))
    fail(in, in.arg_span(a, b.ps, 2), "matmul", "only transpose_x=True is supported in NKI 0.3.0",
         "pass x already transposed (contraction on the partition dimension) with transpose_x=True");
  Value out = new_tile(in, {x->ap.free_elements(), y->ap.free_elements()}, DType::Float32, Mem::PSUM, a.call_span);
  isa(in, a, "nc_matmul", {{"dst", out}, {"stationary", b.v[0]}, {"moving", b.v[1]}});
  return out;
}

Value transpose(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "transpose");
  TensorObj* x = tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), "transpose", "x");
  if (x->ap.dims.size() != 2) fail(in, in.arg_span(a, b.ps, 0), "transpose", "x must be 2-D, not " + shape_of(*x));
  DType dt = dtype_arg(in, b.v[1], in.arg_span(a, b.ps, 1), x->ap.dtype);
  if (dt != x->ap.dtype)
    fail(in, in.arg_span(a, b.ps, 1), "transpose", "dtype must equal x's dtype (a transpose does not cast)");
  bool te = in.program.tensors[x->ap.tensor].mem == Mem::SBUF;
  Value out = new_tile(in, {x->ap.dims[1].num, x->ap.dims[0].num}, dt, te ? Mem::PSUM : Mem::SBUF, a.call_span);
  isa(in, a, "nc_transpose", {{"dst", out}, {"data", b.v[0]}});
  return out;
}

// softmax along the free axis, as nki-library's kernels write it: the negated row max (VectorE), exp with
// that bias summing the row in ScalarE's accumulator, 1/sum, one multiply (docs/semantics.md, "How nl.*
// APIs lower").
Value softmax(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "softmax");
  Span sx = in.arg_span(a, b.ps, 0);
  TensorObj* x = tile_arg(in, b.v[0], sx, "softmax", "x");
  int64_t rank = static_cast<int64_t>(x->ap.dims.size());
  std::vector<int64_t> axes;
  if (b.v[1].is_int())
    axes = {b.v[1].as_int()};
  else
    axes = expect_shape(in, b.v[1], in.arg_span(a, b.ps, 1), "axis");
  for (auto& v : axes) v = v < 0 ? v + rank : v;
  if (rank != 2 || axes != std::vector<int64_t>{1})
    fail(in, in.arg_span(a, b.ps, 1), "softmax", "only a 2-D x with axis=-1 (or 1) is supported");
  int64_t P = x->ap.dims[0].num;
  DType dt = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), x->ap.dtype);
  Value m = new_tile(in, {P, 1}, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_reduce",
      {{"dst", m},
       {"op", Value::op(AluOp::Maximum)},
       {"data", b.v[0]},
       {"axis", Value::integer(1)},
       {"negate", Value::boolean(true)}});
  Value e = new_tile(in, x->shape(), DType::Float32, Mem::SBUF, a.call_span);
  Value s = new_tile(in, {P, 1}, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "activation_reduce",
      {{"dst", e},
       {"op", Value::op(AluOp::Exp)},
       {"data", b.v[0]},
       {"bias", m},
       {"reduce_op", Value::op(AluOp::Add)},
       {"reduce_res", s}});
  // The ALU has no divide: 1/sum on VectorE (one element per partition), then one multiply.
  isa(in, a, "reciprocal", {{"dst", s}, {"data", s}});
  Value out = new_tile(in, x->shape(), dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_scalar", {{"dst", out}, {"data", e}, {"op0", Value::op(AluOp::Multiply)}, {"operand0", s}});
  return out;
}

// A view of t with another access pattern (same tensor).
Value view_of(const TensorObj&, AccessPattern ap) {
  auto obj = std::make_shared<TensorObj>();
  obj->ap = std::move(ap);
  obj->whole = false;
  obj->indexed = false;
  Value v;
  v.k = VK::Tensor;
  v.o = obj;
  return v;
}

// A flat (P, F) view of a freshly created (contiguous) tile, columns [c0, c0 + n).
Value columns(const Value& tile, int64_t c0, int64_t n) {
  const TensorObj& t = *tile.as<TensorObj>();
  int64_t F = t.ap.free_elements();
  AccessPattern ap = t.ap;
  ap.offset += c0;
  ap.dims = {{F, t.ap.dims[0].num}, {1, n}};
  return view_of(t, ap);
}

// Partitions [p0, p0 + n) of a freshly created tile.
Value partitions(const Value& tile, int64_t p0, int64_t n) {
  const TensorObj& t = *tile.as<TensorObj>();
  AccessPattern ap = t.ap;
  ap.offset += p0 * ap.dims[0].stride;
  ap.dims[0].num = n;
  return view_of(t, ap);
}

int64_t axis_list(Interpreter& in, const Value& v, Span s, const std::string& fn, int64_t rank,
                  std::vector<int64_t>& axes) {
  if (v.is_int())
    axes = {v.as_int()};
  else
    axes = expect_shape(in, v, s, "axis");
  for (auto& x : axes) {
    if (x < 0) x += rank;
    if (x <= 0 || x >= rank) fail(in, s, fn, "axis must name free dimensions (never 0)");
  }
  std::sort(axes.begin(), axes.end());
  return static_cast<int64_t>(axes.size());
}

Value expand_dims(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "expand_dims");
  Span sx = in.arg_span(a, b.ps, 0);
  TensorObj* t = expect_tensor(in, b.v[0], sx, "nl.expand_dims x");
  bool chip = in.program.tensors[t->ap.tensor].mem != Mem::HBM;
  int64_t rank = static_cast<int64_t>(t->ap.dims.size());
  int64_t ax = expect_int(in, b.v[1], in.arg_span(a, b.ps, 1), "nl.expand_dims axis");
  if (ax < 0) ax += rank + 1;
  if (ax < (chip ? 1 : 0) || ax > rank)
    fail(in, in.arg_span(a, b.ps, 1), "expand_dims",
         "axis must be in [" + std::string(chip ? "1" : "0") + ", " + std::to_string(rank) + "] for x " + shape_of(*t) +
             (chip ? " (axis 0 is the partition dimension of an on-chip tile)" : ""));
  AccessPattern ap = t->ap;
  ap.dims.insert(ap.dims.begin() + ax, APDim{1, 1});
  Value v = view_of(*t, ap);
  v.as<TensorObj>()->whole = t->whole;
  return v;
}

Value broadcast_to(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "broadcast_to");
  Span sx = in.arg_span(a, b.ps, 0), ss = in.arg_span(a, b.ps, 1);
  TensorObj* t = tile_arg(in, b.v[0], sx, "broadcast_to", "x");
  auto shape = expect_shape(in, b.v[1], ss, "shape");
  auto xs = t->shape();
  if (shape.size() != xs.size())
    fail(in, ss, "broadcast_to",
         "shape must have the rank of x " + shape_of(*t) + " (NKI 0.3.0 does not add dimensions)");
  for (size_t i = 0; i < xs.size(); ++i)
    if (xs[i] != shape[i] && xs[i] != 1)
      fail(in, ss, "broadcast_to",
           "dimension " + std::to_string(i) + " of x " + shape_of(*t) + " cannot broadcast to " +
               std::to_string(shape[i]) + " (only size-1 dimensions broadcast)");
  if (shape[0] > in.tgt.partitions)
    fail(in, ss, "broadcast_to", "the partition dimension exceeds " + std::to_string(in.tgt.partitions));
  DType dt = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), t->ap.dtype);
  if (shape == xs) {  // documented: x itself, or one cast copy
    if (dt == t->ap.dtype) return b.v[0];
    Value out = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
    isa(in, a, "tensor_copy", {{"dst", out}, {"src", b.v[0]}});
    return out;
  }
  // Free dims: a stride-0 view of x.
  AccessPattern src = t->ap;
  for (size_t i = 1; i < xs.size(); ++i) {
    src.dims[i].num = shape[i];
    if (xs[i] == 1) src.dims[i].stride = 0;
  }
  Value row = view_of(*t, src);
  if (xs[0] == shape[0]) {  // free-dim broadcast only: one copy of the stride-0 view
    Value out = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
    isa(in, a, "tensor_copy", {{"dst", out}, {"src", row}});
    return out;
  }
  // Partition broadcast, as nki-library's stream_shuffle_broadcast: one nc_stream_shuffle per 32-partition
  // quadrant of the result, each copying the one source partition (mask all 0) to every partition of it.
  // A shuffle does not cast, so a dtype change is one copy of the single row first.
  if (dt != t->ap.dtype) {
    std::vector<int64_t> row_shape = shape;
    row_shape[0] = 1;
    Value cast = new_tile(in, row_shape, dt, Mem::SBUF, a.call_span);
    isa(in, a, "tensor_copy", {{"dst", cast}, {"src", row}});
    row = cast;
  }
  Value out = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
  Value mask = Value::list(std::vector<Value>(kQuadrantPartitions, Value::integer(0)));
  for (int64_t p0 = 0; p0 < shape[0]; p0 += kQuadrantPartitions) {
    int64_t n = std::min<int64_t>(kQuadrantPartitions, shape[0] - p0);
    isa(in, a, "nc_stream_shuffle", {{"dst", partitions(out, p0, n)}, {"src", row}, {"shuffle_mask", mask}});
  }
  return out;
}

Value where(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "where");
  Span sc = in.arg_span(a, b.ps, 0);
  TensorObj* c = tile_arg(in, b.v[0], sc, "where", "condition");
  const Value &x = b.v[1], &y = b.v[2];
  for (int i : {1, 2}) {
    const Value& v = b.v[i];
    if (v.k == VK::Tensor) {
      TensorObj* t = tile_arg(in, v, in.arg_span(a, b.ps, i), "where", i == 1 ? "x" : "y");
      if (t->shape() != c->shape())
        fail(in, in.arg_span(a, b.ps, i), "where",
             std::string(i == 1 ? "x " : "y ") + shape_of(*t) + " must have the shape of condition " + shape_of(*c),
             "NKI 0.3.0 does not broadcast between tiles");
    } else if (!v.is_number()) {
      fail(in, in.arg_span(a, b.ps, i), "where", std::string(i == 1 ? "x" : "y") + " must be a tile or a number");
    }
  }
  DType def = x.k == VK::Tensor   ? x.as<TensorObj>()->ap.dtype
              : y.k == VK::Tensor ? y.as<TensorObj>()->ap.dtype
                                  : c->ap.dtype;
  DType dt = dtype_arg(in, b.v[3], in.arg_span(a, b.ps, 3), def);
  auto shape = c->shape();
  // The predicate: condition != 0 as uint8.
  Value pred = new_tile(in, shape, DType::UInt8, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_scalar",
      {{"dst", pred}, {"data", b.v[0]}, {"op0", Value::op(AluOp::NotEqual)}, {"operand0", Value::real(0.0)}});
  Value out = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
  if (y.k == VK::Tensor)
    isa(in, a, "tensor_copy", {{"dst", out}, {"src", y}});
  else
    isa(in, a, "memset", {{"dst", out}, {"value", is_float(dt) ? Value::real(y.as_float()) : y}});
  Value src = x;
  if (x.k == VK::Tensor && x.as<TensorObj>()->ap.dtype != dt) {
    src = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
    isa(in, a, "tensor_copy", {{"dst", src}, {"src", x}});
  }
  isa(in, a, "tensor_copy_predicated", {{"dst", out}, {"src", src}, {"predicate", pred}});
  return out;
}

// Views of ap (partition dim first) covering its free elements in chunks of at most fmax per partition:
// whole trailing dims where they fit, else one index of the outermost free dim at a time.
void stats_chunks(const AccessPattern& ap, int64_t fmax, std::vector<AccessPattern>& out) {
  if (ap.free_elements() <= fmax) {
    out.push_back(ap);
    return;
  }
  const APDim& d = ap.dims[1];
  int64_t step = ap.dims.size() == 2 ? fmax : 1;
  for (int64_t i = 0; i < d.num; i += step) {
    AccessPattern sub = ap;
    sub.offset += i * d.stride;
    if (ap.dims.size() == 2) {
      sub.dims[1].num = std::min(fmax, d.num - i);
      out.push_back(sub);
    } else {
      sub.dims.erase(sub.dims.begin() + 1);
      stats_chunks(sub, fmax, out);
    }
  }
}

// var over all free dims (population variance, as np.var).
Value var(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "var");
  Span sx = in.arg_span(a, b.ps, 0), sa = in.arg_span(a, b.ps, 1);
  TensorObj* t = tile_arg(in, b.v[0], sx, "var", "x");
  auto shape = t->shape();
  int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes;
  axis_list(in, b.v[1], sa, "var", rank, axes);
  if (static_cast<int64_t>(axes.size()) != rank - 1)
    fail(in, sa, "var", "nkic supports nl.var over all free dimensions of x " + shape_of(*t) + " only",
         "reshape x to (P, F) first");
  int64_t P = shape[0];
  DType dt = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), t->ap.dtype);
  std::vector<int64_t> out_shape(rank, 1);
  out_shape[0] = P;
  // VectorE's batch-norm statistics, as nki-library's layer norms compute them: one bn_stats per chunk of at
  // most bn_stats_fmax elements per partition, one bn_aggr combining them into (mean, variance) in fp32.
  std::vector<AccessPattern> chunks;
  stats_chunks(t->ap, in.tgt.bn_stats_fmax, chunks);
  int64_t k = static_cast<int64_t>(chunks.size());
  Value stats = new_tile(in, {P, 6 * k}, DType::Float32, Mem::SBUF, a.call_span);
  for (int64_t j = 0; j < k; ++j)
    isa(in, a, "bn_stats", {{"dst", columns(stats, 6 * j, 6)}, {"data", view_of(*t, chunks[j])}});
  bool direct = dt == DType::Float32 || dt == DType::BFloat16 || dt == DType::Float16;
  Value mv = new_tile(in, {P, 2}, direct ? dt : DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "bn_aggr", {{"dst", mv}, {"data", stats}});
  // The result is the variance column, shaped (P, 1, ...): a view, or one cast copy for other dtypes.
  AccessPattern col = mv.as<TensorObj>()->ap;
  col.offset += 1;
  col.dims.resize(1);
  col.dims.resize(out_shape.size(), APDim{1, 1});
  Value v = view_of(*mv.as<TensorObj>(), col);
  if (direct) return v;
  Value out = new_tile(in, out_shape, dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_copy", {{"dst", out}, {"src", v}});
  return out;
}

Value rms_norm(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "rms_norm");
  Span sx = in.arg_span(a, b.ps, 0), sw = in.arg_span(a, b.ps, 1), sa = in.arg_span(a, b.ps, 2);
  TensorObj* x = tile_arg(in, b.v[0], sx, "rms_norm", "x");
  TensorObj* w = tile_arg(in, b.v[1], sw, "rms_norm", "w");
  auto shape = x->shape();
  if (shape.size() != 2) fail(in, sx, "rms_norm", "x must be 2-D (P, F), not " + shape_of(*x));
  std::vector<int64_t> axes;
  axis_list(in, b.v[2], sa, "rms_norm", 2, axes);
  int64_t n = expect_int(in, b.v[3], in.arg_span(a, b.ps, 3), "nl.rms_norm n");
  if (n <= 0) fail(in, in.arg_span(a, b.ps, 3), "rms_norm", "n must be positive");
  if (!b.v[4].is_number()) fail(in, in.arg_span(a, b.ps, 4), "rms_norm", "epsilon must be a number");
  DType dt = dtype_arg(in, b.v[5], in.arg_span(a, b.ps, 5), x->ap.dtype);
  DType cdt = dtype_arg(in, b.v[6], in.arg_span(a, b.ps, 6), DType::Float32);
  int64_t P = shape[0];
  Value wv = b.v[1];
  auto ws = w->shape();
  if (ws != shape) {
    if (ws.size() != 2 || ws[0] != 1 || ws[1] != shape[1])
      fail(in, sw, "rms_norm",
           "w " + shape_of(*w) + " must have the shape of x " + shape_of(*x) + " or (1, " + std::to_string(shape[1]) +
               ")");
    CallArgs ba;
    ba.call_span = a.call_span;
    ba.pos = {b.v[1], Value::tuple({Value::integer(P), Value::integer(shape[1])})};
    ba.pos_spans = {sw, sw};
    wv = broadcast_to(in, ba);
  }
  // As nki-library's rmsnorm: the sum of squares in ScalarE's accumulator, rsqrt(sum / n + eps) in one
  // activation (scale and bias), then x * r * w in one VectorE instruction.
  Value sq = new_tile(in, shape, cdt, Mem::SBUF, a.call_span);  // the squares themselves are not used
  Value r = new_tile(in, {P, 1}, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "activation_reduce",
      {{"dst", sq},
       {"op", Value::op(AluOp::Square)},
       {"data", b.v[0]},
       {"reduce_op", Value::op(AluOp::Add)},
       {"reduce_res", r}});
  Value eps = Value::real(b.v[4].as_float());
  if (in.tgt.nc_version < 3) {  // NeuronCore-v2 takes the bias from a (P, 1) tile only
    eps = new_tile(in, {P, 1}, DType::Float32, Mem::SBUF, a.call_span);
    isa(in, a, "memset", {{"dst", eps}, {"value", Value::real(b.v[4].as_float())}});
  }
  isa(in, a, "activation",
      {{"dst", r},
       {"op", Value::op(AluOp::Rsqrt)},
       {"data", r},
       {"bias", eps},
       {"scale", Value::real(1.0 / double(n))}});
  Value out = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
  isa(in, a, "scalar_tensor_tensor",
      {{"dst", out},
       {"data", b.v[0]},
       {"op0", Value::op(AluOp::Multiply)},
       {"operand0", r},
       {"op1", Value::op(AluOp::Multiply)},
       {"operand1", wv}});
  return out;
}

Value load_transpose2d(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "load_transpose2d");
  Span s = in.arg_span(a, b.ps, 0);
  TensorObj* t = expect_tensor(in, b.v[0], s, "nl.load_transpose2d src");
  if (in.program.tensors[t->ap.tensor].mem != Mem::HBM) fail(in, s, "load_transpose2d", "src must be an HBM tensor");
  auto shape = t->shape();
  if (shape.size() != 2) fail(in, s, "load_transpose2d", "src must be 2-D, not " + shape_of(*t));
  if (shape[1] > in.tgt.partitions)
    fail(in, s, "load_transpose2d",
         "src " + shape_of(*t) + " has " + std::to_string(shape[1]) + " columns, more than the " +
             std::to_string(in.tgt.partitions) + " partitions of the result");
  DType dt = dtype_arg(in, b.v[1], in.arg_span(a, b.ps, 1), t->ap.dtype);
  Value tr = new_tile(in, {shape[1], shape[0]}, t->ap.dtype, Mem::SBUF, a.call_span);
  isa(in, a, "dma_transpose", {{"dst", tr}, {"src", b.v[0]}});
  if (dt == t->ap.dtype) return tr;
  Value out = new_tile(in, {shape[1], shape[0]}, dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_copy", {{"dst", out}, {"src", tr}});
  return out;
}

Value gather_flattened(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "gather_flattened");
  TensorObj* d = tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), "gather_flattened", "data");
  TensorObj* ix = tile_arg(in, b.v[1], in.arg_span(a, b.ps, 1), "gather_flattened", "indices");
  if (!b.v[2].is_int() || b.v[2].as_int() != 0)
    fail(in, in.arg_span(a, b.ps, 2), "gather_flattened",
         "only axis=0 (gather within each partition's flattened free dims) is supported");
  DType dt = dtype_arg(in, b.v[3], in.arg_span(a, b.ps, 3), d->ap.dtype);
  Value g = new_tile(in, ix->shape(), d->ap.dtype, Mem::SBUF, a.call_span);
  isa(in, a, "nc_n_gather", {{"dst", g}, {"data", b.v[0]}, {"indices", b.v[1]}});
  if (dt == d->ap.dtype) return g;
  Value out = new_tile(in, ix->shape(), dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_copy", {{"dst", out}, {"src", g}});
  return out;
}

// ---- random numbers (nisa.rng / set_rng_seed / dropout on the Vector Engine)

// Digits of the significand of a float dtype: nl.rand's values k * 2^-m (k < 2^m) are exact in it.
int significand_bits(DType t) {
  switch (t) {
    case DType::Float32: return 24;
    case DType::TFloat32:
    case DType::Float16: return 11;
    case DType::BFloat16: return 8;
    case DType::Float8E5M2: return 3;
    default: return 4;  // float8_e4m3 / float8_e4m3fn
  }
}

// rand(shape, dtype, buffer=nl.sbuf, name=''): uniform values in [0, 1). Before NeuronCore-v4 it lowers to
// nisa.rng (uint32 bits), a logical right shift keeping m bits, and a multiply by 2^-m into the result
// (m = significand digits of dtype, so no value rounds up to 1.0).
Value rand(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "rand");
  std::vector<int64_t> shape = expect_shape(in, b.v[0], in.arg_span(a, b.ps, 0), "shape");
  if (b.v[1].k != VK::DType && b.v[1].k != VK::Str)
    fail(in, in.arg_span(a, b.ps, 1), "rand", "dtype must be an nki.language dtype (e.g. nl.float32)");
  DType dt = dtype_arg(in, b.v[1], in.arg_span(a, b.ps, 1), DType::Float32);  // a dtype, or its name
  if (!is_float(dt) || is_packed(dt))
    fail(in, in.arg_span(a, b.ps, 1), "rand",
         "dtype must be a float dtype (values in [0, 1)), not " + std::string(name_of(dt)),
         "for random integer bits use nisa.rng");
  if (b.v[2].k != VK::Buffer || mem_of(b.v[2].as_buffer()) == Mem::HBM)
    fail(in, in.arg_span(a, b.ps, 2), "rand", "buffer must be nl.sbuf or nl.psum");
  if (shape.empty()) fail(in, in.arg_span(a, b.ps, 0), "rand", "shape needs at least one dimension");
  std::string name = b.v[3].k == VK::Str ? b.v[3].as<StrObj>()->s : "";
  if (name.empty()) name = in.take_name_hint();
  if (name.empty()) name = "rand";
  int m = significand_bits(dt);
  if (in.tgt.nc_version >= 4) {
    // NeuronCore-v4: one rand2 on VectorE (the documented lowering). Its range is closed, so the top is the
    // largest dtype value below 1: no value, cast or not, reaches 1.0.
    Value out = in.new_tensor(name, mem_of(b.v[2].as_buffer()), dt, shape, a.call_span);
    isa(in, a, "rand2", {{"dst", out}, {"min", Value::real(0.0)}, {"max", Value::real(1.0 - std::ldexp(1.0, -m))}});
    return out;
  }
  Value bits = in.new_tensor(name + "_bits", Mem::SBUF, DType::UInt32, shape, a.call_span);
  isa(in, a, "rng", {{"dst", bits}});
  Value top = in.new_tensor(name + "_top", Mem::SBUF, DType::UInt32, shape, a.call_span);
  isa(in, a, "tensor_scalar",
      {{"dst", top}, {"data", bits}, {"op0", Value::op(AluOp::RightShift)}, {"operand0", Value::integer(32 - m)}});
  Value out = in.new_tensor(name, mem_of(b.v[2].as_buffer()), dt, shape, a.call_span);
  isa(in, a, "tensor_scalar",
      {{"dst", out},
       {"data", top},
       {"op0", Value::op(AluOp::Multiply)},
       {"operand0", Value::real(std::ldexp(1.0, -m))}});
  return out;
}

// random_seed(seed): seeds the Vector Engine generator (nisa.set_rng_seed) from a [1, 1] 32-bit tile.
Value random_seed(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "random_seed");
  tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), "random_seed", "seed");
  isa(in, a, "set_rng_seed", {{"src_seeds", b.v[0]}});
  return Value::none();
}

// dropout(x, rate, dtype=None): nisa.dropout into a tile of x's dtype (then a cast if dtype differs).
Value dropout(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "dropout");
  TensorObj* x = tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), "dropout", "x");
  DType dt = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), x->ap.dtype);
  Value out = new_tile(in, x->shape(), x->ap.dtype, Mem::SBUF, a.call_span);
  isa(in, a, "dropout", {{"dst", out}, {"data", b.v[0]}, {"prob", b.v[1]}});
  if (dt == x->ap.dtype) return out;
  Value cast = new_tile(in, x->shape(), dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_copy", {{"dst", cast}, {"src", out}});
  return cast;
}

// The functions by name, each a builtin with its signature (built once: the tables never change).
// bind_args() above binds a call by the table recorded here.
const std::map<std::string, Value>& functions() {
  static const std::map<std::string, Value> fns = [] {
    std::map<std::string, Value> m;
    auto define = [&m](const std::string& name, std::vector<Param> ps, Fn f) {
      m[name] = make_builtin("nki.language." + name, std::move(ps), std::move(f));
    };
    const Value sbuf = Value::buffer(BufferKind::SBUF), no = Value::boolean(false);
    for (AluOp op : {AluOp::Add,        AluOp::Subtract,  AluOp::Multiply,   AluOp::Divide,     AluOp::Maximum,
                     AluOp::Minimum,    AluOp::Power,     AluOp::Fmod,       AluOp::Mod,        AluOp::Equal,
                     AluOp::NotEqual,   AluOp::Less,      AluOp::LessEqual,  AluOp::Greater,    AluOp::GreaterEqual,
                     AluOp::LogicalAnd, AluOp::LogicalOr, AluOp::LogicalXor, AluOp::BitwiseAnd, AluOp::BitwiseOr,
                     AluOp::BitwiseXor, AluOp::LeftShift, AluOp::RightShift, AluOp::AbsMax,     AluOp::AbsMin})
      define(std::string(name_of(op)), {{"x", true}, {"y", true}, {"dtype", false}},
             [op](Interpreter& in, CallArgs& a) { return binary(in, a, op); });
    const std::vector<Param> unary = {{"x", true}, {"dtype", false}};
#define X(e, formula)                           \
  define(std::string(name_of(AluOp::e)), unary, \
         [](Interpreter& in, CallArgs& a) { return unary_activation(in, a, AluOp::e); });
    NKIC_ACTIVATIONS(X)
#undef X
    define("negative", unary, [](Interpreter& in, CallArgs& a) {
      return unary_scalar(in, a, "negative", AluOp::Multiply, Value::real(-1.0));
    });
    define("logical_not", unary, [](Interpreter& in, CallArgs& a) {
      return unary_scalar(in, a, "logical_not", AluOp::Equal, Value::real(0.0));
    });
    define("invert", unary, [](Interpreter& in, CallArgs& a) {
      return unary_scalar(in, a, "invert", AluOp::BitwiseXor, Value::integer(-1));
    });
    const std::vector<Param> reduction = {{"x", true}, {"axis", true}, {"dtype", false}, {"keepdims", false, no}};
    for (auto [name, op] : {std::pair<const char*, AluOp>{"sum", AluOp::Add},
                            {"max", AluOp::Maximum},
                            {"min", AluOp::Minimum},
                            {"prod", AluOp::Multiply}}) {
      std::string n = name;
      AluOp o = op;
      define(n, reduction, [n, o](Interpreter& in, CallArgs& a) { return reduce(in, a, n, o).out; });
    }
    define("all", {{"x", true}, {"axis", true}, {"dtype", false}},
           [](Interpreter& in, CallArgs& a) { return reduce(in, a, "all", AluOp::LogicalAnd).out; });
    define("mean", reduction, mean);
    define("var", reduction, var);  // keepdims is accepted; the reduced axes are always kept
    define("load", {{"src", true}, {"dtype", false}}, load);
    define("store", {{"dst", true}, {"value", true}}, store);
    define("matmul", {{"x", true}, {"y", true}, {"transpose_x", false, no}}, matmul);
    define("transpose", {{"x", true}, {"dtype", false}}, transpose);
    define("softmax", {{"x", true}, {"axis", false, Value::integer(-1)}, {"dtype", false}}, softmax);
    define("expand_dims", {{"x", true}, {"axis", true}}, expand_dims);
    define("broadcast_to", {{"x", true}, {"shape", true}, {"dtype", false}}, broadcast_to);
    define("where", {{"condition", true}, {"x", true}, {"y", true}, {"dtype", false}}, where);
    define("rms_norm",
           {{"x", true},
            {"w", true},
            {"axis", true},
            {"n", true},
            {"epsilon", false, Value::real(1e-6)},
            {"dtype", false},
            {"compute_dtype", false}},
           rms_norm);
    define("load_transpose2d", {{"src", true}, {"dtype", false}}, load_transpose2d);
    define("gather_flattened",
           {{"data", true}, {"indices", true}, {"axis", false, Value::integer(0)}, {"dtype", false}}, gather_flattened);
    define("rand", {{"shape", true}, {"dtype", true}, {"buffer", false, sbuf}, {"name", false, Value::str("")}}, rand);
    define("random_seed", {{"seed", true}}, random_seed);
    define("dropout", {{"x", true}, {"rate", true}, {"dtype", false}}, dropout);
    return m;
  }();
  return fns;
}

}  // namespace

// A call of an operator constant (nl.add(x, y), nl.exp(x), nl.max(x, axis)).
Value call_language_op(Interpreter& in, AluOp op, CallArgs& args) {
  const auto& fns = functions();
  auto it = fns.find(std::string(name_of(op)));
  if (it == fns.end())
    in.error(args.call_span, "nl." + std::string(name_of(op)) + " is an operator constant and cannot be called");
  return it->second.as<BuiltinObj>()->fn(in, args);
}

// The builtin behind nl.<name> when it is also an operator constant (nl.add): its signature. Null if none.
const BuiltinObj* language_function(const std::string& name) {
  auto it = functions().find(name);
  return it == functions().end() ? nullptr : it->second.as<BuiltinObj>();
}

void add_language_ops(ModuleObj& nl) {
  nl.ns["max"] = Value::op(AluOp::Max);
  nl.ns["min"] = Value::op(AluOp::Min);
  // Operator constants stay operators (calling one dispatches to its function in call_language_op).
  for (const auto& [name, fn] : functions())
    if (!nl.ns.count(name) || nl.ns[name].k != VK::Op) nl.ns[name] = fn;
}

}  // namespace nkic::trace
