// Beta 1 nl.* calls that return tiles, and operators on tiles (see legacy.h). Each call is the 0.3.0
// nl function of the same name (builtins_language_ops.cpp) with what Beta 1 adds around it: mask=,
// NumPy broadcasting of (P, 1) / (1, F) operands, the promotion rule, and results written into an
// assignment target (legacy_write) or accumulated in PSUM (legacy_augassign).
#include <algorithm>
#include <map>

#include "trace/legacy_tiles.h"

namespace nkic::trace {

const BuiltinObj* language_function(const std::string& name);  // builtins_language_ops.cpp

namespace {

TensorObj* tile_of(const Value& v) { return v.k == VK::Tensor ? v.as<TensorObj>() : nullptr; }
Mem mem_of_tile(Interpreter& in, const TensorObj* t) { return in.program.tensors[t->ap.tensor].mem; }

std::string shape_text(const std::vector<int64_t>& s) {
  std::string r = "(";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + (s.size() == 1 ? ",)" : ")");
}

Value view_with(const TensorObj& t, AccessPattern ap) {
  auto obj = std::make_shared<TensorObj>();
  obj->ap = std::move(ap);
  obj->dyn = t.dyn;
  obj->whole = false;
  obj->indexed = true;
  return Value::wrap(VK::Tensor, obj);
}

// Keyword argument `name` of a call (None if absent), removed from it.
Value take_kw(CallArgs& a, const char* name, Span* at = nullptr) {
  for (size_t i = 0; i < a.kw.size(); ++i)
    if (a.kw[i].first == name) {
      Value v = a.kw[i].second;
      if (at) *at = a.kw_spans[i];
      a.kw.erase(a.kw.begin() + static_cast<long>(i));
      a.kw_spans.erase(a.kw_spans.begin() + static_cast<long>(i));
      return v;
    }
  return Value::none();
}

bool is_comparison(AluOp op) {
  switch (op) {
    case AluOp::Equal:
    case AluOp::NotEqual:
    case AluOp::Less:
    case AluOp::LessEqual:
    case AluOp::Greater:
    case AluOp::GreaterEqual:
    case AluOp::LogicalAnd:
    case AluOp::LogicalOr:
    case AluOp::LogicalXor: return true;
    default: return false;
  }
}

// The first tile among a call's arguments: the operand a mask's axes refer to.
TensorObj* first_tile(const CallArgs& a) {
  for (const Value& v : a.pos)
    if (v.k == VK::Tensor) return v.as<TensorObj>();
  for (const auto& kv : a.kw)
    if (kv.second.k == VK::Tensor) return kv.second.as<TensorObj>();
  return nullptr;
}

// The tile `v` with shape `to`: size-1 free dims become stride-0 views; a size-1 partition dim is
// broadcast with nl.broadcast_to (not through operators: `operator_form`).
Value expand(Interpreter& in, const Value& v, const std::vector<int64_t>& to, Span s, bool operator_form) {
  TensorObj* t = v.as<TensorObj>();
  if (t->shape() == to) return v;
  AccessPattern ap = t->ap;
  for (size_t i = 1; i < to.size(); ++i)
    if (ap.dims[i].num != to[i]) {
      ap.dims[i].stride = 0;
      ap.dims[i].num = to[i];
    }
  Value out = view_with(*t, ap);
  if (ap.dims[0].num == to[0]) return out;
  if (operator_form)
    in.error(s,
             "operators on tiles do not broadcast along the partition dimension (" + shape_text(t->shape()) + " to " +
                 shape_text(to) + ")",
             "call the nl function (e.g. nl.add), which broadcasts a 1-partition operand");
  std::vector<Value> dims;
  for (int64_t d : to) dims.push_back(Value::integer(d));
  return call_030(in, in.builtin_module("nki.language").as<ModuleObj>()->ns.at("broadcast_to"), s,
                  {{"x", v}, {"shape", Value::tuple(dims)}});
}

// A binary elementwise call: x, y tiles or numbers, NumPy-broadcast, promoted, masked.
Value binary_call(Interpreter& in, AluOp op, Value x, Value y, const Value& dtype, const Value& mask, Span sx, Span sy,
                  Span sd, Span call, bool operator_form) {
  std::string fn(name_of(op));
  TensorObj *tx = tile_of(x), *ty = tile_of(y);
  if (!tx && !ty) in.error(call, "nl." + fn + ": at least one of x and y must be a tile");
  for (auto [v, s, what] : {std::tuple{&x, sx, "x"}, std::tuple{&y, sy, "y"}})
    if (!tile_of(*v) && !v->is_number())
      in.error(s, "nl." + fn + ": " + what + " must be a tile or a number, not " + type_name(v->k));
  DType def = is_comparison(op) ? DType::Bool : legacy_promote(legacy_operand_dtype(x), legacy_operand_dtype(y));
  DType dt = dtype_or(in, dtype, sd, def);
  std::vector<int64_t> shape = tx ? tx->shape() : ty->shape();
  if (tx && ty) {
    auto a = tx->shape(), b = ty->shape();
    if (a.size() != b.size())
      in.error(sy, "nl." + fn + ": x " + shape_text(a) + " and y " + shape_text(b) + " must have the same rank");
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i] && a[i] != 1 && b[i] != 1)
        in.error(sy, "nl." + fn + ": x " + shape_text(a) + " and y " + shape_text(b) + " do not broadcast",
                 "dimensions must be equal or 1", "validation");
      shape[i] = std::max(a[i], b[i]);
    }
    x = expand(in, x, shape, sx, operator_form);
    y = expand(in, y, shape, sy, operator_form);
  }
  Mask m = eval_mask(in, mask, call);
  if (m.off) return legacy_tile(in, shape, dt, Mem::SBUF, call);
  if (tile_of(x)) x = apply_mask(in, x, mask_for(m, tile_of(x)->shape(), shape), call);
  if (tile_of(y)) y = apply_mask(in, y, mask_for(m, tile_of(y)->shape(), shape), call);
  CallArgs c;
  c.call_span = call;
  c.pos = {x, y, Value::dtype(dt)};
  c.pos_spans = {sx, sy, sd};
  Value r = language_function(fn)->fn(in, c);
  return legacy_place(in, r, shape, m, call);
}

