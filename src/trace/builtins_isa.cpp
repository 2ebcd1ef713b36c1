// nki.isa: each builtin binds the exact 0.3.0 signature, validates the hardware rules, and appends
// one instruction to the Program.
#include <sstream>

#include "trace/interpreter.h"

namespace nkic::trace {

namespace {

Value module_value(std::shared_ptr<ModuleObj> m) {
  Value v;
  v.k = VK::Module;
  v.o = std::move(m);
  return v;
}

Value enum_member(const std::string& cls, const std::string& name, int64_t value) {
  auto e = std::make_shared<EnumObj>();
  e->cls = cls;
  e->name = name;
  e->value = value;
  Value v;
  v.k = VK::Enum;
  v.o = e;
  return v;
}

std::shared_ptr<ModuleObj> make_enum(const std::string& cls, std::initializer_list<std::pair<const char*, int64_t>> members) {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.isa." + cls;
  for (auto& [n, v] : members) m->ns[n] = enum_member(cls, n, v);
  return m;
}

std::string shape_str(const TensorObj& t) {
  std::string s = "[";
  auto sh = t.shape();
  for (size_t i = 0; i < sh.size(); ++i) s += (i ? ", " : "") + std::to_string(sh[i]);
  return s + "]";
}

// Helpers shared by the instructions below.
struct Ctx {
  Interpreter& in;
  CallArgs& a;
  const std::string& iname;
  const std::vector<Param>& ps;
  std::vector<Value> v;

