// Beta 1 nisa.* calls: no dst, the result tile returned (see legacy.h). Each is the 0.3.0 builtin of the
// same name (so the hardware rules are checked once) called with a fresh result tile as dst; Beta 1
// adds dtype= (the result's dtype), mask= and its own enum numbering.
#include <algorithm>

#include "trace/isa_common.h"
#include "trace/legacy_index.h"
#include "trace/legacy_tiles.h"

namespace nkic::trace {

namespace {

// The shape rule of a tile-returning instruction.
enum class Out {
  Like,          // shape and dtype of argument `like`
  Promoted,      // shape of `like`, dtype promoted over data1/data2 (tensor_tensor)
  Reduce,        // `like` reduced along `axis` (keepdims)
  Matmul,        // (stationary free, moving free), float32 PSUM
  PartReduce,    // (1, free elements of `like`)
  Stats,         // (P, 6) float32 (bn_stats)
  Aggr,          // (P, 2) float32 (bn_aggr)
  Top8,          // (P, 8) of `like`'s dtype (max8)
  Index8,        // (P, 8) uint32 (nc_find_index8)
  SeqBounds,     // (1, 2, n) of `like`'s dtype (sequence_bounds)
  Gather,        // (P, num_valid_indices * num_elem_per_idx) (local_gather)
  Transposed2d,  // `like` (2-D) transposed, SBUF (dma_transpose)
};

struct Row {
  const char* name;
  Out out;
  const char* like;
};

const std::vector<Row>& rows() {
  static const std::vector<Row> r = {
      {"tensor_tensor", Out::Promoted, "data1"},
      {"tensor_scalar", Out::Like, "data"},
      {"activation", Out::Like, "data"},
      {"activation_reduce", Out::Like, "data"},
      {"tensor_reduce", Out::Reduce, "data"},
      {"tensor_copy", Out::Like, "src"},
      {"reciprocal", Out::Like, "data"},
      {"nc_matmul", Out::Matmul, "stationary"},
      {"scalar_tensor_tensor", Out::Like, "data"},
      {"tensor_scalar_reduce", Out::Like, "data"},
      {"tensor_tensor_scan", Out::Like, "data0"},
      {"tensor_partition_reduce", Out::PartReduce, "data"},
      {"select_reduce", Out::Like, "on_true"},
      {"range_select", Out::Like, "on_true_tile"},
      {"sequence_bounds", Out::SeqBounds, "segment_ids"},
      {"bn_stats", Out::Stats, "data"},
      {"bn_aggr", Out::Aggr, "data"},
      {"local_gather", Out::Gather, "src_buffer"},
      {"dropout", Out::Like, "data"},
      {"max8", Out::Top8, "src"},
      {"nc_find_index8", Out::Index8, "data"},
      {"nc_match_replace8", Out::Like, "data"},
      {"dma_transpose", Out::Transposed2d, "src"},
  };
  return r;
}

Value isa030_fn(Interpreter& in, const std::string& name) {
  return in.builtin_module("nki.isa").as<ModuleObj>()->ns.at(name);
}

// ---- Beta 1 enums: same member names as 0.3.0, Beta 1 numbers (legacy-spec.md §5 last bullet).

Value member(const std::string& cls, const std::string& name, int64_t value) {
  auto e = std::make_shared<EnumObj>();
  e->cls = cls;
  e->name = name;
  e->value = value;
  return Value::wrap(VK::Enum, e);
}

Value enum_module(const std::string& cls, std::vector<std::pair<const char*, int64_t>> members) {
  auto m = std::make_shared<ModuleObj>();
  m->name = "neuronxcc.nki.isa." + cls;
  for (auto [n, v] : members) m->ns[n] = member(cls, n, v);
  return Value::wrap(VK::Module, m);
}

// A Beta 1 enum argument as the 0.3.0 member of the same name (raw dge_mode ints in Beta 1 numbering).
Value to_030(Interpreter& in, const std::string& param, const Value& v) {
  static const char* kDge[] = {"none", "swdge", "hwdge", "unknown"};
  if (param == "dge_mode" && v.is_int() && v.as_int() >= 0 && v.as_int() <= 3)
    return in.builtin_module("nki.isa").as<ModuleObj>()->ns.at("dge_mode").as<ModuleObj>()->ns.at(kDge[v.as_int()]);
  if (v.k != VK::Enum || !v.o) return v;
  const EnumObj& e = *v.as<EnumObj>();
  Value cls = in.builtin_module("nki.isa").as<ModuleObj>()->ns.count(e.cls)
                  ? in.builtin_module("nki.isa").as<ModuleObj>()->ns.at(e.cls)
                  : Value::none();
  if (cls.k != VK::Module) return v;
  auto& ns = cls.as<ModuleObj>()->ns;
  auto it = ns.find(e.name);
  return it == ns.end() ? v : it->second;
}

size_t index_of(const std::vector<Param>& ps, const char* name) {
  for (size_t i = 0; i < ps.size(); ++i)
    if (std::string(ps[i].name) == name) return i;
  return ps.size();
}

// Calls the 0.3.0 builtin with dst= and the bound arguments (enums translated, masked), each reported at
// the user's argument.
void call_with_dst(Interpreter& in, CallArgs& user, const std::string& name, const std::vector<Param>& ps,
                   const std::vector<Value>& v, const Value& dst, const Mask& m, const std::vector<int64_t>& ref) {
  CallArgs a;
  a.call_span = user.call_span;
  if (!dst.is_none()) {
    a.kw.emplace_back("dst", apply_mask(in, dst, m, user.call_span));
    a.kw_spans.push_back(user.call_span);
  }
  for (size_t i = 0; i < ps.size(); ++i) {
    std::string p = ps[i].name;
    if (p == "dtype" || p == "mask" || p == "buffer" || v[i].is_none()) continue;
    Value x = to_030(in, p, v[i]);
    if (x.k == VK::Tensor && !m.empty() && p != "reduce_res")
      x = apply_mask(in, x, mask_for(m, x.as<TensorObj>()->shape(), ref), user.call_span);
    a.kw.emplace_back(p, x);
    a.kw_spans.push_back(in.arg_span(user, ps, i));
  }
  in.call(isa030_fn(in, name), a);
}

TensorObj* arg_tile(Interpreter& in, CallArgs& a, const std::vector<Param>& ps, const std::vector<Value>& v,
                    const char* name, const std::string& call) {
  size_t i = index_of(ps, name);
  return expect_tensor(in, v[i], in.arg_span(a, ps, i), "nisa." + call + " " + name);
}

// A row's result tile: shape, default dtype and memory from its rule.
Value result_tile(Interpreter& in, CallArgs& a, const Row& r, const std::vector<Param>& ps, const std::vector<Value>& v,
                  std::vector<int64_t>& ref) {
  std::string n = r.name;
  TensorObj* t = arg_tile(in, a, ps, v, r.like, n);
  ref = t->shape();
  std::vector<int64_t> shape = ref;
  DType dt = t->ap.dtype;
  Mem mem = Mem::SBUF;
  int64_t P = t->ap.dims[0].num;
  switch (r.out) {
    case Out::Like: break;
    case Out::Promoted: {
      size_t j = index_of(ps, "data2");
      dt = legacy_promote(dt, legacy_operand_dtype(v[j]));
      break;
    }
    case Out::Reduce: {
      size_t j = index_of(ps, "axis"), k = index_of(ps, "keepdims");
      std::vector<int64_t> axes =
          v[j].is_int() ? std::vector<int64_t>{v[j].as_int()} : expect_shape(in, v[j], in.arg_span(a, ps, j), "axis");
      int64_t rank = static_cast<int64_t>(ref.size());
      for (auto& x : axes) x = x < 0 ? x + rank : x;
      bool keep = v[k].k == VK::Bool && v[k].b;
      shape.clear();
      for (int64_t i = 0; i < rank; ++i) {
        bool red = std::find(axes.begin(), axes.end(), i) != axes.end();
        if (!red || keep) shape.push_back(red ? 1 : ref[i]);
      }
      if (shape.size() == 1) shape.push_back(1);
      break;
    }
    case Out::Matmul: {
      TensorObj* mv = arg_tile(in, a, ps, v, "moving", n);
      shape = {t->ap.free_elements(), mv->ap.free_elements()};
      dt = DType::Float32;
      mem = Mem::PSUM;
      break;
    }
    case Out::PartReduce: shape = {1, t->ap.free_elements()}; break;
    case Out::Stats:
      shape = {P, 6};
      dt = DType::Float32;
      break;
    case Out::Aggr:
      shape = {P, 2};
      dt = DType::Float32;
      break;
    case Out::Top8: shape = {P, 8}; break;
    case Out::Index8:
      shape = {P, 8};
      dt = DType::UInt32;
      break;
    case Out::SeqBounds: shape = {1, 2, t->ap.free_elements()}; break;
    case Out::Gather: {
      size_t e = index_of(ps, "num_elem_per_idx"), nv = index_of(ps, "num_valid_indices");
      TensorObj* idx = arg_tile(in, a, ps, v, "index", n);
      int64_t E = v[e].is_int() ? v[e].as_int() : 1;
      int64_t count = v[nv].is_int() ? v[nv].as_int() : 16 * idx->ap.free_elements();
      shape = {P, count * E};
      break;
    }
    case Out::Transposed2d:
      if (ref.size() != 2) in.error(a.call_span, "nisa." + n + ": src must be 2-D");
      shape = {ref[1], ref[0]};
      break;
  }
  size_t d = index_of(ps, "dtype"), b = index_of(ps, "buffer");
  dt = dtype_or(in, v[d], in.arg_span(a, ps, d), dt);
  if (b < ps.size() && v[b].k == VK::Buffer) mem = mem_of(v[b].as_buffer());  // activation's buffer=
  return legacy_tile(in, shape, dt, mem, a.call_span);
}

// A generic row: bind the Beta 1 signature, make the result tile, call the 0.3.0 builtin into it.
Value generic(Interpreter& in, CallArgs& a, const Row& r, const std::vector<Param>& ps) {
  std::string n = r.name;
  auto v = in.bind(a, n, ps);
  size_t mi = index_of(ps, "mask");
  Mask m = eval_mask(in, v[mi], in.arg_span(a, ps, mi));
  std::vector<int64_t> ref;
  Value out = result_tile(in, a, r, ps, v, ref);
  if (m.off) return out;
  call_with_dst(in, a, n, ps, v, out, m, ref);
  return out;
}

// The Beta 1 signature of a row: the 0.3.0 one without dst / name / accumulate, with dtype= and mask=.
std::vector<Param> beta1_params(const Value& fn030, std::vector<const char*> drop = {}) {
  std::vector<Param> ps;
  drop.insert(drop.end(), {"dst", "name", "accumulate"});
  for (const Param& p : *fn030.as<BuiltinObj>()->params) {
    bool skip = false;
    for (const char* d : drop) skip = skip || std::string(p.name) == d;
    if (!skip) ps.push_back(p);
  }
  ps.push_back({"dtype", false});
  ps.push_back({"mask", false});
  return ps;
}

// nc_transpose(data, *, dtype, engine, mask): TensorE (SBUF -> PSUM) unless engine=vector or data in PSUM.
Value nc_transpose(Interpreter& in, CallArgs& a) {
  static const std::vector<Param> ps = {{"data", true}, {"dtype", false}, {"engine", false}, {"mask", false}};
  auto v = in.bind(a, "nc_transpose", ps);
  TensorObj* t = expect_tensor(in, v[0], in.arg_span(a, ps, 0), "nisa.nc_transpose data");
  Mask m = eval_mask(in, v[3], in.arg_span(a, ps, 3));
  std::string eng = v[2].k == VK::Enum && v[2].o ? v[2].as<EnumObj>()->name : "unknown";
  Mem src = in.program.tensors[t->ap.tensor].mem;
  bool te = eng == "tensor" || (eng == "unknown" && src == Mem::SBUF);
  if (te)
    legacy_hidden_temporaries(in, a.call_span, "a TensorE nisa.nc_transpose",
                              "use engine=nisa.vector_engine "
                              "(up to 32x32) or nisa.nc_matmul with your own identity");
  DType dt = dtype_or(in, v[1], in.arg_span(a, ps, 1), t->ap.dtype);
  bool widen = te && dt == DType::Float32 && (t->ap.dtype == DType::BFloat16 || t->ap.dtype == DType::Float16);
  DType first = dt == t->ap.dtype || widen ? dt : t->ap.dtype;
  std::vector<int64_t> shape = {t->ap.free_elements(), t->ap.dims[0].num};
  Value out = legacy_tile(in, shape, first, te ? Mem::PSUM : src, a.call_span);
  if (m.off) return out;
  std::vector<Value> args = {v[0], Value::none(), te ? Value::none() : v[2], Value::none()};
  static const std::vector<Param> call_ps = {{"data", true}, {"dtype", false}, {"engine", false}, {"mask", false}};
  call_with_dst(in, a, "nc_transpose", call_ps, args, out, Mask{}, shape);
  if (first == dt) return out;
  Value cast = legacy_tile(in, shape, dt, Mem::SBUF, a.call_span);  // a differing dtype: one cast copy
  isa_030(in, "tensor_copy", a.call_span, {{"dst", cast}, {"src", out}});
  return cast;
}

// iota(expr, dtype, *, mask): the values of an affine index expression (nl.arange / nl.mgrid arithmetic).
Value iota(Interpreter& in, CallArgs& a) {
  static const std::vector<Param> ps = {{"expr", true}, {"dtype", true}, {"mask", false}};
  auto v = in.bind(a, "iota", ps);
  Span se = in.arg_span(a, ps, 0);
  Mask m = eval_mask(in, v[2], in.arg_span(a, ps, 2));
  const Affine* e = as_index_expr(v[0]);
  if (!e)
    in.error(se, "nisa.iota: expr must be an affine expression of index grids (nl.arange / nl.mgrid), not " +
                     std::string(type_name(v[0].k)));
  std::vector<int64_t> shape = e->shape;
  if (shape.size() == 1) shape.push_back(1);
  DType dt = dtype_or(in, v[1], in.arg_span(a, ps, 1), DType::Int32);
  Value out = legacy_tile(in, shape, dt, Mem::SBUF, a.call_span);
  if (m.off) return out;
  std::vector<Value> pattern;
  for (size_t k = 1; k < e->shape.size(); ++k)
    pattern.push_back(Value::list({Value::integer(e->coef[k]), Value::integer(e->shape[k])}));
  if (pattern.empty()) pattern.push_back(Value::list({Value::integer(0), Value::integer(1)}));
  isa_030(in, "iota", a.call_span,
          {{"dst", apply_mask(in, out, m, a.call_span)},
           {"pattern", Value::list(pattern)},
           {"offset", Value::integer(e->c)},
           {"channel_multiplier", Value::integer(e->coef.empty() ? 0 : e->coef[0])}});
  return out;
}

// affine_select(pred, on_true_tile, on_false_value, *, dtype, mask): on_true where the one affine
// comparison of grids holds, on_false_value elsewhere.
Value affine_select(Interpreter& in, CallArgs& a) {
  static const std::vector<Param> ps = {
      {"pred", true}, {"on_true_tile", true}, {"on_false_value", true}, {"dtype", false}, {"mask", false}};
  auto v = in.bind(a, "affine_select", ps);
  Span sp = in.arg_span(a, ps, 0);
  Affine e;
  ast::CmpOpKind cmp;
  if (!index_predicate_term(v[0], e, cmp))
    in.error(sp,
             "nisa.affine_select: pred must be one comparison of affine index-grid expressions "
             "(e.g. i_f - i_p >= 0)");
  TensorObj* t = expect_tensor(in, v[1], in.arg_span(a, ps, 1), "nisa.affine_select on_true_tile");
  std::vector<int64_t> shape = t->shape();
  std::vector<int64_t> gs = e.shape;
  while (gs.size() < shape.size()) gs.push_back(1);
  for (size_t k = 0; k < shape.size(); ++k)
    if (gs[k] != shape[k] && gs[k] != 1)
      in.error(sp, "nisa.affine_select: the predicate's grid does not match on_true_tile's shape");
  Mask m = eval_mask(in, v[4], in.arg_span(a, ps, 4));
  DType dt = dtype_or(in, v[3], in.arg_span(a, ps, 3), t->ap.dtype);
  Value out = legacy_tile(in, shape, dt, Mem::SBUF, a.call_span);
  if (m.off) return out;
  std::vector<Value> pattern;
  for (size_t k = 1; k < shape.size(); ++k)
    pattern.push_back(
        Value::list({Value::integer(k < e.coef.size() && gs[k] > 1 ? e.coef[k] : 0), Value::integer(shape[k])}));
  using C = ast::CmpOpKind;
  AluOp op = cmp == C::Lt    ? AluOp::Less
             : cmp == C::LtE ? AluOp::LessEqual
             : cmp == C::Gt  ? AluOp::Greater
             : cmp == C::GtE ? AluOp::GreaterEqual
                             : AluOp::Equal;
  int64_t cm = !e.coef.empty() && gs[0] > 1 ? e.coef[0] : 0;
  isa_030(in, "affine_select", a.call_span,
          {{"dst", apply_mask(in, out, m, a.call_span)},
           {"pattern", Value::list(pattern)},
           {"channel_multiplier", Value::integer(cm)},
           {"on_true_tile", apply_mask(in, v[1], m, a.call_span)},
           {"on_false_value", v[2]},
           {"cmp_op", Value::op(op)},
           {"offset", Value::integer(e.c)}});
  return out;
}

// memset(shape, value, dtype, *, engine, mask): dim 0 is the partition dim (par_dim ignored).
Value memset(Interpreter& in, CallArgs& a) {
  static const std::vector<Param> ps = {
      {"shape", true}, {"value", true}, {"dtype", true}, {"engine", false}, {"mask", false}};
  auto v = in.bind(a, "memset", ps);
  std::vector<int64_t> shape = legacy_shape(in, v[0], in.arg_span(a, ps, 0));
  DType dt = dtype_or(in, v[2], in.arg_span(a, ps, 2), DType::Float32);
  Mask m = eval_mask(in, v[4], in.arg_span(a, ps, 4));
  Value out = legacy_tile(in, shape, dt, Mem::SBUF, a.call_span);
  if (m.off) return out;
  static const std::vector<Param> call_ps = {{"value", true}, {"engine", false}};
  call_with_dst(in, a, "memset", call_ps, {v[1], v[3]}, out, m, shape);
  return out;
}

// Beta 1 calls that name their destination: passed through with enums translated and mask= applied.
Value with_dst(Interpreter& in, CallArgs& a, const std::string& name, const std::vector<Param>& ps) {
  auto v = in.bind(a, name, ps);
  size_t mi = index_of(ps, "mask"), di = index_of(ps, "dst");
  Mask m = eval_mask(in, v[mi], in.arg_span(a, ps, mi));
  if (m.off) return Value::none();
  size_t r = index_of(ps, "dst_rmw_op");
  if (r < ps.size() && !v[r].is_none())
    in.error(in.arg_span(a, ps, r), "nisa." + name + ": dst_rmw_op is not supported by nkic yet",
             "compute the update with nl.add and copy the result");
  std::vector<int64_t> ref = v[di].k == VK::Tensor ? v[di].as<TensorObj>()->shape() : std::vector<int64_t>{};
  std::vector<Value> rest = v;
  rest[di] = Value::none();
  if (r < ps.size()) rest[r] = Value::none();
  call_with_dst(in, a, name, ps, rest, v[di], m, ref);
  return Value::none();
}

}  // namespace

void add_legacy_isa(ModuleObj& nisa) {
  static const Value isa030 = make_isa_module();  // signatures only (calls go to the interpreter's module)
  auto& ns030 = isa030.as<ModuleObj>()->ns;
  for (const Row& r : rows()) {
    if (!ns030.count(r.name)) continue;
    std::vector<Param> ps = beta1_params(ns030.at(r.name));
    if (std::string(r.name) == "activation") ps.push_back({"buffer", false});  // legacy-spec.md §9.12
    Row row = r;
    nisa.ns[r.name] = make_builtin("neuronxcc.nki.isa." + std::string(r.name), ps,
                                   [row, ps](Interpreter& in, CallArgs& a) { return generic(in, a, row, ps); });
  }
  nisa.ns["nc_transpose"] =
      make_builtin("neuronxcc.nki.isa.nc_transpose",
                   {{"data", true}, {"dtype", false}, {"engine", false}, {"mask", false}}, nc_transpose);
  nisa.ns["iota"] = make_builtin("neuronxcc.nki.isa.iota", {{"expr", true}, {"dtype", true}, {"mask", false}}, iota);
  nisa.ns["affine_select"] = make_builtin(
      "neuronxcc.nki.isa.affine_select",
      {{"pred", true}, {"on_true_tile", true}, {"on_false_value", true}, {"dtype", false}, {"mask", false}},
      affine_select);
  nisa.ns["memset"] =
      make_builtin("neuronxcc.nki.isa.memset",
                   {{"shape", true}, {"value", true}, {"dtype", true}, {"engine", false}, {"mask", false}}, memset);
  auto pass = [&nisa](const std::string& name, std::vector<Param> ps) {
    nisa.ns[name] = make_builtin("neuronxcc.nki.isa." + name, ps,
                                 [name, ps](Interpreter& in, CallArgs& a) { return with_dst(in, a, name, ps); });
  };
  pass(
      "dma_copy",
      {{"dst", true}, {"src", true}, {"mask", false}, {"dst_rmw_op", false}, {"oob_mode", false}, {"dge_mode", false}});
  pass("tensor_copy_predicated", {{"src", true},
                                  {"dst", true},
                                  {"predicate", true},
                                  {"mask", false},
                                  {"dtype", false},
                                  {"reverse_pred", false, Value::boolean(false)}});
  pass("nc_stream_shuffle", {{"src", true}, {"dst", true}, {"shuffle_mask", true}, {"dtype", false}, {"mask", false}});
  // Enums in Beta 1 numbering (dge_mode differs from 0.3.0).
  Value engine =
      enum_module("engine", {{"unknown", 0}, {"tensor", 1}, {"scalar", 2}, {"gpsimd", 3}, {"vector", 5}, {"sync", 6}});
  nisa.ns["engine"] = engine;
  for (const char* e : {"tensor", "scalar", "gpsimd", "vector", "unknown"})
    nisa.ns[std::string(e) + "_engine"] = engine.as<ModuleObj>()->ns.at(e);
  nisa.ns["reduce_cmd"] = enum_module("reduce_cmd", {{"idle", 0}, {"reset", 1}, {"reduce", 2}, {"reset_reduce", 3}});
  nisa.ns["dge_mode"] = enum_module("dge_mode", {{"none", 0}, {"swdge", 1}, {"hwdge", 2}, {"unknown", 3}});
  nisa.ns["oob_mode"] = enum_module("oob_mode", {{"error", 0}, {"skip", 1}});
  nisa.ns["nc_version"] = enum_module("nc_version", {{"gen2", 2}, {"gen3", 3}});
}

}  // namespace nkic::trace