// ---- the nl functions

using Fn = std::function<Value(Interpreter&, CallArgs&)>;
std::map<std::string, Value>& table() {
  static std::map<std::string, Value> t;
  return t;
}

// Beta 1 signature: the 0.3.0 one plus mask= (and `extra`).
std::vector<Param> beta1_params(const std::string& name, std::vector<Param> extra = {}) {
  std::vector<Param> ps = *language_function(name)->params;
  for (auto& p : extra) ps.push_back(p);
  ps.push_back({"mask", false});
  return ps;
}

void define(const std::string& name, std::vector<Param> ps, Fn f) {
  table()[name] = make_builtin("neuronxcc.nki.language." + name, std::move(ps), std::move(f));
}

// The 0.3.0 function with mask=: masked operand views, the result placed at the mask's bounds.
Value masked_030(Interpreter& in, CallArgs& a, const std::string& name) {
  Span ms = a.call_span;
  Value mv = take_kw(a, "mask", &ms);
  const BuiltinObj* f = language_function(name);
  if (name == "softmax" || name == "rms_norm" || name == "var")  // temporaries the kernel cannot place
    legacy_hidden_temporaries(in, a.call_span, "nl." + name, "compute it step by step into tensors you allocate");
  if (name == "load" && !a.pos.empty() && tile_of(a.pos[0]) && tile_of(a.pos[0])->ap.dims.size() == 1) {
    // A 1-D source (an integer index on a free dim, `A[c0:c0 + 128, s]`) loads as a (P, 1) tile
    // (legacy-spec.md §9.13): its one dim is the partition dim.
    auto col = std::make_shared<TensorObj>(*tile_of(a.pos[0]));
    col->ap.dims.push_back({1, 1});
    col->whole = false;
    a.pos[0] = Value::wrap(VK::Tensor, col);
  }
  Mask m = eval_mask(in, mv, ms);
  TensorObj* ref = first_tile(a);
  if (m.empty() || !ref) return f->fn(in, a);
  std::vector<int64_t> full = ref->shape();
  if (m.off) return legacy_tile(in, full, ref->ap.dtype, Mem::SBUF, a.call_span);  // nothing runs
  for (Value& v : a.pos)
    if (tile_of(v)) v = apply_mask(in, v, mask_for(m, tile_of(v)->shape(), full), a.call_span);
  for (auto& kv : a.kw)
    if (tile_of(kv.second)) kv.second = apply_mask(in, kv.second, mask_for(m, tile_of(kv.second)->shape(), full), ms);
  Value r = f->fn(in, a);
  if (!tile_of(r)) return r;
  // The result's full shape: the reference operand's extent along each masked axis the result keeps.
  std::vector<int64_t> rs = tile_of(r)->shape(), whole = rs;
  for (size_t k = 0; k < m.bounds.size() && k < rs.size() && k < full.size(); ++k) {
    int64_t lo = std::max<int64_t>(0, m.bounds[k].first), hi = std::min(full[k], m.bounds[k].second);
    if (rs[k] == hi - lo) whole[k] = full[k];
  }
  return legacy_place(in, r, whole, m, a.call_span);
}