  std::string pname(size_t i) const { return ps[i].name; }
  Span span(size_t i) const { return in.arg_span(a, ps, i); }
  TensorObj* tensor(size_t i) { return expect_tensor(in, v[i], span(i), iname + " " + ps[i].name); }
  Mem mem(const TensorObj* t) const { return in.program.tensors[t->ap.tensor].mem; }
  [[noreturn]] void fail(size_t i, const std::string& msg, const std::string& hint = "") {
    in.error(span(i), iname + ": " + msg, hint, "validation");
  }
  void on_chip(size_t i, const TensorObj* t) {
    if (mem(t) == Mem::HBM)
      fail(i, pname(i) + " must be in SBUF or PSUM, but it is in HBM",
           "load it into an SBUF tile with nisa.dma_copy first");
    int64_t p = t->ap.dims[0].num;
    if (p > in.tgt.partitions)
      fail(i, pname(i) + " partition dimension " + std::to_string(p) + " exceeds the maximum of " +
                  std::to_string(in.tgt.partitions));
  }
  // Same partition count and elements per partition (free dims are a flat stream).
  void same_tile(size_t i, const TensorObj* t, size_t j, const TensorObj* u) {
    if (t->ap.dims[0].num != u->ap.dims[0].num || t->ap.free_elements() != u->ap.free_elements())
      fail(j, pname(j) + " " + shape_str(*u) + " does not match " + pname(i) + " " + shape_str(*t) +
                  " (partition counts and elements per partition must be equal)");
  }
  void emit(Opcode op, std::vector<const TensorObj*> operands, AluOp alu = AluOp::Add, int32_t i0 = 0, double f0 = 0) {
    Instruction ins;
    ins.op = op;
    ins.engine = default_engine(op);
    ins.alu = alu;
    ins.i0 = i0;
    ins.f0 = f0;
    for (auto* t : operands) ins.ops.push_back(t->ap);
    ins.loc = in.loc_here(a.call_span);
    in.program.instrs.push_back(std::move(ins));
  }
};

Value isa_builtin(std::string name, std::vector<Param> params, std::function<void(Ctx&)> body) {
  auto ps = std::make_shared<std::vector<Param>>(std::move(params));
  return make_builtin("nki.isa." + name, [name, ps, body](Interpreter& in, CallArgs& a) {
    Ctx c{in, a, name, *ps, in.bind(a, name, *ps)};
    body(c);
    return Value::none();
  });
}

AluOp expect_op(Ctx& c, size_t i) {
  if (c.v[i].k != VK::Op)
    c.fail(i, c.pname(i) + " must be an nki.language operator such as nl.add, not '" +
                  std::string(type_name(c.v[i].k)) + "'");
  return c.v[i].as_op();
}

}  // namespace

Value emit_memset(Interpreter& in, const Value& dst, double value, Span s) {
  static const std::vector<Param> ps = {{"dst", true}, {"value", true}};
  CallArgs a;
  a.call_span = s;
  Ctx c{in, a, "memset", ps, {dst, Value::real(value)}};
  TensorObj* d = c.tensor(0);
  c.on_chip(0, d);
  c.emit(Opcode::Memset, {d}, AluOp::Add, 0, value);
  return Value::none();
}

Value make_isa_module() {
  auto m = std::make_shared<ModuleObj>();
  m->name = "nki.isa";
  auto engine = make_enum("engine", {{"unknown", 0}, {"tensor", 1}, {"scalar", 2}, {"gpsimd", 3}, {"dma", 4}, {"vector", 5}, {"sync", 6}});
  m->ns["engine"] = module_value(engine);
  m->ns["tensor_engine"] = engine->ns["tensor"];
  m->ns["scalar_engine"] = engine->ns["scalar"];
  m->ns["gpsimd_engine"] = engine->ns["gpsimd"];
  m->ns["vector_engine"] = engine->ns["vector"];
  m->ns["unknown_engine"] = engine->ns["unknown"];
  m->ns["dge_mode"] = module_value(make_enum("dge_mode", {{"unknown", 0}, {"swdge", 1}, {"hwdge", 2}, {"none", 3}}));
  m->ns["oob_mode"] = module_value(make_enum("oob_mode", {{"error", 0}, {"skip", 1}}));
  m->ns["reduce_cmd"] = module_value(
      make_enum("reduce_cmd", {{"idle", 0}, {"reset", 1}, {"reduce", 2}, {"reset_reduce", 3}, {"load_reduce", 4}}));
  m->ns["matmul_perf_mode"] = module_value(make_enum("matmul_perf_mode", {{"none", 0}, {"double_row", 1}}));
  m->ns["nc_version"] = module_value(make_enum("nc_version", {{"gen2", 2}, {"gen3", 3}, {"gen4", 4}}));
  m->ns["dma_engine"] = module_value(make_enum("dma_engine", {{"dma", 1}, {"gpsimd_dma", 2}}));
  Value eng_unknown = engine->ns["unknown"];
  Value oob_error = m->ns["oob_mode"].as<ModuleObj>()->ns["error"];
  Value dge_unknown = m->ns["dge_mode"].as<ModuleObj>()->ns["unknown"];
  Value perf_none = m->ns["matmul_perf_mode"].as<ModuleObj>()->ns["none"];

  m->ns["dma_copy"] = isa_builtin(
      "dma_copy",
      {{"dst", true}, {"src", true}, {"oob_mode", false, oob_error}, {"dge_mode", false, dge_unknown},
       {"engine", false, eng_unknown}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *src = c.tensor(1);
        for (size_t i : {0, 1}) {
          const TensorObj* t = i ? src : dst;
          if (c.mem(t) == Mem::PSUM)
            c.fail(i, "DMA cannot access PSUM (" + c.pname(i) + " is in PSUM)",
                   "copy PSUM to SBUF with nisa.tensor_copy first");
          if (c.mem(t) != Mem::HBM && t->ap.dims[0].num > c.in.tgt.partitions)
            c.fail(i, c.pname(i) + " partition dimension " + std::to_string(t->ap.dims[0].num) +
                          " exceeds the maximum of " + std::to_string(c.in.tgt.partitions));
        }
        if (dst->ap.num_elements() != src->ap.num_elements())
          c.fail(1, "src " + shape_str(*src) + " has " + std::to_string(src->ap.num_elements()) + " elements but dst " +
                        shape_str(*dst) + " has " + std::to_string(dst->ap.num_elements()));
        c.emit(Opcode::DmaCopy, {dst, src});
      });

  m->ns["tensor_tensor"] = isa_builtin(
      "tensor_tensor",
      {{"dst", true}, {"data1", true}, {"data2", true}, {"op", true}, {"engine", false, eng_unknown}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *d1 = c.tensor(1), *d2 = c.tensor(2);
        c.on_chip(0, dst);
        c.on_chip(1, d1);
        c.on_chip(2, d2);
        AluOp op = expect_op(c, 3);
        c.same_tile(0, dst, 1, d1);
        c.same_tile(0, dst, 2, d2);
        if (c.mem(d1) == Mem::PSUM && c.mem(d2) == Mem::PSUM)
          c.fail(2, "data1 and data2 cannot both be in PSUM", "copy one of them to SBUF first");
        c.emit(Opcode::TensorTensor, {dst, d1, d2}, op);
      });

  m->ns["tensor_copy"] = isa_builtin(
      "tensor_copy", {{"dst", true}, {"src", true}, {"engine", false, eng_unknown}, {"name", false}}, [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *src = c.tensor(1);
        c.on_chip(0, dst);
        c.on_chip(1, src);
        c.same_tile(0, dst, 1, src);
        c.emit(Opcode::TensorCopy, {dst, src});
      });

  m->ns["memset"] = isa_builtin(
      "memset", {{"dst", true}, {"value", true}, {"engine", false, eng_unknown}, {"name", false}}, [](Ctx& c) {
        TensorObj* dst = c.tensor(0);
        c.on_chip(0, dst);
        if (!c.v[1].is_number()) c.fail(1, "value must be a number");
        DType dt = c.in.program.tensors[dst->ap.tensor].dtype;
        if (is_int(dt) && c.v[1].k == VK::Float)
          c.fail(1, "value must be an integer for the integer tensor dst (" + std::string(name_of(dt)) + ")");
        c.emit(Opcode::Memset, {dst}, AluOp::Add, 0, c.v[1].as_float());
      });

  m->ns["nc_matmul"] = isa_builtin(
      "nc_matmul",
      {{"dst", true}, {"stationary", true}, {"moving", true}, {"is_stationary_onezero", false, Value::boolean(false)},
       {"is_moving_onezero", false, Value::boolean(false)}, {"is_transpose", false, Value::boolean(false)},
       {"accumulate", false}, {"tile_position", false, Value::tuple({})}, {"tile_size", false, Value::tuple({})},
       {"perf_mode", false, perf_none}, {"name", false}},
      [](Ctx& c) {
        TensorObj *dst = c.tensor(0), *st = c.tensor(1), *mv = c.tensor(2);
        if (c.mem(st) != Mem::SBUF) c.fail(1, "stationary must be in SBUF, but it is in " + std::string(name_of(c.mem(st))));
        if (c.mem(mv) != Mem::SBUF) c.fail(2, "moving must be in SBUF, but it is in " + std::string(name_of(c.mem(mv))));
        if (c.mem(dst) != Mem::PSUM)
          c.fail(0, "dst must be in PSUM, but it is in " + std::string(name_of(c.mem(dst))),
                 "allocate the result with buffer=nl.psum");
        const Target& t = c.in.tgt;
        int64_t k = st->ap.dims[0].num, mm = st->ap.free_elements(), n = mv->ap.free_elements();
        if (k > t.partitions) c.fail(1, "stationary partition dimension " + std::to_string(k) + " exceeds the maximum of 128");
        if (mv->ap.dims[0].num != k)
          c.fail(2, "moving partition dimension " + std::to_string(mv->ap.dims[0].num) +
                        " must equal the stationary partition dimension " + std::to_string(k) + " (the contraction dimension)");
        if (mm > t.gemm_stationary_fmax)
          c.fail(1, "stationary free size " + std::to_string(mm) + " exceeds nl.tile_size.gemm_stationary_fmax (" +
                        std::to_string(t.gemm_stationary_fmax) + ")");
        if (n > t.gemm_moving_fmax)
          c.fail(2, "moving free size " + std::to_string(n) + " exceeds nl.tile_size.gemm_moving_fmax (" +
                        std::to_string(t.gemm_moving_fmax) + ")");
        if (dst->ap.dims[0].num != mm || dst->ap.free_elements() != n)
          c.fail(0, "dst " + shape_str(*dst) + " must be [" + std::to_string(mm) + ", " + std::to_string(n) +
                        "] (stationary free size x moving free size)");
        DType dd = c.in.program.tensors[dst->ap.tensor].dtype;
        if (dd != DType::Float32 && !(dd == DType::BFloat16 && t.nc_version >= 4))
          c.fail(0, "dst must be float32" + std::string(t.nc_version >= 4 ? " or bfloat16" : "") + ", not " +
                        std::string(name_of(dd)));
        int32_t acc = -1;
        if (!c.v[6].is_none()) {
          if (c.v[6].k != VK::Bool) c.fail(6, "accumulate must be True, False or None");
          acc = c.v[6].b ? 1 : 0;
        }
        c.emit(Opcode::NcMatmul, {dst, st, mv}, AluOp::Add, acc);
      });
  return module_value(m);
}

}  // namespace nkic::trace
