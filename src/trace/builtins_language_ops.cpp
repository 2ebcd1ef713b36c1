// nki.language convenience APIs of 0.3.0 (spec §4.11: nl.load, nl.store, nl.add, nl.exp, nl.sum, ...),
// each lowered to nki.isa instructions through the same builtins a kernel would call (so they share
// the ISA validation). Results are new SBUF tiles (PSUM for matmul/transpose). Operator constants
// (nl.add, nl.exp, nl.max, ...) are VK::Op values; calling one dispatches here (call_language_op).
#include <algorithm>
#include <cmath>
#include <map>

#include "numerics/activation.h"
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
    isa(in, a, "tensor_tensor", {{"dst", out}, {"data1", x}, {"data2", y}, {"op", Value::op(op)}});
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
  isa(in, a, "tensor_scalar",
      {{"dst", out}, {"data", tv}, {"op0", Value::op(op)}, {"operand0", operand}, {"reverse0", Value::boolean(rev)}});
  return out;
}

Value unary_activation(Interpreter& in, CallArgs& a, AluOp f) {
  std::string fn(name_of(f));
  Bound b = bind_args(in, a, fn);
  TensorObj* t = tile_arg(in, b.v[0], in.arg_span(a, b.ps, 0), fn, "x");
  DType dt = dtype_arg(in, b.v[1], in.arg_span(a, b.ps, 1), t->ap.dtype);
  Mem mem = f == AluOp::Copy ? in.program.tensors[t->ap.tensor].mem : Mem::SBUF;
  Value out = new_tile(in, t->shape(), dt, mem, a.call_span);
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
  std::vector<int64_t> axes;
  int64_t count = 1;  // elements reduced per output element
};

Reduced reduce(Interpreter& in, CallArgs& a, const std::string& fn, AluOp op) {
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
  r.axes = axes;
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
  DType dt = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), t->ap.dtype);
  r.out = new_tile(in, out_shape, dt, Mem::SBUF, a.call_span);
  Value ax;
  std::vector<Value> axv;
  for (auto x : axes) axv.push_back(Value::integer(x));
  ax = Value::tuple(axv);
  isa(in, a, "tensor_reduce", {{"dst", r.out}, {"op", Value::op(op)}, {"data", b.v[0]}, {"axis", ax}});
  return r;
}