struct Bound {
  std::vector<Value> v;
  std::vector<Param> ps;
};

Value binary_fn(Interpreter& in, CallArgs& a, AluOp op) {
  static const std::vector<Param> ps = {{"x", true}, {"y", true}, {"dtype", false}, {"mask", false}};
  std::string fn(name_of(op));
  auto v = in.bind(a, fn, ps);
  return binary_call(in, op, v[0], v[1], v[2], v[3], in.arg_span(a, ps, 0), in.arg_span(a, ps, 1),
                     in.arg_span(a, ps, 2), a.call_span, false);
}

// nl.copy(src, *, dtype, mask): a new SBUF tile (also from PSUM).
Value copy_fn(Interpreter& in, CallArgs& a) {
  static const std::vector<Param> ps = {{"x", true}, {"dtype", false}, {"mask", false}};
  auto v = in.bind(a, "copy", ps);
  TensorObj* t = expect_tensor(in, v[0], in.arg_span(a, ps, 0), "nl.copy x");
  if (mem_of_tile(in, t) == Mem::HBM)
    in.error(in.arg_span(a, ps, 0), "nl.copy: x must be an on-chip tile (SBUF or PSUM), but it is in HBM",
             "load it first with nl.load", "validation");
  DType dt = dtype_or(in, v[1], in.arg_span(a, ps, 1), t->ap.dtype);
  Mask m = eval_mask(in, v[2], in.arg_span(a, ps, 2));
  Value out = legacy_tile(in, t->shape(), dt, Mem::SBUF, a.call_span);
  if (m.off) return out;
  isa_030(in, "tensor_copy", a.call_span,
          {{"dst", apply_mask(in, out, m, a.call_span)}, {"src", apply_mask(in, v[0], m, a.call_span)}});
  return out;
}

// nl.store(dst, value, *, mask): a tile (a PSUM one through an SBUF copy) or a number.
Value store_fn(Interpreter& in, CallArgs& a) {
  static const std::vector<Param> ps = {{"dst", true}, {"value", true}, {"mask", false}};
  auto v = in.bind(a, "store", ps);
  Span sv = in.arg_span(a, ps, 1);
  TensorObj* d = expect_tensor(in, v[0], in.arg_span(a, ps, 0), "nl.store dst");
  Value val = v[1];
  if (val.is_number()) {  // a scalar: one memset tile of the destination's shape
    auto shape = d->shape();
    if (shape.size() == 1) shape.insert(shape.begin(), 1);
    val = legacy_tile(in, shape, d->ap.dtype, Mem::SBUF, sv);
    isa_030(in, "memset", sv, {{"dst", val}, {"value", v[1]}});
  } else if (TensorObj* t = tile_of(val); t && mem_of_tile(in, t) == Mem::PSUM) {
    Value c = legacy_tile(in, t->shape(), t->ap.dtype, Mem::SBUF, sv);  // SDK 2.26: PSUM through a copy
    isa_030(in, "tensor_copy", sv, {{"dst", c}, {"src", val}});
    val = c;
  }
  Mask m = eval_mask(in, v[2], in.arg_span(a, ps, 2));
  if (m.off) return Value::none();
  Value dst = v[0];
  if (!m.empty()) {
    dst = apply_mask(in, dst, m, a.call_span);
    val = apply_mask(in, val, mask_for(m, tile_of(val)->shape(), d->shape()), a.call_span);
  }
  CallArgs c;
  c.call_span = a.call_span;
  c.pos = {dst, val};
  c.pos_spans = {in.arg_span(a, ps, 0), sv};
  return language_function("store")->fn(in, c);
}

// nl.matmul(x, y, *, transpose_x=False, mask): without transpose_x, x is transposed first (TensorE).
Value matmul_fn(Interpreter& in, CallArgs& a) {
  static const std::vector<Param> ps = {
      {"x", true}, {"y", true}, {"transpose_x", false, Value::boolean(false)}, {"mask", false}};
  auto v = in.bind(a, "matmul", ps);
  if (!v[3].is_none()) eval_mask(in, v[3], in.arg_span(a, ps, 3));  // operands are masked by subscripts
  Value x = v[0];
  if (!(v[2].k == VK::Bool && v[2].b)) {
    legacy_hidden_temporaries(in, a.call_span, "nl.matmul without transpose_x=True",
                              "pass x transposed (contraction on the partition dimension) with transpose_x=True");
    TensorObj* t = expect_tensor(in, x, in.arg_span(a, ps, 0), "nl.matmul x");
    Value tp = legacy_tile(in, {t->ap.free_elements(), t->ap.dims[0].num}, t->ap.dtype, Mem::PSUM, a.call_span);
    isa_030(in, "nc_transpose", in.arg_span(a, ps, 0), {{"dst", tp}, {"data", x}});
    x = legacy_tile(in, tp.as<TensorObj>()->shape(), t->ap.dtype, Mem::SBUF, a.call_span);
    isa_030(in, "tensor_copy", in.arg_span(a, ps, 0), {{"dst", x}, {"src", tp}});
  }
  CallArgs c;
  c.call_span = a.call_span;
  c.pos = {x, v[1], Value::boolean(true)};
  c.pos_spans = {in.arg_span(a, ps, 0), in.arg_span(a, ps, 1), in.arg_span(a, ps, 2)};
  return language_function("matmul")->fn(in, c);
}

// nl.transpose(x, *, dtype, mask): TensorE into PSUM; a differing dtype is one more (cast) copy.
Value transpose_fn(Interpreter& in, CallArgs& a) {
  static const std::vector<Param> ps = {{"x", true}, {"dtype", false}, {"mask", false}};
  auto v = in.bind(a, "transpose", ps);
  TensorObj* t = expect_tensor(in, v[0], in.arg_span(a, ps, 0), "nl.transpose x");
  DType dt = dtype_or(in, v[1], in.arg_span(a, ps, 1), t->ap.dtype);
  CallArgs c;
  c.call_span = a.call_span;
  c.pos = {v[0]};
  c.pos_spans = {in.arg_span(a, ps, 0)};
  c.kw = {{"mask", v[2]}};
  c.kw_spans = {in.arg_span(a, ps, 2)};
  Value r = masked_030(in, c, "transpose");
  if (dt == t->ap.dtype) return r;
  Value out = legacy_tile(in, r.as<TensorObj>()->shape(), dt, mem_of_tile(in, r.as<TensorObj>()), a.call_span);
  isa_030(in, "tensor_copy", a.call_span, {{"dst", out}, {"src", r}});
  return out;
}