Value mean(Interpreter& in, CallArgs& a) {
  Reduced r = reduce(in, a, "mean", AluOp::Add);
  isa(in, a, "tensor_scalar",
      {{"dst", r.out}, {"data", r.out}, {"op0", Value::op(AluOp::Divide)}, {"operand0", Value::real(double(r.count))}});
  return r.out;
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
  Value out = new_tile(in, x->shape(), dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_scalar", {{"dst", out}, {"data", e}, {"op0", Value::op(AluOp::Divide)}, {"operand0", s}});
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
  // Free dims: a stride-0 view of x copied into a new tile.
  AccessPattern src = t->ap;
  for (size_t i = 1; i < xs.size(); ++i) {
    src.dims[i].num = shape[i];
    if (xs[i] == 1) src.dims[i].stride = 0;
  }
  Value out = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
  if (xs[0] == shape[0]) {
    isa(in, a, "tensor_copy", {{"dst", out}, {"src", view_of(*t, src)}});
    return out;
  }
  // Partition broadcast: a ones (1, P) stationary times the row on TensorE, 512 columns at a time.
  int64_t P = shape[0], F = out.as<TensorObj>()->ap.free_elements();
  std::vector<int64_t> row_shape = shape;
  row_shape[0] = 1;
  Value row = new_tile(in, row_shape, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_copy", {{"dst", row}, {"src", view_of(*t, src)}});
  Value ones = new_tile(in, {1, P}, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "memset", {{"dst", ones}, {"value", Value::real(1.0)}});
  for (int64_t c0 = 0; c0 < F; c0 += 512) {
    int64_t n = std::min<int64_t>(512, F - c0);
    Value ps = new_tile(in, {P, n}, DType::Float32, Mem::PSUM, a.call_span);
    isa(in, a, "nc_matmul", {{"dst", ps}, {"stationary", ones}, {"moving", columns(row, c0, n)}});
    isa(in, a, "tensor_copy", {{"dst", columns(out, c0, n)}, {"src", ps}});
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
  int64_t P = shape[0], n = t->ap.free_elements();
  DType dt = dtype_arg(in, b.v[2], in.arg_span(a, b.ps, 2), t->ap.dtype);
  std::vector<int64_t> out_shape(rank, 1);
  out_shape[0] = P;
  Value ax = Value::integer(rank - 1);
  std::vector<Value> axv;
  for (auto x : axes) axv.push_back(Value::integer(x));
  ax = Value::tuple(axv);
  // Two passes in fp32: mean, then the mean of squared deviations (population variance, as np.var).
  Value m = new_tile(in, {P, 1}, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_reduce", {{"dst", m}, {"op", Value::op(AluOp::Add)}, {"data", b.v[0]}, {"axis", ax}});
  isa(in, a, "tensor_scalar",
      {{"dst", m}, {"data", m}, {"op0", Value::op(AluOp::Divide)}, {"operand0", Value::real(double(n))}});
  Value d = new_tile(in, shape, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_scalar", {{"dst", d}, {"data", b.v[0]}, {"op0", Value::op(AluOp::Subtract)}, {"operand0", m}});
  isa(in, a, "tensor_tensor", {{"dst", d}, {"data1", d}, {"data2", d}, {"op", Value::op(AluOp::Multiply)}});
  Value s = new_tile(in, {P, 1}, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_reduce", {{"dst", s}, {"op", Value::op(AluOp::Add)}, {"data", d}, {"axis", ax}});
  Value out = new_tile(in, out_shape, dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_scalar",
      {{"dst", out}, {"data", s}, {"op0", Value::op(AluOp::Divide)}, {"operand0", Value::real(double(n))}});
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
  // sum of squares (ScalarE accumulator) -> mean + eps -> rsqrt -> x * r * w.
  Value sq = new_tile(in, shape, cdt, Mem::SBUF, a.call_span);
  Value ss = new_tile(in, {P, 1}, DType::Float32, Mem::SBUF, a.call_span);
  isa(in, a, "activation_reduce",
      {{"dst", sq},
       {"op", Value::op(AluOp::Square)},
       {"data", b.v[0]},
       {"reduce_op", Value::op(AluOp::Add)},
       {"reduce_res", ss}});
  isa(in, a, "tensor_scalar",
      {{"dst", ss},
       {"data", ss},
       {"op0", Value::op(AluOp::Divide)},
       {"operand0", Value::real(double(n))},
       {"op1", Value::op(AluOp::Add)},
       {"operand1", Value::real(b.v[4].as_float())}});
  isa(in, a, "tensor_scalar",
      {{"dst", ss}, {"data", ss}, {"op0", Value::op(AluOp::Rsqrt)}, {"operand0", Value::real(0.0)}});
  Value y = new_tile(in, shape, cdt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_scalar", {{"dst", y}, {"data", b.v[0]}, {"op0", Value::op(AluOp::Multiply)}, {"operand0", ss}});
  Value out = new_tile(in, shape, dt, Mem::SBUF, a.call_span);
  isa(in, a, "tensor_tensor", {{"dst", out}, {"data1", y}, {"data2", wv}, {"op", Value::op(AluOp::Multiply)}});
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

// rand(shape, dtype, buffer=nl.sbuf, name=''): uniform values in [0, 1). Lowers to nisa.rng (uint32 bits),
// a logical right shift keeping m bits, and a multiply by 2^-m into the result (m = significand digits of
// dtype, so no value rounds up to 1.0).
Value rand(Interpreter& in, CallArgs& a) {
  Bound b = bind_args(in, a, "rand");
  std::vector<int64_t> shape = expect_shape(in, b.v[0], in.arg_span(a, b.ps, 0), "shape");
  if (b.v[1].k != VK::DType)
    fail(in, in.arg_span(a, b.ps, 1), "rand", "dtype must be an nki.language dtype (e.g. nl.float32)");
  DType dt = b.v[1].as_dtype();
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
  Value bits = in.new_tensor(name + "_bits", Mem::SBUF, DType::UInt32, shape, a.call_span);
  isa(in, a, "rng", {{"dst", bits}});
  int m = significand_bits(dt);
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
                     AluOp::BitwiseXor, AluOp::LeftShift, AluOp::RightShift})
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