// nl.mean: of integers, float32.
Value mean_fn(Interpreter& in, CallArgs& a) {
  bool has_dtype = false;
  for (auto& kv : a.kw) has_dtype = has_dtype || kv.first == "dtype";
  TensorObj* t = first_tile(a);
  if (!has_dtype && a.pos.size() < 3 && t && !is_float(t->ap.dtype)) {
    a.kw.emplace_back("dtype", Value::dtype(DType::Float32));
    a.kw_spans.push_back(a.call_span);
  }
  return masked_030(in, a, "mean");
}

void add_functions() {
  if (!table().empty()) return;
  for (AluOp op : {AluOp::Add,        AluOp::Subtract,  AluOp::Multiply,   AluOp::Divide,     AluOp::Maximum,
                   AluOp::Minimum,    AluOp::Power,     AluOp::Fmod,       AluOp::Mod,        AluOp::Equal,
                   AluOp::NotEqual,   AluOp::Less,      AluOp::LessEqual,  AluOp::Greater,    AluOp::GreaterEqual,
                   AluOp::LogicalAnd, AluOp::LogicalOr, AluOp::LogicalXor, AluOp::BitwiseAnd, AluOp::BitwiseOr,
                   AluOp::BitwiseXor, AluOp::LeftShift, AluOp::RightShift})
    define(std::string(name_of(op)), {{"x", true}, {"y", true}, {"dtype", false}, {"mask", false}},
           [op](Interpreter& in, CallArgs& a) { return binary_fn(in, a, op); });
  // Unary calls, reductions and the rest: the 0.3.0 function with mask=.
  for (const char* n : {"exp",
                        "log",
                        "sqrt",
                        "rsqrt",
                        "reciprocal",
                        "abs",
                        "negative",
                        "sign",
                        "square",
                        "sin",
                        "cos",
                        "tan",
                        "tanh",
                        "arctan",
                        "ceil",
                        "floor",
                        "trunc",
                        "invert",
                        "relu",
                        "sigmoid",
                        "silu",
                        "silu_dx",
                        "gelu",
                        "gelu_dx",
                        "gelu_apprx_tanh",
                        "gelu_apprx_sigmoid",
                        "erf",
                        "erf_dx",
                        "softplus",
                        "mish",
                        "logical_not",
                        "sum",
                        "max",
                        "min",
                        "prod",
                        "all",
                        "var",
                        "load",
                        "load_transpose2d",
                        "softmax",
                        "rms_norm",
                        "dropout",
                        "gather_flattened",
                        "where",
                        "broadcast_to",
                        "expand_dims",
                        "rand",
                        "random_seed"}) {
    std::string name = n;
    if (!language_function(name)) continue;
    define(name, beta1_params(name), [name](Interpreter& in, CallArgs& a) { return masked_030(in, a, name); });
  }
  define("mean", beta1_params("mean"), mean_fn);
  define("copy", {{"x", true}, {"dtype", false}, {"mask", false}}, copy_fn);
  define("store", {{"dst", true}, {"value", true}, {"mask", false}}, store_fn);
  define("matmul", {{"x", true}, {"y", true}, {"transpose_x", false, Value::boolean(false)}, {"mask", false}},
         matmul_fn);
  define("transpose", {{"x", true}, {"dtype", false}, {"mask", false}}, transpose_fn);
}

}  // namespace

// ---- shared helpers

DType dtype_or(Interpreter& in, const Value& v, Span s, DType def) {
  if (v.is_none()) return def;
  if (v.k == VK::Str)
    if (auto named = dtype_from_name(v.as<StrObj>()->s)) return *named;
  if (v.k != VK::DType) in.error(s, "dtype must be an nki.language dtype (e.g. nl.float32)");
  return v.as_dtype();
}

DType legacy_operand_dtype(const Value& v) {
  if (v.k == VK::Tensor) return v.as<TensorObj>()->ap.dtype;
  if (v.k == VK::Bool) return DType::UInt8;
  return v.k == VK::Float ? DType::Float32 : DType::Int32;
}

DType legacy_promote(DType a, DType b) {
  if (a == b) return a;
  if (a == DType::Bool) a = DType::UInt8;
  if (b == DType::Bool) b = DType::UInt8;
  bool fa = is_float(a), fb = is_float(b);
  if (fa != fb) return fa ? a : b;  // float + int: the float
  auto pair = [&](DType x, DType y) { return (a == x && b == y) || (a == y && b == x); };
  if (fa) {
    if (pair(DType::Float16, DType::BFloat16)) return DType::Float32;
    if (pair(DType::Float8E4M3, DType::Float8E5M2)) return DType::BFloat16;
    if (a == DType::Float32 || b == DType::Float32) return DType::Float32;
    return size_of(a) >= size_of(b) ? a : b;
  }
  bool sa = a == DType::Int8 || a == DType::Int16 || a == DType::Int32;
  bool sb = b == DType::Int8 || b == DType::Int16 || b == DType::Int32;
  if (sa == sb) return size_of(a) >= size_of(b) ? a : b;
  DType s = sa ? a : b, u = sa ? b : a;
  if (size_of(s) > size_of(u)) return s;  // the signed type holds every unsigned value
  switch (size_of(u)) {                   // a signed type twice as wide; int32 + uint32 -> float32
    case 1: return DType::Int16;
    case 2: return DType::Int32;
    default: return DType::Float32;
  }
}

Value call_030(Interpreter& in, const Value& fn, Span s, const std::vector<std::pair<std::string, Value>>& kw) {
  CallArgs a;
  a.call_span = s;
  for (auto& [k, v] : kw) {
    if (v.is_none()) continue;
    a.kw.emplace_back(k, v);
    a.kw_spans.push_back(s);
  }
  return in.call(fn, a);
}

Value isa_030(Interpreter& in, const char* name, Span s, const std::vector<std::pair<std::string, Value>>& kw) {
  return call_030(in, in.builtin_module("nki.isa").as<ModuleObj>()->ns.at(name), s, kw);
}

Value legacy_tile(Interpreter& in, const std::vector<int64_t>& shape, DType dt, Mem mem, Span s) {
  return in.new_tensor(in.take_name_hint(), mem, dt, shape, s);
}

Value take_mask(CallArgs& a) { return take_kw(a, "mask"); }

Mask mask_for(const Mask& m, const std::vector<int64_t>& shape, const std::vector<int64_t>& ref) {
  if (m.empty() || m.off) return m;
  bool same_free = shape.size() == ref.size() && std::equal(shape.begin() + 1, shape.end(), ref.begin() + 1);
  if (same_free) return m;
  Mask p = m;
  if (p.bounds.size() > 1) p.bounds.resize(1);
  return p;
}

bool legacy_retarget(Interpreter& in, const Value& tmp, const Value& dst, std::optional<Accumulate> acc) {
  TensorObj *t = tile_of(tmp), *d = tile_of(dst);
  Program& p = in.program;
  if (!t || !d || d->dyn || !t->whole || p.instrs.empty()) return false;
  const TensorDecl& td = p.tensors[t->ap.tensor];
  if (td.created_at + 1 != p.instrs.size() || t->ap.offset != 0) return false;
  if (t->shape() != td.shape || d->shape() != td.shape) return false;
  if (p.tensors[d->ap.tensor].mem != td.mem || d->ap.tensor == t->ap.tensor) return false;
  Instruction& ins = p.instrs.back();
  bool casts = ins.op == Opcode::Activation || ins.op == Opcode::TensorTensor || ins.op == Opcode::TensorScalar ||
               ins.op == Opcode::TensorCopy || ins.op == Opcode::TensorReduce;
  if (d->ap.dtype != t->ap.dtype && !casts) return false;
  int k_dst = -1;
  for (size_t k = 0; k < ins.num_ops; ++k) {
    const Operand& o = p.operands[ins.ops_begin + k];
    const OperandSpec* r = role_of(ins, k);
    bool is_dst = r && r->name == "dst" && o.tensor == t->ap.tensor;
    if (is_dst && k_dst < 0)
      k_dst = static_cast<int>(k);
    else if (o.tensor == t->ap.tensor)
      return false;  // the temporary is read too
  }
  if (k_dst < 0) return false;
  // The instruction's view of the temporary: an axis-aligned box (the whole tile, or its masked part),
  // mapped onto the same box of dst.
  APRef w = p.op(ins, static_cast<size_t>(k_dst));
  size_t rank = td.shape.size();
  if (w.dims.size() != rank) return false;
  AccessPattern nd = d->ap;
  int64_t rest = w.offset;
  for (size_t j = 0; j < rank; ++j) {
    int64_t stride = t->ap.dims[j].stride, start = stride ? rest / stride : 0;
    rest -= start * stride;
    if (w.dims[j].num > 1 && w.dims[j].stride != stride) return false;
    nd.offset += start * d->ap.dims[j].stride;
    nd.dims[j].num = w.dims[j].num;
  }
  if (rest != 0) return false;
  if (in.deferred_zero_of(nd.tensor)) {  // dst is a deferred nl.zeros PSUM tile (Interpreter::defer_psum_zero)
    TensorObj view;
    view.ap = nd;
    // Only a matmul that starts the accumulation group over the whole tile replaces the zeroing; other
    // writes go through a copy or an add, which zero the tile first.
    if (!(acc && *acc == Accumulate::Auto && ins.op == Opcode::NcMatmul && in.deferred_zero_covered(view)))
      return false;
    in.settle_deferred_zero(view, true);
  }
  p.operands[ins.ops_begin + k_dst] = {nd.tensor, p.shapes.intern(nd.dtype, nd.dims), nd.offset};
  if (acc && ins.op == Opcode::NcMatmul) ins.i0 = static_cast<int32_t>(*acc);
  return true;
}

Value legacy_place(Interpreter& in, const Value& r, const std::vector<int64_t>& full, const Mask& m, Span s) {
  TensorObj* t = tile_of(r);
  if (m.empty() || !t || t->shape() == full) return r;
  Value out = legacy_tile(in, full, t->ap.dtype, mem_of_tile(in, t), s);
  Value box = apply_mask(in, out, m, s);
  if (!legacy_retarget(in, r, box)) isa_030(in, "tensor_copy", s, {{"dst", box}, {"src", r}});
  return out;
}

// ---- interpreter hooks

Value legacy_call_op(Interpreter& in, AluOp op, CallArgs& args) {
  add_functions();
  auto it = table().find(std::string(name_of(op)));
  if (it == table().end())
    in.error(args.call_span, "nl." + std::string(name_of(op)) + " is an operator constant and cannot be called");
  return it->second.as<BuiltinObj>()->fn(in, args);
}

Value legacy_binary(Interpreter& in, ast::BinOpKind op, const Value& a, const Value& b, Span s) {
  using B = ast::BinOpKind;
  AluOp f;
  switch (op) {
    case B::Add: f = AluOp::Add; break;
    case B::Sub: f = AluOp::Subtract; break;
    case B::Mult: f = AluOp::Multiply; break;
    case B::Div: f = AluOp::Divide; break;
    case B::LShift: f = AluOp::LeftShift; break;
    case B::RShift: f = AluOp::RightShift; break;
    case B::BitAnd: f = AluOp::BitwiseAnd; break;
    case B::BitOr: f = AluOp::BitwiseOr; break;
    case B::BitXor: f = AluOp::BitwiseXor; break;
    default:
      in.error(s, std::string("the '") + ast::name_of(op) + "' operator is not supported on tiles",
               "Beta 1 tiles support + - * / << >> & | ^ ~ and comparisons; call the nl function (e.g. nl.power)");
  }
  return binary_call(in, f, a, b, Value::none(), Value::none(), s, s, s, s, true);
}

Value legacy_unary(Interpreter& in, ast::UnaryOpKind op, const Value& v, Span s) {
  const char* name = op == ast::UnaryOpKind::Invert ? "invert" : op == ast::UnaryOpKind::USub ? "negative" : nullptr;
  if (op == ast::UnaryOpKind::UAdd) return v;
  if (!name) in.error(s, "'not' on a tile is not supported", "use ~ (nl.invert) or nl.logical_not");
  add_functions();
  CallArgs a;
  a.call_span = s;
  a.pos = {v};
  a.pos_spans = {s};
  return table().at(name).as<BuiltinObj>()->fn(in, a);
}

Value legacy_compare(Interpreter& in, ast::CmpOpKind op, const Value& a, const Value& b, Span s) {
  using C = ast::CmpOpKind;
  AluOp f;
  switch (op) {
    case C::Eq: f = AluOp::Equal; break;
    case C::NotEq: f = AluOp::NotEqual; break;
    case C::Lt: f = AluOp::Less; break;
    case C::LtE: f = AluOp::LessEqual; break;
    case C::Gt: f = AluOp::Greater; break;
    case C::GtE: f = AluOp::GreaterEqual; break;
    default: in.error(s, "'is' / 'in' comparisons are not supported on tiles");
  }
  return binary_call(in, f, a, b, Value::none(), Value::none(), s, s, s, s, true);
}

void legacy_write(Interpreter& in, const Value& dst, const Value& v, bool fresh, Span s) {
  TensorObj* d = tile_of(dst);
  if (!d) in.error(s, "assignment target is not a tensor");
  Mem dm = mem_of_tile(in, d);
  if (v.is_number()) {
    if (dm == Mem::HBM)
      in.error(s, "a number cannot be assigned to an HBM tensor", "store a tile with nl.store", "validation");
    isa_030(in, "memset", s, {{"dst", dst}, {"value", v}});
    return;
  }
  TensorObj* t = tile_of(v);
  if (!t) in.error(s, std::string("cannot assign a value of type '") + type_name(v.k) + "' to a tensor");
  if (fresh && legacy_retarget(in, v, dst, Accumulate::Overwrite)) return;  // an assignment overwrites
  auto ds = d->shape(), ss = t->shape();
  Value src = v;
  if (ds != ss && ds.size() == ss.size() && dm != Mem::HBM && mem_of_tile(in, t) != Mem::HBM) {
    for (size_t i = 0; i < ds.size(); ++i)
      if (ss[i] != ds[i] && ss[i] != 1)
        in.error(s, "cannot assign a tile of shape " + shape_text(ss) + " to a tensor view of shape " + shape_text(ds),
                 "", "validation");
    src = expand(in, v, ds, s, false);
  }
  if (dm == Mem::HBM || mem_of_tile(in, t) == Mem::HBM)
    isa_030(in, "dma_copy", s, {{"dst", dst}, {"src", src}});
  else
    isa_030(in, "tensor_copy", s, {{"dst", dst}, {"src", src}});
}

void legacy_augassign(Interpreter& in, ast::BinOpKind op, const Value& cur, const Value& v, bool fresh, Span s) {
  TensorObj *c = tile_of(cur), *t = tile_of(v);
  // `acc += nisa.nc_matmul(...)` / `acc += nl.matmul(...)`: the matmul accumulates into the PSUM tile
  // (first write overwrites, later ones add: Accumulate::Auto).
  if (op == ast::BinOpKind::Add && fresh && t && mem_of_tile(in, c) == Mem::PSUM && !in.program.instrs.empty() &&
      in.program.instrs.back().op == Opcode::NcMatmul && legacy_retarget(in, v, cur, Accumulate::Auto))
    return;
  Value r = legacy_binary(in, op, cur, v, s);
  legacy_write(in, cur, r, true, s);
}

void add_legacy_language(ModuleObj& nl) {
  add_functions();
  for (const auto& [name, fn] : table())
    if (!nl.ns.count(name) || nl.ns[name].k != VK::Op) nl.ns[name] = fn;
}

}  // namespace nkic::trace
